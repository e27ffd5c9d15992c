/**
 * The demo buyer's pieces without a browser: the documents it sends are valid cXML, its forms refuse
 * a post without the browser's token, its pages are framed only by themselves, its inbox answers a
 * cXML Response and keeps what arrives, and the demo partner (new or seeded before) delivers there.
 */
import request from 'supertest';
import {
  buildOrderRequest,
  buildPunchOutOrderMessage,
  buildPunchOutSetupRequest,
  buildResponse,
  parseCxml,
  parseOrderRequest,
  parsePunchOutOrderMessage,
  parsePunchOutSetupRequest,
} from '../../../protocols/cxml';
import { createApp } from '../../../src/app';
import { buildOciCartFields } from '../../../protocols/oci';
import {
  demoHookPrefix,
  demoInboxUrl,
  ensureDemoCatalog,
  ensureDemoHook,
  ensureDemoImages,
  ensureDemoInbox,
  seedDemo,
} from '../../../src/demo';
import { findPartner } from '../../../src/partners/repository';
import { createUser } from '../../../src/console/users';
import { createTestEnv, type TestEnv } from '../../helpers/env';
import { consoleSignIn } from '../../helpers/pages';
import { validateCxml } from '../../helpers/xmllint';

let t: TestEnv;
beforeAll(async () => {
  t = await createTestEnv({ start: false, env: { DEMO: '1', PUBLIC_BASE_URL: 'http://gw.example:8080' } });
  await seedDemo(t.ctx);
});
afterAll(() => t?.close());

const env = (payloadId: string) => ({
  payloadId,
  timestamp: '2026-12-04T10:00:00+00:00',
  header: {
    from: { domain: 'NetworkID', identity: 'AN-DEMO-BUYER' },
    to: { domain: 'NetworkID', identity: 'AN-SUPPLIER-DEMO' },
    sender: {
      credentials: { domain: 'NetworkID', identity: 'AN-DEMO-BUYER', sharedSecret: 's' },
      userAgent: 'demo-buyer',
    },
  },
});

describe('buyer-side cXML', () => {
  it('writes a PunchOutSetupRequest and an OrderRequest of a returned cart that validate and read back', () => {
    const setup = buildPunchOutSetupRequest(env('p1@demo'), {
      buyerCookie: 'c-1',
      browserFormPostUrl: 'http://gw.example/demo/buyer/cart/tok',
      supplierSetupUrl: 'http://gw.example/cxml',
      user: { name: 'Dana', email: 'dana@demo.example' },
    });
    expect(validateCxml(setup)).toEqual({ ok: true, errors: '' });
    expect(parsePunchOutSetupRequest(setup).browserFormPostUrl).toBe('http://gw.example/demo/buyer/cart/tok');

    const message = buildPunchOutOrderMessage(env('p2@demo'), {
      buyerCookie: 'c-1',
      operationAllowed: 'edit',
      currency: 'USD',
      total: '22.50',
      items: [
        {
          quantity: '5',
          supplierPartId: 'PEN-BLU-12',
          supplierAuxiliaryId: 'line-1',
          unitPrice: '4.50',
          description: 'Ballpoint pens & more',
          unitOfMeasure: 'BX',
          classification: '44121701',
        },
      ],
    });
    const cart = parsePunchOutOrderMessage(message);
    expect(cart).toMatchObject({ buyerCookie: 'c-1', currency: 'USD', total: '22.50' });
    expect(cart.items[0]).toMatchObject({
      quantity: '5',
      supplierPartId: 'PEN-BLU-12',
      supplierAuxiliaryId: 'line-1',
      unitPrice: '4.50',
      description: 'Ballpoint pens & more',
    });

    const order = buildOrderRequest(env('p3@demo'), {
      orderId: 'DEMO-PO-1',
      orderDate: '2026-12-04T10:00:00+00:00',
      cart,
      address: { id: 'HQ', name: 'HQ', street: '1 Way', city: 'Town', postalCode: '1', country: 'US' },
    });
    expect(validateCxml(order)).toEqual({ ok: true, errors: '' });
    const read = parseOrderRequest(parseCxml(order)).order;
    expect(read.buyerOrderNumber).toBe('DEMO-PO-1');
    expect(order).toContain('<Money currency="USD">22.50</Money>');
  });
});

describe('demo buyer pages', () => {
  it('are framed only by themselves and frame only us; a form without the browser token is refused', async () => {
    const app = createApp(t.ctx);
    const page = await request(app).get('/demo/buyer').set('Host', 'gw.example:8080').expect(200);
    expect(page.text).not.toContain('Open the demo buyer at');
    const elsewhere = await request(app).get('/demo/buyer').set('Host', '127.0.0.1:8080').expect(200);
    expect(elsewhere.text).toContain('Open the demo buyer at http://gw.example:8080/demo/buyer');
    const csp = page.headers['content-security-policy'] as string;
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).toContain("frame-src 'self'");
    const cookie = (page.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)![1]!;

    await request(app).post('/demo/buyer/punchout').type('form').send({ csrf }).expect(403);
    await request(app)
      .post('/demo/buyer/punchout')
      .set('Cookie', 'gw_demo_buyer=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')
      .type('form')
      .send({ csrf })
      .expect(403);
    await request(app)
      .post('/demo/buyer/cart/not-the-token')
      .set('Cookie', cookie)
      .type('form')
      .send({})
      .expect(403);
    await request(app)
      .post('/demo/buyer/order')
      .set('Cookie', cookie)
      .type('form')
      .send({ cart: 'x' })
      .expect(403);
    // With the token, a cart that is no PunchOutOrderMessage is a 400 page.
    await request(app)
      .post(`/demo/buyer/cart/${csrf}`)
      .set('Cookie', cookie)
      .type('form')
      .send({})
      .expect(400);
    // The catalog's way back without items: an empty cart, and nothing offered to order.
    const empty = buildPunchOutOrderMessage(env('p-empty@demo'), {
      buyerCookie: 'c-1',
      operationAllowed: 'edit',
      currency: 'USD',
      total: '0.00',
      items: [],
    });
    expect(validateCxml(empty)).toEqual({ ok: true, errors: '' });
    const back = await request(app)
      .post(`/demo/buyer/cart/${csrf}`)
      .set('Cookie', cookie)
      .type('form')
      .send({ 'cxml-urlencoded': empty })
      .expect(200);
    expect(back.text).toContain('id="cart-empty"');
    expect(back.text).not.toContain('id="submit-order"');
  });

  it('the inbox answers 200 with a cXML Response and lists what arrived; not cXML is refused in cXML', async () => {
    const app = createApp(t.ctx);
    const inboxPath = new URL(demoInboxUrl(t.config)).pathname;
    expect(inboxPath).toMatch(/^\/demo\/buyer\/inbox\/[A-Za-z0-9_-]{43}$/);
    const doc = buildResponse({ payloadId: 'inbox-test-1@gw', timestamp: new Date(), code: 200 });
    const ok = await request(app).post(inboxPath).set('Content-Type', 'text/xml').send(doc);
    expect(ok.status).toBe(200);
    expect(parseCxml(ok.text).status?.code).toBe(200);
    const bad = await request(app).post(inboxPath).set('Content-Type', 'text/xml').send('<nope');
    expect(bad.status).toBe(400);
    expect(parseCxml(bad.text).status?.code).toBe(400);
    // Under a URL the gateway did not give out: refused, nothing kept.
    const doc2 = buildResponse({ payloadId: 'inbox-test-2@gw', timestamp: new Date(), code: 200 });
    const guessed = await request(app)
      .post(`/demo/buyer/inbox/${'A'.repeat(43)}`)
      .set('Content-Type', 'text/xml')
      .send(doc2);
    expect(guessed.status).toBe(403);
    expect(parseCxml(guessed.text).status?.code).toBe(403);
    const page = await request(app).get('/demo/buyer').expect(200);
    expect(page.text).toContain('inbox-test-1@gw');
    expect(page.text).not.toContain('inbox-test-2@gw');
    const id = /href="\/demo\/buyer\/inbox\/([0-9a-f-]{36})"/.exec(page.text)![1]!;
    const view = await request(app).get(`/demo/buyer/inbox/${id}`).expect(200);
    expect(view.text).toContain('inbox-test-1@gw');
    await request(app).get('/demo/buyer/inbox/not-an-id').expect(404);
  });

  it('is linked from the console home after sign-in, wherever DEMO mounts it (issue 16)', async () => {
    const app = createApp(t.ctx);
    await createUser(t.db, { username: 'dana', roles: ['operator'] }, 'a-long-password-1', {
      actor: { label: 'test' },
      now: new Date(),
    });
    const { session } = await consoleSignIn(app, 'dana', 'a-long-password-1');
    const home = await request(app).get('/').set('Cookie', `gw_console=${session}`).expect(200);
    expect(home.text).toContain('Welcome, dana');
    expect(home.text).toMatch(/<p id="demo-buyer-link"><a href="\/demo\/buyer">Demo buyer<\/a>/);
  });

  it('does not exist without DEMO', async () => {
    const off = await createTestEnv({ start: false });
    try {
      await request(createApp(off.ctx)).get('/demo/buyer').expect(404);
      await request(createApp(off.ctx)).post('/demo/buyer/inbox').send('<cXML/>').expect(404);
    } finally {
      await off.close();
    }
  });
});

describe('the demo partner delivers to the inbox', () => {
  const outbound = async () => (await findPartner(t.db, 'demo'))?.settings.cxml?.outboundUrl;
  const setOutbound = async (url: string | undefined) => {
    const p = (await findPartner(t.db, 'demo'))!;
    const { outboundUrl: _drop, ...cxml } = p.settings.cxml!;
    const settings = { ...p.settings, cxml: url ? { ...cxml, outboundUrl: url } : cxml };
    await t
      .db('partners')
      .where({ id: 'demo' })
      .update({ settings: JSON.stringify(settings) });
  };

  it('when seeded, when seeded before the demo buyer existed or under another port, not when given its own', async () => {
    const url = demoInboxUrl(t.config);
    expect(url.startsWith('http://gw.example:8080/demo/buyer/inbox/')).toBe(true);
    expect(await outbound()).toBe(url);
    expect(await ensureDemoInbox(t.ctx)).toBe(false);

    await setOutbound(undefined);
    expect(await ensureDemoInbox(t.ctx)).toBe(true);
    expect(await outbound()).toBe(url);

    await setOutbound('http://localhost:3000/demo/buyer/inbox');
    expect(await ensureDemoInbox(t.ctx)).toBe(true);
    expect(await outbound()).toBe(url);
    expect(await ensureDemoInbox(t.ctx)).toBe(false);

    await setOutbound('https://buyer.example/cxml');
    expect(await ensureDemoInbox(t.ctx)).toBe(false);
    expect(await outbound()).toBe('https://buyer.example/cxml');
    await setOutbound(url);
  });
});

/** The demo buyer's page: its cookie and form token. */
async function demoSession(app: ReturnType<typeof createApp>): Promise<{ cookie: string; csrf: string }> {
  const page = await request(app).get('/demo/buyer').expect(200);
  const cookie = (page.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!;
  return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(page.text)![1]! };
}

describe('the demo buyer over OCI', () => {
  it('opens the catalog with the OCI login and a HOOK_URL of its own, which the demo partner allows', async () => {
    const app = createApp(t.ctx);
    const { cookie, csrf } = await demoSession(app);
    const started = await request(app)
      .post('/demo/buyer/punchout-oci')
      .set('Cookie', cookie)
      .type('form')
      .send({ csrf })
      .expect(200);
    expect(started.text).toContain(`src="/demo/buyer/oci-login/${csrf}"`);
    await request(app).post('/demo/buyer/punchout-oci').type('form').send({ csrf }).expect(403);

    await request(app).get(`/demo/buyer/oci-login/${csrf}`).expect(403);
    await request(app).get('/demo/buyer/oci-login/not-the-token').set('Cookie', cookie).expect(403);
    const login = await request(app).get(`/demo/buyer/oci-login/${csrf}`).set('Cookie', cookie).expect(200);
    const csp = login.headers['content-security-policy'] as string;
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).toContain("form-action 'self' http://gw.example:8080");
    expect(csp).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]+'/);
    expect(login.text).toContain('action="http://gw.example:8080/oci"');
    const fields = Object.fromEntries(
      [...login.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
        m[1]!,
        m[2]!,
      ]),
    );
    expect(fields).toEqual({
      USERNAME: 'demo-buyer',
      PASSWORD: 'demo-password',
      HOOK_URL: `http://gw.example:8080/demo/buyer/oci-cart/${csrf}`,
      '~OkCode': 'ADDI',
      '~CALLER': 'CTLG',
      '~TARGET': '_top',
    });
    // The gateway takes that login: a session whose cart goes back to the demo buyer.
    const opened = await request(app).post('/oci').type('form').send(fields).expect(303);
    expect(opened.headers.location).toMatch(/^\/punchout\/start\//);
    // Another HOOK_URL of this host is not on the allowlist.
    await request(app)
      .post('/oci')
      .type('form')
      .send({ ...fields, HOOK_URL: 'http://gw.example:8080/elsewhere' })
      .expect(403);
  });

  it('takes the cart at its HOOK_URL only with the browser token and lists it by index; ordering it needs the token too', async () => {
    const app = createApp(t.ctx);
    const { cookie, csrf } = await demoSession(app);
    const cart = Object.fromEntries(
      buildOciCartFields([
        {
          description: 'Nitrile gloves size M (100)',
          quantity: '10',
          unitOfMeasure: 'BX',
          unitPrice: '12.345',
          currency: 'USD',
          supplierPartId: 'GLV-NIT-M',
          unspsc: '46181504',
        },
        {
          description: 'Copy paper A4 80g (ream)',
          quantity: '5',
          unitOfMeasure: 'RM',
          unitPrice: '5.20',
          currency: 'USD',
          supplierPartId: 'PAP-A4-500',
        },
      ]).reverse(),
    );
    const before = await t.db('demo_buyer_inbox').count<{ n: string }[]>({ n: '*' });
    // Without the token of the browser, or without its cookie: refused, nothing shown or kept.
    const wrong = await request(app)
      .post('/demo/buyer/oci-cart/not-the-token')
      .set('Cookie', cookie)
      .type('form')
      .send(cart)
      .expect(403);
    expect(wrong.text).not.toContain('GLV-NIT-M');
    await request(app).post(`/demo/buyer/oci-cart/${csrf}`).type('form').send(cart).expect(403);
    expect(await t.db('demo_buyer_inbox').count<{ n: string }[]>({ n: '*' })).toEqual(before);

    const page = await request(app)
      .post(`/demo/buyer/oci-cart/${csrf}`)
      .set('Cookie', cookie)
      .type('form')
      .send(cart)
      .expect(200);
    const rows = [...page.text.matchAll(/<tr data-sku="([^"]+)" data-index="(\d+)">/g)].map((m) => [
      m[2],
      m[1],
    ]);
    expect(rows).toEqual([
      ['1', 'GLV-NIT-M'],
      ['2', 'PAP-A4-500'],
    ]);
    // 10 × 12.345 + 5 × 5.20
    expect(page.text).toContain('<td class="num" id="cart-total">149.45 USD</td>');
    expect(page.text).toContain('12.345 USD');

    const bad = await request(app)
      .post(`/demo/buyer/oci-cart/${csrf}`)
      .set('Cookie', cookie)
      .type('form')
      .send({ ...cart, 'NEW_ITEM-CURRENCY[2]': 'EUR' })
      .expect(400);
    expect(bad.text).toContain('NEW_ITEM-CURRENCY[2]');

    const oci = /name="oci" value="([^"]+)"/.exec(page.text)![1]!.replace(/&amp;/g, '&');
    await request(app)
      .post('/demo/buyer/order-oci')
      .set('Cookie', cookie)
      .type('form')
      .send({ oci })
      .expect(403);
  });
});

interface DemoItem {
  sku: string;
  category: string;
  image_url: string;
  stock_quantity: string;
  lead_time_days: number | null;
  attributes: [string, string][];
}

describe('the demo catalog', () => {
  it('is seeded with pictures served here, availability, specifications and a three-level tree', async () => {
    const items = await t
      .db<DemoItem>('catalog_items')
      .select('sku', 'category', 'image_url', 'stock_quantity', 'lead_time_days', 'attributes')
      .orderBy('sku');
    expect(items.length).toBeGreaterThanOrEqual(10);
    for (const i of items) {
      expect(i.image_url).toMatch(/^http:\/\/gw\.example:8080\/assets\/demo\/[a-z-]+\.svg$/);
      expect(i.attributes.length).toBeGreaterThan(0);
    }
    expect(items.some((i) => i.category.split('/').length === 3)).toBe(true);
    const bySku = new Map(items.map((i) => [i.sku, i]));
    expect(Number(bySku.get('CHR-ERG-01')!.stock_quantity)).toBeGreaterThan(0);
    expect(bySku.get('STL-DRF-01')).toMatchObject({ lead_time_days: 14 });
    expect(Number(bySku.get('STL-DRF-01')!.stock_quantity)).toBe(0);
    expect(bySku.get('DSK-STD-160')).toMatchObject({ lead_time_days: null });

    const app = createApp(t.ctx);
    for (const i of items) {
      const svg = await request(app).get(new URL(i.image_url).pathname).expect(200);
      expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
      expect(svg.headers['content-security-policy']).toContain("default-src 'none'");
      expect(String(svg.body)).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect(String(svg.body)).not.toMatch(/href|<script|url\(/i);
    }
    await request(app).get('/assets/demo/nope.svg').expect(404);
    await request(app).get('/assets/demo/..%2Fpartner.json').expect(404);
  });

  it('keeps its pictures and the OCI HOOK_URL at this address when PUBLIC_BASE_URL changes', async () => {
    const allowlist = async () => (await findPartner(t.db, 'demo'))?.settings.oci?.hookUrlAllowlist;
    expect(await allowlist()).toEqual([
      'http://localhost/',
      'http://127.0.0.1/',
      'http://gw.example:8080/demo/buyer/oci-cart/',
    ]);
    expect(await ensureDemoHook(t.ctx)).toBe(false);
    expect(await ensureDemoImages(t.ctx)).toBe(0);

    // The same data dir started under another PORT.
    const moved = { ...t.ctx, config: { ...t.config, publicBaseUrl: 'http://localhost:3115' } };
    try {
      expect(demoHookPrefix(moved.config)).toBe('http://localhost:3115/demo/buyer/oci-cart/');
      expect(await ensureDemoHook(moved)).toBe(true);
      expect(await allowlist()).toEqual([
        'http://localhost/',
        'http://127.0.0.1/',
        'http://localhost:3115/demo/buyer/oci-cart/',
      ]);
      expect(await ensureDemoHook(moved)).toBe(false);
      await t.db('catalog_items').insert({
        sku: 'OWN-PIC',
        name: 'Own picture',
        unit_price: '1',
        currency: 'USD',
        uom: 'EA',
        image_url: 'https://cdn.example/assets/demo/x.jpg',
      });
      expect(await ensureDemoImages(moved)).toBe(10);
      const picture = async (sku: string) =>
        (await t.db<DemoItem>('catalog_items').where({ sku }).first('image_url'))?.image_url;
      expect(await picture('CHR-ERG-01')).toBe('http://localhost:3115/assets/demo/chair.svg');
      expect(await picture('OWN-PIC')).toBe('https://cdn.example/assets/demo/x.jpg');
      // Back at the first address.
      expect(await ensureDemoHook(t.ctx)).toBe(true);
      expect(await ensureDemoImages(t.ctx)).toBe(10);
    } finally {
      await t.db('catalog_items').where({ sku: 'OWN-PIC' }).delete();
    }
  });

  it("an untouched first demo catalog becomes today's at start; a catalog the operator changed stays", async () => {
    const first = ['CHR-ERG-01', 'GLV-NIT-M', 'PAP-A4-500', 'PEN-BLU-12'];
    const asFirstSeeded = async () => {
      await t.db('catalog_items').whereNotIn('sku', first).delete();
      await t
        .db('catalog_items')
        .update({ image_url: null, stock_quantity: null, attributes: null, category: 'Furniture/Seating' });
    };
    const count = async () => Number((await t.db('catalog_items').count<{ n: string }[]>({ n: '*' }))[0]!.n);
    expect(await ensureDemoCatalog(t.ctx)).toBe(false);

    await asFirstSeeded();
    await t.db('catalog_items').where({ sku: 'PEN-BLU-12' }).update({ stock_quantity: '3' });
    expect(await ensureDemoCatalog(t.ctx)).toBe(false);
    await asFirstSeeded();
    await t
      .db('catalog_items')
      .insert({ sku: 'OWN-1', name: 'Own', unit_price: '1', currency: 'USD', uom: 'EA' });
    expect(await ensureDemoCatalog(t.ctx)).toBe(false);
    expect(await count()).toBe(5);

    await t.db('catalog_items').where({ sku: 'OWN-1' }).delete();
    expect(await ensureDemoCatalog(t.ctx)).toBe(true);
    expect(await count()).toBe(10);
    const chair = await t
      .db<DemoItem>('catalog_items')
      .where({ sku: 'CHR-ERG-01' })
      .first('category', 'image_url', 'stock_quantity');
    expect(chair).toMatchObject({
      category: 'Furniture/Seating/Office chairs',
      image_url: 'http://gw.example:8080/assets/demo/chair.svg',
    });
    expect(Number(chair!.stock_quantity)).toBeGreaterThan(0);
    expect(await ensureDemoCatalog(t.ctx)).toBe(false);
  });
});
