/**
 * The console's documents search: every stored document by partner, protocol, type, direction,
 * status, external id, the request or job that stored it, buyer PO number, supplier order number and
 * date range, newest (or oldest) first, a page at a time. Each filter reads an index in the list's order (migration
 * 20261204010000_document_search_indexes), and the count is capped (COUNT_CAP), so a page costs
 * what it shows however many documents are stored (`npm run bench console` checks both).
 */
import type { Knex } from 'knex';
import { z } from 'zod';
import type { AppContext } from '../platform/context';
import { nativeQuery, type Q } from '../platform/db';

/** Counted up to this many matches; beyond it the list says "more than". */
export const COUNT_CAP = 1000;

const text = (max: number) => z.string().trim().max(max).optional();
const day = z.union([z.literal(''), z.iso.date(), z.iso.datetime({ offset: true })]).optional();

/** The search's query parameters (a shareable URL: GET /console/documents?partner=…). */
export const documentSearchQuery = z.object({
  partner: text(200),
  protocol: z.union([z.literal(''), z.enum(['cxml', 'oci', 'x12', 'json', 'as2'])]).optional(),
  type: text(100),
  direction: z.union([z.literal(''), z.enum(['in', 'out'])]).optional(),
  status: text(50),
  externalId: text(500),
  /** The request (X-Request-Id) or job (ob-42) that stored it. */
  requestId: text(100),
  po: text(200),
  orderNumber: text(200),
  order: z.union([z.literal(''), z.uuid()]).optional(),
  invoice: z.union([z.literal(''), z.uuid()]).optional(),
  from: day,
  to: day,
  sort: z.union([z.literal(''), z.enum(['newest', 'oldest'])]).optional(),
});

export type DocumentSearch = { [K in keyof z.infer<typeof documentSearchQuery>]?: string };

export interface DocumentHit {
  id: string;
  partnerId: string | null;
  protocol: string;
  type: string;
  direction: string;
  externalId: string | null;
  requestId: string | null;
  status: string;
  size: number | null;
  orderId: string | null;
  invoiceId: string | null;
  buyerOrderNumber: string | null;
  supplierOrderNumber: string | null;
  error: string | null;
  createdAt: Date;
}

/** The filters given (empty values dropped), or the names of the invalid ones. */
export function parseDocumentSearch(query: unknown): { ok: DocumentSearch } | { invalid: string[] } {
  const r = documentSearchQuery.safeParse(query);
  if (!r.success) return { invalid: [...new Set(r.error.issues.map((i) => String(i.path[0])))] };
  return { ok: Object.fromEntries(Object.entries(r.data).filter(([, v]) => v)) };
}

/** A date-only `to` includes its whole day (UTC). */
function toBound(to: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(to) ? `${to}T23:59:59.999Z` : to;
}

/** The documents matching `f` (no order, no limit): the one place the filters are written. */
export function filteredDocuments(q: Q, f: DocumentSearch): Knex.QueryBuilder {
  const d = q('documents as d');
  if (f.partner) d.where('d.partner_id', f.partner);
  if (f.protocol) d.where('d.protocol', f.protocol);
  if (f.type) d.where('d.doc_type', f.type);
  if (f.direction) d.where('d.direction', f.direction);
  if (f.status) d.where('d.status', f.status);
  if (f.externalId) d.where('d.external_id', f.externalId);
  if (f.requestId) d.where('d.request_id', f.requestId);
  if (f.order) d.where('d.order_id', f.order);
  if (f.invoice) d.where('d.invoice_id', f.invoice);
  if (f.from) d.where('d.created_at', '>=', f.from);
  if (f.to) d.where('d.created_at', '<=', toBound(f.to));
  if (f.po) d.whereIn('d.order_id', q('orders').where('buyer_order_number', f.po).select('id'));
  if (f.orderNumber)
    d.whereIn('d.order_id', q('orders').where('supplier_order_number', f.orderNumber).select('id'));
  return d;
}

const ordered = (d: Knex.QueryBuilder, f: DocumentSearch) => {
  const dir = f.sort === 'oldest' ? 'asc' : 'desc';
  return d.orderBy('d.created_at', dir).orderBy('d.id', dir);
};

export interface NativeStatement {
  sql: string;
  bindings: readonly unknown[];
}

/**
 * The two statements a page costs, as the driver gets them: the page of hits and the capped count
 * (the bench EXPLAINs these, not a copy).
 */
export function documentSearchStatements(
  q: Q,
  f: DocumentSearch,
  page: { limit: number; offset: number },
): { list: NativeStatement; count: NativeStatement } {
  const list = ordered(filteredDocuments(q, f), f)
    .leftJoin('orders as o', 'o.id', 'd.order_id')
    .select(
      'd.id',
      'd.partner_id',
      'd.protocol',
      'd.doc_type',
      'd.direction',
      'd.external_id',
      'd.request_id',
      'd.status',
      'd.size',
      'd.order_id',
      'd.invoice_id',
      'd.error',
      'd.created_at',
      'o.buyer_order_number',
      'o.supplier_order_number',
    )
    .limit(page.limit)
    .offset(page.offset);
  // Ordered like the list, so that the count walks the same index instead of the table.
  const capped = ordered(filteredDocuments(q, f), f)
    .select(q.raw('1'))
    .limit(COUNT_CAP + 1);
  return {
    list: list.toSQL().toNative(),
    count: q.from(capped.as('c')).count({ n: '*' }).toSQL().toNative(),
  };
}

/** One page of matches and their count (up to COUNT_CAP: `more` says there are more). */
export async function searchConsoleDocuments(
  ctx: Pick<AppContext, 'db'>,
  f: DocumentSearch,
  page: { limit: number; offset: number },
): Promise<{ rows: DocumentHit[]; total: number; more: boolean }> {
  const q = ctx.db;
  const { list, count } = documentSearchStatements(q, f, page);
  // Built by knex, run past its runner (nativeQuery): the two statements are all a page costs.
  const [rows, counted] = await Promise.all([
    nativeQuery<HitRow>(q, list.sql, list.bindings),
    nativeQuery<{ n: string }>(q, count.sql, count.bindings),
  ]);
  const n = Number(counted[0]?.n ?? 0);
  return {
    rows: rows.map(hitOf),
    total: Math.min(n, COUNT_CAP),
    more: n > COUNT_CAP,
  };
}

/** A row of the search's statement (text columns, as the native driver reads them). */
interface HitRow {
  id: string;
  partner_id: string | null;
  protocol: string;
  doc_type: string;
  direction: string;
  external_id: string | null;
  request_id: string | null;
  status: string;
  size: number | string | null;
  order_id: string | null;
  invoice_id: string | null;
  buyer_order_number: string | null;
  supplier_order_number: string | null;
  error: string | null;
  created_at: Date | string;
}

function hitOf(r: HitRow): DocumentHit {
  const s = (v: string | null | undefined) => (v === null || v === undefined ? null : String(v));
  return {
    id: String(r.id),
    partnerId: s(r.partner_id),
    protocol: String(r.protocol),
    type: String(r.doc_type),
    direction: String(r.direction),
    externalId: s(r.external_id),
    requestId: s(r.request_id),
    status: String(r.status),
    size: r.size === null || r.size === undefined ? null : Number(r.size),
    orderId: s(r.order_id),
    invoiceId: s(r.invoice_id),
    buyerOrderNumber: s(r.buyer_order_number),
    supplierOrderNumber: s(r.supplier_order_number),
    error: s(r.error),
    createdAt: new Date(r.created_at),
  };
}

/** The choices of the filter form: partners and the types and statuses in use. */
export async function documentSearchChoices(ctx: Pick<AppContext, 'db'>) {
  const partners = await ctx
    .db('partners')
    .orderBy('id')
    .select<{ id: string; name: string }[]>('id', 'name');
  return { partners, types: DOCUMENT_TYPES, statuses: DOCUMENT_STATUSES };
}

/** The document types the gateway stores (the filter's list; any other can be typed in the URL). */
export const DOCUMENT_TYPES = [
  'OrderRequest',
  'order',
  'interchange',
  'PunchOutSetupRequest',
  'PunchOutOrderMessage',
  'ProfileRequest',
  'OCILogin',
  'OCICart',
  'MDN',
  'ConfirmationRequest',
  'ShipNoticeRequest',
  'StatusUpdateRequest',
  'InvoiceDetailRequest',
  '850',
  '855',
  '856',
  '810',
  '997',
  '999',
  'TA1',
];

export const DOCUMENT_STATUSES = [
  'accepted',
  'refused',
  'received',
  'queued',
  'stored',
  'created',
  'delivered',
  'rejected',
  'failed',
  'acknowledged',
  'partially_rejected',
];
