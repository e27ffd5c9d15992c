/**
 * The console dashboard's figures, read from Postgres (every process's work): documents in and out
 * per hour over the last 24 hours, the last 24 hours by protocol, type and partner with refusals,
 * deliveries not delivered, delivery attempts that failed, overdue acknowledgments, orders waiting
 * for approval and open alerts. Each query is bounded by the created_at / status indexes.
 */
import type { Q } from '../platform/db';
import { openAlertCounts } from '../alerts/repository';
import { x12AckMetrics } from '../edi/acknowledgments';
import { attemptsLastHour, openDeliveries } from './state';

export interface HourBucket {
  /** The hour's start (UTC). */
  hour: Date;
  in: number;
  out: number;
  refused: number;
}

export interface TrafficRow {
  partnerId: string | null;
  protocol: string;
  docType: string;
  direction: string;
  total: number;
  refused: number;
}

export interface Dashboard {
  now: Date;
  hours: HourBucket[];
  traffic: TrafficRow[];
  deliveries: Record<'pending' | 'retrying' | 'failed' | 'rejected', number>;
  attempts: { total: number; failed: number };
  acksOverdue: number;
  awaitingApproval: number;
  alerts: Record<string, number>;
}

type Row = Record<string, unknown>;
const HOUR = 3_600_000;

async function hourly(q: Q, now: Date): Promise<HourBucket[]> {
  const start = Math.floor(now.getTime() / HOUR) * HOUR - 23 * HOUR;
  const rows = await q('documents')
    .where('created_at', '>=', new Date(start))
    .groupByRaw(`1, 2`)
    .select<Row[]>(
      q.raw(`date_trunc('hour', created_at) as hour`),
      'direction',
      q.raw(`count(*)::int as n`),
      q.raw(`(count(*) filter (where status = 'refused'))::int as refused`),
    );
  const buckets = Array.from({ length: 24 }, (_, i) => ({
    hour: new Date(start + i * HOUR),
    in: 0,
    out: 0,
    refused: 0,
  }));
  for (const r of rows) {
    const i = Math.round((new Date(r.hour as string).getTime() - start) / HOUR);
    const b = buckets[i];
    if (!b) continue;
    if (r.direction === 'in') b.in += Number(r.n);
    else b.out += Number(r.n);
    b.refused += Number(r.refused);
  }
  return buckets;
}

async function traffic(q: Q, now: Date): Promise<TrafficRow[]> {
  const rows = (await q('documents')
    .where('created_at', '>=', new Date(now.getTime() - 24 * HOUR))
    .groupBy('partner_id', 'protocol', 'doc_type', 'direction')
    .select(
      'partner_id',
      'protocol',
      'doc_type',
      'direction',
      q.raw(`count(*)::int as n`),
      q.raw(`(count(*) filter (where status = 'refused'))::int as refused`),
    )
    .orderByRaw('count(*) desc')
    .limit(50)) as Row[];
  return rows.map((r) => ({
    partnerId: (r.partner_id as string | null) ?? null,
    protocol: String(r.protocol),
    docType: String(r.doc_type),
    direction: String(r.direction),
    total: Number(r.n),
    refused: Number(r.refused),
  }));
}

export async function dashboard(q: Q, now: Date): Promise<Dashboard> {
  const [hours, rows, open, attempts, acks, approval, alerts] = await Promise.all([
    hourly(q, now),
    traffic(q, now),
    openDeliveries(q),
    attemptsLastHour(q, now),
    x12AckMetrics(q, now),
    q('orders').where({ state: 'pending_approval' }).count({ n: '*' }).first(),
    openAlertCounts(q),
  ]);
  const deliveries = { pending: 0, retrying: 0, failed: 0, rejected: 0 };
  for (const d of open) {
    const k = d.labels.state as keyof typeof deliveries;
    if (k in deliveries) deliveries[k] += d.count;
  }
  const total = attempts.reduce((a, c) => a + c.count, 0);
  const ok = attempts.filter((c) => c.labels.result === 'success').reduce((a, c) => a + c.count, 0);
  return {
    now,
    hours,
    traffic: rows,
    deliveries,
    attempts: { total, failed: total - ok },
    acksOverdue: acks.filter((a) => a.state === 'overdue').reduce((a, c) => a + c.count, 0),
    awaitingApproval: Number((approval as Row | undefined)?.n ?? 0),
    alerts,
  };
}
