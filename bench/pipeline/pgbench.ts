/**
 * The pgbench baselines of `npm run bench pipeline`: for each stage a pgbench script that writes
 * the rows the gateway wrote for one operation of that stage, taken from the gateway's database
 * after the run (one sample order or invoice: every row, every column, the same values and sizes,
 * with ids and unique numbers made new per transaction), plus the updates the gateway made to them
 * (the rows per operation pg_stat_user_tables counted; the bench prints both). The statements are
 * grouped in the transactions the gateway commits (intake; the relay's hand-over; approval and
 * confirmation; the delivery), run with `pgbench -M prepared` at the gateway's concurrency on a
 * scratch database of the same schema.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../src/platform/db';

export type Stage = 'intake' | 'e2e' | 'invoice';

export interface PgbenchResult {
  tps: number;
  transactions: number;
  p50: number;
  p99: number;
  script: string;
}

type Row = Record<string, unknown>;
interface SampleRow {
  table: string;
  row: Row;
  /** A name raw statements use for this row's id ({id:NAME}) */
  name?: string;
}

const q1 = async <T>(db: Db, sql: string, bindings: readonly unknown[] = []): Promise<T[]> =>
  (await db.raw<{ rows: T[] }>(sql, bindings as never[])).rows;

const rowsOf = async (db: Db, table: string, where: string, bindings: readonly unknown[]) =>
  (await q1<{ r: Row }>(db, `select row_to_json(t) as r from ${table} t where ${where}`, bindings)).map(
    (x) => x.r,
  );

/** The sample rows of one operation of `stage`, in an order their foreign keys allow. */
async function sample(gw: Db, stage: Stage): Promise<SampleRow[]> {
  if (stage === 'invoice') {
    const [inv] = await rowsOf(gw, 'invoices', `true order by created_at desc limit 1`, []);
    if (!inv) throw new Error('no invoice to take as the sample');
    const docs = await rowsOf(gw, 'documents', 'invoice_id = ?', [inv.id]);
    const deliveries = await rowsOf(gw, 'deliveries', 'document_id = any(?)', [docs.map((d) => d.id)]);
    const ids = deliveries.map((d) => d.id as string);
    const events = await rowsOf(gw, 'order_events', `order_id = ? and event = 'invoice'`, [inv.order_id]);
    return [
      { table: 'invoices', row: inv, name: 'invoice' },
      ...(await rowsOf(gw, 'invoice_lines', 'invoice_id = ?', [inv.id])).map((row) => ({
        table: 'invoice_lines',
        row,
      })),
      ...events.map((row) => ({ table: 'order_events', row })),
      ...docs.map((row) => ({ table: 'documents', row, name: 'out' })),
      ...(await rowsOf(gw, 'outbox', `payload->>'deliveryId' = any(?)`, [ids])).map((row) => ({
        table: 'outbox',
        row,
        name: 'send',
      })),
      ...deliveries.map((row) => ({ table: 'deliveries', row, name: 'delivery' })),
      ...(await rowsOf(gw, 'delivery_attempts', 'delivery_id = any(?)', [ids])).map((row) => ({
        table: 'delivery_attempts',
        row,
      })),
    ];
  }
  const [order] = await rowsOf(
    gw,
    'orders',
    `buyer_order_number like ? and state = ? order by created_at desc limit 1`,
    [stage === 'intake' ? 'PL-intake-%' : 'PL-e2e-%', stage === 'intake' ? 'received' : 'confirmed'],
  );
  if (!order) throw new Error(`no ${stage} order to take as the sample`);
  const docs = await rowsOf(gw, 'documents', 'order_id = ? order by direction', [order.id]);
  const inDoc = docs.filter((d) => d.direction === 'in');
  const outDocs = docs.filter((d) => d.direction === 'out');
  const deliveries = await rowsOf(gw, 'deliveries', 'document_id = any(?)', [outDocs.map((d) => d.id)]);
  const ids = deliveries.map((d) => d.id as string);
  const outbox = await rowsOf(
    gw,
    'outbox',
    `payload->>'orderId' = ? or payload->>'deliveryId' = any(?) order by id`,
    [order.id, ids],
  );
  const rows: SampleRow[] = [
    ...inDoc.map((row) => ({ table: 'documents', row, name: 'in' })),
    { table: 'orders', row: order, name: 'order' },
    ...(await rowsOf(gw, 'order_versions', 'order_id = ?', [order.id])).map((row) => ({
      table: 'order_versions',
      row,
    })),
    ...(await rowsOf(gw, 'order_lines', 'order_id = ?', [order.id])).map((row) => ({
      table: 'order_lines',
      row,
    })),
  ];
  const events = await rowsOf(gw, 'order_events', 'order_id = ? order by id', [order.id]);
  if (stage === 'intake') {
    return [
      ...rows,
      ...events.map((row) => ({ table: 'order_events', row })),
      ...outbox.map((row) => ({ table: 'outbox', row, name: 'evaluate' })),
    ];
  }
  return [
    ...rows,
    ...events.slice(0, 1).map((row) => ({ table: 'order_events', row })),
    ...outbox
      .filter((o) => o.job_name !== 'delivery.send')
      .map((row) => ({ table: 'outbox', row, name: 'evaluate' })),
    ...events.slice(1).map((row) => ({ table: 'order_events', row })),
    ...outDocs.map((row) => ({ table: 'documents', row, name: 'out' })),
    ...outbox
      .filter((o) => o.job_name === 'delivery.send')
      .map((row) => ({ table: 'outbox', row, name: 'send' })),
    ...deliveries.map((row) => ({ table: 'deliveries', row, name: 'delivery' })),
    ...(await rowsOf(gw, 'delivery_attempts', 'delivery_id = any(?)', [ids])).map((row) => ({
      table: 'delivery_attempts',
      row,
    })),
  ];
}

/**
 * A string literal pgbench leaves alone: it reads `:name` as a variable even inside quotes, so
 * colons are written as the escape \x3a of an E'' literal.
 */
/** The columns of `table` a copy of a row names (not generated ones, not serial ids), quoted, comma-separated. */
export async function insertableColumns(db: Db, table: string): Promise<string> {
  const cols = await q1<{ c: string }>(
    db,
    `select column_name as c from information_schema.columns
     where table_schema = 'public' and table_name = ? and is_generated = 'NEVER'
       and coalesce(column_default, '') not like 'nextval%' order by ordinal_position`,
    [table],
  );
  return cols.map((c) => `"${c.c}"`).join(', ');
}

const quote = (s: string) => `E'${s.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/:/g, '\\x3a')}'`;

/** Builds the script: inserts from the sample, the stage's updates, in the gateway's transactions. */
async function script(gw: Db, stage: Stage): Promise<string> {
  const rows = await sample(gw, stage);
  const types = new Map<string, string>();
  const generated = new Set<string>();
  for (const c of await q1<{ t: string; c: string; u: string; g: string }>(
    gw,
    `select table_name as t, column_name as c, udt_name as u, is_generated as g
     from information_schema.columns where table_schema = 'public'`,
  )) {
    types.set(`${c.t}.${c.c}`, c.u);
    if (c.g === 'ALWAYS') generated.add(`${c.t}.${c.c}`);
  }
  // Every uuid id, and every unique number, new in each transaction.
  const subst = new Map<string, string>();
  let k = 0;
  const fresh = (v: unknown, expr?: string) => {
    if (typeof v === 'string' && v.length > 0 && !subst.has(v))
      subst.set(v, expr ?? `(${quote(`u${k++}-`)} || :client_id::text || '-' || :n::text)`);
  };
  for (const s of rows) {
    if (typeof s.row.id === 'string')
      fresh(s.row.id, `md5(${quote(`k${k++}-`)} || :client_id::text || '-' || :n::text)::uuid`);
    if (s.table === 'orders') {
      fresh(s.row.buyer_order_number);
      fresh(s.row.supplier_order_number);
    }
    if (s.table === 'documents') fresh(s.row.external_id);
    if (s.table === 'invoices') fresh(s.row.invoice_number);
  }
  // The invoices' order: one of the scratch database's prepared orders, picked per transaction.
  if (stage === 'invoice') subst.set(String(rows[0]!.row.order_id), `md5('order-' || :k::text)::uuid`);
  const idOf = (name: string, i = 0) => {
    const r = rows.filter((s) => s.name === name)[i];
    if (!r) throw new Error(`no sample row ${name}`);
    return subst.get(String(r.row.id)) ?? quote(String(r.row.id));
  };
  const value = (table: string, col: string, v: unknown): string => {
    const type = types.get(`${table}.${col}`) ?? 'text';
    if (v === null || v === undefined) return 'NULL';
    const text =
      typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
        ? String(v)
        : JSON.stringify(v);
    if (typeof v === 'string' && subst.has(v) && type === 'uuid') return subst.get(v)!;
    if (type === 'bytea') return `${quote(text)}::bytea`;
    // Unique strings inside a value (an order number in the canonical JSON) are replaced too.
    let segments: { text?: string; expr?: string }[] = [{ text }];
    for (const [from, to] of subst) {
      if (from.length < 6 || !text.includes(from)) continue;
      segments = segments.flatMap((seg) =>
        seg.text === undefined
          ? [seg]
          : seg.text.split(from).flatMap((t, i) => (i === 0 ? [{ text: t }] : [{ expr: to }, { text: t }])),
      );
    }
    if (segments.length === 1) return `${quote(text)}::${type}`;
    return `(${segments.map((seg) => seg.expr ?? quote(seg.text!)).join(' || ')})::${type}`;
  };
  const serials = new Map<string, string>();
  const columnsOf = (s: SampleRow) =>
    Object.keys(s.row).filter(
      (c) => !(c === 'id' && typeof s.row.id === 'number') && !generated.has(`${s.table}.${c}`),
    );
  const tuple = (s: SampleRow) =>
    `(${columnsOf(s)
      .map((c) => value(s.table, c, s.row[c]))
      .join(', ')})`;
  /** Inserts of these sample rows; consecutive rows of one table go in as one statement, as the gateway's lines do. */
  const inserts = (list: { s: SampleRow; i: number }[]): string[] => {
    const out: string[] = [];
    for (let j = 0; j < list.length;) {
      const { s, i } = list[j]!;
      const cols = columnsOf(s);
      if (typeof s.row.id === 'number' && s.name) {
        serials.set(`${s.name}:${i}`, `:${s.name}_${i}_id`);
        out.push(
          `insert into ${s.table} (${cols.join(', ')}) values ${tuple(s)} returning id \\gset ${s.name}_${i}_`,
        );
        j++;
        continue;
      }
      const group = [s];
      while (
        list[j + group.length]?.s.table === s.table &&
        typeof list[j + group.length]!.s.row.id !== 'number'
      )
        group.push(list[j + group.length]!.s);
      out.push(`insert into ${s.table} (${cols.join(', ')}) values ${group.map(tuple).join(', ')};`);
      j += group.length;
    }
    return out;
  };
  const ins = (pred: (s: SampleRow) => boolean) =>
    inserts(rows.map((s, i) => ({ s, i })).filter(({ s }) => pred(s)));
  const serial = (name: string) => {
    const i = rows.findIndex((s) => s.name === name && typeof s.row.id === 'number');
    return serials.get(`${name}:${i}`)!;
  };
  const outbox = (name: string) => [
    `update outbox set dispatched_at = now() where id = ${serial(name)};`,
    `update outbox set completed_at = now(), attempts = 1 where id = ${serial(name)};`,
  ];
  const delivery = () => [
    'BEGIN;',
    `insert into delivery_slots (id, partner_id, delivery_id, expires_at) values (md5('slot-' || :client_id::text || '-' || :n::text)::uuid, 'acme', ${idOf('delivery')}, now() + interval '30 seconds');`,
    `update deliveries set deferrals = 0 where id = ${idOf('delivery')};`,
    ...ins((s) => s.table === 'delivery_attempts'),
    `update deliveries set attempts = 1, last_error = NULL where id = ${idOf('delivery')};`,
    `update deliveries set status = 'delivered', response_status = 200, delivered_at = now() where id = ${idOf('delivery')};`,
    `update documents set status = 'delivered' where id = ${idOf('out')};`,
    `delete from delivery_slots where id = md5('slot-' || :client_id::text || '-' || :n::text)::uuid;`,
    'COMMIT;',
  ];
  const lines: string[] = ['\\set n random(1, 1000000000000)'];
  if (stage === 'intake') {
    lines.push(
      'BEGIN;',
      ...ins(() => true),
      'COMMIT;',
      `update outbox set dispatched_at = now() where id = ${serial('evaluate')};`,
    );
  } else if (stage === 'e2e') {
    // The attempts row comes from the delivery below, as the gateway writes it.
    const intake = (s: SampleRow) =>
      ['documents', 'orders', 'order_versions', 'order_lines'].includes(s.table) && s.name !== 'out';
    const firstEvent = rows.findIndex((s) => s.table === 'order_events');
    lines.push(
      'BEGIN;',
      ...inserts(
        rows
          .map((s, i) => ({ s, i }))
          .filter(({ s, i }) => intake(s) || i === firstEvent || s.name === 'evaluate'),
      ),
      'COMMIT;',
      ...outbox('evaluate').slice(0, 1),
      'BEGIN;',
      `update orders set state = 'approved', updated_at = now() where id = ${idOf('order')};`,
      ...inserts(
        rows
          .map((s, i) => ({ s, i }))
          .filter(
            ({ s, i }) =>
              (s.table === 'order_events' && i !== firstEvent) ||
              s.name === 'out' ||
              s.table === 'deliveries' ||
              (s.table === 'outbox' && s.name === 'send'),
          ),
      ),
      `update orders set state = 'confirmed', updated_at = now() where id = ${idOf('order')};`,
      outbox('evaluate')[1]!,
      'COMMIT;',
      outbox('send')[0]!,
      ...delivery(),
      outbox('send')[1]!,
    );
  } else {
    const lineCount = rows.filter((s) => s.table === 'invoice_lines').length;
    lines.push(
      `\\set k random(1, ${INVOICE_ORDERS})`,
      'BEGIN;',
      `update number_sequences set next_value = next_value + 1 where name = ${quote(SEQUENCE)};`,
      ...ins((s) =>
        ['invoices', 'invoice_lines', 'order_events', 'documents', 'outbox', 'deliveries'].includes(s.table),
      ),
      // The invoiced quantities of the order's lines, in one statement (the rows the gateway updates).
      `update order_lines set invoiced_quantity = invoiced_quantity + 1 where order_id = md5('order-' || :k::text)::uuid and line_number between 1 and ${lineCount};`,
      `update orders set state = 'invoiced', updated_at = now() where id = md5('order-' || :k::text)::uuid;`,
      'COMMIT;',
      outbox('send')[0]!,
      ...delivery(),
      `update invoices set state = 'delivered' where id = ${idOf('invoice')};`,
      outbox('send')[1]!,
    );
  }
  return `${lines.join('\n')}\n`;
}

const INVOICE_ORDERS = 20000;
const SEQUENCE = 'pipeline-bench-invoices';

/** The scratch database's invoiceable orders (for the invoice script) and its number sequence. */
export async function preparePgbench(gw: Db, scratch: Db): Promise<void> {
  const [order] = await rowsOf(gw, 'orders', `state in ('confirmed', 'invoiced') limit 1`, []);
  const lines = await rowsOf(gw, 'order_lines', 'order_id = ?', [order!.id]);
  const oc = await insertableColumns(scratch, 'orders');
  const lc = await insertableColumns(scratch, 'order_lines');
  await scratch.raw(
    `insert into orders (${oc}) select ${oc.replace(/"([^"]+)"/g, 'r."$1"')} from generate_series(1, ?) g,
       json_populate_record(null::orders, (?::jsonb || jsonb_build_object('id', md5('order-' || g)::uuid,
         'buyer_order_number', 'INV-' || g, 'supplier_order_number', 'SO-INV-' || g, 'state', 'confirmed'))::json) r`,
    [INVOICE_ORDERS, JSON.stringify(order)],
  );
  await scratch.raw(
    `insert into order_lines (${lc}) select ${lc.replace(/"([^"]+)"/g, 'r."$1"')} from generate_series(1, ?) g, json_array_elements(?::json) l,
       json_populate_record(null::order_lines, (l::jsonb || jsonb_build_object('order_id', md5('order-' || g)::uuid))::json) r`,
    [INVOICE_ORDERS, JSON.stringify(lines)],
  );
  await scratch.raw(
    `insert into number_sequences (name, prefix, pad) values (?, 'INV-', 6) on conflict do nothing`,
    [SEQUENCE],
  );
  await scratch.raw('analyze');
}

export async function runPgbench(
  gw: Db,
  url: string,
  stage: Stage,
  o: { concurrency: number; seconds: number; dir: string },
): Promise<PgbenchResult> {
  const text = await script(gw, stage);
  const file = path.join(o.dir, `pgbench-${stage}.sql`);
  writeFileSync(file, text);
  const prefix = `pgbench-${stage}-log`;
  const u = new URL(url);
  const args = [
    '-n',
    '-M',
    'prepared',
    '-c',
    String(o.concurrency),
    '-j',
    '2',
    '-T',
    String(o.seconds),
    '-f',
    file,
    '--log',
    `--log-prefix=${path.join(o.dir, prefix)}`,
    '-h',
    u.hostname,
    '-p',
    u.port || '5432',
    '-U',
    decodeURIComponent(u.username),
    u.pathname.slice(1),
  ];
  const out = await new Promise<string>((resolve, reject) => {
    const c = spawn('pgbench', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let t = '';
    c.stdout.on('data', (d: Buffer) => (t += d.toString()));
    c.stderr.on('data', (d: Buffer) => (t += d.toString()));
    c.once('exit', (code) =>
      code === 0 ? resolve(t) : reject(new Error(`pgbench ${stage} (${file}): ${t.slice(-2000)}`)),
    );
  });
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1]);
  const failed = Number(/number of failed transactions: (\d+)/.exec(out)?.[1] ?? 0);
  if (failed > 0 || !Number.isFinite(tps)) throw new Error(`pgbench ${stage}: ${out.slice(-2000)}`);
  const lat: number[] = [];
  for (const f of readdirSync(o.dir).filter((f) => f.startsWith(prefix))) {
    for (const line of readFileSync(path.join(o.dir, f), 'utf8').split('\n')) {
      const cols = line.split(' ');
      if (cols.length >= 3) lat.push(Number(cols[2]) / 1000);
    }
    rmSync(path.join(o.dir, f));
  }
  lat.sort((a, b) => a - b);
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] ?? NaN;
  return { tps, transactions: lat.length, p50: pct(50), p99: pct(99), script: file };
}
