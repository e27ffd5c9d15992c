/**
 * The README's production recipe, run as written: DATABASE_URL, REDIS_URL, ADMIN_TOKEN and
 * SECRETS_KEY exported, `npm run migrate`, `WORKERS=0 npm start` and `npm run worker` as separate
 * processes. No demo data is seeded; DEMO=1 seeds it with a warning; and while the published demo
 * credentials work on the database every start says so.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { DEMO_KEYS } from '../../../src/demo';
import { createTestDatabase, REDIS_URL } from '../../helpers/env';

const ROOT = path.resolve(__dirname, '../../..');

// Several processes start one after the other; on two busy cores each start takes seconds.
jest.setTimeout(300000);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Proc {
  child: ChildProcess;
  output: () => string;
}

function run(args: string[], env: NodeJS.ProcessEnv): Proc {
  // Own process group, so the npm wrapper and the node process under it are stopped together.
  const child = spawn('npm', args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return { child, output: () => out };
}

async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    p.child.once('exit', () => resolve());
    process.kill(-p.child.pid!, 'SIGTERM');
  });
}

async function waitFor(what: string, p: Proc, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + 90000;
  while (Date.now() < deadline) {
    if (p.child.exitCode !== null) throw new Error(`${what}: process exited: ${p.output()}`);
    try {
      if (await check()) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}: ${p.output()}`);
}

describe('the production recipe of the README', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let env: NodeJS.ProcessEnv;
  let port: number;
  const started: Proc[] = [];
  const start = (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const p = run(args, { ...env, ...extra });
    started.push(p);
    return p;
  };
  const get = (p: string, token: string) =>
    fetch(`http://127.0.0.1:${port}${p}`, { headers: { Authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    db = await createTestDatabase();
    port = await freePort();
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: `gwt-${randomBytes(4).toString('hex')}`,
      ADMIN_TOKEN: randomBytes(24).toString('hex'),
      SECRETS_KEY: randomBytes(32).toString('base64'),
      PORT: String(port),
      LOG_LEVEL: 'warn',
    };
  });
  afterEach(async () => {
    for (const p of started.splice(0)) await stop(p);
  });
  afterAll(async () => db.drop());

  it('migrates, serves and works without any demo data: the published demo ERP key gets 401', async () => {
    const migrate = spawnSync('npm', ['run', 'migrate'], { cwd: ROOT, env, encoding: 'utf8' });
    expect(migrate.status).toBe(0);
    expect(migrate.stdout).toMatch(/applied: /);

    const server = start(['start'], { WORKERS: '0' });
    const worker = start(['run', 'worker']);
    await waitFor('server', server, async () => (await fetch(`http://127.0.0.1:${port}/ready`)).ok);
    await waitFor('worker', worker, () => /Worker started/.test(worker.output()));

    const partners = await (await get('/api/v1/partners', env.ADMIN_TOKEN!)).json();
    expect(partners).toEqual({ partners: [] });
    expect((await get('/api/v1/orders', DEMO_KEYS.erp)).status).toBe(401);
    expect((await get('/api/v1/invoices', DEMO_KEYS.finance)).status).toBe(401);
    expect(server.output()).not.toMatch(/Demo partner "demo" seeded/);
    expect(server.output()).not.toMatch(/WARNING/);
    await stop(server);
    await stop(worker);
  });

  it('DEMO=1 seeds the demo partner with a warning, and every later start warns while its published credentials work', async () => {
    const demo = start(['start'], { WORKERS: '0', DEMO: '1' });
    await waitFor('demo server', demo, async () => (await fetch(`http://127.0.0.1:${port}/ready`)).ok);
    expect(demo.output()).toMatch(/WARNING: DEMO=1 with DATABASE_URL/);
    expect(demo.output()).toMatch(/Demo partner "demo" seeded/);
    expect((await get('/api/v1/orders', DEMO_KEYS.erp)).status).toBe(200);
    await stop(demo);

    // A start without DEMO: nothing is seeded, but the published credentials are named loudly.
    const again = start(['start'], { WORKERS: '0' });
    await waitFor('server', again, async () => (await fetch(`http://127.0.0.1:${port}/ready`)).ok);
    const out = again.output();
    expect(out).toMatch(/WARNING: this database accepts demo credentials that are published in the README/);
    expect(out).toContain('erp API key of partner "demo"');
    expect(out).toContain('cXML SharedSecret of NetworkID/AN-DEMO-BUYER');
    expect(out).toContain('OCI password of demo-buyer');
    const worker = start(['run', 'worker']);
    await waitFor('worker warning', worker, () =>
      /demo credentials that are published/.test(worker.output()),
    );

    // Once the demo partner is gone, starts are quiet again.
    const del = await fetch(`http://127.0.0.1:${port}/api/v1/partners/demo`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}` },
    });
    expect(del.status).toBe(204);
    await stop(again);
    await stop(worker);
    const quiet = start(['start'], { WORKERS: '0' });
    await waitFor('server', quiet, async () => (await fetch(`http://127.0.0.1:${port}/ready`)).ok);
    expect(quiet.output()).not.toMatch(/WARNING/);
    await stop(quiet);
  });
});
