/**
 * Invoices delivered per second, end to end: POST /api/v1/orders/:id/invoices over HTTP (number,
 * calculation, cXML rendering, document + delivery + outbox rows in one transaction) -> outbox relay
 * -> BullMQ on the real Redis -> HTTP POST to a local buyer endpoint -> invoice marked delivered.
 * Baseline in the same run: BullMQ's rate for no-op jobs (same Redis, worker concurrency 16, jobs
 * added in bulk), i.e. the queue's own ceiling without Postgres or HTTP.
 * Fresh Postgres database, servers on 127.0.0.1 random ports.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import IORedis from 'ioredis';
import { Queue, Worker } from 'bullmq';
import { createApp } from '../src/app';
import { closeContext, createContext } from '../src/platform/context';
import { createDb } from '../src/platform/db';
import { createLogger } from '../src/platform/log';
import { ADMIN_TOKEN, REDIS_URL, createTestDatabase, testConfig } from '../test/helpers/env';
import { insertConfirmedOrder } from '../test/helpers/orders';
import { seedPartner } from '../test/helpers/partners';

const INVOICES = Number(process.env.BENCH_INVOICES ?? 200);
const PARALLEL = 16;
const NOOP_JOBS = 5000;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function noopRate(): Promise<number> {
  const prefix = `bench-noop-${randomBytes(4).toString('hex')}`;
  const conn = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  const wconn = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('noop', { connection: conn, prefix });
  let done = 0;
  let finish: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (finish = resolve));
  const worker = new Worker('noop', () => Promise.resolve(undefined), {
    connection: wconn,
    prefix,
    concurrency: 16,
  });
  worker.on('completed', () => {
    if (++done === NOOP_JOBS) finish();
  });
  await worker.waitUntilReady();
  const started = process.hrtime.bigint();
  for (let i = 0; i < NOOP_JOBS; i += 500) {
    await queue.addBulk(
      Array.from({ length: Math.min(500, NOOP_JOBS - i) }, (_, k) => ({ name: 'noop', data: { i: i + k } })),
    );
  }
  await all;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await conn.quit();
  await wconn.quit();
  return NOOP_JOBS / seconds;
}

async function invoiceRate(): Promise<{ perSecond: number; seconds: number }> {
  const database = await createTestDatabase();
  const config = testConfig({
    DATABASE_URL: database.url,
    REDIS_URL,
    QUEUE_PREFIX: `bench-inv-${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'silent',
    DELIVERY_MAX_ATTEMPTS: '5',
  });
  const db = createDb({ databaseUrl: database.url, poolMax: 20 });
  const ctx = await createContext(config, { db, log: createLogger('silent') });
  let received = 0;
  const buyer = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(200, { 'Content-Type': 'text/xml' });
      res.end(
        '<?xml version="1.0"?><cXML payloadID="b@x" timestamp="2026-11-23T10:00:00Z"><Response><Status code="200" text="OK"/></Response></cXML>',
      );
    });
  });
  const buyerUrl = await listen(buyer);
  const api = createServer(createApp(ctx));
  const apiUrl = await listen(api);
  try {
    await seedPartner(db, {
      cxml: {
        credentials: [{ domain: 'NetworkID', identity: 'AN-BENCH' }],
        sharedSecret: 'bench-secret',
        outboundUrl: `${buyerUrl}/cxml`,
        cartReturn: 'cxml-urlencoded',
        statusUpdates: false,
      },
    });
    const orders: string[] = [];
    for (let i = 0; i < INVOICES; i++) {
      const o = await insertConfirmedOrder(db, {
        partnerId: 'acme',
        lines: [
          { quantity: '3', unitPrice: '12.3450', taxRate: '19' },
          { quantity: '7', unitPrice: '0.3333', taxRate: '7' },
        ],
      });
      orders.push(o.id);
    }
    await ctx.queue.start({ workers: true, relay: true });
    const started = process.hrtime.bigint();
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < orders.length) {
          const id = orders[next++];
          const res = await fetch(`${apiUrl}/api/v1/orders/${id}/invoices`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
            body: '{}',
          });
          if (res.status !== 201) throw new Error(`invoice failed: ${res.status} ${await res.text()}`);
        }
      }),
    );
    if (process.env.BENCH_DEBUG)
      console.log('created after', Number(process.hrtime.bigint() - started) / 1e9);
    for (;;) {
      const row = await db('invoices').where({ state: 'delivered' }).count({ n: '*' }).first();
      if (Number(row?.n) >= INVOICES) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (received !== INVOICES)
      throw new Error(`buyer received ${received} documents for ${INVOICES} invoices`);
    return { perSecond: INVOICES / seconds, seconds };
  } finally {
    await new Promise((r) => api.close(r));
    await new Promise((r) => buyer.close(r));
    await closeContext(ctx);
    await database.drop();
  }
}

export default async function (): Promise<void> {
  for (let run = 1; run <= 2; run++) {
    const noop = await noopRate();
    const inv = await invoiceRate();
    console.log(
      `run ${run}: invoices created -> delivered end to end: ${inv.perSecond.toFixed(0)}/s (${INVOICES} in ${inv.seconds.toFixed(2)} s) | baseline BullMQ no-op jobs: ${noop.toFixed(0)}/s (${NOOP_JOBS} jobs)`,
    );
  }
}
