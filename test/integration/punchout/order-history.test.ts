/**
 * Order history and one-click reorder in the punchout shopping pages: real HTTP against the app,
 * real Postgres. Orders come in through the JSON order API (or straight into the tables where a
 * line must reference a SKU the intake would refuse).
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../../src/app';
import { sha256Hex } from '../../../src/platform/secrets';
import { auth, createTestEnv, type TestEnv } from '../../helpers/env';
import { insertConfirmedOrder } from '../../helpers/orders';
import { seedPartner } from '../../helpers/partners';
import { validateCxml } from '../../helpers/xmllint';
import { seedShop, setupRequest, startPath, type SetupOptions } from './helpers';

let env: TestEnv;
let app: Express;
let acmeKey: string;
let globexKey: string;
const GLOBEX = { fromIdentity: 'AN-GLOBEX', secret: 'globex-secret-1' };

beforeAll(async () => {
  // No workers: orders stay "received" instead of being approved and confirmed in the background.
  env = await createTestEnv({ start: false });
  acmeKey = (await seedShop(env.db)).erpKey;
  globexKey = (
    await seedPartner(env.db, {
      id: 'globex',
      name: 'Globex',
      priceList: null,
      cxml: {
        credentials: [{ domain: 'NetworkID', identity: GLOBEX.fromIdentity }],
        sharedSecret: GLOBEX.secret,
        cartReturn: 'cxml-urlencoded',
        statusUpdates: false,
      },
      x12: { isaQualifier: 'ZZ', isaId: 'GLOBEX', gsId: 'GLOBEX', version: '004010', ta1: false },
      oci: {
        username: 'globex-buyer',
        password: 'globex-password',
        hookUrlAllowlist: ['https://globex.example/'],
      },
    })
  ).erpKey;
  app = createApp(env.ctx);
});
afterAll(async () => {
  await env.close();
});

const form = (path: string, fields: Record<string, string>) =>
  request(app).post(path).type('form').send(fields);

async function openShop(o: SetupOptions = {}) {
  const res = await request(app).post('/cxml').set('Content-Type', 'text/xml').send(setupRequest(o));
  expect(res.status).toBe(200);
  const start = await request(app).get(startPath(res.text));
  expect(start.status).toBe(303);
  const base = start.headers.location as string;
  const cart = await request(app).get(`${base}cart`);
  const csrf = /name="csrf" value="([^"]+)"/.exec(cart.text)?.[1] as string;
  // base is /punchout/s/<browser token>/
  const session = await env
    .db('punchout_sessions')
    .where({ browser_token_hash: sha256Hex(base.split('/')[3]!) })
    .first();
  return { base, csrf, session };
}

function returnedCxml(html: string): string {
  const m = /name="cxml-urlencoded" value="([^"]*)"/.exec(html);
  if (!m) throw new Error(`no cxml-urlencoded field in ${html}`);
  return m[1]!
    .replace(/&#10;/g, '\n')
    .replace(/&#13;/g, '\r')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

async function cartLines(sid: string) {
  return env
    .db('punchout_cart_lines')
    .where({ session_id: sid })
    .orderBy('position')
    .select('sku', 'quantity', 'unit_price', 'currency');
}

async function postOrder(
  key: string,
  number: string,
  lines: { sku: string; quantity: string; price: string }[],
): Promise<string> {
  const total = lines.reduce((s, l) => s + Number(l.quantity) * Number(l.price) * 100, 0) / 100;
  const res = await request(app)
    .post('/api/v1/orders')
    .set(auth(key))
    .send({
      buyerOrderNumber: number,
      orderDate: '2026-11-20T09:00:00Z',
      currency: 'USD',
      total: total.toFixed(2),
      lines: lines.map((l, i) => ({
        lineNumber: i + 1,
        supplierPartId: l.sku,
        quantity: l.quantity,
        unitOfMeasure: 'EA',
        unitPrice: l.price,
      })),
    });
  expect(res.status).toBe(201);
  return res.body.orderId as string;
}

const rowsOf = (html: string) => [...html.matchAll(/<tr data-order="([^"]+)"/g)].map((m) => m[1]);

describe('order history', () => {
  let acmeFirst: string;
  let globexOrder: string;
  beforeAll(async () => {
    acmeFirst = await postOrder(acmeKey, 'ACME-H1', [
      { sku: 'CHR-ERG-01', quantity: '2', price: '259.00' },
      { sku: 'PEN-BLU-12', quantity: '3', price: '4.50' },
    ]);
    await postOrder(acmeKey, 'ACME-H2', [{ sku: 'PEN-BLU-12', quantity: '10', price: '4.50' }]);
    globexOrder = await postOrder(globexKey, 'GLOBEX-H1', [
      { sku: 'PAP-A4-500', quantity: '5', price: '5.20' },
    ]);
  });

  it("lists only the session partner's orders, newest first, with number, status, total and line count", async () => {
    const { base } = await openShop();
    const page = await request(app).get(`${base}orders`);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'self' https://buyer.example");
    expect(rowsOf(page.text)).toEqual(['ACME-H2', 'ACME-H1']);
    expect(page.text).not.toContain('GLOBEX-H1');
    const h1 = /<tr data-order="ACME-H1">[\s\S]*?<\/tr>/.exec(page.text)?.[0] as string;
    expect(h1).toContain('2026-11-20');
    expect(h1).toContain('<td class="status">received</td>');
    expect(h1).toContain('531.50 USD');
    expect(h1).toContain('<td class="num lines">2</td>');
    expect(h1).toContain(`orders/${acmeFirst}/reorder`);

    const other = await openShop(GLOBEX);
    expect(rowsOf((await request(app).get(`${other.base}orders`)).text)).toEqual(['GLOBEX-H1']);
  });

  it('shows an order with its lines at the prices of the order', async () => {
    const { base } = await openShop();
    const page = await request(app).get(`${base}orders/${acmeFirst}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Order ACME-H1</h1>');
    const chair = /<tr data-sku="CHR-ERG-01">[\s\S]*?<\/tr>/.exec(page.text)?.[0] as string;
    expect(chair).toContain('<td class="num quantity">2 EA</td>');
    expect(chair).toContain('259.00 USD');
    expect(page.text).toMatch(/<tr data-sku="PEN-BLU-12">[\s\S]*?4\.50 USD/);
  });

  it("answers another partner's order id with the same not-found page as an unknown id", async () => {
    const { base, csrf, session } = await openShop();
    const foreign = await request(app).get(`${base}orders/${globexOrder}`);
    const unknown = await request(app).get(`${base}orders/${randomUUID()}`);
    const garbage = await request(app).get(`${base}orders/not-an-id`);
    expect([foreign.status, unknown.status, garbage.status]).toEqual([404, 404, 404]);
    expect(foreign.text).toBe(unknown.text);
    expect(garbage.text).toBe(unknown.text);
    expect(foreign.text).not.toContain('GLOBEX-H1');
    const reorder = await form(`${base}orders/${globexOrder}/reorder`, { csrf });
    expect(reorder.status).toBe(404);
    expect(reorder.text).toBe(unknown.text);
    expect(await cartLines(session.id)).toEqual([]);
  });

  it('pages the history 20 orders at a time', async () => {
    for (let i = 1; i <= 22; i++)
      await insertConfirmedOrder(env.db, {
        partnerId: 'globex',
        buyerOrderNumber: `GLOBEX-P${String(i).padStart(2, '0')}`,
        lines: [{ sku: 'PAP-A4-500', quantity: '1', unitPrice: '5.20' }],
      });
    const { base } = await openShop(GLOBEX);
    const first = await request(app).get(`${base}orders`);
    const firstRows = rowsOf(first.text);
    expect(firstRows).toHaveLength(20);
    expect(firstRows[0]).toBe('GLOBEX-P22');
    expect(first.text).toContain('23 order(s), page 1 of 2');
    expect(first.text).toContain(`href="${base}orders?page=2" id="older"`);
    expect(first.text).not.toContain('id="newer"');
    const second = await request(app).get(`${base}orders?page=2`);
    expect(rowsOf(second.text)).toEqual(['GLOBEX-P02', 'GLOBEX-P01', 'GLOBEX-H1']);
    expect(second.text).toContain('id="newer"');
    expect(second.text).not.toContain('id="older"');
  });
});

describe('reorder', () => {
  it("puts every line into the cart at today's prices, merged with the cart's lines", async () => {
    const orderId = await postOrder(acmeKey, 'ACME-R1', [
      { sku: 'CHR-ERG-01', quantity: '2', price: '259.00' },
      { sku: 'PEN-BLU-12', quantity: '3', price: '4.50' },
    ]);
    // The contract price of the chair changes after the order.
    await env
      .db('price_list_entries')
      .where({ price_list: 'acme-contract-2026', sku: 'CHR-ERG-01' })
      .update({ unit_price: '239.5000' });
    try {
      const { base, csrf, session } = await openShop({ buyerCookie: 'reorder-1' });
      expect((await form(`${base}cart/add`, { csrf, sku: 'PEN-BLU-12', quantity: '47' })).status).toBe(303);
      const posted = await form(`${base}orders/${orderId}/reorder`, { csrf });
      // POST/redirect/GET: reloading the cart page shows the outcome again without adding again.
      expect(posted.status).toBe(303);
      expect(posted.headers.location).toMatch(new RegExp(`^${base}cart\\?reordered=${orderId}&added=2$`));
      const res = await request(app).get(posted.headers.location as string);
      expect(res.status).toBe(200);
      expect(res.text).toContain("2 line(s) of order ACME-R1 added to your cart at today's prices");
      expect((await request(app).get(posted.headers.location as string)).text).toBe(res.text);
      expect(res.text).not.toContain('id="skipped"');
      expect(res.text).toContain('239.50 USD');
      // 47 + 3 pens reach the 50 break, as adding 3 by hand would.
      expect(await cartLines(session.id)).toEqual([
        { sku: 'PEN-BLU-12', quantity: '50', unit_price: '4.2000', currency: 'USD' },
        { sku: 'CHR-ERG-01', quantity: '2', unit_price: '239.5000', currency: 'USD' },
      ]);
      const done = await form(`${base}transfer`, { csrf });
      const xml = returnedCxml(done.text);
      expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
      expect(xml).toMatch(/<Total>\s*<Money currency="USD">689.00<\/Money>/); // 50 x 4.20 + 2 x 239.50
    } finally {
      await env
        .db('price_list_entries')
        .where({ price_list: 'acme-contract-2026', sku: 'CHR-ERG-01' })
        .update({ unit_price: '259.0000' });
    }
  });

  it('skips lines whose SKU left the catalog or that the partner may not see, and says which and why', async () => {
    const { id } = await insertConfirmedOrder(env.db, {
      partnerId: 'acme',
      buyerOrderNumber: 'ACME-R2',
      lines: [
        { sku: 'PEN-BLU-12', quantity: '2', unitPrice: '4.50' },
        { sku: 'DISCONTINUED-9', quantity: '1', unitPrice: '9.99' },
        { sku: 'GLV-NIT-M', quantity: '10', unitPrice: '12.345' },
      ],
    });
    await env.db('partners').where({ id: 'acme' }).update({ catalog_visibility: 'priceList' });
    try {
      const { base, csrf, session } = await openShop({ buyerCookie: 'reorder-2' });
      const posted = await form(`${base}orders/${id}/reorder`, { csrf });
      expect(posted.status).toBe(303);
      const res = await request(app).get(posted.headers.location as string);
      expect(res.status).toBe(200);
      expect(res.text).toContain('1 line(s) of order ACME-R2 added');
      const skipped = [
        ...res.text.matchAll(/<li data-sku="([^"]+)" data-reason="([^"]+)">([^<]*)<\/li>/g),
      ].map((m) => [m[1], m[2], m[3]]);
      expect(skipped).toEqual([
        ['DISCONTINUED-9', 'unknown', 'DISCONTINUED-9 (line 2): this product is no longer in the catalog'],
        ['GLV-NIT-M', 'not_visible', 'GLV-NIT-M (line 3): this product is not in your catalog'],
      ]);
      expect(await cartLines(session.id)).toEqual([
        { sku: 'PEN-BLU-12', quantity: '2', unit_price: '4.5000', currency: 'USD' },
      ]);
    } finally {
      await env.db('partners').where({ id: 'acme' }).update({ catalog_visibility: 'all' });
    }
  });

  it("a cart URL naming another partner's order, or lines and reasons that do not exist, shows no such notice", async () => {
    const globexOrder = await postOrder(globexKey, 'GLOBEX-R1', [
      { sku: 'PAP-A4-500', quantity: '1', price: '5.20' },
    ]);
    const own = await postOrder(acmeKey, 'ACME-R5', [{ sku: 'PEN-BLU-12', quantity: '1', price: '4.50' }]);
    const { base } = await openShop();
    const foreign = await request(app).get(`${base}cart?reordered=${globexOrder}&added=1`);
    expect(foreign.status).toBe(200);
    expect(foreign.text).not.toContain('reorder-result');
    expect(foreign.text).not.toContain('GLOBEX-R1');
    const crafted = await request(app).get(
      `${base}cart?reordered=${own}&added=<b>9</b>&skipped=1.unknown,7.unknown,1.<script>,1.toString`,
    );
    expect(crafted.text).toContain('0 line(s) of order ACME-R5 added');
    expect(
      [...crafted.text.matchAll(/<li data-sku="([^"]+)" data-reason="([^"]+)">/g)].map((m) => [m[1], m[2]]),
    ).toEqual([['PEN-BLU-12', 'unknown']]);
    expect(crafted.text).not.toContain('<script>');
  });

  it('refuses a reorder without the CSRF token and leaves the cart alone', async () => {
    const orderId = await postOrder(acmeKey, 'ACME-R3', [
      { sku: 'PEN-BLU-12', quantity: '1', price: '4.50' },
    ]);
    const { base, session } = await openShop();
    const res = await form(`${base}orders/${orderId}/reorder`, {});
    expect(res.status).toBe(403);
    expect(res.text).toContain('Form expired');
    expect(await cartLines(session.id)).toEqual([]);
  });

  it('lets an inspect session see the history but not reorder', async () => {
    const orderId = await postOrder(acmeKey, 'ACME-R4', [
      { sku: 'CHR-ERG-01', quantity: '1', price: '259.00' },
    ]);
    const items = `<ItemOut quantity="3" lineNumber="1"><ItemID><SupplierPartID>PEN-BLU-12</SupplierPartID></ItemID><ItemDetail><UnitPrice><Money currency="USD">4.50</Money></UnitPrice><Description xml:lang="en">Pens</Description><UnitOfMeasure>BX</UnitOfMeasure></ItemDetail></ItemOut>`;
    const { base, csrf, session } = await openShop({ operation: 'inspect', itemsXml: items });
    const list = await request(app).get(`${base}orders`);
    expect(list.status).toBe(200);
    expect(rowsOf(list.text)).toContain('ACME-R4');
    expect(list.text).not.toContain('/reorder');
    const detail = await request(app).get(`${base}orders/${orderId}`);
    expect(detail.status).toBe(200);
    expect(detail.text).not.toContain('/reorder');
    const res = await form(`${base}orders/${orderId}/reorder`, { csrf });
    expect(res.status).toBe(403);
    expect(res.text).toContain('Read-only cart');
    expect((await cartLines(session.id)).map((l) => l.sku)).toEqual(['PEN-BLU-12']);
  });
});

describe('order dates and numbers on the order pages (issue 13)', () => {
  it("shows the buyer's own calendar date of an order placed at 18:41 -08:00, and our order number", async () => {
    const res = await request(app)
      .post('/api/v1/orders')
      .set(auth(acmeKey))
      .send({
        buyerOrderNumber: 'ACME-LATE',
        orderDate: '2026-11-20T18:41:29-08:00',
        currency: 'USD',
        total: '4.50',
        lines: [
          {
            lineNumber: 1,
            supplierPartId: 'PEN-BLU-12',
            quantity: '1',
            unitOfMeasure: 'EA',
            unitPrice: '4.5',
          },
        ],
      });
    expect(res.status).toBe(201);
    const row = await env.db('orders').where({ id: res.body.orderId }).first('supplier_order_number');
    const { base } = await openShop();
    const list = await request(app).get(`${base}orders`);
    // 02:41 UTC on the 21st is still the 20th for the buyer.
    expect(list.text).toMatch(/data-order="ACME-LATE"><td><a [^>]+>ACME-LATE<\/a><\/td><td>2026-11-20<\/td>/);
    const detail = await request(app).get(`${base}orders/${res.body.orderId}`);
    expect(detail.text).toContain('<dd>2026-11-20</dd>');
    expect(detail.text).toContain(`<dd id="supplier-order">${row.supplier_order_number}</dd>`);
    expect(detail.text).toContain('4.50 USD');
  });
});
