/**
 * How many jobs each queue adapter holds, per job name and state, for the console's Queues screen.
 * The outbox is the source of truth of both adapters (waiting work, completions, dead letters);
 * with BullMQ, Redis tells what it holds now (waiting, active, delayed), sampled per state.
 */
import type { Queue } from 'bullmq';
import type { Q, RawRows } from './db';

export interface JobStateCount {
  name: string;
  state: string;
  count: number;
  /** Where the figure comes from. */
  source: 'outbox' | 'redis';
}

/**
 * The outbox's states. In-process adapter: a row is `waiting` when due, `running` while a worker
 * holds its lease (claimed, no error yet), `retrying` when it failed and waits for its backoff,
 * `delayed` when queued for later. With BullMQ a row not yet handed to Redis is `pending`;
 * what Redis holds is counted there.
 */
export async function outboxStateCounts(q: Q, kind: 'inline' | 'bullmq'): Promise<JobStateCount[]> {
  const open =
    kind === 'inline'
      ? `case when available_at <= now() then 'waiting'
              when last_error is not null then 'retrying'
              when attempts > 0 and dispatched_at is not null then 'running'
              else 'delayed' end`
      : `case when dispatched_at is null then 'pending' else null end`;
  const rows = (
    await q.raw<RawRows<{ job_name: string; state: string; n: number }>>(
      `select job_name, state, count(*)::int as n from (
         select job_name, case when failed_at is not null then 'failed'
                               when completed_at is not null then 'completed'
                               else ${open} end as state
         from outbox) s
       where state is not null
       group by job_name, state order by job_name, state`,
    )
  ).rows;
  return rows.map((r) => ({ name: r.job_name, state: r.state, count: Number(r.n), source: 'outbox' }));
}

/** Jobs looked at per Redis state to split its count by name; the rest is counted as "(more)". */
const SAMPLE = 1000;
const REDIS_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

/** What Redis holds of a BullMQ queue, per job name and state. */
export async function redisStateCounts(queue: Queue): Promise<JobStateCount[]> {
  const out: JobStateCount[] = [];
  for (const state of REDIS_STATES) {
    const total = await queue.getJobCountByTypes(state);
    if (total === 0) continue;
    const jobs = await queue.getJobs([state], 0, SAMPLE - 1, true);
    const byName = new Map<string, number>();
    for (const j of jobs) if (j) byName.set(j.name, (byName.get(j.name) ?? 0) + 1);
    const sampled = [...byName.values()].reduce((a, b) => a + b, 0);
    if (total > sampled) byName.set('(more)', total - sampled);
    for (const [name, count] of byName) out.push({ name, state, count, source: 'redis' });
  }
  return out;
}
