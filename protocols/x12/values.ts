/**
 * Conversions between X12 element values and canonical model values, plus the per-set error
 * collector the transaction mappers share.
 */
import { D, dec, type DecimalString } from '../../src/model';
import type { TransactionSet } from './envelope';
import { validateSegmentInto, type ValidationContext } from './schema';
import type { Segment } from './segment';
import type { X12Error, X12ErrorCode } from './types';

const R_RE = /^(-?)(\d*)(?:\.(\d*))?$/;

/** Already canonical: [-]digits[.digits], no leading zero (except "0" / "0.x"), no "-0". */
function isPlainDecimal(v: string): boolean {
  const n = v.length;
  let i = v.charCodeAt(0) === 45 ? 1 : 0;
  if (i >= n) return false;
  const first = v.charCodeAt(i);
  if (first < 48 || first > 57) return false;
  if (first === 48 && i + 1 < n && v.charCodeAt(i + 1) !== 46) return false;
  let dot = -1;
  let nonZero = first !== 48;
  for (i++; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c === 46 && dot === -1) dot = i;
    else if (c < 48 || c > 57) return false;
    else if (c !== 48) nonZero = true;
  }
  if (dot === n - 1) return false;
  return v.charCodeAt(0) !== 45 || nonZero;
}

/**
 * An X12 "R" (decimal) value as a model decimal string: leading zeros dropped, the digits after
 * the point kept as sent ("013.790" -> "13.790", ".5" -> "0.5"). Undefined if it is not a number.
 */
export function decimalFromR(value: string): DecimalString | undefined {
  if (isPlainDecimal(value)) return value;
  const m = R_RE.exec(value.trim());
  if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) return undefined;
  const int = (m[2] ?? '').replace(/^0+(?=\d)/, '') || '0';
  const frac = m[3] ? `.${m[3]}` : '';
  const out = `${int}${frac}`;
  return m[1] === '-' && /[1-9]/.test(out) ? `-${out}` : out;
}

/** An "N2" value (implied 2 decimals) as a decimal string with 2 decimals: "255438" -> "2554.38". */
export function decimalFromImplied(value: string, places = 2): DecimalString | undefined {
  if (!/^-?\d+$/.test(value.trim())) return undefined;
  return dec(value.trim()).dividedBy(new D(10).pow(places)).toFixed(places);
}

/** A decimal string as an "N2" value, rounded half-up to the implied decimals: "2554.375" -> "255438". */
export function impliedFromDecimal(value: DecimalString, places = 2): string {
  return dec(value).times(new D(10).pow(places)).toDecimalPlaces(0, D.ROUND_HALF_UP).toFixed(0);
}

function allDigits(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** The number written by the two digits at v[at], v[at + 1]. */
function twoDigits(v: string, at: number): number {
  return (v.charCodeAt(at) - 48) * 10 + v.charCodeAt(at + 1) - 48;
}

/** CCYYMMDD (or YYMMDD: 00-49 -> 20YY, 50-99 -> 19YY) -> YYYY-MM-DD. Undefined when not a date. */
export function isoDate(x12: string): string | undefined {
  const v = x12.trim();
  const n = v.length;
  if ((n !== 8 && n !== 6) || !allDigits(v)) return undefined;
  const m = twoDigits(v, n - 4);
  const d = twoDigits(v, n - 2);
  const y = n === 8 ? v.slice(0, 4) : `${twoDigits(v, 0) < 50 ? '20' : '19'}${v.slice(0, 2)}`;
  if (m < 1 || m > 12 || d < 1) return undefined;
  if (d > 28 && d > new Date(Date.UTC(Number(y), m, 0)).getUTCDate()) return undefined;
  return `${y}-${v.slice(n - 4, n - 2)}-${v.slice(n - 2)}`;
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export interface X12DateTime {
  /** CCYYMMDD */
  date: string;
  /** HHMM or HHMMSS, when the ISO value has a time */
  time?: string;
  /** DTM04 time code: "UT" when the ISO value is in UTC (offsets are converted to UTC). */
  timeCode?: string;
}

/**
 * ISO 8601 date or date-time -> X12 parts. Date-times with an offset are converted to UTC; the
 * seconds are kept when they are not zero or were written. Undefined when not ISO 8601.
 */
export function x12DateTime(iso: string): X12DateTime | undefined {
  const m = ISO_RE.exec(iso.trim());
  if (!m) return undefined;
  const [, y, mo, d, hh, mi, ss, zone] = m;
  if (hh === undefined) return { date: `${y}${mo}${d}` };
  if (zone === undefined) return { date: `${y}${mo}${d}`, time: `${hh}${mi}${ss ?? ''}` };
  const ms = Date.parse(
    `${y}-${mo}-${d}T${hh}:${mi}:${ss ?? '00'}${zone === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')}`,
  );
  if (Number.isNaN(ms)) return undefined;
  const u = new Date(ms).toISOString();
  const time = `${u.slice(11, 13)}${u.slice(14, 16)}${ss !== undefined ? u.slice(17, 19) : ''}`;
  return { date: `${u.slice(0, 4)}${u.slice(5, 7)}${u.slice(8, 10)}`, time, timeCode: 'UT' };
}

/**
 * The calendar date an ISO 8601 date or date-time names where it was written, as CCYYMMDD: the
 * buyer's PO date "2000-10-12T18:41:29-08:00" is 20001012 (not its UTC date, 20001013). For dates
 * that are the other party's (BAK04, BIG03, PRF04). Undefined when not ISO 8601.
 */
export function x12CalendarDate(iso: string): string | undefined {
  const m = ISO_RE.exec(iso.trim());
  if (!m || x12DateTime(iso) === undefined) return undefined;
  return `${m[1]}${m[2]}${m[3]}`;
}

/** X12 date (+ optional time and DTM04 code) -> ISO 8601. "UT"/"GM" give a "Z" suffix. */
export function isoDateTime(date: string, time?: string, timeCode?: string): string | undefined {
  const d = isoDate(date);
  if (!d) return undefined;
  const t = (time ?? '').trim();
  if (t === '') return d;
  if (!/^\d{4}(\d{2})?(\d{1,2})?$/.test(t)) return undefined;
  const hhmm = `${t.slice(0, 2)}:${t.slice(2, 4)}`;
  const ss = t.length >= 6 ? `:${t.slice(4, 6)}` : '';
  const z = timeCode === 'UT' || timeCode === 'GM' ? 'Z' : '';
  return `${d}T${hhmm}${ss}${z}`;
}

/** Collects the errors of one transaction set while a mapper walks its segments. */
export class SetErrors {
  readonly errors: X12Error[] = [];

  private readonly ctx: ValidationContext;

  constructor(readonly set: TransactionSet) {
    this.ctx = { set, position: 0, loopId: undefined, legacyDates: /^00[23]/.test(set.group.version) };
  }

  /** Runs the element syntax checks of `seg` (at `position` in the set). */
  validate(seg: Segment, position: number, loopId?: string): void {
    this.ctx.position = position;
    this.ctx.loopId = loopId; // assigned, never deleted: keeps the object's shape stable
    validateSegmentInto(this.errors, seg, this.ctx);
  }

  add(
    code: X12ErrorCode,
    message: string,
    segmentId: string,
    position: number,
    filePosition: number,
    elementPosition?: number,
    extra?: Partial<X12Error>,
  ): X12Error {
    const e: X12Error = {
      code,
      message,
      segmentPosition: position,
      fileSegmentPosition: filePosition,
      segmentId,
      interchangeControl: this.set.interchange.controlNumber,
      groupControl: this.set.group.controlNumber,
      transactionControl: this.set.controlNumber,
      transactionSetId: this.set.id,
      ...extra,
    };
    if (elementPosition !== undefined) e.elementPosition = elementPosition;
    this.errors.push(e);
    return e;
  }

  /** Error about element `element` of `seg`. */
  at(
    seg: Segment,
    position: number,
    element: number,
    code: X12ErrorCode,
    message: string,
    loopId?: string,
  ): X12Error {
    const bad = seg.text(element);
    const extra: Partial<X12Error> = {};
    if (bad) extra.badValue = bad.slice(0, 99);
    if (loopId) extra.loopId = loopId;
    return this.add(
      code,
      `${seg.id}${String(element).padStart(2, '0')}: ${message}`,
      seg.id,
      position,
      seg.filePosition,
      element,
      extra,
    );
  }

  /** A mandatory segment is missing; reported at the SE (or the last segment). */
  missing(segmentId: string, message: string, loopId?: string): X12Error {
    const segs = this.set.segments;
    const last = segs[segs.length - 1]!; // a set holds at least its ST
    const extra: Partial<X12Error> = {};
    if (loopId) extra.loopId = loopId;
    return this.add('MISSING_SEGMENT', message, segmentId, segs.length, last.filePosition, undefined, extra);
  }

  // The converters below are silent: the element syntax check (schema.ts) already reports
  // malformed values of every segment the mappers read.

  /** A decimal element ("R"), normalised; undefined when absent or not a number. */
  decimal(seg: Segment, element: number): DecimalString | undefined {
    return decimalFromR(seg.text(element));
  }

  /** An "N2" element as a decimal; undefined when absent or not a whole number. */
  implied(seg: Segment, element: number): DecimalString | undefined {
    return decimalFromImplied(seg.text(element));
  }

  /** A whole number element ("N0"). */
  integer(seg: Segment, element: number): number | undefined {
    const v = seg.text(element).trim();
    return /^-?\d{1,15}$/.test(v) ? Number(v) : undefined;
  }

  /** A date element (CCYYMMDD) as YYYY-MM-DD. */
  date(seg: Segment, element: number): string | undefined {
    return isoDate(seg.text(element));
  }
}
