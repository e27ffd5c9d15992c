/** Invoicing an order: what is left to invoice (or the lines asked for), numbered, issued and queued. */
import { randomUUID } from 'node:crypto';
import { countryCodeOf, D, dec } from '../model';
import type { Invoice, Order, Party } from '../model';
import { lockOrder, moveLocked } from '../orders/lifecycle';
import { buyerOrderDate, outboundFormats } from '../orders/outbound';
import type { OrderDbRow } from '../orders/repository';
import type { OrderLineRow } from '../orders/rows';
import { findPartner, type PartnerRow } from '../partners/repository';
import type { Config } from '../platform/config';
import type { Db } from '../platform/db';
import { AppError, notFound } from '../platform/errors';
import { INVOICE_NUMBERS, nextGapless } from '../platform/sequences';
import { addCalendarDays, computeInvoice } from './calc';
import { remainingQuantities } from './quantities';
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

/** Invoices an order (all that is not yet invoiced, or the requested lines), issues and queues it. */
export async function createInvoice(
  db: Db,
  config: Config,
  d: { orderId: string; request: InvoiceRequest; actor: string; now: Date; partnerScope?: string },
): Promise<InvoiceRow> {
  const id = randomUUID();
  await db.transaction(async (trx) => {
    const order = await trx<OrderDbRow>('orders').where({ id: d.orderId }).forUpdate().first();
    if (!order || (d.partnerScope && order.partner_id !== d.partnerScope)) throw notFound('order');
    const partner = await findPartner(trx, order.partner_id);
    if (!partner) throw notFound('partner');
    const canonical = order.canonical;
    const billTo = invoiceBillTo(order.buyer_order_number, canonical.billTo, partner);
    const rows = await trx<OrderLineRow>('order_lines').where({ order_id: order.id }).orderBy('line_number');
    const settings = partner.settings.invoicing;
    const requireShipped = settings?.requireShipped ?? false;
    const requested = d.request.lines ?? openLines(rows, requireShipped);
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
    const taxMode = settings?.taxMode ?? 'line';
    const lines = calcLines(requested, rows, canonical, settings);
    const invoiceDate = today(d.now);
    const netDays = canonical.paymentTerms?.netDays ?? settings?.paymentTermsDays ?? 30;
    // Everything that does not need the number comes first: the sequence row stays locked from
    // here to commit, and every other invoice waits for it.
    // One statement for every line (remainingQuantities refused a line requested twice).
    await addInvoicedQuantities(trx, order.id, requested, 1);
    // The order's transition is read now (its event names the number: it is written after).
    const locked = await lockOrder(trx, order.id);
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
        ...(billTo ? { billTo } : {}),
      });
    } catch (err) {
      fromCalcError(err);
    }
    invoice.dueDate ??= addCalendarDays(invoiceDate, netDays);
    await insertInvoice(trx, { id, partnerId: partner.id, orderId: order.id, invoice, actor: d.actor });
    await moveLocked(trx, order.id, locked, 'invoice', d.actor, `invoice ${invoiceNumber}`, undefined);
    await storeAndQueue(trx, config, partner, id, order.id, invoice, d.now, {
      deploymentMode: String(order.deployment_mode),
    });
  });
  return (await findInvoice(db, id)) as InvoiceRow;
}

/**
 * The order's bill-to as the invoice carries it. An order taken before intake derived country codes
 * may name its country only: the code is derived here too. An address a cXML invoice cannot write
 * (its PostalAddress needs street, city and isoCountryCode) is refused by name, not left to fail.
 */
function invoiceBillTo(
  orderNumber: string,
  billTo: Party | undefined,
  partner: PartnerRow,
): Party | undefined {
  const a = billTo?.address;
  if (!billTo || !a) return billTo;
  const countryCode = a.countryCode ?? (a.countryName ? countryCodeOf(a.countryName) : undefined);
  const address = { ...a, ...(countryCode ? { countryCode } : {}) };
  const missing = [
    ...(address.street.length === 0 ? ['street'] : []),
    ...(address.city ? [] : ['city']),
    ...(countryCode ? [] : [a.countryName ? `an ISO 3166-1 code for "${a.countryName}"` : 'country code']),
  ];
  if (missing.length > 0 && outboundFormats(partner).includes('cxml'))
    throw new AppError(
      'unprocessable',
      `order ${orderNumber}: its bill-to address lacks ${missing.join(', ')}, which the cXML invoice's PostalAddress requires`,
    );
  return { ...billTo, address };
}

/** Every line's quantity not yet invoiced (of what shipped, when the partner invoices only that). */
function openLines(rows: OrderLineRow[], requireShipped: boolean): LineRequest[] {
  return rows
    .map((r) => {
      const cap = requireShipped ? D.min(dec(r.shipped_quantity), dec(r.quantity)) : dec(r.quantity);
      return { lineNumber: r.line_number, quantity: cap.minus(dec(r.invoiced_quantity)).toFixed() };
    })
    .filter((l) => dec(l.quantity).gt(0));
}

/** The invoice calculation's lines: the order line's part, unit and price, the tax its settings give. */
function calcLines(
  requested: LineRequest[],
  rows: OrderLineRow[],
  canonical: Order,
  settings: PartnerRow['settings']['invoicing'],
): InvoiceCalcLine[] {
  const byNumber = new Map(rows.map((r) => [r.line_number, r]));
  const canonicalLine = new Map(canonical.lines.map((l) => [l.lineNumber, l]));
  return requested.map((r) => {
    const row = byNumber.get(r.lineNumber)!; // remainingQuantities refused numbers the order lacks
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
}
