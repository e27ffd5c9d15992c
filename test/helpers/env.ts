import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import { loadConfig, type Config } from '../../src/platform/config';
import { closeContext, createContext, type AppContext } from '../../src/platform/context';
import { createDb, type Db } from '../../src/platform/db';
import { createLogger } from '../../src/platform/log';

/** Real Postgres and Redis of the machine (CI starts them). */
export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const ADMIN_TOKEN = 'test-admin-token-0123456789';
/** SECRETS_KEY of the tests (32 bytes, base64). */
export const SECRETS_KEY = Buffer.alloc(32, 7).toString('base64');

/** A fresh database per test file, so test files can run in parallel. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `gw_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: PG_ADMIN_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`create database ${name}`);
  await admin.destroy();
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    drop: async () => {
      const a = knexFactory({ client: 'pg', connection: PG_ADMIN_URL, pool: { min: 0, max: 1 } });
      await a.raw(`drop database if exists ${name} with (force)`);
      await a.destroy();
    },
  };
}

export function testConfig(overrides: Record<string, string | undefined> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ADMIN_TOKEN,
    SECRETS_KEY,
    DEMO: '0',
    OUTBOX_POLL_MS: '50',
    // Tests change partner rows with plain SQL and expect the next request to see it.
    PARTNER_CACHE_MS: '0',
    // Test files send many refused credentials from 127.0.0.1; the throttle is tested on its own.
    AUTH_FAILURES_PER_ADDRESS: '100000',
    AUTH_FAILURES_PER_CREDENTIAL: '100000',
    DELIVERY_RETRY_BASE_MS: '50',
    DELIVERY_MAX_ATTEMPTS: '3',
    SUPPLIER_CXML_DOMAIN: 'NetworkID',
    SUPPLIER_CXML_IDENTITY: 'AN-SUPPLIER-TEST',
    ...overrides,
  });
}

export interface TestEnv {
  ctx: AppContext;
  db: Db;
  config: Config;
  close: () => Promise<void>;
}

/**
 * A migrated fresh Postgres database plus, with `redis: true`, BullMQ on the real Redis under a
 * unique prefix (otherwise the in-process adapter). Workers and relay start unless `start: false`.
 */
export async function createTestEnv(
  opts: { redis?: boolean; start?: boolean; env?: Record<string, string | undefined> } = {},
): Promise<TestEnv> {
  const database = await createTestDatabase();
  const config = testConfig({
    DATABASE_URL: database.url,
    ...(opts.redis ? { REDIS_URL, QUEUE_PREFIX: `gwt-${randomBytes(4).toString('hex')}` } : {}),
    ...opts.env,
  });
  const db = createDb({ databaseUrl: database.url, poolMax: 10 });
  const ctx = await createContext(config, { db, log: createLogger(config.LOG_LEVEL) });
  if (opts.start !== false) await ctx.queue.start({ workers: true, relay: true });
  return {
    ctx,
    db,
    config,
    close: async () => {
      await closeContext(ctx);
      await database.drop();
    },
  };
}

/** Polls until `fn` returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor<T>(
  fn: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 15000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
