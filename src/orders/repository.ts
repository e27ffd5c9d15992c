/**
 * The orders tables as the API sees them: rows of `orders` and the rows that hang off an order
 * (lines, versions, events, shipments, documents, attachments), mapped to the API's shapes here so
 * snake_case rows never leave this module.
 */
import { transitionEventView } from '../platform/lifecycle';
import type { Order } from '../model/order';
import type { OrderState } from '../model/order-state';
import { formatAmount, formatUnitPrice, toDecimalString } from '../model/money';
import type { Shipment } from '../model/shipment';
import { documentView, orderAttachment, orderAttachments, type DocumentRow } from '../documents/store';
import { acknowledgmentStates } from '../edi/acknowledgments';
import type { AppContext } from '../platform/context';
import { isUuid, onlyRow, type Q } from '../platform/db';
import { notFound } from '../platform/errors';
import type { OrderEventRow, OrderLineRow, OrderVersionRow, ShipmentRow } from './rows';

export interface OrderDbRow {
  id: string;
  partner_id: string;
  buyer_order_number: string;
  supplier_order_number: string;
  version: number;
  state: OrderState;
  type: string;
  source_protocol: string;
  source_payload_id: string | null;
  currency: string;
  total: string;
  order_date: Date | null;
  canonical: Order;
  flags: string[];
  deployment_mode: 'production' | 'test';
  created_at: Date;
  updated_at: Date;
}

export type OrderSummary = ReturnType<typeof orderSummary>;

export function orderSummary(r: OrderDbRow) {
  return {
    id: r.id,
    partnerId: r.partner_id,
    buyerOrderNumber: r.buyer_order_number,
    supplierOrderNumber: r.supplier_order_number,
    version: r.version,
    state: r.state,
    type: r.type,
    sourceProtocol: r.source_protocol,
    sourcePayloadId: r.source_payload_id,
    currency: String(r.currency).trim(),
    total: formatAmount(r.total, String(r.currency).trim()),
    orderDate: r.order_date ? new Date(r.order_date).toISOString() : null,
    flags: r.flags,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/** The order `id`, when `scope` (a partner id, or undefined for the supplier's staff) may see it. */
export async function findVisibleOrder(
  ctx: Pick<AppContext, 'db'>,
  id: string,
  scope: string | undefined,
): Promise<OrderDbRow> {
  if (!isUuid(id)) throw notFound('order');
  const query = ctx.db<OrderDbRow>('orders').where({ id });
  if (scope) query.where({ partner_id: scope });
  const row = await query.first();
  if (!row) throw notFound('order');
  return row;
}

export async function orderState(q: Q, id: string): Promise<OrderState> {
  const row = await q<OrderDbRow>('orders').where({ id }).first('state');
  if (!row) throw notFound('order');
  return row.state;
}

export interface OrderFilter {
  /** A partner id the caller is limited to (a partner key), or undefined for every partner. */
  scope?: string;
  partnerId?: string;
  status?: string;
  from?: string;
  to?: string;
  buyerOrderNumber?: string;
  limit: number;
  offset: number;
}

export async function listOrders(ctx: Pick<AppContext, 'db'>, f: OrderFilter) {
  const query = ctx.db<OrderDbRow>('orders');
  if (f.scope) query.where({ partner_id: f.scope });
  else if (f.partnerId) query.where({ partner_id: f.partnerId });
  if (f.status) query.whereIn('state', f.status.split(','));
  if (f.from) query.where('created_at', '>=', f.from);
  if (f.to) query.where('created_at', '<', f.to);
  if (f.buyerOrderNumber) query.where({ buyer_order_number: f.buyerOrderNumber });
  const { count } = onlyRow(await query.clone().count<{ count: string }[]>({ count: '*' }));
  const rows = await query.orderBy('created_at', 'desc').orderBy('id').limit(f.limit).offset(f.offset);
  return { items: rows.map(orderSummary), total: Number(count), limit: f.limit, offset: f.offset };
}

/** Everything the API shows of one order: lines, versions, history, shipments, documents, files. */
export async function orderDetail(ctx: AppContext, row: OrderDbRow) {
  const db = ctx.db;
  const [lines, versions, events, documents, shipments, attachments] = await Promise.all([
    db<OrderLineRow>('order_lines').where({ order_id: row.id }).orderBy('line_number'),
    db<OrderVersionRow>('order_versions').where({ order_id: row.id }).orderBy('version'),
    db<OrderEventRow>('order_events').where({ order_id: row.id }).orderBy('id'),
    db<DocumentRow>('documents').where({ order_id: row.id }).orderBy('created_at'),
    db<ShipmentRow>('shipments').where({ order_id: row.id }).orderBy('created_at'),
    orderAttachments(db, row.id),
  ]);
  const acks = await acknowledgmentStates(
    db,
    documents.filter((d) => d.protocol === 'x12' && d.direction === 'out').map((d) => d.id),
    ctx.now(),
  );
  const currency = String(row.currency).trim();
  return {
    ...orderSummary(row),
    order: row.canonical,
    lines: lines.map((l) => ({
      lineNumber: l.line_number,
      sku: l.sku,
      supplierAuxiliaryId: l.supplier_aux_id,
      description: l.description,
      quantity: toDecimalString(l.quantity),
      unitOfMeasure: l.uom,
      unitPrice: formatUnitPrice(l.unit_price, currency),
      shippedQuantity: toDecimalString(l.shipped_quantity),
      invoicedQuantity: toDecimalString(l.invoiced_quantity),
      status: l.status,
    })),
    versions: versions.map((v) => ({
      version: v.version,
      type: v.type,
      documentId: v.document_id,
      createdAt: new Date(v.created_at).toISOString(),
      order: v.canonical,
    })),
    events: events.map(transitionEventView),
    shipments: shipments.map((s) => ({
      id: s.id,
      shipmentNumber: s.shipment_number,
      carrier: s.carrier,
      trackingNumber: s.tracking_number,
      shippedAt: new Date(s.shipped_at).toISOString(),
      lines: (s.canonical as Shipment).lines,
    })),
    documents: documents.map((d) => {
      const ack = acks.get(d.id);
      return ack ? { ...documentView(d), acknowledgment: ack } : documentView(d);
    }),
    // Files that came with the buyer's documents (cXML attachments), without their bytes.
    attachments: attachments.map((a) => ({
      id: a.id,
      documentId: a.document_id,
      contentId: a.content_id,
      contentType: a.content_type,
      filename: a.filename,
      size: a.size,
      sha256: a.sha256,
      createdAt: new Date(a.created_at).toISOString(),
      href: `/api/v1/orders/${row.id}/attachments/${a.id}`,
    })),
  };
}

/** A file that came with the order, or undefined. */
export function findOrderAttachment(ctx: Pick<AppContext, 'db'>, orderId: string, attachmentId: string) {
  return isUuid(attachmentId) ? orderAttachment(ctx.db, orderId, attachmentId) : Promise.resolve(undefined);
}
