/**
 * One X12 segment. A segment knows where its elements end in the text it was read from (from the
 * tokenizer's byte scan, or found on first access) and makes a string only for an element that is
 * read: `text(n)`, or `isEmpty` / `textIs` / `code2` without one. The element checks (schema.ts)
 * read the text in place through `inPlace` / `source` / `elementStart` / `elementEnd`.
 * `elements` (strings, composites and repetitions as objects) is built on first access.
 */
import type { Composite, Delimiters, Element, Repeated } from './types';

function composite(raw: string, component: string): Composite {
  return { kind: 'composite', components: raw.split(component), raw };
}

function repeated(raw: string, delimiters: Delimiters): Repeated {
  const parts = raw.split(delimiters.repetition as string);
  const repeats = new Array<string | Composite>(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!; // i < parts.length
    repeats[i] = p.indexOf(delimiters.component) === -1 ? p : composite(p, delimiters.component);
  }
  return { kind: 'repeated', repeats, raw };
}

/** Splits a segment's text into elements: composites and repetitions become objects. */
export function splitElements(raw: string, delimiters: Delimiters): Element[] {
  // indexOf + slice is about twice as fast as String.prototype.split here.
  const elements: Element[] = [];
  const sep = delimiters.element;
  let at = 0;
  for (;;) {
    const k = raw.indexOf(sep, at);
    if (k === -1) {
      elements.push(raw.slice(at));
      break;
    }
    elements.push(raw.slice(at, k));
    at = k + 1;
  }
  const hasComponent = raw.indexOf(delimiters.component) !== -1;
  const hasRepetition = delimiters.repetition !== undefined && raw.indexOf(delimiters.repetition) !== -1;
  if (hasComponent || hasRepetition) {
    for (let i = 1; i < elements.length; i++) {
      const e = elements[i] as string;
      if (hasRepetition && e.indexOf(delimiters.repetition as string) !== -1) {
        elements[i] = repeated(e, delimiters);
      } else if (hasComponent && e.indexOf(delimiters.component) !== -1) {
        elements[i] = composite(e, delimiters.component);
      }
    }
  }
  return elements;
}

/** Text of an element as sent (separators included for composites / repetitions). */
export function elementText(e: Element | undefined): string {
  return e === undefined ? '' : typeof e === 'string' ? e : e.raw;
}

/**
 * Element end offsets of many segments share slabs: one typed array per few thousand segments
 * instead of an array per segment (which cost as much as finding the separators, and more in
 * garbage collection). A segment keeps its slab and where its run of offsets starts.
 */
const SLAB_SIZE = 16384;
let slab = new Int32Array(SLAB_SIZE);
let slabUsed = 0;
const NO_ENDS = new Int32Array(0);

/** Segment flags. */
const GIVEN = 1; // the elements were given to the constructor (the ISA): not the split of `raw`
const STRUCTURED = 2; // `raw` holds a component or repetition separator: some elements are objects
const CONTROL = 4; // see `mayHaveControl`
const UNSTRUCTURED = 8; // the tokenizer knows `raw` holds no component or repetition separator

export class Segment {
  /**
   * The segment's characters are `src[from, to)`: `src` is `raw` itself, or the text the tokenizer
   * read the segment from (then `raw` is sliced only when asked for, and elements are sliced from
   * `src` directly).
   */
  private src: string;
  private from: number;
  private to: number;
  private rawText: string | undefined;
  private cached: Element[] | undefined;
  /**
   * Where each element ends in `src` (its separator, or `to` for the last one): `ends[base + n]`
   * for element n, `count` elements (the id included). Computed on first use (`count` is -1
   * before); texts are then sliced on demand, so a reader that checks every element but keeps a
   * few pays for a few strings.
   */
  private ends: Int32Array = NO_ENDS;
  private base = 0;
  private count = -1;
  private flags: number;

  constructor(
    /** Segment id ("BEG"). */
    readonly id: string,
    /** The segment text without terminator (and without line breaks). */
    raw: string,
    readonly delimiters: Delimiters,
    /** 1-based position of the segment in the whole input (whitespace does not count). */
    readonly filePosition: number,
    elements?: Element[],
    /** False when the tokenizer saw no control character in the text this segment came from. */
    mayHaveControl = true,
    /** True when the tokenizer knows `raw` holds no component or repetition separator. */
    unstructured = false,
    /** With `to`: the segment is `raw[from, to)` (see `inText`); by default all of `raw`. */
    from = 0,
    to = raw.length,
  ) {
    this.src = raw;
    this.from = from;
    this.to = to;
    this.rawText = from === 0 && to === raw.length ? raw : undefined;
    this.cached = elements;
    this.flags =
      (elements !== undefined ? GIVEN : 0) |
      (mayHaveControl ? CONTROL : 0) |
      (unstructured ? UNSTRUCTURED : 0);
  }

  /**
   * A segment whose text (without terminator and line breaks) is `text[from, to)`; `raw` is
   * sliced from `text` when it is read.
   */
  static inText(
    id: string,
    text: string,
    from: number,
    to: number,
    delimiters: Delimiters,
    filePosition: number,
    mayHaveControl: boolean,
    unstructured: boolean,
  ): Segment {
    return new Segment(id, text, delimiters, filePosition, undefined, mayHaveControl, unstructured, from, to);
  }

  /**
   * `inText` for a segment whose element ends the tokenizer already found: `ends[base, base +
   * count)`, offsets in `text` of its element separators and then of its end (`to`). The segment
   * keeps the array (which must not change).
   */
  static withEnds(
    id: string,
    text: string,
    from: number,
    to: number,
    delimiters: Delimiters,
    filePosition: number,
    mayHaveControl: boolean,
    unstructured: boolean,
    ends: Int32Array,
    base: number,
    count: number,
  ): Segment {
    const seg = Segment.inText(id, text, from, to, delimiters, filePosition, mayHaveControl, unstructured);
    seg.ends = ends;
    seg.base = base;
    seg.finishSplit(base + count);
    return seg;
  }

  /** False when the tokenizer saw no control character in the text this segment came from. */
  get mayHaveControl(): boolean {
    return (this.flags & CONTROL) !== 0;
  }

  /** The segment text without terminator (and without line breaks). */
  get raw(): string {
    return (this.rawText ??= this.src.slice(this.from, this.to));
  }

  /**
   * `elements[0]` is the segment id and `elements[n]` is element n (BEG03 = `elements[3]`).
   * A simple element is a string; composite and repeated elements are objects.
   */
  get elements(): Element[] {
    if (this.cached !== undefined) return this.cached;
    if (this.count >= 0 && (this.flags & STRUCTURED) === 0) {
      // Plain elements at known offsets: slices, no search.
      const out: Element[] = new Array<Element>(this.count);
      for (let n = 0; n < this.count; n++) out[n] = this.text(n);
      return (this.cached = out);
    }
    return (this.cached = splitElements(this.raw, this.delimiters));
  }

  /** Room for `most` end offsets: sets `ends` and `base`, returns `base`. */
  private reserve(most: number): number {
    let ends = slab;
    let at = slabUsed;
    if (at + most > ends.length) {
      if (most > SLAB_SIZE >> 2) {
        ends = new Int32Array(most); // a long segment gets its own
        at = 0;
      } else {
        slab = ends = new Int32Array(SLAB_SIZE);
        slabUsed = at = 0;
      }
    }
    this.ends = ends;
    this.base = at;
    return at;
  }

  /** The end offsets are written up to `ends[next - 1]`: sets `count` and the structure flag. */
  private finishSplit(next: number): number {
    if (this.ends === slab) slabUsed = next;
    if ((this.flags & UNSTRUCTURED) === 0) {
      const { src, from, to, delimiters: d } = this;
      const c = src.indexOf(d.component, from);
      const r = d.repetition === undefined ? -1 : src.indexOf(d.repetition, from);
      if ((c !== -1 && c < to) || (r !== -1 && r < to)) this.flags |= STRUCTURED;
    }
    return (this.count = next - this.base);
  }

  /** Finds the element boundaries; returns the element count (the id included). */
  private split(): number {
    const src = this.src;
    const from = this.from;
    const to = this.to;
    const sep = this.delimiters.element;
    let n = this.reserve(to - from + 1);
    const ends = this.ends;
    for (let k = src.indexOf(sep, from); k !== -1 && k < to; k = src.indexOf(sep, k + 1)) ends[n++] = k;
    ends[n++] = to;
    return this.finishSplit(n);
  }

  /**
   * Whether the elements can be read in place, as plain text at `elementStart` / `elementEnd` in
   * `source()` (false for given elements, and when the segment holds composites or repetitions:
   * then read `elements`).
   */
  inPlace(): boolean {
    if ((this.flags & GIVEN) !== 0) return false;
    if (this.count < 0) this.split();
    return (this.flags & STRUCTURED) === 0;
  }

  /** The text `elementStart` and `elementEnd` are offsets in. */
  source(): string {
    return this.src;
  }

  /** The element end offsets: element n ends at `endOffsets()[endBase() + n]`, after `inPlace()`. */
  endOffsets(): Int32Array {
    return this.ends;
  }

  endBase(): number {
    return this.base;
  }

  /** Offset in `source()` where element n starts; 0 <= n <= length, after `inPlace()`. */
  elementStart(n: number): number {
    // ends[base..base + count) are set by the scan or split; n <= length keeps inside (hot: no check).
    return n === 0 ? this.from : this.ends[this.base + n - 1]! + 1;
  }

  /** Offset in `source()` where element n ends; 0 <= n <= length, after `inPlace()`. */
  elementEnd(n: number): number {
    return this.ends[this.base + n]!; // as elementStart
  }

  /** Number of elements sent (BEG*00*SA*1 -> 3). */
  get length(): number {
    if ((this.flags & GIVEN) !== 0) return this.elements.length - 1;
    return (this.count < 0 ? this.split() : this.count) - 1;
  }

  /** Element n's text as sent, '' when absent. */
  text(n: number): string {
    if ((this.flags & GIVEN) !== 0) return elementText(this.elements[n]);
    const count = this.count < 0 ? this.split() : this.count;
    if (!(n >= 0 && n < count) || (n | 0) !== n) return '';
    // 0 <= n < count: ends[base + n] (and the one before it) are set.
    const at = this.base + n;
    return this.src.slice(n === 0 ? this.from : this.ends[at - 1]! + 1, this.ends[at]);
  }

  /** Whether element n is absent or empty (without making its text). */
  isEmpty(n: number): boolean {
    if ((this.flags & GIVEN) !== 0) return elementText(this.elements[n]) === '';
    const count = this.count < 0 ? this.split() : this.count;
    if (!(n >= 0 && n < count) || (n | 0) !== n) return true;
    const at = this.base + n; // 0 <= n < count, as in text()
    return this.ends[at] === (n === 0 ? this.from : this.ends[at - 1]! + 1);
  }

  /** Whether element n's text is `value` (without making its text). */
  textIs(n: number, value: string): boolean {
    if ((this.flags & GIVEN) !== 0) return elementText(this.elements[n]) === value;
    const count = this.count < 0 ? this.split() : this.count;
    if (!(n >= 0 && n < count) || (n | 0) !== n) return value === '';
    const at = this.base + n; // 0 <= n < count, as in text()
    const start = n === 0 ? this.from : this.ends[at - 1]! + 1;
    return this.ends[at]! - start === value.length && this.src.startsWith(value, start);
  }

  /**
   * Element n as a number when it has exactly two characters (first << 16 | second), else -1:
   * for comparing codes and qualifiers without making a string.
   */
  code2(n: number): number {
    if ((this.flags & GIVEN) !== 0) {
      const t = elementText(this.elements[n]);
      return t.length === 2 ? (t.charCodeAt(0) << 16) | t.charCodeAt(1) : -1;
    }
    const count = this.count < 0 ? this.split() : this.count;
    if (!(n >= 0 && n < count) || (n | 0) !== n) return -1;
    const at = this.base + n; // 0 <= n < count, as in text()
    const start = n === 0 ? this.from : this.ends[at - 1]! + 1;
    if (this.ends[at]! - start !== 2) return -1;
    return (this.src.charCodeAt(start) << 16) | this.src.charCodeAt(start + 1);
  }

  /** Component `c` (1-based) of element n; for a simple element component 1 is the element. */
  component(n: number, c: number): string {
    if (this.inPlace()) return c === 1 ? this.text(n) : '';
    const e = this.elements[n];
    if (e === undefined) return '';
    if (typeof e === 'string') return c === 1 ? e : '';
    if (e.kind === 'composite') return e.components[c - 1] ?? '';
    const first = e.repeats[0]!; // a split: at least one repeat
    if (typeof first === 'string') return c === 1 ? first : '';
    return first.components[c - 1] ?? '';
  }

  /** The repeats of element n (a single repeat when it is not repeated; [] when absent). */
  repeats(n: number): (string | Composite)[] {
    if (this.inPlace()) {
      const t = this.text(n);
      return t === '' ? [] : [t];
    }
    const e = this.elements[n];
    if (e === undefined || e === '') return [];
    if (typeof e === 'string' || e.kind === 'composite') return [e];
    return e.repeats;
  }

  /** Plain data, for JSON and test output. */
  toJSON(): { id: string; elements: Element[] } {
    return { id: this.id, elements: this.elements };
  }
}
