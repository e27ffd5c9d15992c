/**
 * The Queues screen's use cases: counts per job name and state from the active queue adapter, the
 * dead letters with their error and payload, and retrying one (audited).
 */
import type { AppContext } from '../platform/context';
import { notFound } from '../platform/errors';
import type { FailedJob } from '../platform/jobs';
import type { JobStateCount } from '../platform/queue-counts';
import { writeAudit } from '../console/audit';
import type { OperatorAction } from '../documents/replay';

export interface QueueState {
  kind: 'bullmq' | 'inline';
  counts: JobStateCount[];
  failed: FailedJob[];
}

/** Dead letters shown on the screen (newest first). */
export const FAILED_SHOWN = 100;

export async function queueState(ctx: Pick<AppContext, 'queue'>): Promise<QueueState> {
  const [counts, failed] = await Promise.all([ctx.queue.stateCounts(), ctx.queue.listFailed()]);
  return { kind: ctx.queue.kind, counts, failed: failed.slice(0, FAILED_SHOWN) };
}

/** Runs a dead letter again (a new round of attempts), written to the audit log; 404 when none. */
export async function retryFailedJob(ctx: AppContext, id: string, who: OperatorAction): Promise<FailedJob> {
  const job = (await ctx.queue.listFailed()).find((j) => j.id === id);
  if (!job || !(await ctx.queue.retryFailed(id))) throw notFound('failed job');
  await writeAudit(ctx.db, who.now, {
    actor: who.actor,
    action: 'job.retry',
    subject: `job:${id}`,
    before: { name: job.name, state: 'failed', attempts: job.attempts, error: job.error.slice(0, 500) },
    after: { state: 'retrying' },
    ip: who.ip,
    requestId: who.requestId,
  });
  return job;
}
