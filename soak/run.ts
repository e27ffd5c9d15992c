/**
 * `npm run soak` (issue 17 point 1): the production topology under faults and load, then checks.
 *
 * Two servers (WORKERS=0) and two workers as processes on one fresh Postgres database and a
 * redis-server of its own (no persistence), a buyer endpoint that fails (500) and hangs a share of
 * the requests, and a load process (soak/load.ts) sending punchout setups and cXML, X12 and JSON
 * orders with resends, updates and cancels, shipments and invoices for four partners. Meanwhile a
 * chaos loop kill -9s and restarts servers and workers, restarts Redis with and without its data and
 * flushes it, terminates the database's Postgres backends and pauses a worker. Then everything is
 * healed, the gateway left to go quiet, and the promises checked. Prints the counts; exits 1 on
 * any breach. SOAK_SECONDS (default 60) is the length of the load; SOAK_KEEP=1 keeps the database and the logs of a green run too.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { csvObjects } from '../src/catalog/csv';
import { importCatalog, importPriceLists } from '../src/catalog/service';
import { createDb, migrateLatest, type Db } from '../src/platform/db';
import { ADMIN_TOKEN, PG_ADMIN_URL, SECRETS_KEY, createTestDatabase } from '../test/helpers/env';
import { freePort, ROOT } from '../test/helpers/gateway-process';
import { examplePartner, seedPartner } from '../test/helpers/partners';
import type { LoadConfig, LoadPartner, LoadResult } from './load';
import { OwnRedis, Proc } from './topology';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const QUIET_TIMEOUT_MS = Number(process.env.SOAK_QUIET_TIMEOUT_MS ?? 300000);
const HANG_MS = 2500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rand = (a: number, b: number) => a + Math.random() * (b - a);
const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
const logDir = mkdtempSync(path.join(tmpdir(), 'gw-soak-'));
const say = (s: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${s}`);

// ---------------------------------------------------------------------------------------------
// The buyer: one endpoint per partner and format, failing and hanging a share while chaos runs.

interface Got {
  partner: string;
  format: string;
  key: string | null;
  answered: number;
}

function startBuyer() {
  const got: Got[] = [];
  const state = { failing: true };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const [, partner = '', format = ''] = (req.url ?? '').split('/');
      const key =
        format === 'x12'
          ? /^ISA(?:.{1}[^~\n]*){12}/.exec(body)
            ? body.split(body[3]!)[13]!.trim()
            : null
          : (/<cXML[^>]*payloadID="([^"]+)"/.exec(body)?.[1] ?? null);
      const roll = Math.random();
      const rec: Got = { partner, format, key, answered: 0 };
      got.push(rec);
      const answer = () => {
        rec.answered = 200;
        res.writeHead(200, { 'Content-Type': format === 'x12' ? 'application/edi-x12' : 'text/xml' });
        res.end(
          format === 'x12'
            ? ''
            : '<?xml version="1.0"?><cXML payloadID="r@buyer" timestamp="2026-11-23T10:00:00Z"><Response><Status code="200" text="OK"/></Response></cXML>',
        );
      };
      if (state.failing && roll < 0.15) {
        rec.answered = 500;
        res.writeHead(500).end('down for a moment');
      } else if (state.failing && roll < 0.2) {
        // Hangs past the gateway's timeout, then takes it: the gateway sends it again, same payloadID.
        setTimeout(() => {
          if (!res.destroyed) answer();
        }, HANG_MS * 2);
      } else answer();
    });
  });
  return { got, state, server };
}

// ---------------------------------------------------------------------------------------------

async function seed(db: Db, buyerBase: string): Promise<LoadPartner[]> {
  const contracts = path.join(ROOT, 'fixtures/contracts');
  const csv = (f: string) => csvObjects(readFileSync(path.join(contracts, f), 'utf8')).rows;
  await importCatalog(db, csv('catalog.example.csv'));
  await importPriceLists(db, csv('price-list.example.csv'));
  const example = examplePartner();
  const partners: LoadPartner[] = [];
  for (const [id, identity] of [
    ['acme', 'AN01000000001'],
    ['globex', 'AN-GLOBEX'],
  ] as const) {
    const secret = `secret-${id}-0123`;
    const { erpKey } = await seedPartner(db, {
      id,
      name: id,
      oci: undefined,
      x12: undefined,
      cxml: {
        ...example.cxml!,
        credentials: [{ domain: 'NetworkID', identity }],
        sharedSecret: secret,
        outboundUrl: `${buyerBase}/${id}/cxml`,
        statusUpdates: false,
      },
    });
    partners.push({ id, protocol: 'cxml', identity, secret, erpKey });
  }
  const { erpKey: x12Key } = await seedPartner(db, {
    id: 'initech',
    name: 'Initech',
    cxml: undefined,
    oci: undefined,
    outboundFormats: ['x12'],
    x12: {
      isaQualifier: 'ZZ',
      isaId: 'INITECH',
      gsId: 'INITECH',
      version: '004010',
      ta1: false,
      outboundUrl: `${buyerBase}/initech/x12`,
    },
  });
  partners.push({ id: 'initech', protocol: 'x12', identity: 'INITECH', secret: '', erpKey: x12Key });
  const { erpKey: jsonKey } = await seedPartner(db, {
    id: 'umbrella',
    name: 'Umbrella',
    oci: undefined,
    x12: undefined,
    cxml: {
      ...example.cxml!,
      credentials: [{ domain: 'NetworkID', identity: 'AN-UMBRELLA' }],
      sharedSecret: 'secret-umbrella-0123',
      outboundUrl: `${buyerBase}/umbrella/cxml`,
      statusUpdates: false,
    },
  });
  partners.push({ id: 'umbrella', protocol: 'json', identity: 'AN-UMBRELLA', secret: '', erpKey: jsonKey });
  return partners;
}

async function main(): Promise<number> {
  say(`load ${SECONDS} s; logs in ${logDir}`);
  const database = await createTestDatabase();
  const db = createDb({ databaseUrl: database.url, poolMax: 4 });
  await migrateLatest(db);
  const dbName = new URL(database.url).pathname.slice(1);
  const admin = knexFactory({ client: 'pg', connection: PG_ADMIN_URL, pool: { min: 0, max: 1 } });

  const buyer = startBuyer();
  await new Promise<void>((resolve) => buyer.server.listen(0, '127.0.0.1', resolve));
  const buyerBase = `http://127.0.0.1:${(buyer.server.address() as AddressInfo).port}`;
  const partners = await seed(db, buyerBase);

  const redis = new OwnRedis(await freePort());
  await redis.start();
  const prefix = 'soak';
  const env: Record<string, string> = {
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: prefix,
    ADMIN_TOKEN,
    SECRETS_KEY,
    SUPPLIER_CXML_DOMAIN: 'NetworkID',
    SUPPLIER_CXML_IDENTITY: 'AN-SUPPLIER-TEST',
    AUTH_FAILURES_PER_ADDRESS: '1000000',
    AUTH_FAILURES_PER_CREDENTIAL: '1000000',
    DELIVERY_TIMEOUT_MS: String(HANG_MS),
    DELIVERY_RETRY_BASE_MS: '100',
    DELIVERY_MAX_ATTEMPTS: '10',
    OUTBOX_RECONCILE_MS: '1000',
    OUTBOX_RECONCILE_GRACE_MS: '3000',
    LOG_LEVEL: 'warn',
  };
  const servers = await Promise.all(
    [1, 2].map(async (i) => {
      const port = await freePort();
      return new Proc(logDir, `server${i}`, ['serve'], { ...env, PORT: String(port), WORKERS: '0' }, port);
    }),
  );
  const workers = [1, 2].map((i) => new Proc(logDir, `worker${i}`, ['worker'], env));
  const procs = [...servers, ...workers];
  procs.forEach((p) => p.start());
  await Promise.all(servers.map((s) => s.ready()));
  say(`servers on ${servers.map((s) => s.port).join(', ')}, Redis on ${redis.port}, database ${dbName}`);

  // The load.
  const out = path.join(logDir, 'load.json');
  const loadConfig: LoadConfig = {
    ports: servers.map((s) => s.port!),
    seconds: SECONDS,
    concurrency: 12,
    adminToken: ADMIN_TOKEN,
    partners,
    out,
  };
  const load = spawn(process.execPath, ['--import', 'tsx', 'soak/load.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, SOAK_LOAD_CONFIG: JSON.stringify(loadConfig) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const loadDone = new Promise<number | null>((resolve) => load.once('exit', resolve));

  // Chaos until the load ends.
  const chaos: Record<string, number> = {};
  let loading = true;
  void loadDone.then(() => (loading = false));
  const actions: [string, () => Promise<void>][] = [
    [
      'kill -9 server',
      async () => {
        const s = pick(servers);
        await s.kill9();
        await sleep(rand(200, 2000));
        s.start();
      },
    ],
    [
      'kill -9 worker',
      async () => {
        const w = pick(workers);
        await w.kill9();
        await sleep(rand(200, 2000));
        w.start();
      },
    ],
    ['Redis restart without its data', () => redis.restartEmpty()],
    ['Redis restart with its data', () => redis.restartKeeping()],
    ['Redis FLUSHALL', async () => void (await redis.command('FLUSHALL'))],
    [
      'Postgres backends terminated',
      async () => {
        await admin.raw(
          'select pg_terminate_backend(pid) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()',
          [dbName],
        );
      },
    ],
    [
      'worker paused (SIGSTOP/SIGCONT)',
      async () => {
        const w = pick(workers);
        w.pause();
        await sleep(rand(1000, 5000));
        w.resume();
      },
    ],
  ];
  await sleep(3000);
  while (loading) {
    const [name, act] = pick(actions);
    try {
      await act();
      chaos[name] = (chaos[name] ?? 0) + 1;
    } catch (err) {
      say(`chaos ${name} failed: ${(err as Error).message}`);
    }
    await sleep(rand(1000, 3000));
  }
  const loadCode = await loadDone;

  // Heal: every process up and running, Redis up, the buyer answering.
  say('load done; healing');
  buyer.state.failing = false;
  if (!redis.alive) await redis.start();
  for (const p of procs) {
    p.resume();
    if (!p.alive) p.start();
  }
  await Promise.all(servers.map((s) => s.ready()));

  const breaches: string[] = [];
  const breach = (s: string) => breaches.push(s);
  if (loadCode !== 0 || !existsSync(out)) {
    breach(`the load process exited with ${loadCode}`);
  }
  const result: LoadResult = existsSync(out)
    ? (JSON.parse(readFileSync(out, 'utf8')) as LoadResult)
    : { orders: [], punchouts: [], requests: 0, retries: 0, undecided: 0, undecidedRequests: [] };

  // Jobs BullMQ holds: waiting, or active (a killed worker's active jobs stay there until another
  // worker's stalled check, every 30 s, hands them back; they then run again and find their work done).
  const redisJobs = async () => {
    const queues = ((await redis.command('KEYS', `${prefix}:*:meta`)) as string[]).map((k) =>
      k.slice(prefix.length + 1, -5),
    );
    let waiting = 0;
    let active = 0;
    for (const q of queues) {
      waiting += Number(await redis.command('LLEN', `${prefix}:${q}:wait`));
      active += Number(await redis.command('LLEN', `${prefix}:${q}:active`));
    }
    return { waiting, active };
  };
  // Quiet: no outbox work due, no delivery pending, no job waiting or active in Redis, for 5 s in a row.
  const due = async () =>
    Number(
      (
        await db('outbox')
          .whereNull('completed_at')
          .whereNull('failed_at')
          .where('available_at', '<=', db.fn.now())
          .count({ n: '*' })
      )[0]!.n,
    ) + Number((await db('deliveries').whereIn('status', ['pending', 'sending']).count({ n: '*' }))[0]!.n);
  const quietFrom = Date.now();
  let quietSince: number | undefined;
  let told = Date.now();
  while (Date.now() - quietFrom < QUIET_TIMEOUT_MS) {
    if (Date.now() - told > 20000) {
      told = Date.now();
      const jobs = await db('outbox')
        .whereNull('completed_at')
        .whereNull('failed_at')
        .where('available_at', '<=', db.fn.now())
        .select('job_name', db.raw('count(*) as n'))
        .groupBy('job_name');
      const dv = await db('deliveries')
        .whereIn('status', ['pending', 'sending'])
        .select('status', db.raw('count(*) as n'))
        .groupBy('status');
      say(
        `waiting for quiet: outbox due ${JSON.stringify(jobs)}, deliveries ${JSON.stringify(dv)}, Redis ${JSON.stringify(await redisJobs())}`,
      );
    }
    const inRedis = await redisJobs();
    if ((await due()) === 0 && inRedis.waiting + inRedis.active === 0) {
      quietSince ??= Date.now();
      if (Date.now() - quietSince > 5000) break;
    } else quietSince = undefined;
    await sleep(500);
  }
  say(`quiet after ${((Date.now() - quietFrom) / 1000).toFixed(0)} s`);

  // ---- checks ----
  const counts: Record<string, number | string> = {};
  const orders = await db('orders').select<
    {
      id: string;
      partner_id: string;
      buyer_order_number: string;
      state: string;
      version: number;
      flags: string[];
    }[]
  >('id', 'partner_id', 'buyer_order_number', 'state', 'version', 'flags');
  const byNumber = new Map<string, typeof orders>();
  for (const o of orders) {
    const k = `${o.partner_id}/${o.buyer_order_number}`;
    byNumber.set(k, [...(byNumber.get(k) ?? []), o]);
  }
  const inbound = await db('documents')
    .where({ direction: 'in' })
    .select<{ partner_id: string; external_id: string; protocol: string; doc_type: string }[]>(
      'partner_id',
      'external_id',
      'protocol',
      'doc_type',
    );
  const inboundCount = new Map<string, number>();
  for (const d of inbound) {
    const k = `${d.partner_id}/${d.external_id}`;
    inboundCount.set(k, (inboundCount.get(k) ?? 0) + 1);
  }
  const identities = new Map(partners.map((p) => [p.id, p.identity]));
  let ackedDocs = 0;
  let undecidedOrders = 0;
  const states: Record<string, number> = {};
  for (const rec of result.orders) {
    const rows = byNumber.get(`${rec.partner}/${rec.number}`) ?? [];
    for (const acked of rec.acked) {
      ackedDocs++;
      // An X12 interchange is stored under its envelope: sender|receiver|ISA13.
      const key =
        rec.protocol === 'x12' ? `ZZ:${identities.get(rec.partner)}|ZZ:SUPPLIERDEMO|${acked}` : acked;
      const n = inboundCount.get(`${rec.partner}/${key}`) ?? 0;
      if (n !== 1) breach(`${rec.partner} ${rec.number}: acknowledged document ${key} stored ${n} times`);
    }
    if (rec.acked.length > 0 && rows.length !== 1)
      breach(`${rec.partner} ${rec.number}: acknowledged, stored as ${rows.length} orders`);
    if (rec.expected === 'absent' && rows.length > 0)
      breach(`${rec.partner} ${rec.number}: refused (${rec.refused.join(', ')}) yet stored`);
    if (rec.expected === null) {
      undecidedOrders++;
      continue;
    }
    if (rec.expected === 'absent') continue;
    // An update of a confirmed order is flagged and waits for a person; one before it is auto-approved.
    const flags = rows[0]?.flags ?? [];
    const expected =
      rec.expected === 'updated'
        ? flags.includes('change_after_confirmation')
          ? 'pending_approval'
          : 'confirmed'
        : rec.expected;
    const label = rec.expected === 'updated' ? `updated, ${expected}` : expected;
    states[label] = (states[label] ?? 0) + 1;
    const got = rows[0]?.state;
    if (got !== expected)
      breach(
        `${rec.partner} ${rec.number}: state ${got}, its rules give ${expected} (${rec.steps.join(' ')}; flags ${flags.join(',')})`,
      );
  }
  for (const p of result.punchouts) {
    ackedDocs++;
    const n = inboundCount.get(`${p.partner}/${p.payloadId}`) ?? 0;
    if (n !== 1) breach(`punchout setup ${p.payloadId} stored ${n} times`);
  }
  const loadNumbers = new Set(result.orders.map((r) => `${r.partner}/${r.number}`));
  for (const k of byNumber.keys()) if (!loadNumbers.has(k)) breach(`order ${k} stored, never sent`);

  // Outbound: every document delivered, received by the buyer under one key; one per effect.
  const outbound = await db('documents as d')
    .join('deliveries as v', 'v.document_id', 'd.id')
    .where('d.direction', 'out')
    .select<
      {
        id: string;
        partner_id: string;
        protocol: string;
        doc_type: string;
        external_id: string;
        order_id: string | null;
        invoice_id: string | null;
        status: string;
        content: Buffer;
      }[]
    >(
      'd.id',
      'd.partner_id',
      'd.protocol',
      'd.doc_type',
      'd.external_id',
      'd.order_id',
      'd.invoice_id',
      'v.status',
      'd.content',
    );
  const received = new Map<string, Got[]>();
  for (const g of buyer.got)
    if (g.key) received.set(`${g.partner}/${g.key}`, [...(received.get(`${g.partner}/${g.key}`) ?? []), g]);
  const outKeys = new Set<string>();
  const deliveryStates: Record<string, number> = {};
  let redelivered = 0;
  const isaOf = (content: Buffer) => {
    const s = content.toString('utf8');
    return s.startsWith('ISA') ? s.split(s[3]!)[13]!.trim() : null;
  };
  for (const d of outbound) {
    deliveryStates[d.status] = (deliveryStates[d.status] ?? 0) + 1;
    const key =
      d.protocol === 'x12' || String(d.content).startsWith('ISA') ? isaOf(d.content) : d.external_id;
    const k = `${d.partner_id}/${key}`;
    outKeys.add(k);
    if (d.status !== 'delivered') {
      breach(`${d.doc_type} ${key} for ${d.partner_id}: delivery ${d.status}`);
      continue;
    }
    const got = (received.get(k) ?? []).filter((g) => g.answered === 200);
    if (got.length === 0)
      breach(`${d.doc_type} ${key} for ${d.partner_id}: delivered, the buyer never took it`);
    if ((received.get(k) ?? []).length > 1) redelivered++;
  }
  for (const [k] of received)
    if (!outKeys.has(k)) breach(`the buyer received ${k}, which no stored document has`);
  // One confirmation per confirm, one invoice document per invoice.
  const confirms = await db('order_events')
    .where({ event: 'confirm' })
    .select<{ order_id: string }[]>('order_id');
  const confirmsBy = new Map<string, number>();
  for (const c of confirms) confirmsBy.set(c.order_id, (confirmsBy.get(c.order_id) ?? 0) + 1);
  const confDocs = new Map<string, number>();
  const invDocs = new Map<string, number>();
  for (const d of outbound) {
    if (/^(ConfirmationRequest|855)$/.test(d.doc_type) && d.order_id)
      confDocs.set(d.order_id, (confDocs.get(d.order_id) ?? 0) + 1);
    if (/^(InvoiceDetailRequest|810)$/.test(d.doc_type) && d.invoice_id)
      invDocs.set(d.invoice_id, (invDocs.get(d.invoice_id) ?? 0) + 1);
  }
  for (const o of orders) {
    const c = confirmsBy.get(o.id) ?? 0;
    const docs = confDocs.get(o.id) ?? 0;
    if (docs !== c)
      breach(`order ${o.buyer_order_number}: confirmed ${c} times, ${docs} confirmation documents`);
  }
  const invoices = await db('invoices').select<{ id: string; number: string; order_id: string }[]>(
    'id',
    'invoice_number as number',
    'order_id',
  );
  for (const i of invoices) {
    const n = invDocs.get(i.id) ?? 0;
    if (n !== 1) breach(`invoice ${i.number}: ${n} invoice documents`);
  }
  // The load ships each order once, in full: one shipment, one ship notice for it.
  const shipments = await db('shipments').select<{ order_id: string }[]>('order_id');
  const shipDocs = new Map<string, number>();
  for (const d of outbound)
    if (/^(ShipNoticeRequest|856)$/.test(d.doc_type) && d.order_id)
      shipDocs.set(d.order_id, (shipDocs.get(d.order_id) ?? 0) + 1);
  const perOrderShipments = new Map<string, number>();
  for (const sh of shipments)
    perOrderShipments.set(sh.order_id, (perOrderShipments.get(sh.order_id) ?? 0) + 1);
  for (const [o, n] of perOrderShipments) {
    if (n > 1) breach(`order ${o}: ${n} shipments for one shipment request`);
    if ((shipDocs.get(o) ?? 0) !== n)
      breach(`order ${o}: ${n} shipments, ${shipDocs.get(o) ?? 0} ship notices`);
  }
  const perOrderInvoices = new Map<string, number>();
  for (const i of invoices) perOrderInvoices.set(i.order_id, (perOrderInvoices.get(i.order_id) ?? 0) + 1);
  for (const [o, n] of perOrderInvoices)
    if (n > 1) breach(`order ${o}: ${n} invoices for one invoice request`);

  // Gapless numbers: invoice numbers, X12 control numbers per partner.
  const gapless = (name: string, values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i] === sorted[i - 1]) breach(`${name}: ${sorted[i]} twice`);
      else if (sorted[i] !== sorted[i - 1]! + 1)
        breach(`${name}: gap between ${sorted[i - 1]} and ${sorted[i]}`);
    }
  };
  gapless(
    'invoice numbers',
    invoices.map((i) => Number(/(\d+)\D*$/.exec(i.number)?.[1])),
  );
  const isa = new Map<string, number[]>();
  for (const d of outbound) {
    const k = isaOf(d.content);
    if (k) isa.set(d.partner_id, [...(isa.get(d.partner_id) ?? []), Number(k)]);
  }
  for (const [p, v] of isa) gapless(`ISA13 to ${p}`, v);

  // Nothing left behind: outbox, Redis jobs, dead letters.
  const leftOutbox = await due();
  if (leftOutbox > 0) breach(`${leftOutbox} outbox rows or deliveries still due after the quiet`);
  const failed = await db('outbox')
    .whereNotNull('failed_at')
    .select<{ id: number; job_name: string; last_error: string | null }[]>('id', 'job_name', 'last_error');
  for (const f of failed)
    breach(`dead letter: outbox ${f.id} ${f.job_name}: ${String(f.last_error).slice(0, 200)}`);
  const later = Number(
    (await db('outbox').whereNull('completed_at').whereNull('failed_at').count({ n: '*' }))[0]!.n,
  );
  const queues = ((await redis.command('KEYS', `${prefix}:*:meta`)) as string[]).map((k) =>
    k.slice(prefix.length + 1, -5),
  );
  let waiting = 0;
  let active = 0;
  let delayed = 0;
  for (const q of queues) {
    waiting += Number(await redis.command('LLEN', `${prefix}:${q}:wait`));
    active += Number(await redis.command('LLEN', `${prefix}:${q}:active`));
    delayed += Number(await redis.command('ZCARD', `${prefix}:${q}:delayed`));
  }
  if (waiting + active > 0) breach(`${waiting} jobs waiting and ${active} active in Redis after the quiet`);
  if (delayed > later) breach(`${delayed} delayed jobs in Redis, only ${later} outbox rows due later`);

  Object.assign(counts, {
    'requests sent': result.requests,
    'of them retries': result.retries,
    'requests without a definite answer': result.undecided,
    'orders (scenarios)': result.orders.length,
    'orders with an unknown outcome (not checked)': undecidedOrders,
    'punchout setups acknowledged': result.punchouts.length,
    'inbound documents acknowledged': ackedDocs,
    'orders stored': orders.length,
    ...Object.fromEntries(Object.entries(states).map(([s, n]) => [`orders expected ${s}`, n])),
    shipments: shipments.length,
    invoices: invoices.length,
    'outbound documents': outbound.length,
    ...Object.fromEntries(Object.entries(deliveryStates).map(([s, n]) => [`deliveries ${s}`, n])),
    'buyer requests': buyer.got.length,
    'buyer requests failed or hung': buyer.got.filter((g) => g.answered !== 200).length,
    'documents the buyer got more than once (same key)': redelivered,
    'outbox rows due later (escalations)': later,
    'dead letters': failed.length,
    ...Object.fromEntries(Object.entries(chaos).map(([a, n]) => [`chaos: ${a}`, n])),
    ...Object.fromEntries(procs.map((p) => [`starts of ${p.name}`, p.starts])),
  });
  for (const [k, v] of Object.entries(counts)) console.log(`  ${k.padEnd(52)} ${v}`);
  for (const u of result.undecidedRequests) console.log(`  without a definite answer: ${u}`);

  // Tear down.
  for (const p of procs) await p.stop();
  await redis.destroy();
  await new Promise<void>((resolve) => {
    buyer.server.closeAllConnections();
    buyer.server.close(() => resolve());
  });
  await db.destroy();
  await admin.destroy();
  if (process.env.SOAK_KEEP !== '1' && breaches.length === 0) await database.drop();
  else say(`database kept: ${database.url}`);

  if (breaches.length) {
    console.log(`\nBREACH: ${breaches.length} invariant(s) broken`);
    for (const b of breaches.slice(0, 50)) console.log(`  - ${b}`);
    if (breaches.length > 50) console.log(`  ... and ${breaches.length - 50} more`);
    console.log(`process logs: ${logDir}`);
    return 1;
  }
  console.log('\nsoak: every invariant held');
  if (process.env.SOAK_KEEP !== '1') rmSync(logDir, { recursive: true, force: true });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(2);
  },
);
