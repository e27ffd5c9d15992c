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
import { storeDocument } from '../documents/store';
import { supplierCredential } from '../partners/supplier-secret';
import { sendInvoice810 } from '../edi/outbound';
import { D, add, dec, formatMoney } from '../model';
import type { DecimalString, Invoice, InvoiceState, Order, Tax } from '../model';
import { transitionOrder } from '../orders/lifecycle';
import { buyerOrderDate, outboundFormats } from '../orders/outbound';
import { findPartner, type PartnerRow } from '../partners/repository';
import type { Config } from '../platform/config';
import { isUuid, type Db, type Q } from '../platform/db';
import { AppError, notFound } from '../platform/errors';
import { CREDIT_MEMO_NUMBERS, INVOICE_NUMBERS, nextGapless } from '../platform/sequences';
import { addCalendarDays, computeInvoice, InvoiceCalcError, remainingQuantities } from './calc';
import type { InvoiceCalcLine } from './calc';

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

/**
 * The next number of a sequence, taken under a row lock held until the caller's transaction ends:
 * a rolled-back invoice gives its number back, so numbers stay gapless.
 */
function fromCalcError(err: unknown): never {
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
        to: cxml.credentials[0],
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

async function insertInvoice(
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
async function storeAndQueue(
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
  const mode = await trx('orders').where({ id: orderId }).first('deployment_mode');
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

const today = (now: Date): string => now.toISOString().slice(0, 10);

/** Invoices an order (all that is not yet invoiced, or the requested lines), issues and queues it. */
export async function createInvoice(
  db: Db,
  config: Config,
  d: { orderId: string; request: InvoiceRequest; actor: string; now: Date; partnerScope?: string },
): Promise<InvoiceRow> {
  const id = randomUUID();
  await db.transaction(async (trx) => {
    const order = await trx('orders').where({ id: d.orderId }).forUpdate().first();
    if (!order || (d.partnerScope && order.partner_id !== d.partnerScope)) throw notFound('order');
    const partner = await findPartner(trx, order.partner_id);
    if (!partner) throw notFound('partner');
    const canonical = order.canonical as Order;
    const rows = await trx('order_lines').where({ order_id: order.id }).orderBy('line_number');
    const settings = partner.settings.invoicing;
    const requireShipped = settings?.requireShipped ?? false;
    const requested: LineRequest[] =
      d.request.lines ??
      rows
        .map((r) => {
          const cap = requireShipped ? D.min(dec(r.shipped_quantity), dec(r.quantity)) : dec(r.quantity);
          return {
            lineNumber: r.line_number as number,
            quantity: cap.minus(dec(r.invoiced_quantity)).toFixed(),
          };
        })
        .filter((l) => dec(l.quantity).gt(0));
    if (requested.length === 0) {
      throw new AppError('conflict', `order ${order.buyer_order_number} has nothing left to invoice`);
    }
    const check = remainingQuantities(
      rows.map((r) => ({ lineNumber: r.line_number, quantity: r.quantity })),
      rows.map((r) => ({ lineNumber: r.line_number, quantity: r.invoiced_quantity })),
      requested,
      rows.map((r) => ({ lineNumber: r.line_number, quantity: r.shipped_quantity })),
      requireShipped,
    );
    if (!check.ok) {
      throw new AppError('unprocessable', check.errors.map((e) => e.message).join('; '), {
        details: check.errors.map((e) => ({ path: `lines[lineNumber=${e.lineNumber}]`, message: e.message })),
      });
    }
    const byNumber = new Map(rows.map((r) => [r.line_number as number, r]));
    const canonicalLine = new Map(canonical.lines.map((l) => [l.lineNumber, l]));
    const taxMode = settings?.taxMode ?? 'line';
    const lines: InvoiceCalcLine[] = requested.map((r) => {
      const row = byNumber.get(r.lineNumber);
      const lineTax = canonicalLine.get(r.lineNumber)?.tax;
      const rate = lineTax?.rate ?? settings?.taxRate;
      // cXML TaxDetail needs a category to carry a rate: the kind of tax configured for the rate.
      const kind = rate !== undefined ? taxKind(settings, rate, lineTax) : undefined;
      return {
        orderLineNumber: r.lineNumber,
        supplierPartId: row.sku,
        ...(row.description ? { description: row.description } : {}),
        unitOfMeasure: row.uom,
        unitPrice: dec(row.unit_price).toFixed(),
        quantity: r.quantity,
        ...(rate !== undefined && kind
          ? { taxRate: rate, taxCategory: kind.category, taxDescription: kind.description }
          : {}),
      };
    });
    const invoiceDate = today(d.now);
    const netDays = canonical.paymentTerms?.netDays ?? settings?.paymentTermsDays ?? 30;
    // Everything that does not need the number comes first: the sequence row stays locked from
    // here to commit, and every other invoice waits for it.
    for (const r of requested) {
      await trx('order_lines')
        .where({ order_id: order.id, line_number: r.lineNumber })
        .update({
          invoiced_quantity: trx.raw('invoiced_quantity + ?::numeric', [dec(r.quantity).toFixed()]),
        });
    }
    const invoiceNumber = (await nextGapless(trx, INVOICE_NUMBERS)).text;
    // The buyer's own orderDate (offset kept) goes into OrderReference/OrderIDInfo and BIG03.
    const orderDate = buyerOrderDate(canonical.orderDate);
    let invoice: Invoice;
    try {
      invoice = computeInvoice({
        invoiceNumber,
        invoiceDate,
        purpose: 'standard',
        currency: order.currency.trim(),
        buyerOrderNumber: order.buyer_order_number,
        ...(order.source_payload_id ? { orderPayloadId: order.source_payload_id } : {}),
        ...(orderDate ? { orderDate } : {}),
        ...(order.supplier_order_number ? { supplierOrderNumber: order.supplier_order_number } : {}),
        lines,
        taxMode,
        ...(d.request.shipping ? { shipping: d.request.shipping } : {}),
        ...(d.request.discount ? { discount: d.request.discount } : {}),
        ...(d.request.comments ? { comments: d.request.comments } : {}),
        paymentTermsNetDays: netDays,
        ...(canonical.billTo ? { billTo: canonical.billTo } : {}),
      });
    } catch (err) {
      fromCalcError(err);
    }
    invoice.dueDate ??= addCalendarDays(invoiceDate, netDays);
    await insertInvoice(trx, { id, partnerId: partner.id, orderId: order.id, invoice });
    await transitionOrder(trx, order.id, 'invoice', d.actor, `invoice ${invoiceNumber}`);
    await storeAndQueue(trx, config, partner, id, order.id, invoice, d.now);
  });
  return (await findInvoice(db, id)) as InvoiceRow;
}

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
    // Quantity still creditable per order line: invoiced here + already credited (negative).
    const open = new Map<number, InstanceType<typeof D>>();
    for (const l of original.canonical.lines) open.set(l.orderLineNumber, dec(l.quantity));
    for (const c of credits)
      for (const l of c.canonical.lines)
        open.set(l.orderLineNumber, (open.get(l.orderLineNumber) ?? new D(0)).plus(dec(l.quantity)));
    const requested =
      d.request.lines ??
      [...open.entries()]
        .filter(([, q]) => q.gt(0))
        .map(([lineNumber, q]) => ({ lineNumber, quantity: q.toFixed() }));
    if (requested.length === 0)
      throw new AppError('conflict', `invoice ${original.invoice_number} is fully credited`);
    const errors: string[] = [];
    for (const r of requested) {
      const left = open.get(r.lineNumber);
      if (left === undefined)
        errors.push(`order line ${r.lineNumber} is not on invoice ${original.invoice_number}`);
      else if (!/^\d+(\.\d+)?$/.test(r.quantity) || dec(r.quantity).lte(0))
        errors.push(`order line ${r.lineNumber}: quantity "${r.quantity}" must be a decimal number > 0`);
      else if (dec(r.quantity).gt(left))
        errors.push(
          `order line ${r.lineNumber}: credit ${r.quantity} exceeds the ${left.toFixed()} invoiced and not yet credited`,
        );
    }
    if (errors.length) throw new AppError('unprocessable', errors.join('; '));
    const src = new Map(original.canonical.lines.map((l) => [l.orderLineNumber, l]));
    const taxMode = partner.settings.invoicing?.taxMode ?? 'line';
    const lines: InvoiceCalcLine[] = requested.map((r) => {
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
    });
    for (const r of requested) {
      await trx('order_lines')
        .where({ order_id: original.order_id, line_number: r.lineNumber })
        .update({
          invoiced_quantity: trx.raw('invoiced_quantity - ?::numeric', [dec(r.quantity).toFixed()]),
        });
    }
    const credited = add(memo.total, ...credits.map((c) => c.total));
    if (credited.plus(dec(original.total)).lte(0)) {
      await trx('invoices').where({ id: original.id }).update({ state: 'credited' });
    }
    const originalDoc = await trx('documents')
      .where({ invoice_id: original.id, direction: 'out', protocol: 'cxml' })
      .orderBy('created_at')
      .first('external_id');
    await storeAndQueue(
      trx,
      config,
      partner,
      id,
      original.order_id,
      memo,
      d.now,
      originalDoc?.external_id ?? undefined,
    );
  });
  return (await findInvoice(db, id)) as InvoiceRow;
}

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
export async function invoiceDocument(q: Q, invoiceId: string, protocol?: 'cxml' | 'x12') {
  const query = q('documents as d')
    .leftJoin('deliveries as v', 'v.document_id', 'd.id')
    .where({ 'd.invoice_id': invoiceId, 'd.direction': 'out' });
  if (protocol) query.where('d.protocol', protocol);
  return query
    .orderBy('d.created_at', 'desc')
    .orderBy('d.protocol')
    .first(
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
  const doc = await q('documents').where({ id: delivery.document_id }).first('invoice_id');
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
