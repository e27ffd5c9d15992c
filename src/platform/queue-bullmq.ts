import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Knex } from 'knex';
import IORedis, { type Redis } from 'ioredis';
import type { Config } from './config';
import type { Db, RawRows } from './db';
import type { Logger } from './log';
import {
  DeferJobError,
  jobPayload,
  type JobCatalog,
  resolveAttempts,
  resolveBackoff,
  isUnrecoverable,
  type FailedJob,
  type JobDefinition,
  type JobQueue,
} from './jobs';
import { outboxStateCounts, redisStateCounts, type JobStateCount } from './queue-counts';
import { listFailedOutbox, outboxIdOf, outboxJobId, type OutboxRow } from './outbox';
import { Poller } from './poller';
import { checkRedisDurability } from './redis-durability';
import { queueDueSchedules } from './schedules';
import { withTimeout } from './timeout';
import { runTraced } from './trace';

const QUEUE_NAME = 'gateway';
const RELAY_ADD_TIMEOUT_MS = 3000;
/** Outbox rows compared with Redis per reconciler round. */
const RECONCILE_BATCH = 500;
/** pg_try_advisory_xact_lock key of the reconciler: one process at a time compares (ASCII "obrc"). */
const RECONCILE_LOCK = 0x6f627263;
/** Completions written back to the outbox together, at most this often. */
const MARK_EVERY_MS = 20;

/**
 * BullMQ on Redis. The relay queues due repeatable jobs (schedules.ts) and moves committed outbox rows into BullMQ (jobId = outbox id, so a relay
 * that crashes after adding and before marking re-adds nothing); several relays share the work through
 * SELECT ... FOR UPDATE SKIP LOCKED. Workers run the same job definitions as the in-process adapter.
 *
 * The outbox stays the source of truth: a job's completion is written back to its row (in batches),
 * and so is its final failure (the dead letters are read from the outbox). The reconciler compares
 * rows that were dispatched at least OUTBOX_RECONCILE_GRACE_MS ago and are not finished with what
 * Redis holds: a job Redis no longer has (it lost its data, FLUSHALL, an empty replica was promoted)
 * is added again under the same job id; one Redis finished is written back. Handlers are idempotent,
 * so a job whose effect was done before its completion was recorded does nothing the second time.
 */
/** The outbox columns a job is built from, with the delay until the row is due (relay and reconciler). */
const TRY_LOCK = 'select pg_try_advisory_xact_lock(?) as locked';

function outboxJobColumns(trx: Knex.Transaction) {
  return [
    'id',
    'job_name',
    'payload',
    'available_at',
    'attempts',
    trx.raw('greatest(0, floor(extract(epoch from (available_at - now())) * 1000))::int as delay_ms'),
  ];
}

export class BullmqQueue implements JobQueue {
  readonly kind = 'bullmq' as const;
  private readonly producerConn: Redis;
  private workerConn: Redis | null = null;
  private readonly queue: Queue;
  private worker: Worker | null = null;
  private relay: Poller | null = null;
  private reconciler: Poller | null = null;
  private reconcileCursor = 0;
  /** Outbox ids of completed jobs not yet written back. */
  private readonly doneIds = new Set<number>();
  /** Outbox ids of the jobs this process's worker is running. */
  private readonly runningIds = new Set<number>();
  private readonly failing = new Set<Promise<void>>();
  private markTimer: NodeJS.Timeout | null = null;
  private marking: Promise<void> = Promise.resolve();
  /** When the relay next queues due schedules (Date.now() ms). */
  private schedulesDueAt = 0;
  private closing = false;
  /** Settles once Redis's persistence settings have been read (or could not be). */
  readonly redisChecked: Promise<void>;

  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly log: Logger,
    private readonly opts: { concurrency?: number; relayBatch?: number; jobs?: JobCatalog } = {},
  ) {
    const url = config.REDIS_URL;
    if (!url) throw new Error('BullmqQueue needs REDIS_URL');
    // Producer fails fast while Redis is down: the outbox keeps the work until it is back.
    this.producerConn = new IORedis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
    });
    this.producerConn.on('error', (err) =>
      this.log.debug({ err: err.message }, 'redis producer connection error'),
    );
    this.queue = new Queue(QUEUE_NAME, {
      connection: this.producerConn,
      prefix: config.QUEUE_PREFIX,
    });
    this.queue.on('error', (err) => this.log.debug({ err: err.message }, 'queue error'));
    this.redisChecked = new Promise<void>((resolve) => {
      this.producerConn.once(
        'ready',
        () => void checkRedisDurability(this.producerConn, this.log).finally(resolve),
      );
    });
  }

  start(opts: { workers: boolean; relay: boolean }): Promise<void> {
    if (opts.relay) {
      this.relay = new Poller(
        () => this.relayTick(),
        this.config.OUTBOX_POLL_MS,
        (err) => this.log.warn({ err: (err as Error).message }, 'outbox relay tick failed; will retry'),
      );
      this.relay.start();
      this.reconciler = new Poller(
        () => this.reconcileTick(),
        this.config.OUTBOX_RECONCILE_MS,
        (err) => this.log.warn({ err: (err as Error).message }, 'outbox reconciler round failed; will retry'),
      );
      this.reconciler.start();
    }
    if (opts.workers) {
      this.workerConn = new IORedis(this.config.REDIS_URL!, { maxRetriesPerRequest: null });
      this.workerConn.on('error', (err) =>
        this.log.debug({ err: err.message }, 'redis worker connection error'),
      );
      this.worker = new Worker(QUEUE_NAME, (job, token) => this.process(job, token), {
        connection: this.workerConn,
        prefix: this.config.QUEUE_PREFIX,
        concurrency: this.opts.concurrency ?? 16,
      });
      this.worker.on('error', (err) => this.log.warn({ err: err.message }, 'worker error'));
      this.worker.on('failed', (job, err) => {
        // Tracked so that close() lets a dead letter be recorded before the database goes away.
        const p = this.onFailed(job, err).finally(() => this.failing.delete(p));
        this.failing.add(p);
      });
    }
    return Promise.resolve();
  }

  nudge(): void {
    this.relay?.nudge();
  }

  /**
   * One relay round, in one transaction: claim pending rows and mark them dispatched (one statement,
   * whose row locks keep other relays off them until the commit), add them to BullMQ, commit. Redis
   * refusing the jobs rolls the marks back. Due schedules are queued first, at most once per
   * OUTBOX_POLL_MS (a relay nudged after every order need not ask each time).
   */
  async relayTick(): Promise<boolean> {
    const batch = this.opts.relayBatch ?? 200;
    return this.db.transaction(async (trx) => {
      if (Date.now() >= this.schedulesDueAt) {
        this.schedulesDueAt = Date.now() + this.config.OUTBOX_POLL_MS;
        await queueDueSchedules(trx);
      }
      const claimed = await trx.raw<{ rows: (OutboxRow & { delay_ms: number })[] }>(
        `with claimed as (
           select id from outbox where dispatched_at is null order by id limit ? for update skip locked
         )
         update outbox o set dispatched_at = now() from claimed where o.id = claimed.id
         returning o.id, o.job_name, o.payload, o.available_at, o.attempts,
           greatest(0, floor(extract(epoch from (o.available_at - now())) * 1000))::int as delay_ms`,
        [batch],
      );
      const rows = claimed.rows.sort((a, b) => a.id - b.id);
      if (rows.length === 0) return false;
      await withTimeout(
        this.queue.addBulk(rows.map((row) => this.bulkJob(row))),
        RELAY_ADD_TIMEOUT_MS,
        'adding jobs to Redis',
      );
      return rows.length === batch;
    });
  }

  /** The job an outbox row becomes in BullMQ (the relay and the reconciler add the same). */
  private bulkJob(row: Pick<OutboxRow, 'id' | 'job_name' | 'payload'> & { delay_ms: number }) {
    const def = this.opts.jobs?.get(row.job_name);
    const attempts = def ? resolveAttempts(def, this.config) : 1;
    const backoff = def ? resolveBackoff(def, this.config) : 1000;
    return {
      name: row.job_name,
      data: row.payload,
      opts: {
        jobId: outboxJobId(row.id),
        delay: row.delay_ms,
        attempts,
        backoff: { type: 'exponential', delay: backoff },
        removeOnComplete: { age: 24 * 3600, count: 10000 },
        removeOnFail: false,
      },
    };
  }

  /**
   * One reconciler round over the next RECONCILE_BATCH dispatched, unfinished rows (in id order,
   * wrapping around): what Redis finished is written back, what it no longer has is added again.
   */
  async reconcileTick(): Promise<boolean> {
    return this.db.transaction(async (trx) => {
      const lock = await trx.raw<RawRows<{ locked: boolean }>>(TRY_LOCK, [RECONCILE_LOCK]);
      if (!lock.rows[0]?.locked) return false;
      const rows = await trx('outbox')
        .select<(OutboxRow & { delay_ms: number })[]>(outboxJobColumns(trx))
        .whereNotNull('dispatched_at')
        .whereNull('completed_at')
        .whereNull('failed_at')
        .where(
          'dispatched_at',
          '<',
          trx.raw(`now() - (? * interval '1 millisecond')`, [this.config.OUTBOX_RECONCILE_GRACE_MS]),
        )
        .where('id', '>', this.reconcileCursor)
        .orderBy('id')
        .limit(RECONCILE_BATCH);
      const full = rows.length === RECONCILE_BATCH;
      this.reconcileCursor = full ? rows[rows.length - 1]!.id : 0;
      if (rows.length === 0) return false;
      const states = await withTimeout(
        Promise.all(rows.map((r) => this.queue.getJobState(outboxJobId(r.id)))),
        RELAY_ADD_TIMEOUT_MS,
        'reading job states from Redis',
      );
      const missing: typeof rows = [];
      const completed: number[] = [];
      const failed: { id: number; attempts: number; error: string }[] = [];
      for (const [i, row] of rows.entries()) {
        const state = states[i];
        if (state === 'unknown') missing.push(row);
        else if (state === 'completed') completed.push(row.id);
        else if (state === 'failed') {
          const job = await this.queue.getJob(outboxJobId(row.id));
          failed.push({ id: row.id, attempts: job?.attemptsMade ?? 0, error: job?.failedReason ?? 'failed' });
        }
      }
      // Not lost: running here (its hash went with the flush), or finished since the rows were read.
      const candidates = missing.filter((r) => !this.runningIds.has(r.id) && !this.doneIds.has(r.id));
      const taken = candidates.length
        ? new Set(
            (
              await trx('outbox')
                .whereIn(
                  'id',
                  candidates.map((r) => r.id),
                )
                .whereNull('completed_at')
                .whereNull('failed_at')
                .update({ dispatched_at: trx.fn.now() })
                .returning('id')
            ).map((r: { id: number }) => r.id),
          )
        : new Set<number>();
      const lost = candidates.filter((r) => taken.has(r.id));
      if (lost.length) {
        // A job hash left without its lists (eviction) would make the add a no-op: remove it first.
        await withTimeout(
          Promise.all(lost.map((r) => this.queue.remove(outboxJobId(r.id)).catch(() => 0))),
          RELAY_ADD_TIMEOUT_MS,
          'removing lost jobs from Redis',
        );
        await withTimeout(
          this.queue.addBulk(lost.map((row) => this.bulkJob(row))),
          RELAY_ADD_TIMEOUT_MS,
          're-adding lost jobs to Redis',
        );
        this.log.warn(
          { jobs: lost.length, first: outboxJobId(lost[0]!.id) },
          'outbox reconciler: jobs Redis no longer had were handed over again',
        );
      }
      if (completed.length)
        await trx('outbox').whereIn('id', completed).update({ completed_at: trx.fn.now() });
      for (const f of failed)
        await trx('outbox')
          .where({ id: f.id })
          .update({ failed_at: trx.fn.now(), attempts: f.attempts, last_error: f.error });
      return full;
    });
  }

  /** Records a completed job in the outbox; written together with the others of the next few ms. */
  private markDone(jobId: string): void {
    const id = outboxIdOf(jobId);
    if (id === null) return;
    this.doneIds.add(id);
    this.scheduleMarks(MARK_EVERY_MS);
  }

  private scheduleMarks(ms: number): void {
    this.markTimer ??= setTimeout(() => {
      this.markTimer = null;
      this.marking = this.marking.then(() => this.flushDone());
    }, ms);
  }

  private async flushDone(): Promise<void> {
    const ids = [...this.doneIds];
    if (ids.length === 0) return;
    try {
      await this.db('outbox')
        .whereIn('id', ids)
        .update({ completed_at: this.db.fn.now(), failed_at: null, last_error: null });
      // Only now: until the write is in, the reconciler must not take these for lost.
      for (const id of ids) this.doneIds.delete(id);
    } catch (err) {
      // Kept for the next write; if this process ends first, the reconciler finds the job completed
      // in Redis, or runs it again (handlers are idempotent).
      this.log.warn({ err: (err as Error).message, jobs: ids.length }, 'could not record job completions');
      if (!this.closing) this.scheduleMarks(1000);
    }
  }

  private async process(job: Job, token: string | undefined): Promise<void> {
    const def = this.opts.jobs?.get(job.name);
    if (!def) throw new UnrecoverableError(`no job named ${job.name}`);
    const jobId = job.id ?? '';
    const outboxId = outboxIdOf(jobId);
    if (outboxId !== null) this.runningIds.add(outboxId);
    try {
      await this.run(def, job, jobId, token);
    } finally {
      if (outboxId !== null) this.runningIds.delete(outboxId);
    }
  }

  private async run(
    def: JobDefinition<unknown>,
    job: Job,
    jobId: string,
    token: string | undefined,
  ): Promise<void> {
    const ctx = {
      db: this.db,
      config: this.config,
      log: this.log.child({ jobId, job: job.name }),
      jobId,
      attempt: job.attemptsMade + 1,
      maxAttempts: job.opts.attempts ?? 1,
      queue: this,
      now: () => new Date(),
    };
    try {
      await runTraced({ jobId }, () => def.handler(jobPayload(def, job.data), ctx));
    } catch (err) {
      if (isUnrecoverable(err)) throw new UnrecoverableError((err as Error).message);
      if (err instanceof DeferJobError && token) {
        // Back to the delayed set without counting an attempt (BullMQ's skipAttempt).
        await job.moveToDelayed(Date.now() + err.delayMs, token);
        throw new DelayedError(err.message);
      }
      throw err;
    }
    this.markDone(jobId);
  }

  private async onFailed(job: Job | undefined, err: Error): Promise<void> {
    if (!job) return;
    const final =
      err instanceof UnrecoverableError ||
      err.name === 'UnrecoverableError' ||
      job.attemptsMade >= (job.opts.attempts ?? 1);
    if (!final) return;
    const jobId = job.id ?? '';
    const outboxId = outboxIdOf(jobId);
    if (outboxId !== null) {
      // A dead letter, kept where Redis losing its data cannot take it.
      await this.db('outbox')
        .where({ id: outboxId })
        .update({ failed_at: this.db.fn.now(), attempts: job.attemptsMade, last_error: err.message })
        .catch((e: unknown) =>
          this.log.warn({ err: (e as Error).message, jobId }, 'could not record a failed job in the outbox'),
        );
    }
    const def = this.opts.jobs?.get(job.name);
    if (!def?.onFailed) return;
    try {
      await def.onFailed(job.data, err, {
        db: this.db,
        config: this.config,
        log: this.log.child({ jobId, job: job.name }),
        jobId,
        attempt: job.attemptsMade,
        maxAttempts: job.opts.attempts ?? 1,
        queue: this,
        now: () => new Date(),
      });
    } catch (e) {
      this.log.error({ err: (e as Error).message, jobId }, 'onFailed hook failed');
    }
  }

  async listFailed(): Promise<FailedJob[]> {
    return listFailedOutbox(this.db);
  }

  /**
   * A dead letter goes back for another round of attempts: through BullMQ when Redis still has the
   * failed job, else by the relay adding it again (its row marked undispatched).
   */
  async retryFailed(id: string): Promise<boolean> {
    const outboxId = outboxIdOf(id);
    if (outboxId === null) return false;
    const row = await this.db<OutboxRow>('outbox')
      .where({ id: outboxId })
      .whereNotNull('failed_at')
      .first('id');
    if (!row) return false;
    const job = await this.queue.getJob(id);
    if (job && (await job.isFailed())) {
      await this.db('outbox')
        .where({ id: outboxId })
        .update({ failed_at: null, dispatched_at: this.db.fn.now() });
      await job.retry('failed', { resetAttemptsMade: true });
    } else {
      if (job) await this.queue.remove(id).catch(() => 0);
      await this.db('outbox')
        .where({ id: outboxId })
        .update({ failed_at: null, dispatched_at: null, available_at: this.db.fn.now() });
      this.nudge();
    }
    return true;
  }

  /** The outbox's rows not yet in Redis, completions and dead letters; what Redis holds now. */
  async stateCounts(): Promise<JobStateCount[]> {
    return [...(await outboxStateCounts(this.db, 'bullmq')), ...(await redisStateCounts(this.queue))];
  }

  async ping(): Promise<boolean> {
    try {
      return (await withTimeout(this.producerConn.ping(), 1000, 'pinging Redis')) === 'PONG';
    } catch {
      return false;
    }
  }

  /** Waits for the relay and for running jobs (SIGTERM drains cleanly). */
  async close(): Promise<void> {
    this.closing = true;
    await this.relay?.stop();
    await this.reconciler?.stop();
    await this.worker?.close();
    await Promise.all([...this.failing]);
    if (this.markTimer) clearTimeout(this.markTimer);
    this.markTimer = null;
    await (this.marking = this.marking.then(() => this.flushDone()));
    await this.queue.close().catch(() => undefined);
    this.producerConn.disconnect();
    this.workerConn?.disconnect();
  }

  /** For tests: remove every job of this queue's prefix. */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
  }
}
