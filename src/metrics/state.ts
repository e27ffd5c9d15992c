/**
 * What the whole gateway is doing, read from Postgres when /metrics is scraped, so any server's
 * scrape shows the work of every server and worker process (workers serve no HTTP): documents of the
 * last hour by protocol, type, direction and status; deliveries not yet delivered (pending, retrying,
 * failed, rejected) by transport; delivery attempts of the last hour by result; outbox jobs by job and
 * state (waiting, running, failed) and the age of the oldest job waiting to be handed to the queue.
 * Each query is bounded by an index (migration 20261203170000_metrics_indexes).
 */
import type { Q } from '../platform/db';

export interface Counted<L extends string> {
  labels: Record<L, string>;
  count: number;
}

const n = (v: unknown): number => Number(v ?? 0);

type Row = Record<string, unknown>;

export async function documentsLastHour(
  q: Q,
  now: Date,
): Promise<Counted<'protocol' | 'type' | 'direction' | 'status'>[]> {
  const rows = await q('documents')
    .where('created_at', '>', new Date(now.getTime() - 3_600_000))
    .groupBy('protocol', 'doc_type', 'direction', 'status')
    .select('protocol', 'doc_type', 'direction', 'status')
    .count<Row[]>({ c: '*' });
  return rows.map((r) => ({
    labels: {
      protocol: String(r.protocol),
      type: String(r.doc_type),
      direction: String(r.direction),
      status: String(r.status),
    },
    count: n(r.c),
  }));
}

/** Deliveries not delivered: pending (no attempt yet), retrying, failed (dead letter), rejected. */
export async function openDeliveries(q: Q): Promise<Counted<'state' | 'transport'>[]> {
  const rows = await q('deliveries')
    .whereIn('status', ['pending', 'failed', 'rejected'])
    .groupBy('state', 'transport')
    .select(
      q.raw(`case when status = 'pending' and attempts > 0 then 'retrying' else status end as state`),
      'transport',
    )
    .count<Row[]>({ c: '*' });
  return rows.map((r) => ({
    labels: { state: String(r.state), transport: String(r.transport) },
    count: n(r.c),
  }));
}

/** Attempts of the last hour: success (2xx, or an upload), http_4xx, http_5xx, error (no answer). */
export async function attemptsLastHour(q: Q, now: Date): Promise<Counted<'result'>[]> {
  const rows = await q('delivery_attempts')
    .where('at', '>', new Date(now.getTime() - 3_600_000))
    .groupBy('result')
    .select(
      q.raw(`case
        when error is not null then 'error'
        when status_code is null or status_code between 200 and 299 then 'success'
        when status_code between 400 and 499 then 'http_4xx'
        else 'http_5xx' end as result`),
    )
    .count<Row[]>({ c: '*' });
  return rows.map((r) => ({ labels: { result: String(r.result) }, count: n(r.c) }));
}

/**
 * Outbox jobs waiting (not yet handed to BullMQ, or not yet run by the in-process adapter), handed
 * and unfinished (running), and failed (the dead letters of GET /api/v1/jobs/failed).
 */
export async function outboxJobs(q: Q): Promise<Counted<'job' | 'state'>[]> {
  const rows = await q
    .select('job', 'state')
    .count({ c: '*' })
    .from(
      q
        .select('job_name as job', q.raw(`'waiting' as state`))
        .from('outbox')
        .whereNull('dispatched_at')
        .whereNull('completed_at')
        .whereNull('failed_at')
        .unionAll((u) => {
          u.select('job_name', q.raw(`'running'`))
            .from('outbox')
            .whereNotNull('dispatched_at')
            .whereNull('completed_at')
            .whereNull('failed_at');
        })
        .unionAll((u) => {
          u.select('job_name', q.raw(`'failed'`)).from('outbox').whereNotNull('failed_at');
        })
        .as('o'),
    )
    .groupBy<Row[]>('job', 'state');
  return rows.map((r) => ({ labels: { job: String(r.job), state: String(r.state) }, count: n(r.c) }));
}

/** Seconds the oldest outbox row that is due has waited to be handed to the queue (0: none waits). */
export async function outboxLagSeconds(q: Q, now: Date): Promise<number> {
  const row = await q('outbox')
    .whereNull('dispatched_at')
    .whereNull('completed_at')
    .whereNull('failed_at')
    .where('available_at', '<=', now)
    .min({ oldest: 'available_at' })
    .first();
  const oldest = row?.oldest ? new Date(row.oldest as string | Date).getTime() : undefined;
  return oldest === undefined ? 0 : Math.max(0, (now.getTime() - oldest) / 1000);
}
