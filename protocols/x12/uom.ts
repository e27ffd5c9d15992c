/**
 * Memoized X12 <-> Rec 20 unit conversion (the model's functions trim and upper-case each call).
 */
import { rec20ToX12Uom, x12UomToRec20 } from '../../src/model';

const toRec20 = new Map<string, string>();
const toX12 = new Map<string, string>();

export function uomFromX12(code: string): string {
  let v = toRec20.get(code);
  if (v === undefined) {
    v = x12UomToRec20(code);
    if (toRec20.size < 1000) toRec20.set(code, v);
  }
  return v;
}

export function uomToX12(code: string): string {
  let v = toX12.get(code);
  if (v === undefined) {
    v = rec20ToX12Uom(code);
    if (toX12.size < 1000) toX12.set(code, v);
  }
  return v;
}
