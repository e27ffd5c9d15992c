import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { migrationSource } from '../../migrations';
import { lockDataDir, restrictDataDir } from './data-dir';

export type Db = Knex;
export type Trx = Knex.Transaction;
/** A query runner: the database or a transaction in progress. */
export type Q = Knex | Knex.Transaction;
/** What `q.raw<RawRows<Row>>(...)` answers on both drivers (pg and PGlite): the statement's rows. */
export interface RawRows<Row> {
  rows: Row[];
}

const INT8 = 20;
const DATE = 1082;

// bigint ids stay far below 2^53; dates stay ISO strings, not local-midnight Date objects.
pg.types.setTypeParser(INT8, (v: string) => Number(v));
pg.types.setTypeParser(DATE, (v: string) => v);

export interface DbOptions {
  databaseUrl?: string;
  dataDir?: string;
  /** In-memory PGlite (tests of the embedded mode). */
  memory?: boolean;
  poolMax?: number;
  /** Who opens an embedded data dir: named in its lock for anyone else who tries (data-dir.ts). */
  holder?: { command: string };
}

export function createDb(opts: DbOptions): Db {
  if (opts.databaseUrl) {
    return knexFactory({
      client: 'pg',
      connection: opts.databaseUrl,
      pool: { min: 0, max: opts.poolMax ?? 10 },
    });
  }
  // Embedded default: real Postgres compiled to WASM, one connection, data in DATA_DIR.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ClientPgLite = require('knex-pglite') as unknown;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PGlite, types } = require('@electric-sql/pglite') as typeof import('@electric-sql/pglite');
  let release = () => {};
  const root = path.resolve(opts.dataDir ?? './data');
  const dir = opts.memory ? undefined : path.join(root, 'pglite');
  if (dir) {
    // Owner-only from here on: files PGlite creates are 0600, directories 0700.
    process.umask(0o077);
    mkdirSync(root, { recursive: true, mode: 0o700 });
    release = lockDataDir(root, opts.holder ?? { command: 'gateway' });
    try {
      restrictDataDir(root);
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      release();
      throw err;
    }
  }
  // bytea reads back as a Buffer, as with pg (PGlite's own parser gives a Uint8Array, which Express
  // and string conversions turn into "60,63,120,..."), and both ways go through Buffer's hex codec
  // rather than PGlite's per-byte one.
  const parsers = {
    [types.INT8]: (v: string) => Number(v),
    [types.DATE]: (v: string) => v,
    [types.BYTEA]: byteaFromText,
  };
  const serializers = { [types.BYTEA]: byteaToText };
  // One instance: knex may call the connection function more than once, and two PGlite instances on
  // one data directory corrupt it.
  let db: Knex;
  let pglite: { waitReady: Promise<void> };
  try {
    pglite = new PGlite(dir, { parsers, serializers });
    db = knexFactory({
      client: ClientPgLite,
      connection: () => ({ pglite }),
    } as unknown as Knex.Config);
  } catch (err) {
    release();
    throw err;
  }
  // PGlite writes its files 0666 (inside directories the umask makes 0700, so out of anyone else's
  // reach): they are made 0600 once it has opened the data dir and again when it closes.
  const restrict = () => {
    if (!dir) return;
    try {
      restrictDataDir(root);
    } catch {
      /* a file removed meanwhile */
    }
  };
  void pglite.waitReady.then(restrict, () => {});
  // The lock goes with the database: released once it is closed.
  const destroy = db.destroy.bind(db);
  Object.defineProperty(db, 'destroy', {
    configurable: true,
    value: async () => {
      try {
        await destroy();
        restrict();
      } finally {
        release();
      }
    },
  });
  return db;
}

/** A bytea value as Postgres writes it in text form (hex: `\\x3c3f...`) to a Buffer. */
export function byteaFromText(v: string): Buffer {
  if (v.startsWith('\\x')) return Buffer.from(v.slice(2), 'hex');
  // The older escape format (bytea_output = escape): octal escapes and doubled backslashes.
  const out: number[] = [];
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 0x5c && v[i + 1] === '\\') {
      out.push(0x5c);
      i++;
    } else if (c === 0x5c) {
      out.push(parseInt(v.slice(i + 1, i + 4), 8));
      i += 3;
    } else out.push(c);
  }
  return Buffer.from(out);
}

/** A bytea parameter in Postgres' hex text form; a string is taken to be that form already (as pg does). */
export function byteaToText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array)
    return `\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`;
  throw new Error('a bytea value must be a Buffer, a Uint8Array or a string');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `s` is a UUID, so it can be compared with a uuid column without a Postgres error. */
export function isUuid(s: string): boolean {
  return UUID.test(s);
}

const UUID_HEX = /^([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/i;

/**
 * The UUID `s` names, lower case, written with dashes or as its 32 hex digits (how a punchout cart
 * line's id travels in OCI's NEW_ITEM-EXT_QUOTE_ID, 35 characters long); undefined for anything else.
 */
export function uuidOf(s: string | null | undefined): string | undefined {
  if (!s) return undefined;
  if (UUID.test(s)) return s.toLowerCase();
  const m = UUID_HEX.exec(s);
  return m ? m.slice(1).join('-').toLowerCase() : undefined;
}

/** A value a native statement binds: what pg and PGlite both send as a parameter as it is. */
export type SqlValue = string | number | boolean | null | Buffer | Date;

/** A row for insertStatement; an undefined column gets its default. */
export type SqlRow = Readonly<Record<string, SqlValue | undefined>>;

interface NativeConnection {
  query(text: string, values: readonly unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * Runs one statement written for Postgres ($1, $2 ... placeholders) on the database, or on the
 * connection of a transaction in progress, past knex's query compiler (which costs more than the
 * statement's own work in Postgres for a large insert). For the few statements on hot paths whose
 * SQL is built with insertStatement or written out; everything else goes through knex. Works on
 * both drivers: a pg client and the PGlite instance answer `query(text, values)` with `{ rows }`.
 * With a `name`, Postgres keeps the statement parsed and planned per connection (prepared), which
 * halves its cost for the statements of every order; the name must always go with the same text,
 * and there should be few of them. PGlite runs it unprepared.
 */
export async function nativeQuery<R>(
  q: Q,
  text: string,
  values: readonly unknown[],
  name?: string,
): Promise<R[]> {
  const client = q.client as unknown as {
    acquireConnection(): Promise<NativeConnection>;
    releaseConnection(c: NativeConnection): Promise<void>;
  };
  const connection = await client.acquireConnection();
  try {
    if (name && connection instanceof pg.Client)
      return (await connection.query({ name, text, values: values as unknown[] })).rows as R[];
    return (await connection.query(text, values)).rows as R[];
  } finally {
    await client.releaseConnection(connection);
  }
}

const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * An insert of `rows` (the columns of the first row) whose text depends on the columns only, not on
 * how many rows there are, so that it can be a prepared statement: one row binds each value
 * (`insert into "t" ("a", "b") values ($1, $2)`, an undefined value takes the column's default);
 * several rows go in as one JSON parameter read by `json_populate_recordset` (each value must then
 * be a string, number, boolean or null, and an undefined one is NULL). Values are appended to
 * `values`, so several statements can share one list.
 */
export function insertStatement(table: string, rows: readonly SqlRow[], values: unknown[]): string {
  const first = rows[0];
  if (!first) throw new Error(`insertStatement: no rows for ${table}`);
  const columns = Object.keys(first).map(ident).join(', ');
  if (rows.length > 1) {
    for (const row of rows)
      for (const v of Object.values(row))
        if (v !== null && typeof v === 'object')
          throw new Error(`insertStatement: several rows of ${table} can only hold plain values`);
    return `insert into ${ident(table)} (${columns}) select ${columns} from json_populate_recordset(null::${ident(table)}, $${values.push(JSON.stringify(rows))}::json)`;
  }
  let tuple = '';
  for (const v of Object.values(first)) {
    if (tuple) tuple += ', ';
    tuple += v === undefined ? 'default' : `$${values.push(v)}`;
  }
  return `insert into ${ident(table)} (${columns}) values (${tuple})`;
}

export function isEmbedded(db: Db): boolean {
  return (db.client as { config: { client?: unknown } }).config.client !== 'pg';
}

export async function migrateLatest(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}

export async function migrateRollbackAll(db: Db): Promise<void> {
  await db.migrate.rollback({ migrationSource }, true);
}

/**
 * The row of a query that always answers exactly one (an aggregate such as `count` without
 * `group by`, an `insert … returning` of one row).
 */
export function onlyRow<T>(rows: readonly T[]): T {
  const row = rows[0];
  if (row === undefined) throw new Error('the query returned no row');
  return row;
}
