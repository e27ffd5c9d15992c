import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { migrationSource } from '../../migrations';

export type Db = Knex;
export type Trx = Knex.Transaction;
/** A query runner: the database or a transaction in progress. */
export type Q = Knex | Knex.Transaction;

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
  const ClientPgLite = require('knex-pglite');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PGlite, types } = require('@electric-sql/pglite');
  const dir = opts.memory ? undefined : path.resolve(opts.dataDir ?? './data', 'pglite');
  if (dir) mkdirSync(dir, { recursive: true });
  const parsers = { [types.INT8]: (v: string) => Number(v), [types.DATE]: (v: string) => v };
  // One instance: knex may call the connection function more than once, and two PGlite instances on
  // one data directory corrupt it.
  const pglite = new PGlite(dir, { parsers });
  return knexFactory({
    client: ClientPgLite,
    connection: () => ({ pglite }),
  } as unknown as Knex.Config);
}

export function isEmbedded(db: Db): boolean {
  return (db.client.config as { client?: unknown }).client !== 'pg';
}

export async function migrateLatest(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}

export async function migrateRollbackAll(db: Db): Promise<void> {
  await db.migrate.rollback({ migrationSource }, true);
}
