/**
 * One document as the console shows it: its metadata, the stored bytes and its answer (credentials
 * masked again on the way out, see mask.ts), the orders and invoices it touched, its deliveries
 * with every attempt, and its X12 acknowledgment state.
 */
import type { AppContext } from '../platform/context';
import { isUuid } from '../platform/db';
import { notFound } from '../platform/errors';
import { acknowledgmentStates, type AcknowledgmentView } from '../edi/acknowledgments';
import { maskSecrets } from './mask';
import type { DeliveryRow } from '../delivery/service';
import type { DocumentRow } from './store';

export interface TouchedOrder {
  id: string;
  buyerOrderNumber: string;
  supplierOrderNumber: string | null;
  state: string;
  partnerId: string;
}

export interface TouchedInvoice {
  id: string;
  invoiceNumber: string;
  purpose: string;
  state: string;
}

export interface DeliveryView {
  id: string;
  transport: string;
  url: string;
  status: string;
  attempts: number;
  lastError: string | null;
  responseStatus: number | null;
  deliveredAt: Date | null;
  createdAt: Date;
  tries: { attempt: number; statusCode: number | null; error: string | null; durationMs: number; at: Date }[];
}

export interface DocumentDetail {
  doc: Omit<DocumentRow, 'content' | 'response_body'>;
  /** The stored bytes, credentials masked. */
  content: Buffer;
  response: { status: number; contentType: string; body: Buffer } | null;
  orders: TouchedOrder[];
  invoices: TouchedInvoice[];
  deliveries: DeliveryView[];
  acknowledgment: AcknowledgmentView | null;
}

/** The masked stored bytes of a document (the download), or 404. */
export async function maskedDocument(ctx: Pick<AppContext, 'db'>, id: string) {
  if (!isUuid(id)) throw notFound('document');
  const d = await ctx.db<DocumentRow>('documents').where({ id }).first();
  if (!d) throw notFound('document');
  return { doc: d, content: maskSecrets(d.protocol, d.content_type, Buffer.from(d.content)) };
}

async function touched(ctx: Pick<AppContext, 'db'>, d: DocumentRow) {
  const orderIds = new Set<string>();
  if (d.order_id) orderIds.add(d.order_id);
  const versions = await ctx.db('order_versions').where({ document_id: d.id }).select<
    {
      order_id: string;
    }[]
  >('order_id');
  for (const v of versions) orderIds.add(v.order_id);
  const orders = orderIds.size
    ? await ctx
        .db('orders')
        .whereIn('id', [...orderIds])
        .orderBy('created_at')
        .select<
          {
            id: string;
            buyer_order_number: string;
            supplier_order_number: string | null;
            state: string;
            partner_id: string;
          }[]
        >('id', 'buyer_order_number', 'supplier_order_number', 'state', 'partner_id')
    : [];
  const invoices = d.invoice_id
    ? await ctx.db('invoices').where({ id: d.invoice_id }).select<
        {
          id: string;
          invoice_number: string;
          purpose: string;
          state: string;
        }[]
      >('id', 'invoice_number', 'purpose', 'state')
    : [];
  return {
    orders: orders.map((o) => ({
      id: o.id,
      buyerOrderNumber: o.buyer_order_number,
      supplierOrderNumber: o.supplier_order_number,
      state: o.state,
      partnerId: o.partner_id,
    })),
    invoices: invoices.map((i) => ({
      id: i.id,
      invoiceNumber: i.invoice_number,
      purpose: i.purpose,
      state: i.state,
    })),
  };
}

async function deliveriesOf(ctx: Pick<AppContext, 'db'>, documentId: string): Promise<DeliveryView[]> {
  const rows = await ctx
    .db<DeliveryRow & { delivered_at: Date | null; created_at: Date }>('deliveries')
    .where({ document_id: documentId })
    .orderBy('created_at');
  if (rows.length === 0) return [];
  const attempts = await ctx
    .db<{
      delivery_id: string;
      attempt: number;
      status_code: number | null;
      error: string | null;
      duration_ms: number;
      at: Date;
    }>('delivery_attempts')
    .whereIn(
      'delivery_id',
      rows.map((r) => r.id),
    )
    .orderBy('id');
  return rows.map((r) => ({
    id: r.id,
    transport: r.transport,
    url: r.url,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    responseStatus: r.response_status,
    deliveredAt: r.delivered_at ? new Date(r.delivered_at) : null,
    createdAt: new Date(r.created_at),
    tries: attempts
      .filter((a) => a.delivery_id === r.id)
      .map((a) => ({
        attempt: a.attempt,
        statusCode: a.status_code,
        error: a.error,
        durationMs: a.duration_ms,
        at: new Date(a.at),
      })),
  }));
}

/** Everything the document page shows, or 404. */
export async function documentDetail(
  ctx: Pick<AppContext, 'db' | 'now'>,
  id: string,
): Promise<DocumentDetail> {
  const { doc: d, content } = await maskedDocument(ctx, id);
  const { content: _c, response_body: body, ...doc } = d;
  const response =
    d.response_status !== null
      ? {
          status: d.response_status,
          contentType: d.response_content_type ?? 'application/octet-stream',
          body: maskSecrets(d.protocol, d.response_content_type ?? '', Buffer.from(body ?? Buffer.alloc(0))),
        }
      : null;
  const [{ orders, invoices }, deliveries, acks] = await Promise.all([
    touched(ctx, d),
    deliveriesOf(ctx, d.id),
    acknowledgmentStates(ctx.db, d.protocol === 'x12' && d.direction === 'out' ? [d.id] : [], ctx.now()),
  ]);
  return {
    doc,
    content,
    response,
    orders,
    invoices,
    deliveries,
    acknowledgment: acks.get(d.id) ?? null,
  };
}
