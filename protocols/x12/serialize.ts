/**
 * X12 writer: segments -> text with the given delimiters, and whole interchanges (ISA/GS/ST..SE/
 * GE/IEA) with control numbers and counts.
 *
 * X12 has no escape character. Data that contains a delimiter (or CR / LF, which the reader drops
 * as line wrapping) is REFUSED: an X12SerializeError names the segment, element and value. Pick
 * delimiters that do not occur in the data (`findDelimiterConflicts` helps).
 */
import { x12CalendarDate, x12DateTime, type X12DateTime } from './values';

export type X12Version = '004010' | '005010';

export interface WriteDelimiters {
  element: string;
  component: string;
  /** Used from 005010 on (ISA11); 004010 writes "U" in ISA11 and does not use repetitions. */
  repetition?: string;
  segment: string;
  /** Written after each segment terminator: newline, CRLF or nothing (default). */
  suffix?: '\n' | '\r\n' | '';
}

/** An element to write: simple, composite (array of components) or repeated. */
export type OutElement =
  | string
  | undefined
  | readonly (string | undefined)[]
  | { readonly repeat: readonly (string | readonly (string | undefined)[])[] };

/** `[id, element01, element02, ...]` */
export type OutSegment = readonly [string, ...OutElement[]];

export class X12SerializeError extends Error {
  constructor(
    message: string,
    readonly segmentId: string,
    readonly elementPosition?: number,
    readonly value?: string,
  ) {
    super(message);
    this.name = 'X12SerializeError';
  }
}

export const DEFAULT_DELIMITERS: Readonly<WriteDelimiters> = {
  element: '*',
  component: '>',
  repetition: '^',
  segment: '~',
  suffix: '\n',
};

/** Throws when the delimiter set cannot be used. */
export function checkDelimiters(d: WriteDelimiters, version: X12Version): void {
  const list = [d.element, d.component, d.segment];
  if (version === '005010') list.push(d.repetition ?? '');
  for (const ch of list) {
    if (ch.length !== 1 || /[A-Za-z0-9 ]/.test(ch)) {
      throw new X12SerializeError(
        `invalid delimiter ${JSON.stringify(ch)}: one non-alphanumeric character`,
        'ISA',
      );
    }
  }
  if (new Set(list).size !== list.length)
    throw new X12SerializeError('delimiters must differ from each other', 'ISA');
  if ((d.segment === '\n' || d.segment === '\r') && d.suffix) {
    throw new X12SerializeError('a newline segment terminator takes no suffix', 'ISA');
  }
}

function forbidden(d: WriteDelimiters): string[] {
  const out = [d.element, d.component, d.segment, '\r', '\n'];
  if (d.repetition) out.push(d.repetition);
  return out;
}

function checkText(value: string, bad: string[], segmentId: string, element: number): string {
  for (const ch of bad) {
    if (value.includes(ch)) {
      throw new X12SerializeError(
        `${segmentId}${String(element).padStart(2, '0')} contains the delimiter ${JSON.stringify(ch)}: ${JSON.stringify(value)}`,
        segmentId,
        element,
        value,
      );
    }
  }
  return value;
}

function trimTrailing<T>(arr: readonly T[], empty: (v: T) => boolean): T[] {
  let n = arr.length;
  while (n > 0 && empty(arr[n - 1]!)) n--; // 0 < n <= length
  return arr.slice(0, n);
}

/** Writes one segment (with terminator and suffix). Trailing empty elements/components are dropped. */
export function formatSegment(seg: OutSegment, d: WriteDelimiters, version: X12Version = '005010'): string {
  const bad = forbidden(d);
  const [id, ...elements] = seg;
  const composite = (parts: readonly (string | undefined)[], pos: number): string =>
    trimTrailing(parts, (p) => p === undefined || p === '')
      .map((p) => checkText(p ?? '', bad, id, pos))
      .join(d.component);
  const out: string[] = [id];
  elements.forEach((el, i) => {
    const pos = i + 1;
    if (el === undefined) out.push('');
    else if (typeof el === 'string') out.push(checkText(el, bad, id, pos));
    else if ('repeat' in el) {
      if (version !== '005010' || !d.repetition) {
        throw new X12SerializeError(`${id}${String(pos).padStart(2, '0')}: repetitions need 005010`, id, pos);
      }
      out.push(
        el.repeat
          .map((r) => (typeof r === 'string' ? checkText(r, bad, id, pos) : composite(r, pos)))
          .join(d.repetition),
      );
    } else out.push(composite(el, pos));
  });
  return trimTrailing(out, (e) => e === '').join(d.element) + d.segment + (d.suffix ?? '');
}

export interface PartyId {
  /** ISA05 / ISA07 qualifier, e.g. "ZZ", "01" */
  qualifier: string;
  /** ISA06 / ISA08, up to 15 characters */
  id: string;
}

export interface TransactionSetInput {
  /** ST01, e.g. "850" */
  id: string;
  /** ST02: a number is written with at least 4 digits. */
  controlNumber: number | string;
  /** ST03 (005010 only) */
  implementationReference?: string;
  /** Body segments, without ST and SE. */
  segments: readonly OutSegment[];
}

export interface GroupInput {
  /** GS01; defaults from the first set's id (850 -> PO, 855 -> PR, 856 -> SH, 810 -> IN, 997/999 -> FA). */
  functionalId?: string;
  /** GS02 / GS03 */
  applicationSender: string;
  applicationReceiver: string;
  /** GS06 */
  controlNumber: number;
  /** GS08; defaults to "004010" / "005010". */
  versionCode?: string;
  transactionSets: readonly TransactionSetInput[];
}

export interface InterchangeInput {
  delimiters: WriteDelimiters;
  version: X12Version;
  sender: PartyId;
  receiver: PartyId;
  /** ISA13 (1 to 999999999) */
  controlNumber: number;
  /** Interchange date/time (ISA09/10, GS04/05), written in UTC. Passed in: the codec reads no clock. */
  date: Date;
  /** ISA15, default "P" */
  usage?: 'P' | 'T' | 'I';
  /** ISA14 */
  ackRequested?: boolean;
  authorization?: { qualifier: string; value: string };
  security?: { qualifier: string; value: string };
  /** Interchange-level acknowledgments (TA1) written before the groups. */
  interchangeAcks?: readonly OutSegment[];
  groups: readonly GroupInput[];
}

const FUNCTIONAL_IDS: Record<string, string> = {
  '850': 'PO',
  '855': 'PR',
  '856': 'SH',
  '810': 'IN',
  '860': 'PC',
  '865': 'CA',
  '997': 'FA',
  '999': 'FA',
};

export function functionalIdFor(setId: string): string {
  const f = FUNCTIONAL_IDS[setId];
  if (!f)
    throw new X12SerializeError(
      `no functional identifier known for transaction set ${setId}`,
      'GS',
      1,
      setId,
    );
  return f;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function fixed(value: string, width: number, segment: string, element: number): string {
  if (value.length > width) {
    throw new X12SerializeError(
      `${segment}${pad2(element)} "${value}" is longer than ${width}`,
      segment,
      element,
      value,
    );
  }
  return value.padEnd(width, ' ');
}

function controlText(n: number | string, min: number, max: number, segment: string, element: number): string {
  const s = typeof n === 'number' ? String(n).padStart(min, '0') : n;
  if (typeof n === 'number' && (!Number.isInteger(n) || n < 0)) {
    throw new X12SerializeError(
      `${segment}${pad2(element)} must be a positive whole number`,
      segment,
      element,
      String(n),
    );
  }
  if (s.length < min || s.length > max || !/^[A-Za-z0-9]+$/.test(s)) {
    throw new X12SerializeError(
      `${segment}${pad2(element)} "${s}" must be ${min} to ${max} characters`,
      segment,
      element,
      s,
    );
  }
  return s;
}

/** Writes a whole interchange. Throws X12SerializeError for data that cannot be written. */
export function serializeInterchange(input: InterchangeInput): string {
  const d = input.delimiters;
  const version = input.version;
  checkDelimiters(d, version);
  const t = input.date;
  if (!(t instanceof Date) || Number.isNaN(t.getTime()))
    throw new X12SerializeError('date must be a valid Date', 'ISA', 9);
  const yyyy = String(t.getUTCFullYear());
  const mmdd = `${pad2(t.getUTCMonth() + 1)}${pad2(t.getUTCDate())}`;
  const hhmm = `${pad2(t.getUTCHours())}${pad2(t.getUTCMinutes())}`;
  const isaControl = controlText(input.controlNumber, 9, 9, 'ISA', 13);
  const auth = input.authorization ?? { qualifier: '00', value: '' };
  const sec = input.security ?? { qualifier: '00', value: '' };
  const isa = [
    'ISA',
    fixed(auth.qualifier, 2, 'ISA', 1),
    fixed(auth.value, 10, 'ISA', 2),
    fixed(sec.qualifier, 2, 'ISA', 3),
    fixed(sec.value, 10, 'ISA', 4),
    fixed(input.sender.qualifier, 2, 'ISA', 5),
    fixed(input.sender.id, 15, 'ISA', 6),
    fixed(input.receiver.qualifier, 2, 'ISA', 7),
    fixed(input.receiver.id, 15, 'ISA', 8),
    `${yyyy.slice(2)}${mmdd}`,
    hhmm,
    version === '005010' ? (d.repetition as string) : 'U',
    version === '005010' ? '00501' : '00401',
    isaControl,
    input.ackRequested ? '1' : '0',
    input.usage ?? 'P',
    d.component,
  ];
  const bad = forbidden(d);
  isa.forEach((v, i) => {
    if (i >= 1 && i < 16 && i !== 11) checkText(v, bad, 'ISA', i);
  });
  const out: string[] = [isa.join(d.element) + d.segment + (d.suffix ?? '')];
  for (const ack of input.interchangeAcks ?? []) out.push(formatSegment(ack, d, version));
  for (const g of input.groups) {
    if (g.transactionSets.length === 0)
      throw new X12SerializeError('a functional group needs a transaction set', 'GS');
    const gsControl = controlText(g.controlNumber, 1, 9, 'GS', 6);
    out.push(
      formatSegment(
        [
          'GS',
          g.functionalId ?? functionalIdFor(g.transactionSets[0]!.id), // not empty: checked above
          g.applicationSender,
          g.applicationReceiver,
          `${yyyy}${mmdd}`,
          hhmm,
          String(Number(gsControl)),
          'X',
          g.versionCode ?? version,
        ],
        d,
        version,
      ),
    );
    for (const ts of g.transactionSets) {
      const stControl = controlText(ts.controlNumber, 4, 9, 'ST', 2);
      const st: OutElement[] = [ts.id, stControl];
      if (version === '005010' && ts.implementationReference) st.push(ts.implementationReference);
      out.push(formatSegment(['ST', ...st], d, version));
      for (const s of ts.segments) out.push(formatSegment(s, d, version));
      out.push(formatSegment(['SE', String(ts.segments.length + 2), stControl], d, version));
    }
    out.push(formatSegment(['GE', String(g.transactionSets.length), String(Number(gsControl))], d, version));
  }
  out.push(formatSegment(['IEA', String(input.groups.length), isaControl], d, version));
  return out.join('');
}

/** Delimiter characters that occur in some text (to choose delimiters that the data does not use). */
export function findDelimiterConflicts(text: string, d: WriteDelimiters): string[] {
  return forbidden(d).filter((ch) => text.includes(ch));
}

/** An ISO 8601 date-time as X12 date and time; anything else is refused naming segment and element. */
export function requireX12DateTime(iso: string, seg: string, el: number): X12DateTime {
  const v = x12DateTime(iso);
  if (!v)
    throw new X12SerializeError(
      `${seg}${String(el).padStart(2, '0')}: "${iso}" is not ISO 8601`,
      seg,
      el,
      iso,
    );
  return v;
}

/** The calendar date of an ISO 8601 value as written (x12CalendarDate); else refused naming the element. */
export function requireX12Date(iso: string, seg: string, el: number): string {
  const v = x12CalendarDate(iso);
  if (v === undefined)
    throw new X12SerializeError(
      `${seg}${String(el).padStart(2, '0')}: "${iso}" is not ISO 8601`,
      seg,
      el,
      iso,
    );
  return v;
}
