/**
 * Approvals end to end: N cXML OrderRequests POSTed to the gateway over HTTP (concurrency 16), each
 * auto-approved by the `approvals.evaluate` job on a real BullMQ worker (Redis) and confirmed, and its
 * ConfirmationRequest delivered by the delivery job to a local buyer endpoint. The figure is orders
 * per second from the first POST to the last ConfirmationRequest received. Baseline, same run, same
 * Redis: BullMQ's own rate for N no-op jobs (addBulk, one Worker at the gateway's concurrency 16).
 * Fresh Postgres database; servers on 127.0.0.1 random ports. Each measurement runs twice (noise).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { createApp } from '../src/app';
import { csvObjects } from '../src/catalog/csv';
import { importCatalog, importPriceLists } from '../src/catalog/service';
import { closeContext, createContext } from '../src/platform/context';
import { createDb } from '../src/platform/db';
import { createLogger } from '../src/platform/log';
import { upsertPartner } from '../src/partners/service';
import { createTestDatabase, REDIS_URL, testConfig } from '../test/helpers/env';
import { examplePartner } from '../test/helpers/partners';
import { orderRequestXml } from '../test/integration/orders/helpers';

const N = 400;
const CONCURRENCY = 16;
const CONTRACTS = path.resolve(__dirname, '../fixtures/contracts');

const listen = (s: Server) =>
  new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));
const closeServer = (s: Server) => new Promise<void>((r) => s.close(() => r()));

async function noopRate(n: number): Promise<number> {
  const prefix = `bench-noop-${randomBytes(4).toString('hex')}`;
  const connection = { url: REDIS_URL };
  const queue = new Queue('noop', { connection, prefix });
  const events = new QueueEvents('noop', { connection, prefix });
  await events.waitUntilReady();
  let done = 0;
  let finish: () => void = () => undefined;
  const all = new Promise<void>((r) => (finish = r));
  const worker = new Worker('noop', () => Promise.resolve(undefined), {
    connection,
    prefix,
    concurrency: CONCURRENCY,
  });
  worker.on('completed', () => {
    done += 1;
    if (done === n) finish();
  });
  await worker.waitUntilReady();
  const t0 = performance.now();
  await queue.addBulk(Array.from({ length: n }, (_, i) => ({ name: 'noop', data: { i } })));
  await all;
  const secs = (performance.now() - t0) / 1000;
  await worker.close();
  await events.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return n / secs;
}

async function endToEnd(
  round: number,
): Promise<{ rate: number; pipeRate: number; intakeRate: number; p50: number }> {
  const database = await createTestDatabase();
  const config = testConfig({
    DATABASE_URL: database.url,
    REDIS_URL,
    QUEUE_PREFIX: `bench-ap-${randomBytes(4).toString('hex')}`,
    OUTBOX_POLL_MS: '50',
  });
  const db = createDb({ databaseUrl: database.url, poolMax: 20 });
  const ctx = await createContext(config, { db, log: createLogger('silent') });
  const received = new Map<string, number>();
  let finish: () => void = () => undefined;
  const all = new Promise<void>((r) => (finish = r));
  const buyer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const orderId = /orderID="([^"]+)"/.exec(Buffer.concat(chunks).toString('utf8'))?.[1];
      if (orderId !== undefined && !received.has(orderId)) {
        received.set(orderId, performance.now());
        if (received.size === N) finish();
      }
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        '<cXML payloadID="b@buyer" timestamp="2026-11-23T10:00:00+00:00"><Response><Status code="200" text="OK"/></Response></cXML>',
      );
    });
  });
  const buyerUrl = `http://127.0.0.1:${await listen(buyer)}/cxml`;
  await importCatalog(db, csvObjects(readFileSync(path.join(CONTRACTS, 'catalog.example.csv'), 'utf8')).rows);
  await importPriceLists(
    db,
    csvObjects(readFileSync(path.join(CONTRACTS, 'price-list.example.csv'), 'utf8')).rows,
  );
  const base = examplePartner();
  await upsertPartner(
    db,
    examplePartner({ cxml: { ...base.cxml!, sharedSecret: 'change-me-acme', outboundUrl: buyerUrl } }),
  );
  await ctx.queue.start({ workers: true, relay: true });
  const gateway = createServer(createApp(ctx));
  const url = `http://127.0.0.1:${await listen(gateway)}/cxml`;

  const sentAt = new Map<string, number>();
  let next = 0;
  const t0 = performance.now();
  const post = async () => {
    while (next < N) {
      const i = next++;
      const orderId = `PO-BENCH-${round}-${i}`;
      sentAt.set(orderId, performance.now());
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: orderRequestXml({ payloadId: `p-bench-${round}-${i}@buyer`, orderId }),
      });
      const text = await res.text();
      if (!text.includes('code="200"')) throw new Error(`order refused: ${text.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, post));
  const intakeSecs = (performance.now() - t0) / 1000;
  await Promise.race([all, new Promise((_, rej) => setTimeout(() => rej(new Error('timed out')), 60_000))]);
  const secs = (performance.now() - t0) / 1000;
  const latencies = [...received].map(([id, t]) => t - (sentAt.get(id) ?? t)).sort((a, b) => a - b);
  // Phase 2, the approval pipeline alone: N copies of an accepted order, state 'received', and their
  // evaluation outbox rows written at once (as intake would), timed to the last ConfirmationRequest.
  received.clear();
  const all2 = new Promise<void>((r) => (finish = r));
  const src = await db('orders')
    .where({ buyer_order_number: `PO-BENCH-${round}-0` })
    .first<{ id: string } | undefined>('id');
  const t1 = performance.now();
  await db.transaction(async (trx) => {
    await trx.raw(
      `insert into orders (id, partner_id, buyer_order_number, version, state, type, source_protocol, source_payload_id,
         currency, total, order_date, canonical, flags)
       select gen_random_uuid(), partner_id, 'PO-PIPE-' || g, 1, 'received', type, source_protocol, source_payload_id,
         currency, total, order_date, canonical, '[]'::jsonb
       from orders, generate_series(1, ?) g where id = ?`,
      [N, src!.id],
    );
    await trx.raw(
      `insert into outbox (job_name, payload)
       select 'approvals.evaluate', jsonb_build_object('orderId', id, 'version', 1) from orders
       where buyer_order_number like 'PO-PIPE-%'`,
    );
  });
  await Promise.race([all2, new Promise((_, rej) => setTimeout(() => rej(new Error('timed out')), 60_000))]);
  const pipeRate = N / ((performance.now() - t1) / 1000);
  const [confirmed] = await db('orders')
    .where({ state: 'confirmed' })
    .count<{ count: string }[]>('* as count');
  if (Number(confirmed?.count) !== 2 * N) throw new Error(`only ${confirmed?.count} of ${N} confirmed`);
  await closeServer(gateway);
  await closeServer(buyer);
  await closeContext(ctx);
  await database.drop();
  return {
    rate: N / secs,
    pipeRate,
    intakeRate: N / intakeSecs,
    p50: latencies[Math.floor(latencies.length / 2)] ?? NaN,
  };
}

export default async function (): Promise<void> {
  console.log(
    `${N} orders, HTTP concurrency ${CONCURRENCY}, worker concurrency 16, outbox poll 50 ms; Postgres and Redis local`,
  );
  for (let round = 1; round <= 2; round++) {
    const e2e = await endToEnd(round);
    const noop = await noopRate(N);
    console.log(
      `run ${round}: end-to-end auto-approvals ${e2e.rate.toFixed(1)} orders/s (p50 POST -> ConfirmationRequest at buyer ${e2e.p50.toFixed(0)} ms; intake alone ${e2e.intakeRate.toFixed(1)} orders/s; approval pipeline alone, orders inserted with their outbox rows: ${e2e.pipeRate.toFixed(1)} orders/s)` +
        `  |  baseline BullMQ no-op jobs ${noop.toFixed(0)} jobs/s`,
    );
  }
  console.log(
    'each order = intake transaction + 2 outbox hops (approvals.evaluate, delivery.send) + 2 BullMQ jobs + 1 HTTP delivery',
  );
}
