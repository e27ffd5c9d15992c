/**
 * Catalog import of 100,000 CSV rows (parse, validate, upsert in one transaction) next to a raw
 * Postgres insert of the same rows (pg, multi-row INSERT in batches of 1,000, one transaction).
 */
import knexFactory from 'knex';
import pg from 'pg';
import { csvObjects } from '../src/catalog/csv';
import { importCatalog } from '../src/catalog/service';
import { createDb, migrateLatest } from '../src/platform/db';

const ROWS = 100_000;
const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://root@127.0.0.1:5432/test';

function generateCsv(n: number): string {
  const lines = [
    'sku,name,description,unit_price,currency,uom,unspsc,category,manufacturer,manufacturer_part_id,lead_time_days,min_order_qty,image_url',
  ];
  for (let i = 0; i < n; i++) {
    lines.push(
      `SKU-${i},"Item ${i}, standard","Generated item number ${i} for the benchmark",${(i % 1000) + 1}.${String(i % 10000).padStart(4, '0')},USD,EA,4412170${i % 10},Office supplies/Group ${i % 50},Maker ${i % 97},MPN-${i},${i % 30},1,`,
    );
  }
  return lines.join('\n');
}

async function withDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const name = `gw_bench_${Date.now().toString(36)}`;
  const admin = knexFactory({ client: 'pg', connection: PG_ADMIN_URL });
  await admin.raw(`create database ${name}`);
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  try {
    return await fn(url);
  } finally {
    await admin.raw(`drop database if exists ${name} with (force)`);
    await admin.destroy();
  }
}

async function rawInsert(url: string, rows: Record<string, string>[]): Promise<number> {
  const client = new pg.Client(url);
  await client.connect();
  await client.query('truncate catalog_items cascade');
  const cols = [
    'sku',
    'name',
    'description',
    'unit_price',
    'currency',
    'uom',
    'unspsc',
    'category',
    'manufacturer',
    'manufacturer_part_id',
    'lead_time_days',
    'min_order_qty',
  ];
  const started = process.hrtime.bigint();
  await client.query('begin');
  for (let i = 0; i < rows.length; i += 1000) {
    const batch = rows.slice(i, i + 1000);
    const params: unknown[] = [];
    const values = batch.map(
      (r) => `(${cols.map((c) => (params.push(r[c] === '' ? null : r[c]), `$${params.length}`)).join(',')})`,
    );
    await client.query(`insert into catalog_items (${cols.join(',')}) values ${values.join(',')}`, params);
  }
  await client.query('commit');
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  await client.end();
  return secs;
}

export default async function run(): Promise<void> {
  const csv = generateCsv(ROWS);
  await withDatabase(async (url) => {
    const db = createDb({ databaseUrl: url });
    await migrateLatest(db);
    const results: { gateway: number[]; raw: number[] } = { gateway: [], raw: [] };
    for (let round = 0; round < 2; round++) {
      await db('catalog_items').truncate();
      const t0 = process.hrtime.bigint();
      const { rows } = csvObjects(csv);
      await importCatalog(db, rows);
      results.gateway.push(Number(process.hrtime.bigint() - t0) / 1e9);
      results.raw.push(
        await rawInsert(
          url,
          rows.map((r) => r.values),
        ),
      );
    }
    await db.destroy();
    const rate = (s: number) => Math.round(ROWS / s);
    const best = (xs: number[]) => Math.min(...xs);
    console.log(
      `catalog import (CSV parse + validate + upsert), ${ROWS} rows: ${rate(best(results.gateway))} rows/s (runs: ${results.gateway.map((s) => rate(s)).join(', ')})`,
    );
    console.log(
      `baseline raw Postgres INSERT of the same rows:         ${rate(best(results.raw))} rows/s (runs: ${results.raw.map((s) => rate(s)).join(', ')})`,
    );
    console.log(`ratio import/raw: ${(best(results.raw) / best(results.gateway)).toFixed(2)} (aim >= 0.5)`);
  });
}
