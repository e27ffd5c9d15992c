import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import type { Config } from './config';
import type { Db } from './db';
import type { Logger } from './log';
import {
  getJob,
  resolveAttempts,
  resolveBackoff,
  UnrecoverableJobError,
  type FailedJob,
  type JobQueue,
} from './jobs';
import { outboxJobId, type OutboxRow } from './outbox';
import { Poller } from './poller';

const QUEUE_NAME = 'gateway';
const RELAY_ADD_TIMEOUT_MS = 3000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * BullMQ on Redis. The relay moves committed outbox rows into BullMQ (jobId = outbox id, so a relay
 * that crashes after adding and before marking re-adds nothing); several relays share the work through
 * SELECT ... FOR UPDATE SKIP LOCKED. Workers run the same job definitions as the in-process adapter.
 */
export class BullmqQueue implements JobQueue {
  readonly kind = 'bullmq' as const;
  private readonly producerConn: Redis;
  private workerConn: Redis | null = null;
  private readonly queue: Queue;
  private worker: Worker | null = null;
  private relay: Poller | null = null;

  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly log: Logger,
    private readonly opts: { concurrency?: number; relayBatch?: number } = {},
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
  }

  async start(opts: { workers: boolean; relay: boolean }): Promise<void> {
    if (opts.relay) {
      this.relay = new Poller(
        () => this.relayTick(),
        this.config.OUTBOX_POLL_MS,
        (err) => this.log.warn({ err: (err as Error).message }, 'outbox relay tick failed; will retry'),
      );
      this.relay.start();
    }
    if (opts.workers) {
      this.workerConn = new IORedis(this.config.REDIS_URL!, { maxRetriesPerRequest: null });
      this.workerConn.on('error', (err) =>
        this.log.debug({ err: err.message }, 'redis worker connection error'),
      );
      this.worker = new Worker(QUEUE_NAME, (job) => this.process(job), {
        connection: this.workerConn,
        prefix: this.config.QUEUE_PREFIX,
        concurrency: this.opts.concurrency ?? 16,
      });
      this.worker.on('error', (err) => this.log.warn({ err: err.message }, 'worker error'));
      this.worker.on('failed', (job, err) => void this.onFailed(job, err));
    }
  }

  nudge(): void {
    this.relay?.nudge();
  }

  /** One relay round: claim pending rows, add them to BullMQ, mark them dispatched, in one transaction. */
  async relayTick(): Promise<boolean> {
    const batch = this.opts.relayBatch ?? 200;
    return this.db.transaction(async (trx) => {
      const rows: (OutboxRow & { delay_ms: number })[] = await trx('outbox')
        .select(
          'id',
          'job_name',
          'payload',
          'available_at',
          'attempts',
          trx.raw('greatest(0, floor(extract(epoch from (available_at - now())) * 1000))::int as delay_ms'),
        )
        .whereNull('dispatched_at')
        .orderBy('id')
        .limit(batch)
        .forUpdate()
        .skipLocked();
      if (rows.length === 0) return false;
      await withTimeout(
        this.queue.addBulk(
          rows.map((row) => {
            const def = getJob(row.job_name);
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
          }),
        ),
        RELAY_ADD_TIMEOUT_MS,
        'adding jobs to Redis',
      );
      await trx('outbox')
        .whereIn(
          'id',
          rows.map((r) => r.id),
        )
        .update({ dispatched_at: trx.fn.now() });
      return rows.length === batch;
    });
  }

  private async process(job: Job): Promise<void> {
    const def = getJob(job.name);
    if (!def) throw new UnrecoverableError(`no job named ${job.name}`);
    const jobId = job.id ?? '';
    const ctx = {
      db: this.db,
      config: this.config,
      log: this.log.child({ jobId, job: job.name }),
      jobId,
      attempt: job.attemptsMade + 1,
      maxAttempts: job.opts.attempts ?? 1,
    };
    try {
      await def.handler(job.data, ctx);
    } catch (err) {
      if (err instanceof UnrecoverableJobError) throw new UnrecoverableError(err.message);
      throw err;
    }
  }

  private async onFailed(job: Job | undefined, err: Error): Promise<void> {
    if (!job) return;
    const final =
      err instanceof UnrecoverableError ||
      err.name === 'UnrecoverableError' ||
      job.attemptsMade >= (job.opts.attempts ?? 1);
    if (!final) return;
    const def = getJob(job.name);
    if (!def?.onFailed) return;
    const jobId = job.id ?? '';
    try {
      await def.onFailed(job.data, err, {
        db: this.db,
        config: this.config,
        log: this.log.child({ jobId, job: job.name }),
        jobId,
        attempt: job.attemptsMade,
        maxAttempts: job.opts.attempts ?? 1,
      });
    } catch (e) {
      this.log.error({ err: (e as Error).message, jobId }, 'onFailed hook failed');
    }
  }

  async listFailed(): Promise<FailedJob[]> {
    const jobs = await this.queue.getFailed(0, 499);
    return jobs.map((j) => ({
      id: j.id ?? '',
      name: j.name,
      data: j.data,
      attempts: j.attemptsMade,
      error: j.failedReason,
      failedAt: j.finishedOn ? new Date(j.finishedOn).toISOString() : null,
    }));
  }

  async retryFailed(id: string): Promise<boolean> {
    const job = await this.queue.getJob(id);
    if (!job || !(await job.isFailed())) return false;
    await job.retry('failed', { resetAttemptsMade: true });
    return true;
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
    await this.relay?.stop();
    await this.worker?.close();
    await this.queue.close().catch(() => undefined);
    this.producerConn.disconnect();
    this.workerConn?.disconnect();
  }

  /** For tests: remove every job of this queue's prefix. */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
  }
}
