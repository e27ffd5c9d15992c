/**
 * Reading invoices for the API and the finance page: one filter for both, newest first, always
 * within the caller's partner scope (undefined: the admin token, every partner).
 */
import type { Knex } from 'knex';
import type { AppContext } from '../platform/context';
import { AppError } from '../platform/errors';
import type { InvoiceState, Order } from '../model';
import type { PrintFacts } from './printed';
import type { InvoiceRow } from './service';

export interface InvoiceFilter {
  status?: InvoiceState;
  /** Invoice dates, YYYY-MM-DD, inclusive. */
  from?: string;
  to?: string;
  /** The order's id, or the buyer's order number. */
  order?: string;
  /** Admin only: one partner. */
  partner?: string;
  /** The buyer's PO number (exact). */
  po?: string;
  /** Our order number (SO-000042, exact). */
  supplierOrder?: string;
  /** Due dates, YYYY-MM-DD, inclusive. */
  dueFrom?: string;
  dueTo?: string;
  /** Open amount (total, less credit memos and payments), decimal strings, inclusive. */
  openMin?: string;
  openMax?: string;
}

/**
 * What is still to be paid of an invoice: its total less its credit memos (negative totals) and
 * the payments recorded, never below zero; nothing for a credit memo.
 */
export const OPEN_AMOUNT_SQL = `(case when invoices.purpose = 'standard' then greatest(invoices.total
  + coalesce((select sum(c.total) from invoices c where c.original_invoice_id = invoices.id), 0)
  - invoices.paid_amount, 0) else 0 end)`;

type Ctx = Pick<AppContext, 'db'>;

/** One partner (a partner key), some (a console user's partner limit), or every one (undefined). */
export type PartnerScope = string | readonly string[] | undefined;

function filtered(ctx: Ctx, scope: PartnerScope, f: InvoiceFilter): Knex.QueryBuilder<InvoiceRow> {
  const query = ctx.db<InvoiceRow>('invoices');
  if (typeof scope === 'string') query.where('partner_id', scope);
  else if (scope) query.whereIn('partner_id', scope);
  if (f.partner) query.where('partner_id', f.partner);
  if (f.status) query.where('state', f.status);
  if (f.from) query.where('invoice_date', '>=', f.from);
  if (f.to) query.where('invoice_date', '<=', f.to);
  if (f.po) query.whereIn('order_id', ctx.db('orders').select('id').where('buyer_order_number', f.po));
  if (f.supplierOrder)
    query.whereIn('order_id', ctx.db('orders').select('id').where('supplier_order_number', f.supplierOrder));
  if (f.dueFrom) query.where('due_date', '>=', f.dueFrom);
  if (f.dueTo) query.where('due_date', '<=', f.dueTo);
  if (f.openMin) query.whereRaw(`${OPEN_AMOUNT_SQL} >= ?::numeric`, [f.openMin]);
  if (f.openMax) query.whereRaw(`${OPEN_AMOUNT_SQL} <= ?::numeric`, [f.openMax]);
  if (f.order) {
    if (/^[0-9a-f-]{36}$/i.test(f.order)) query.where('order_id', f.order);
    else query.whereIn('order_id', ctx.db('orders').select('id').where('buyer_order_number', f.order));
  }
  return query;
}

const encodeCursor = (r: InvoiceRow): string =>
  Buffer.from(JSON.stringify([r.invoice_date, r.id])).toString('base64url');
function decodeCursor(c: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string')
      return [v[0], v[1]];
  } catch {
    /* fall through */
  }
  throw new AppError('bad_request', 'invalid cursor');
}

/** Invoices newest first (invoice date, then id), a page after `cursor` (the API's paging). */
export async function listInvoices(
  ctx: Ctx,
  scope: PartnerScope,
  q: InvoiceFilter & { limit: number; cursor?: string },
): Promise<{ rows: InvoiceRow[]; nextCursor: string | null }> {
  const query = filtered(ctx, scope, q);
  if (q.cursor) {
    const [d, id] = decodeCursor(q.cursor);
    query.whereRaw('(invoice_date, id) < (?::date, ?::uuid)', [d, id]);
  }
  const rows = (await query
    .select('invoices.*', ctx.db.raw(`${OPEN_AMOUNT_SQL}::text as open_amount`))
    .orderBy('invoice_date', 'desc')
    .orderBy('id', 'desc')
    .limit(q.limit + 1)) as InvoiceRow[];
  const more = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return { rows: page, nextCursor: more && last ? encodeCursor(last) : null };
}

/** How the console's invoice list may be sorted (a leading "-": descending). */
export const INVOICE_SORTS = ['date', 'due', 'number', 'total', 'open'] as const;
export type InvoiceSort = `${'' | '-'}${(typeof INVOICE_SORTS)[number]}`;
const SORT_COLUMN: Record<(typeof INVOICE_SORTS)[number], string> = {
  date: 'invoice_date',
  due: 'due_date',
  number: 'invoice_number',
  total: 'total',
  open: OPEN_AMOUNT_SQL,
};

/**
 * One page of the same list by position, with the total (the finance page's numbered pages; newest
 * number first within a day, or by `sort`, the invoice number breaking ties).
 */
export async function invoicePage(
  ctx: Ctx,
  scope: PartnerScope,
  f: InvoiceFilter,
  paging: { limit: number; offset: number },
  sort: InvoiceSort = '-date',
): Promise<{ rows: InvoiceRow[]; total: number }> {
  const desc = sort.startsWith('-');
  const key = (desc ? sort.slice(1) : sort) as (typeof INVOICE_SORTS)[number];
  const dir = desc ? 'desc' : 'asc';
  const [rows, counted] = await Promise.all([
    filtered(ctx, scope, f)
      .select('invoices.*', ctx.db.raw(`${OPEN_AMOUNT_SQL}::text as open_amount`))
      .orderByRaw(`${SORT_COLUMN[key]} ${dir} nulls last`)
      .orderBy('invoice_number', dir)
      .limit(paging.limit)
      .offset(paging.offset) as Promise<InvoiceRow[]>,
    filtered(ctx, scope, f).count({ n: '*' }) as unknown as Promise<{ n: string | number }[]>,
  ]);
  return { rows, total: Number(counted[0]?.n ?? 0) };
}

/** The invoices of a CSV export: by invoice date, then number. */
export async function invoicesForExport(
  ctx: Ctx,
  scope: PartnerScope,
  f: Pick<InvoiceFilter, 'from' | 'to' | 'partner'>,
): Promise<InvoiceRow[]> {
  return (await filtered(ctx, scope, f).orderBy('invoice_date').orderBy('invoice_number')) as InvoiceRow[];
}

/**
 * What each invoice's PDF and CSV print beside the invoice itself: the partner's name, and the
 * order's ship-to, bill-to and payment terms (one query for all of them).
 */
export async function printFactsOf(ctx: Ctx, rows: readonly InvoiceRow[]): Promise<PrintFacts[]> {
  if (!rows.length) return [];
  const found = await ctx
    .db('orders as o')
    .join('partners as p', 'p.id', 'o.partner_id')
    .whereIn('o.id', [...new Set(rows.map((r) => r.order_id))])
    .select<{ id: string; canonical: Order; name: string }[]>('o.id', 'o.canonical', 'p.name');
  const byId = new Map(found.map((f) => [String(f.id), f]));
  return rows.map((r) => {
    const f = byId.get(r.order_id);
    const order = f?.canonical;
    return {
      buyerName: f?.name ?? r.partner_id,
      ...(order?.shipTo ? { shipTo: order.shipTo } : {}),
      ...(order?.billTo ? { billTo: order.billTo } : {}),
      ...(order?.paymentTerms ? { paymentTerms: order.paymentTerms } : {}),
    };
  });
}
