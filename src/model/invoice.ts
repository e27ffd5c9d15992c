import type { DecimalString } from './money';
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
