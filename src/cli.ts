#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { SingleBar, Presets } from 'cli-progress';
import { csvObjects } from './catalog/csv';
import { importCatalog, importPriceLists } from './catalog/service';
import { createDb, migrateLatest, migrateRollbackAll } from './platform/db';
import { loadConfig, type Config } from './platform/config';
import { ensureSecretsKey } from './platform/crypto';
import { partnerInputSchema } from './partners/schema';
import { upsertPartner } from './partners/service';
import { AppError } from './platform/errors';
import { exitOnSignals, startServer } from './server';
import { startWorker } from './worker';
import { call, importCsv, ingestFilesRemote, remoteFor, type Remote } from './cli-remote';
import { usersCommand, USERS_USAGE } from './console/cli';
import { describeCliError, zodProblems } from './cli-errors';
import { COMMAND_HELP } from './cli-help';

const USAGE = `usage: gateway <command>
  serve                        run the HTTP gateway (and in-process jobs without REDIS_URL)
  worker                       run job workers and the outbox relay
  migrate [--down]             run migrations up (or roll all back)
  partners import FILE         create or replace partners from a JSON file (one object or an array)
  catalog import FILE          import catalog items from CSV (progress bar)
  price-lists import FILE      import price lists from CSV
  keys list PARTNER            a partner's API keys (prefix, role, created, last used, revoked)
  keys create PARTNER ROLE     issue an API key (erp or finance); the key is printed once
  keys revoke KEY_ID           revoke a key (other running processes within PARTNER_CACHE_MS)
  keys rotate KEY_ID           issue a new key of the same role and revoke this one
  edi ingest FILE...           take X12 interchanges from files (850s -> orders, 997/999 back)
${USERS_USAGE}

partners, catalog, price-lists, keys, users and edi take --server URL: the command goes to that running
gateway's admin API (with ADMIN_TOKEN) instead of its database. Beside a running embedded server
(npm start) they do so on their own. Settings come from the environment (README, Configuration).
\`gateway help COMMAND\` (or \`gateway COMMAND --help\`) shows a command's options and examples.`;

type KeyRow = {
  id: string;
  role: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  partnerId: string;
};

function keyLine(k: KeyRow): string {
  return [
    k.id,
    k.role.padEnd(7),
    `${k.prefix}…`,
    `created ${k.createdAt}`,
    `last used ${k.lastUsedAt ?? 'never'}`,
    k.revokedAt ? `REVOKED ${k.revokedAt}` : 'active',
  ].join('  ');
}

/** `keys ...` through a running gateway's admin API. */
async function keysRemote(r: Remote, sub: string, arg: string, role: string | undefined): Promise<number> {
  const id = encodeURIComponent(arg);
  if (sub === 'list') {
    const { json } = await call<{ apiKeys: KeyRow[] }>(r, 'GET', `/api/v1/partners/${id}/api-keys`);
    if (json.apiKeys.length === 0) console.log(`partner ${arg} has no API keys`);
    for (const k of json.apiKeys) console.log(keyLine(k));
    return 0;
  }
  if (sub === 'create' && (role === 'erp' || role === 'finance')) {
    const { json } = await call<{ id: string; key: string }>(r, 'POST', `/api/v1/partners/${id}/api-keys`, {
      type: 'application/json',
      data: JSON.stringify({ role }),
    });
    console.log(`created ${role} key ${json.id} for partner ${arg} (shown once, keep it now):\n${json.key}`);
    return 0;
  }
  if (sub === 'revoke') {
    const { json: k } = await call<KeyRow>(r, 'DELETE', `/api/v1/api-keys/${id}`);
    console.log(`revoked ${k.role} key ${k.id} (${k.prefix}…) of partner ${k.partnerId}`);
    return 0;
  }
  if (sub === 'rotate') {
    const { json: k } = await call<{ id: string; key: string; role: string; revoked: string }>(
      r,
      'POST',
      `/api/v1/api-keys/${id}/rotate`,
    );
    console.log(`revoked ${k.revoked}; new ${k.role} key ${k.id} (shown once, keep it now):\n${k.key}`);
    return 0;
  }
  console.error(USAGE);
  return 2;
}

/** A file's text; a read error names the file (EISDIR comes without its path). */
function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if (err && typeof err === 'object' && !('path' in err)) Object.assign(err, { path: file });
    throw err;
  }
}

function rowsOf(file: string) {
  return csvObjects(readText(file)).rows.map((r) => ({ line: r.line, values: r.values }));
}

async function withDb<T>(
  command: string,
  fn: (db: ReturnType<typeof createDb>, config: Config) => Promise<T>,
): Promise<T> {
  const config = ensureSecretsKey(loadConfig());
  const db = createDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, holder: { command } });
  try {
    await migrateLatest(db);
    return await fn(db, config);
  } finally {
    await db.destroy();
  }
}

/** A command's words after the command name, and the running gateway to send it to (--server). */
interface CommandArgs {
  argv: string[];
  sub: string | undefined;
  arg: string | undefined;
  remote: () => Remote | undefined;
}

/** A command's exit code, or undefined when its words are not a use of it (the usage is printed). */
type Command = (c: CommandArgs) => Promise<number | undefined>;

/** Parses --server and the command, and runs it. */
async function main(args: string[]): Promise<number> {
  // --server URL: send the command to a running gateway's admin API (see cli-remote.ts).
  const at = args.indexOf('--server');
  const server = at >= 0 ? args[at + 1] : undefined;
  if (at >= 0 && !server) throw new AppError('bad_request', '--server needs the URL of a running gateway');
  const argv = at >= 0 ? [...args.slice(0, at), ...args.slice(at + 2)] : args;
  const [cmd, sub, arg] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    const about = cmd === 'help' && sub ? COMMAND_HELP[sub] : undefined;
    console.log(about ?? USAGE);
    return cmd === undefined || (cmd === 'help' && sub && !about) ? 2 : 0;
  }
  const command = COMMANDS.get(cmd);
  if (!command) {
    console.error(`gateway: unknown command "${cmd}"\n\n${USAGE}`);
    return 2;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(COMMAND_HELP[cmd] ?? USAGE);
    return 0;
  }
  const remote = () => remoteFor(loadConfig(), server);
  const code = await command({ argv, sub, arg, remote });
  if (code !== undefined) return code;
  console.error(
    `gateway ${cmd}: these words are not a use of it (${argv.slice(1).join(' ') || 'nothing given'})\n\n${COMMAND_HELP[cmd] ?? USAGE}`,
  );
  return 2;
}

/** serve and worker: run until a signal; signals are handled from the first moment (a stop during start-up waits for it, then drains). */
function runUntilSignal(start: () => Promise<{ stop: () => Promise<void> }>): Command {
  return async () => {
    const starting = start();
    exitOnSignals(async () => (await starting).stop());
    await starting;
    return -1;
  };
}

/** migrate [--down]: applies the migrations, or rolls them all back. */
async function migrateCommand({ sub }: CommandArgs): Promise<number> {
  const config = loadConfig();
  const db = createDb({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    holder: { command: 'migrate' },
  });
  try {
    if (sub === '--down') {
      await migrateRollbackAll(db);
      console.log('all migrations rolled back');
    } else {
      const applied = await migrateLatest(db);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'already up to date');
    }
  } finally {
    await db.destroy();
  }
  return 0;
}

/** partners import FILE: creates or replaces the partners of a JSON file. */
async function partnersCommand({ sub, arg, remote }: CommandArgs): Promise<number | undefined> {
  if (sub !== 'import' || !arg) return undefined;
  const items = () => {
    let json: unknown;
    try {
      json = JSON.parse(readText(arg)) as unknown;
    } catch (err) {
      if (err instanceof SyntaxError)
        throw new AppError('validation_failed', `${arg} is not valid JSON: ${err.message}`);
      throw err;
    }
    return Array.isArray(json) ? (json as unknown[]) : [json];
  };
  const r = remote();
  if (r) {
    for (const item of items()) {
      const { status, json: p } = await call<{ id: string }>(r, 'POST', '/api/v1/partners', {
        type: 'application/json',
        data: JSON.stringify(item),
      });
      console.log(`${status === 201 ? 'created' : 'replaced'} partner ${p.id}`);
    }
    return 0;
  }
  return withDb('partners import', async (db, config) => {
    const all = items();
    const parsed = all.map((item, i) => {
      const r = partnerInputSchema.safeParse(item);
      if (r.success) return r.data;
      const problems = zodProblems(r.error, all.length > 1 ? `[${i}]` : '');
      throw new AppError(
        'validation_failed',
        `${arg}: the partner${all.length > 1 ? ` at index ${i}` : ''} is not valid (fields as in fixtures/contracts/partner.example.json); nothing was imported`,
        { details: problems.map((message) => ({ message })) },
      );
    });
    for (const item of parsed) {
      const { partner, created } = await upsertPartner(db, item, {
        secretsKey: config.SECRETS_KEY,
      });
      console.log(`${created ? 'created' : 'replaced'} partner ${partner.id}`);
    }
    return 0;
  });
}

/** catalog import FILE: imports catalog items from CSV with a progress bar. */
async function catalogCommand({ sub, arg, remote }: CommandArgs): Promise<number | undefined> {
  if (sub !== 'import' || !arg) return undefined;
  const r = remote();
  if (r) {
    const { imported } = await importCsv(r, loadConfig(), '/api/v1/catalog/import', arg);
    console.log(`imported ${imported} items`);
    return 0;
  }
  return withDb('catalog import', async (db) => {
    const rows = rowsOf(arg);
    const bar = new SingleBar(
      { format: 'catalog import |{bar}| {value}/{total} rows' },
      Presets.shades_classic,
    );
    bar.start(rows.length, 0);
    try {
      const { imported } = await importCatalog(db, rows, { onProgress: (done) => bar.update(done) });
      bar.stop();
      console.log(`imported ${imported} items`);
    } catch (err) {
      bar.stop();
      throw err;
    }
    return 0;
  });
}

/** edi ingest FILE...: X12 files through the intake, one outcome line each; 1 when any failed. */
async function ediCommand({ argv, sub, remote }: CommandArgs): Promise<number | undefined> {
  const files = argv.slice(2);
  if (sub !== 'ingest' || files.length === 0) return undefined;
  const { describeOutcome } = await import('./edi/ingest-files');
  const r = remote();
  if (r) {
    const outcomes = await ingestFilesRemote(r, files);
    for (const o of outcomes) console.log(describeOutcome(o));
    return outcomes.some((o) => o.error) ? 1 : 0;
  }
  const { createContext, closeContext } = await import('./platform/context');
  const { ingestX12Files } = await import('./edi/ingest-files');
  const ctx = await createContext(ensureSecretsKey(loadConfig()), {
    holder: { command: 'edi ingest' },
  });
  const bar = new SingleBar(
    { format: 'edi ingest |{bar}| {percentage}% {value}/{total} bytes' },
    Presets.shades_classic,
  );
  try {
    const outcomes = await ingestX12Files(ctx, files, {
      onStart: (total) => bar.start(total, 0),
      onBytes: (done) => bar.update(done),
    });
    bar.stop();
    for (const o of outcomes) console.log(describeOutcome(o));
    return outcomes.some((o) => o.error) ? 1 : 0;
  } finally {
    bar.stop();
    await closeContext(ctx);
  }
}

/** keys list|create|revoke|rotate: a partner's API keys. */
async function keysCommand({ argv, sub, arg, remote }: CommandArgs): Promise<number | undefined> {
  const { createApiKey, listApiKeys, revokeApiKey, rotateApiKey } = await import('./partners/service');
  const role = argv[3];
  const r = ['list', 'create', 'revoke', 'rotate'].includes(sub ?? '') && arg ? remote() : undefined;
  if (r) return keysRemote(r, sub!, arg!, role);
  if (sub === 'list' && arg)
    return withDb('keys list', async (db) => {
      const keys = await listApiKeys(db, arg);
      if (keys.length === 0) console.log(`partner ${arg} has no API keys`);
      for (const k of keys) console.log(keyLine(k));
      return 0;
    });
  if (sub === 'create' && arg && (role === 'erp' || role === 'finance'))
    return withDb('keys create', async (db) => {
      const { id, key } = await createApiKey(db, arg, role);
      console.log(`created ${role} key ${id} for partner ${arg} (shown once, keep it now):\n${key}`);
      return 0;
    });
  if (sub === 'revoke' && arg)
    return withDb('keys revoke', async (db) => {
      const k = await revokeApiKey(db, arg);
      console.log(`revoked ${k.role} key ${k.id} (${k.prefix}…) of partner ${k.partnerId}`);
      return 0;
    });
  if (sub === 'rotate' && arg)
    return withDb('keys rotate', async (db) => {
      const k = await rotateApiKey(db, arg);
      console.log(`revoked ${k.revoked}; new ${k.role} key ${k.id} (shown once, keep it now):\n${k.key}`);
      return 0;
    });
  return undefined;
}

/** users list|add|passwd|disable|enable|roles: console users (console/cli.ts). */
async function usersCliCommand({ argv, sub, arg, remote }: CommandArgs): Promise<number | undefined> {
  const known = ['list', 'add', 'passwd', 'disable', 'enable', 'roles'];
  if (!known.includes(sub ?? '') || (sub !== 'list' && !arg)) return undefined;
  const code = await usersCommand(argv.slice(1), remote(), (command, fn) => withDb(command, (db) => fn(db)));
  return code !== 2 ? code : undefined;
}

/** price-lists import FILE: imports price list entries from CSV. */
async function priceListsCommand({ sub, arg, remote }: CommandArgs): Promise<number | undefined> {
  if (sub !== 'import' || !arg) return undefined;
  const r = remote();
  if (r) {
    const res = await importCsv(r, loadConfig(), '/api/v1/price-lists/import', arg);
    console.log(`imported ${res.imported} entries into ${(res.priceLists ?? []).join(', ')}`);
    return 0;
  }
  return withDb('price-lists import', async (db) => {
    const res = await importPriceLists(db, rowsOf(arg));
    console.log(`imported ${res.imported} entries into ${res.priceLists.join(', ')}`);
    return 0;
  });
}

/** The commands by name. */
const COMMANDS = new Map<string, Command>([
  ['serve', runUntilSignal(startServer)],
  ['worker', runUntilSignal(startWorker)],
  ['migrate', migrateCommand],
  ['partners', partnersCommand],
  ['catalog', catalogCommand],
  ['edi', ediCommand],
  ['keys', keysCommand],
  ['users', usersCliCommand],
  ['price-lists', priceListsCommand],
]);

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    for (const line of describeCliError(err)) console.error(line);
    if (process.env.GATEWAY_DEBUG === '1') console.error(err);
    process.exit(1);
  },
);
