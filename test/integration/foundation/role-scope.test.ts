/**
 * Role-scoped reads: what each key may read of the documents API and the catalog, and API keys that
 * can be listed, revoked and rotated (never read back).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { readFileSync } from 'node:fs';
import { createApp } from '../../../src/app';
import { csvObjects } from '../../../src/catalog/csv';
import { importCatalog, importPriceLists } from '../../../src/catalog/service';
import { storeDocument } from '../../../src/documents/store';
import { ADMIN_TOKEN, auth, createTestEnv, SECRETS_KEY, type TestEnv } from '../../helpers/env';
import { seedPartner } from '../../helpers/partners';

const ROOT = path.resolve(__dirname, '../../..');
const CONTRACTS = path.join(ROOT, 'fixtures/contracts');

let env: TestEnv;
let app: ReturnType<typeof createApp>;
let keys: { erpKey: string; financeKey: string };
const docs: Record<string, string> = {};

beforeAll(async () => {
  env = await createTestEnv({ start: false });
  env.ctx.now = () => new Date('2026-06-01T12:00:00Z');
  app = createApp(env.ctx);
  const csv = (f: string) => csvObjects(readFileSync(path.join(CONTRACTS, f), 'utf8')).rows;
  await importCatalog(env.db, csv('catalog.example.csv'));
  await importPriceLists(env.db, csv('price-list.example.csv'));
  keys = await seedPartner(env.db, { catalogVisibility: 'priceList', priceList: 'acme-contract-2026' });
  for (const [type, direction] of [
    ['PunchOutSetupRequest', 'in'],
    ['OCILogin', 'in'],
    ['PunchOutOrderMessage', 'out'],
    ['OrderRequest', 'in'],
    ['850', 'in'],
    ['ConfirmationRequest', 'out'],
    ['ShipNoticeRequest', 'out'],
    ['855', 'out'],
    ['InvoiceDetailRequest', 'out'],
    ['810', 'out'],
  ] as const) {
    docs[type] = await storeDocument(env.db, {
      partnerId: 'acme',
      protocol: /^\d+$/.test(type) ? 'x12' : type === 'OCILogin' ? 'oci' : 'cxml',
      docType: type,
      direction,
      status: 'accepted',
      contentType: 'text/plain',
      content: `${type} body`,
    });
  }
});
afterAll(async () => env.close());

const listed = async (token: string) =>
  (
    (await request(app).get('/api/v1/documents?limit=500').set(auth(token))).body.documents as {
      type: string;
    }[]
  )
    .map((d) => d.type)
    .sort();
const rawStatus = async (token: string, type: string) =>
  (await request(app).get(`/api/v1/documents/${docs[type]}/raw`).set(auth(token))).status;

describe('documents by role', () => {
  const ORDER_SIDE = ['850', '855', 'ConfirmationRequest', 'OrderRequest', 'ShipNoticeRequest'];
  const INVOICE_SIDE = ['810', 'InvoiceDetailRequest'];
  const PUNCHOUT = ['OCILogin', 'PunchOutOrderMessage', 'PunchOutSetupRequest'];

  it('an ERP key lists and reads the order side only: no invoices, no punchout setup documents', async () => {
    expect(await listed(keys.erpKey)).toEqual(ORDER_SIDE);
    for (const t of ORDER_SIDE) expect(await rawStatus(keys.erpKey, t)).toBe(200);
    for (const t of [...INVOICE_SIDE, ...PUNCHOUT]) expect(await rawStatus(keys.erpKey, t)).toBe(404);
  });

  it('a finance key lists and reads the invoice side only: never a PunchOutSetupRequest', async () => {
    expect(await listed(keys.financeKey)).toEqual(INVOICE_SIDE);
    for (const t of INVOICE_SIDE) expect(await rawStatus(keys.financeKey, t)).toBe(200);
    for (const t of [...ORDER_SIDE, ...PUNCHOUT]) expect(await rawStatus(keys.financeKey, t)).toBe(404);
  });

  it('the admin token reads everything', async () => {
    expect(await listed(ADMIN_TOKEN)).toEqual([...ORDER_SIDE, ...INVOICE_SIDE, ...PUNCHOUT].sort());
  });
});

describe('catalog by partner', () => {
  it('an ERP key of a "priceList" partner lists only its price list, at its prices', async () => {
    const res = await request(app).get('/api/v1/catalog/items').set(auth(keys.erpKey));
    expect(res.status).toBe(200);
    const bySku = Object.fromEntries(
      (res.body.items as { sku: string; unitPrice: string; priceSource: string }[]).map((i) => [i.sku, i]),
    );
    expect(Object.keys(bySku).sort()).toEqual(['CHR-ERG-01', 'PEN-BLU-12']);
    expect(res.body.total).toBe(2);
    expect(bySku['PEN-BLU-12']).toMatchObject({ unitPrice: '4.5000', priceSource: 'price_list' });
    expect(bySku['CHR-ERG-01']).toMatchObject({ unitPrice: '259.0000', priceSource: 'price_list' });
  });

  it('the admin token lists the whole catalog at list prices', async () => {
    const res = await request(app).get('/api/v1/catalog/items').set(auth(ADMIN_TOKEN));
    expect(res.body.total).toBe(4);
    const pen = (res.body.items as { sku: string; unitPrice: string }[]).find((i) => i.sku === 'PEN-BLU-12');
    expect(pen?.unitPrice).toBe('4.9500');
  });
});

describe('API keys: list, revoke, rotate', () => {
  it('lists prefix, role, created and last used, never the key or its hash', async () => {
    await request(app).get('/api/v1/orders').set(auth(keys.erpKey)).expect(200);
    await new Promise((r) => setTimeout(r, 200)); // the use is recorded without being waited for
    const res = await request(app).get('/api/v1/partners/acme/api-keys').set(auth(ADMIN_TOKEN));
    expect(res.status).toBe(200);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(keys.erpKey);
    expect(text).not.toContain(keys.financeKey);
    expect(text).not.toMatch(/hash/i);
    const erp = (res.body.apiKeys as { role: string; prefix: string; lastUsedAt: string | null }[]).find(
      (k) => k.role === 'erp',
    )!;
    expect(keys.erpKey.startsWith(erp.prefix)).toBe(true);
    expect(erp.lastUsedAt).not.toBeNull();
    // A partner key may not list keys.
    expect((await request(app).get('/api/v1/partners/acme/api-keys').set(auth(keys.erpKey))).status).toBe(
      403,
    );
  });

  it('a revoked key is refused at once; a rotated key is replaced by a new one of the same role', async () => {
    const { erpKey: victim } = await seedPartner(env.db, {
      id: 'acme',
      catalogVisibility: 'priceList',
      priceList: 'acme-contract-2026',
    });
    const list = (await request(app).get('/api/v1/partners/acme/api-keys').set(auth(ADMIN_TOKEN))).body
      .apiKeys as { id: string; prefix: string; revokedAt: string | null }[];
    const id = list.find((k) => victim.startsWith(k.prefix) && !k.revokedAt)!.id;
    await request(app).get('/api/v1/orders').set(auth(victim)).expect(200);
    const del = await request(app).delete(`/api/v1/partners/acme/api-keys/${id}`).set(auth(ADMIN_TOKEN));
    expect(del.status).toBe(200);
    expect(del.body.revokedAt).not.toBeNull();
    expect((await request(app).get('/api/v1/orders').set(auth(victim))).status).toBe(401);
    expect(
      (await request(app).delete(`/api/v1/partners/acme/api-keys/${id}`).set(auth(ADMIN_TOKEN))).status,
    ).toBe(410);

    const financeId = (
      (await request(app).get('/api/v1/partners/acme/api-keys').set(auth(ADMIN_TOKEN))).body.apiKeys as {
        id: string;
        prefix: string;
      }[]
    ).find((k) => keys.financeKey.startsWith(k.prefix))!.id;
    const rot = await request(app)
      .post(`/api/v1/partners/acme/api-keys/${financeId}/rotate`)
      .set(auth(ADMIN_TOKEN));
    expect(rot.status).toBe(201);
    expect(rot.body).toMatchObject({ role: 'finance', revoked: financeId });
    expect((await request(app).get('/api/v1/invoices').set(auth(keys.financeKey))).status).toBe(401);
    expect((await request(app).get('/api/v1/invoices').set(auth(rot.body.key))).status).toBe(200);
    keys.financeKey = rot.body.key;
  });

  it('gateway keys create|list|revoke|rotate, and a revocation reaches another running server within PARTNER_CACHE_MS', async () => {
    const cliEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: env.config.DATABASE_URL,
      ADMIN_TOKEN,
      SECRETS_KEY,
      LOG_LEVEL: 'warn',
    };
    const cli = (...args: string[]) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'keys', ...args], {
        cwd: ROOT,
        env: cliEnv,
        encoding: 'utf8',
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      return r.stdout;
    };
    const created = cli('create', 'acme', 'erp');
    const key = /\n(gwk_erp_\S+)/.exec(created)![1]!;
    const keyId = /key ([0-9a-f-]{36})/.exec(created)![1]!;
    expect(cli('list', 'acme')).toContain(`${keyId}  erp`);
    expect(cli('list', 'acme')).not.toContain(key);

    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const cacheMs = 1000;
    const server = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
      cwd: ROOT,
      env: { ...cliEnv, PORT: String(port), PARTNER_CACHE_MS: String(cacheMs), WORKERS: '0' },
      stdio: 'ignore',
    });
    try {
      const get = async (token: string) => {
        for (let i = 0; ; i++) {
          try {
            return (await fetch(`http://127.0.0.1:${port}/api/v1/orders`, { headers: auth(token) })).status;
          } catch (err) {
            if (i > 300) throw err;
            await new Promise((r) => setTimeout(r, 200));
          }
        }
      };
      expect(await get(key)).toBe(200); // now cached in that server
      expect(cli('revoke', keyId)).toContain(`revoked erp key ${keyId}`);
      await new Promise((r) => setTimeout(r, cacheMs + 300));
      expect(await get(key)).toBe(401);

      const rotated = cli(
        'rotate',
        (
          await env
            .db('api_keys')
            .where({ partner_id: 'acme', role: 'erp' })
            .whereNull('revoked_at')
            .first('id')
        ).id,
      );
      const fresh = /\n(gwk_erp_\S+)/.exec(rotated)![1]!;
      expect(await get(fresh)).toBe(200);
    } finally {
      await new Promise<void>((resolve) => {
        server.once('exit', () => resolve());
        server.kill('SIGTERM');
      });
    }
    // A server and five CLI processes, each starting tsx: minutes on two cores shared with other work.
  }, 240_000);
});
