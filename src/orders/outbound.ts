/**
 * Documents we send to the buyer about an order: ConfirmationRequest, ShipNoticeRequest and
 * StatusUpdateRequest (an X12 partner gets an 855 / 856 through src/edi instead or beside, per its
 * `outboundFormats`). Each is built (DTD-valid cXML), stored verbatim as an outbound document linked to
 * the order, and queued for retrying HTTP delivery to the partner's `cxml.outboundUrl` in the caller's
 * transaction. Without an outboundUrl the document is kept (status "stored") and nothing is sent.
 * These functions do not change the order's state: callers transition it (transitionOrder) themselves.
 */
import { sendOrderAck855, sendShipNotice856 } from '../edi/outbound';
import {
  buildConfirmationRequest,
  buildShipNoticeRequest,
  buildStatusUpdateRequest,
  confirmationLinesFromOrder,
  type ConfirmationLine,
  type RequestEnvelopeInput,
} from '../../protocols/cxml';
import type { Order } from '../model/order';
import type { Shipment } from '../model/shipment';
import { newPayloadId } from '../cxml/endpoint';
import { queueDelivery } from '../delivery/service';
import { storeDocument } from '../documents/store';
import type { AppContext } from '../platform/context';
import type { Q } from '../platform/db';
import { AppError } from '../platform/errors';
import { findPartner, type PartnerRow } from '../partners/repository';
import { supplierCredential } from '../partners/supplier-secret';

export type OutboundFormat = 'cxml' | 'x12';

/** The formats this partner receives order documents in (cXML unless the partner says otherwise). */
export function outboundFormats(partner: Pick<PartnerRow, 'settings'>): OutboundFormat[] {
  return partner.settings.outboundFormats ?? ['cxml'];
}

export interface SentDocument {
  documentId: string;
  payloadId: string;
  /** Absent when the partner has no outboundUrl (the document is only stored). */
  deliveryId?: string;
}

interface OrderFacts {
  id: string;
  partner: PartnerRow;
  buyerOrderNumber: string;
  sourcePayloadId: string;
  orderDate: Date | null;
  currency: string;
  canonical: Order;
}

async function loadOrder(q: Q, orderId: string): Promise<OrderFacts> {
  const row = await q('orders').where({ id: orderId }).first();
  if (!row) throw new AppError('not_found', 'order not found');
  const partner = await findPartner(q, row.partner_id);
  if (!partner) throw new AppError('not_found', 'partner of the order not found');
  return {
    id: row.id,
    partner,
    buyerOrderNumber: row.buyer_order_number,
    // Orders that did not come as cXML are referenced by our own id.
    sourcePayloadId: row.source_payload_id ?? row.id,
    orderDate: row.order_date,
    currency: String(row.currency).trim(),
    canonical: row.canonical as Order,
  };
}

function envelope(ctx: AppContext, partner: PartnerRow, payloadId: string): RequestEnvelopeInput {
  const to = partner.settings.cxml?.credentials[0];
  if (!to)
    throw new AppError('conflict', `partner ${partner.id} has no cXML credential to address documents to`);
  const { SUPPLIER_CXML_DOMAIN: domain, SUPPLIER_CXML_IDENTITY: identity } = ctx.config;
  return {
    payloadId,
    timestamp: ctx.now(),
    header: {
      from: { domain, identity },
      to: { domain: to.domain, identity: to.identity },
      sender: {
        credentials: supplierCredential(ctx.config, partner),
        userAgent: `${ctx.config.SUPPLIER_NAME} procurement gateway`,
      },
    },
  };
}

async function storeAndQueue(
  trx: Q,
  partner: PartnerRow,
  orderId: string,
  docType: string,
  payloadId: string,
  xml: string,
): Promise<SentDocument> {
  const url = partner.settings.cxml?.outboundUrl;
  const documentId = await storeDocument(trx, {
    partnerId: partner.id,
    protocol: 'cxml',
    docType,
    direction: 'out',
    externalId: payloadId,
    status: url ? 'queued' : 'stored',
    contentType: 'text/xml; charset=utf-8',
    content: xml,
    orderId,
  });
  if (!url) return { documentId, payloadId };
  const deliveryId = await queueDelivery(trx, { partnerId: partner.id, documentId, url });
  return { documentId, payloadId, deliveryId };
}

export interface ConfirmationOptions {
  kind: 'accept' | 'reject' | 'detail';
  /** Goes into the ConfirmationHeader Comments (the reason of a rejection). */
  reason?: string;
  /** Per-line statuses; required for "detail", default for accept/reject: every line in full. */
  lines?: ConfirmationLine[];
}

/** ConfirmationRequest for an order (accept / reject / per-line detail). Null when not sent as cXML. */
export async function sendOrderConfirmation(
  trx: Q,
  ctx: AppContext,
  orderId: string,
  opts: ConfirmationOptions,
): Promise<SentDocument | null> {
  const o = await loadOrder(trx, orderId);
  // Partners that take X12 get an 855 instead of (or beside) the cXML ConfirmationRequest.
  if (outboundFormats(o.partner).includes('x12') && opts.kind !== 'detail') {
    await sendOrderAck855(trx, ctx, orderId, opts.kind);
  }
  if (!outboundFormats(o.partner).includes('cxml')) return null;
  const payloadId = newPayloadId(ctx.now());
  const items =
    opts.lines ?? (opts.kind === 'detail' ? undefined : confirmationLinesFromOrder(o.canonical, opts.kind));
  if (opts.kind === 'detail' && !items?.length)
    throw new AppError('validation_failed', 'a detail confirmation needs its lines');
  const xml = buildConfirmationRequest(envelope(ctx, o.partner, payloadId), {
    type: opts.kind,
    noticeDate: ctx.now(),
    order: {
      orderId: o.buyerOrderNumber,
      payloadId: o.sourcePayloadId,
      ...(o.orderDate ? { orderDate: new Date(o.orderDate) } : {}),
    },
    confirmId: `${o.buyerOrderNumber}-${payloadId.slice(0, 13)}`,
    currency: o.currency,
    ...(opts.reason ? { comments: opts.reason } : {}),
    ...(items ? { items } : {}),
  });
  return storeAndQueue(trx, o.partner, o.id, 'ConfirmationRequest', payloadId, xml);
}

/** ShipNoticeRequest for one shipment of the order. Null when not sent as cXML. */
export async function sendShipNotice(
  trx: Q,
  ctx: AppContext,
  orderId: string,
  shipment: Shipment,
): Promise<SentDocument | null> {
  const o = await loadOrder(trx, orderId);
  // Partners that take X12 get an 856 instead of (or beside) the cXML ShipNoticeRequest.
  if (outboundFormats(o.partner).includes('x12')) await sendShipNotice856(trx, ctx, orderId, shipment);
  if (!outboundFormats(o.partner).includes('cxml')) return null;
  const payloadId = newPayloadId(ctx.now());
  const xml = buildShipNoticeRequest(envelope(ctx, o.partner, payloadId), {
    shipment,
    order: {
      orderId: o.buyerOrderNumber,
      payloadId: o.sourcePayloadId,
      ...(o.orderDate ? { orderDate: new Date(o.orderDate) } : {}),
    },
    noticeDate: ctx.now(),
  });
  return storeAndQueue(trx, o.partner, o.id, 'ShipNoticeRequest', payloadId, xml);
}

/**
 * StatusUpdateRequest about the order's OrderRequest, only for partners that asked for them
 * (`settings.cxml.statusUpdates`). Null when not sent.
 */
export async function sendStatusUpdate(
  trx: Q,
  ctx: AppContext,
  orderId: string,
  status: { code: number; text?: string; message?: string },
): Promise<SentDocument | null> {
  const o = await loadOrder(trx, orderId);
  if (!o.partner.settings.cxml?.statusUpdates || !outboundFormats(o.partner).includes('cxml')) return null;
  const payloadId = newPayloadId(ctx.now());
  const xml = buildStatusUpdateRequest(envelope(ctx, o.partner, payloadId), {
    documentPayloadId: o.sourcePayloadId,
    ...status,
  });
  return storeAndQueue(trx, o.partner, o.id, 'StatusUpdateRequest', payloadId, xml);
}
