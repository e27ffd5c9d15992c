/**
 * Quantity rules in the shopping pages (issue 16 pt 2): the minimum order quantity, the order
 * multiple (a catalog CSV column), whole numbers for units counted in pieces and a sane maximum are
 * applied at add to cart and at a change of a cart line; a refused quantity is said inline in the
 * cart, with the reason, and changes nothing.
 */
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../../src/app';
import { csvObjects } from '../../../src/catalog/csv';
import { importCatalog } from '../../../src/catalog/service';
import { createTestEnv, type TestEnv } from '../../helpers/env';
import { seedShop, setupRequest, startPath } from './helpers';

let env: TestEnv;
let app: Express;

const CSV = `sku,name,description,unit_price,currency,uom,min_order_qty,order_multiple
GLV-TWELVE,Nitrile gloves (pack),Sold in packs of twelve,2.0000,USD,PK,,12
SAND-KG,Sand,Loose sand by weight,0.8000,USD,KGM,0.5,0.25
`;

beforeAll(async () => {
  env = await createTestEnv();
  await seedShop(env.db);
  await importCatalog(env.db, csvObjects(CSV).rows);
  app = createApp(env.ctx);
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
  const cart = await request(app).get(`${base}cart`);
  const csrf = /name="csrf" value="([^"]+)"/.exec(cart.text)?.[1] as string;
  const session = await env.db('punchout_sessions').where({ buyer_cookie: cookie }).first('id');
  return { base, csrf, sessionId: session.id as string };
}

/** Posts the form, follows the redirect to the cart, and answers the cart page's text. */
async function submit(base: string, action: string, fields: Record<string, string>): Promise<string> {
  const res = await request(app).post(`${base}${action}`).type('form').send(fields);
  expect(res.status).toBe(303);
  const page = await request(app).get(res.headers.location as string);
  expect(page.status).toBe(200);
  return page.text.replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}

const lines = (sessionId: string) =>
  env
    .db('punchout_cart_lines')
    .where({ session_id: sessionId })
    .orderBy('position')
    .select('sku', 'quantity', 'id');

describe('quantity rules at add to cart', () => {
  it('refuses each rule inline in the cart, with the reason, and adds nothing', async () => {
    const { base, csrf, sessionId } = await openShop('qty-1');
    const add = (sku: string, quantity: string) => submit(base, 'cart/add', { csrf, sku, quantity });

    // The example catalog's copy paper: min_order_qty 5 reams.
    expect(await add('PAP-A4-500', '3')).toContain(
      'Not changed: Copy paper A4 80g (ream) (PAP-A4-500): The minimum order quantity is 5 RM.',
    );
    expect(await add('PEN-BLU-12', '1.5')).toContain(
      'The quantity must be a whole number: box (BX) cannot be divided.',
    );
    expect(await add('GLV-TWELVE', '15')).toContain(
      'Sold in multiples of 12 PK: 15 is not one (try 12 or 24).',
    );
    expect(await add('PEN-BLU-12', '99999999')).toContain('At most 1000000 BX per line.');
    expect(await add('PEN-BLU-12', 'ten')).toContain(
      '"ten" is not a quantity: give a number greater than 0 with at most 3 decimals.',
    );
    expect(await lines(sessionId)).toEqual([]);

    // What the rules allow goes in; measured units take fractions in their multiple.
    expect(await add('GLV-TWELVE', '24')).toContain('Added 24 × GLV-TWELVE to your cart.');
    expect(await add('SAND-KG', '0.75')).toContain('Added 0.75 × SAND-KG to your cart.');
    expect((await lines(sessionId)).map((l) => [l.sku, Number(l.quantity)])).toEqual([
      ['GLV-TWELVE', 24],
      ['SAND-KG', 0.75],
    ]);
  });

  it('checks the line as it would be: adding to a line whose total breaks a rule is refused', async () => {
    const { base, csrf, sessionId } = await openShop('qty-2');
    await submit(base, 'cart/add', { csrf, sku: 'GLV-TWELVE', quantity: '12' });
    const page = await submit(base, 'cart/add', { csrf, sku: 'GLV-TWELVE', quantity: '6' });
    expect(page).toContain('Sold in multiples of 12 PK: 18 is not one (try 12 or 24).');
    expect((await lines(sessionId)).map((l) => Number(l.quantity))).toEqual([12]);
  });

  it('refuses a changed line quantity inline and keeps the line as it was', async () => {
    const { base, csrf, sessionId } = await openShop('qty-3');
    await submit(base, 'cart/add', { csrf, sku: 'PAP-A4-500', quantity: '5' });
    const [line] = await lines(sessionId);
    const page = await submit(base, 'cart/update', { csrf, line: line!.id, quantity: '2' });
    expect(page).toContain(
      'Not changed: Copy paper A4 80g (ream) (PAP-A4-500): The minimum order quantity is 5 RM.',
    );
    expect(page).toContain('PAP-A4-500'); // the cart with its line, not an error page
    expect(Number((await lines(sessionId))[0]!.quantity)).toBe(5);
    expect(await submit(base, 'cart/update', { csrf, line: line!.id, quantity: '10' })).toContain(
      'Quantity changed to 10.',
    );
  });

  it('offers the least accepted quantity on the product page', async () => {
    const { base } = await openShop('qty-4');
    const page = await request(app).get(`${base}item/GLV-TWELVE`);
    expect(page.text).toMatch(/name="quantity"[^>]*value="12"|value="12"[^>]*name="quantity"/);
  });
});
