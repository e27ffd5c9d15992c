/**
 * Reading stored documents for the API (and the console): the list with filters and the stored
 * bytes, always within what the reader may read (see DOCUMENT_TYPES_BY_ROLE).
 */
import type { Knex } from 'knex';
import type { AppContext } from '../platform/context';
import { notFound } from '../platform/errors';
import { isUuid } from '../platform/db';
import { acknowledgmentStates } from '../edi/acknowledgments';
import { documentView, type DocumentRow } from './store';

const META = [
  'id',
  'partner_id',
  'protocol',
  'doc_type',
  'direction',
  'external_id',
  'sha256',
  'status',
  'content_type',
  'order_id',
  'invoice_id',
  'error',
  'size',
  'created_at',
];

/**
 * The document types a partner key reads, by role (anything else, punchout setup documents and
 * cart returns included, only the admin token reads): ERP keys the order side (orders as cXML, JSON
 * or X12 with their stored answers and acknowledgments, and what we sent about them), finance keys
 * the invoice side. A type not listed here is not readable by partner keys.
 */
export const DOCUMENT_TYPES_BY_ROLE: Readonly<Record<'erp' | 'finance', readonly string[]>> = {
  erp: [
    'OrderRequest',
    'order',
    'interchange',
    '850',
    '997',
    '999',
    'TA1',
    'ConfirmationRequest',
    'ShipNoticeRequest',
    'StatusUpdateRequest',
    '855',
    '856',
  ],
  finance: ['InvoiceDetailRequest', '810'],
};

/** Who reads: the supplier's staff (undefined) or a partner key with its role. */
export type DocumentReader = { partnerId: string; role: 'erp' | 'finance' } | undefined;

/** Restricts a documents query to what the reader may read. */
function scoped<T extends object, R>(
  reader: DocumentReader,
  q: Knex.QueryBuilder<T, R>,
): Knex.QueryBuilder<T, R> {
  if (reader)
    q.where('partner_id', reader.partnerId).whereIn('doc_type', [...DOCUMENT_TYPES_BY_ROLE[reader.role]]);
  return q;
}

export interface DocumentFilter {
  partner?: string;
  type?: string;
  direction?: 'in' | 'out';
  from?: string;
  to?: string;
  order?: string;
  invoice?: string;
  limit: number;
  offset: number;
}

/** Documents newest first; outbound X12 sets with their acknowledgment state (997/999/TA1 or none yet). */
export async function searchDocuments(
  ctx: Pick<AppContext, 'db' | 'now'>,
  reader: DocumentReader,
  f: DocumentFilter,
) {
  const q = scoped(reader, ctx.db<DocumentRow>('documents').select(META));
  if (f.partner) q.where('partner_id', f.partner);
  if (f.type) q.where('doc_type', f.type);
  if (f.direction) q.where('direction', f.direction);
  if (f.from) q.where('created_at', '>=', f.from);
  if (f.to) q.where('created_at', '<=', f.to);
  if (f.order) q.where('order_id', f.order);
  if (f.invoice) q.where('invoice_id', f.invoice);
  const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(f.limit).offset(f.offset);
  const docs = rows as unknown as DocumentRow[];
  const acks = await acknowledgmentStates(
    ctx.db,
    docs.filter((d) => d.protocol === 'x12' && d.direction === 'out').map((d) => d.id),
    ctx.now(),
  );
  return docs.map((d) => {
    const ack = acks.get(d.id);
    return ack ? { ...documentView(d), acknowledgment: ack } : documentView(d);
  });
}

/** One document with its stored bytes, or 404 (also for one the reader may not read). */
export async function readableDocument(ctx: Pick<AppContext, 'db'>, reader: DocumentReader, id: string) {
  if (!isUuid(id)) throw notFound('document');
  const doc = await scoped(reader, ctx.db<DocumentRow>('documents').where({ id })).first();
  if (!doc) throw notFound('document');
  return doc;
}
