import type { DecimalString } from './money';
import { add, dec, mul, roundMoney, toDecimalString } from './money';
import type { Contact, Extrinsic, Party } from './party';

export type OrderType = 'new' | 'update' | 'cancel';

export interface Classification {
  /** e.g. UNSPSC, eCl@ss */
  domain: string;
  code: string;
}

export interface AccountingSegment {
  id: string;
  type?: string;
  description?: string;
}

export interface Distribution {
  /** Accounting name (cXML Accounting@name) */
  accountingName?: string;
  segments: AccountingSegment[];
  charge?: DecimalString;
}

export interface Tax {
  amount: DecimalString;
  description?: string;
  /** Percent, as a decimal string ("19" for 19 %). */
  rate?: DecimalString;
  category?: string;
  /** The amount the tax was computed on (a tax-summary row of an invoice carries it). */
  taxableAmount?: DecimalString;
}

export interface OrderLine {
  lineNumber: number;
  supplierPartId: string;
  /** cXML SupplierPartAuxiliaryID: identifies the punchout cart line the buyer saw. */
  supplierAuxiliaryId?: string;
  buyerPartId?: string;
  manufacturerName?: string;
  manufacturerPartId?: string;
  description?: string;
  quantity: DecimalString;
  /** UN/ECE Rec 20 code */
  unitOfMeasure: string;
  unitPrice: DecimalString;
  classifications: Classification[];
  requestedDeliveryDate?: string;
  distributions: Distribution[];
  tax?: Tax;
  shipTo?: Party;
  comments?: string[];
  extrinsics: Extrinsic[];
}

export interface Order {
  buyerOrderNumber: string;
  /** 1 for the first version; each accepted update adds one. */
  version: number;
  type: OrderType;
  /** ISO 8601 */
  orderDate: string;
  currency: string;
  /** Header total as sent by the buyer (may differ from computed; intake flags that). */
  total?: DecimalString;
  tax?: Tax;
  shipping?: { amount: DecimalString; description?: string };
  shipTo?: Party;
  billTo?: Party;
  contacts: Contact[];
  comments: string[];
  extrinsics: Extrinsic[];
  paymentTerms?: { netDays?: number; discountPercent?: DecimalString; discountDays?: number; text?: string };
  lines: OrderLine[];
}

export function lineAmount(line: Pick<OrderLine, 'quantity' | 'unitPrice'>): DecimalString {
  return toDecimalString(mul(line.quantity, line.unitPrice));
}

/** Sum of lines, computed with decimals, rounded to the currency. */
export function linesSubtotal(order: Pick<Order, 'lines' | 'currency'>): DecimalString {
  const sum = add(...order.lines.map((l) => mul(l.quantity, l.unitPrice)));
  return roundMoney(sum, order.currency).toFixed();
}

/** Lines + tax + shipping, rounded to the currency. */
export function computedTotal(order: Pick<Order, 'lines' | 'currency' | 'tax' | 'shipping'>): DecimalString {
  const parts = [linesSubtotal(order), order.tax?.amount ?? '0', order.shipping?.amount ?? '0'];
  return roundMoney(add(...parts), order.currency).toFixed();
}

/** True when the buyer's stated total equals ours within `tolerance` (default: one minor unit). */
export function totalMatches(order: Order, tolerance: DecimalString = '0.01'): boolean {
  if (order.total === undefined) return true;
  return dec(order.total)
    .minus(dec(computedTotal(order)))
    .abs()
    .lte(dec(tolerance));
}
