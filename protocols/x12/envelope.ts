/**
 * Envelope reader: groups segments into interchange (ISA/IEA) -> functional group (GS/GE) ->
 * transaction set (ST/SE) and emits one transaction set at a time with its envelope context.
 *
 * Envelope checks (counts, control numbers, missing trailers, segments outside an envelope, ISA
 * layout) are reported as X12Error values: an error in one set never stops the others from being
 * read, and no input makes the reader throw. Empty or non-X12 input is an error, never a silent
 * "zero transaction sets".
 */
import type { Segment } from './segment';
import { X12Tokenizer, type InterchangeStart } from './tokenizer';
import type { Delimiters, X12Error, X12ErrorCode } from './types';

export interface InterchangeHeader {
  authorizationQualifier: string;
  authorization: string;
  securityQualifier: string;
  security: string;
  /** ISA05 */
  senderQualifier: string;
  /** ISA06, trailing padding removed */
  senderId: string;
  /** ISA07 */
  receiverQualifier: string;
  /** ISA08, trailing padding removed */
  receiverId: string;
  /** ISA09 YYMMDD */
  date: string;
  /** ISA10 HHMM */
  time: string;
  /** ISA12, e.g. "00401" */
  version: string;
  /** ISA13 */
  controlNumber: string;
  /** ISA14 = "1" */
  ackRequested: boolean;
  /** ISA15: P production, T test, I information */
  usage: string;
  delimiters: Delimiters;
  /** Problems of the ISA segment itself (also included in the interchange's result errors). */
  errors: X12Error[];
  filePosition: number;
  /** The ISA as sent, without its terminator (to write the set's own envelope, see setEnvelope). */
  raw: string;
}

export interface GroupHeader {
  /** GS01, e.g. "PO" */
  functionalId: string;
  /** GS02 */
  applicationSender: string;
  /** GS03 */
  applicationReceiver: string;
  /** GS04 CCYYMMDD */
  date: string;
  /** GS05 */
  time: string;
  /** GS06 */
  controlNumber: string;
  /** GS07, "X" */
  agency: string;
  /** GS08, e.g. "004010" or "005010X231" */
  version: string;
  filePosition: number;
  /** The GS as sent, without its terminator. */
  raw: string;
}

export interface TransactionSet {
  /** ST01, e.g. "850" */
  id: string;
  /** ST02 */
  controlNumber: string;
  /** ST03 (5010 implementation convention reference), when sent */
  implementationReference?: string;
  interchange: InterchangeHeader;
  group: GroupHeader;
  /** ST .. SE inclusive: `segments[i]` is at position i + 1 in the set. */
  segments: Segment[];
  /**
   * Envelope and syntax errors of this set. Push your own (e.g. mapping) errors here before the
   * group ends and they appear in the group summary, hence in the 997/999.
   */
  errors: X12Error[];
  delimiters: Delimiters;
}

export interface SetSummary {
  id: string;
  controlNumber: string;
  implementationReference?: string;
  /** The same array as TransactionSet.errors. */
  errors: X12Error[];
}

export interface FunctionalGroupResult {
  header: GroupHeader;
  interchange: InterchangeHeader;
  sets: SetSummary[];
  /** Group-level errors (GE count / control number, missing GE, segments between sets). */
  errors: X12Error[];
}

export interface InterchangeResult {
  header: InterchangeHeader;
  groupCount: number;
  /** ISA errors, IEA checks, segments outside a group. */
  errors: X12Error[];
  /** TA1 segments found between ISA and the first GS. */
  interchangeAcks: Segment[];
}

export type EnvelopeEvent =
  | { type: 'transactionSet'; set: TransactionSet }
  | { type: 'groupEnd'; group: FunctionalGroupResult }
  | { type: 'interchangeEnd'; interchange: InterchangeResult }
  /** An error outside any interchange (empty input, not X12, content after IEA, broken ISA). */
  | { type: 'error'; error: X12Error };

/**
 * Most errors kept per list (a set's, a group's, an interchange's, and those outside any): one per
 * segment of 5 MB of junk segments was 500,000 error objects (and a stack overflow where they were
 * spread into one array). The 997/999 reports the first ones; the set, group or interchange is
 * rejected all the same.
 */
export const MAX_ERRORS_PER_LIST = 100;

function pushError(list: X12Error[], e: X12Error): void {
  if (list.length < MAX_ERRORS_PER_LIST) list.push(e);
}

/** Appends without spreading (an argument list has a size limit) and within MAX_ERRORS_PER_LIST. */
export function appendErrors(list: X12Error[], more: readonly X12Error[]): void {
  for (let i = 0; i < more.length && list.length < MAX_ERRORS_PER_LIST; i++) list.push(more[i] as X12Error);
}

/** Whether `id` is a segment id: an upper-case letter and one or two upper-case letters / digits. */
function isSegmentId(id: string): boolean {
  const n = id.length;
  if (n < 2 || n > 3) return false;
  const c0 = id.charCodeAt(0);
  if (c0 < 65 || c0 > 90) return false;
  for (let i = 1; i < n; i++) {
    const c = id.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57))) return false;
  }
  return true;
}

function sameControl(a: string, b: string): boolean {
  const x = a.trim();
  const y = b.trim();
  if (x === y) return true;
  return /^\d+$/.test(x) && /^\d+$/.test(y) && BigInt(x) === BigInt(y);
}

function isCount(v: string): boolean {
  return /^\d{1,10}$/.test(v);
}

interface OpenInterchange {
  header: InterchangeHeader;
  groupCount: number;
  errors: X12Error[];
  acks: Segment[];
}

interface OpenGroup {
  header: GroupHeader;
  sets: SetSummary[];
  errors: X12Error[];
}

/**
 * Push-style reader. Feed chunks with `push`, call `end` once; events arrive through the callback
 * synchronously, in input order.
 */
export class EnvelopeReader {
  private readonly tokenizer: X12Tokenizer;
  private ic: OpenInterchange | undefined;
  private group: OpenGroup | undefined;
  private set: TransactionSet | undefined;
  /** Skip segments until the next GS / ISA / IEA (after an ST outside a group). */
  private skipping = false;
  private setCount = 0;
  private reported = 0;
  private acks = 0;

  constructor(private readonly emit: (event: EnvelopeEvent) => void) {
    this.tokenizer = new X12Tokenizer({
      segment: (s, isa) => this.onSegment(s, isa),
      error: (e) => this.onInputError(e),
    });
  }

  push(chunk: string | Buffer | Uint8Array): void {
    this.tokenizer.push(chunk);
  }

  end(): void {
    this.tokenizer.end();
    const last = this.tokenizer.segmentCount + 1;
    this.closeInterchange(last);
    if (this.setCount === 0 && this.reported === 0 && this.acks === 0) {
      this.emitError({
        code: 'NOT_X12',
        message: 'the input holds no transaction set',
        segmentPosition: last,
        fileSegmentPosition: last,
        segmentId: '',
      });
    }
  }

  private emitError(error: X12Error): void {
    // Counted always (the input is not empty), reported up to the limit.
    if (this.reported++ >= MAX_ERRORS_PER_LIST) return;
    this.emit({ type: 'error', error });
  }

  private onInputError(e: X12Error): void {
    // A broken ISA ends whatever interchange was open (its IEA is missing).
    if (e.segmentId === 'ISA') this.closeInterchange(e.fileSegmentPosition);
    this.emitError(e);
  }

  private envError(
    code: X12ErrorCode,
    message: string,
    seg: { filePosition: number; id: string },
    elementPosition?: number,
    badValue?: string,
  ): X12Error {
    const e: X12Error = {
      code,
      message,
      segmentPosition: seg.filePosition,
      fileSegmentPosition: seg.filePosition,
      segmentId: seg.id,
    };
    if (elementPosition !== undefined) e.elementPosition = elementPosition;
    if (badValue !== undefined) e.badValue = badValue;
    if (this.ic) e.interchangeControl = this.ic.header.controlNumber;
    if (this.group) e.groupControl = this.group.header.controlNumber;
    return e;
  }

  private setError(
    set: TransactionSet,
    code: X12ErrorCode,
    message: string,
    segmentPosition: number,
    fileSegmentPosition: number,
    segmentId: string,
    elementPosition?: number,
    badValue?: string,
  ): void {
    const e: X12Error = {
      code,
      message,
      segmentPosition,
      fileSegmentPosition,
      segmentId,
      interchangeControl: set.interchange.controlNumber,
      groupControl: set.group.controlNumber,
      transactionControl: set.controlNumber,
      transactionSetId: set.id,
    };
    if (elementPosition !== undefined) e.elementPosition = elementPosition;
    if (badValue !== undefined) e.badValue = badValue;
    pushError(set.errors, e);
  }

  private onSegment(seg: Segment, isa?: InterchangeStart): void {
    const id = seg.id;
    if (isa) return this.openInterchange(seg, isa);
    const ic = this.ic;
    if (!ic) {
      // Cannot happen through the tokenizer (it only emits segments after an ISA), kept for safety.
      this.emitError(this.envError('SEGMENT_OUTSIDE_ENVELOPE', `${id} outside an interchange`, seg));
      return;
    }
    const set = this.set;
    if (set && id !== 'ST' && id !== 'GE' && id !== 'IEA' && id !== 'GS') {
      set.segments.push(seg);
      if (id === 'SE') this.closeSet(seg);
      else if (!isSegmentId(id)) {
        this.setError(
          set,
          'INVALID_SEGMENT_ID',
          `"${id.slice(0, 20)}" is not a segment id`,
          set.segments.length,
          seg.filePosition,
          id.slice(0, 3),
        );
      }
      return;
    }
    switch (id) {
      case 'GS':
        this.closeGroup(seg.filePosition);
        this.skipping = false;
        this.openGroup(seg);
        return;
      case 'ST':
        this.closeSet();
        if (!this.group) {
          pushError(
            ic.errors,
            this.envError('SEGMENT_OUTSIDE_ENVELOPE', 'ST outside a functional group (GS missing)', seg),
          );
          this.skipping = true;
          return;
        }
        this.openSet(seg);
        return;
      case 'GE':
        this.closeSet();
        if (!this.group) {
          pushError(ic.errors, this.envError('SEGMENT_OUTSIDE_ENVELOPE', 'GE without GS', seg));
          return;
        }
        this.skipping = false;
        this.closeGroup(seg.filePosition, seg);
        return;
      case 'IEA':
        this.skipping = false;
        this.closeInterchange(seg.filePosition, seg);
        return;
      case 'TA1':
        if (!this.group) {
          ic.acks.push(seg);
          this.acks++;
          return;
        }
        break;
      default:
        break;
    }
    if (this.skipping) return;
    const where = this.group ? 'between transaction sets' : 'outside a functional group';
    const err = this.envError('SEGMENT_OUTSIDE_ENVELOPE', `${id.slice(0, 20)} ${where}`, seg);
    pushError(this.group ? this.group.errors : ic.errors, err);
  }

  private openInterchange(seg: Segment, isa: InterchangeStart): void {
    this.closeInterchange(seg.filePosition);
    const f = (n: number): string => seg.text(n);
    const header: InterchangeHeader = {
      authorizationQualifier: f(1),
      authorization: f(2),
      securityQualifier: f(3),
      security: f(4),
      senderQualifier: f(5).trim(),
      senderId: f(6).trimEnd(),
      receiverQualifier: f(7).trim(),
      receiverId: f(8).trimEnd(),
      date: f(9),
      time: f(10),
      version: f(12),
      controlNumber: f(13).trim(),
      ackRequested: f(14) === '1',
      usage: f(15),
      delimiters: isa.delimiters,
      errors: isa.errors,
      filePosition: seg.filePosition,
      raw: seg.raw,
    };
    for (const e of isa.errors) e.interchangeControl = header.controlNumber;
    this.ic = { header, groupCount: 0, errors: [...isa.errors], acks: [] };
    this.skipping = false;
  }

  private openGroup(seg: Segment): void {
    const ic = this.ic as OpenInterchange;
    const header: GroupHeader = {
      functionalId: seg.text(1),
      applicationSender: seg.text(2),
      applicationReceiver: seg.text(3),
      date: seg.text(4),
      time: seg.text(5),
      controlNumber: seg.text(6),
      agency: seg.text(7),
      version: seg.text(8),
      filePosition: seg.filePosition,
      raw: seg.raw,
    };
    ic.groupCount++;
    this.group = { header, sets: [], errors: [] };
    const check = (ok: boolean, n: number, what: string): void => {
      if (!ok)
        this.group?.errors.push(
          this.envError('GS_INVALID', `GS${String(n).padStart(2, '0')} ${what}`, seg, n, seg.text(n)),
        );
    };
    check(/^[A-Z0-9]{2}$/.test(header.functionalId), 1, 'must be a 2-character functional identifier code');
    // GS04 is CCYYMMDD from version 004010 on, YYMMDD before.
    const longDate = !/^00[23]/.test(header.version);
    check(
      longDate ? /^\d{8}$/.test(header.date) : /^\d{6}$/.test(header.date),
      4,
      `must be a date ${longDate ? 'CCYYMMDD' : 'YYMMDD'}`,
    );
    check(/^\d{4,8}$/.test(header.time), 5, 'must be a time HHMM[SS[DD]]');
    check(
      /^\d{1,9}$/.test(header.controlNumber),
      6,
      'must be a numeric group control number of 1 to 9 digits',
    );
    check(header.version.length > 0, 8, 'version/release code is missing');
    this.envelopeComponent(seg, 8);
  }

  /**
   * GS and ST elements are never composite: the component separator (ISA16) inside one of them
   * means ISA16 is not what the sender uses (a common slip: "~" in ISA16 with line breaks as
   * terminators, so every segment ends in a "component separator"). The interchange is refused
   * naming ISA16 (TA1 note 027) rather than read with every element at the end of a segment
   * turned into a composite.
   */
  private envelopeComponent(seg: Segment, elements: number): void {
    const ic = this.ic as OpenInterchange;
    const c = ic.header.delimiters.component;
    if (seg.raw.indexOf(c) === -1 || ic.errors.some((e) => e.code === 'ISA_INVALID_DELIMITERS')) return;
    for (let n = 1; n <= elements; n++) {
      const v = seg.text(n);
      if (v.indexOf(c) === -1) continue;
      const e = this.envError(
        'ISA_INVALID_DELIMITERS',
        `ISA16 component separator ${JSON.stringify(c)} appears in ${seg.id}${String(n).padStart(2, '0')} ${JSON.stringify(v.slice(0, 20))}, an element that is never composite: ISA16 does not hold the component separator the interchange uses`,
        { filePosition: ic.header.filePosition, id: 'ISA' },
        16,
        c,
      );
      ic.errors.push(e);
      return;
    }
  }

  private openSet(seg: Segment): void {
    const ic = this.ic as OpenInterchange;
    const group = this.group as OpenGroup;
    const set: TransactionSet = {
      id: seg.text(1),
      controlNumber: seg.text(2),
      interchange: ic.header,
      group: group.header,
      segments: [seg],
      errors: [],
      delimiters: ic.header.delimiters,
    };
    const ref = seg.text(3);
    if (ref) set.implementationReference = ref;
    const summary: SetSummary = { id: set.id, controlNumber: set.controlNumber, errors: set.errors };
    if (ref) summary.implementationReference = ref;
    group.sets.push(summary);
    this.set = set;
    this.setCount++;
    this.envelopeComponent(seg, 3);
    if (!/^\d{3}$/.test(set.id)) {
      this.setError(
        set,
        'ST_INVALID',
        'ST01 must be a 3-digit transaction set identifier',
        1,
        seg.filePosition,
        'ST',
        1,
        set.id,
      );
    }
    if (!/^[A-Za-z0-9]{4,9}$/.test(set.controlNumber)) {
      this.setError(
        set,
        'ST_INVALID',
        'ST02 must be a transaction set control number of 4 to 9 characters',
        1,
        seg.filePosition,
        'ST',
        2,
        set.controlNumber,
      );
    }
  }

  /** Ends the open set: checks the SE in `se`, or reports it missing. */
  private closeSet(se?: Segment): void {
    const set = this.set;
    if (!set) return;
    this.set = undefined;
    if (se) {
      const position = set.segments.length;
      const count = se.text(1);
      if (!isCount(count)) {
        this.setError(
          set,
          'SE_SEGMENT_COUNT',
          `SE01 "${count}" is not a segment count`,
          position,
          se.filePosition,
          'SE',
          1,
          count,
        );
      } else if (Number(count) !== position) {
        this.setError(
          set,
          'SE_SEGMENT_COUNT',
          `SE01 says ${Number(count)} segments, the set has ${position} (ST to SE)`,
          position,
          se.filePosition,
          'SE',
          1,
          count,
        );
      }
      const control = se.text(2);
      if (control !== set.controlNumber) {
        this.setError(
          set,
          'SE_CONTROL_MISMATCH',
          `SE02 "${control}" does not match ST02 "${set.controlNumber}"`,
          position,
          se.filePosition,
          'SE',
          2,
          control,
        );
      }
    } else {
      const last = set.segments[set.segments.length - 1]!; // a set starts with its ST
      this.setError(
        set,
        'SE_MISSING',
        `transaction set ${set.id} ${set.controlNumber} has no SE trailer`,
        set.segments.length + 1,
        last.filePosition + 1,
        'SE',
      );
    }
    this.emit({ type: 'transactionSet', set });
  }

  private closeGroup(filePosition: number, ge?: Segment): void {
    this.closeSet();
    const group = this.group;
    if (!group) return;
    if (ge) {
      const count = ge.text(1);
      if (!isCount(count) || Number(count) !== group.sets.length) {
        group.errors.push(
          this.envError(
            'GE_SET_COUNT',
            `GE01 "${count}" does not match the ${group.sets.length} transaction set(s) in the group`,
            ge,
            1,
            count,
          ),
        );
      }
      const control = ge.text(2);
      if (!sameControl(control, group.header.controlNumber)) {
        group.errors.push(
          this.envError(
            'GE_CONTROL_MISMATCH',
            `GE02 "${control}" does not match GS06 "${group.header.controlNumber}"`,
            ge,
            2,
            control,
          ),
        );
      }
    } else {
      group.errors.push(
        this.envError('GE_MISSING', `functional group ${group.header.controlNumber} has no GE trailer`, {
          filePosition,
          id: 'GE',
        }),
      );
    }
    this.group = undefined;
    this.emit({
      type: 'groupEnd',
      group: {
        header: group.header,
        interchange: (this.ic as OpenInterchange).header,
        sets: group.sets,
        errors: group.errors,
      },
    });
  }

  private closeInterchange(filePosition: number, iea?: Segment): void {
    this.closeGroup(filePosition);
    const ic = this.ic;
    if (!ic) {
      if (iea) this.emitError(this.envError('SEGMENT_OUTSIDE_ENVELOPE', 'IEA without ISA', iea));
      return;
    }
    if (iea) {
      const count = iea.text(1);
      if (!isCount(count) || Number(count) !== ic.groupCount) {
        ic.errors.push(
          this.envError(
            'IEA_GROUP_COUNT',
            `IEA01 "${count}" does not match the ${ic.groupCount} functional group(s) in the interchange`,
            iea,
            1,
            count,
          ),
        );
      }
      const control = iea.text(2);
      if (!sameControl(control, ic.header.controlNumber)) {
        ic.errors.push(
          this.envError(
            'IEA_CONTROL_MISMATCH',
            `IEA02 "${control}" does not match ISA13 "${ic.header.controlNumber}"`,
            iea,
            2,
            control,
          ),
        );
      }
    } else {
      ic.errors.push(
        this.envError('IEA_MISSING', `interchange ${ic.header.controlNumber} has no IEA trailer`, {
          filePosition,
          id: 'IEA',
        }),
      );
    }
    this.ic = undefined;
    this.skipping = false;
    if (ic.errors.length > 0) this.reported++;
    this.emit({
      type: 'interchangeEnd',
      interchange: {
        header: ic.header,
        groupCount: ic.groupCount,
        errors: ic.errors,
        interchangeAcks: ic.acks,
      },
    });
  }
}

export type X12Source = AsyncIterable<string | Buffer | Uint8Array> | Iterable<string | Buffer | Uint8Array>;

/**
 * Streams envelope events from a Readable / async iterable of chunks: one transaction set at a
 * time, then group and interchange summaries as their trailers are read.
 */
export async function* readX12(source: X12Source): AsyncGenerator<EnvelopeEvent> {
  let queue: EnvelopeEvent[] = [];
  const reader = new EnvelopeReader((e) => queue.push(e));
  for await (const chunk of source) {
    reader.push(chunk);
    if (queue.length > 0) {
      const out = queue;
      queue = [];
      // A plain loop: `yield*` over an array in an async generator wraps every element in an
      // async-from-sync iterator step.
      for (let i = 0; i < out.length; i++) yield out[i]!;
    }
  }
  reader.end();
  for (let i = 0; i < queue.length; i++) yield queue[i]!;
}

/** Streams only the transaction sets; everything else is handed to `onOther` when given. */
export async function* readTransactionSets(
  source: X12Source,
  onOther?: (event: Exclude<EnvelopeEvent, { type: 'transactionSet' }>) => void,
): AsyncGenerator<TransactionSet> {
  // The reader is driven here rather than through readX12: one async generator step per set
  // instead of two. Events are handled in input order, as the consumer asks for the next set.
  let queue: EnvelopeEvent[] = [];
  const reader = new EnvelopeReader((e) => queue.push(e));
  for await (const chunk of source) {
    reader.push(chunk);
    if (queue.length > 0) {
      const out = queue;
      queue = [];
      for (let i = 0; i < out.length; i++) {
        const event = out[i]!; // i < out.length (a plain loop, as in readX12)
        if (event.type === 'transactionSet') yield event.set;
        else onOther?.(event);
      }
    }
  }
  reader.end();
  for (let i = 0; i < queue.length; i++) {
    const event = queue[i]!;
    if (event.type === 'transactionSet') yield event.set;
    else onOther?.(event);
  }
}

export interface X12Document {
  transactionSets: TransactionSet[];
  groups: FunctionalGroupResult[];
  interchanges: InterchangeResult[];
  /** Every error found, at every level, in input order of discovery. */
  errors: X12Error[];
}

function collect(feed: (reader: EnvelopeReader) => void): X12Document {
  const doc: X12Document = { transactionSets: [], groups: [], interchanges: [], errors: [] };
  const reader = new EnvelopeReader((e) => {
    switch (e.type) {
      case 'transactionSet':
        doc.transactionSets.push(e.set);
        appendErrors(doc.errors, e.set.errors);
        break;
      case 'groupEnd':
        doc.groups.push(e.group);
        appendErrors(doc.errors, e.group.errors);
        break;
      case 'interchangeEnd':
        doc.interchanges.push(e.interchange);
        appendErrors(doc.errors, e.interchange.errors);
        break;
      case 'error':
        pushError(doc.errors, e.error);
        break;
    }
  });
  feed(reader);
  reader.end();
  return doc;
}

/** Parses a whole input synchronously. */
export function parseX12(input: string | Buffer | Uint8Array): X12Document {
  return collect((r) => r.push(input));
}

/** Parses chunks synchronously (for tests of chunk boundaries). */
export function parseX12Chunks(chunks: Iterable<string | Buffer | Uint8Array>): X12Document {
  return collect((r) => {
    for (const c of chunks) r.push(c);
  });
}
