import type { Config } from './config';
import { createDb, isEmbedded, migrateLatest, type Db } from './db';
import type { JobQueue } from './jobs';
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
}

export async function createContext(
  config: Config,
  opts: { log?: Logger; db?: Db; migrate?: boolean } = {},
): Promise<AppContext> {
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  configureSecretHashing({
    concurrency: config.SECRET_VERIFY_CONCURRENCY,
    queue: config.SECRET_VERIFY_QUEUE,
  });
  const db = opts.db ?? createDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  if (opts.migrate !== false) await migrateLatest(db);
  const queue: JobQueue = config.REDIS_URL
    ? new BullmqQueue(db, config, log, { concurrency: config.JOB_CONCURRENCY })
    : new InlineQueue(db, config, log, config.JOB_CONCURRENCY);
  return { config, db, log, queue, now: () => new Date() };
}

export async function closeContext(ctx: AppContext): Promise<void> {
  await ctx.queue.close();
  await ctx.db.destroy();
}

export { isEmbedded };
