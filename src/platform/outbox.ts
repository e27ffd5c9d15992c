import { onlyRow, type Q } from './db';
import type { FailedJob, JobDefinition } from './jobs';

/** Outbox job ids double as queue job ids, so a relay that enqueues twice enqueues once. */
export const outboxJobId = (id: number | string): string => `ob-${id}`;
export const outboxIdOf = (jobId: string): number | null => {
  const m = /^ob-(\d+)$/.exec(jobId);
  return m ? Number(m[1]) : null;
};

/**
 * Records follow-up work in the caller's transaction: the job exists exactly when the state change
 * that asked for it has committed.
 */
export async function enqueueInTx<T extends object>(
  trx: Q,
  job: JobDefinition<T>,
  payload: T,
  opts: { delayMs?: number } = {},
): Promise<number> {
  const availableAt =
    opts.delayMs && opts.delayMs > 0
      ? trx.raw(`now() + (? * interval '1 millisecond')`, [opts.delayMs])
      : trx.fn.now();
  const rows = await trx('outbox')
    .insert({ ...outboxRow(job, payload), available_at: availableAt })
    .returning<{ id: number }[]>('id');
  return Number(onlyRow(rows).id);
}

/**
 * The outbox row of a job due now, for callers that insert it as part of a larger statement
 * (available_at takes its default, the transaction's now()).
 */
export function outboxRow<T extends object>(
  job: JobDefinition<T>,
  payload: T,
): { job_name: string; payload: string } {
  return { job_name: job.name, payload: JSON.stringify(job.payload.parse(payload)) };
}

export interface OutboxRow {
  id: number;
  job_name: string;
  payload: unknown;
  available_at: Date;
  attempts: number;
}

interface FailedOutboxRow extends OutboxRow {
  last_error: string | null;
  failed_at: Date | null;
}

/** The dead letters: jobs that failed for good, as the outbox records them (both adapters). */
export async function listFailedOutbox(q: Q, limit = 500): Promise<FailedJob[]> {
  const rows = await q<FailedOutboxRow>('outbox')
    .whereNotNull('failed_at')
    .orderBy('id', 'desc')
    .limit(limit);
  return rows.map((r) => ({
    id: outboxJobId(r.id),
    name: r.job_name,
    data: r.payload,
    attempts: r.attempts,
    error: r.last_error ?? '',
    failedAt: r.failed_at ? new Date(r.failed_at).toISOString() : null,
  }));
}
