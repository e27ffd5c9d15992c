/**
 * Issue 12 point 8, the embedded data dir that cannot lose data: `npm start`'s server holds its
 * data dir; CLI commands beside it go to its admin API on their own (or with --server URL); a
 * second server on the data dir and one on a busy port stop at once with what to do; after a
 * restart every acknowledged write is there and the data dir opens; the data dir is owner-only.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  freePort,
  runGateway,
  startGateway,
  stopGateway,
  waitHealthy,
  type GatewayProcess,
} from '../../helpers/gateway-process';

function modes(dir: string): { path: string; mode: number }[] {
  const out: { path: string; mode: number }[] = [];
  const walk = (d: string) => {
    out.push({ path: d, mode: statSync(d).mode & 0o777 });
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push({ path: p, mode: statSync(p).mode & 0o777 });
    }
  };
  walk(dir);
  return out;
}

describe('embedded data dir: one owner, CLI beside it, restarts', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'gw-datadir-'));
  const dataDir = path.join(root, 'data');
  let port: number;
  let server: GatewayProcess;
  let token: string;
  const api = (p: string, init: RequestInit = {}) =>
    fetch(`http://127.0.0.1:${port}${p}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
    });

  beforeAll(async () => {
    port = await freePort();
    server = startGateway(dataDir, port);
    await waitHealthy(port, server);
    token = readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
  }, 200000);
  afterAll(async () => {
    await stopGateway(server);
    rmSync(root, { recursive: true, force: true });
  });

  it('the running server holds the data dir, naming itself and where it answers', () => {
    const lock = JSON.parse(readFileSync(path.join(dataDir, 'gateway.lock'), 'utf8'));
    expect(lock).toMatchObject({ pid: server.child.pid, command: 'serve', url: `http://127.0.0.1:${port}` });
  });

  it('CLI commands beside it go to its admin API: catalog, partners, keys', async () => {
    const csv = path.join(root, 'catalog.csv');
    writeFileSync(csv, 'sku,name,unit_price,currency,uom\nBESIDE-1,Imported beside the server,2.50,USD,EA\n');
    const imported = await runGateway(['catalog', 'import', csv], { DATA_DIR: dataDir });
    expect(imported.output).toContain(`sending this to it at http://127.0.0.1:${port}`);
    expect(imported.output).toContain('imported 1 items');
    expect(imported.code).toBe(0);
    // The server sees the row at once (before, the CLI wrote into a second PGlite the server never read).
    const items = await (await api('/api/v1/catalog/items?q=BESIDE-1')).json();
    expect(JSON.stringify(items)).toContain('BESIDE-1');

    const partner = path.join(root, 'partner.json');
    const demo = JSON.parse(readFileSync('fixtures/demo/partner.json', 'utf8'));
    writeFileSync(
      partner,
      JSON.stringify({
        ...demo,
        id: 'beside',
        name: 'Imported beside',
        cxml: { ...demo.cxml, credentials: [{ domain: 'NetworkID', identity: 'AN-BESIDE' }] },
        oci: undefined,
        x12: undefined,
      }),
    );
    const p = await runGateway(['partners', 'import', partner], { DATA_DIR: dataDir });
    expect(p.output).toContain('created partner beside');
    expect(p.code).toBe(0);

    const created = await runGateway(['keys', 'create', 'beside', 'erp'], { DATA_DIR: dataDir });
    expect(created.code).toBe(0);
    const key = /\n(gwk_erp_\S+)/.exec(created.output)?.[1];
    expect(key).toBeDefined();
    const orders = await fetch(`http://127.0.0.1:${port}/api/v1/orders`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(orders.status).toBe(200);
    const listed = await runGateway(['keys', 'list', 'beside'], { DATA_DIR: dataDir });
    expect(listed.output).toMatch(/erp\s+gwk_erp_\S+…\s+created .*last used 20.*active/);
    const keyId = /created erp key (\S+)/.exec(created.output)![1]!;
    const revoked = await runGateway(['keys', 'revoke', keyId], { DATA_DIR: dataDir });
    expect(revoked.output).toContain(`revoked erp key ${keyId}`);
    expect(
      (await fetch(`http://127.0.0.1:${port}/api/v1/orders`, { headers: { authorization: `Bearer ${key}` } }))
        .status,
    ).toBe(401);
  }, 120000);

  it('edi ingest beside it sends each interchange to the server, which takes the order', async () => {
    const file = path.join(root, 'po.x12');
    writeFileSync(
      file,
      [
        'ISA*00*          *00*          *ZZ*DEMOBUYER      *ZZ*SUPPLIERDEMO   *261203*1200*U*00401*000000901*0*P*>',
        'GS*PO*DEMOBUYER*SUPPLIERDEMO*20261203*1200*901*X*004010',
        'ST*850*0001',
        'BEG*00*SA*PO-BESIDE-X12**20261203',
        'PO1*1*2*BX*4.95**VP*PEN-BLU-12',
        'CTT*1',
        'SE*5*0001',
        'GE*1*901',
        'IEA*1*000000901',
      ]
        .map((x) => `${x}~\n`)
        .join(''),
    );
    const ingested = await runGateway(['edi', 'ingest', file], { DATA_DIR: dataDir });
    expect(ingested.output).toContain(
      'partner demo: 1 interchange(s), 1 set(s), 0 rejected, 1 order(s) accepted',
    );
    expect(ingested.code).toBe(0);
    const again = await runGateway(['edi', 'ingest', file], { DATA_DIR: dataDir });
    expect(again.output).toContain('already received');
    const orders = await (await api('/api/v1/orders?buyerOrderNumber=PO-BESIDE-X12')).json();
    expect(JSON.stringify(orders)).toContain('PO-BESIDE-X12');
  }, 120000);

  it('--server URL with ADMIN_TOKEN works from anywhere; a wrong token is refused with the server’s words', async () => {
    const elsewhere = path.join(root, 'elsewhere');
    const ok = await runGateway(['keys', 'list', 'demo', '--server', `http://127.0.0.1:${port}`], {
      DATA_DIR: elsewhere,
      ADMIN_TOKEN: token,
    });
    expect(ok.code).toBe(0);
    expect(ok.output).toMatch(/finance\s+gwk_finance_/);
    const bad = await runGateway(['keys', 'list', 'demo', '--server', `http://127.0.0.1:${port}`], {
      DATA_DIR: elsewhere,
      ADMIN_TOKEN: 'not-the-admin-token-at-all',
    });
    expect(bad.code).toBe(1);
    expect(bad.output).toContain(`http://127.0.0.1:${port} answered 401`);
  }, 60000);

  it('a second server on the data dir, and migrate, stop at once naming the holder', async () => {
    for (const args of [['serve'], ['migrate']]) {
      const started = Date.now();
      const second = await runGateway(args, { DATA_DIR: dataDir, PORT: String(await freePort()) });
      expect(second.code).toBe(1);
      expect(second.output).toContain(
        `The data dir ${path.resolve(dataDir)} is in use by \`gateway serve\` (pid ${server.child.pid}`,
      );
      expect(second.output).toContain(`--server http://127.0.0.1:${port}`);
      expect(second.output).not.toMatch(/listening/i);
      expect(Date.now() - started).toBeLessThan(30000);
    }
    // The first server is unharmed.
    expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
  }, 120000);

  it('a server on a busy port exits 1 saying so, and leaves its own data dir free', async () => {
    const other = path.join(root, 'other');
    const busy = await runGateway(['serve'], { DATA_DIR: other, PORT: String(port) });
    expect(busy.code).toBe(1);
    expect(busy.output).toContain(`Port ${port} on 0.0.0.0 is in use by another process`);
    expect(readdirSync(other)).not.toContain('gateway.lock');
  }, 200000);

  it('restart: every acknowledged write is there, the data dir opens, and it is owner-only', async () => {
    expect(await stopGateway(server)).toBe(0);
    expect(readdirSync(dataDir)).not.toContain('gateway.lock');
    server = startGateway(dataDir, port);
    await waitHealthy(port, server);
    const items = await (await api('/api/v1/catalog/items?q=BESIDE-1')).json();
    expect(JSON.stringify(items)).toContain('BESIDE-1');
    expect((await api('/api/v1/partners/beside')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    const open = modes(dataDir).filter((m) => (m.mode & 0o077) !== 0);
    expect(open).toEqual([]);
  }, 200000);

  it('a lock left by a process that is gone (kill -9) is taken over', async () => {
    await stopGateway(server);
    writeFileSync(
      path.join(dataDir, 'gateway.lock'),
      JSON.stringify({ pid: 2 ** 22 + 12345, command: 'serve', url: 'http://127.0.0.1:1', since: 'then' }),
    );
    server = startGateway(dataDir, port);
    await waitHealthy(port, server);
    expect(JSON.parse(readFileSync(path.join(dataDir, 'gateway.lock'), 'utf8')).pid).toBe(server.child.pid);
  }, 200000);
});
