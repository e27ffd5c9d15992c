import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../../src/app';
import { resolvePrice } from '../../../src/catalog/pricing';
import { ADMIN_TOKEN, auth, createTestEnv, type TestEnv } from '../../helpers/env';

const CONTRACTS = path.resolve(__dirname, '../../../fixtures/contracts');
const catalogCsv = readFileSync(path.join(CONTRACTS, 'catalog.example.csv'), 'utf8');
const priceCsv = readFileSync(path.join(CONTRACTS, 'price-list.example.csv'), 'utf8');

describe('catalog and pricing', () => {
  let env: TestEnv;
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    env = await createTestEnv({ start: false });
    app = createApp(env.ctx);
  });
  afterAll(async () => env.close());

  it('imports the contract catalog and price list CSVs', async () => {
    const c = await request(app)
      .post('/api/v1/catalog/import')
      .set(auth(ADMIN_TOKEN))
      .type('text/csv')
      .send(catalogCsv);
    expect(c.status).toBe(200);
    expect(c.body).toEqual({ imported: 4 });
    const p = await request(app)
      .post('/api/v1/price-lists/import')
      .set(auth(ADMIN_TOKEN))
      .type('text/csv')
      .send(priceCsv);
    expect(p.status).toBe(200);
    expect(p.body).toEqual({ imported: 3, priceLists: ['acme-contract-2026'] });
    const gloves = await env.db('catalog_items').where({ sku: 'GLV-NIT-M' }).first();
    expect(gloves.unit_price).toBe('12.3450');
    expect(gloves.description).toBe('Powder-free, 4 mil, food safe');
  });

  it('searches SKU, name and description with paging and category prefix', async () => {
    const q = await request(app).get('/api/v1/catalog/items?q=sheets').set(auth(ADMIN_TOKEN));
    expect(q.body.items.map((i: { sku: string }) => i.sku)).toEqual(['PAP-A4-500']);
    const cat = await request(app)
      .get('/api/v1/catalog/items?category=Office%20supplies&limit=1')
      .set(auth(ADMIN_TOKEN));
    expect(cat.body.total).toBe(2);
    expect(cat.body.items).toHaveLength(1);
    const page2 = await request(app)
      .get('/api/v1/catalog/items?category=Office%20supplies&limit=1&offset=1')
      .set(auth(ADMIN_TOKEN));
    expect(page2.body.items[0].sku).not.toBe(cat.body.items[0].sku);
    expect((await request(app).get('/api/v1/catalog/items?q=100%25').set(auth(ADMIN_TOKEN))).body.total).toBe(
      0,
    );
  });

  it('resolves the best quantity break of the partner price list valid on the date, else the list price', async () => {
    const partner = { price_list: 'acme-contract-2026' };
    expect(await resolvePrice(env.db, partner, 'PEN-BLU-12', '1', '2026-06-01')).toMatchObject({
      unitPrice: '4.5000',
      source: 'price_list',
      minQty: '1',
    });
    expect(await resolvePrice(env.db, partner, 'PEN-BLU-12', '49', '2026-06-01')).toMatchObject({
      unitPrice: '4.5000',
    });
    expect(await resolvePrice(env.db, partner, 'PEN-BLU-12', '50', '2026-06-01')).toMatchObject({
      unitPrice: '4.2000',
      minQty: '50',
    });
    expect(await resolvePrice(env.db, partner, 'PEN-BLU-12', '50.5', '2026-12-31')).toMatchObject({
      unitPrice: '4.2000',
    });
    // Outside the validity dates: list price.
    expect(await resolvePrice(env.db, partner, 'PEN-BLU-12', '50', '2027-01-01')).toMatchObject({
      unitPrice: '4.9500',
      source: 'list',
    });
    expect(await resolvePrice(env.db, partner, 'PEN-BLU-12', '50', '2025-12-31')).toMatchObject({
      unitPrice: '4.9500',
      source: 'list',
    });
    // Not in the price list: list price.
    expect(await resolvePrice(env.db, partner, 'GLV-NIT-M', '10', '2026-06-01')).toMatchObject({
      unitPrice: '12.3450',
      source: 'list',
    });
    // A partner without a price list pays list price.
    expect(await resolvePrice(env.db, { price_list: null }, 'CHR-ERG-01', '1', '2026-06-01')).toMatchObject({
      unitPrice: '289.0000',
      source: 'list',
    });
    expect(await resolvePrice(env.db, partner, 'NO-SUCH-SKU', '1', '2026-06-01')).toBeUndefined();
  });

  it('a CSV with one bad row commits nothing and names the line', async () => {
    const lines = catalogCsv.trimEnd().split('\n');
    const bad = [
      ...lines,
      'NEW-ITEM-1,New item,,1.00,USD,EA,,,,,,,',
      'NEW-ITEM-2,Bad price,,12.3.4,USD,EA,,,,,,,',
    ].join('\n');
    const res = await request(app)
      .post('/api/v1/catalog/import')
      .set(auth(ADMIN_TOKEN))
      .type('text/csv')
      .send(bad);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('line 7');
    expect(res.body.error.message).toContain('unit_price');
    expect(res.body.error.details[0]).toMatchObject({ line: 7, path: 'unit_price' });
    expect(await env.db('catalog_items').where({ sku: 'NEW-ITEM-1' }).first()).toBeUndefined();
  });

  it('a price list naming an unknown SKU commits nothing and names the line', async () => {
    const res = await request(app)
      .post('/api/v1/price-lists/import')
      .set(auth(ADMIN_TOKEN))
      .type('text/csv')
      .send(`${priceCsv.trimEnd()}\nacme-contract-2026,NOPE,1.00,USD,1,,\n`);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/line 5: sku "NOPE"/);
    expect(Number((await env.db('price_list_entries').count<{ c: string }[]>({ c: '*' }))[0]!.c)).toBe(3);
  });

  it('accepts a JSON array and reports a bad item by its position', async () => {
    const ok = await request(app)
      .post('/api/v1/catalog/import')
      .set(auth(ADMIN_TOKEN))
      .send([{ sku: 'JSON-1', name: 'Json item', unit_price: '0.10', currency: 'EUR', uom: 'EA' }]);
    expect(ok.body).toEqual({ imported: 1 });
    const bad = await request(app)
      .post('/api/v1/catalog/import')
      .set(auth(ADMIN_TOKEN))
      .send([
        { sku: 'JSON-2', name: 'x', unit_price: '1', currency: 'EUR', uom: 'EA' },
        { sku: 'JSON-3', name: 'y', unit_price: 1.5, currency: 'EUR', uom: 'EA' },
      ]);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('item 2');
    expect(await env.db('catalog_items').where({ sku: 'JSON-2' }).first()).toBeUndefined();
  });
});
