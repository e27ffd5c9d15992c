import type { Config } from './config';
import type { Db } from './db';
import type { Logger } from './log';
import {
  backoffDelay,
  DeferJobError,
  jobPayload,
  type JobCatalog,
  resolveAttempts,
  resolveBackoff,
  isUnrecoverable,
  type FailedJob,
  type JobQueue,
} from './jobs';
import { outboxStateCounts, type JobStateCount } from './queue-counts';
import { listFailedOutbox, outboxIdOf, outboxJobId, type OutboxRow } from './outbox';
import { Poller } from './poller';
import { queueDueSchedules } from './schedules';
import { runTraced } from './trace';

/** A claimed job that has not finished in this long is taken as crashed and runs again. */
const LEASE_MS = 5 * 60 * 1000;

/**
 * In-process jobs for the embedded mode: the outbox table is the queue (due repeatable jobs of
 * schedules.ts are queued into it on each tick). A row is claimed with a lease,
 * run through the same job definition as under BullMQ, and marked completed or failed; a crash leaves
 * it to be claimed again when the lease runs out.
 */
export class InlineQueue implements JobQueue {
  readonly kind = 'inline' as const;
  private poller: Poller | null = null;
  private readonly active = new Set<Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly log: Logger,
    private readonly concurrency = 4,
    private readonly jobs: JobCatalog = new Map(),
  ) {}

  start(opts: { workers: boolean; relay: boolean }): Promise<void> {
    if (!opts.workers) return Promise.resolve();
    this.poller = new Poller(
      () => this.tick(),
      this.config.OUTBOX_POLL_MS,
      (err) => this.log.error({ err }, 'inline job runner tick failed'),
    );
    this.poller.start();
    return Promise.resolve();
  }

  nudge(): void {
    this.poller?.nudge();
  }

  private async tick(): Promise<boolean> {
    const free = this.concurrency - this.active.size;
    if (free <= 0) return false;
    const rows: OutboxRow[] = await this.db.transaction(async (trx) => {
      await queueDueSchedules(trx);
      const claimed = await trx<OutboxRow>('outbox')
        .select('id', 'job_name', 'payload', 'available_at', 'attempts')
        .whereNull('completed_at')
        .whereNull('failed_at')
        .where('available_at', '<=', trx.fn.now())
        .orderBy('id')
        .limit(free)
        .forUpdate()
        .skipLocked();
      if (claimed.length === 0) return [];
      await trx('outbox')
        .whereIn(
          'id',
          claimed.map((r) => r.id),
        )
        .update({
          attempts: trx.raw('attempts + 1'),
          dispatched_at: trx.fn.now(),
          available_at: trx.raw(`now() + (? * interval '1 millisecond')`, [LEASE_MS]),
        });
      return claimed;
    });
    for (const row of rows) {
      const p = this.run(row).finally(() => {
        this.active.delete(p);
        this.nudge();
      });
      this.active.add(p);
    }
    return rows.length > 0 && this.active.size < this.concurrency;
  }

  private async run(row: OutboxRow): Promise<void> {
    const def = this.jobs.get(row.job_name);
    const attempt = row.attempts + 1;
    const jobId = outboxJobId(row.id);
    if (!def) {
      await this.db('outbox')
        .where({ id: row.id })
        .update({ failed_at: this.db.fn.now(), last_error: `no job named ${row.job_name}` });
      return;
    }
    const maxAttempts = resolveAttempts(def, this.config);
    const ctx = {
      db: this.db,
      config: this.config,
      log: this.log.child({ jobId, job: row.job_name }),
      jobId,
      attempt,
      maxAttempts,
      queue: this,
      now: () => new Date(),
    };
    try {
      await runTraced({ jobId }, () => def.handler(jobPayload(def, row.payload), ctx));
      await this.db('outbox')
        .where({ id: row.id })
        .update({ completed_at: this.db.fn.now(), last_error: null });
    } catch (e) {
      if (e instanceof DeferJobError) {
        // Not an attempt: the claim counted one, give it back.
        await this.db('outbox')
          .where({ id: row.id })
          .update({
            attempts: this.db.raw('greatest(attempts - 1, 0)'),
            available_at: this.db.raw(`now() + (? * interval '1 millisecond')`, [e.delayMs]),
          });
        return;
      }
      const err = e instanceof Error ? e : new Error(String(e));
      const final = isUnrecoverable(err) || attempt >= maxAttempts;
      ctx.log.warn({ err: err.message, attempt, final }, 'job failed');
      if (final) {
        await this.db('outbox')
          .where({ id: row.id })
          .update({ failed_at: this.db.fn.now(), last_error: err.message });
        await def.onFailed?.(row.payload, err, ctx);
      } else {
        const delay = backoffDelay(resolveBackoff(def, this.config), attempt);
        await this.db('outbox')
          .where({ id: row.id })
          .update({
            last_error: err.message,
            available_at: this.db.raw(`now() + (? * interval '1 millisecond')`, [delay]),
          });
      }
    }
  }

  async listFailed(): Promise<FailedJob[]> {
    return listFailedOutbox(this.db);
  }

  async retryFailed(id: string): Promise<boolean> {
    const outboxId = outboxIdOf(id);
    if (outboxId === null) return false;
    const n = await this.db('outbox')
      .where({ id: outboxId })
      .whereNotNull('failed_at')
      .update({ failed_at: null, attempts: 0, available_at: this.db.fn.now() });
    this.nudge();
    return n > 0;
  }

  async stateCounts(): Promise<JobStateCount[]> {
    return outboxStateCounts(this.db, 'inline');
  }

  ping(): Promise<boolean> {
    return Promise.resolve(true);
  }

  async close(): Promise<void> {
    await this.poller?.stop();
    await Promise.allSettled([...this.active]);
  }
}
