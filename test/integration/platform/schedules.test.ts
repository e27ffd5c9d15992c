/**
 * Repeatable jobs (src/platform/schedules.ts): a schedule runs its job once per period whatever the
 * number of relays, through both queue adapters, starts with the transaction that wrote it, changes
 * period at once and stops when removed.
 */
import { randomBytes } from 'node:crypto';
import { createContext, type AppContext } from '../../../src/platform/context';
import { createDb, migrateLatest, type Db } from '../../../src/platform/db';
import { z } from 'zod';
import { JOBS } from '../../../src/jobs/catalog';
import { defineJob } from '../../../src/platform/jobs';
import { createLogger } from '../../../src/platform/log';
import { queueDueSchedules, removeSchedule, upsertSchedule } from '../../../src/platform/schedules';
import { createTestDatabase, REDIS_URL, testConfig, waitFor } from '../../helpers/env';

const runs: { tag: string }[] = [];
const tickJob = defineJob<{ tag: string }>({
  name: 'test.tick',
  payload: z.object({ tag: z.string() }),
  attempts: 1,
  backoffMs: 10,
  handler: ({ tag }) => {
    runs.push({ tag });
    return Promise.resolve();
  },
});

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Db;
beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb({ databaseUrl: database.url, poolMax: 6 });
  await migrateLatest(db);
});
afterAll(async () => {
  await db.destroy();
  await database.drop();
});
beforeEach(async () => {
  runs.length = 0;
  await db('job_schedules').delete();
  await db('outbox').delete();
});

const outboxRows = () => db('outbox').where({ job_name: 'test.tick' });

it('queues a due schedule once however many relays look at the same moment, then once per period', async () => {
  await upsertSchedule(db, { key: 'tick:a', jobName: 'test.tick', payload: { tag: 'a' }, everyMs: 60000 });
  const counts = await Promise.all(
    Array.from({ length: 4 }, () => db.transaction((trx) => queueDueSchedules(trx))),
  );
  expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
  expect(await outboxRows()).toEqual([expect.objectContaining({ payload: { tag: 'a' } })]);
  // Not due again within the period.
  expect(await db.transaction((trx) => queueDueSchedules(trx))).toBe(0);
  // A shorter period applies from now on: due again within it.
  await upsertSchedule(db, { key: 'tick:a', jobName: 'test.tick', payload: { tag: 'a' }, everyMs: 100 });
  await new Promise((r) => setTimeout(r, 150));
  expect(await db.transaction((trx) => queueDueSchedules(trx))).toBe(1);
  // Removed: never again.
  await removeSchedule(db, 'tick:a');
  await new Promise((r) => setTimeout(r, 150));
  expect(await db.transaction((trx) => queueDueSchedules(trx))).toBe(0);
  expect(await outboxRows()).toHaveLength(2);
});

it('a schedule written in a rolled-back transaction never runs', async () => {
  await expect(
    db.transaction(async (trx) => {
      await upsertSchedule(trx, { key: 'tick:b', jobName: 'test.tick', payload: { tag: 'b' }, everyMs: 10 });
      throw new Error('rolled back');
    }),
  ).rejects.toThrow('rolled back');
  expect(await db.transaction((trx) => queueDueSchedules(trx))).toBe(0);
  expect(await db('job_schedules')).toEqual([]);
});

describe.each([
  ['in-process adapter', {}],
  ['BullMQ', { REDIS_URL, QUEUE_PREFIX: `gwt-${randomBytes(4).toString('hex')}` }],
])('through the %s', (_name, env) => {
  let ctx: AppContext;
  afterEach(async () => {
    if (ctx) await ctx.queue.close();
  });

  it('runs the job every period while the schedule exists', async () => {
    ctx = await createContext(testConfig({ DATABASE_URL: database.url, OUTBOX_POLL_MS: '20', ...env }), {
      jobs: [...JOBS, tickJob],
      db,
      log: createLogger('silent'),
      migrate: false,
    });
    await upsertSchedule(db, { key: 'tick:c', jobName: 'test.tick', payload: { tag: 'c' }, everyMs: 300 });
    await ctx.queue.start({ workers: true, relay: true });
    await waitFor(() => runs.length >= 3, 20000, 'three runs');
    await removeSchedule(db, 'tick:c');
    const n = runs.length;
    await new Promise((r) => setTimeout(r, 800));
    // At most one more (queued just before the removal), then none.
    expect(runs.length).toBeLessThanOrEqual(n + 1);
    expect(new Set(runs.map((r) => r.tag))).toEqual(new Set(['c']));
  });
});
