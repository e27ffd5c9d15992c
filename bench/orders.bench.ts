/**
 * OrderRequest intake: 10-line cXML OrderRequests (and the same orders as JSON) POSTed to the gateway over real HTTP by 16 concurrent
 * keep-alive clients (bench/http-client.ts) (parse, authenticate, idempotency row, checks, order + version + lines + event + outbox job,
 * stored answer), in orders per second with p50/p99 latency. Baselines measured in the same run:
 * (a) parsing the same document with fast-xml-parser alone (one thread), and (b) inserting the same rows
 * (document, order, version, 10 lines, event, outbox row, answer) into Postgres with plain SQL through a
 * pg Pool, 16 concurrent clients. Fresh Postgres database; server on 127.0.0.1, random port; job
 * workers not started (intake alone is measured). A warm-up of WARMUP orders per kind runs first
 * (the first requests of a process measure the JIT compiler, not intake); then the three kinds take
 * turns for ORDERS_BENCH_ROUNDS rounds (default 3) and the ratios' median is the result.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { Pool } from 'pg';
import { createApp } from '../src/app';
import { csvObjects } from '../src/catalog/csv';
import { importCatalog } from '../src/catalog/service';
import { closeContext, createContext } from '../src/platform/context';
import { createDb } from '../src/platform/db';
import { createLogger } from '../src/platform/log';
import { createApiKey, upsertPartner } from '../src/partners/service';
import { parseOrderRequest } from '../protocols/cxml';
import { createTestDatabase, testConfig } from '../test/helpers/env';
import { examplePartner } from '../test/helpers/partners';
import { orderRequestXml, type LineSpec } from '../test/integration/orders/helpers';
import { keepAliveAgent, send } from './http-client';

const N = 1000;
const WARMUP = 200;
const ROUNDS = Math.max(1, Math.floor(Number(process.env.ORDERS_BENCH_ROUNDS ?? 3)) || 1);
const CONCURRENCY = 16;
const CONTRACTS = path.resolve(__dirname, '../fixtures/contracts');
const LINES: LineSpec[] = Array.from({ length: 10 }, (_, i) => ({
  sku: `BENCH-${i}`,
  quantity: String(i + 1),
  price: `${i + 1}.25`,
}));

async function pool<T>(n: number, worker: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (;;) {
        const i = next++;
        if (i >= n) return;
        out[i] = await worker(i);
      }
    }),
  );
  return out;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

interface Rate {
  perSec: number;
  p50: number;
  p99: number;
}

async function timed(n: number, one: (i: number) => Promise<void>): Promise<Rate> {
  const t0 = performance.now();
  const lat = await pool(n, async (i) => {
    const s = performance.now();
    await one(i);
    return performance.now() - s;
  });
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return { perSec: n / secs, p50: pct(lat, 50), p99: pct(lat, 99) };
}

const fmt = (r: Rate, unit: string) =>
  `${r.perSec.toFixed(0).padStart(6)} ${unit}/s   p50 ${r.p50.toFixed(1)} ms   p99 ${r.p99.toFixed(1)} ms`;

/** Baseline (b): the rows of one order with plain SQL in one transaction (document, order, version, lines, event, outbox row, answer). */
async function plainInsert(plain: Pool, round: number, i: number, doc: string): Promise<void> {
  const c = await plain.connect();
  try {
    await c.query('begin');
    const docId = randomUUID();
    const orderId = randomUUID();
    await c.query(
      `insert into documents (id, partner_id, protocol, doc_type, direction, external_id, sha256, status, content_type, content)
       values ($1,'acme','cxml','OrderRequest','in',$2,'x','received','text/xml',$3)`,
      [docId, `plain-${round}-${i}`, Buffer.from(doc)],
    );
    await c.query(
      `insert into orders (id, partner_id, buyer_order_number, version, state, type, source_protocol, currency, total, canonical)
       values ($1,'acme',$2,1,'received','new','cxml','USD','357.50',$3)`,
      [orderId, `P-${round}-${i}`, JSON.stringify({ lines: LINES })],
    );
    await c.query(
      `insert into order_versions (order_id, version, type, canonical, document_id) values ($1,1,'new',$2,$3)`,
      [orderId, JSON.stringify({ lines: LINES }), docId],
    );
    const values = LINES.map((_, j) => `($1,${j + 1},$${2 + j * 3},$${3 + j * 3},'EA',$${4 + j * 3})`).join(
      ',',
    );
    await c.query(
      `insert into order_lines (order_id, line_number, sku, quantity, uom, unit_price) values ${values}`,
      [orderId, ...LINES.flatMap((l) => [l.sku, l.quantity, l.price])],
    );
    await c.query(
      `insert into order_events (order_id, event, to_state, actor) values ($1,'create','received','bench')`,
      [orderId],
    );
    await c.query(`insert into outbox (job_name, payload) values ('approvals.evaluate', $1)`, [
      JSON.stringify({ orderId, version: 1 }),
    ]);
    await c.query(
      `update documents set response_status = 200, response_body = $2, order_id = $3 where id = $1`,
      [docId, Buffer.from('<cXML/>'), orderId],
    );
    await c.query('commit');
  } catch (err) {
    await c.query('rollback');
    throw err;
  } finally {
    c.release();
  }
}

export default async function (): Promise<void> {
  const database = await createTestDatabase();
  // PARTNER_CACHE_MS as in production (the tests turn it off).
  const config = testConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent', PARTNER_CACHE_MS: undefined });
  const db = createDb({ databaseUrl: database.url, poolMax: 20 });
  const ctx = await createContext(config, { db, log: createLogger('silent') });
  const plain = new Pool({ connectionString: database.url, max: CONCURRENCY });
  let server: Server | undefined;
  try {
    const catalog = csvObjects(readFileSync(path.join(CONTRACTS, 'catalog.example.csv'), 'utf8'));
    const template = catalog.rows[0]!.values; // the example catalog has rows
    await importCatalog(
      db,
      LINES.map((l, i) => ({
        line: i + 2,
        values: { ...template, sku: l.sku, name: `Bench item ${i}`, unit_price: l.price, uom: 'EA' },
      })),
    );
    await upsertPartner(
      db,
      examplePartner({
        priceList: null,
        cxml: {
          credentials: [{ domain: 'NetworkID', identity: 'AN01000000001' }],
          sharedSecret: 'change-me-acme',
          cartReturn: 'cxml-urlencoded',
          statusUpdates: false,
        },
      }),
    );
    const { key: erpKey } = await createApiKey(db, 'acme', 'erp');
    const app = createApp(ctx);
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server!.once('listening', r));
    const port = (server.address() as AddressInfo).port;
    const agent = keepAliveAgent(CONCURRENCY);
    const doc = (round: number, i: number) =>
      orderRequestXml({ payloadId: `bench-${round}-${i}@buyer`, orderId: `B-${round}-${i}`, lines: LINES });

    console.log(
      `OrderRequest intake, 10-line orders, ${N} orders per kind and round, ${CONCURRENCY} concurrent clients, warm-up ${WARMUP} per kind, ${ROUNDS} round(s)`,
    );
    const cxmlOne = (docs: string[]) => async (i: number) => {
      const res = await send(agent, port, {
        method: 'POST',
        path: '/cxml',
        headers: { 'content-type': 'text/xml' },
        body: docs[i],
      });
      if (res.status !== 200) throw new Error(`intake answered ${res.status}: ${res.text}`);
    };
    const jsonOne = (round: number, bodies: string[]) => async (i: number) => {
      const res = await send(agent, port, {
        method: 'POST',
        path: '/api/v1/orders',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${erpKey}`,
          'idempotency-key': `j-${round}-${i}`,
        },
        body: bodies[i],
      });
      if (res.status !== 201) throw new Error(`JSON intake answered ${res.status}: ${res.text}`);
    };
    const jsonBodies = (round: number, docs: string[]) =>
      docs.map((d, i) =>
        JSON.stringify({ ...parseOrderRequest(d).order, buyerOrderNumber: `J-${round}-${i}` }),
      );
    const plainOne = (round: number, docs: string[]) => (i: number) => plainInsert(plain, round, i, docs[i]!); // i < docs.length

    // Warm-up (round 0): every code path compiled before anything is measured.
    const warm = Array.from({ length: WARMUP }, (_, i) => doc(0, i));
    await timed(WARMUP, cxmlOne(warm));
    await timed(WARMUP, jsonOne(0, jsonBodies(0, warm)));
    await timed(WARMUP, plainOne(0, warm));

    const ratios: { cxml: number; json: number }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const docs = Array.from({ length: N }, (_, i) => doc(round, i));
      const bodies = jsonBodies(round, docs);
      // (a) parsing alone
      const parser = new XMLParser({ ignoreAttributes: false, processEntities: false });
      const p0 = performance.now();
      for (const d of docs) parser.parse(d);
      const parseRate = N / ((performance.now() - p0) / 1000);
      // (b) the same rows with plain SQL, then the gateway over HTTP: cXML (parse + authenticate +
      // intake) and the JSON API (API key + zod + intake)
      const sql = await timed(N, plainOne(round, docs));
      const intake = await timed(N, cxmlOne(docs));
      const jsonIntake = await timed(N, jsonOne(round, bodies));
      ratios.push({ cxml: intake.perSec / sql.perSec, json: jsonIntake.perSec / sql.perSec });
      console.log(`round ${round}:`);
      console.log(`  gateway intake, cXML over HTTP ${fmt(intake, 'orders')}`);
      console.log(`  gateway intake, JSON over HTTP ${fmt(jsonIntake, 'orders')}`);
      console.log(
        `  (a) fast-xml-parser alone     ${parseRate.toFixed(0).padStart(6)} docs/s   (one thread)`,
      );
      console.log(`  (b) plain SQL, same rows      ${fmt(sql, 'orders')}`);
      console.log(
        `  intake / plain SQL: cXML ${(intake.perSec / sql.perSec).toFixed(2)}, JSON ${(jsonIntake.perSec / sql.perSec).toFixed(2)}`,
      );
    }
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      // ROUNDS >= 1 ratios: the middle indices are inside s.
      return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
    };
    console.log(
      `median of ${ROUNDS} round(s), intake / plain SQL: cXML ${median(ratios.map((r) => r.cxml)).toFixed(2)}, JSON ${median(ratios.map((r) => r.json)).toFixed(2)} (aim >= 0.5)`,
    );
    const [counted] = await db('orders').whereRaw(`buyer_order_number ~ '^[BJ]-'`).count('* as count');
    console.log(`orders created by intake: ${counted?.count} (expected ${2 * (WARMUP + ROUNDS * N)})`);
  } finally {
    if (server) {
      server.closeAllConnections();
      await new Promise((r) => server!.close(r));
    }
    await plain.end();
    await closeContext(ctx);
    await database.drop();
  }
}
