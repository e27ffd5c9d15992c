/**
 * Memoized X12 <-> Rec 20 unit conversion (the model's functions trim and upper-case each call).
 */
import { rec20ToX12Uom, x12UomToRec20 } from '../../src/model';

const toRec20 = new Map<string, string>();
const toX12 = new Map<string, string>();

/** Codes of two ASCII characters, by (first << 7 | second): no string hashing per line item. */
const toRec20Short: (string | undefined)[] = new Array<string | undefined>(1 << 14).fill(undefined);

export function uomFromX12(code: string): string {
  if (code.length === 2) {
    const c0 = code.charCodeAt(0);
    const c1 = code.charCodeAt(1);
    if ((c0 | c1) < 128) {
      const k = (c0 << 7) | c1;
      return (toRec20Short[k] ??= x12UomToRec20(code));
    }
  }
  let v = toRec20.get(code);
  if (v === undefined) {
    v = x12UomToRec20(code);
    if (toRec20.size < 1000) toRec20.set(code, v);
  }
  return v;
}

/** `uomFromX12` of the two-character code (c0, c1) (see Segment.code2). */
export function uomFromX12Pair(c0: number, c1: number): string {
  if ((c0 | c1) < 128) {
    const k = (c0 << 7) | c1;
    return (toRec20Short[k] ??= x12UomToRec20(String.fromCharCode(c0, c1)));
  }
  return uomFromX12(String.fromCharCode(c0, c1));
}

export function uomToX12(code: string): string {
  let v = toX12.get(code);
  if (v === undefined) {
    v = rec20ToX12Uom(code);
    if (toX12.size < 1000) toX12.set(code, v);
  }
  return v;
}
