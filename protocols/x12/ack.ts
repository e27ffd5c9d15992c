/**
 * Acknowledgments.
 *
 * - `buildFunctionalAck`: 997 (004010) or 999 (005010) for one inbound functional group, from the
 *   envelope reader's group summary: AK1, per set AK2 / AK3-AK4 (IK3-IK4) / AK5 (IK5), AK9.
 * - `buildTA1`: interchange acknowledgment for an interchange (ISA/IEA errors), when requested.
 * - `parseFunctionalAck`: reads a 997 / 999 back, with syntax and structure checks.
 *
 * Error codes are the X12 ones: AK5/IK5 2 trailer missing, 3 control number mismatch, 4 segment
 * count mismatch, 5 segments in error, 6/7 invalid ST01/ST02; AK9 3 GE missing, 4 GE02 mismatch,
 * 5 GE01 count mismatch, 6 GS06 syntax; AK3/IK3 1 unrecognized segment id, 2 unexpected, 3
 * mandatory segment missing, 8 data element errors; AK4/IK4 1 mandatory missing, 2 conditional
 * missing, 3 too many elements, 4 too short, 5 too long, 6 invalid character, 7 invalid code,
 * 8 invalid date, 9 invalid time, 12 too many repetitions, 13 too many components (005010).
 */
import type { FunctionalGroupResult, InterchangeResult, TransactionSet } from './envelope';
import type { Segment } from './segment';
import type { OutElement, OutSegment, TransactionSetInput, X12Version } from './serialize';
import type { X12Error, X12ErrorCode } from './types';
import { SetErrors } from './values';

const SET_CODES: Partial<Record<X12ErrorCode, string>> = {
  SET_NOT_SUPPORTED: '1',
  SE_MISSING: '2',
  SE_CONTROL_MISMATCH: '3',
  SE_SEGMENT_COUNT: '4',
};

const SEGMENT_CODES: Partial<Record<X12ErrorCode, string>> = {
  INVALID_SEGMENT_ID: '1',
  UNEXPECTED_SEGMENT: '2',
  MISSING_SEGMENT: '3',
};

const ELEMENT_CODES: Partial<Record<X12ErrorCode, string>> = {
  MISSING_ELEMENT: '1',
  CONDITIONAL_ELEMENT_MISSING: '2',
  TOO_MANY_ELEMENTS: '3',
  ELEMENT_TOO_SHORT: '4',
  ELEMENT_TOO_LONG: '5',
  INVALID_CHARACTER: '6',
  INVALID_NUMBER: '6',
  INVALID_CODE: '7',
  INVALID_DATE: '8',
  INVALID_TIME: '9',
  TOO_MANY_REPETITIONS: '12',
  TOO_MANY_COMPONENTS: '13',
};

const GROUP_CODES: Partial<Record<X12ErrorCode, string>> = {
  GE_MISSING: '3',
  GE_CONTROL_MISMATCH: '4',
  GE_SET_COUNT: '5',
};

export interface FunctionalAckOptions {
  /** 004010 -> 997, 005010 -> 999. */
  version: X12Version;
  /** ST02 of the acknowledgment. */
  controlNumber: number | string;
  /** Also report errors flagged `application` (mapping to the model). Default false. */
  includeApplicationErrors?: boolean;
  /**
   * Reject the whole group (every AK5/IK5 R, AK9 R) whatever its sets hold, e.g. a group of an
   * interchange refused for its envelope; `groupCode` is the AK905 code given (716, e.g. "1"
   * functional group not supported).
   */
  rejectAll?: { groupCode?: string };
}

/** Letters and digits of an echoed value: what the acknowledgment may copy whatever its delimiters. */
function alnum(v: string, max: number): string {
  return v.replace(/[^A-Za-z0-9]/g, '').slice(0, max);
}

export interface SetAckStatus {
  id: string;
  controlNumber: string;
  accepted: boolean;
  errors: X12Error[];
}

function elementCode(code: X12ErrorCode, version: X12Version): string | undefined {
  const c = ELEMENT_CODES[code];
  // 004010 has no repetition separator and no codes 12 / 13: a separator inside a simple element
  // is an invalid character there.
  if (version === '004010' && (c === '12' || c === '13')) return '6';
  return c;
}

/**
 * 997 / 999 for one functional group. The sets' `errors` arrays are read when this is called, so
 * mapping errors pushed there are included (with includeApplicationErrors for `application` ones).
 */
export function buildFunctionalAck(
  group: FunctionalGroupResult,
  options: FunctionalAckOptions,
): TransactionSetInput {
  const v = options.version;
  const is999 = v === '005010';
  const seg3 = is999 ? 'IK3' : 'AK3';
  const seg4 = is999 ? 'IK4' : 'AK4';
  const seg5 = is999 ? 'IK5' : 'AK5';
  const out: OutSegment[] = [];
  // Values copied from the inbound group are reduced to letters and digits: they may hold the
  // delimiters of this acknowledgment (X12 has no escape), and only valid ones identify anything.
  const gs06 = group.header.controlNumber.trim();
  const ak1: OutElement[] = [
    alnum(group.header.functionalId, 2) || 'ZZ',
    /^\d{1,9}$/.test(gs06) ? String(Number(gs06)) : alnum(gs06, 9).replace(/\D/g, '') || '0',
  ];
  if (is999) ak1.push(alnum(group.header.version, 12) || undefined);
  out.push(['AK1', ...ak1]);
  let accepted = 0;
  for (const set of group.sets) {
    const errors = set.errors.filter((e) => options.includeApplicationErrors || !e.application);
    const control = alnum(set.controlNumber, 9);
    const setId = alnum(set.id, 3);
    if (!control || !setId) continue; // nothing to name the set by: AK9 still counts it
    const ak2: OutElement[] = [setId, control];
    if (is999 && set.implementationReference) ak2.push(alnum(set.implementationReference, 35) || undefined);
    out.push(['AK2', ...ak2]);
    const setCodes = new Set<string>();
    // Segment-level errors grouped per segment position.
    const bySegment = new Map<number, X12Error[]>();
    for (const e of errors) {
      const sc = SET_CODES[e.code];
      if (sc) setCodes.add(sc);
      else if (e.code === 'ST_INVALID') setCodes.add(e.elementPosition === 1 ? '6' : '7');
      else {
        const list = bySegment.get(e.segmentPosition) ?? [];
        list.push(e);
        bySegment.set(e.segmentPosition, list);
      }
    }
    for (const [position, list] of [...bySegment].sort((a, b) => a[0] - b[0])) {
      const first = list[0]!; // a list is created with its first error
      const segCode = list.map((e) => SEGMENT_CODES[e.code]).find((c) => c !== undefined) ?? '8';
      out.push([seg3, first.segmentId.slice(0, 3), String(position), first.loopId, segCode]);
      for (const e of list) {
        const ec = elementCode(e.code, v);
        if (ec === undefined || e.elementPosition === undefined) continue;
        const c030: (string | undefined)[] = [String(e.elementPosition), e.componentPosition?.toString()];
        if (is999 && e.repetitionPosition) c030[2] = String(e.repetitionPosition);
        const bad = e.badValue?.replace(/[^\x20-\x7e]/g, '').slice(0, 99);
        out.push([seg4, c030, undefined, ec, bad && isSafe(bad) ? bad : undefined]);
      }
      setCodes.add('5');
    }
    const ok = errors.length === 0 && !options.rejectAll;
    if (ok) accepted++;
    out.push([seg5, ok ? 'A' : 'R', ...[...setCodes].slice(0, 5)]);
  }
  const groupErrors = group.errors.filter((e) => options.includeApplicationErrors || !e.application);
  const groupCodes = new Set<string>();
  for (const e of groupErrors) {
    const c = GROUP_CODES[e.code] ?? (e.code === 'GS_INVALID' && e.elementPosition === 6 ? '6' : undefined);
    if (c) groupCodes.add(c);
  }
  if (options.rejectAll?.groupCode) groupCodes.add(options.rejectAll.groupCode);
  const received = group.sets.length;
  const declaredErr = groupErrors.find((e) => e.code === 'GE_SET_COUNT');
  const declared =
    declaredErr && /^\d+$/.test(declaredErr.badValue ?? '')
      ? String(Number(declaredErr.badValue))
      : String(received);
  const status =
    options.rejectAll || groupErrors.length > 0 || (received > 0 && accepted === 0)
      ? 'R'
      : accepted < received
        ? 'P'
        : 'A';
  out.push(['AK9', status, declared, String(received), String(accepted), ...[...groupCodes].slice(0, 5)]);
  const result: TransactionSetInput = {
    id: is999 ? '999' : '997',
    controlNumber: options.controlNumber,
    segments: out,
  };
  if (is999) result.implementationReference = '005010X231';
  return result;
}

/**
 * Bad values are echoed in AK404 / IK404 only when made of letters, digits, space, "." "-" "/":
 * the acknowledgment's delimiters are not known here and must never appear in the copy.
 */
function isSafe(v: string): boolean {
  return /^[A-Za-z0-9 .\-/]*$/.test(v);
}

// ---------------------------------------------------------------- TA1

function ta1Code(e: X12Error): string {
  switch (e.code) {
    case 'IEA_CONTROL_MISMATCH':
      return '001';
    case 'ISA_DUPLICATE_CONTROL':
      return '025';
    case 'IEA_GROUP_COUNT':
      return '021';
    case 'IEA_MISSING':
      return '023';
    case 'SEGMENT_OUTSIDE_ENVELOPE':
      return '024';
    case 'ISA_INVALID_DELIMITERS':
      return e.elementPosition === 16 ? '027' : '026';
    case 'ISA_INVALID_VALUE':
    case 'ISA_FIELD_WIDTH': {
      const byElement: Record<number, string> = {
        1: '010',
        2: '011',
        3: '012',
        4: '013',
        5: '005',
        6: '006',
        7: '007',
        8: '008',
        9: '014',
        10: '015',
        11: '016',
        12: '017',
        13: '018',
        14: '019',
        15: '020',
        16: '027',
      };
      return byElement[e.elementPosition ?? 0] ?? '022';
    }
    default:
      return '022';
  }
}

export interface TA1Options {
  /** Write a TA1 for an interchange with errors even when ISA14 did not ask for one. */
  whenErrors?: boolean;
}

/**
 * Interchange errors after which the content is still read and processed: an ISA of the wrong
 * length or field widths (its fields are read by their separators), and IEA counts or control
 * numbers that disagree (the header's values are used, TA1 note 001). Every other interchange
 * error rejects the whole interchange: nothing in it is processed.
 */
const RECOVERABLE: ReadonlySet<X12ErrorCode> = new Set([
  'ISA_LENGTH',
  'ISA_FIELD_WIDTH',
  'IEA_CONTROL_MISMATCH',
  'IEA_GROUP_COUNT',
]);

/** Whether an interchange-level error rejects the interchange (TA104 R) rather than noting it (E). */
export function rejectsInterchange(e: X12Error): boolean {
  return !RECOVERABLE.has(e.code);
}

/**
 * TA1 for an interchange: TA101 ISA13, TA102 ISA09, TA103 ISA10, TA104 A (accepted), E (accepted
 * with errors: only errors the content survives, see rejectsInterchange) or R (rejected: nothing in
 * the interchange is processed), TA105 the note code of the first (rejecting) error, 000 when none.
 * Undefined when ISA14 did not request one (and `whenErrors` does not apply).
 */
export function buildTA1(interchange: InterchangeResult, options: TA1Options = {}): OutSegment | undefined {
  const h = interchange.header;
  const errors = interchange.errors;
  if (!h.ackRequested && !(options.whenErrors && errors.length > 0)) return undefined;
  const fatal = errors.find(rejectsInterchange);
  const first = fatal ?? errors[0];
  const control = alnum(h.controlNumber, 9).replace(/\D/g, '');
  return [
    'TA1',
    (control || '0').padStart(9, '0').slice(-9),
    /^\d{6}$/.test(h.date) ? h.date : '000000',
    /^\d{4}$/.test(h.time) ? h.time : '0000',
    fatal ? 'R' : first ? 'E' : 'A',
    first ? ta1Code(first) : '000',
  ];
}

// ---------------------------------------------------------------- reading 997 / 999

export interface ElementErrorNote {
  position: string;
  code: string;
  badValue?: string;
}

export interface SegmentErrorNote {
  segmentId: string;
  position: number;
  loopId?: string;
  code?: string;
  elements: ElementErrorNote[];
}

export interface SetAck {
  id: string;
  controlNumber: string;
  /** AK501 / IK501 */
  status: string;
  codes: string[];
  segments: SegmentErrorNote[];
}

export interface FunctionalAck {
  kind: '997' | '999';
  functionalId: string;
  groupControlNumber: string;
  sets: SetAck[];
  /** AK901 */
  status: string;
  included?: number;
  received?: number;
  accepted?: number;
  codes: string[];
}

export interface ParseFunctionalAckResult {
  ack: FunctionalAck | undefined;
  errors: X12Error[];
}

/** 997 / 999 -> FunctionalAck, with element syntax and segment order checks. Never throws. */
export function parseFunctionalAck(set: TransactionSet): ParseFunctionalAckResult {
  const errs = new SetErrors(set);
  const is999 = set.id === '999';
  const segs = set.segments;
  const end = segs.length > 1 && segs.at(-1)?.id === 'SE' ? segs.length - 1 : segs.length;
  const s3 = is999 ? 'IK3' : 'AK3';
  const s4 = is999 ? 'IK4' : 'AK4';
  const s5 = is999 ? 'IK5' : 'AK5';
  let ack: FunctionalAck | undefined;
  let cur: SetAck | undefined;
  let segNote: SegmentErrorNote | undefined;
  let sawAk9 = false;
  const unexpected = (seg: Segment, pos: number, why: string): void => {
    errs.add('UNEXPECTED_SEGMENT', `${seg.id} ${why}`, seg.id, pos, seg.filePosition);
  };
  for (let i = 1; i < end; i++) {
    const seg = segs[i]!; // 1 <= i < end <= segs.length
    const pos = i + 1;
    errs.validate(
      seg,
      pos,
      seg.id === 'AK2' || seg.id === s5
        ? 'AK2'
        : seg.id === s3 || seg.id === s4 || seg.id === 'CTX'
          ? 'AK2'
          : undefined,
    );
    if (sawAk9) {
      unexpected(seg, pos, 'after AK9');
      continue;
    }
    if (!ack && seg.id !== 'AK1') {
      unexpected(seg, pos, 'before AK1');
      continue;
    }
    switch (seg.id) {
      case 'AK1':
        if (ack) unexpected(seg, pos, 'repeated');
        else
          ack = {
            kind: is999 ? '999' : '997',
            functionalId: seg.text(1),
            groupControlNumber: seg.text(2),
            sets: [],
            status: '',
            codes: [],
          };
        break;
      case 'AK2':
        if (cur && !cur.status)
          errs.add('MISSING_SEGMENT', `${s5} missing before AK2`, s5, pos, seg.filePosition, undefined, {
            loopId: 'AK2',
          });
        cur = { id: seg.text(1), controlNumber: seg.text(2), status: '', codes: [], segments: [] };
        ack?.sets.push(cur);
        segNote = undefined;
        break;
      case s3:
        if (!cur || cur.status) {
          unexpected(seg, pos, 'outside an AK2 loop');
          break;
        }
        segNote = { segmentId: seg.text(1), position: Number(seg.text(2)) || 0, elements: [] };
        if (seg.text(3)) segNote.loopId = seg.text(3);
        if (seg.text(4)) segNote.code = seg.text(4);
        cur.segments.push(segNote);
        break;
      case s4:
        if (!segNote || !cur || cur.status) {
          unexpected(seg, pos, `without ${s3}`);
          break;
        }
        segNote.elements.push({
          position: seg.text(1),
          code: seg.text(3),
          ...(seg.text(4) ? { badValue: seg.text(4) } : {}),
        });
        break;
      case 'CTX':
        if (!is999) unexpected(seg, pos, 'is not part of a 997');
        break;
      case s5:
        if (!cur || cur.status) {
          unexpected(seg, pos, 'without AK2');
          break;
        }
        cur.status = seg.text(1);
        for (let k = 2; k <= 6; k++) if (seg.text(k)) cur.codes.push(seg.text(k));
        break;
      case 'AK9': {
        if (cur && !cur.status)
          errs.add('MISSING_SEGMENT', `${s5} missing before AK9`, s5, pos, seg.filePosition, undefined, {
            loopId: 'AK2',
          });
        sawAk9 = true;
        if (!ack) break;
        ack.status = seg.text(1);
        const n = (k: number): number | undefined =>
          /^\d+$/.test(seg.text(k)) ? Number(seg.text(k)) : undefined;
        const [a, b, c] = [n(2), n(3), n(4)];
        if (a !== undefined) ack.included = a;
        if (b !== undefined) ack.received = b;
        if (c !== undefined) ack.accepted = c;
        for (let k = 5; k <= 9; k++) if (seg.text(k)) ack.codes.push(seg.text(k));
        break;
      }
      default:
        unexpected(seg, pos, `is not part of a ${set.id}`);
    }
  }
  if (!ack) errs.missing('AK1', `the ${set.id} has no AK1 segment`);
  else if (!sawAk9) errs.missing('AK9', `the ${set.id} has no AK9 segment`);
  return { ack, errors: errs.errors };
}
