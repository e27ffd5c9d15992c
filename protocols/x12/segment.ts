/**
 * One X12 segment. Elements are split lazily on first access (and cached): the tokenizer only
 * finds segment boundaries and ids, so envelope processing does not pay for element strings it
 * never reads.
 */
import type { Composite, Delimiters, Element, Repeated } from './types';

function composite(raw: string, component: string): Composite {
  return { kind: 'composite', components: raw.split(component), raw };
}

function repeated(raw: string, delimiters: Delimiters): Repeated {
  const parts = raw.split(delimiters.repetition as string);
  const repeats: (string | Composite)[] = new Array(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
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

export class Segment {
  private cached: Element[] | undefined;

  constructor(
    /** Segment id ("BEG"). */
    readonly id: string,
    /** The segment text without terminator (and without line breaks). */
    readonly raw: string,
    readonly delimiters: Delimiters,
    /** 1-based position of the segment in the whole input (whitespace does not count). */
    readonly filePosition: number,
    elements?: Element[],
    /** False when the tokenizer saw no control character in the text this segment came from. */
    readonly mayHaveControl: boolean = true,
  ) {
    this.cached = elements;
  }

  /**
   * `elements[0]` is the segment id and `elements[n]` is element n (BEG03 = `elements[3]`).
   * A simple element is a string; composite and repeated elements are objects.
   */
  get elements(): Element[] {
    return (this.cached ??= splitElements(this.raw, this.delimiters));
  }

  /** Number of elements sent (BEG*00*SA*1 -> 3). */
  get length(): number {
    return this.elements.length - 1;
  }

  /** Element n's text as sent, '' when absent. */
  text(n: number): string {
    return elementText(this.elements[n]);
  }

  /** Component `c` (1-based) of element n; for a simple element component 1 is the element. */
  component(n: number, c: number): string {
    const e = this.elements[n];
    if (e === undefined) return '';
    if (typeof e === 'string') return c === 1 ? e : '';
    if (e.kind === 'composite') return e.components[c - 1] ?? '';
    const first = e.repeats[0];
    if (typeof first === 'string') return c === 1 ? first : '';
    return first.components[c - 1] ?? '';
  }

  /** The repeats of element n (a single repeat when it is not repeated; [] when absent). */
  repeats(n: number): (string | Composite)[] {
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
