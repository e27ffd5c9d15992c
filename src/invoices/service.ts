/**
 * Invoicing: invoices and credit memos from the `orders`/`order_lines` tables, gapless numbers from
 * platform/sequences, the rendered document sent through src/outbound (cXML InvoiceDetailRequest
 * and/or X12 810, per the partner's `outboundFormats`), payments and the invoice state they lead to.
 *
 * States: issued on creation (an invoice is numbered, stored, rendered and queued in one
 * transaction), then delivered or rejected by the buyer's answer; paid once payments reach the total;
 * credited once credit memos cancel the whole total. `draft` exists in the model but this service does
 * not create drafts (the number is only taken when an invoice is issued).
 */
import { randomUUID } from 'node:crypto';
import { buildInvoiceDetailRequest } from '../../protocols/cxml';
import { CXML_USER_AGENT, newPayloadId } from '../cxml/endpoint';
import { resendDelivery, type DeliveryHook } from '../delivery/service';
import { supplierCredential } from '../partners/supplier-secret';
import { renderX12 } from '../edi/outbound';
import { add, D, dec, formatMoney } from '../model';
import type { DecimalString, Invoice, InvoiceState, Tax } from '../model';
import { sendDocument, type RenderedDocument } from '../outbound/send';
import type { PartnerRow } from '../partners/repository';
import type { Config } from '../platform/config';
import { isUuid, type Db, type Q } from '../platform/db';
import { AppError, notFound } from '../platform/errors';
import { InvoiceCalcError } from './calc';
import { invoiceCreatedEvent, transitionInvoice } from './lifecycle';

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
 * The cXML InvoiceDetailRequest of an invoice, the cXML renderer of src/outbound (the X12 810 is
 * edi/outbound's renderX12).
 */
export function renderInvoiceDocument(
  invoice: Invoice,
  partner: PartnerRow,
  config: Config,
  opts: { now: Date; originalInvoicePayloadId?: string; deploymentMode?: 'production' | 'test' },
): RenderedDocument {
  const cxml = partner.settings.cxml;
  if (!cxml) throw new AppError('conflict', `partner ${partner.id} has no cXML settings`);
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
    docType: 'InvoiceDetailRequest',
    externalId: payloadId,
    status: 'pending',
    contentType: 'text/xml; charset=utf-8',
    content,
  };
}

export async function insertInvoice(
  trx: Q,
  d: {
    id: string;
    partnerId: string;
    orderId: string;
    invoice: Invoice;
    originalInvoiceId?: string;
    /** Who created it (the timeline's first event). */
    actor: string;
  },
): Promise<void> {
  const inv = d.invoice;
  // The invoice, its lines and its first event in one statement (one round trip: issuing an
  // invoice holds the gapless number's row lock until commit).
  const invoiceRow = {
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
  };
  const lines = inv.lines.map((l) => ({
    invoice_id: d.id,
    line_number: l.lineNumber,
    order_line_number: l.orderLineNumber,
    quantity: l.quantity,
    unit_price: l.unitPrice,
    subtotal: l.subtotal,
    tax: l.tax?.amount ?? '0',
  }));
  let q = trx.with('invoice', trx('invoices').insert(invoiceRow));
  if (lines.length) q = q.with('lines', trx('invoice_lines').insert(lines));
  await q.insert(invoiceCreatedEvent(d.id, d.actor)).into('invoice_events');
}

/**
 * Sends the invoice in each of the partner's formats (an X12 partner gets an 810 instead of or beside
 * the cXML InvoiceDetailRequest): src/outbound renders, stores and queues each; a partner with
 * nowhere to receive one is refused (conflict).
 */
export async function storeAndQueue(
  trx: Q,
  config: Config,
  partner: PartnerRow,
  invoiceId: string,
  orderId: string,
  invoice: Invoice,
  now: Date,
  opts: {
    originalInvoicePayloadId?: string;
    /** The order's deployment_mode, when the caller has read the order (else it is read here). */
    deploymentMode?: string;
  } = {},
): Promise<void> {
  const { originalInvoicePayloadId } = opts;
  await sendDocument(trx, {
    partner,
    kind: 'invoice',
    orderId,
    invoiceId,
    render: {
      x12: (q) =>
        renderX12(q, { config, now: () => now }, partner, { kind: '810', invoice, invoiceId, orderId }),
      cxml: async (q) => {
        const mode =
          opts.deploymentMode ??
          (
            await q('orders')
              .where({ id: orderId })
              .first<{ deployment_mode: string } | undefined>('deployment_mode')
          )?.deployment_mode;
        return renderInvoiceDocument(invoice, partner, config, {
          now,
          deploymentMode: mode === 'test' ? 'test' : 'production',
          ...(originalInvoicePayloadId ? { originalInvoicePayloadId } : {}),
        });
      },
    },
  });
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

/**
 * The latest outbound document of an invoice (the exact bytes delivered or being delivered), of one
 * protocol when given; a partner that takes both formats has a cXML and an X12 document (cXML first).
 */
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
export async function resendInvoice(
  db: Db,
  invoiceId: string,
  actor: string,
  partnerScope?: string,
): Promise<void> {
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
  const what = again.length === 1 ? 'document' : `${again.length} documents`;
  await db.transaction(async (trx) => {
    await transitionInvoice(trx, inv.id, 'resend', actor, `${what} sent again`, {
      changes: { rejectionReason: null },
    });
  });
  for (const v of again) await resendDelivery(db, v.id);
}

export async function recordPayment(
  db: Db,
  d: {
    invoiceId: string;
    amount: DecimalString;
    paidOn: string;
    reference?: string;
    partnerScope?: string;
    actor: string;
  },
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
    const paidAmount = formatMoney(paid, inv.currency.trim());
    await trx('invoices').where({ id: inv.id }).update({ paid_amount: paidAmount });
    if (paid.gte(due) && inv.state !== 'credited') {
      const ref = d.reference ? ` (${d.reference})` : '';
      await transitionInvoice(
        trx,
        inv.id,
        'pay',
        d.actor,
        `paid ${paidAmount} of ${formatMoney(due, inv.currency.trim())}${ref}`,
      );
    }
  });
  return { id };
}

/** The actor of the moves the buyer's answer to a delivery makes. */
export const DELIVERY_ACTOR = 'system:delivery';

export const invoiceDeliveryOutcome: DeliveryHook = async (q, { delivery, outcome, reason, invoiceId }) => {
  if (!invoiceId) return;
  // An invoice paid or credited in the meantime keeps its state (ifAllowed).
  if (outcome === 'delivered') {
    await transitionInvoice(q, invoiceId, 'deliver', DELIVERY_ACTOR, `delivery ${delivery.id}`, {
      ifAllowed: true,
      changes: { deliveredAt: 'now', rejectionReason: null },
    });
  } else if (outcome === 'rejected') {
    await transitionInvoice(q, invoiceId, 'reject', DELIVERY_ACTOR, reason ?? `delivery ${delivery.id}`, {
      ifAllowed: true,
      changes: { rejectionReason: reason },
    });
  }
  // 'failed' (retries exhausted): the invoice stays issued; the delivery shows why; resend retries.
};
