/**
 * `npm run bench pipeline [--servers N --workers M --partners P]` (issue 17 points 5 and 6): the order
 * pipeline in the production topology, next to pgbench writing the same rows.
 *
 * N servers (WORKERS=0) and M workers as processes on a fresh Postgres database and a redis-server
 * of its own (AOF, noeviction, as the README asks), a buyer endpoint process (bench/pipeline/buyer.ts)
 * and, per phase, a load process (bench/pipeline/load.ts) running PIPELINE_CONCURRENCY closed loops
 * for PIPELINE_SECONDS, spread over P buyers (default 8; `--partners 1` sends everything as one
 * partner, whose deliveries DELIVERY_PARTNER_CONCURRENCY bounds). Phases, after a warm-up: (b) end to end, an Ariba-style 10-line cXML
 * OrderRequest until its ConfirmationRequest reached the buyer; (c) an invoice of a confirmed order
 * until its InvoiceDetailRequest reached the buyer; GET /health, then PunchOutSetupRequests, on the
 * first server; (a) intake alone (workers stopped). Each phase's rows written per operation are read
 * from pg_stat_user_tables and its statements per operation from the processes (bench/pipeline/count-queries.cjs),
 * then pgbench (/usr/bin/pgbench) runs a script writing those rows (bench/pipeline/pgbench.ts) at the
 * same concurrency on a scratch database. PIPELINE_CPU_PROF=DIR writes a V8 CPU profile of every
 * gateway process there; PIPELINE_KEEP=1 keeps the database and the logs; PIPELINE_STATS_WAIT_MS
 * (default 11000) is the wait for idle backends to report their row counts. Prints the load average
 * at start and end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { csvObjects } from '../src/catalog/csv';
import { importCatalog } from '../src/catalog/service';
import { createDb, migrateLatest, type Db } from '../src/platform/db';
import { upsertPartner } from '../src/partners/service';
import { ADMIN_TOKEN, SECRETS_KEY, createTestDatabase } from '../test/helpers/env';
import { freePort, ROOT } from '../test/helpers/gateway-process';
import { examplePartner } from '../test/helpers/partners';
import { OwnRedis, Proc } from '../soak/topology';
import { benchPartner, LINES, SUPPLIER } from './pipeline/documents';
import type { Phase, PhaseConfig, PhaseResult } from './pipeline/load';
import {
  insertableColumns,
  preparePgbench,
  runPgbench,
  type PgbenchResult,
  type Stage,
} from './pipeline/pgbench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `--name N` from the command line, PIPELINE_NAME, or what npm made of `npm run bench pipeline
 * --servers 2 --workers 2` without `--`: npm_config_servers=true and the numbers as arguments,
 * taken in the order servers, workers, partners.
 */
function flag(name: 'servers' | 'workers' | 'partners', fallback: number): number {
  const argv = process.argv;
  const i = argv.indexOf(`--${name}`);
  let raw: string | undefined = i >= 0 ? argv[i + 1] : process.env[`PIPELINE_${name.toUpperCase()}`];
  const npm = (n: string) => process.env[`npm_config_${n}`];
  if (raw === undefined && npm(name) !== undefined) {
    if (npm(name) !== 'true') raw = npm(name);
    else {
      const numbers = argv.slice(2).filter((a, j, all) => /^\d+$/.test(a) && !all[j - 1]?.startsWith('--'));
      const order = (['servers', 'workers', 'partners'] as const).filter((n) => npm(n) === 'true');
      raw = numbers[order.indexOf(name)];
    }
  }
  const n = Number(raw ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, not ${raw}`);
  return n;
}

const load1 = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/** Writes per table (inserted, updated, deleted rows) from pg_stat_user_tables. */
type TableCounts = Record<string, { ins: number; upd: number; del: number }>;

async function tableCounts(db: Db): Promise<TableCounts> {
  const rows = await db.raw<{ rows: { relname: string; ins: string; upd: string; del: string }[] }>(
    'select relname, n_tup_ins as ins, n_tup_upd as upd, n_tup_del as del from pg_stat_user_tables',
  );
  return Object.fromEntries(
    rows.rows.map((r) => [r.relname, { ins: Number(r.ins), upd: Number(r.upd), del: Number(r.del) }]),
  );
}

function perOp(before: TableCounts, after: TableCounts, ops: number): string[] {
  const out: string[] = [];
  for (const [t, a] of Object.entries(after).sort()) {
    const b = before[t] ?? { ins: 0, upd: 0, del: 0 };
    const parts = (
      [
        ['insert', a.ins - b.ins],
        ['update', a.upd - b.upd],
        ['delete', a.del - b.del],
      ] as const
    )
      .filter(([, n]) => n / ops >= 0.005)
      .map(([k, n]) => `${k} ${(n / ops).toFixed(2)}`);
    if (parts.length) out.push(`${t}: ${parts.join(', ')}`);
  }
  return out;
}

/** Statements sent so far, by process role (server / worker) and statement text. */
function queryCounts(dir: string): Record<string, Map<string, number>> {
  const out: Record<string, Map<string, number>> = {};
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const role = f.replace(/\d*-\d+\.json$/, '');
    let counts: Record<string, number>;
    try {
      counts = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Record<string, number>;
    } catch {
      continue;
    }
    const m = (out[role] ??= new Map());
    for (const [k, n] of Object.entries(counts)) m.set(k, (m.get(k) ?? 0) + n);
  }
  return out;
}

function queriesPerOp(
  before: Record<string, Map<string, number>>,
  after: Record<string, Map<string, number>>,
  ops: number,
  top: number,
): string[] {
  const out: string[] = [];
  for (const [role, m] of Object.entries(after)) {
    const b = before[role] ?? new Map<string, number>();
    const deltas = [...m].map(([k, n]) => [k, n - (b.get(k) ?? 0)] as const).filter(([, n]) => n > 0);
    const total = deltas.reduce((s, [, n]) => s + n, 0);
    if (!total) continue;
    out.push(`${role}s: ${(total / ops).toFixed(1)} statements per operation`);
    for (const [k, n] of deltas.sort((x, y) => y[1] - x[1]).slice(0, top))
      out.push(`    ${(n / ops).toFixed(2).padStart(6)}  ${k.slice(0, 150)}`);
  }
  return out;
}

/** No outbox row due and no delivery pending (without workers: every due row handed to Redis). */
async function quiet(db: Db, workers: boolean, timeoutMs = 120000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const [o] = await db('outbox')
      .whereNull(workers ? 'completed_at' : 'dispatched_at')
      .whereNull('failed_at')
      .where('available_at', '<=', db.fn.now())
      .count({ n: '*' });
    const [d] = await db('deliveries').whereIn('status', ['pending', 'sending']).count({ n: '*' });
    if (Number(o!.n) + Number(d!.n) === 0) return;
    await sleep(250);
  }
  throw new Error('the gateway did not go quiet');
}

function spawnBuyer(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/pipeline/buyer.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /\{"port":(\d+)\}/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`buyer exited with ${code}`)));
  });
}

function runLoad(config: PhaseConfig): Promise<PhaseResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/pipeline/load.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, PIPELINE_LOAD_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load (${config.phase}) exited with ${code}`));
      else resolve(JSON.parse(readFileSync(config.out, 'utf8')) as PhaseResult);
    });
  });
}

const fmtRate = (ops: number, p50: number, p99: number) =>
  `${ops.toFixed(1).padStart(7)}/s  p50 ${p50.toFixed(0).padStart(5)} ms  p99 ${p99.toFixed(0).padStart(5)} ms`;

/** The catalog and `partners` buyers (benchPartner), every one sending its documents to `buyerUrl`. */
export async function seedPipeline(db: Db, buyerUrl: string, partners = 1): Promise<void> {
  const catalog = csvObjects(
    readFileSync(path.join(ROOT, 'fixtures/contracts/catalog.example.csv'), 'utf8'),
  ).rows;
  const template = catalog[0]!.values;
  await importCatalog(
    db,
    LINES.map((l, i) => ({
      line: i + 2,
      values: {
        ...template,
        sku: l.sku,
        name: `Office supply item ${i + 1}`,
        unit_price: l.price,
        uom: 'EA',
        unspsc: l.unspsc,
        min_order_qty: '1',
      },
    })),
  );
  for (let i = 0; i < partners; i++) {
    const p = benchPartner(i);
    await upsertPartner(
      db,
      examplePartner({
        id: p.id,
        priceList: null,
        oci: undefined,
        x12: undefined,
        cxml: {
          credentials: [{ domain: 'NetworkID', identity: p.identity }],
          sharedSecret: p.secret,
          outboundUrl: buyerUrl,
          cartReturn: 'cxml-urlencoded',
          statusUpdates: false,
        },
      }),
    );
  }
}

export default async function main(): Promise<void> {
  const servers = flag('servers', 1);
  const workers = flag('workers', 1);
  // A supplier's orders come from many buyers, and deliveries are bounded per partner
  // (DELIVERY_PARTNER_CONCURRENCY): one partner alone measures that bound, not the pipeline.
  const partners = flag('partners', 8);
  const seconds = Number(process.env.PIPELINE_SECONDS ?? 15);
  const concurrency = Number(process.env.PIPELINE_CONCURRENCY ?? 16);
  const statsWait = Number(process.env.PIPELINE_STATS_WAIT_MS ?? 11000);
  const cpuProf = process.env.PIPELINE_CPU_PROF;
  const loadStart = load1();
  const logDir = mkdtempSync(path.join(tmpdir(), 'gw-pipeline-'));
  const queries = path.join(logDir, 'queries');
  mkdirSync(queries);
  console.log(
    `${servers} server(s) (WORKERS=0), ${workers} worker(s), ${partners} partner(s), ${concurrency} concurrent closed loops, ${seconds} s per phase; load average at start ${loadStart}; logs in ${logDir}`,
  );

  const database = await createTestDatabase();
  try {
    await measure(database, {
      servers,
      workers,
      partners,
      seconds,
      concurrency,
      statsWait,
      cpuProf,
      loadStart,
      logDir,
    });
  } catch (err) {
    // A failed run leaves no database behind (unless kept), its logs stay for reading.
    if (process.env.PIPELINE_KEEP !== '1') await database.drop().catch(() => undefined);
    console.log(`process logs: ${logDir}`);
    throw err;
  }
}

async function measure(
  database: { url: string; drop: () => Promise<void> },
  o: {
    servers: number;
    workers: number;
    partners: number;
    seconds: number;
    concurrency: number;
    statsWait: number;
    cpuProf: string | undefined;
    loadStart: string;
    logDir: string;
  },
): Promise<void> {
  const { servers, workers, partners, seconds, concurrency, statsWait, cpuProf, loadStart, logDir } = o;
  const queries = path.join(logDir, 'queries');
  const db = createDb({ databaseUrl: database.url, poolMax: 2 });
  await migrateLatest(db);
  const buyer = await spawnBuyer();
  await seedPipeline(db, `http://127.0.0.1:${buyer.port}/cxml`, partners);
  const redis = new OwnRedis(await freePort(), { appendonly: true });
  await redis.start();
  const env: Record<string, string> = {
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: 'pipeline',
    ADMIN_TOKEN,
    SECRETS_KEY,
    SUPPLIER_CXML_DOMAIN: SUPPLIER.domain,
    SUPPLIER_CXML_IDENTITY: SUPPLIER.identity,
    AUTH_FAILURES_PER_ADDRESS: '1000000',
    AUTH_FAILURES_PER_CREDENTIAL: '1000000',
    LOG_LEVEL: 'warn',
    PIPELINE_QUERY_COUNTS: queries,
  };
  const nodeOptions = `--require ${path.join(__dirname, 'pipeline/count-queries.cjs')}`;
  // NODE_OPTIONS does not take --cpu-prof: it goes on node's command line.
  // NODE_OPTIONS does not take --cpu-prof: it goes on node's command line, a directory per process
  // (each thread writes a profile: tsx's module hooks have one of their own).
  const nodeArgs = (name: string) =>
    cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${path.join(cpuProf, name)}`] : [];
  const serverProcs = await Promise.all(
    Array.from({ length: servers }, async (_, i) => {
      const port = await freePort();
      return new Proc(
        logDir,
        `server${i + 1}`,
        ['serve'],
        {
          ...env,
          PORT: String(port),
          WORKERS: '0',
          PIPELINE_PROC_NAME: `server${i + 1}`,
          NODE_OPTIONS: nodeOptions,
        },
        port,
        nodeArgs(`server${i + 1}`),
      );
    }),
  );
  const workerProcs = Array.from(
    { length: workers },
    (_, i) =>
      new Proc(
        logDir,
        `worker${i + 1}`,
        ['worker'],
        { ...env, PIPELINE_PROC_NAME: `worker${i + 1}`, NODE_OPTIONS: nodeOptions },
        undefined,
        nodeArgs(`worker${i + 1}`),
      ),
  );
  const results: Partial<Record<Phase, PhaseResult>> = {};
  const rows: Partial<Record<Phase, string[]>> = {};
  const stmts: Partial<Record<Phase, string[]>> = {};
  try {
    serverProcs.forEach((p) => p.start());
    await Promise.all(serverProcs.map((s) => s.ready()));
    workerProcs.forEach((p) => p.start());
    // A worker is ready once BullMQ's worker is connected; give it the time a start takes.
    await sleep(3000);
    const ports = serverProcs.map((s) => s.port!);
    const phase = async (name: Phase, secs: number, extra: Partial<PhaseConfig> = {}) => {
      const r = await runLoad({
        phase: name,
        ports,
        buyerPort: buyer.port,
        seconds: secs,
        concurrency,
        partners,
        adminToken: ADMIN_TOKEN,
        run: `${name}-${randomBytes(3).toString('hex')}`,
        out: path.join(logDir, `${name}-${Date.now()}.json`),
        ...extra,
      });
      if (r.errors) console.log(`  ${name}: ${r.errors} errors, e.g. ${r.errorSamples.join(' | ')}`);
      return r;
    };
    const measured = async (name: Phase, extra: Partial<PhaseConfig> = {}) => {
      const t0 = await tableCounts(db);
      const q0 = queryCounts(queries);
      if (process.env.PIPELINE_DEBUG)
        console.log(
          'before',
          Object.entries(q0).map(([k, m]) => `${k} ${[...m.values()].reduce((a, b) => a + b, 0)}`),
        );
      const r = await phase(name, seconds, extra);
      await quiet(db, name !== 'intake');
      await sleep(statsWait); // idle backends report their counts within 10 s
      rows[name] = perOp(t0, await tableCounts(db), r.ops);
      stmts[name] = queriesPerOp(q0, queryCounts(queries), r.ops, 14);
      results[name] = r;
      console.log(
        `  ${name.padEnd(8)} ${fmtRate(r.ops / r.seconds, r.p50, r.p99)}  (${r.ops} in ${r.seconds.toFixed(1)} s, load average ${load1()})`,
      );
      return r;
    };

    // GET /health and punchout setups first (the setups' own warm-up before), so that their rows
    // are reported before the measured phases read pg_stat_user_tables.
    results.health = await phase('health', Math.min(8, seconds));
    console.log(
      `  health   ${fmtRate(results.health.ops / results.health.seconds, results.health.p50, results.health.p99)}`,
    );
    await phase('punchout', 2);
    results.punchout = await phase('punchout', Math.min(8, seconds));
    console.log(
      `  punchout ${fmtRate(results.punchout.ops / results.punchout.seconds, results.punchout.p50, results.punchout.p99)}`,
    );
    // Warm-up of the pipeline: every path compiled, pools filled.
    await phase('e2e', Math.min(5, seconds));
    await quiet(db, true);
    await sleep(statsWait);

    await measured('e2e');
    // The invoices' orders: the confirmed ones but the newest (pgbench's sample of (b)), topped up
    // with copies of it (same rows, new ids and numbers, spread over the partners as the orders
    // were) so that the phase does not run out.
    const invoiceable = (
      await db('orders').where('state', 'confirmed').orderBy('created_at', 'desc').select<
        {
          id: string;
        }[]
      >('id')
    ).map((o) => o.id);
    const keep = invoiceable.shift();
    const want = 150 * seconds;
    if (keep && invoiceable.length < want) {
      const n = want - invoiceable.length;
      const oc = await insertableColumns(db, 'orders');
      const lc = await insertableColumns(db, 'order_lines');
      const r = (cols: string) => cols.replace(/"([^"]+)"/g, 'r."$1"');
      const ids = Array.from({ length: partners }, (_, i) => benchPartner(i).id);
      await db.raw(
        `insert into orders (${oc}) select ${r(oc)} from orders o, generate_series(1, ?) g,
           json_populate_record(null::orders, (row_to_json(o)::jsonb || jsonb_build_object('id', md5('copy-' || g)::uuid,
             'buyer_order_number', 'PL-copy-' || g, 'supplier_order_number', 'SO-COPY-' || g,
             'partner_id', (?::text[])[1 + g % ?]))::json) r
         where o.id = ?`,
        [n, ids, partners, keep],
      );
      await db.raw(
        `insert into order_lines (${lc}) select ${r(lc)} from order_lines l, generate_series(1, ?) g,
           json_populate_record(null::order_lines, (row_to_json(l)::jsonb || jsonb_build_object('order_id', md5('copy-' || g)::uuid))::json) r
         where l.order_id = ?`,
        [n, keep],
      );
      const copies = await db('orders').where('buyer_order_number', 'like', 'PL-copy-%').select<
        {
          id: string;
        }[]
      >('id');
      invoiceable.push(...copies.map((o) => o.id));
    }
    const ordersFile = path.join(logDir, 'orders.txt');
    writeFileSync(ordersFile, invoiceable.join('\n'));
    await measured('invoice', { ordersFile });
    for (const w of workerProcs) await w.stop();
    await measured('intake');
  } finally {
    for (const p of [...serverProcs, ...workerProcs]) await p.stop();
    buyer.child.kill('SIGTERM');
    await redis.destroy();
  }
  const invoiceRows = rows.invoice;

  // pgbench: the same rows at the same concurrency on a scratch database.
  const scratch = await createTestDatabase();
  const sdb = createDb({ databaseUrl: scratch.url, poolMax: 2 });
  const bench: Partial<Record<Stage, PgbenchResult & { rows: string[] }>> = {};
  try {
    await migrateLatest(sdb);
    await seedPipeline(sdb, 'http://127.0.0.1:9/cxml', partners);
    console.log(
      `pgbench, -c ${concurrency} -j 2 -M prepared -T ${seconds}, scratch database (load average ${load1()})`,
    );
    for (const stage of ['intake', 'e2e', 'invoice'] as const) {
      if (stage === 'invoice') await preparePgbench(db, sdb);
      await sleep(1500);
      const t0 = await tableCounts(sdb);
      const r = await runPgbench(db, scratch.url, stage, { concurrency, seconds, dir: logDir });
      await sleep(1500);
      bench[stage] = { ...r, rows: perOp(t0, await tableCounts(sdb), r.transactions) };
    }
  } finally {
    await sdb.destroy();
    await scratch.drop();
  }
  await db.destroy();
  if (process.env.PIPELINE_KEEP !== '1') await database.drop();
  else console.log(`database kept: ${database.url}`);

  const aims: Record<Stage, string> = {
    intake: '(a) intake only, cXML OrderRequest 10 lines',
    e2e: '(b) end to end: accepted -> approved -> ConfirmationRequest at the buyer',
    invoice: '(c) invoice created -> delivered',
  };
  console.log(
    `\nresults (${servers} server(s), ${workers} worker(s), ${partners} partner(s), concurrency ${concurrency}):`,
  );
  for (const stage of ['intake', 'e2e', 'invoice'] as const) {
    const g = results[stage]!;
    const p = bench[stage]!;
    const rate = g.ops / g.seconds;
    console.log(`${aims[stage]}`);
    console.log(`  gateway  ${fmtRate(rate, g.p50, g.p99)}`);
    console.log(`  pgbench  ${fmtRate(p.tps, p.p50, p.p99)}  (same rows, -c ${concurrency})`);
    console.log(`  ratio ${(rate / p.tps).toFixed(2)}x (aim >= 0.3x)`);
  }
  const h = results.health;
  const s = results.punchout;
  console.log('punchout setup vs GET /health, same server');
  console.log(`  GET /health  ${fmtRate(h.ops / h.seconds, h.p50, h.p99)}`);
  console.log(`  setups       ${fmtRate(s.ops / s.seconds, s.p50, s.p99)}`);
  console.log(`  ratio ${(s.ops / s.seconds / (h.ops / h.seconds)).toFixed(2)}x (aim >= 0.5x)`);
  console.log(`load average at start ${loadStart}, at end ${load1()}`);
  if (process.env.PIPELINE_DETAIL !== '0') {
    for (const stage of ['intake', 'e2e', 'invoice'] as const) {
      console.log(`\nrows written per operation, ${stage}: gateway (pg_stat_user_tables)`);
      for (const l of (stage === 'invoice' ? invoiceRows : rows[stage]) ?? []) console.log(`  ${l}`);
      console.log(`  pgbench script:`);
      for (const l of bench[stage]!.rows) console.log(`  ${l}`);
      console.log(`statements per operation, ${stage}:`);
      for (const l of stmts[stage] ?? []) console.log(`  ${l}`);
    }
  }
  if (process.env.PIPELINE_KEEP !== '1') rmSync(logDir, { recursive: true, force: true });
}
