/**
 * The quantity rules of a catalog item, checked wherever a buyer sets a quantity (add to cart,
 * change a cart line, reorder): more than zero, no more than a sane maximum, a whole number for
 * units counted in pieces (UN/ECE Rec 20 units that cannot be divided), at least the minimum order
 * quantity, and a multiple of the order multiple. Pure: the message says what is wrong and what
 * would be accepted.
 */
import { dec } from './money';
import { REC20_COMMON } from './uom';

/** Rec 20 units counted in whole pieces: 1.5 of these is not a quantity anyone can ship. */
export const DISCRETE_UNITS: ReadonlySet<string> = new Set([
  'EA', 'C62', 'H87', 'PCE', 'BX', 'CS', 'CT', 'PK', 'PA', 'RM', 'DZN', 'PR', 'SET', 'RO', 'BG', 'BO',
  'CA', 'KT', 'NMP', 'NAR', 'PL', 'TU', 'BE', 'CR', 'DR', 'JR', 'TB', 'SA',
]); // prettier-ignore

/** The most a line may hold, whatever the item: a mistyped 99999999999 is refused, not priced. */
export const MAX_LINE_QUANTITY = '1000000';

export interface QuantityRules {
  unit: string;
  /** At least this many (default 1 piece or any positive amount). */
  minOrderQty?: string | null;
  /** Only multiples of this (a box of 12 sold in 12s). */
  orderMultiple?: string | null;
  max?: string;
}

const unitName = (unit: string) => REC20_COMMON[unit] ?? unit;

/** What is wrong with `quantity` under the rules, or undefined when it is accepted. */
export function quantityProblem(quantity: string, r: QuantityRules): string | undefined {
  const q = dec(quantity);
  const max = dec(r.max ?? MAX_LINE_QUANTITY);
  if (q.lte(0)) return 'The quantity must be more than 0.';
  if (q.gt(max)) return `At most ${max.toFixed()} ${r.unit} per line.`;
  if (DISCRETE_UNITS.has(r.unit) && !q.isInteger())
    return `The quantity must be a whole number: ${unitName(r.unit)} (${r.unit}) cannot be divided.`;
  const min = r.minOrderQty ? dec(r.minOrderQty) : undefined;
  if (min && q.lt(min)) return `The minimum order quantity is ${min.toFixed()} ${r.unit}.`;
  const step = r.orderMultiple ? dec(r.orderMultiple) : undefined;
  if (step && step.gt(0) && !q.mod(step).isZero()) {
    const lower = q.divToInt(step).times(step);
    const upper = lower.plus(step);
    const near =
      lower.gt(0) && (!min || lower.gte(min)) ? `${lower.toFixed()} or ${upper.toFixed()}` : upper.toFixed();
    return `Sold in multiples of ${step.toFixed()} ${r.unit}: ${q.toFixed()} is not one (try ${near}).`;
  }
  return undefined;
}

/** The least quantity the rules accept: the minimum order quantity (or 1), up to the order multiple. */
export function smallestQuantity(r: Omit<QuantityRules, 'max'>): string {
  const min = r.minOrderQty && dec(r.minOrderQty).gt(0) ? dec(r.minOrderQty) : dec('1');
  const base = DISCRETE_UNITS.has(r.unit) ? min.ceil() : min;
  const step = r.orderMultiple ? dec(r.orderMultiple) : undefined;
  if (!step || step.lte(0)) return base.toFixed();
  const n = base.div(step).ceil();
  return (n.lt(1) ? step : n.times(step)).toFixed();
}
