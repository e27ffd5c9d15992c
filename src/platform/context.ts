import type { Config } from './config';
import { createDb, isEmbedded, migrateLatest, type Db } from './db';
import { installDeliveryHooks, JOBS } from '../jobs/catalog';
import { jobCatalog, type JobDefinition, type JobQueue } from './jobs';
import { createLogger, type Logger } from './log';
import { BullmqQueue } from './queue-bullmq';
import { InlineQueue } from './queue-inline';
import { configureSecretHashing } from './secrets';

/** Everything a use case, route or job may need, built once per process. */
export interface AppContext {
  config: Config;
  db: Db;
  log: Logger;
  queue: JobQueue;
  /** The clock; tests may replace it. */
  now: () => Date;
  /**
   * One connection of its own for /ready, so the probe never queues behind requests for the
   * shared pool while the gateway is at capacity (absent in embedded mode: PGlite is one
   * connection anyway).
   */
  probeDb?: Db;
}

export async function createContext(
  config: Config,
  opts: {
    log?: Logger;
    db?: Db;
    migrate?: boolean;
    holder?: { command: string };
    /** The jobs this process runs (default: every job of the gateway, src/jobs/catalog.ts). */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each definition has its own payload type
    jobs?: readonly JobDefinition<any>[];
  } = {},
): Promise<AppContext> {
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  configureSecretHashing({
    concurrency: config.SECRET_VERIFY_CONCURRENCY,
    queue: config.SECRET_VERIFY_QUEUE,
  });
  const db =
    opts.db ?? createDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, holder: opts.holder });
  if (opts.migrate !== false) await migrateLatest(db);
  installDeliveryHooks();
  const jobs = jobCatalog(opts.jobs ?? JOBS);
  const queue: JobQueue = config.REDIS_URL
    ? new BullmqQueue(db, config, log, { concurrency: config.JOB_CONCURRENCY, jobs })
    : new InlineQueue(db, config, log, config.JOB_CONCURRENCY, jobs);
  const probeDb = config.DATABASE_URL
    ? createDb({ databaseUrl: config.DATABASE_URL, poolMax: 1 })
    : undefined;
  return { config, db, log, queue, now: () => new Date(), probeDb };
}

export async function closeContext(ctx: AppContext): Promise<void> {
  await ctx.queue.close();
  await ctx.db.destroy();
  await ctx.probeDb?.destroy();
}

export { isEmbedded };
