/**
 * The console's documents search (src/documents/search.ts) over 1,000,000 stored documents: for each
 * filter, p50/p95 of the use case (the page of 50 and the capped count, through Knex) next to the same
 * two queries written as plain SQL and run on the pg driver in the same run (aim: within 1.5x), and
 * EXPLAIN of the use case's own two statements and the plain ones, which must not scan documents
 * sequentially.
 * Fresh Postgres database (migrated), rows made by generate_series: 20 partners, 100,000 orders,
 * 1,000,000 documents over 35 days. BENCH_DOCUMENTS changes the count, BENCH_RUNS the samples.
 */
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import pg from 'pg';
import { createDb, migrateLatest, type Db } from '../src/platform/db';
import {
  COUNT_CAP,
  documentSearchStatements,
  searchConsoleDocuments,
  type DocumentSearch,
} from '../src/documents/search';
import { createTestDatabase } from '../test/helpers/env';

const DOCUMENTS = Number(process.env.BENCH_DOCUMENTS ?? 1_000_000);
const ORDERS = Math.max(1, Math.floor(DOCUMENTS / 10));
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const PAGE = { limit: 50, offset: 0 };

async function seed(db: Db): Promise<void> {
  await db.raw(
    `insert into partners (id, name, currency) select 'p' || i, 'Partner ' || i, 'USD' from generate_series(0, 19) i`,
  );
  await db.raw(
    `insert into orders (id, partner_id, buyer_order_number, supplier_order_number, version, state, type, source_protocol, currency, total, canonical, created_at)
     select md5('o' || i)::uuid, 'p' || (i % 20), 'PO-' || lpad(i::text, 8, '0'), 'SO-' || lpad(i::text, 8, '0'), 1,
            'confirmed', 'new', 'cxml', 'USD', '10.00', '{}'::jsonb, now() - i * interval '30 seconds'
     from generate_series(1, ?) i`,
    [ORDERS],
  );
  // Every 10th document belongs to an order; types and statuses as the gateway stores them; two
  // documents to a request, every 4th stored by a job.
  await db.raw(
    `insert into documents (id, partner_id, protocol, doc_type, direction, external_id, sha256, status,
                            content_type, content, size, order_id, request_id, created_at)
     select md5('d' || i)::uuid, 'p' || (i % 20),
            (array['cxml','x12','json','oci','as2'])[1 + i % 5],
            case when i % 1000 = 7 then 'TA1'
                 else (array['OrderRequest','850','order','OCICart','MDN','ConfirmationRequest','855','InvoiceDetailRequest'])[1 + i % 8] end,
            case when i % 8 < 5 then 'in' else 'out' end,
            'ext-' || i, md5(i::text),
            case when i % 1000 = 3 then 'rejected'
                 else (array['accepted','accepted','delivered','queued','refused','failed','accepted','delivered','accepted','stored'])[1 + i % 10] end,
            'text/xml', convert_to('<cXML payloadID="ext-' || i || '"/>', 'UTF8'), 40,
            case when i % 10 = 0 then md5('o' || (i / 10))::uuid end,
            case when i % 4 = 3 then 'ob-' || i else md5('r' || (i / 2)) end,
            now() - i * interval '3 seconds'
     from generate_series(1, ?) i`,
    [DOCUMENTS],
  );
  await db.raw('analyze documents');
  await db.raw('analyze orders');
}

/** The request id the seed gives document i (i % 4 != 3). */
const requestIdOf = (i: number) =>
  createHash('md5')
    .update(`r${Math.floor(i / 2)}`)
    .digest('hex');

const middleDay = () => new Date(Date.now() - (DOCUMENTS * 3 * 1000) / 2).toISOString().slice(0, 10);

/** Each filter of the search, with a value that matches, and its WHERE clause as plain SQL. */
function filters(): [string, DocumentSearch, string, unknown[]][] {
  const day = middleDay();
  const mid = Math.floor(ORDERS / 2);
  return [
    ['(none)', {}, 'true', []],
    ['partner', { partner: 'p7' }, 'd.partner_id = $1', ['p7']],
    ['protocol', { protocol: 'x12' }, 'd.protocol = $1', ['x12']],
    ['type', { type: '855' }, 'd.doc_type = $1', ['855']],
    ['direction', { direction: 'out' }, 'd.direction = $1', ['out']],
    ['status', { status: 'refused' }, 'd.status = $1', ['refused']],
    // Rare values (0.1 % of the documents): the list's index of creation time alone would read
    // about 1000 entries per match; the filter's own index reads the matches.
    ['type (rare)', { type: 'TA1' }, 'd.doc_type = $1', ['TA1']],
    ['status (rare)', { status: 'rejected' }, 'd.status = $1', ['rejected']],
    [
      'external id',
      { externalId: `ext-${Math.floor(DOCUMENTS / 3)}` },
      'd.external_id = $1',
      [`ext-${Math.floor(DOCUMENTS / 3)}`],
    ],
    [
      'request id',
      { requestId: requestIdOf(Math.floor(DOCUMENTS / 4) * 2) },
      'd.request_id = $1',
      [requestIdOf(Math.floor(DOCUMENTS / 4) * 2)],
    ],
    [
      'buyer PO number',
      { po: `PO-${String(mid).padStart(8, '0')}` },
      'd.order_id in (select id from orders where buyer_order_number = $1)',
      [`PO-${String(mid).padStart(8, '0')}`],
    ],
    [
      'supplier order no.',
      { orderNumber: `SO-${String(mid).padStart(8, '0')}` },
      'd.order_id in (select id from orders where supplier_order_number = $1)',
      [`SO-${String(mid).padStart(8, '0')}`],
    ],
    [
      'date range (1 day)',
      { from: day, to: day },
      'd.created_at >= $1 and d.created_at <= $2',
      [day, `${day}T23:59:59.999Z`],
    ],
    ['oldest first', { sort: 'oldest' }, 'true', []],
  ];
}

const COLUMNS = `d.id, d.partner_id, d.protocol, d.doc_type, d.direction, d.external_id, d.request_id, d.status, d.size,
  d.order_id, d.invoice_id, d.error, d.created_at, o.buyer_order_number, o.supplier_order_number`;

function plainQueries(where: string, sort: 'asc' | 'desc') {
  const order = `order by d.created_at ${sort}, d.id ${sort}`;
  return {
    page: `select ${COLUMNS} from documents d left join orders o on o.id = d.order_id where ${where} ${order} limit ${PAGE.limit} offset ${PAGE.offset}`,
    count: `select count(*) as n from (select 1 from documents d where ${where} ${order} limit ${COUNT_CAP + 1}) c`,
  };
}

/** Samples of `a` and `b` taken in turns (so both see the same load), each sorted. */
async function timedPair(
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
): Promise<[number[], number[]]> {
  for (let i = 0; i < 3; i++) {
    await a();
    await b();
  }
  const out: [number[], number[]] = [[], []];
  const one = async (fn: () => Promise<unknown>) => {
    const t = process.hrtime.bigint();
    await fn();
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  for (let i = 0; i < RUNS; i++) {
    if (i % 2) {
      out[1].push(await one(b));
      out[0].push(await one(a));
    } else {
      out[0].push(await one(a));
      out[1].push(await one(b));
    }
  }
  return [out[0].sort((x, y) => x - y), out[1].sort((x, y) => x - y)];
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

/** The scans of a plan: the indexes read, "bitmap heap scan of documents", "SEQ SCAN documents". */
function scansOf(plan: Record<string, unknown>, out: string[] = []): string[] {
  const type = String(plan['Node Type']);
  if (plan['Relation Name'] || plan['Index Name'])
    out.push(
      type === 'Seq Scan'
        ? `SEQ SCAN ${String(plan['Relation Name'])}`
        : String(
            (plan['Index Name'] as string | undefined) ??
              `${type.toLowerCase()} of ${String(plan['Relation Name'])}`,
          ),
    );
  for (const child of (plan.Plans as Record<string, unknown>[] | undefined) ?? []) scansOf(child, out);
  return out;
}

async function explain(pool: pg.Pool, sql: string, params: readonly unknown[]): Promise<string[]> {
  const r = await pool.query(`explain (format json) ${sql}`, [...params]);
  const plan = (r.rows[0] as { 'QUERY PLAN': { Plan: Record<string, unknown> }[] })['QUERY PLAN'][0]!.Plan;
  return scansOf(plan);
}

export default async function (): Promise<void> {
  const database = await createTestDatabase();
  const db = createDb({ databaseUrl: database.url, poolMax: 4 });
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  try {
    await migrateLatest(db);
    const load = () =>
      loadavg()
        .map((l) => l.toFixed(2))
        .join(' ');
    console.log(`load average at start: ${load()}`);
    const t0 = Date.now();
    await seed(db);
    console.log(
      `seeded ${DOCUMENTS} documents and ${ORDERS} orders in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${RUNS} samples each, page of ${PAGE.limit}, count capped at ${COUNT_CAP}`,
    );
    let seqScans = 0;
    for (const [name, f, where, params] of filters()) {
      const q = plainQueries(where, f.sort === 'oldest' ? 'asc' : 'desc');
      const hits = (await searchConsoleDocuments({ db }, f, PAGE)).rows.length;
      const [useCase, plain] = await timedPair(
        () => searchConsoleDocuments({ db }, f, PAGE),
        () => Promise.all([pool.query(q.page, params), pool.query(q.count, params)]),
      );
      // The use case's own two statements, as the driver gets them, and the plain ones.
      const own = documentSearchStatements(f, PAGE);
      const scans = [
        ...(await explain(pool, own.list.sql, own.list.bindings)),
        ...(await explain(pool, own.count.sql, own.count.bindings)),
        ...(await explain(pool, q.page, params)),
        ...(await explain(pool, q.count, params)),
      ];
      if (scans.some((s) => s.startsWith('SEQ SCAN') && s.includes('documents'))) seqScans++;
      const ratio = pct(useCase, 50) / pct(plain, 50);
      console.log(
        `${name.padEnd(20)} ${String(hits).padStart(3)} rows | use case p50 ${pct(useCase, 50).toFixed(2)} ms p95 ${pct(useCase, 95).toFixed(2)} ms | plain SQL p50 ${pct(plain, 50).toFixed(2)} ms p95 ${pct(plain, 95).toFixed(2)} ms | ${ratio.toFixed(2)}x | ${[...new Set(scans)].join(', ')}`,
      );
    }
    console.log(
      seqScans === 0
        ? 'EXPLAIN: no filter scans documents sequentially'
        : `EXPLAIN: ${seqScans} filters scan documents sequentially`,
    );
    console.log(`load average at end: ${load()}`);
    if (seqScans) process.exitCode = 1;
  } finally {
    await pool.end();
    await db.destroy();
    await database.drop();
  }
}
