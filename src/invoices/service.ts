/**
 * Invoicing: invoices and credit memos from the `orders`/`order_lines` tables, gapless numbers from
 * platform/sequences, delivery of the rendered document through the format-neutral delivery path
 * (cXML InvoiceDetailRequest and/or X12 810, per the partner's `outboundFormats`), payments and the
 * invoice state they lead to.
 *
 * States: issued on creation (an invoice is numbered, stored, rendered and queued in one
 * transaction), then delivered or rejected by the buyer's answer; paid once payments reach the total;
 * credited once credit memos cancel the whole total. `draft` exists in the model but this service does
 * not create drafts (the number is only taken when an invoice is issued).
 */
import { randomUUID } from 'node:crypto';
import { buildInvoiceDetailRequest } from '../../protocols/cxml';
import { CXML_USER_AGENT, newPayloadId } from '../cxml/endpoint';
import { queueDelivery, resendDelivery, type DeliveryHook } from '../delivery/service';
import { storeDocument, type DocumentRow } from '../documents/store';
import { supplierCredential } from '../partners/supplier-secret';
import { sendInvoice810 } from '../edi/outbound';
import { add, D, dec, formatMoney } from '../model';
import type { DecimalString, Invoice, InvoiceState, Tax } from '../model';
import { outboundFormats } from '../orders/outbound';
import type { OrderDbRow } from '../orders/repository';
import type { PartnerRow } from '../partners/repository';
import type { Config } from '../platform/config';
import { isUuid, type Db, type Q } from '../platform/db';
import { AppError, notFound } from '../platform/errors';
import { InvoiceCalcError } from './calc';

const CATEGORY_LABEL: Record<string, string> = {
  sales: 'Sales tax',
  usage: 'Use tax',
  vat: 'VAT',
  gst: 'GST',
};

/**
 * What a tax rate is, for the invoice's TaxDetail@category / TXI01 and its Description: the buyer's
 * own category and description when its order line carried them, else the partner's
 * `invoicing.taxRates` entry of that rate (US sales tax "sales" -> TXI ST, VAT "vat" -> TXI VA).
 * A rate nobody described (settings from before taxRates) is VAT, as invoices were before.
 */
export function taxKind(
  settings: PartnerRow['settings']['invoicing'],
  rate: DecimalString,
  lineTax?: Tax,
): { category: string; description: string } {
  const entry = (settings?.taxRates ?? []).find((t) => dec(t.rate).eq(dec(rate)));
  const category = lineTax?.category ?? entry?.category ?? 'vat';
  const description =
    lineTax?.description ??
    (entry && entry.category === category ? entry.description : undefined) ??
    `${CATEGORY_LABEL[category] ?? category} ${dec(rate).toFixed()}%`;
  return { category, description };
}

export interface InvoiceRow {
  id: string;
  partner_id: string;
  order_id: string;
  invoice_number: string;
  purpose: 'standard' | 'creditMemo';
  state: InvoiceState;
  currency: string;
  subtotal: string;
  tax_total: string;
  total: string;
  paid_amount: string;
  invoice_date: string;
  due_date: string | null;
  original_invoice_id: string | null;
  canonical: Invoice;
  rejection_reason: string | null;
  delivered_at: Date | null;
  created_at: Date;
  /** What is still to be paid (lists only: queries.ts OPEN_AMOUNT_SQL). */
  open_amount?: string;
}

/** A row of `payments`. */
export interface PaymentRow {
  id: string;
  invoice_id: string;
  partner_id: string;
  amount: string;
  /** ISO date (platform/db.ts keeps dates as strings). */
  paid_on: string;
  reference: string | null;
  created_at: Date;
}

export interface LineRequest {
  lineNumber: number;
  quantity: DecimalString;
}

export interface InvoiceRequest {
  lines?: LineRequest[];
  shipping?: DecimalString;
  discount?: DecimalString;
  comments?: string[];
}

export type InvoiceFormat = 'cxml';

export interface RenderedDocument {
  protocol: 'cxml';
  docType: string;
  contentType: string;
  content: string;
  externalId: string;
  url: string;
}

/** A calculation refused (a negative total, a bad amount): the API's validation error naming the field. */
export function fromCalcError(err: unknown): never {
  if (err instanceof InvoiceCalcError) {
    throw new AppError('validation_failed', err.message, {
      details: [{ path: err.field, message: err.message }],
    });
  }
  throw err;
}

/**
 * The cXML InvoiceDetailRequest of an invoice. (The X12 810 needs control numbers, taken in the
 * transaction: `sendInvoice810` in src/edi renders, stores and queues it.)
 */
export function renderInvoiceDocument(
  invoice: Invoice,
  partner: PartnerRow,
  format: InvoiceFormat,
  config: Config,
  opts: { now: Date; originalInvoicePayloadId?: string; deploymentMode?: 'production' | 'test' },
): RenderedDocument {
  if (format !== 'cxml')
    throw new AppError('not_implemented', `invoice format ${String(format)} is not supported`);
  const cxml = partner.settings.cxml;
  if (!cxml?.outboundUrl) {
    throw new AppError('conflict', `partner ${partner.id} has no cxml.outboundUrl to deliver invoices to`);
  }
  const payloadId = newPayloadId(opts.now);
  const content = buildInvoiceDetailRequest(
    {
      payloadId,
      timestamp: opts.now,
      deploymentMode: opts.deploymentMode ?? 'production',
      header: {
        from: { domain: config.SUPPLIER_CXML_DOMAIN, identity: config.SUPPLIER_CXML_IDENTITY },
        to: cxml.credentials[0]!, // the partner schema asks for at least one
        sender: {
          credentials: supplierCredential(config, partner),
          userAgent: CXML_USER_AGENT,
        },
      },
    },
    invoice,
    opts.originalInvoicePayloadId ? { originalInvoicePayloadId: opts.originalInvoicePayloadId } : {},
  );
  return {
    protocol: 'cxml',
    docType: 'InvoiceDetailRequest',
    contentType: 'text/xml; charset=utf-8',
    content,
    externalId: payloadId,
    url: cxml.outboundUrl,
  };
}

export async function insertInvoice(
  trx: Q,
  d: { id: string; partnerId: string; orderId: string; invoice: Invoice; originalInvoiceId?: string },
): Promise<void> {
  const inv = d.invoice;
  await trx('invoices').insert({
    id: d.id,
    partner_id: d.partnerId,
    order_id: d.orderId,
    invoice_number: inv.invoiceNumber,
    purpose: inv.purpose,
    state: 'issued',
    currency: inv.currency,
    subtotal: inv.subtotal,
    tax_total: inv.taxTotal,
    total: inv.total,
    invoice_date: inv.invoiceDate,
    due_date: inv.dueDate ?? null,
    original_invoice_id: d.originalInvoiceId ?? null,
    canonical: JSON.stringify(inv),
  });
  await trx('invoice_lines').insert(
    inv.lines.map((l) => ({
      invoice_id: d.id,
      line_number: l.lineNumber,
      order_line_number: l.orderLineNumber,
      quantity: l.quantity,
      unit_price: l.unitPrice,
      subtotal: l.subtotal,
      tax: l.tax?.amount ?? '0',
    })),
  );
}

/**
 * Renders the invoice in each of the partner's formats (an X12 partner gets an 810 instead of or beside
 * the cXML InvoiceDetailRequest), stores each document and queues its delivery.
 */
export async function storeAndQueue(
  trx: Q,
  config: Config,
  partner: PartnerRow,
  invoiceId: string,
  orderId: string,
  invoice: Invoice,
  now: Date,
  originalInvoicePayloadId?: string,
): Promise<void> {
  const formats = outboundFormats(partner);
  const mode = await trx<OrderDbRow>('orders').where({ id: orderId }).first('deployment_mode');
  const deploymentMode: 'production' | 'test' = mode?.deployment_mode === 'test' ? 'test' : 'production';
  if (formats.includes('x12'))
    await sendInvoice810(trx, { config, now: () => now }, partner, { invoice, invoiceId, orderId });
  if (!formats.includes('cxml')) return;
  const rendered = renderInvoiceDocument(invoice, partner, 'cxml', config, {
    now,
    deploymentMode,
    ...(originalInvoicePayloadId ? { originalInvoicePayloadId } : {}),
  });
  const documentId = await storeDocument(trx, {
    partnerId: partner.id,
    protocol: rendered.protocol,
    docType: rendered.docType,
    direction: 'out',
    externalId: rendered.externalId,
    status: 'pending',
    contentType: rendered.contentType,
    content: rendered.content,
    orderId,
    invoiceId,
  });
  await queueDelivery(trx, { partnerId: partner.id, documentId, url: rendered.url });
}

/**
 * Adds (sign 1) or takes back (sign -1) the quantities of `lines` to the order lines' invoiced
 * quantities in one statement, one round trip however many lines (a line listed twice counts twice,
 * as one update per line did).
 */
export async function addInvoicedQuantities(
  trx: Q,
  orderId: string,
  lines: readonly LineRequest[],
  sign: 1 | -1,
): Promise<void> {
  const byLine = new Map<number, InstanceType<typeof D>>();
  for (const l of lines)
    byLine.set(l.lineNumber, (byLine.get(l.lineNumber) ?? new D(0)).plus(dec(l.quantity).times(sign)));
  const deltas = [...byLine].map(([n, q]) => ({ n, q: q.toFixed() }));
  await trx.raw(
    `update order_lines l set invoiced_quantity = l.invoiced_quantity + v.q::numeric
     from json_to_recordset(?::json) as v(n integer, q text)
     where l.order_id = ? and l.line_number = v.n`,
    [JSON.stringify(deltas), orderId],
  );
}

export const today = (now: Date): string => now.toISOString().slice(0, 10);

export async function findInvoice(q: Q, id: string, partnerScope?: string): Promise<InvoiceRow | undefined> {
  if (!isUuid(id)) return undefined;
  const query = q<InvoiceRow>('invoices').where({ id });
  if (partnerScope) query.where({ partner_id: partnerScope });
  return query.first();
}

/**
 * The latest outbound document of an invoice (the exact bytes delivered or being delivered), of one
 * protocol when given; a partner that takes both formats has a cXML and an X12 document (cXML first).
 */
/** An invoice's stored outbound document with its delivery (invoiceDocument). */
export interface InvoiceDocumentRow {
  id: string;
  content: Buffer;
  content_type: string;
  external_id: string | null;
  delivery_id: string | null;
  delivery_status: string | null;
  attempts: number | null;
  last_error: string | null;
}

export async function invoiceDocument(
  q: Q,
  invoiceId: string,
  protocol?: 'cxml' | 'x12',
): Promise<InvoiceDocumentRow | undefined> {
  const query = q('documents as d')
    .leftJoin('deliveries as v', 'v.document_id', 'd.id')
    .where({ 'd.invoice_id': invoiceId, 'd.direction': 'out' });
  if (protocol) query.where('d.protocol', protocol);
  return query
    .orderBy('d.created_at', 'desc')
    .orderBy('d.protocol')
    .first<InvoiceDocumentRow | undefined>(
      'd.id',
      'd.content',
      'd.content_type',
      'd.external_id',
      'v.id as delivery_id',
      'v.status as delivery_status',
      'v.attempts',
      'v.last_error',
    );
}

/**
 * Sends the stored documents again (same bytes, same payloadID / control numbers): every delivery of
 * the invoice that was rejected or gave up (a partner taking cXML and X12 has one of each).
 */
export async function resendInvoice(db: Db, invoiceId: string, partnerScope?: string): Promise<void> {
  const inv = await findInvoice(db, invoiceId, partnerScope);
  if (!inv) throw notFound('invoice');
  const deliveries: { id: string; status: string }[] = await db('deliveries as v')
    .join('documents as d', 'd.id', 'v.document_id')
    .where({ 'd.invoice_id': inv.id, 'd.direction': 'out' })
    .select('v.id', 'v.status');
  if (deliveries.length === 0)
    throw new AppError('conflict', `invoice ${inv.invoice_number} has no delivery`);
  const again = deliveries.filter((v) => v.status === 'rejected' || v.status === 'failed');
  if (again.length === 0) {
    if (deliveries.some((v) => v.status === 'pending'))
      throw new AppError('conflict', 'delivery is still in progress');
    throw new AppError('conflict', 'invoice was already delivered');
  }
  await db('invoices').where({ id: inv.id }).update({ state: 'issued', rejection_reason: null });
  for (const v of again) await resendDelivery(db, v.id);
}

export async function recordPayment(
  db: Db,
  d: { invoiceId: string; amount: DecimalString; paidOn: string; reference?: string; partnerScope?: string },
): Promise<{ id: string }> {
  const id = randomUUID();
  await db.transaction(async (trx) => {
    const inv = await trx<InvoiceRow>('invoices').where({ id: d.invoiceId }).forUpdate().first();
    if (!inv || (d.partnerScope && inv.partner_id !== d.partnerScope)) throw notFound('invoice');
    if (inv.purpose !== 'standard') throw new AppError('conflict', 'payments are recorded against invoices');
    await trx('payments').insert({
      id,
      invoice_id: inv.id,
      partner_id: inv.partner_id,
      amount: d.amount,
      paid_on: d.paidOn,
      reference: d.reference ?? null,
    });
    const paid = add(inv.paid_amount, d.amount);
    const credited = await trx('invoices').where({ original_invoice_id: inv.id }).sum({ s: 'total' }).first();
    const due = dec(inv.total).plus(dec(String(credited?.s ?? '0')));
    await trx('invoices')
      .where({ id: inv.id })
      .update({
        paid_amount: formatMoney(paid, inv.currency.trim()),
        ...(paid.gte(due) && inv.state !== 'credited' ? { state: 'paid' } : {}),
      });
  });
  return { id };
}

export const invoiceDeliveryOutcome: DeliveryHook = async (q, { delivery, outcome, reason }) => {
  const doc = await q<DocumentRow>('documents').where({ id: delivery.document_id }).first('invoice_id');
  if (!doc?.invoice_id) return;
  if (outcome === 'delivered') {
    await q('invoices')
      .where({ id: doc.invoice_id })
      .whereIn('state', ['issued', 'rejected'])
      .update({ state: 'delivered', delivered_at: q.fn.now(), rejection_reason: null });
  } else if (outcome === 'rejected') {
    await q('invoices')
      .where({ id: doc.invoice_id })
      .whereIn('state', ['issued', 'delivered'])
      .update({ state: 'rejected', rejection_reason: reason });
  }
  // 'failed' (retries exhausted): the invoice stays issued; the delivery shows why; resend retries.
};
