/** A credit memo against an invoice: what is still creditable (or the lines asked for), issued and queued. */
import { randomUUID } from 'node:crypto';
import { D, add, dec } from '../model';
import type { Invoice } from '../model';
import { findPartner, type PartnerRow } from '../partners/repository';
import type { Config } from '../platform/config';
import type { Db, Q } from '../platform/db';
import { AppError, notFound } from '../platform/errors';
import { CREDIT_MEMO_NUMBERS, nextGapless } from '../platform/sequences';
import { computeInvoice } from './calc';
import type { InvoiceCalcLine } from './calc';
import {
  fromCalcError,
  insertInvoice,
  storeAndQueue,
  taxKind,
  today,
  findInvoice,
  type InvoiceRequest,
  type InvoiceRow,
  type LineRequest,
  addInvoicedQuantities,
} from './service';
import { transitionInvoice } from './lifecycle';

/** A credit memo against an invoice: all of what is left uncredited, or the requested order lines. */
export async function createCreditMemo(
  db: Db,
  config: Config,
  d: {
    invoiceId: string;
    request: InvoiceRequest & { reason?: string };
    actor: string;
    now: Date;
    partnerScope?: string;
  },
): Promise<InvoiceRow> {
  const id = randomUUID();
  await db.transaction(async (trx) => {
    const original = await trx<InvoiceRow>('invoices').where({ id: d.invoiceId }).forUpdate().first();
    if (!original || (d.partnerScope && original.partner_id !== d.partnerScope)) throw notFound('invoice');
    if (original.purpose !== 'standard') throw new AppError('conflict', 'a credit memo cannot be credited');
    const partner = await findPartner(trx, original.partner_id);
    if (!partner) throw notFound('partner');
    const credits = await trx<InvoiceRow>('invoices').where({ original_invoice_id: original.id });
    const open = creditable(original, credits);
    const requested =
      d.request.lines ??
      [...open.entries()]
        .filter(([, q]) => q.gt(0))
        .map(([lineNumber, q]) => ({ lineNumber, quantity: q.toFixed() }));
    if (requested.length === 0)
      throw new AppError('conflict', `invoice ${original.invoice_number} is fully credited`);
    const errors = creditProblems(requested, open, original.invoice_number);
    if (errors.length) throw new AppError('unprocessable', errors.join('; '));
    const taxMode = partner.settings.invoicing?.taxMode ?? 'line';
    const lines = memoLines(requested, original, partner, taxMode);
    const invoiceNumber = (await nextGapless(trx, CREDIT_MEMO_NUMBERS)).text;
    let memo: Invoice;
    try {
      memo = computeInvoice({
        invoiceNumber,
        invoiceDate: today(d.now),
        purpose: 'creditMemo',
        currency: original.currency.trim(),
        buyerOrderNumber: original.canonical.buyerOrderNumber,
        ...(original.canonical.orderPayloadId ? { orderPayloadId: original.canonical.orderPayloadId } : {}),
        ...(original.canonical.orderDate ? { orderDate: original.canonical.orderDate } : {}),
        ...(original.canonical.supplierOrderNumber
          ? { supplierOrderNumber: original.canonical.supplierOrderNumber }
          : {}),
        originalInvoiceNumber: original.invoice_number,
        lines,
        taxMode,
        ...(d.request.shipping ? { shipping: d.request.shipping } : {}),
        ...(d.request.discount ? { discount: d.request.discount } : {}),
        ...(d.request.reason ? { comments: [d.request.reason] } : {}),
      });
    } catch (err) {
      fromCalcError(err);
    }
    await insertInvoice(trx, {
      id,
      partnerId: partner.id,
      orderId: original.order_id,
      invoice: memo,
      originalInvoiceId: original.id,
      actor: d.actor,
    });
    await releaseCredited(trx, original, credits, memo, requested, d.actor);
    const originalPayloadId = await firstPayloadId(trx, original.id);
    await storeAndQueue(trx, config, partner, id, original.order_id, memo, d.now, {
      ...(originalPayloadId ? { originalInvoicePayloadId: originalPayloadId } : {}),
    });
  });
  return (await findInvoice(db, id)) as InvoiceRow;
}

/** The payloadID of the invoice's first cXML document (what a credit memo refers to). */
async function firstPayloadId(trx: Q, invoiceId: string): Promise<string | undefined> {
  const doc = await trx<{
    invoice_id: string;
    direction: string;
    protocol: string;
    external_id: string | null;
  }>('documents')
    .where({ invoice_id: invoiceId, direction: 'out', protocol: 'cxml' })
    .orderBy('created_at')
    .first('external_id');
  return doc?.external_id ?? undefined;
}

type Quantities = Map<number, InstanceType<typeof D>>;

/** Quantity still creditable per order line: invoiced on the original + already credited (negative). */
function creditable(original: InvoiceRow, credits: InvoiceRow[]): Quantities {
  const open = new Map<number, InstanceType<typeof D>>();
  for (const l of original.canonical.lines) open.set(l.orderLineNumber, dec(l.quantity));
  for (const c of credits)
    for (const l of c.canonical.lines)
      open.set(l.orderLineNumber, (open.get(l.orderLineNumber) ?? new D(0)).plus(dec(l.quantity)));
  return open;
}

/** What is wrong with crediting `requested`, one message per line. */
function creditProblems(requested: LineRequest[], open: Quantities, invoiceNumber: string): string[] {
  const errors: string[] = [];
  for (const r of requested) {
    const left = open.get(r.lineNumber);
    if (left === undefined) errors.push(`order line ${r.lineNumber} is not on invoice ${invoiceNumber}`);
    else if (!/^\d+(\.\d+)?$/.test(r.quantity) || dec(r.quantity).lte(0))
      errors.push(`order line ${r.lineNumber}: quantity "${r.quantity}" must be a decimal number > 0`);
    else if (dec(r.quantity).gt(left))
      errors.push(
        `order line ${r.lineNumber}: credit ${r.quantity} exceeds the ${left.toFixed()} invoiced and not yet credited`,
      );
  }
  return errors;
}

/** The memo's lines: the original's part, unit and price, and the kind of tax the invoice had. */
function memoLines(
  requested: LineRequest[],
  original: InvoiceRow,
  partner: PartnerRow,
  taxMode: 'line' | 'header',
): InvoiceCalcLine[] {
  const src = new Map(original.canonical.lines.map((l) => [l.orderLineNumber, l]));
  return requested.map((r) => {
    const l = src.get(r.lineNumber)!;
    const header = taxMode === 'header' ? original.canonical.taxSummary?.[0] : undefined;
    const rate = l.tax?.rate ?? header?.rate;
    // The memo's taxes are the kind the invoice had.
    const source = l.tax ?? header;
    const kind = rate !== undefined ? taxKind(partner.settings.invoicing, rate, source) : undefined;
    return {
      orderLineNumber: r.lineNumber,
      supplierPartId: l.supplierPartId,
      ...(l.description ? { description: l.description } : {}),
      unitOfMeasure: l.unitOfMeasure,
      unitPrice: l.unitPrice,
      quantity: r.quantity,
      ...(rate !== undefined && kind
        ? { taxRate: rate, taxCategory: kind.category, taxDescription: kind.description }
        : {}),
    };
  });
}

/** The credited quantities go back to the order lines; an invoice credited in full is marked so. */
async function releaseCredited(
  trx: Q,
  original: InvoiceRow,
  credits: InvoiceRow[],
  memo: Invoice,
  requested: LineRequest[],
  actor: string,
): Promise<void> {
  await addInvoicedQuantities(trx, original.order_id, requested, -1);
  const credited = add(memo.total, ...credits.map((c) => c.total));
  if (credited.plus(dec(original.total)).lte(0)) {
    await transitionInvoice(trx, original.id, 'credit', actor, `credit memo ${memo.invoiceNumber}`);
  }
}
