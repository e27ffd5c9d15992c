import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { closeContext, createContext } from '../../../src/platform/context';
import { createDb, migrateLatest } from '../../../src/platform/db';
import { z } from 'zod';
import { JOBS } from '../../../src/jobs/catalog';
import { defineJob, jobCatalog } from '../../../src/platform/jobs';
import { AppError } from '../../../src/platform/errors';
import { createLogger } from '../../../src/platform/log';
import { enqueueInTx } from '../../../src/platform/outbox';
import { BullmqQueue } from '../../../src/platform/queue-bullmq';
import { InlineQueue } from '../../../src/platform/queue-inline';
import { createTestDatabase, REDIS_URL, testConfig, waitFor } from '../../helpers/env';

// One job definition, run by both adapters: it counts its effect in a table, once per key.
const effects: string[] = [];
let failUntil = 0;
const recordJob = defineJob<{ key: string }>({
  name: 'test.record',
  payload: z.object({ key: z.string() }),
  attempts: 3,
  backoffMs: 20,
  handler: async ({ key }, ctx) => {
    if (key.startsWith('flaky') && ctx.attempt <= failUntil) throw new Error(`flaky attempt ${ctx.attempt}`);
    if (key.startsWith('always-fails')) throw new Error('this job always fails');
    if (key.startsWith('conflict')) throw new AppError('conflict', 'the order has moved on');
    if (key.startsWith('unavailable') && ctx.attempt <= failUntil)
      throw new AppError('unavailable', `the buyer is down (attempt ${ctx.attempt})`);
    effects.push(`${key}#${ctx.attempt}`);
    await ctx.db('test_effects').insert({ key }).onConflict('key').ignore();
  },
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('jobs through the outbox', () => {
  // A fresh database per test: the adapters must not see each other's outbox rows.
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeEach(async () => {
    effects.length = 0;
    failUntil = 0;
    database = await createTestDatabase();
    const db = createDb({ databaseUrl: database.url });
    await migrateLatest(db);
    await db.schema.createTable('test_effects', (t) => t.text('key').primary());
    await db.destroy();
  });
  afterEach(async () => database.drop());

  const log = createLogger('silent');
  const count = async (db: ReturnType<typeof createDb>, key: string) =>
    Number((await db('test_effects').where({ key }).count<{ c: string }[]>({ c: '*' }))[0]!.c);

  for (const kind of ['bullmq', 'inline'] as const) {
    it(`runs the same job definition with retries through the ${kind} adapter`, async () => {
      const config = testConfig({
        DATABASE_URL: database.url,
        ...(kind === 'bullmq' ? { REDIS_URL, QUEUE_PREFIX: `gwt-q-${Date.now()}` } : {}),
      });
      const ctx = await createContext(config, { jobs: [...JOBS, recordJob], log });
      expect(ctx.queue.kind).toBe(kind);
      await ctx.queue.start({ workers: true, relay: true });
      failUntil = 2;
      const key = `flaky-${kind}`;
      await ctx.db.transaction((trx) => enqueueInTx(trx, recordJob, { key }));
      ctx.queue.nudge();
      await waitFor(async () => (await count(ctx.db, key)) === 1, 15000, 'job effect');
      expect(effects).toEqual([`${key}#3`]);
      await closeContext(ctx);
    });

    it(`lists a job that exhausted its attempts and retries it on request (${kind})`, async () => {
      const config = testConfig({
        DATABASE_URL: database.url,
        ...(kind === 'bullmq' ? { REDIS_URL, QUEUE_PREFIX: `gwt-f-${Date.now()}` } : {}),
      });
      const ctx = await createContext(config, { jobs: [...JOBS, recordJob], log });
      await ctx.queue.start({ workers: true, relay: true });
      await ctx.db.transaction((trx) => enqueueInTx(trx, recordJob, { key: `always-fails-${kind}` }));
      ctx.queue.nudge();
      const failed = await waitFor(
        async () => {
          const list = await ctx.queue.listFailed();
          return list.find((j) => (j.data as { key: string }).key === `always-fails-${kind}`);
        },
        15000,
        'failed job',
      );
      expect(failed.attempts).toBe(3);
      expect(failed.error).toContain('always fails');
      expect(await ctx.queue.retryFailed(failed.id)).toBe(true);
      expect(await ctx.queue.retryFailed('ob-999999999')).toBe(false);
      await closeContext(ctx);
    });

    it(`fails a job on a non-retryable AppError once, and retries a retryable one (${kind})`, async () => {
      const config = testConfig({
        DATABASE_URL: database.url,
        ...(kind === 'bullmq' ? { REDIS_URL, QUEUE_PREFIX: `gwt-n-${Date.now()}` } : {}),
      });
      const ctx = await createContext(config, { jobs: [...JOBS, recordJob], log });
      await ctx.queue.start({ workers: true, relay: true });
      failUntil = 2;
      await ctx.db.transaction(async (trx) => {
        await enqueueInTx(trx, recordJob, { key: `conflict-${kind}` });
        await enqueueInTx(trx, recordJob, { key: `unavailable-${kind}` });
      });
      ctx.queue.nudge();
      const failed = await waitFor(
        async () =>
          (await ctx.queue.listFailed()).find((j) => (j.data as { key: string }).key === `conflict-${kind}`),
        15000,
        'the conflicting job to fail',
      );
      expect(failed.attempts).toBe(1);
      expect(failed.error).toContain('the order has moved on');
      await waitFor(async () => (await count(ctx.db, `unavailable-${kind}`)) === 1, 15000, 'the retried job');
      expect(effects).toContain(`unavailable-${kind}#3`);
      await closeContext(ctx);
    });

    it(`checks payloads against the job's schema: when queued, and once, without retries, when run (${kind})`, async () => {
      const config = testConfig({
        DATABASE_URL: database.url,
        ...(kind === 'bullmq' ? { REDIS_URL, QUEUE_PREFIX: `gwt-s-${Date.now()}` } : {}),
      });
      const ctx = await createContext(config, { jobs: [...JOBS, recordJob], log });
      await ctx.queue.start({ workers: true, relay: true });
      await expect(
        ctx.db.transaction((trx) => enqueueInTx(trx, recordJob, { key: 42 } as unknown as { key: string })),
      ).rejects.toThrow(/expected string/);
      // A row written by hand (or by an older version) with a payload the definition does not take.
      const [{ id }] = await ctx
        .db('outbox')
        .insert({ job_name: 'test.record', payload: { nokey: kind } })
        .returning('id');
      ctx.queue.nudge();
      const failed = await waitFor(
        async () => (await ctx.queue.listFailed()).find((j) => j.id === `ob-${id}`),
        15000,
        'the bad payload to fail',
      );
      expect(failed.attempts).toBe(1);
      expect(failed.error).toContain('the payload of test.record does not match its schema: key');
      await closeContext(ctx);
    });
  }

  it('a crash between commit and enqueue loses nothing: the job runs once after restart', async () => {
    const config = testConfig({ DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: `gwt-c-${Date.now()}` });
    // "Crash": the state change and its outbox row commit, but no relay ever runs in this process.
    const crashed = await createContext(config, { jobs: [...JOBS, recordJob], log });
    await crashed.db.transaction((trx) => enqueueInTx(trx, recordJob, { key: 'after-crash' }));
    await closeContext(crashed);
    expect(await count(createDb({ databaseUrl: database.url }), 'after-crash')).toBe(0);

    // Restart with two relays at once (SKIP LOCKED) and a worker.
    const a = await createContext(config, { jobs: [...JOBS, recordJob], log });
    const b = await createContext(config, { jobs: [...JOBS, recordJob], log });
    await a.queue.start({ workers: true, relay: true });
    await b.queue.start({ workers: false, relay: true });
    await waitFor(async () => (await count(a.db, 'after-crash')) === 1, 15000, 'job after restart');
    // A relay that crashed after adding to BullMQ but before marking the row re-adds the same jobId: no second run.
    await a.db('outbox').whereRaw(`payload->>'key' = 'after-crash'`).update({ dispatched_at: null });
    (a.queue as BullmqQueue).nudge();
    await waitFor(
      async () =>
        (await a.db('outbox').whereRaw(`payload->>'key' = 'after-crash'`).whereNull('dispatched_at'))
          .length === 0,
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(effects.filter((e) => e.startsWith('after-crash'))).toHaveLength(1);
    await closeContext(b);
    await closeContext(a);
  });

  it('with Redis stopped a state change still commits, and its job runs once Redis is back', async () => {
    const port = await freePort();
    const startRedis = () =>
      spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
    let redis: ChildProcess = startRedis();
    await new Promise((r) => setTimeout(r, 300));
    redis.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 200));

    const config = testConfig({
      DATABASE_URL: database.url,
      REDIS_URL: `redis://127.0.0.1:${port}`,
      QUEUE_PREFIX: 'gwt-down',
    });
    const ctx = await createContext(config, { jobs: [...JOBS, recordJob], log });
    await ctx.queue.start({ workers: true, relay: true });
    await ctx.db.transaction((trx) => enqueueInTx(trx, recordJob, { key: 'redis-was-down' }));
    ctx.queue.nudge();
    await new Promise((r) => setTimeout(r, 500));
    const pending = await ctx.db('outbox').whereRaw(`payload->>'key' = 'redis-was-down'`).first();
    expect(pending.dispatched_at).toBeNull();
    expect(await ctx.queue.ping()).toBe(false);

    redis = startRedis();
    try {
      await waitFor(
        async () => (await count(ctx.db, 'redis-was-down')) === 1,
        20000,
        'job after Redis came back',
      );
    } finally {
      await closeContext(ctx);
      redis.kill('SIGKILL');
    }
  });

  it('the in-process adapter runs a claimed job again when the process died holding it', async () => {
    const config = testConfig({ DATABASE_URL: database.url });
    const db = createDb({ databaseUrl: database.url });
    // A row claimed by a process that died: lease already expired.
    const [{ id }] = await db('outbox')
      .insert({
        job_name: 'test.record',
        payload: JSON.stringify({ key: 'lease-expired' }),
        attempts: 1,
        dispatched_at: db.fn.now(),
        available_at: db.raw(`now() - interval '1 second'`),
      })
      .returning('id');
    const q = new InlineQueue(db, config, log, 4, jobCatalog([...JOBS, recordJob]));
    await q.start({ workers: true, relay: true });
    await waitFor(
      async () => (await db('outbox').where({ id }).first()).completed_at !== null,
      10000,
      'completion',
    );
    expect(await count(db, 'lease-expired')).toBe(1);
    await q.close();
    await db.destroy();
  });
});
