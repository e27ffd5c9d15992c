import { formatAmount, formatUnitPrice, isDecimalString, type DecimalString } from './money';
import type { Party } from './party';
import type { Tax } from './order';

export type InvoicePurpose = 'standard' | 'creditMemo';

export const INVOICE_STATES = ['draft', 'issued', 'delivered', 'rejected', 'paid', 'credited'] as const;
export type InvoiceState = (typeof INVOICE_STATES)[number];

export interface InvoiceLine {
  lineNumber: number;
  /** The order line it bills. */
  orderLineNumber: number;
  supplierPartId: string;
  description?: string;
  quantity: DecimalString;
  unitOfMeasure: string;
  unitPrice: DecimalString;
  /** quantity x unitPrice, rounded to the currency */
  subtotal: DecimalString;
  tax?: Tax;
}

export interface Invoice {
  invoiceNumber: string;
  purpose: InvoicePurpose;
  /** ISO 8601 */
  invoiceDate: string;
  dueDate?: string;
  currency: string;
  buyerOrderNumber: string;
  /** payloadID of the OrderRequest it references, when the order came in as cXML. */
  orderPayloadId?: string;
  orderDate?: string;
  /** The supplier's own number of the order (orders.supplier_order_number; cXML SupplierOrderInfo). */
  supplierOrderNumber?: string;
  /** For credit memos: the invoice being credited. */
  originalInvoiceNumber?: string;
  billTo?: Party;
  remitTo?: Party;
  shipTo?: Party;
  lines: InvoiceLine[];
  /** Header-level tax when the partner taxes at header. */
  tax?: Tax;
  /** Tax per rate and category (amount and taxableAmount), whatever the tax mode; what a VAT summary prints. */
  taxSummary?: Tax[];
  shipping?: DecimalString;
  discount?: DecimalString;
  subtotal: DecimalString;
  taxTotal: DecimalString;
  /** subtotal + tax + shipping - discount; negative for credit memos. */
  total: DecimalString;
  paymentTermsNetDays?: number;
  comments?: string[];
}

/**
 * The invoice with every amount written with its currency's scale (formatAmount) and every unit price
 * as formatUnitPrice writes it, the one form that documents, pages, PDFs, CSV and the API show:
 * "13.5" -> "13.50", "4.2000" -> "4.20" for USD; "259" for JPY. Nothing is rounded.
 */
export function withCurrencyScale(invoice: Invoice): Invoice {
  const c = invoice.currency;
  const amt = (v: DecimalString): DecimalString => (isDecimalString(v.trim()) ? formatAmount(v, c) : v);
  const tax = (t: Tax): Tax => {
    const out: Tax = { ...t, amount: amt(t.amount) };
    if (t.taxableAmount !== undefined) out.taxableAmount = amt(t.taxableAmount);
    return out;
  };
  const out: Invoice = {
    ...invoice,
    subtotal: amt(invoice.subtotal),
    taxTotal: amt(invoice.taxTotal),
    total: amt(invoice.total),
    lines: invoice.lines.map((l) => {
      const line: InvoiceLine = {
        ...l,
        unitPrice: isDecimalString(l.unitPrice.trim()) ? formatUnitPrice(l.unitPrice, c) : l.unitPrice,
        subtotal: amt(l.subtotal),
      };
      if (l.tax) line.tax = tax(l.tax);
      return line;
    }),
  };
  if (invoice.tax) out.tax = tax(invoice.tax);
  if (invoice.taxSummary) out.taxSummary = invoice.taxSummary.map(tax);
  if (invoice.shipping !== undefined) out.shipping = amt(invoice.shipping);
  if (invoice.discount !== undefined) out.discount = amt(invoice.discount);
  return out;
}
