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
import { demoInboxUrl, ensureDemoInbox, seedDemo } from '../../../src/demo';
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
