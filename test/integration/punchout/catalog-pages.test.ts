/**
 * Catalog pages a buyer recognises (issue 16 pt 1), over HTTP: image_url, stock and attribute
 * columns checked at import, the stock API, availability in words, the category tree with counts,
 * paging and sort of results with the query kept in the box, specifications, the comparison of at
 * most four products, and the supplier's branding from config or the partner's settings.
 */
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../../src/app';
import { loadConfig } from '../../../src/platform/config';
import { ADMIN_TOKEN, auth, createTestEnv, type TestEnv } from '../../helpers/env';
import { seedShop, setupRequest, startPath } from './helpers';

let env: TestEnv;
let app: Express;
let erpKey: string;

const HEAD =
  'sku,name,description,unit_price,currency,uom,category,lead_time_days,stock_quantity,image_url,attributes';
const row = (sku: string, name: string, price: string, category: string, extra = ',,,') =>
  `${sku},${name},,${price},USD,EA,${category},${extra}`;

// 60 chairs (3 pages of 24), 2 desks, 1 lamp directly in Furniture, 2 papers elsewhere.
const CHAIRS = Array.from({ length: 60 }, (_, i) =>
  row(
    `CH-${String(i + 1).padStart(3, '0')}`,
    `Chair ${String(i + 1).padStart(3, '0')}`,
    `${100 + i}.00`,
    'Furniture/Seating',
  ),
);
const CSV = [
  HEAD,
  ...CHAIRS,
  row(
    'DSK-1',
    'Standing desk',
    '499.00',
    'Furniture/Desks',
    `5,0,https://img.example/desk.jpg,"{""Width"":""160 cm"",""Motor"":""dual""}"`,
  ),
  row(
    'DSK-2',
    'Writing desk',
    '199.00',
    'Furniture/Desks',
    `,12,http://img.example/desk2.png,"{""Width"":""120 cm""}"`,
  ),
  row('LMP-1', 'Desk lamp', '29.00', 'Furniture', `,0,,`),
  row('PAP-X', 'Paper X', '3.00', 'Office/Paper', `3,,,`),
  row('PAP-Y', 'Paper Y', '4.00', 'Office/Paper', `,,,`),
].join('\n');

beforeAll(async () => {
  env = await createTestEnv({
    env: {
      SUPPLIER_NAME: 'Northwind Office Supply',
      SUPPLIER_LOGO_URL: 'https://cdn.northwind.example/logo.png',
      SUPPLIER_BRAND_COLOR: '#0b5d3b',
      SUPPLIER_ACCENT_COLOR: '#c2410c',
    },
  });
  ({ erpKey } = await seedShop(env.db));
  app = createApp(env.ctx);
  const imported = await request(app)
    .post('/api/v1/catalog/import')
    .set(auth(ADMIN_TOKEN))
    .set('Content-Type', 'text/csv')
    .send(CSV);
  expect(imported.body).toEqual({ imported: 65 });
});
afterAll(async () => {
  await env.close();
});

async function openShop(cookie: string) {
  const res = await request(app)
    .post('/cxml')
    .set('Content-Type', 'text/xml')
    .send(setupRequest({ buyerCookie: cookie }));
  const start = await request(app).get(startPath(res.text));
  const base = start.headers.location as string;
  const home = await request(app).get(base);
  const cart = await request(app).get(`${base}cart`);
  const csrf = /name="csrf" value="([^"]+)"/.exec(cart.text)?.[1] as string;
  return { base, csrf, home };
}

const skusOf = (html: string) => [...html.matchAll(/<tr data-sku="([^"]+)"/g)].map((m) => m[1]);
const decoded = (html: string) =>
  html
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

describe('catalog import', () => {
  it('refuses an image_url that is not an absolute http(s) URL, a bad stock quantity or attributes, naming every line; nothing imported', async () => {
    const bad = [
      HEAD,
      row('BAD-1', 'Bad 1', '1.00', 'X', ',,javascript:alert(1),'),
      row('BAD-2', 'Bad 2', '1.00', 'X', ',,/images/a.png,'),
      row('BAD-3', 'Bad 3', '1.00', 'X', ',,"data:image/png;base64,AAAA",'),
      row('BAD-4', 'Bad 4', '1.00', 'X', ',-3,,'),
      row('BAD-5', 'Bad 5', '1.00', 'X', ',lots,,'),
      row('BAD-6', 'Bad 6', '1.00', 'X', ',,,not json'),
      row('GOOD-1', 'Good', '1.00', 'X', ',4,https://img.example/ok.jpg,'),
    ].join('\n');
    const res = await request(app)
      .post('/api/v1/catalog/import')
      .set(auth(ADMIN_TOKEN))
      .set('Content-Type', 'text/csv')
      .send(bad);
    expect(res.status).toBe(400);
    const details = res.body.error.details as { line: number; path: string; message: string }[];
    expect(details.map((d) => [d.line, d.path])).toEqual([
      [2, 'image_url'],
      [3, 'image_url'],
      [4, 'image_url'],
      [5, 'stock_quantity'],
      [6, 'stock_quantity'],
      [7, 'attributes'],
    ]);
    expect(details[0]!.message).toContain('must be an absolute http(s) URL');
    expect(details[5]!.message).toContain('must be a JSON object');
    expect(await env.db('catalog_items').whereIn('sku', ['GOOD-1', 'BAD-1']).pluck('sku')).toEqual([]);
  });

  it('takes attributes as a JSON object and stock as a number in a JSON import, and the API shows availability', async () => {
    const res = await request(app)
      .post('/api/v1/catalog/import')
      .set(auth(ADMIN_TOKEN))
      .send([
        {
          sku: 'JS-1',
          name: 'JSON chair',
          unit_price: '80.00',
          currency: 'USD',
          uom: 'EA',
          category: 'Furniture/Seating/Stools',
          stock_quantity: 7,
          attributes: { Colour: 'black', 'Seat height': '45 cm', Stackable: true },
        },
      ]);
    expect(res.status).toBe(200);
    const list = await request(app).get('/api/v1/catalog/items?q=JS-1').set(auth(ADMIN_TOKEN));
    expect(list.body.items[0]).toMatchObject({
      sku: 'JS-1',
      stockQuantity: '7',
      availability: { state: 'in_stock', text: 'In stock' },
      attributes: { Colour: 'black', 'Seat height': '45 cm', Stackable: 'true' },
    });
    // A later import without the stock column keeps the stock.
    await request(app)
      .post('/api/v1/catalog/import')
      .set(auth(ADMIN_TOKEN))
      .send([
        {
          sku: 'JS-1',
          name: 'JSON chair',
          unit_price: '80.00',
          currency: 'USD',
          uom: 'EA',
          category: 'Furniture/Seating/Stools',
        },
      ]);
    const again = await env.db('catalog_items').where({ sku: 'JS-1' }).first('stock_quantity', 'attributes');
    expect(again).toEqual({
      stock_quantity: '7',
      attributes: [
        ['Colour', 'black'],
        ['Seat height', '45 cm'],
        ['Stackable', 'true'],
      ],
    });
  });
});

describe('stock API', () => {
  it("sets one item's stock and lead time (admin only), and the pages say it in words", async () => {
    const put = (sku: string, body: object, key = ADMIN_TOKEN) =>
      request(app).put(`/api/v1/catalog/items/${sku}/stock`).set(auth(key)).send(body);
    expect((await put('CH-001', { stockQuantity: '40' })).body).toEqual({ updated: 1 });
    expect((await put('CH-002', { stockQuantity: '0', leadTimeDays: 14 })).status).toBe(200);
    expect((await put('CH-003', { stockQuantity: '0' })).status).toBe(200);
    expect((await put('CH-005', { stockQuantity: 25 })).status).toBe(200);
    const refused = await put('CH-004', { stockQuantity: 'many' });
    expect(JSON.stringify(refused.body)).toContain(
      'must be a non-negative number such as 12 or 2.5, or null',
    );
    expect((await put('CH-004', { stockQuantity: '-1' })).status).toBe(400);
    expect((await put('CH-004', { stockQuantity: '1.5', leadTimeDays: -2 })).status).toBe(400);
    expect((await put('NOPE', { stockQuantity: '1' })).status).toBe(404);
    expect((await put('CH-004', { stockQuantity: '1' }, erpKey)).status).toBe(403);

    const { base } = await openShop('stock');
    const page = await request(app).get(`${base}search?category=Furniture%2FSeating`);
    const cell = (sku: string) =>
      new RegExp(`<tr data-sku="${sku}">[\\s\\S]*?<span class="avail[^"]*">([^<]+)<`).exec(page.text)?.[1];
    expect(cell('CH-001')).toBe('In stock');
    expect(cell('CH-002')).toBe('Ships in 14 days');
    expect(cell('CH-003')).toBe('Out of stock');
    const item = await request(app).get(`${base}item/DSK-2`);
    expect(item.text).toMatch(/id="availability"><span class="avail avail-in-stock">In stock</);
    // "Ships in 14 days" says the lead time: the product page does not say it twice.
    const waiting = await request(app).get(`${base}item/CH-002`);
    expect(waiting.text).toContain('Ships in 14 days');
    expect(waiting.text).not.toContain('<dt>Lead time</dt>');
  });

  it('updates many items at once, all or nothing: an unknown or repeated SKU changes none', async () => {
    const bulk = (body: object) =>
      request(app).post('/api/v1/catalog/stock').set(auth(ADMIN_TOKEN)).send(body);
    const refused = await bulk([
      { sku: 'CH-010', stockQuantity: '5' },
      { sku: 'GHOST-1', stockQuantity: '5' },
    ]);
    expect(refused.status).toBe(404);
    expect(JSON.stringify(refused.body)).toContain('GHOST-1');
    expect(
      (
        await bulk([
          { sku: 'CH-010', stockQuantity: '5' },
          { sku: 'CH-010', stockQuantity: '6' },
        ])
      ).status,
    ).toBe(400);
    expect(
      (await env.db('catalog_items').where({ sku: 'CH-010' }).first('stock_quantity')).stock_quantity,
    ).toBeNull();
    const ok = await bulk([
      { sku: 'CH-010', stockQuantity: '5' },
      { sku: 'CH-011', stockQuantity: null, leadTimeDays: 3 },
    ]);
    expect(ok.body).toEqual({ updated: 2 });
    const rows = await env
      .db('catalog_items')
      .whereIn('sku', ['CH-010', 'CH-011'])
      .orderBy('sku')
      .select('stock_quantity', 'lead_time_days');
    expect(rows).toEqual([
      { stock_quantity: '5', lead_time_days: null },
      { stock_quantity: null, lead_time_days: 3 },
    ]);
  });
});

describe('browsing', () => {
  it('shows the category tree from the path segments with counts that include the subcategories', async () => {
    const { home } = await openShop('tree');
    const count = (path: string) =>
      new RegExp(`data-category="${path}"[^>]*>[\\s\\S]*?aria-label="(\\d+) products"`).exec(
        decoded(home.text),
      )?.[1];
    expect(count('Furniture')).toBe('65'); // 60 chairs + the example chair + 1 stool + 2 desks + 1 lamp
    expect(count('Furniture/Seating')).toBe('62');
    expect(count('Furniture/Seating/Stools')).toBe('1');
    expect(count('Furniture/Desks')).toBe('2');
    expect(count('Office/Paper')).toBe('2');
    expect(home.text).toContain('href="/punchout/s/');
  });

  it('pages a category (page=N, a page past the end shows the last) and sorts by price and name', async () => {
    const { base } = await openShop('paging');
    const page = (qs: string) => request(app).get(`${base}search?category=Furniture%2FSeating&${qs}`);
    const p1 = await page('sort=name');
    expect(skusOf(p1.text)).toHaveLength(24);
    expect(skusOf(p1.text)[0]).toBe('CH-001');
    expect(p1.text).toContain('Showing 1–24 of 62 products');
    const p2 = await page('sort=name&page=2');
    expect(skusOf(p2.text)[0]).toBe('CH-025');
    expect(p2.text).toContain('Showing 25–48 of 62 products');
    expect(decoded(p2.text)).toContain('search?category=Furniture%2FSeating&sort=name&page=3');
    const last = await page('sort=name&page=99');
    expect(skusOf(last.text)).toHaveLength(14);
    expect(last.text).toContain('Showing 49–62 of 62 products');
    const cheap = await page('sort=price_asc');
    expect(skusOf(cheap.text).slice(0, 2)).toEqual(['JS-1', 'CH-001']);
    const dear = await page('sort=price_desc');
    // The example chair at its contract price for this partner (259.00, list 289.00) comes first.
    expect(skusOf(dear.text).slice(0, 3)).toEqual(['CHR-ERG-01', 'CH-060', 'CH-059']);
    expect(dear.text).toMatch(/<option value="price_desc" selected/);
    // The breadcrumb names the path.
    expect(dear.text).toMatch(/aria-label="Breadcrumb"[\s\S]*Furniture[\s\S]*aria-current="page">Seating</);
  });

  it('keeps the query in the search box and puts the SKU match first by relevance', async () => {
    const { base } = await openShop('search');
    const res = await request(app).get(`${base}search?q=desk`);
    expect(res.text).toMatch(/<input type="search" name="q" value="desk"/);
    expect(skusOf(res.text)).toEqual(['LMP-1', 'DSK-1', 'DSK-2']);
    const exact = await request(app).get(`${base}search?q=dsk-2`);
    expect(skusOf(exact.text)[0]).toBe('DSK-2');
    const byName = await request(app).get(`${base}search?q=desk&sort=name`);
    expect(skusOf(byName.text)).toEqual(['LMP-1', 'DSK-1', 'DSK-2']);
  });

  it('shows thumbnails (lazy, no referrer, alt text) and lets the page load them', async () => {
    const { base } = await openShop('images');
    const res = await request(app).get(`${base}search?category=Furniture%2FDesks`);
    expect(res.text).toMatch(
      /<img class="thumb thumb-small" src="https:\/\/img.example\/desk.jpg" alt="Standing desk" loading="lazy" decoding="async" referrerpolicy="no-referrer"/,
    );
    expect(res.headers['content-security-policy']).toMatch(/img-src 'self' https: data: http:/);
    const item = await request(app).get(`${base}item/DSK-1`);
    expect(item.text).toMatch(
      /<img class="thumb thumb-large" src="https:\/\/img.example\/desk.jpg" alt="Standing desk" loading="lazy"/,
    );
    expect(decoded(item.text)).toMatch(
      /<th scope="row">Width<\/th><td>160 cm<\/td>[\s\S]*<th scope="row">Motor<\/th><td>dual<\/td>/,
    );
  });
});

describe('comparison', () => {
  it('compares up to four products side by side and refuses a fifth with a message', async () => {
    const { base, csrf } = await openShop('compare');
    const add = async (sku: string) => {
      const res = await request(app).post(`${base}compare/add`).type('form').send({ csrf, sku });
      expect(res.status).toBe(303);
      return decoded((await request(app).get(res.headers.location as string)).text);
    };
    for (const sku of ['DSK-1', 'DSK-2', 'CH-001'])
      expect(await add(sku)).toContain('Added to the comparison');
    expect(await add('DSK-1')).toContain('already in the comparison');
    const page = await add('CH-002');
    expect([...page.matchAll(/<th scope="col" data-sku="([^"]+)"/g)].map((m) => m[1])).toEqual([
      'DSK-1',
      'DSK-2',
      'CH-001',
      'CH-002',
    ]);
    expect(page).toMatch(/<th scope="row">Width<\/th><td>160 cm<\/td><td>120 cm<\/td><td>–<\/td><td>–<\/td>/);
    const refused = await add('CH-003');
    expect(refused).toContain(
      'CH-003: You can compare at most 4 products. Remove one from the comparison to add another.',
    );
    expect(refused).not.toContain('data-sku="CH-003"');
    expect(await add('UNKNOWN')).toContain('not in your catalog');
    // Without the form's token nothing changes.
    expect((await request(app).post(`${base}compare/add`).type('form').send({ sku: 'CH-003' })).status).toBe(
      403,
    );

    const removed = await request(app)
      .post(`${base}compare/remove`)
      .type('form')
      .send({ csrf, sku: 'DSK-2' });
    expect(decoded((await request(app).get(removed.headers.location as string)).text)).toContain(
      'DSK-2 was removed',
    );
    expect(await add('CH-003')).toContain('Added to the comparison');
    // From a list, back to the list (its page and order kept), the header counting the products.
    const fromList = await request(app)
      .post(`${base}compare/add`)
      .type('form')
      .send({ csrf, sku: 'DSK-2', back: 'search?category=Furniture%2FDesks&sort=name&page=1' });
    expect(fromList.headers.location).toMatch(
      new RegExp(`^${base}search\\?category=Furniture%2FDesks&sort=name&page=1&flash=`),
    );
    const list = decoded((await request(app).get(fromList.headers.location as string)).text);
    expect(list).toContain('DSK-2: You can compare at most 4 products.');
    expect(list).toContain('id="compare-link">Compare (4)</a>');
    // A return address that is not one of the session's pages goes to the comparison.
    for (const back of ['//evil.example/x', 'https://evil.example/', '../../other', 'orders#x']) {
      const res = await request(app)
        .post(`${base}compare/add`)
        .type('form')
        .send({ csrf, sku: 'DSK-1', back });
      expect(res.headers.location).toMatch(new RegExp(`^${base}compare\\?flash=`));
    }
    // Another session compares its own products.
    const other = await openShop('compare-2');
    expect((await request(app).get(`${other.base}compare`)).text).toContain('Nothing to compare yet');
  });
});

describe('branding', () => {
  it("shows the supplier's name, logo and colours from config in the catalog header", async () => {
    const { home } = await openShop('brand');
    expect(home.text).toMatch(
      /<a class="brand" href="[^"]+"><img class="logo" src="https:\/\/cdn.northwind.example\/logo.png" alt(="")? referrerpolicy="no-referrer"[^>]*\/?>Northwind Office Supply<\/a>/,
    );
    const theme = /<link rel="stylesheet" href="(\/assets\/theme.css\?[^"]+)"/.exec(
      decoded(home.text),
    )?.[1] as string;
    expect(theme).toBe('/assets/theme.css?brand=0b5d3b&accent=c2410c');
    const css = await request(app).get(theme);
    expect(css.headers['content-type']).toMatch(/text\/css/);
    expect(css.text).toBe(':root{--brand:#0b5d3b;--brand-ink:#fff;--accent:#c2410c;--accent-dark:#c2410c}\n');
    // Only colours get through the URL.
    expect((await request(app).get('/assets/theme.css?brand=red;}body{x:y&accent=fff')).text).toBe(
      ':root{--accent:#ffffff;--accent-dark:#ffffff}\n',
    );
  });

  it("uses the partner's punchout.branding over config, and validates URLs and colours", async () => {
    const partner = (await request(app).get('/api/v1/partners/acme').set(auth(ADMIN_TOKEN))).body;
    const put = (branding: unknown) =>
      request(app)
        .put('/api/v1/partners/acme')
        .set(auth(ADMIN_TOKEN))
        .send({ ...partner, punchout: { ...(partner.punchout ?? {}), branding } });
    const bad = await put({ logoUrl: 'javascript:alert(1)', brandColor: 'green' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('must be an absolute http(s) URL');
    expect(JSON.stringify(bad.body)).toContain('must be a colour written #rrggbb');
    const ok = await put({ supplierName: 'Northwind for Acme', brandColor: '#fde68a' });
    expect(ok.status).toBe(200);
    const { home } = await openShop('brand-partner');
    expect(home.text).toContain('Northwind for Acme</a>');
    expect(home.text).toContain('<title>Catalog · Northwind for Acme</title>');
    const theme = /<link rel="stylesheet" href="(\/assets\/theme.css\?[^"]+)"/.exec(
      decoded(home.text),
    )?.[1] as string;
    // A light brand colour gets dark header text.
    expect((await request(app).get(theme)).text).toContain('--brand:#fde68a;--brand-ink:#1d2433');
    await put(undefined);
  });

  it('refuses a logo URL or colour in config that is not one, naming the accepted form', () => {
    expect(() =>
      loadConfig({
        SUPPLIER_LOGO_URL: 'logo.png',
        SUPPLIER_BRAND_COLOR: 'blue',
        SUPPLIER_ACCENT_COLOR: '#12345',
      }),
    ).toThrow(
      /SUPPLIER_LOGO_URL: must be an absolute http\(s\) URL[\s\S]*SUPPLIER_BRAND_COLOR: must be a colour written #rrggbb[\s\S]*SUPPLIER_ACCENT_COLOR: must be a colour/,
    );
  });
});
