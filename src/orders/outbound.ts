/**
 * Documents we send to the buyer about an order: ConfirmationRequest, ShipNoticeRequest and
 * StatusUpdateRequest, and the 855 / 856 of a partner that takes X12 (instead or beside, per its
 * `outboundFormats`). This file holds the cXML renderers; src/outbound/send.ts asks each format's
 * renderer for the document, stores it verbatim linked to the order and queues its delivery (the
 * partner's `cxml.outboundUrl` or AS2 station, src/outbound/plan.ts) in the caller's transaction.
 * Without a target the document is kept (status "stored") and nothing is sent.
 * These functions do not change the order's state: they are the follow-ups `transitionOrder`
 * (src/orders/lifecycle.ts) runs on entering a state, as ORDER_PROCESS names them.
 */
import { orderAck855, renderX12 } from '../edi/outbound';
import {
  buildConfirmationRequest,
  buildShipNoticeRequest,
  buildStatusUpdateRequest,
  confirmationLinesFromOrder,
  parseCxmlDate,
  type ConfirmationLine,
  type OrderReferenceInput,
  type RequestEnvelopeInput,
} from '../../protocols/cxml';
import type { Order } from '../model/order';
import type { OrderState } from '../model/order-state';
import type { Shipment } from '../model/shipment';
import { CXML_USER_AGENT, eventPayloadId, newPayloadId } from '../cxml/endpoint';
import type { AppContext } from '../platform/context';
import type { Q } from '../platform/db';
import { AppError } from '../platform/errors';
import { findPartner, type PartnerRow } from '../partners/repository';
import { supplierCredential } from '../partners/supplier-secret';
import { outboundRoutes } from '../outbound/plan';
import { sendDocument, type RenderedDocument, type SentOutbound } from '../outbound/send';

export { outboundFormats, type OutboundFormat } from '../outbound/plan';

export interface SentDocument {
  documentId: string;
  payloadId: string;
  /** Absent when the partner has no outboundUrl (the document is only stored). */
  deliveryId?: string;
}

type DeploymentMode = 'production' | 'test';

interface OrderFacts {
  id: string;
  partner: PartnerRow;
  buyerOrderNumber: string;
  /** payloadID of the OrderRequest; null for orders that came as X12 or JSON (they never had one). */
  sourcePayloadId: string | null;
  /** The buyer's own orderDate, as written in its document (see buyerOrderDate). */
  orderDate: string | undefined;
  deploymentMode: DeploymentMode;
  /** orders.supplier_order_number ("SO-000042"). */
  supplierOrderNumber: string;
  currency: string;
  canonical: Order;
}

/**
 * The buyer's order date as it goes into cXML follow-ups: its own lexical form, offset included
 * ("2000-10-12T18:41:29-08:00" comes back as that, not as the UTC instant), or a calendar date
 * alone (X12 BEG05). A date-time the buyer sent without a zone (JSON, X12 DTM without a time code)
 * is read as UTC, as intake stored it.
 */
export function buyerOrderDate(lexical: string | undefined): string | undefined {
  const parsed = parseCxmlDate(lexical);
  if (!parsed || lexical === undefined) return undefined;
  return parsed.iso.includes('T') && !parsed.hasOffset ? `${parsed.iso}+00:00` : lexical.trim();
}

/** The columns of an orders row a follow-up reads. */
interface OrderRow {
  id: string;
  partner_id: string;
  buyer_order_number: string;
  source_payload_id: string | null;
  order_date: Date | string | null;
  deployment_mode: string;
  supplier_order_number: string;
  currency: string;
  canonical: Order;
}

/** The order's facts; `known` is its partner when the caller read it in the same transaction. */
async function loadOrder(q: Q, orderId: string, known?: PartnerRow): Promise<OrderFacts> {
  const row = await q<OrderRow>('orders').where({ id: orderId }).first();
  if (!row) throw new AppError('not_found', 'order not found');
  const partner = known?.id === row.partner_id ? known : await findPartner(q, row.partner_id);
  if (!partner) throw new AppError('not_found', 'partner of the order not found');
  const canonical = row.canonical;
  return {
    id: row.id,
    partner,
    buyerOrderNumber: row.buyer_order_number,
    sourcePayloadId: row.source_payload_id ?? null,
    orderDate:
      buyerOrderDate(canonical.orderDate) ??
      (row.order_date ? new Date(row.order_date).toISOString() : undefined),
    deploymentMode: row.deployment_mode === 'test' ? 'test' : 'production',
    supplierOrderNumber: row.supplier_order_number,
    currency: String(row.currency).trim(),
    canonical,
  };
}

/**
 * The OrderReference of a follow-up. An order that never had a payloadID (X12, JSON) is named by its
 * orderID and orderDate only: cXML requires the DocumentReference element, so its payloadID is
 * empty rather than an id of ours the buyer never saw.
 */
function orderRef(o: OrderFacts): OrderReferenceInput {
  return {
    orderId: o.buyerOrderNumber,
    payloadId: o.sourcePayloadId ?? '',
    ...(o.orderDate ? { orderDate: o.orderDate } : {}),
  };
}

/** What rendering a follow-up needs of the context: the supplier's identity and the clock. */
export type OutboundContext = Pick<AppContext, 'config' | 'now'>;

function envelope(
  ctx: OutboundContext,
  partner: PartnerRow,
  payloadId: string,
  deploymentMode: DeploymentMode,
): RequestEnvelopeInput {
  const to = partner.settings.cxml?.credentials[0];
  if (!to)
    throw new AppError('conflict', `partner ${partner.id} has no cXML credential to address documents to`);
  const { SUPPLIER_CXML_DOMAIN: domain, SUPPLIER_CXML_IDENTITY: identity } = ctx.config;
  return {
    payloadId,
    timestamp: ctx.now(),
    deploymentMode,
    header: {
      from: { domain, identity },
      to: { domain: to.domain, identity: to.identity },
      sender: {
        credentials: supplierCredential(ctx.config, partner),
        userAgent: CXML_USER_AGENT,
      },
    },
  };
}

type RenderedCxml = RenderedDocument & { externalId: string };

/** A cXML follow-up as the outbound pipeline stores it. */
const cxmlDocument = (docType: string, payloadId: string, xml: string): RenderedCxml => ({
  docType,
  externalId: payloadId,
  contentType: 'text/xml; charset=utf-8',
  content: xml,
});

/** What callers get of a sent cXML follow-up; null when none was sent. */
function sentDocument(sent: SentOutbound<RenderedCxml> | undefined): SentDocument | null {
  if (!sent) return null;
  const { documentId, deliveryId, rendered } = sent;
  return { documentId, payloadId: rendered.externalId, ...(deliveryId ? { deliveryId } : {}) };
}

export interface ConfirmationOptions {
  kind: 'accept' | 'reject' | 'detail';
  /** Goes into the ConfirmationHeader Comments (the reason of a rejection). */
  reason?: string;
  /** Per-line statuses; required for "detail", default for accept/reject: every line in full. */
  lines?: ConfirmationLine[];
}

/** The cXML renderer of a ConfirmationRequest. */
function confirmationRequest(ctx: OutboundContext, o: OrderFacts, opts: ConfirmationOptions): RenderedCxml {
  const payloadId = newPayloadId(ctx.now());
  const items =
    opts.lines ?? (opts.kind === 'detail' ? undefined : confirmationLinesFromOrder(o.canonical, opts.kind));
  if (opts.kind === 'detail' && !items?.length)
    throw new AppError('validation_failed', 'a detail confirmation needs its lines');
  const xml = buildConfirmationRequest(envelope(ctx, o.partner, payloadId, o.deploymentMode), {
    type: opts.kind,
    noticeDate: ctx.now(),
    order: orderRef(o),
    // The supplier's own order number (the 855's BAK08): what the buyer quotes when it calls.
    confirmId: o.supplierOrderNumber,
    currency: o.currency,
    ...(opts.reason ? { comments: opts.reason } : {}),
    ...(items ? { items } : {}),
  });
  return cxmlDocument('ConfirmationRequest', payloadId, xml);
}

/** The order as the X12 renderer takes it. */
const x12Order = (o: OrderFacts) => ({
  order: o.canonical,
  orderId: o.id,
  supplierOrderNumber: o.supplierOrderNumber,
});

/**
 * ConfirmationRequest for an order (accept / reject / per-line detail), and the 855 of a partner that
 * takes X12 (accept / reject: per-line statuses go as cXML only). Null when not sent as cXML.
 */
export async function sendOrderConfirmation(
  trx: Q,
  ctx: AppContext,
  orderId: string,
  opts: ConfirmationOptions,
  partner?: PartnerRow,
): Promise<SentDocument | null> {
  const o = await loadOrder(trx, orderId, partner);
  const cxml = () => confirmationRequest(ctx, o, opts);
  const { kind } = opts;
  const sent =
    kind === 'detail'
      ? await sendDocument(trx, {
          partner: o.partner,
          kind: 'line-confirmation',
          orderId: o.id,
          render: { cxml },
        })
      : await sendDocument(trx, {
          partner: o.partner,
          kind: 'confirmation',
          orderId: o.id,
          render: { x12: (q) => renderX12(q, ctx, o.partner, orderAck855(ctx, x12Order(o), kind)), cxml },
        });
  return sentDocument(sent.cxml);
}

/** ShipNoticeRequest for one shipment of the order (and its 856 for X12). Null when not sent as cXML. */
export async function sendShipNotice(
  trx: Q,
  ctx: AppContext,
  orderId: string,
  shipment: Shipment,
): Promise<SentDocument | null> {
  const o = await loadOrder(trx, orderId);
  const sent = await sendDocument(trx, {
    partner: o.partner,
    kind: 'ship-notice',
    orderId: o.id,
    render: {
      x12: (q) => renderX12(q, ctx, o.partner, { kind: '856', shipment, order: o.canonical, orderId: o.id }),
      cxml: () => {
        const payloadId = newPayloadId(ctx.now());
        const xml = buildShipNoticeRequest(envelope(ctx, o.partner, payloadId, o.deploymentMode), {
          shipment,
          order: orderRef(o),
          noticeDate: ctx.now(),
        });
        return cxmlDocument('ShipNoticeRequest', payloadId, xml);
      },
    },
  });
  return sentDocument(sent.cxml);
}

/** How each order state is told in a StatusUpdateRequest: Status code, DocumentStatus@type, words. */
const STATUS_OF_STATE: Record<OrderState, { code: number; type: string; says: string }> = {
  received: { code: 201, type: 'received', says: 'was received and waits to be processed' },
  pending_approval: { code: 201, type: 'pendingApproval', says: 'waits for approval' },
  approved: { code: 200, type: 'approved', says: 'was approved' },
  confirmed: { code: 200, type: 'accepted', says: 'was accepted for processing' },
  rejected: { code: 400, type: 'rejected', says: 'was rejected' },
  partially_shipped: { code: 200, type: 'partiallyShipped', says: 'has partly shipped' },
  shipped: { code: 200, type: 'shipped', says: 'has shipped' },
  invoiced: { code: 200, type: 'invoiced', says: 'was invoiced' },
  closed: { code: 200, type: 'closed', says: 'is closed' },
  cancelled: { code: 200, type: 'canceled', says: 'was cancelled' },
};

/**
 * StatusUpdateRequest telling the buyer that its order entered `state` (the order_events row
 * `eventId`), for partners that asked (`settings.cxml.statusUpdates`, see statusUpdateStates) and
 * take cXML. It references the OrderRequest by payloadID and names the order in DocumentStatus /
 * DocumentInfo (orderID, the buyer's orderDate); an order that never had a payloadID is named by
 * DocumentInfo alone. Idempotent: the payloadID is derived from the event, and a second run finds the
 * document stored by the first. Null when nothing is (or was already) sent.
 */
export async function sendStatusUpdate(
  trx: Q,
  ctx: OutboundContext,
  orderId: string,
  update: { state: OrderState; eventId: number },
): Promise<SentDocument | null> {
  const o = await loadOrder(trx, orderId);
  const { state } = update;
  if (outboundRoutes(o.partner, 'status-update', { state }).length === 0) return null;
  const event = await trx('order_events')
    .where({ id: update.eventId, order_id: orderId })
    .first<{ created_at: Date; reason: string | null } | undefined>('created_at', 'reason');
  if (!event) return null;
  const payloadId = eventPayloadId(ctx, update.eventId, new Date(event.created_at));
  const already = await trx('documents')
    .where({ order_id: orderId, doc_type: 'StatusUpdateRequest', direction: 'out', external_id: payloadId })
    .first<{ id: string } | undefined>('id');
  if (already) return null;
  const how = STATUS_OF_STATE[state];
  const reason = state === 'rejected' && event.reason ? `: ${event.reason}` : '';
  const xml = buildStatusUpdateRequest(envelope(ctx, o.partner, payloadId, o.deploymentMode), {
    code: how.code,
    message: `Order ${o.buyerOrderNumber} ${how.says}${reason}`,
    ...(o.sourcePayloadId ? { documentPayloadId: o.sourcePayloadId } : {}),
    document: {
      type: how.type,
      documentId: o.buyerOrderNumber,
      documentType: 'OrderRequest',
      ...(o.orderDate ? { documentDate: o.orderDate } : {}),
    },
  });
  const sent = await sendDocument(trx, {
    partner: o.partner,
    kind: 'status-update',
    state,
    orderId: o.id,
    render: { cxml: () => cxmlDocument('StatusUpdateRequest', payloadId, xml) },
  });
  return sentDocument(sent.cxml);
}
