/**
 * Sending a document to a partner, for every outbound kind and format: the protocol's renderer
 * gives the bytes, the document is stored verbatim (documents, linked to its order or invoice) and
 * its delivery queued through the outbox (src/delivery/service.ts) in the same transaction, so a
 * failure anywhere after rendering leaves neither. Which formats and where to: plan.ts.
 */
import { queueDelivery, queuedDeliveryRows } from '../delivery/service';
import { storeDocument, storeDocumentWithRows, type NewDocument } from '../documents/store';
import type { PartnerRow } from '../partners/repository';
import type { Q } from '../platform/db';
import { AppError } from '../platform/errors';
import {
  deliveryTarget,
  outboundRoutes,
  type OutboundFormat,
  type OutboundKind,
  type OutboundRoute,
} from './plan';
import type { OrderState } from '../model/order-state';

/** What a protocol's renderer gives: the document and how it is stored. */
export interface RenderedDocument {
  docType: string;
  /** payloadID, the X12 envelope's control numbers; null when the document has none. */
  externalId: string | null;
  contentType: string;
  content: string;
  /** The stored document's status; default "queued" when a delivery is queued, else "stored". */
  status?: string;
  /** Rows of the protocol's own about the stored document, written before its delivery is queued. */
  onStored?: (trx: Q, documentId: string) => Promise<void>;
}

/** Renders a document in the caller's transaction (control numbers are taken in it). */
export type Renderer<R extends RenderedDocument = RenderedDocument> = (trx: Q) => R | Promise<R>;

export interface SentOutbound<R extends RenderedDocument = RenderedDocument> {
  format: OutboundFormat;
  documentId: string;
  /** Undefined when the partner has nowhere to receive the format (the document is stored only). */
  deliveryId: string | undefined;
  rendered: R;
}

/** The order or invoice a document is about (documents.order_id, documents.invoice_id). */
export interface OutboundRefs {
  orderId?: string | null;
  invoiceId?: string | null;
}

type Partner = Pick<PartnerRow, 'id' | 'settings'>;

/** The caller's transaction, or one of its own when called outside of one. */
async function inTransaction<T>(q: Q, work: (trx: Q) => Promise<T>): Promise<T> {
  return q.isTransaction === true ? work(q) : q.transaction(work);
}

/** Render, store, queue: the one place it is written. */
async function renderStoreQueue<R extends RenderedDocument>(
  trx: Q,
  partner: Partner,
  route: OutboundRoute,
  refs: OutboundRefs,
  render: Renderer<R>,
): Promise<SentOutbound<R>> {
  const rendered = await render(trx);
  const doc: NewDocument = {
    partnerId: partner.id,
    protocol: route.format,
    docType: rendered.docType,
    direction: 'out',
    externalId: rendered.externalId,
    status: rendered.status ?? (route.target ? 'queued' : 'stored'),
    contentType: rendered.contentType,
    content: rendered.content,
    orderId: refs.orderId ?? null,
    invoiceId: refs.invoiceId ?? null,
  };
  if (route.target && !rendered.onStored) {
    // The document, its delivery and the delivery's outbox job in one statement.
    const queued = queuedDeliveryRows({ partnerId: partner.id, ...route.target });
    const documentId = await storeDocumentWithRows(trx, doc, undefined, queued.rowsFor);
    return { format: route.format, documentId, deliveryId: queued.id, rendered };
  }
  const documentId = await storeDocument(trx, doc);
  await rendered.onStored?.(trx, documentId);
  const deliveryId = route.target
    ? await queueDelivery(trx, { partnerId: partner.id, documentId, ...route.target })
    : undefined;
  return { format: route.format, documentId, deliveryId, rendered };
}

/**
 * One document in a format the caller chose (an X12 answer to an X12 interchange), to the partner's
 * target for that format; stored only when it has none.
 */
export async function sendDocumentAs<R extends RenderedDocument>(
  q: Q,
  d: { partner: Partner; format: OutboundFormat; render: Renderer<R> } & OutboundRefs,
): Promise<SentOutbound<R>> {
  const route = { format: d.format, target: deliveryTarget(d.partner, d.format) };
  return inTransaction(q, (trx) => renderStoreQueue(trx, d.partner, route, d, d.render));
}

type Renderers = { [F in OutboundFormat]?: Renderer<RenderedDocument> };
type SentBy<Rs extends Renderers> = {
  [F in keyof Rs]?: Rs[F] extends (trx: Q) => infer Out
    ? Awaited<Out> extends infer R extends RenderedDocument
      ? SentOutbound<R>
      : never
    : never;
};

/**
 * A document of `kind` in each format the partner takes it in (outboundRoutes), in order: each
 * format's renderer is asked for it, it is stored and its delivery queued. Returns what was sent, by
 * format (none: the partner takes the kind in no format).
 */
export async function sendDocument<Rs extends Renderers>(
  q: Q,
  d: { partner: Partner; kind: OutboundKind; state?: OrderState; render: Rs } & OutboundRefs,
): Promise<SentBy<Rs>> {
  const routes = outboundRoutes(d.partner, d.kind, d.state === undefined ? {} : { state: d.state });
  if (routes.length === 0) return {};
  return inTransaction(q, async (trx) => {
    const sent: Partial<Record<OutboundFormat, SentOutbound>> = {};
    for (const route of routes) {
      const render = d.render[route.format];
      if (!render) throw new AppError('internal', `no ${route.format} renderer for ${d.kind}`);
      sent[route.format] = await renderStoreQueue(trx, d.partner, route, d, render);
    }
    return sent as SentBy<Rs>;
  });
}
