/**
 * The outbox is the source of truth for BullMQ too: work handed to a Redis that then loses it
 * (FLUSHALL here, as after a restart without persistence or an empty replica promoted) is found by
 * the relay's reconciler and handed over again under the same job id, and runs to its effect once.
 * Every test runs its own redis-server on a free port; the shared one is never flushed.
 */
import type { ServerResponse } from 'node:http';
import { closeContext, createContext } from '../../../src/platform/context';
import { createDb, migrateLatest, type Db } from '../../../src/platform/db';
import { z } from 'zod';
import { JOBS } from '../../../src/jobs/catalog';
import { defineJob } from '../../../src/platform/jobs';
import { createLogger } from '../../../src/platform/log';
import { enqueueInTx } from '../../../src/platform/outbox';
import { BullmqQueue } from '../../../src/platform/queue-bullmq';
import { createTestDatabase, testConfig, waitFor } from '../../helpers/env';
import { startRedis, type OwnRedis } from '../../helpers/redis';
import { ok, startBuyer } from '../invoices/buyer';
import { orderRequestXml, postCxml, setupOrders } from '../orders/helpers';

const runs: string[] = [];
let gate: Promise<void> = Promise.resolve();
const reconcileJob = defineJob<{ key: string }>({
  name: 'test.reconcile',
  payload: z.object({ key: z.string() }),
  attempts: 3,
  backoffMs: 20,
  handler: async ({ key }, ctx) => {
    if (key.startsWith('always-fails')) throw new Error('this job always fails');
    await gate;
    runs.push(key);
    await ctx.db('test_effects').insert({ key }).onConflict('key').ignore();
  },
});

function captureLog() {
  const lines: { level: number; msg: string }[] = [];
  const log = createLogger('info', {
    write: (s: string) => {
      lines.push(JSON.parse(s) as { level: number; msg: string });
    },
  });
  return { log, lines };
}

describe('Redis configuration check at start', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database.drop());

  async function startWith(redis: OwnRedis) {
    const { log, lines } = captureLog();
    const config = testConfig({ DATABASE_URL: database.url, REDIS_URL: redis.url, QUEUE_PREFIX: 'cfg' });
    const ctx = await createContext(config, { jobs: [...JOBS, reconcileJob], log, migrate: false });
    await (ctx.queue as BullmqQueue).redisChecked;
    await closeContext(ctx);
    return lines;
  }

  it('warns when Redis keeps no AOF and may evict keys, and is quiet once it is set up as BullMQ asks', async () => {
    const redis = await startRedis(['--maxmemory-policy', 'allkeys-lru']);
    try {
      const warned = (await startWith(redis)).filter((l) => l.level === 40);
      expect(warned).toHaveLength(1);
      expect(warned[0]!.msg).toContain('appendonly is no');
      expect(warned[0]!.msg).toContain('maxmemory-policy is allkeys-lru');

      expect(await redis.command('CONFIG', 'SET', 'maxmemory-policy', 'noeviction')).toBe('+OK');
      const aofOnly = (await startWith(redis)).filter((l) => l.level === 40);
      expect(aofOnly).toHaveLength(1);
      expect(aofOnly[0]!.msg).toContain('appendonly is no');
      expect(aofOnly[0]!.msg).not.toContain('maxmemory-policy is');

      expect(await redis.command('CONFIG', 'SET', 'appendonly', 'yes')).toBe('+OK');
      expect((await startWith(redis)).filter((l) => l.level >= 40)).toEqual([]);
    } finally {
      await redis.stop();
    }
  });

  it('takes a Redis whose CONFIG command is disabled, saying it could not check', async () => {
    const redis = await startRedis(['--rename-command', 'CONFIG', '']);
    try {
      const lines = await startWith(redis);
      expect(lines.filter((l) => l.level >= 40)).toEqual([]);
      expect(lines.some((l) => l.msg.includes('could not read the Redis configuration'))).toBe(true);
    } finally {
      await redis.stop();
    }
  });
});

describe('jobs Redis lost', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: OwnRedis;
  let db: Db;
  beforeEach(async () => {
    runs.length = 0;
    gate = Promise.resolve();
    database = await createTestDatabase();
    db = createDb({ databaseUrl: database.url });
    await migrateLatest(db);
    await db.schema.createTable('test_effects', (t) => t.text('key').primary());
    redis = await startRedis();
  });
  afterEach(async () => {
    await db.destroy();
    await redis.stop();
    await database.drop();
  });

  const env = () =>
    testConfig({
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: 'rec',
      OUTBOX_RECONCILE_MS: '200',
      OUTBOX_RECONCILE_GRACE_MS: '500',
    });

  it('a job flushed out of Redis before it ran is added again under its id and runs once; its completion is recorded in the outbox', async () => {
    let release!: () => void;
    gate = new Promise<void>((r) => (release = r));
    const ctx = await createContext(env(), {
      jobs: [...JOBS, reconcileJob],
      log: createLogger('silent'),
      migrate: false,
    });
    await ctx.queue.start({ workers: true, relay: true });
    try {
      // 40 jobs: the worker holds the first ones (gate closed), the rest wait in Redis.
      await ctx.db.transaction(async (trx) => {
        for (let i = 0; i < 40; i++) await enqueueInTx(trx, reconcileJob, { key: `k${i}` });
      });
      ctx.queue.nudge();
      await waitFor(
        async () => (await db('outbox').whereNull('dispatched_at')).length === 0,
        10000,
        'relay dispatch',
      );
      expect(await redis.command('FLUSHALL')).toBe('+OK');
      release();
      await waitFor(
        async () => (await db('outbox').whereNull('completed_at')).length === 0,
        30000,
        'every outbox row completed',
      );
      const effects = await db('test_effects').orderBy('key');
      expect(effects).toHaveLength(40);
      // The jobs running during the flush finished; the others ran after being added again; none twice.
      expect(new Set(runs).size).toBe(40);
      expect(runs.length).toBe(40);
    } finally {
      release();
      await closeContext(ctx);
    }
  });

  it('a dead letter outlives Redis losing its data, and can be retried after', async () => {
    const ctx = await createContext(env(), {
      jobs: [...JOBS, reconcileJob],
      log: createLogger('silent'),
      migrate: false,
    });
    await ctx.queue.start({ workers: true, relay: true });
    try {
      await ctx.db.transaction((trx) => enqueueInTx(trx, reconcileJob, { key: 'always-fails-1' }));
      ctx.queue.nudge();
      const failed = await waitFor(
        async () => (await ctx.queue.listFailed()).find((j) => j.name === 'test.reconcile'),
        15000,
        'dead letter',
      );
      expect(failed.attempts).toBe(3);
      expect(await redis.command('FLUSHALL')).toBe('+OK');
      // Still listed (the outbox keeps it), and the reconciler does not resurrect it on its own.
      await new Promise((r) => setTimeout(r, 1200));
      expect((await ctx.queue.listFailed()).map((j) => j.id)).toEqual([failed.id]);
      expect(await ctx.queue.retryFailed(failed.id)).toBe(true);
      await waitFor(
        async () =>
          (await ctx.queue.listFailed()).length === 1 && (await db('outbox').first()).attempts === 3,
        15000,
        'failed again after the retry',
      );
      const row = await db('outbox').first();
      expect(row.failed_at).not.toBeNull();
      expect(await ctx.queue.retryFailed('ob-999999')).toBe(false);
    } finally {
      await closeContext(ctx);
    }
  });
});

it('orders and deliveries in flight when Redis loses its data all complete, once: one confirmation payloadID per order', async () => {
  const redis = await startRedis();
  // The buyer holds its answers until the flush, so deliveries are running in the worker when it comes.
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const buyer = await startBuyer(async (_r, _n, res: ServerResponse) => {
    await opened;
    ok(res);
  });
  const t = await setupOrders({
    redis: true,
    cxml: { outboundUrl: buyer.url },
    env: {
      REDIS_URL: redis.url,
      OUTBOX_RECONCILE_MS: '200',
      OUTBOX_RECONCILE_GRACE_MS: '1000',
    },
  });
  try {
    const N = 40;
    for (let i = 0; i < N; i++) {
      const res = await postCxml(
        t.app,
        orderRequestXml({ payloadId: `p-fl${i}@buyer`, orderId: `PO-FL${i}` }),
      );
      expect(res.status).toBe(200);
      if (i === N / 2) await waitFor(() => buyer.received.length >= 2, 15000, 'deliveries started');
    }
    // In flight at the flush: jobs in Redis not finished, deliveries waiting for the buyer's answer.
    const unfinished = await t.env.db('outbox').whereNull('completed_at');
    const undelivered = await t.env.db('deliveries').where({ status: 'pending' });
    expect(await redis.command('FLUSHALL')).toBe('+OK');
    expect(unfinished.length).toBeGreaterThan(0);
    expect(undelivered.length).toBeGreaterThan(0);
    open();
    await waitFor(
      async () => {
        const pending = await t.env
          .db('orders')
          .whereLike('buyer_order_number', 'PO-FL%')
          .whereNot({ state: 'confirmed' });
        const undelivered = await t.env.db('deliveries').whereNot({ status: 'delivered' });
        return pending.length === 0 && undelivered.length === 0;
      },
      60000,
      'every order confirmed and delivered',
    );
    const perOrder = new Map<string, Set<string>>();
    for (const r of buyer.received) {
      const order = /orderID="(PO-FL\d+)"/.exec(r.body)?.[1];
      if (!order || !r.body.includes('<ConfirmationRequest')) continue;
      if (!perOrder.has(order)) perOrder.set(order, new Set());
      perOrder.get(order)!.add(r.payloadId!);
    }
    expect(perOrder.size).toBe(N);
    for (const [, ids] of perOrder) expect(ids.size).toBe(1);
    expect(await t.env.db('deliveries')).toHaveLength(N);
    expect(await t.env.db('order_events').where({ event: 'approve' })).toHaveLength(N);
    await waitFor(
      async () => (await t.env.db('outbox').whereNull('completed_at')).length === 0,
      15000,
      'no outbox row left behind',
    );
  } finally {
    open();
    await t.env.close();
    await buyer.close();
    await redis.stop();
  }
}, 120000);
