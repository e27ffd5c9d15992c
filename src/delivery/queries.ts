/**
 * The reads of the console's Deliveries screen: every outbound delivery with its state, attempts,
 * next attempt time, last HTTP status and error (filtered by partner, state and date, sorted, paged),
 * and one delivery with its document and every attempt. Each list query is bounded by an index of
 * 20261204020000_delivery_console.
 */
import type { Q } from '../platform/db';

/** What the screen calls a delivery's state: `retrying` is a pending delivery that has failed an attempt. */
export const DELIVERY_STATES = [
  'pending',
  'retrying',
  'delivered',
  'rejected',
  'failed',
  'cancelled',
] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export const DELIVERY_SORTS = ['newest', 'oldest', 'attempts'] as const;
export type DeliverySort = (typeof DELIVERY_SORTS)[number];

export interface DeliveryFilter {
  partner?: string | undefined;
  state?: DeliveryState | undefined;
  /** Created on or after this day (YYYY-MM-DD, UTC). */
  from?: string | undefined;
  /** Created on or before this day. */
  to?: string | undefined;
  sort?: DeliverySort | undefined;
}

export interface DeliveryListRow {
  id: string;
  partnerId: string;
  transport: string;
  url: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  lastAttemptAt: Date | null;
  createdAt: Date;
  deliveredAt: Date | null;
  documentId: string;
  docType: string;
  protocol: string;
  externalId: string | null;
}

const STATE_SQL = `case when v.status = 'pending' and v.attempts > 0 then 'retrying' else v.status end`;

/** The deliveries a filter selects (without paging or order), for the list and the bulk retry. */
export function filteredDeliveries(q: Q, f: DeliveryFilter) {
  const query = q('deliveries as v');
  if (f.partner) query.where('v.partner_id', f.partner);
  if (f.state === 'pending') query.where({ 'v.status': 'pending', 'v.attempts': 0 });
  else if (f.state === 'retrying') query.where('v.status', 'pending').where('v.attempts', '>', 0);
  else if (f.state) query.where('v.status', f.state);
  if (f.from) query.where('v.created_at', '>=', `${f.from}T00:00:00Z`);
  if (f.to) query.where('v.created_at', '<', new Date(Date.parse(`${f.to}T00:00:00Z`) + 86_400_000));
  return query;
}

interface RawRow {
  id: string;
  partner_id: string;
  transport: string;
  url: string;
  state: DeliveryState;
  attempts: number;
  next_attempt_at: Date | null;
  last_status: number | null;
  last_error: string | null;
  last_attempt_at: Date | null;
  created_at: Date;
  delivered_at: Date | null;
  document_id: string;
  doc_type: string;
  protocol: string;
  external_id: string | null;
}

function listRow(r: RawRow): DeliveryListRow {
  return {
    id: r.id,
    partnerId: r.partner_id,
    transport: r.transport,
    url: r.url,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.state === 'pending' || r.state === 'retrying' ? r.next_attempt_at : null,
    lastStatus: r.last_status,
    lastError: r.last_error,
    lastAttemptAt: r.last_attempt_at,
    createdAt: r.created_at,
    deliveredAt: r.delivered_at,
    documentId: r.document_id,
    docType: r.doc_type,
    protocol: r.protocol,
    externalId: r.external_id,
  };
}

function withColumns(q: Q, query: ReturnType<typeof filteredDeliveries>) {
  return query.join('documents as d', 'd.id', 'v.document_id').select(
    'v.id',
    'v.partner_id',
    'v.transport',
    'v.url',
    q.raw(`${STATE_SQL} as state`),
    'v.attempts',
    'v.next_attempt_at',
    'v.last_error',
    'v.created_at',
    'v.delivered_at',
    'v.document_id',
    'd.doc_type',
    'd.protocol',
    'd.external_id',
    q.raw(
      `(select a.status_code from delivery_attempts a where a.delivery_id = v.id
          order by a.attempt desc limit 1) as last_status`,
    ),
    q.raw(
      `(select a.at from delivery_attempts a where a.delivery_id = v.id
          order by a.attempt desc limit 1) as last_attempt_at`,
    ),
  );
}

/** One page of deliveries and how many the filter selects. */
export async function deliveryPage(
  q: Q,
  f: DeliveryFilter,
  paging: { limit: number; offset: number },
): Promise<{ rows: DeliveryListRow[]; total: number }> {
  const query = withColumns(q, filteredDeliveries(q, f));
  if (f.sort === 'oldest') query.orderBy([{ column: 'v.created_at' }, { column: 'v.id' }]);
  else if (f.sort === 'attempts')
    query.orderBy([
      { column: 'v.attempts', order: 'desc' },
      { column: 'v.created_at', order: 'desc' },
    ]);
  else
    query.orderBy([
      { column: 'v.created_at', order: 'desc' },
      { column: 'v.id', order: 'desc' },
    ]);
  const [rows, count] = await Promise.all([
    query.limit(paging.limit).offset(paging.offset) as unknown as Promise<RawRow[]>,
    filteredDeliveries(q, f).count({ c: '*' }).first() as Promise<{ c: string | number } | undefined>,
  ]);
  return { rows: rows.map(listRow), total: Number(count?.c ?? 0) };
}

export interface DeliveryAttemptRow {
  attempt: number;
  at: Date;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface DeliveryDetail extends DeliveryListRow {
  responseStatus: number | null;
  responseBody: string | null;
  attemptsList: DeliveryAttemptRow[];
}

/** One delivery with its document and every attempt (oldest first), or undefined. */
export async function deliveryDetail(q: Q, id: string): Promise<DeliveryDetail | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const row = (await withColumns(q, q('deliveries as v').where('v.id', id))
    .select('v.response_status', 'v.response_body')
    .first()) as (RawRow & { response_status: number | null; response_body: string | null }) | undefined;
  if (!row) return undefined;
  const attempts = await q('delivery_attempts').where({ delivery_id: id }).orderBy('attempt').select<
    {
      attempt: number;
      at: Date;
      status_code: number | null;
      error: string | null;
      duration_ms: number;
    }[]
  >('attempt', 'at', 'status_code', 'error', 'duration_ms');
  return {
    ...listRow(row),
    responseStatus: row.response_status,
    responseBody: row.response_body,
    attemptsList: attempts.map((a) => ({
      attempt: a.attempt,
      at: a.at,
      statusCode: a.status_code,
      error: a.error,
      durationMs: a.duration_ms,
    })),
  };
}

/** The ids of the partners (for the partner filter). */
export async function partnerIds(q: Q): Promise<string[]> {
  const rows = await q('partners').whereNull('deleted_at').orderBy('id').select<{ id: string }[]>('id');
  return rows.map((r) => r.id);
}
