/**
 * Element syntax of the segments this codec reads (X12 004010 / 005010; where the releases differ
 * the larger maximum is used so that valid data of either release passes).
 *
 * Checks: mandatory elements, too many elements, lengths, numeric / date / time formats, code
 * lists (only where given), repetitions and components. Each problem is an X12Error that maps to
 * an AK4 / IK4 error code.
 */
import type { TransactionSet } from './envelope';
import type { Segment } from './segment';
import type { Composite, X12Error, X12ErrorCode } from './types';

export type ElementType = 'AN' | 'ID' | 'N0' | 'N2' | 'R' | 'DT' | 'TM';

export interface ElementDef {
  mandatory: boolean;
  type: ElementType;
  min: number;
  max: number;
  codes?: readonly string[];
  /** Components of a composite element. */
  components?: ElementDef[];
  /** Maximum repeats (5010 repeating elements); 1 when absent. */
  repeats?: number;
}

export interface SegmentDef {
  elements: ElementDef[];
}

/** `e('M ID 2 2')`: requirement, type, min, max. */
function e(spec: string, codes?: readonly string[]): ElementDef {
  const [req, type, min, max] = spec.split(' ');
  const def: ElementDef = {
    mandatory: req === 'M',
    type: type as ElementType,
    min: Number(min),
    max: Number(max),
  };
  if (codes) def.codes = codes;
  return def;
}

function c(req: 'M' | 'O', components: ElementDef[], repeats?: number): ElementDef {
  const def: ElementDef = { mandatory: req === 'M', type: 'AN', min: 1, max: 9999, components };
  if (repeats) def.repeats = repeats;
  return def;
}

/** n optional qualifier/id pairs (PO106..., IT106..., LIN02...). */
function pairs(n: number, firstMandatory = false): ElementDef[] {
  const out: ElementDef[] = [];
  for (let i = 0; i < n; i++)
    out.push(
      e(`${i === 0 && firstMandatory ? 'M' : 'O'} ID 2 2`),
      e(`${i === 0 && firstMandatory ? 'M' : 'O'} AN 1 48`),
    );
  return out;
}

const ACK_CODES = ['A', 'E', 'M', 'P', 'R', 'W', 'X'];
const C030 = c('M', [e('M N0 1 2'), e('O N0 1 2'), e('O N0 1 4')]);

export const SEGMENTS: Readonly<Record<string, SegmentDef>> = {
  // 850
  BEG: {
    elements: [
      e('M ID 2 2'),
      e('M ID 2 2'),
      e('M AN 1 22'),
      e('O AN 1 30'),
      e('M DT 8 8'),
      e('O AN 1 30'),
      e('O ID 2 2'),
      e('O ID 3 3'),
      e('O ID 2 2'),
      e('O ID 2 2'),
      e('O ID 2 2'),
      e('O ID 2 2'),
    ],
  },
  CUR: {
    elements: [
      e('M ID 2 3'),
      e('M ID 3 3'),
      e('O R 4 10'),
      ...Array.from({ length: 18 }, () => e('O AN 1 35')),
    ],
  },
  REF: {
    elements: [
      e('M ID 2 3'),
      e('O AN 1 50'),
      e('O AN 1 80'),
      c('O', [e('M ID 2 3'), e('M AN 1 50'), e('O ID 2 3'), e('O AN 1 50'), e('O ID 2 3'), e('O AN 1 50')]),
    ],
  },
  PER: {
    elements: [
      e('M ID 2 2'),
      e('O AN 1 60'),
      e('O ID 2 2'),
      e('O AN 1 256'),
      e('O ID 2 2'),
      e('O AN 1 256'),
      e('O ID 2 2'),
      e('O AN 1 256'),
      e('O AN 1 20'),
    ],
  },
  DTM: {
    elements: [e('M ID 3 3'), e('O DT 8 8'), e('O TM 4 8'), e('O ID 2 2'), e('O ID 2 3'), e('O AN 1 35')],
  },
  N1: {
    elements: [e('M ID 2 3'), e('O AN 1 60'), e('O ID 1 2'), e('O AN 2 80'), e('O ID 2 2'), e('O ID 2 3')],
  },
  N2: { elements: [e('M AN 1 60'), e('O AN 1 60')] },
  N3: { elements: [e('M AN 1 55'), e('O AN 1 55')] },
  N4: {
    elements: [
      e('O AN 2 30'),
      e('O ID 2 2'),
      e('O ID 3 15'),
      e('O ID 2 3'),
      e('O ID 1 2'),
      e('O AN 1 30'),
      e('O ID 1 3'),
    ],
  },
  ITD: {
    elements: [
      e('O ID 2 2'),
      e('O ID 1 2'),
      e('O R 1 6'),
      e('O DT 8 8'),
      e('O N0 1 3'),
      e('O DT 8 8'),
      e('O N0 1 3'),
      e('O N2 1 10'),
      e('O N2 1 10'),
      e('O N2 1 10'),
      e('O N0 1 2'),
      e('O AN 1 80'),
      e('O N0 1 2'),
      e('O ID 1 2'),
      e('O R 1 10'),
    ],
  },
  TD5: {
    elements: [
      e('O ID 1 2'),
      e('O ID 1 2'),
      e('O AN 2 80'),
      e('O ID 1 2'),
      e('O AN 1 35'),
      ...Array.from({ length: 10 }, () => e('O AN 1 35')),
    ],
  },
  PO1: {
    elements: [e('O AN 1 20'), e('O R 1 15'), e('O ID 2 2'), e('O R 1 17'), e('O ID 2 2'), ...pairs(10)],
  },
  PID: {
    elements: [
      e('M ID 1 1'),
      e('O ID 2 3'),
      e('O ID 2 2'),
      e('O AN 1 12'),
      e('O AN 1 80'),
      e('O ID 2 2'),
      e('O AN 1 15'),
      e('O ID 1 1'),
      e('O ID 2 3'),
    ],
  },
  SAC: {
    elements: [
      e('M ID 1 1'),
      e('O ID 4 4'),
      e('O ID 2 2'),
      e('O AN 1 10'),
      e('O N2 1 15'),
      e('O ID 1 1'),
      e('O R 1 6'),
      e('O R 1 9'),
      e('O ID 2 2'),
      e('O R 1 15'),
      e('O R 1 15'),
      e('O ID 2 2'),
      e('O AN 1 30'),
      e('O AN 1 30'),
      e('O AN 1 80'),
      e('O ID 2 3'),
    ],
  },
  TXI: {
    elements: [
      e('M ID 2 2'),
      e('O R 1 18'),
      e('O R 1 10'),
      e('O ID 2 2'),
      e('O AN 1 30'),
      e('O ID 1 1'),
      e('O ID 1 1'),
      e('O R 1 9'),
      e('O AN 1 20'),
      e('O AN 1 20'),
    ],
  },
  CTT: {
    elements: [
      e('M N0 1 6'),
      e('O R 1 10'),
      e('O R 1 10'),
      e('O ID 2 2'),
      e('O R 1 8'),
      e('O ID 2 2'),
      e('O AN 1 80'),
    ],
  },
  AMT: { elements: [e('M ID 1 3'), e('M R 1 18'), e('O ID 1 1')] },
  MSG: { elements: [e('M AN 1 264'), e('O ID 2 2'), e('O N0 1 9')] },
  N9: {
    elements: [
      e('M ID 2 3'),
      e('O AN 1 50'),
      e('O AN 1 45'),
      e('O DT 8 8'),
      e('O TM 4 8'),
      e('O ID 2 2'),
      c('O', [e('M ID 2 3'), e('M AN 1 50')]),
    ],
  },
  // 855
  BAK: {
    elements: [
      e('M ID 2 2'),
      e('M ID 2 2'),
      e('M AN 1 22'),
      e('M DT 8 8'),
      e('O AN 1 30'),
      e('O AN 1 45'),
      e('O AN 1 30'),
      e('O AN 1 50'),
      e('O DT 8 8'),
      e('O ID 2 2'),
    ],
  },
  ACK: {
    elements: [
      e('M ID 2 2'),
      e('O R 1 15'),
      e('O ID 2 2'),
      e('O ID 3 3'),
      e('O DT 8 8'),
      e('O AN 1 45'),
      ...pairs(11),
      e('O ID 2 2'),
    ],
  },
  // 856
  BSN: {
    elements: [
      e('M ID 2 2'),
      e('M AN 2 30'),
      e('M DT 8 8'),
      e('M TM 4 8'),
      e('O ID 4 4'),
      e('O ID 2 2'),
      e('O ID 3 3'),
    ],
  },
  HL: { elements: [e('M AN 1 12'), e('O AN 1 12'), e('M ID 1 2'), e('O ID 1 1')] },
  LIN: { elements: [e('O AN 1 20'), ...pairs(15, true)] },
  SN1: {
    elements: [
      e('O AN 1 20'),
      e('M R 1 10'),
      e('M ID 2 2'),
      e('O R 1 15'),
      e('O R 1 15'),
      e('O ID 2 2'),
      e('O R 1 10'),
      e('O ID 2 2'),
    ],
  },
  PRF: {
    elements: [e('M AN 1 22'), e('O AN 1 30'), e('O AN 1 8'), e('O DT 8 8'), e('O AN 1 30'), e('O ID 2 2')],
  },
  TD1: {
    elements: [
      e('O AN 3 5'),
      e('O N0 1 7'),
      e('O ID 1 1'),
      e('O ID 1 2'),
      e('O AN 1 50'),
      e('O ID 1 2'),
      e('O R 1 10'),
      e('O ID 2 2'),
      e('O R 1 8'),
      e('O ID 2 2'),
    ],
  },
  // 810
  BIG: {
    elements: [
      e('M DT 8 8'),
      e('M AN 1 22'),
      e('O DT 8 8'),
      e('O AN 1 22'),
      e('O AN 1 30'),
      e('O AN 1 8'),
      e('O ID 2 2'),
      e('O ID 2 2'),
      e('O ID 1 2'),
      e('O AN 1 22'),
    ],
  },
  IT1: {
    elements: [e('O AN 1 20'), e('O R 1 10'), e('O ID 2 2'), e('O R 1 17'), e('O ID 2 2'), ...pairs(10)],
  },
  TDS: { elements: [e('M N2 1 15'), e('O N2 1 15'), e('O N2 1 15'), e('O N2 1 15')] },
  // 997 / 999
  AK1: { elements: [e('M ID 2 2'), e('M N0 1 9'), e('O AN 1 12')] },
  AK2: { elements: [e('M ID 3 3'), e('M AN 4 9'), e('O AN 1 35')] },
  AK3: { elements: [e('M ID 2 3'), e('M N0 1 10'), e('O AN 1 4'), e('O ID 1 3')] },
  AK4: { elements: [C030, e('O N0 1 4'), e('M ID 1 3'), e('O AN 1 99')] },
  AK5: { elements: [e('M ID 1 1', ACK_CODES), ...Array.from({ length: 5 }, () => e('O ID 1 3'))] },
  AK9: {
    elements: [
      e('M ID 1 1', ACK_CODES),
      e('M N0 1 6'),
      e('M N0 1 6'),
      e('M N0 1 6'),
      ...Array.from({ length: 5 }, () => e('O ID 1 3')),
    ],
  },
  IK3: { elements: [e('M ID 2 3'), e('M N0 1 10'), e('O AN 1 4'), e('O ID 1 3')] },
  IK4: { elements: [C030, e('O N0 1 4'), e('M ID 1 3'), e('O AN 1 99')] },
  IK5: {
    elements: [
      e('M ID 1 1', ['A', 'E', 'M', 'R', 'W', 'X']),
      ...Array.from({ length: 5 }, () => e('O ID 1 3')),
    ],
  },
  CTX: {
    elements: [
      c('M', [e('M AN 1 35'), e('O AN 1 35')], 10),
      e('O ID 2 3'),
      e('O N0 1 10'),
      e('O AN 1 4'),
      c('O', [e('M N0 1 2'), e('O N0 1 2'), e('O N0 1 4')]),
      c('O', [e('M N0 1 4'), e('O N0 1 4')]),
    ],
  },
  TA1: {
    elements: [e('M N0 9 9'), e('M DT 6 6'), e('M TM 4 4'), e('M ID 1 1', ['A', 'E', 'R']), e('M ID 3 3')],
  },
};

export interface ValidationContext {
  set: TransactionSet;
  /** Position of the segment within the set (ST = 1). */
  position: number;
  loopId?: string;
  /** Dates are YYMMDD (versions before 004010); computed from GS08 when absent. */
  legacyDates?: boolean;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Count of digits when `v` is [-]digits[.digits] (R) or [-]digits (N); -1 when it is not. */
function numericDigits(v: string, decimal: boolean): number {
  let i = v.charCodeAt(0) === 45 ? 1 : 0;
  let n = 0;
  let dot = false;
  if (i >= v.length) return -1;
  for (; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (isDigit(c)) n++;
    else if (c === 46 && decimal && !dot) dot = true;
    else return -1;
  }
  return n === 0 ? -1 : n;
}

function allDigits(v: string): boolean {
  for (let i = 0; i < v.length; i++) if (!isDigit(v.charCodeAt(i))) return false;
  return v.length > 0;
}

function validDate(v: string): boolean {
  if ((v.length !== 8 && v.length !== 6) || !allDigits(v)) return false;
  const off = v.length - 4;
  const m = Number(v.slice(off, off + 2));
  const d = Number(v.slice(off + 2));
  if (m < 1 || m > 12 || d < 1) return false;
  if (d <= 28) return true;
  const y = v.length === 8 ? Number(v.slice(0, 4)) : 2000 + Number(v.slice(0, 2));
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function validTime(v: string): boolean {
  if (v.length < 4 || v.length > 8 || v.length === 5 || !allDigits(v)) return false;
  return (
    Number(v.slice(0, 2)) <= 23 &&
    Number(v.slice(2, 4)) <= 59 &&
    (v.length < 6 || Number(v.slice(4, 6)) <= 59)
  );
}

function hasControl(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 32 || c === 127) return true;
  }
  return false;
}

/** Checks one simple value; returns [code, message] or undefined. */
export function checkValue(
  def: ElementDef,
  v: string,
  mayHaveControl = true,
): [X12ErrorCode, string] | undefined {
  let len = v.length;
  switch (def.type) {
    case 'N0':
    case 'N2':
    case 'R':
      len = numericDigits(v, def.type === 'R');
      if (len < 0)
        return ['INVALID_NUMBER', `"${v}" is not a ${def.type === 'R' ? 'decimal' : 'whole'} number`];
      break;
    case 'DT':
      if (!validDate(v)) return ['INVALID_DATE', `"${v}" is not a valid date`];
      break;
    case 'TM':
      if (!validTime(v)) return ['INVALID_TIME', `"${v}" is not a valid time`];
      break;
    default:
      if (mayHaveControl && hasControl(v)) return ['INVALID_CHARACTER', 'contains a control character'];
  }
  if (len < def.min) return ['ELEMENT_TOO_SHORT', `"${v}" is shorter than ${def.min}`];
  if (len > def.max) return ['ELEMENT_TOO_LONG', `"${v}" is longer than ${def.max}`];
  if (def.codes && !def.codes.includes(v))
    return ['INVALID_CODE', `"${v}" is not one of ${def.codes.join(', ')}`];
  return undefined;
}

function pushError(
  out: X12Error[],
  seg: Segment,
  ctx: ValidationContext,
  code: X12ErrorCode,
  message: string,
  element: number,
  bad?: string,
  component?: number,
  repetition?: number,
): void {
  const err: X12Error = {
    code,
    message: `${seg.id}${String(element).padStart(2, '0')}${component ? `-${String(component).padStart(2, '0')}` : ''}: ${message}`,
    segmentPosition: ctx.position,
    fileSegmentPosition: seg.filePosition,
    segmentId: seg.id,
    elementPosition: element,
    interchangeControl: ctx.set.interchange.controlNumber,
    groupControl: ctx.set.group.controlNumber,
    transactionControl: ctx.set.controlNumber,
    transactionSetId: ctx.set.id,
  };
  if (component !== undefined) err.componentPosition = component;
  if (repetition !== undefined) err.repetitionPosition = repetition;
  if (bad !== undefined && bad !== '') err.badValue = bad.slice(0, 99);
  if (ctx.loopId) err.loopId = ctx.loopId;
  out.push(err);
}

function checkRepeat(
  out: X12Error[],
  seg: Segment,
  ctx: ValidationContext,
  d: ElementDef,
  pos: number,
  r: string | Composite,
  rep: number | undefined,
): void {
  if (d.components) {
    const comps = typeof r === 'string' ? [r] : r.components;
    if (comps.length > d.components.length) {
      const msg = `has ${comps.length} components, at most ${d.components.length}`;
      pushError(
        out,
        seg,
        ctx,
        'TOO_MANY_COMPONENTS',
        msg,
        pos,
        typeof r === 'string' ? r : r.raw,
        undefined,
        rep,
      );
      return;
    }
    for (let ci = 0; ci < d.components.length; ci++) {
      const cd = d.components[ci]!; // ci < components.length
      const cv = comps[ci];
      if (cv === undefined || cv === '') {
        if (cd.mandatory)
          pushError(
            out,
            seg,
            ctx,
            'MISSING_ELEMENT',
            'mandatory component is missing',
            pos,
            undefined,
            ci + 1,
            rep,
          );
        continue;
      }
      const bad = checkValue(cd, cv);
      if (bad) pushError(out, seg, ctx, bad[0], bad[1], pos, cv, ci + 1, rep);
    }
    return;
  }
  if (typeof r !== 'string') {
    pushError(
      out,
      seg,
      ctx,
      'TOO_MANY_COMPONENTS',
      'a simple element contains the component separator',
      pos,
      r.raw,
      undefined,
      rep,
    );
    return;
  }
  const bad = checkValue(d, r);
  if (bad) pushError(out, seg, ctx, bad[0], bad[1], pos, r, undefined, rep);
}

const legacyCache = new WeakMap<object, boolean>();

/** Validates a segment against SEGMENTS, appending to `out`; segments without a definition pass. */
/** Definitions by id, with the position of the last mandatory element. */
/** How `validateInPlace` checks an element: by `ElementDef` type, or through `checkValue` (SLOW). */
const K_TEXT = 0;
const K_N = 1;
const K_R = 2;
const K_DT = 3;
const K_TM = 4;
const K_SLOW = 5;

interface SegmentEntry {
  def: SegmentDef;
  /** Position of the last mandatory element. */
  lastMandatory: number;
  /** Per element (index = position - 1): check kind, min and max length of `def.elements`. */
  kinds: Uint8Array;
  mins: Int32Array;
  maxs: Int32Array;
}

function entryOf(def: SegmentDef): SegmentEntry {
  const n = def.elements.length;
  const entry: SegmentEntry = {
    def,
    lastMandatory: 0,
    kinds: new Uint8Array(n),
    mins: new Int32Array(n),
    maxs: new Int32Array(n),
  };
  def.elements.forEach((d, i) => {
    if (d.mandatory) entry.lastMandatory = i + 1;
    entry.mins[i] = d.min;
    entry.maxs[i] = d.max;
    if (d.components !== undefined || d.codes !== undefined) entry.kinds[i] = K_SLOW;
    else if (d.type === 'N0' || d.type === 'N2') entry.kinds[i] = K_N;
    else if (d.type === 'R') entry.kinds[i] = K_R;
    else if (d.type === 'DT') entry.kinds[i] = K_DT;
    else if (d.type === 'TM') entry.kinds[i] = K_TM;
    else entry.kinds[i] = K_TEXT;
  });
  return entry;
}

/** Definitions by id, with what the in-place check needs. */
const SEGMENT_MAP = new Map(Object.entries(SEGMENTS).map(([id, def]) => [id, entryOf(def)]));

export function validateSegmentInto(out: X12Error[], seg: Segment, ctx: ValidationContext): void {
  // A Map lookup uses the string's cached hash; an object lookup with a computed key does not.
  const entry = SEGMENT_MAP.get(seg.id);
  if (!entry) return;
  // Before 004010 dates were YYMMDD.
  let legacyDates = ctx.legacyDates;
  if (legacyDates === undefined) {
    const g = ctx.set.group;
    legacyDates = legacyCache.get(g);
    if (legacyDates === undefined) legacyCache.set(g, (legacyDates = /^00[23]/.test(g.version)));
  }
  // The tokenizer scans each chunk once for control characters; only segments from a chunk that
  // had one are checked per element.
  // eslint-disable-next-line no-control-regex
  const control = seg.mayHaveControl && /[\u0000-\u001f\u007f]/.test(seg.raw);
  if (seg.inPlace()) validateInPlace(out, seg, ctx, entry, legacyDates, control);
  else validateElements(out, seg, ctx, entry, legacyDates, control);
}

/** Digits in raw[a..b) when it is [-]digits (with one "." when `decimal`); -1 when it is not. */
function numericDigitsAt(raw: string, a: number, b: number, decimal: boolean): number {
  let i = raw.charCodeAt(a) === 45 ? a + 1 : a;
  let digits = 0;
  let dot = !decimal;
  for (; i < b; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 46 && !dot) dot = true;
    else return -1;
  }
  return digits === 0 ? -1 : digits;
}

/**
 * `validateElements` for a segment without composites or repetitions: elements are checked in
 * `raw` by offset. Values that are certainly valid are decided here without making a string;
 * the others (and every element of a SLOW kind) go through `checkValue` / `checkRepeat`, so the
 * errors and their messages are the ones these give.
 */
function validateInPlace(
  out: X12Error[],
  seg: Segment,
  ctx: ValidationContext,
  entry: SegmentEntry,
  legacyDates: boolean,
  control: boolean,
): void {
  const raw = seg.source();
  const defs = entry.def.elements;
  const count = seg.length + 1;
  for (let i = defs.length + 1; i < count; i++) {
    const a = seg.elementStart(i);
    const b = seg.elementEnd(i);
    if (b > a) {
      const msg = `${seg.id} has at most ${defs.length} elements`;
      pushError(out, seg, ctx, 'TOO_MANY_ELEMENTS', msg, i, raw.slice(a, b));
      break;
    }
  }
  for (let i = count; i <= entry.lastMandatory; i++) {
    pushError(out, seg, ctx, 'MISSING_ELEMENT', 'mandatory element is missing', i);
  }
  const n = Math.min(defs.length, count - 1);
  const { kinds, mins, maxs } = entry;
  const ends = seg.endOffsets();
  const base = seg.endBase() + 1;
  let a = seg.elementStart(1);
  // A hot loop, no checks added: i < n <= defs.length, and kinds / mins / maxs have an entry per
  // def; i < count - 1, so element i + 1's end ends[base + i] is set.
  for (let i = 0; i < n; i++) {
    const pos = i + 1;
    const b = ends[base + i]!;
    const start = a;
    a = b + 1;
    if (start === b) {
      if (defs[i]!.mandatory)
        pushError(out, seg, ctx, 'MISSING_ELEMENT', 'mandatory element is missing', pos);
      continue;
    }
    let len = b - start;
    let min = mins[i]!;
    let max = maxs[i]!;
    switch (kinds[i]) {
      case K_TEXT:
        if (control) len = -1;
        break;
      case K_N:
        len = numericDigitsAt(raw, start, b, false);
        break;
      case K_R:
        len = numericDigitsAt(raw, start, b, true);
        break;
      case K_DT: {
        if ((len !== 8 && len !== 6) || numericDigitsAt(raw, start, b, false) !== len) {
          len = -1;
          break;
        }
        const m = (raw.charCodeAt(b - 4) - 48) * 10 + raw.charCodeAt(b - 3) - 48;
        const day = (raw.charCodeAt(b - 2) - 48) * 10 + raw.charCodeAt(b - 1) - 48;
        if (m < 1 || m > 12 || day < 1 || day > 28) len = -1; // the rest: checkValue decides
        if (legacyDates) min = max = 6;
        break;
      }
      case K_TM: {
        if (len < 4 || len > 8 || len === 5 || numericDigitsAt(raw, start, b, false) !== len) {
          len = -1;
          break;
        }
        const hh = (raw.charCodeAt(start) - 48) * 10 + raw.charCodeAt(start + 1) - 48;
        const mm = (raw.charCodeAt(start + 2) - 48) * 10 + raw.charCodeAt(start + 3) - 48;
        const ss = len >= 6 ? (raw.charCodeAt(start + 4) - 48) * 10 + raw.charCodeAt(start + 5) - 48 : 0;
        if (hh > 23 || mm > 59 || ss > 59) len = -1;
        break;
      }
      default:
        len = -1;
    }
    if (len >= min && len <= max) continue;
    // Not certainly valid: the general check decides (and words the error).
    const d0 = defs[i]!;
    const d = legacyDates && d0.type === 'DT' ? { ...d0, min: 6, max: 6 } : d0;
    const value = raw.slice(start, b);
    if (d.components) {
      checkRepeat(out, seg, ctx, d, pos, value, undefined);
      continue;
    }
    const bad = checkValue(d, value, control);
    if (bad) pushError(out, seg, ctx, bad[0], bad[1], pos, value);
  }
}

/** Checks a segment element by element (composites and repetitions included). */
function validateElements(
  out: X12Error[],
  seg: Segment,
  ctx: ValidationContext,
  entry: SegmentEntry,
  legacyDates: boolean,
  control: boolean,
): void {
  const els = seg.elements;
  const defs = entry.def.elements;
  for (let i = defs.length + 1; i < els.length; i++) {
    const extra = els[i];
    if (extra !== undefined && extra !== '') {
      const msg = `${seg.id} has at most ${defs.length} elements`;
      pushError(out, seg, ctx, 'TOO_MANY_ELEMENTS', msg, i, typeof extra === 'string' ? extra : extra.raw);
      break;
    }
  }
  // Mandatory elements after the last one sent.
  for (let i = els.length; i <= entry.lastMandatory; i++) {
    pushError(out, seg, ctx, 'MISSING_ELEMENT', 'mandatory element is missing', i);
  }
  const n = Math.min(defs.length, els.length - 1);
  for (let i = 0; i < n; i++) {
    const d0 = defs[i]!; // i < n <= defs.length
    const d = legacyDates && d0.type === 'DT' ? { ...d0, min: 6, max: 6 } : d0;
    const pos = i + 1;
    const value = els[pos];
    if (value === undefined || value === '') {
      if (d.mandatory) pushError(out, seg, ctx, 'MISSING_ELEMENT', 'mandatory element is missing', pos);
      continue;
    }
    if (typeof value === 'string') {
      if (d.components) {
        checkRepeat(out, seg, ctx, d, pos, value, undefined);
        continue;
      }
      const bad = checkValue(d, value, control);
      if (bad) pushError(out, seg, ctx, bad[0], bad[1], pos, value);
      continue;
    }
    if (value.kind === 'repeated') {
      if ((d.repeats ?? 1) < value.repeats.length) {
        const msg = `repeated ${value.repeats.length} times, at most ${d.repeats ?? 1}`;
        pushError(out, seg, ctx, 'TOO_MANY_REPETITIONS', msg, pos, value.raw);
        continue;
      }
      const many = value.repeats.length > 1;
      value.repeats.forEach((rp, r) => checkRepeat(out, seg, ctx, d, pos, rp, many ? r + 1 : undefined));
    } else checkRepeat(out, seg, ctx, d, pos, value, undefined);
  }
}

/** Validates a segment against SEGMENTS; segments without a definition pass. */
export function validateSegment(seg: Segment, ctx: ValidationContext): X12Error[] {
  const out: X12Error[] = [];
  validateSegmentInto(out, seg, ctx);
  return out;
}
