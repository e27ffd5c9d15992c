/** The alerts table: incidents opened, seen again, resolved and notified (rows never leave here). */
import { randomUUID } from 'node:crypto';
import type { Q } from '../platform/db';
import { isUuid } from '../platform/db';
import type { AlertRule, Incident } from './rules';

export interface Alert {
  id: string;
  rule: AlertRule;
  key: string;
  partnerId: string | null;
  summary: string;
  details: Record<string, unknown>;
  openedAt: Date;
  lastSeenAt: Date;
  resolvedAt: Date | null;
  mailedAt: Date | null;
  webhookAt: Date | null;
  notifyError: string | null;
}

type Row = Record<string, unknown>;
const date = (v: unknown) => (v ? new Date(v as string | Date) : null);

function toAlert(r: Row): Alert {
  return {
    id: String(r.id),
    rule: r.rule as AlertRule,
    key: String(r.key),
    partnerId: (r.partner_id as string | null) ?? null,
    summary: String(r.summary),
    details: (typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as Record<string, unknown>,
    openedAt: date(r.opened_at) as Date,
    lastSeenAt: date(r.last_seen_at) as Date,
    resolvedAt: date(r.resolved_at),
    mailedAt: date(r.mailed_at),
    webhookAt: date(r.webhook_at),
    notifyError: (r.notify_error as string | null) ?? null,
  };
}

/**
 * Opens the incident, or refreshes the open one of the same rule and key (one open per rule and
 * key: a partial unique index). Returns the alert's id and whether it was opened now.
 */
export async function openOrRefresh(
  trx: Q,
  rule: AlertRule,
  i: Incident,
  now: Date,
): Promise<{ id: string; opened: boolean }> {
  const res = await trx.raw<{ rows: { id: string; opened: boolean }[] }>(
    `insert into alerts (id, rule, key, partner_id, summary, details, opened_at, last_seen_at)
     values (?, ?, ?, ?, ?, ?::jsonb, ?, ?)
     on conflict (rule, key) where resolved_at is null
     do update set last_seen_at = excluded.last_seen_at, summary = excluded.summary, details = excluded.details
     returning id, (xmax = 0) as opened`,
    [randomUUID(), rule, i.key, i.partnerId, i.summary.slice(0, 1000), JSON.stringify(i.details), now, now],
  );
  const row = res.rows[0] as { id: string; opened: boolean };
  return { id: row.id, opened: row.opened };
}

/** Resolves the open alerts of `rule` whose key no longer holds. Returns how many. */
export async function resolveOthers(trx: Q, rule: AlertRule, keep: string[], now: Date): Promise<number> {
  return trx('alerts')
    .where({ rule })
    .whereNull('resolved_at')
    .whereNotIn('key', keep)
    .update({ resolved_at: now });
}

export async function findAlert(q: Q, id: string): Promise<Alert | undefined> {
  if (!isUuid(id)) return undefined;
  const r = (await q('alerts').where({ id }).first()) as Row | undefined;
  return r ? toAlert(r) : undefined;
}

export async function markNotified(
  q: Q,
  id: string,
  what: 'mailed_at' | 'webhook_at',
  at: Date,
): Promise<void> {
  await q('alerts')
    .where({ id })
    .update({ [what]: at, notify_error: null });
}

export async function markNotifyError(q: Q, id: string, error: string): Promise<void> {
  await q('alerts')
    .where({ id })
    .update({ notify_error: error.slice(0, 1000) });
}

export interface AlertFilter {
  state?: 'open' | 'resolved';
  rule?: AlertRule;
  partnerId?: string;
}

/** A page of alerts, newest first, and the count of all that match. */
export async function listAlerts(
  q: Q,
  f: AlertFilter,
  paging: { limit: number; offset: number },
): Promise<{ alerts: Alert[]; total: number }> {
  const base = () => {
    const b = q('alerts');
    if (f.state === 'open') b.whereNull('resolved_at');
    if (f.state === 'resolved') b.whereNotNull('resolved_at');
    if (f.rule) b.where({ rule: f.rule });
    if (f.partnerId) b.where({ partner_id: f.partnerId });
    return b;
  };
  const [rows, counted] = await Promise.all([
    base().orderBy('opened_at', 'desc').orderBy('id').limit(paging.limit).offset(paging.offset),
    base().count({ n: '*' }),
  ]);
  return { alerts: (rows as Row[]).map(toAlert), total: Number((counted[0] as Row | undefined)?.n ?? 0) };
}

/** Open alerts per rule (the console's dashboard and /metrics). */
export async function openAlertCounts(q: Q): Promise<Record<string, number>> {
  const rows = await q('alerts')
    .whereNull('resolved_at')
    .groupBy('rule')
    .select('rule')
    .count<Row[]>({ n: '*' });
  return Object.fromEntries(rows.map((r) => [String(r.rule), Number(r.n)]));
}
