/**
 * Outbound X12 (855, 856, 810): rendered with the codec in the partner's version and delimiters, with
 * gapless control numbers, stored verbatim and delivered by the partner's `x12.transport` through the
 * retrying delivery path (the same one cXML documents use): POSTed to `x12.outboundUrl` (http, the
 * default), uploaded to `sftp.outboundDir` (sftp), or sent as an AS2 message to `as2.url` (as2,
 * src/transports/as2/deliver.ts).
 */
import {
  build810,
  build855,
  build856,
  functionalIdFor,
  serializeInterchange,
  type Build855Options,
  type Build856Options,
  type LineAckInput,
  DEFAULT_DELIMITERS,
  type WriteDelimiters,
} from '../../protocols/x12';
import type { Invoice } from '../model/invoice';
import type { Order } from '../model/order';
import type { Shipment } from '../model/shipment';
import { storeDocument } from '../documents/store';
import { queueDelivery } from '../delivery/service';
import type { AppContext } from '../platform/context';
import type { OrderDbRow } from '../orders/repository';
import type { Q } from '../platform/db';
import { AppError } from '../platform/errors';
import { findPartner, type PartnerRow } from '../partners/repository';
import { sftpLocation } from '../transports/sftp/location';
import { recordOutboundSet } from './acknowledgments';
import { nextControlNumber } from '../platform/sequences';

export const X12_CONTENT_TYPE = 'application/edi-x12';

/** Where outbound X12 goes for this partner; undefined when nowhere (http without x12.outboundUrl). */
export function x12DeliveryTarget(
  partner: Pick<PartnerRow, 'settings'>,
): { transport: 'http' | 'sftp' | 'as2'; url: string } | undefined {
  const x12 = partner.settings.x12;
  const transport = x12?.transport ?? 'http';
  if (transport === 'as2') {
    const url = partner.settings.as2?.url;
    return url ? { transport: 'as2', url } : undefined;
  }
  if (transport === 'sftp') {
    const sftp = partner.settings.sftp;
    return sftp ? { transport: 'sftp', url: sftpLocation(sftp) } : undefined;
  }
  if (transport === 'http' && x12?.outboundUrl) return { transport: 'http', url: x12.outboundUrl };
  return undefined;
}

/** Queues the delivery of a stored outbound X12 document by the partner's transport (none: stored only). */
export async function queueX12Delivery(
  trx: Q,
  partner: Pick<PartnerRow, 'id' | 'settings'>,
  documentId: string,
): Promise<string | undefined> {
  const target = x12DeliveryTarget(partner);
  if (!target) return undefined;
  return queueDelivery(trx, { partnerId: partner.id, documentId, ...target });
}

/** The partner's delimiters (default `*`, `>`, `^`, `~` + newline); no newline suffix after a newline terminator. */
export function delimitersOf(partner: PartnerRow): WriteDelimiters {
  const d = partner.settings.x12?.delimiters;
  if (!d) return { ...DEFAULT_DELIMITERS };
  return { ...DEFAULT_DELIMITERS, ...d, suffix: /[\r\n]/.test(d.segment) ? '' : '\n' };
}

export type OutboundX12 =
  | {
      kind: '855';
      order: Order;
      orderId?: string;
      statuses: readonly LineAckInput[];
      options: Build855Options;
    }
  | { kind: '856'; shipment: Shipment; order?: Order; orderId?: string; options?: Build856Options }
  | { kind: '810'; invoice: Invoice; invoiceId?: string; orderId?: string };

/** The supplier's GS02 (GS03 of what partners send): SUPPLIER_X12_GS_ID, else the ISA id. */
export function supplierGsId(config: X12OutboundContext['config']): string {
  return config.SUPPLIER_X12_GS_ID ?? config.SUPPLIER_X12_ID;
}

/** What rendering needs from the context: the supplier's identity and the clock. */
export type X12OutboundContext = Pick<AppContext, 'config' | 'now'>;

export interface SentX12 {
  documentId: string;
  /** Undefined when the partner's transport has nowhere to send it (the document is stored only). */
  deliveryId?: string;
  content: string;
  controlNumbers: { isa: number; gs: number; st: number };
}

/** Renders, stores and queues one outbound X12 document, in the caller's transaction. */
export async function sendX12Document(
  trx: Q,
  ctx: X12OutboundContext,
  partner: PartnerRow,
  doc: OutboundX12,
): Promise<SentX12> {
  const x12 = partner.settings.x12;
  if (!x12) throw new AppError('conflict', `partner ${partner.id} has no X12 settings`);
  const segments =
    doc.kind === '855'
      ? build855(doc.order, doc.statuses, doc.options)
      : doc.kind === '856'
        ? build856(doc.shipment, doc.order, doc.options)
        : build810(doc.invoice);
  // A follow-up of a buyer's test order is a test interchange (ISA15 T), like cXML's deploymentMode.
  const mode = doc.orderId
    ? await trx<OrderDbRow>('orders').where({ id: doc.orderId }).first('deployment_mode')
    : undefined;
  const isa = await nextControlNumber(trx, partner.id, 'isa');
  const gs = await nextControlNumber(trx, partner.id, 'gs');
  const st = await nextControlNumber(trx, partner.id, 'st');
  const content = serializeInterchange({
    delimiters: delimitersOf(partner),
    version: x12.version,
    sender: { qualifier: ctx.config.SUPPLIER_X12_QUALIFIER, id: ctx.config.SUPPLIER_X12_ID },
    receiver: { qualifier: x12.isaQualifier, id: x12.isaId },
    controlNumber: isa,
    date: ctx.now(),
    usage: mode?.deployment_mode === 'test' ? 'T' : 'P',
    groups: [
      {
        applicationSender: supplierGsId(ctx.config),
        applicationReceiver: x12.gsId,
        controlNumber: gs,
        transactionSets: [{ id: doc.kind, controlNumber: st, segments }],
      },
    ],
  });
  const documentId = await storeDocument(trx, {
    partnerId: partner.id,
    protocol: 'x12',
    docType: doc.kind,
    direction: 'out',
    externalId: `${ctx.config.SUPPLIER_X12_ID}|${x12.isaId}|${String(isa).padStart(9, '0')}|${gs}|${st}`,
    status: 'created',
    contentType: X12_CONTENT_TYPE,
    content,
    orderId: doc.orderId ?? null,
    invoiceId: doc.kind === '810' ? (doc.invoiceId ?? null) : null,
  });
  await recordOutboundSet(trx, {
    documentId,
    partnerId: partner.id,
    interchangeControl: isa,
    groupControl: gs,
    functionalId: functionalIdFor(doc.kind),
    setId: doc.kind,
    setControl: String(st).padStart(4, '0'),
  });
  const deliveryId = await queueX12Delivery(trx, partner, documentId);
  return { documentId, deliveryId, content, controlNumbers: { isa, gs, st } };
}

async function orderAndPartner(
  trx: Q,
  orderId: string,
): Promise<{ order: Order; partner: PartnerRow; supplierOrderNumber: string }> {
  const row = await trx('orders')
    .where({ id: orderId })
    .first<{ partner_id: string; canonical: Order; supplier_order_number: string }>(
      'partner_id',
      'canonical',
      'supplier_order_number',
    );
  if (!row) throw new AppError('not_found', 'order not found');
  const partner = await findPartner(trx, row.partner_id);
  if (!partner) throw new AppError('not_found', 'partner of the order not found');
  return { order: row.canonical, partner, supplierOrderNumber: row.supplier_order_number };
}

/**
 * 855 for a stored order (its current canonical version), e.g. on confirmation (every line accepted) or
 * rejection (every line rejected) when the partner's `outboundFormats` include x12.
 */
export async function sendOrderAck855(
  trx: Q,
  ctx: X12OutboundContext,
  orderId: string,
  decision: 'accept' | 'reject' | readonly LineAckInput[],
): Promise<SentX12> {
  const { order, partner, supplierOrderNumber } = await orderAndPartner(trx, orderId);
  const statuses =
    typeof decision === 'string'
      ? order.lines.map((l) => ({ lineNumber: l.lineNumber, status: decision }))
      : decision;
  return sendX12Document(trx, ctx, partner, {
    kind: '855',
    order,
    orderId,
    statuses,
    options: { ackDate: ctx.now().toISOString().slice(0, 10), supplierOrderNumber },
  });
}

/**
 * 856 for one shipment of a stored order (HL shipment -> order -> one item per shipped line), when the
 * partner's `outboundFormats` include x12. The order supplies buyer part ids, units and the order date.
 */
export async function sendShipNotice856(
  trx: Q,
  ctx: X12OutboundContext,
  orderId: string,
  shipment: Shipment,
): Promise<SentX12> {
  const { order, partner } = await orderAndPartner(trx, orderId);
  return sendX12Document(trx, ctx, partner, { kind: '856', shipment, order, orderId });
}

/**
 * 810 for an invoice or credit memo (BIG07 "CR"), when the partner's `outboundFormats` include x12.
 * Invoices are only issued when they can be delivered, so the partner needs an `x12.outboundUrl`
 * (or SFTP settings with `x12.transport` "sftp").
 */
export async function sendInvoice810(
  trx: Q,
  ctx: X12OutboundContext,
  partner: PartnerRow,
  d: { invoice: Invoice; invoiceId: string; orderId: string },
): Promise<SentX12> {
  if (!x12DeliveryTarget(partner))
    throw new AppError(
      'conflict',
      `partner ${partner.id} has no x12.outboundUrl (or SFTP mailbox, or AS2 URL) to deliver invoices to`,
    );
  return sendX12Document(trx, ctx, partner, { kind: '810', ...d });
}
