import type { ZodType } from 'zod';
import type { Config } from './config';
import type { AppContext } from './context';
import { AppError } from './errors';
import type { JobStateCount } from './queue-counts';

/**
 * What a job handler gets besides its data: the context requests have (database, config, logger,
 * queue, clock), so a handler passes it to the same use cases a route calls, and the run's identity.
 */
export interface JobContext extends AppContext {
  jobId: string;
  /** 1 for the first run. */
  attempt: number;
  maxAttempts: number;
}

export interface JobDefinition<T = unknown> {
  name: string;
  /** The payload's shape: checked when the job is queued (enqueueInTx) and before it runs. */
  payload: ZodType<T>;
  /** Total runs, the first included. */
  attempts: number | ((config: Config) => number);
  /** First retry delay; each further retry doubles it. */
  backoffMs: number | ((config: Config) => number);
  handler: (data: T, ctx: JobContext) => Promise<void>;
  /** Called once when the job has failed for good (attempts exhausted or unrecoverable). */
  onFailed?: (data: T, error: Error, ctx: JobContext) => Promise<void>;
}

/** Thrown by a handler when retrying cannot help (a 4xx from a buyer, a vanished record). */
export class UnrecoverableJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnrecoverableJobError';
  }
}

/**
 * True when retrying cannot mend the failure: the handler's UnrecoverableJobError, or an AppError
 * that is not retryable (a conflict with the order's state, a partner missing a setting, a record
 * that does not exist). Both queue adapters fail such a job once, without retries, so it shows in the
 * dead letters at once instead of after every attempt and backoff; a retry there runs it again.
 */
export function isUnrecoverable(err: unknown): boolean {
  return err instanceof UnrecoverableJobError || (err instanceof AppError && !err.retryable);
}

/**
 * Thrown by a handler that cannot run now for a reason outside the job (a partner's delivery slots
 * are all taken): the job runs again after `delayMs` and the run does not count as an attempt.
 */
export class DeferJobError extends Error {
  constructor(
    readonly delayMs: number,
    message: string,
  ) {
    super(message);
    this.name = 'DeferJobError';
  }
}

/**
 * A job definition. Definitions live in their feature folders; the composition root lists the ones a
 * process runs (src/jobs/catalog.ts) and hands them to the queue adapter: nothing registers itself
 * by being imported.
 */
export function defineJob<T>(def: JobDefinition<T>): JobDefinition<T> {
  return def;
}

/** The jobs a queue adapter runs, by name. */
export type JobCatalog = ReadonlyMap<string, JobDefinition<unknown>>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each definition has its own payload type
export function jobCatalog(defs: readonly JobDefinition<any>[]): JobCatalog {
  const byName = new Map<string, JobDefinition<unknown>>();
  for (const d of defs) {
    if (byName.has(d.name)) throw new Error(`two job definitions are named ${d.name}`);
    byName.set(d.name, d as JobDefinition<unknown>);
  }
  return byName;
}

/**
 * The payload a stored job carries, checked against its definition before the handler runs: a row
 * written by an older version, or by hand, fails once with the reason instead of deep in a handler.
 */
export function jobPayload<T>(def: JobDefinition<T>, data: unknown): T {
  const r = def.payload.safeParse(data);
  if (!r.success)
    throw new UnrecoverableJobError(
      `the payload of ${def.name} does not match its schema: ${r.error.issues
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ')}`,
    );
  return r.data;
}

export function resolveAttempts(def: JobDefinition<unknown>, config: Config): number {
  return typeof def.attempts === 'function' ? def.attempts(config) : def.attempts;
}

export function resolveBackoff(def: JobDefinition<unknown>, config: Config): number {
  return typeof def.backoffMs === 'function' ? def.backoffMs(config) : def.backoffMs;
}

/** Exponential backoff: base, 2x base, 4x base ... (attempt is the run that just failed, from 1). */
export function backoffDelay(baseMs: number, attempt: number): number {
  return baseMs * 2 ** (attempt - 1);
}

export interface FailedJob {
  id: string;
  name: string;
  data: unknown;
  attempts: number;
  error: string;
  failedAt: string | null;
}

/** The queue as the rest of the gateway sees it: BullMQ on Redis, or in-process on the outbox table. */
export interface JobQueue {
  readonly kind: 'bullmq' | 'inline';
  /** Starts the outbox relay (and, with `workers`, the job workers). */
  start(opts: { workers: boolean; relay: boolean }): Promise<void>;
  /** Wakes the relay now instead of at its next poll. */
  nudge(): void;
  listFailed(): Promise<FailedJob[]>;
  /** Puts a failed job back for another round of attempts. False when no such failed job exists. */
  retryFailed(id: string): Promise<boolean>;
  /** Jobs per name and state (src/platform/queue-counts.ts), for the console's Queues screen. */
  stateCounts(): Promise<JobStateCount[]>;
  ping(): Promise<boolean>;
  /** Waits for running jobs to finish, then stops. */
  close(): Promise<void>;
}
