/**
 * The console's documents search: every stored document by partner, protocol, type, direction,
 * status, external id, the request or job that stored it, buyer PO number, supplier order number and
 * date range, newest (or oldest) first, a page at a time. Each filter reads an index in the list's order (migration
 * 20261204010000_document_search_indexes), and the count is capped (COUNT_CAP), so a page costs
 * what it shows however many documents are stored (`npm run bench console` checks both).
 */
import { z } from 'zod';
import type { AppContext } from '../platform/context';
import { nativeQuery } from '../platform/db';

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

/**
 * The conditions of `f` as SQL with `$n` placeholders (numbered from 1 in `params`'s order): the one
 * place the filters are written. Written out rather than built by knex: on the sub-millisecond
 * filters (an external id, a PO number) knex's builder and compiler cost as much as Postgres's work.
 */
function conditionsOf(f: DocumentSearch): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  const conditions: string[] = [];
  const add = (value: string, condition: (placeholder: string) => string) => {
    params.push(value);
    conditions.push(condition(`$${params.length}`));
  };
  if (f.partner) add(f.partner, (p) => `d.partner_id = ${p}`);
  if (f.protocol) add(f.protocol, (p) => `d.protocol = ${p}`);
  if (f.type) add(f.type, (p) => `d.doc_type = ${p}`);
  if (f.direction) add(f.direction, (p) => `d.direction = ${p}`);
  if (f.status) add(f.status, (p) => `d.status = ${p}`);
  if (f.externalId) add(f.externalId, (p) => `d.external_id = ${p}`);
  if (f.requestId) add(f.requestId, (p) => `d.request_id = ${p}`);
  if (f.order) add(f.order, (p) => `d.order_id = ${p}`);
  if (f.invoice) add(f.invoice, (p) => `d.invoice_id = ${p}`);
  if (f.from) add(f.from, (p) => `d.created_at >= ${p}`);
  if (f.to) add(toBound(f.to), (p) => `d.created_at <= ${p}`);
  if (f.po) add(f.po, (p) => `d.order_id in (select id from orders where buyer_order_number = ${p})`);
  if (f.orderNumber)
    add(f.orderNumber, (p) => `d.order_id in (select id from orders where supplier_order_number = ${p})`);
  return { where: conditions.length ? ` where ${conditions.join(' and ')}` : '', params };
}

export interface NativeStatement {
  sql: string;
  bindings: readonly unknown[];
}

const HIT_COLUMNS = [
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
].join(', ');

/**
 * The two statements a page costs, as the driver gets them: the page of hits and the capped count
 * (the bench EXPLAINs these, not a copy). Both are ordered like the list, so that the count walks the
 * same index instead of the table.
 */
export function documentSearchStatements(
  f: DocumentSearch,
  page: { limit: number; offset: number },
): { list: NativeStatement; count: NativeStatement } {
  const { where, params } = conditionsOf(f);
  const dir = f.sort === 'oldest' ? 'asc' : 'desc';
  const order = ` order by d.created_at ${dir}, d.id ${dir}`;
  const n = params.length;
  return {
    list: {
      sql: `select ${HIT_COLUMNS} from documents as d left join orders as o on o.id = d.order_id${where}${order} limit $${n + 1} offset $${n + 2}`,
      bindings: [...params, page.limit, page.offset],
    },
    count: {
      sql: `select count(*) as n from (select 1 from documents as d${where}${order} limit $${n + 1}) as c`,
      bindings: [...params, COUNT_CAP + 1],
    },
  };
}

/** One page of matches and their count (up to COUNT_CAP: `more` says there are more). */
export async function searchConsoleDocuments(
  ctx: Pick<AppContext, 'db'>,
  f: DocumentSearch,
  page: { limit: number; offset: number },
): Promise<{ rows: DocumentHit[]; total: number; more: boolean }> {
  const q = ctx.db;
  const { list, count } = documentSearchStatements(f, page);
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
