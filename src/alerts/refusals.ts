/**
 * Refused authentications counted per minute and surface in Postgres (auth_refusal_counts), so the
 * refusal-spike rule sees the refusals of every server process. Each process adds up its refusals in
 * memory and writes them at most every FLUSH_MS in one statement: a flood of bad credentials costs a
 * map increment per request, not a write.
 */
import type { Q } from '../platform/db';

export type RefusalSurface = 'cxml' | 'api' | 'console' | 'as2';

const FLUSH_MS = 2000;

interface Pending {
  counts: Map<string, number>;
  timer: NodeJS.Timeout | undefined;
}

const pending = new WeakMap<Q, Pending>();

const minuteOf = (at: Date) => new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString();

/** Counts one refused authentication on `surface` (written within FLUSH_MS; never waited for). */
export function countRefusal(db: Q, surface: RefusalSurface, at: Date = new Date()): void {
  let p = pending.get(db);
  if (!p) {
    p = { counts: new Map(), timer: undefined };
    pending.set(db, p);
  }
  const key = `${minuteOf(at)}|${surface}`;
  p.counts.set(key, (p.counts.get(key) ?? 0) + 1);
  if (!p.timer) {
    const held = p;
    held.timer = setTimeout(() => void flushRefusals(db).catch(() => undefined), FLUSH_MS);
    held.timer.unref();
  }
}

/** Writes the counts held so far (also called by tests and at shutdown). */
export async function flushRefusals(db: Q): Promise<void> {
  const p = pending.get(db);
  if (!p) return;
  if (p.timer) clearTimeout(p.timer);
  p.timer = undefined;
  const rows = [...p.counts].map(([key, count]) => {
    const [minute, surface] = key.split('|') as [string, string];
    return { minute, surface, count };
  });
  p.counts.clear();
  if (rows.length === 0) return;
  await db.raw(
    `insert into auth_refusal_counts (minute, surface, count)
     select * from jsonb_to_recordset(?::jsonb) as r(minute timestamptz, surface text, count int)
     on conflict (minute, surface) do update set count = auth_refusal_counts.count + excluded.count`,
    [JSON.stringify(rows)],
  );
}

/** Refusals per surface since `since`. */
export async function refusalsSince(q: Q, since: Date): Promise<Record<string, number>> {
  const rows = await q('auth_refusal_counts')
    .where('minute', '>=', new Date(Math.floor(since.getTime() / 60_000) * 60_000))
    .groupBy('surface')
    .select('surface')
    .sum<{ surface: string; n: string | number }[]>({ n: 'count' });
  return Object.fromEntries(rows.map((r) => [r.surface, Number(r.n)]));
}
