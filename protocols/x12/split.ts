/**
 * Splits an X12 byte stream into interchanges without tokenizing it, so a file of any size can be
 * taken one interchange at a time (each one parsed, stored verbatim and acknowledged on its own)
 * while only that interchange is held in memory.
 *
 * A piece starts at an ISA and holds every byte up to the next interchange's ISA (the IEA, trailing
 * line breaks and anything after the IEA included, so the codec reports such content as it would for
 * the whole file). The first piece also holds what precedes the first ISA (a BOM, or garbage that the
 * codec then rejects). Pieces concatenated give back the input byte for byte.
 *
 * A new interchange starts where, after the current interchange's segment terminator and optional
 * whitespace, a segment begins with "ISA" and a separator: the rule the tokenizer uses for an ISA
 * inside an interchange (IEA missing), so "ISA" inside element data never splits. The terminator is
 * read from each ISA like the tokenizer does (fixed layout, or by counting 16 element separators with
 * line breaks skipped). After an unreadable ISA the next "ISA" followed by a separator starts a piece.
 * Chunk boundaries may fall anywhere, also inside a UTF-8 character, an ISA or a terminator.
 */
// The ISA layout and scan limit are the tokenizer's: both read an ISA the same way.
import { ISA_BODY_LENGTH, ISA_MAX_SCAN, ISA_SEPARATOR_OFFSETS, MAX_UNREADABLE_ISAS } from './tokenizer';

export interface InterchangeBytes {
  /** The interchange's bytes, verbatim. */
  bytes: Buffer;
  /** Offset of its first byte in the whole input. */
  offset: number;
}

/** Bytes of the window decoded to read an ISA (300 characters of up to 4 bytes, line breaks). */
const ISA_WINDOW_BYTES = 2048;

const I = 0x49;
const S = 0x53;
const A = 0x41;

function isAlnumByte(b: number): boolean {
  return (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122);
}

/** Whitespace the tokenizer skips between segments (ASCII space, tab, CR, LF, VT, FF, the BOM's bytes). */
function isSpaceByte(b: number): boolean {
  return (
    b === 32 ||
    b === 9 ||
    b === 10 ||
    b === 11 ||
    b === 12 ||
    b === 13 ||
    b === 0xef ||
    b === 0xbb ||
    b === 0xbf
  );
}

function isAlnumChar(c: number): boolean {
  return isAlnumByte(c);
}

/** Whether `buf[at..]` starts an ISA segment: "ISA" and a separator (not alphanumeric, not space). */
function isaAt(buf: Buffer, at: number): boolean | undefined {
  if (at + 4 > buf.length) return undefined;
  if (buf[at] !== I || buf[at + 1] !== S || buf[at + 2] !== A) return false;
  const sep = buf[at + 3]!; // at + 4 <= buf.length
  return !isAlnumByte(sep) && !isSpaceByte(sep);
}

type IsaRead = { kind: 'wait' } | { kind: 'invalid' } | { kind: 'isa'; terminator: Buffer; end: number };

/** Reads the ISA at `buf[at]` for its segment terminator; `end` is the offset after the terminator. */
function readIsa(buf: Buffer, at: number, final: boolean): IsaRead {
  const windowEnd = Math.min(buf.length, at + ISA_WINDOW_BYTES);
  const ranOut = windowEnd === buf.length && !final;
  const text = buf.toString('utf8', at, windowEnd);
  const sep = text.charCodeAt(3);
  let isa16 = -1;
  const fixed =
    text.length > ISA_BODY_LENGTH &&
    ISA_SEPARATOR_OFFSETS.every((o) => text.charCodeAt(o) === sep) &&
    !/[\r\n]/.test(text.slice(0, ISA_BODY_LENGTH));
  if (fixed) isa16 = ISA_BODY_LENGTH - 1;
  else {
    let logical = 0;
    let seps = 0;
    for (let q = 0; q < text.length && logical < ISA_MAX_SCAN; q++) {
      const c = text.charCodeAt(q);
      if (c === 10 || c === 13) continue;
      logical++;
      if (seps === 16) {
        isa16 = q;
        break;
      }
      if (c === sep) seps++;
    }
    if (isa16 === -1) return ranOut && logical < ISA_MAX_SCAN ? { kind: 'wait' } : { kind: 'invalid' };
  }
  // The terminator must not be the last character decoded: it could be a cut multi-byte character.
  if (isa16 + 2 >= text.length && ranOut) return { kind: 'wait' };
  if (isa16 + 1 >= text.length) return { kind: 'invalid' };
  const term = text.codePointAt(isa16 + 1) as number;
  // The tokenizer refuses these terminators too (and a surrogate pair is no delimiter).
  if (isAlnumChar(term) || term === 32 || term === 0xfffd || term > 0xffff) return { kind: 'invalid' };
  const terminator = Buffer.from(String.fromCodePoint(term), 'utf8');
  const end = at + Buffer.byteLength(text.slice(0, isa16 + 1), 'utf8') + terminator.length;
  return { kind: 'isa', terminator, end };
}

/**
 * Push bytes, get back the interchanges completed so far; `end()` returns the last one. Holds the
 * current interchange and a few bytes of look-ahead, never more.
 */
export class InterchangeSplitter {
  /** Bytes of the current piece already scanned. */
  private done: Buffer[] = [];
  private doneLength = 0;
  /** Bytes of the current piece not yet scanned to a conclusion. */
  private pending: Buffer = Buffer.alloc(0);
  /** Offset of the current piece in the input. */
  private offset = 0;
  /** Terminator of the current interchange; undefined before its ISA was read. */
  private terminator: Buffer | undefined;
  /** The current piece already holds an ISA (valid or not): the next ISA starts a new piece. */
  private sawIsa = false;
  /**
   * The pending bytes start right after a terminator and the white space that followed it: the
   * next run goes on skipping white space from there instead of searching for that terminator
   * again (which read a long run of trailing spaces once per chunk: 26 s for 30 MB).
   */
  private afterTerminator = false;
  /** Unreadable ISAs in a row; at MAX_UNREADABLE_ISAS the rest is one piece (the tokenizer stops there too). */
  private badIsas = 0;

  push(chunk: Buffer | Uint8Array): InterchangeBytes[] {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    if (b.length === 0) return [];
    return this.run(this.pending.length === 0 ? b : Buffer.concat([this.pending, b]), false);
  }

  end(): InterchangeBytes[] {
    const out = this.run(this.pending, true);
    const last = this.take(this.pending, this.pending.length);
    if (last.bytes.length > 0 || out.length === 0) out.push(last);
    return out;
  }

  /** Moves `work[0..upTo)` into the scanned part; the rest stays pending. */
  private keep(work: Buffer, upTo: number): void {
    if (upTo > 0) {
      this.done.push(work.subarray(0, upTo));
      this.doneLength += upTo;
    }
    this.pending = work.subarray(upTo);
  }

  /** Ends the current piece with `work[0..at)` and starts a new one at `at`. */
  private take(work: Buffer, at: number): InterchangeBytes {
    const parts = at > 0 ? [...this.done, work.subarray(0, at)] : this.done;
    const piece = { bytes: Buffer.concat(parts), offset: this.offset };
    this.offset += piece.bytes.length;
    this.done = [];
    this.doneLength = 0;
    this.terminator = undefined;
    this.sawIsa = false;
    this.afterTerminator = false;
    return piece;
  }

  private run(input: Buffer, final: boolean): InterchangeBytes[] {
    const out: InterchangeBytes[] = [];
    let work = input;
    let pos = 0;
    for (;;) {
      if (this.terminator === undefined) {
        if (this.badIsas >= MAX_UNREADABLE_ISAS) {
          this.keep(work, work.length);
          return out;
        }
        // Header: find the ISA of this piece (or, after a broken one, of the next piece).
        let at = work.indexOf('ISA', pos, 'latin1');
        while (at !== -1 && isaAt(work, at) === false) at = work.indexOf('ISA', at + 1, 'latin1');
        if (at === -1 || isaAt(work, at) === undefined) {
          const hold = at === -1 ? Math.max(pos, work.length - 3) : at;
          this.keep(work, final ? work.length : hold);
          return out;
        }
        if (this.sawIsa) {
          out.push(this.take(work, at));
          work = work.subarray(at);
          pos = 0;
          continue;
        }
        const isa = readIsa(work, at, final);
        if (isa.kind === 'wait') {
          this.keep(work, at);
          return out;
        }
        this.sawIsa = true;
        if (isa.kind === 'invalid') {
          this.badIsas++;
          pos = at + 3;
          continue;
        }
        this.badIsas = 0;
        this.terminator = isa.terminator;
        pos = isa.end;
        continue;
      }
      // Body: the next terminator followed by optional whitespace and an ISA starts the next piece.
      const term = this.terminator;
      let j: number;
      if (this.afterTerminator) j = pos;
      else {
        const k = work.indexOf(term, pos);
        if (k === -1) {
          this.keep(work, final ? work.length : Math.max(pos, work.length - term.length + 1));
          return out;
        }
        j = k + term.length;
      }
      while (j < work.length && isSpaceByte(work[j]!)) j++; // j < work.length
      const next = isaAt(work, j);
      if (next === undefined && !final) {
        // Everything up to j belongs to this piece whatever comes next: only the rest waits.
        this.afterTerminator = true;
        this.keep(work, j);
        return out;
      }
      this.afterTerminator = false;
      if (next === true) {
        out.push(this.take(work, j));
        work = work.subarray(j);
        pos = 0;
        continue;
      }
      // Blank lines after a newline terminator are empty segments: nothing to look for in them.
      pos = j;
    }
  }
}
