/**
 * Streaming X12 tokenizer: turns chunks of text (Buffer or string, any size) into segments.
 *
 * - Delimiters come from each ISA: element separator = ISA character 4, repetition separator = ISA11
 *   when ISA12 >= 00402, component separator = ISA16, segment terminator = the character after ISA16
 *   (a newline terminator works too). Every interchange may use its own delimiters.
 * - Tolerated between segments: a UTF-8 BOM, spaces, tabs, CR/LF. CR/LF inside a segment (files
 *   wrapped at 80 columns) are dropped when they are not the terminator.
 * - A segment is never split at a chunk boundary: text after the last terminator waits for the
 *   next chunk. Bytes are decoded as UTF-8 with a StringDecoder, so a multi-byte character split
 *   across chunks is safe.
 * - Problems are reported as X12Error values through `error`; the tokenizer never throws on input.
 */
import { isAscii } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import { SEGMENTS } from './schema';
import { Segment } from './segment';
import type { Delimiters, X12Error } from './types';

/** What the tokenizer learnt from an ISA segment. */
export interface InterchangeStart {
  delimiters: Delimiters;
  /** Problems of the ISA itself: length, field widths, values. The interchange is still read. */
  errors: X12Error[];
}

export interface TokenizerHandlers {
  /** Called once per segment; `isa` is set for ISA segments. */
  segment(segment: Segment, isa?: InterchangeStart): void;
  error(error: X12Error): void;
}

/** Widths of ISA01..ISA16. */
export const ISA_WIDTHS = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1] as const;
/** 0-based offsets of the 16 element separators in a well-formed ISA. */
export const ISA_SEPARATOR_OFFSETS = (() => {
  const out: number[] = [];
  let at = 3;
  for (const w of ISA_WIDTHS) {
    out.push(at);
    at += w + 1;
  }
  return out;
})();
/** ISA length up to and including ISA16 (the terminator makes it 106). */
export const ISA_BODY_LENGTH = 105;
/** Give up looking for 16 separators after this many characters. */
export const ISA_MAX_SCAN = 300;
/**
 * After this many unreadable ISAs in a row the rest of the input is not read (one error says so):
 * each candidate "ISA" costs a scan of up to ISA_MAX_SCAN characters, so "ISA*" repeated cost about
 * a hundred times its size. The splitter stops cutting pieces at the same point.
 */
export const MAX_UNREADABLE_ISAS = 20;

const CR = 13;
const LF = 10;

function isSpace(c: number): boolean {
  return c === 32 || c === LF || c === CR || c === 9 || c === 11 || c === 12 || c === 0xfeff || c === 0xa0;
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isaError(
  code: X12Error['code'],
  message: string,
  filePosition: number,
  elementPosition?: number,
  badValue?: string,
): X12Error {
  const e: X12Error = {
    code,
    message,
    segmentPosition: filePosition,
    fileSegmentPosition: filePosition,
    segmentId: 'ISA',
  };
  if (elementPosition !== undefined) e.elementPosition = elementPosition;
  if (badValue !== undefined) e.badValue = badValue;
  return e;
}

function validDate6(v: string): boolean {
  if (!/^\d{6}$/.test(v)) return false;
  const m = Number(v.slice(2, 4));
  const d = Number(v.slice(4, 6));
  return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

function validTime4(v: string): boolean {
  return /^\d{4}$/.test(v) && Number(v.slice(0, 2)) <= 23 && Number(v.slice(2, 4)) <= 59;
}

/** Value checks of ISA elements (after the width checks). */
function checkIsaValues(fields: string[], filePosition: number, errors: X12Error[]): void {
  const bad = (pos: number, what: string): void => {
    errors.push(
      isaError(
        'ISA_INVALID_VALUE',
        `ISA${String(pos).padStart(2, '0')} ${what}`,
        filePosition,
        pos,
        fields[pos],
      ),
    );
  };
  // finishIsa always passes 'ISA' and the 16 elements (the body holds 16 separators).
  const [, , , , , , , , , date = '', time = '', , version = '', control = '', ack, usage] = fields;
  if (!validDate6(date.trim())) bad(9, 'is not a valid date YYMMDD');
  if (!validTime4(time.trim())) bad(10, 'is not a valid time HHMM');
  if (!/^\d{5}$/.test(version)) bad(12, 'is not a 5-digit version number');
  if (!/^\d{1,9}$/.test(control.trim())) bad(13, 'control number is not numeric');
  if (ack !== '0' && ack !== '1') bad(14, 'acknowledgment requested must be 0 or 1');
  if (usage !== 'P' && usage !== 'T' && usage !== 'I') bad(15, 'usage indicator must be P, T or I');
}

type HeaderResult =
  | { kind: 'wait' }
  | { kind: 'notIsa' }
  | { kind: 'invalid'; end: number; error: X12Error }
  | { kind: 'isa'; end: number; segment: Segment; start: InterchangeStart };

/**
 * Reads an ISA starting at `p` (text[p..p+2] === 'ISA'). Line breaks inside the ISA are skipped.
 * Well-formed ISAs are read by fixed positions; others by counting 16 separators, with errors.
 */
function readIsa(text: string, p: number, final: boolean, filePosition: number): HeaderResult {
  if (p + 4 > text.length) return final ? { kind: 'notIsa' } : { kind: 'wait' };
  const sepCode = text.charCodeAt(p + 3);
  if (isAlnum(sepCode) || isSpace(sepCode)) return { kind: 'notIsa' };
  // Fast path: well-formed 106-character ISA without line breaks.
  if (p + ISA_BODY_LENGTH < text.length) {
    let ok = true;
    for (const o of ISA_SEPARATOR_OFFSETS) {
      if (text.charCodeAt(p + o) !== sepCode) {
        ok = false;
        break;
      }
    }
    const body = ok ? text.slice(p, p + ISA_BODY_LENGTH) : '';
    if (ok && body.indexOf('\n') === -1 && body.indexOf('\r') === -1) {
      return finishIsa(text, p, body, true, p + ISA_BODY_LENGTH - 1, filePosition);
    }
  }
  // Raw indices of the ISA's characters, line breaks skipped.
  const logical: number[] = [];
  let sepCount = 0;
  let lastSep = -1;
  let q = p;
  // Collect at least 105 characters (to test the fixed layout) and up to ISA16 by counting.
  while (q < text.length && logical.length < ISA_MAX_SCAN) {
    const c = text.charCodeAt(q);
    q++;
    if (c === CR || c === LF) continue;
    logical.push(q - 1);
    if (c === sepCode && sepCount < 16) {
      sepCount++;
      lastSep = logical.length - 1;
    }
    if (logical.length >= ISA_BODY_LENGTH && sepCount === 16 && logical.length - 1 > lastSep) break;
  }
  const fixed =
    logical.length >= ISA_BODY_LENGTH &&
    // logical holds at least ISA_BODY_LENGTH indices, beyond the last separator offset.
    ISA_SEPARATOR_OFFSETS.every((o) => text.charCodeAt(logical[o]!) === sepCode);
  let isa16: number;
  if (fixed) isa16 = ISA_BODY_LENGTH - 1;
  else if (sepCount === 16 && lastSep + 1 < logical.length) isa16 = lastSep + 1;
  else isa16 = -1;
  // Raw index of ISA16 (isa16 < logical.length when it is not -1).
  const isa16Raw = isa16 === -1 ? undefined : logical[isa16];
  const ranOut = q >= text.length;
  if (ranOut && !final) {
    // More text may complete the ISA, or turn a short-looking one into a fixed-layout one.
    if (isa16Raw === undefined || isa16Raw + 1 >= text.length) return { kind: 'wait' };
    if (!fixed && logical.length < ISA_BODY_LENGTH) return { kind: 'wait' };
  }
  if (isa16Raw === undefined || isa16Raw + 1 >= text.length) {
    const truncated = ranOut && final;
    return {
      kind: 'invalid',
      end: q,
      error: isaError(
        truncated ? 'ISA_TRUNCATED' : 'ISA_INVALID_DELIMITERS',
        truncated
          ? 'the ISA segment is incomplete'
          : `cannot find the 16 element separators, ISA16 and a segment terminator of the ISA: ${JSON.stringify(
              text.slice(p, p + 120),
            )}`,
        filePosition,
      ),
    };
  }
  const body = logical
    .slice(0, isa16 + 1)
    .map((i) => text.charAt(i))
    .join('');
  return finishIsa(text, p, body, fixed, isa16Raw, filePosition);
}

function finishIsa(
  text: string,
  p: number,
  body: string,
  fixed: boolean,
  isa16Raw: number,
  filePosition: number,
): HeaderResult {
  // The callers checked that the terminator after ISA16 is in the text (termIndex < text.length).
  const termIndex = isa16Raw + 1;
  const element = text.charAt(p + 3);
  let fields: string[];
  if (fixed) {
    fields = ['ISA'];
    let from = ISA_SEPARATOR_OFFSETS[0]! + 1;
    for (const w of ISA_WIDTHS) {
      fields.push(body.slice(from, from + w));
      from += w + 1; // the next separator offset, + 1
    }
  } else {
    fields = body.split(element);
    if (fields.length > 17) fields = [...fields.slice(0, 16), fields.slice(16).join(element)];
  }
  const component = text.charAt(isa16Raw);
  const segment = text.charAt(termIndex);
  // fields holds 'ISA' and the 16 elements (see checkIsaValues).
  const [, , , , , , , , , , , rep = '', versionField = ''] = fields;
  const version = /^\d{5}$/.test(versionField) ? Number(versionField) : 0;
  const repetition =
    version >= 402 && rep.length === 1 && !isAlnum(rep.charCodeAt(0)) && !isSpace(rep.charCodeAt(0))
      ? rep
      : undefined;
  const delimiters: Delimiters = { element, component, repetition, segment };

  const termCode = segment.charCodeAt(0);
  const compCode = component.charCodeAt(0);
  const problems: string[] = [];
  if (isAlnum(termCode) || termCode === 32 || (termCode >= 0xd800 && termCode <= 0xdfff))
    problems.push(`segment terminator ${JSON.stringify(segment)} is not a valid delimiter`);
  if (isAlnum(compCode) || compCode === 32)
    problems.push(`component separator ${JSON.stringify(component)} is not valid`);
  if (segment === element || component === element || component === segment)
    problems.push('element separator, component separator and segment terminator must differ');
  if (
    repetition !== undefined &&
    (repetition === element || repetition === component || repetition === segment)
  )
    problems.push('repetition separator must differ from the other delimiters');
  if (problems.length > 0) {
    return {
      kind: 'invalid',
      end: termIndex + 1,
      error: isaError(
        'ISA_INVALID_DELIMITERS',
        `ISA delimiters: ${problems.join('; ')}`,
        filePosition,
        16,
        component,
      ),
    };
  }
  // Field problems only once the delimiters are usable: a broken ISA costs one error, not twenty.
  const errors: X12Error[] = [];
  if (!fixed) {
    errors.push(isaError('ISA_LENGTH', `ISA is ${body.length + 1} characters long, not 106`, filePosition));
    for (let i = 1; i <= 16; i++) {
      const v = fields[i] ?? '';
      if (v.length !== ISA_WIDTHS[i - 1]) {
        errors.push(
          isaError(
            'ISA_FIELD_WIDTH',
            `ISA${String(i).padStart(2, '0')} is ${v.length} characters wide, expected ${ISA_WIDTHS[i - 1]}`,
            filePosition,
            i,
            v,
          ),
        );
      }
    }
  }
  checkIsaValues(fields, filePosition, errors);

  const seg = new Segment('ISA', body, delimiters, filePosition, fields);
  return { kind: 'isa', end: termIndex + 1, segment: seg, start: { delimiters, errors } };
}

/** A control byte other than CR / LF (the characters the tokenizer flags; see `push`). */
function isControlByte(b: number): boolean {
  return (b < 32 && b !== LF && b !== CR) || b === 127;
}

/**
 * Whether the bytes hold a control byte other than CR / LF. In UTF-8 these bytes only ever encode
 * those characters, so this answers for the decoded text as well. Four bytes are tested at a time
 * (any byte below 0x20, any byte 0x7F); only words with such a byte are looked at byte by byte,
 * which for text with line breaks is about one word in ten.
 */
const NO_WORDS = new Uint32Array(0);
const NO_BYTES = Buffer.alloc(0);
/** scanBytes reads bytes four at a time and takes byte j of a word from bits 8j..8j+7. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function bytesHaveControl(b: Uint8Array): boolean {
  const len = b.length;
  let i = 0;
  const head = Math.min(len, (4 - (b.byteOffset & 3)) & 3);
  // b[..]!, w[..]!: every index below is under len / words (a hot loop: no checks added).
  for (; i < head; i++) if (isControlByte(b[i]!)) return true;
  const words = (len - i) >> 2;
  const w = words > 0 ? new Uint32Array(b.buffer, b.byteOffset + i, words) : NO_WORDS;
  for (let k = 0; k < words; k++) {
    const x = w[k]!;
    const y = x ^ 0x7f7f7f7f;
    // (x - 0x20202020) & ~x & 0x80808080 is non-zero iff a byte of x is below 0x20; the same
    // with y (x ^ 0x7f7f7f7f) and 0x01010101 iff a byte of x is 0x7f.
    if ((((x - 0x20202020) & ~x) | ((y - 0x01010101) & ~y)) & 0x80808080) {
      const p = i + k * 4;
      if (
        isControlByte(b[p]!) ||
        isControlByte(b[p + 1]!) ||
        isControlByte(b[p + 2]!) ||
        isControlByte(b[p + 3]!)
      )
        return true;
    }
  }
  for (i += words * 4; i < len; i++) if (isControlByte(b[i]!)) return true;
  return false;
}

/** Index of an id character: A-Z -> 0..25, 0-9 -> 26..35, anything else -1. */
const ID_CHAR = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let c = 65; c <= 90; c++) t[c] = c - 65;
  for (let c = 48; c <= 57; c++) t[c] = c - 48 + 26;
  return t;
})();

/**
 * The ids of the segments the codec reads, in a table indexed by their characters: the tokenizer
 * hands out these literal (internalized) strings instead of a new string per segment, so that
 * `switch (seg.id)` and the schema's Map lookup compare pointers and reuse the cached hash.
 */
const KNOWN_IDS: string[] = [''];
const ID_SLOTS = new Uint8Array(36 * 36 * 37);

/** Slot of a 2- or 3-character id of A-Z / 0-9 at text[at..at+len); -1 for other ids. */
function idSlot(text: string, at: number, len: number): number {
  if (len !== 2 && len !== 3) return -1;
  const c0 = text.charCodeAt(at);
  const c1 = text.charCodeAt(at + 1);
  const c2 = len === 3 ? text.charCodeAt(at + 2) : 0;
  if ((c0 | c1 | c2) >= 128) return -1;
  // Codes below 128 (checked above): inside ID_CHAR.
  const i0 = ID_CHAR[c0]!;
  const i1 = ID_CHAR[c1]!;
  const i2 = len === 3 ? ID_CHAR[c2]! : 36;
  if ((i0 | i1 | i2) < 0) return -1;
  return (i0 * 36 + i1) * 37 + i2;
}

for (const id of [
  ...Object.keys(SEGMENTS),
  ...[
    'ISA',
    'IEA',
    'GS',
    'GE',
    'ST',
    'SE',
    'TA1',
    'PO4',
    'FOB',
    'PKG',
    'MEA',
    'TD3',
    'TD4',
    'PRF',
    'LIN',
    'SN1',
  ],
]) {
  const slot = idSlot(id, 0, id.length);
  if (slot !== -1 && ID_SLOTS[slot] === 0 && KNOWN_IDS.length < 256) {
    ID_SLOTS[slot] = KNOWN_IDS.length;
    KNOWN_IDS.push(id);
  }
}

/** Offset of `search` in `text` from `from`, or `text.length` when it does not occur. */
function indexOrEnd(text: string, search: string, from: number): number {
  const k = text.indexOf(search, from);
  return k === -1 ? text.length : k;
}

/** The id of the segment at text[from, to): up to the first element separator. */
function segmentId(text: string, from: number, to: number, d: Delimiters): string {
  // Most ids are 2 or 3 letters / digits followed by the separator (which is never a letter or
  // digit, so it cannot occur earlier): look there before searching.
  const sepCode = d.element.charCodeAt(0);
  if (from + 3 < to && text.charCodeAt(from + 3) === sepCode) {
    // idSlot's slots are inside ID_SLOTS, and each non-zero entry is an index of KNOWN_IDS.
    const slot = idSlot(text, from, 3);
    if (slot !== -1 && ID_SLOTS[slot] !== 0) return KNOWN_IDS[ID_SLOTS[slot]!]!;
  } else if (from + 2 < to && text.charCodeAt(from + 2) === sepCode) {
    const slot = idSlot(text, from, 2);
    if (slot !== -1 && ID_SLOTS[slot] !== 0) return KNOWN_IDS[ID_SLOTS[slot]!]!;
  }
  // Within the segment only: an indexOf to the end of the text for each short segment without a
  // separator read the rest of the input once per segment ("A~" repeated: quadratic).
  let sep = from;
  while (sep < to && text.charCodeAt(sep) !== sepCode) sep++;
  const slot = idSlot(text, from, sep - from);
  const known = slot === -1 ? 0 : ID_SLOTS[slot]!;
  return known !== 0 ? KNOWN_IDS[known]! : text.slice(from, sep);
}

/** Id-like prefix of some text, for error messages about content outside an envelope. */
function leadingId(text: string, p: number): string {
  let q = p;
  while (q < text.length && q - p < 3 && isAlnum(text.charCodeAt(q))) q++;
  return text.slice(p, q) || text.slice(p, p + 1);
}

export class X12Tokenizer {
  private pending = '';
  /** Offset in `pending` up to which no terminator was found. */
  private scanned = 0;
  private delimiters: Delimiters | undefined;
  private decoder: StringDecoder | undefined;
  private position = 0;
  private sawContent = false;
  private sawIsa = false;
  private inGarbage = false;
  /** Unreadable ISAs since the last readable one; at MAX_UNREADABLE_ISAS the rest is skipped. */
  private badIsas = 0;
  private gaveUp = false;
  private ended = false;
  /** Whether the pending text may hold a control character other than CR / LF. */
  private control = false;
  /**
   * Offsets in the text of the current `run` of the next LF, CR and component / repetition
   * separator at or after the last segment looked at (the text's length when there is none), so
   * that each segment does not search its own text for them: a search runs only once a segment
   * starts past the offset found.
   */
  private nextLf = -1;
  private nextCr = -1;
  private nextStructure = -1;
  /**
   * ASCII mode, while every chunk has been ASCII bytes: `pending` is then `pendingBytes` one
   * character per byte, and the bytes are scanned (four at a time) for the element separators and
   * segment terminators of the text a `run` reads, so segments get their ends and element offsets
   * without searching the text for them.
   * The first other chunk (or a string) ends the mode for good: text is then decoded as UTF-8.
   */
  private ascii = true;
  private pendingBytes: Buffer = NO_BYTES;
  /**
   * With `bounds`: offsets of every element separator and segment terminator (`boundCodes`) in
   * the text of the current run, in order, found by `scanBytes`. A segment's element ends are
   * then a run of it (its separators, then its terminator), which it keeps as is.
   */
  private bounds: Int32Array | undefined;
  private boundCodes = -1;
  /** Index in `bounds` of the first offset not yet passed. */
  private boundCursor = 0;
  private scratch = new Int32Array(0);

  constructor(private readonly handlers: TokenizerHandlers) {}

  /** Number of segments emitted so far. */
  get segmentCount(): number {
    return this.position;
  }

  push(chunk: string | Buffer | Uint8Array): void {
    if (this.ended || this.gaveUp) return;
    if (this.ascii && typeof chunk !== 'string') {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      if (b.length === 0) return;
      if (isAscii(b)) {
        const bytes = this.pendingBytes.length === 0 ? b : Buffer.concat([this.pendingBytes, b]);
        const d = this.delimiters;
        const sep = d === undefined ? 128 : d.element.charCodeAt(0);
        const term = d === undefined ? 128 : d.segment.charCodeAt(0);
        // Not while a long segment waits for its end: it would be scanned again with every chunk.
        if (LITTLE_ENDIAN && sep < 128 && term < 128 && this.pendingBytes.length <= b.length) {
          // Separators, terminators and control bytes in one pass over the whole text of the run.
          this.control = this.scanBytes(bytes, sep, term);
        } else {
          const control = bytesHaveControl(b);
          this.control = this.pending.length === 0 ? control : this.control || control;
          this.bounds = undefined;
        }
        this.pending = bytes.toString('latin1');
        this.pendingBytes = bytes;
        this.run(false);
        return;
      }
    }
    this.leaveAscii();
    let text: string;
    if (typeof chunk === 'string') text = chunk;
    else {
      this.decoder ??= new StringDecoder('utf8');
      text = this.decoder.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    }
    if (text.length === 0) return;
    // One scan per chunk (CR / LF are line breaks, not data); bytes are scanned before decoding.
    const control =
      typeof chunk === 'string'
        ? // eslint-disable-next-line no-control-regex
          /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f]/.test(text)
        : bytesHaveControl(chunk);
    this.control = this.pending.length === 0 ? control : this.control || control;
    this.pending = this.pending.length === 0 ? text : this.pending + text;
    this.run(false);
  }

  /** Ends ASCII mode: from now on chunks are decoded as UTF-8 (`pending` already holds the text). */
  private leaveAscii(): void {
    if (!this.ascii) return;
    this.ascii = false;
    this.pendingBytes = NO_BYTES;
    this.bounds = undefined;
  }

  /**
   * Finds every `sep` and `term` byte of `bytes` (the text of the next run, ASCII: every byte below
   * 0x80) for `bounds`, four bytes at a time; returns whether the bytes hold a control byte other than CR / LF (see
   * bytesHaveControl).
   */
  private scanBytes(bytes: Buffer, sep: number, term: number): boolean {
    const len = bytes.length;
    if (this.scratch.length < len) this.scratch = new Int32Array(Math.max(len, 2 * this.scratch.length));
    const out = this.scratch;
    let n = 0;
    let control = false;
    let i = 0;
    const head = Math.min(len, (4 - (bytes.byteOffset & 3)) & 3);
    // bytes[..]!, w[..]!: every index below is under len / words (a hot loop: no checks added).
    for (; i < head; i++) {
      const c = bytes[i]!;
      if (c === sep || c === term) out[n++] = i;
      if (isControlByte(c)) control = true; // delimiters too, as bytesHaveControl
    }
    const words = (len - i) >> 2;
    const w = words > 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset + i, words) : NO_WORDS;
    const sepPattern = Math.imul(sep, 0x01010101);
    const termPattern = Math.imul(term, 0x01010101);
    // Every byte is below 0x80 (ASCII), so per byte of a word nothing carries or borrows into the
    // next byte in these sums: byte + 0x7f has its high bit clear exactly when the byte is 0;
    // byte + 0x01 has it set exactly for 0x7f; byte - 0x20 sets it for bytes below 0x20 (the
    // lowest of them at least, which is enough to know there is one).
    for (let k = 0; k < words; k++) {
      const x = w[k]!;
      let m = ~(((x ^ sepPattern) + 0x7f7f7f7f) & ((x ^ termPattern) + 0x7f7f7f7f)) & 0x80808080;
      if (m !== 0) {
        const p = i + (k << 2);
        do {
          out[n++] = p + ((31 - Math.clz32(m & -m)) >> 3); // little-endian: byte j is bits 8j..8j+7
          m &= m - 1;
        } while (m !== 0);
      }
      if (!control && ((x - 0x20202020) | (x + 0x01010101)) & 0x80808080) {
        // A control byte, or a CR / LF: look at the four bytes.
        const p = i + (k << 2);
        control =
          isControlByte(bytes[p]!) ||
          isControlByte(bytes[p + 1]!) ||
          isControlByte(bytes[p + 2]!) ||
          isControlByte(bytes[p + 3]!);
      }
    }
    for (i += words << 2; i < len; i++) {
      const c = bytes[i]!;
      if (c === sep || c === term) out[n++] = i;
      if (isControlByte(c)) control = true; // delimiters too, as bytesHaveControl
    }
    // Segments keep these offsets: a copy of the exact size, as the scratch array is reused.
    this.bounds = out.slice(0, n);
    this.boundCodes = (sep << 8) | term;
    return control;
  }

  end(): void {
    if (this.ended) return;
    if (this.decoder) {
      const rest = this.decoder.end();
      if (rest) {
        this.pending += rest;
        this.control = true;
      }
    }
    this.run(true);
    this.ended = true;
    if (!this.sawContent) {
      this.handlers.error({
        code: 'EMPTY_INPUT',
        message: 'the input is empty',
        segmentPosition: 0,
        fileSegmentPosition: 0,
        segmentId: '',
      });
    }
  }

  private emitGarbageError(text: string, p: number): void {
    if (this.inGarbage) return;
    this.inGarbage = true;
    const id = leadingId(text, p);
    const pos = this.position + 1;
    if (!this.sawIsa) {
      this.handlers.error({
        code: 'NOT_X12',
        message: `the input does not start with an ISA segment (found ${JSON.stringify(text.slice(p, p + 10))})`,
        segmentPosition: pos,
        fileSegmentPosition: pos,
        segmentId: id,
      });
    } else {
      this.handlers.error({
        code: 'SEGMENT_OUTSIDE_ENVELOPE',
        message: `content outside an interchange (after IEA): ${JSON.stringify(text.slice(p, p + 20))}`,
        segmentPosition: pos,
        fileSegmentPosition: pos,
        segmentId: id,
      });
    }
  }

  private run(final: boolean): void {
    const text = this.pending;
    this.nextLf = this.nextCr = this.nextStructure = -1;
    this.boundCursor = 0;
    let pos = 0;
    const len = text.length;
    for (;;) {
      if (this.delimiters === undefined) {
        // Header mode: skip whitespace, expect ISA.
        while (pos < len && isSpace(text.charCodeAt(pos))) pos++;
        if (pos >= len) break;
        this.sawContent = true;
        if (len - pos < 4 && !final) break;
        if (text.startsWith('ISA', pos)) {
          const r = readIsa(text, pos, final, this.position + 1);
          if (r.kind === 'wait') break;
          if (r.kind === 'isa') {
            this.position++;
            this.sawIsa = true;
            this.inGarbage = false;
            this.badIsas = 0;
            this.delimiters = r.start.delimiters;
            this.nextStructure = -1;
            this.handlers.segment(r.segment, r.start);
            pos = r.end;
            this.scanned = pos;
            continue;
          }
          if (r.kind === 'invalid') {
            this.position++;
            this.handlers.error(r.error);
            this.sawIsa = true;
            this.inGarbage = true; // what follows belongs to the broken interchange: one error is enough
            if (++this.badIsas >= MAX_UNREADABLE_ISAS) {
              this.handlers.error({
                code: 'NOT_X12',
                message: `${MAX_UNREADABLE_ISAS} unreadable ISA segments in a row: the rest of the input is not read`,
                segmentPosition: this.position,
                fileSegmentPosition: this.position,
                segmentId: 'ISA',
              });
              this.gaveUp = true;
              pos = len;
              break;
            }
            const next = text.indexOf('ISA', pos + 3);
            pos = next === -1 ? (final ? len : Math.max(pos + 3, len - 2)) : next;
            if (next === -1) break;
            continue;
          }
        }
        // Not an ISA: skip to the next candidate.
        this.emitGarbageError(text, pos);
        const next = text.indexOf('ISA', pos + 1);
        if (next === -1) {
          pos = final ? len : Math.max(pos, len - 2);
          break;
        }
        pos = next;
        continue;
      }

      const d = this.delimiters;
      let end: number;
      // The segment's separators and terminator in `bounds` (when scanned): bounds[first..term].
      let first = -1;
      let term = -1;
      const bounds = this.bounds;
      if (
        bounds !== undefined &&
        this.boundCodes === ((d.element.charCodeAt(0) << 8) | d.segment.charCodeAt(0))
      ) {
        const n = bounds.length;
        const termCode = d.segment.charCodeAt(0);
        let c = this.boundCursor;
        // bounds[c]!: c < n; the offsets are inside the run's bytes.
        while (c < n && bounds[c]! < pos) c++;
        first = c;
        const bytes = this.pendingBytes; // the run's text, byte for character
        while (c < n && bytes[bounds[c]!] !== termCode) c++;
        this.boundCursor = c;
        if (c < n) term = c;
        end = term === -1 ? -1 : bounds[term]!;
      } else end = text.indexOf(d.segment, Math.max(pos, this.scanned));
      if (end === -1) {
        if (!final) break;
        if (pos < len) this.segmentText(text, pos, len, -1, -1);
        pos = len;
        break;
      }
      const rewind = this.segmentText(text, pos, end, first, term);
      if (rewind !== -1) {
        // A new ISA inside the current interchange (IEA missing): re-read it with its own delimiters.
        this.delimiters = undefined;
        pos = rewind;
        continue;
      }
      pos = end + 1;
    }
    this.pending = pos >= len ? '' : text.slice(pos);
    // A copy: the bytes may belong to the caller's chunk.
    if (this.ascii) this.pendingBytes = pos >= len ? NO_BYTES : Buffer.from(this.pendingBytes.subarray(pos));
    this.bounds = undefined; // offsets in this run's text
    this.scanned = this.delimiters === undefined ? 0 : this.pending.length;
  }

  /**
   * Handles the text of one segment [start, end). Returns -1, or the start offset of an ISA that
   * must be re-read in header mode.
   */
  private segmentText(text: string, start: number, end: number, first: number, term: number): number {
    let s = start;
    while (s < end && isSpace(text.charCodeAt(s))) s++;
    if (s === end) return -1;
    this.sawContent = true;
    const d = this.delimiters as Delimiters;
    if (
      text.charCodeAt(s) === 73 &&
      end - s > 3 &&
      text.startsWith('ISA', s) &&
      !isAlnum(text.charCodeAt(s + 3))
    )
      return s;
    if (this.nextLf < s) this.nextLf = indexOrEnd(text, '\n', s);
    if (this.nextCr < s) this.nextCr = indexOrEnd(text, '\r', s);
    if (this.nextStructure < s) {
      const c = indexOrEnd(text, d.component, s);
      this.nextStructure = d.repetition === undefined ? c : Math.min(c, indexOrEnd(text, d.repetition, s));
    }
    const unstructured = this.nextStructure >= end;
    let seg: Segment;
    if (this.nextLf < end || this.nextCr < end) {
      // Line breaks inside the segment (wrapped files): the segment gets its own text.
      const raw = text.slice(s, end).replace(/[\r\n]+/g, '');
      seg = new Segment(
        segmentId(raw, 0, raw.length, d),
        raw,
        d,
        ++this.position,
        undefined,
        this.control,
        unstructured,
      );
    } else if (term !== -1) {
      // Element ends: the separators found by scanBytes, then the terminator.
      const bounds = this.bounds as Int32Array;
      // first <= term < bounds.length (run found them); ID_SLOTS entries index KNOWN_IDS.
      const idEnd = bounds[first]!;
      const slot = idSlot(text, s, idEnd - s);
      const known = slot === -1 ? 0 : ID_SLOTS[slot]!;
      const id = known !== 0 ? KNOWN_IDS[known]! : text.slice(s, idEnd);
      seg = Segment.withEnds(
        id,
        text,
        s,
        end,
        d,
        ++this.position,
        this.control,
        unstructured,
        bounds,
        first,
        term - first + 1,
      );
    } else {
      const id = segmentId(text, s, end, d);
      seg = Segment.inText(id, text, s, end, d, ++this.position, this.control, unstructured);
    }
    this.handlers.segment(seg);
    if (seg.id === 'IEA') this.delimiters = undefined;
    return -1;
  }
}

/** Tokenizes a whole string or Buffer synchronously. */
export function tokenize(input: string | Buffer | Uint8Array, handlers: TokenizerHandlers): void {
  const t = new X12Tokenizer(handlers);
  t.push(input);
  t.end();
}
