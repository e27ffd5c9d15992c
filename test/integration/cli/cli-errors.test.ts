/**
 * The command line as a newcomer meets it (issue 16 pt 7): every error is a few plain lines with
 * what, where and what to do, never a stack trace, and a non-zero exit; a bad import lists every
 * bad row (up to a cap, then the count) and imports nothing; each command has its own help.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDb } from '../../../src/platform/db';
import { ADMIN_TOKEN, createTestDatabase, SECRETS_KEY } from '../../helpers/env';

const ROOT = path.resolve(__dirname, '../../..');
let database: Awaited<ReturnType<typeof createTestDatabase>>;
const dir = mkdtempSync(path.join(tmpdir(), 'gw-cli-'));

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: database.url,
      ADMIN_TOKEN,
      SECRETS_KEY,
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
  return { out: r.stdout, err: r.stderr, status: r.status };
}

const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const noStack = (text: string) =>
  expect(text).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$|ZodError|node:internal/m);

it('a partner file with bad fields names each field and imports nothing', async () => {
  const p = file(
    'bad-partner.json',
    JSON.stringify({ id: 'newco', cxml: { credentials: [{ domain: 'DUNS' }] } }),
  );
  const r = cli(['partners', 'import', p]);
  expect(r.status).toBe(1);
  noStack(r.err);
  const lines = r.err.trim().split('\n');
  expect(lines[0]).toBe(
    `${p}: the partner is not valid (fields as in fixtures/contracts/partner.example.json); nothing was imported:`,
  );
  expect(lines).toContain('  name: Invalid input: expected string, received undefined');
  expect(lines.some((l) => l.startsWith('  cxml.credentials[0].identity: '))).toBe(true);
  const db = createDb({ databaseUrl: database.url });
  try {
    expect(await db('partners').where({ id: 'newco' })).toHaveLength(0);
  } finally {
    await db.destroy();
  }
}, 60000);

it('a missing file, a file that is not JSON and a directory each get one plain line', () => {
  const missing = cli(['partners', 'import', path.join(dir, 'nope.json')]);
  expect(missing.status).toBe(1);
  expect(missing.err.trim()).toBe(
    `cannot read ${path.join(dir, 'nope.json')}: no such file or directory. Check the path (it is relative to ${ROOT}).`,
  );
  const notJson = cli(['partners', 'import', file('broken.json', '{"id": "x",')]);
  expect(notJson.status).toBe(1);
  expect(notJson.err.trim()).toMatch(/^\S+broken\.json is not valid JSON: /);
  noStack(notJson.err);
  const folder = cli(['catalog', 'import', dir]);
  expect(folder.status).toBe(1);
  expect(folder.err.trim()).toBe(`${dir} is a directory; give a file.`);
}, 60000);

it('a catalog with 25 bad rows lists 20 problems with line and column, then the count, and imports none', async () => {
  const rows = ['sku,name,description,unit_price,currency,uom,unspsc'];
  for (let i = 1; i <= 25; i++) rows.push(`SKU-${i},Item ${i},,1.00,USD,EA,123`);
  rows.push('SKU-OK,Fine,,2.00,USD,EA,44121701');
  const r = cli(['catalog', 'import', file('bad.csv', rows.join('\n'))]);
  expect(r.status).toBe(1);
  noStack(r.err);
  const lines = r.err.trim().split('\n');
  expect(lines[0]).toBe('25 problem(s) in 25 line(s), nothing was imported:');
  expect(lines[1]).toBe('  line 2: unspsc: must be an 8-digit UNSPSC code');
  expect(lines[20]).toBe('  line 21: unspsc: must be an 8-digit UNSPSC code');
  expect(lines[21]).toBe('  … and 5 more');
  expect(lines).toHaveLength(22);
  const db = createDb({ databaseUrl: database.url });
  try {
    expect(await db('catalog_items').where({ sku: 'SKU-OK' })).toHaveLength(0);
  } finally {
    await db.destroy();
  }
}, 60000);

it('a setting in the wrong form names the forms it accepts; no stack', () => {
  const r = cli(['migrate'], { PUBLIC_BASE_URL: 'localhost:3115', DEMO: 'maybe' });
  expect(r.status).toBe(1);
  noStack(r.err);
  expect(r.err).toContain('invalid configuration:');
  expect(r.err).toContain(
    'PUBLIC_BASE_URL: must be an absolute http(s) URL such as https://gateway.example.com',
  );
  expect(r.err).toMatch(/DEMO: .*"0".*"1".*"true".*"false".*"yes".*"no"/);
  expect(r.err).toContain('Set the variables above in the environment (README, Configuration).');
}, 60000);

it('each command has its own help; a wrong use prints that help and exits 2', () => {
  const help = cli(['help', 'catalog']);
  expect(help.status).toBe(0);
  expect(help.out).toMatch(/^usage: gateway catalog import FILE \[--server URL\]/);
  expect(help.out).toContain('example:\n  gateway catalog import fixtures/contracts/catalog.example.csv');
  const flag = cli(['keys', '--help']);
  expect(flag.status).toBe(0);
  expect(flag.out).toContain('gateway keys create acme erp');
  const wrong = cli(['keys', 'create']);
  expect(wrong.status).toBe(2);
  expect(wrong.err).toMatch(
    /^gateway keys: these words are not a use of it \(create\)\n\nusage: gateway keys list PARTNER/,
  );
  const unknown = cli(['bogus']);
  expect(unknown.status).toBe(2);
  expect(unknown.err).toMatch(/^gateway: unknown command "bogus"\n\nusage: gateway <command>/);
  expect(cli(['--help']).out).toContain('`gateway help COMMAND` (or `gateway COMMAND --help`)');
}, 60000);
