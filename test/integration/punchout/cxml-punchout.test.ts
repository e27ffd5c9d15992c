import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../../src/app';
import { createTestEnv, type TestEnv } from '../../helpers/env';
import { validateCxml } from '../../helpers/xmllint';
import { itemOut, seedShop, setupRequest, startPath, SUPPLIER, type SetupOptions } from './helpers';

let env: TestEnv;
let app: Express;

beforeAll(async () => {
  env = await createTestEnv();
  await seedShop(env.db);
  app = createApp(env.ctx);
});
afterAll(async () => {
  await env.close();
});

const postCxml = (xml: string) => request(app).post('/cxml').set('Content-Type', 'text/xml').send(xml);

async function counts() {
  const [s] = await env.db('punchout_sessions').count<{ c: string }[]>({ c: '*' });
  const docs = await env.db('documents').select('status', 'doc_type', 'direction');
  return { sessions: Number(s!.c), docs };
}

/** Setup + open the StartPage: the shop's base path and the form token. */
async function openShop(o: SetupOptions = {}) {
  const res = await postCxml(setupRequest(o));
  expect(res.status).toBe(200);
  const start = await request(app).get(startPath(res.text));
  expect(start.status).toBe(303);
  const base = start.headers.location as string;
  const cart = await request(app).get(`${base}cart`);
  const csrf = /name="csrf" value="([^"]+)"/.exec(cart.text)?.[1] as string;
  return { base, csrf, setup: res.text };
}

const form = (path: string, fields: Record<string, string>) =>
  request(app).post(path).type('form').send(fields);

function returnedCxml(html: string, field = 'cxml-urlencoded'): string {
  const m = new RegExp(`name="${field}" value="([^"]*)"`).exec(html);
  if (!m) throw new Error(`no ${field} field in ${html}`);
  return m[1]!
    .replace(/&#10;/g, '\n')
    .replace(/&#13;/g, '\r')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

async function cartSkus(base: string): Promise<string[]> {
  const page = await request(app).get(`${base}cart`);
  return [...page.text.matchAll(/<tr data-sku="([^"]+)"/g)].map((m) => m[1]!);
}

describe('PunchOutSetupRequest', () => {
  it('creates a session with a hashed one-time start token and answers the StartPage URL', async () => {
    const res = await postCxml(setupRequest({ buyerCookie: 'bc-1' }));
    expect(res.status).toBe(200);
    expect(res.text).toContain('<Status code="200"');
    const url = /<URL>([^<]+)<\/URL>/.exec(res.text)?.[1] as string;
    expect(url.startsWith(`${env.config.publicBaseUrl}/punchout/start/`)).toBe(true);
    const token = url.split('/').pop() as string;
    const row = await env.db('punchout_sessions').where({ buyer_cookie: 'bc-1' }).first();
    expect(row.start_token_hash).not.toContain(token);
    expect(row.start_token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row).toMatchObject({
      protocol: 'cxml',
      operation: 'create',
      state: 'open',
      return_url: 'https://buyer.example/return',
      user_email: 'jane@buyer.example',
      token_used_at: null,
    });
    expect(row.ship_to).toMatchObject({ addressId: 'HQ' });
    const doc = await env.db('documents').where({ id: row.setup_document_id }).first();
    expect(doc).toMatchObject({ doc_type: 'PunchOutSetupRequest', direction: 'in', status: 'accepted' });
    const ttl = new Date(row.token_expires_at).getTime() - new Date(row.created_at).getTime();
    expect(Math.round(ttl / 1000)).toBe(env.config.PUNCHOUT_TOKEN_TTL_SECONDS);
  });

  it('answers a resent request (same payloadID) with the first answer and creates no second session', async () => {
    const doc = setupRequest({ payloadId: 'resent-1@buyer.example', buyerCookie: 'resent' });
    const first = await postCxml(doc);
    const second = await postCxml(doc);
    expect(second.status).toBe(200);
    expect(second.text).toBe(first.text);
    expect(await env.db('punchout_sessions').where({ buyer_cookie: 'resent' })).toHaveLength(1);
  });

  it('answers a ProfileRequest with the supported transactions at /cxml', async () => {
    const xml = setupRequest().replace(/<Request>[\s\S]*<\/Request>/, '<Request><ProfileRequest/></Request>');
    const res = await postCxml(xml);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<ProfileResponse');
    expect(res.text).toContain('requestName="PunchOutSetupRequest"');
    expect(res.text).toContain('requestName="ProfileRequest"');
    expect(res.text).toContain(`<URL>${env.config.publicBaseUrl}/cxml</URL>`);
    expect(validateCxml(res.text)).toEqual({ ok: true, errors: '' });
  });
});

describe('refusals store nothing but the refused document', () => {
  const cases: [string, () => string, number, RegExp][] = [
    // One text for both (test/integration/security/one-401-text.test.ts): no guess at who exists.
    ['wrong secret', () => setupRequest({ secret: 'not-the-secret' }), 401, /Authentication failed/],
    ['unknown identity', () => setupRequest({ fromIdentity: 'AN-NOBODY' }), 401, /Authentication failed/],
    [
      'wrong To',
      () => setupRequest({ to: { domain: 'NetworkID', identity: 'SOMEONE-ELSE' } }),
      401,
      /does not name this supplier/,
    ],
    [
      'XXE',
      () =>
        setupRequest()
          .replace(/<!DOCTYPE[^>]*>/, '<!DOCTYPE cXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
          .replace('cookie-123', '&xxe;'),
      400,
      /./,
    ],
    [
      'entity expansion',
      () =>
        setupRequest()
          .replace(
            /<!DOCTYPE[^>]*>/,
            '<!DOCTYPE cXML [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
          )
          .replace('cookie-123', '&b;'),
      400,
      /./,
    ],
    ['truncated XML', () => setupRequest().slice(0, 900), 400, /line/],
  ];
  it.each(cases)('%s', async (_name, doc, status, text) => {
    const before = await counts();
    const res = await postCxml(doc());
    expect(res.status).toBe(status);
    expect(res.text).toContain(`<Status code="${status}"`);
    expect(res.text).toMatch(text);
    const after = await counts();
    expect(after.sessions).toBe(before.sessions);
    const added = after.docs.slice(before.docs.length);
    expect(added).toEqual([expect.objectContaining({ status: 'refused', direction: 'in' })]);
  });

  it('refuses a BrowserFormPost URL that is not http(s)', async () => {
    const before = await counts();
    const res = await postCxml(setupRequest({ formPost: 'javascript:alert(1)' }));
    expect(res.status).toBe(400);
    const after = await counts();
    expect(after.sessions).toBe(before.sessions);
  });
});

describe('start token', () => {
  it('opens once; a replay gets a clear 410 page', async () => {
    const res = await postCxml(setupRequest());
    const path = startPath(res.text);
    expect((await request(app).get(path)).status).toBe(303);
    const again = await request(app).get(path);
    expect(again.status).toBe(410);
    expect(again.headers['content-type']).toMatch(/text\/html/);
    expect(again.text).toContain('already been opened');
    expect(again.text).not.toMatch(/at .*\.ts:\d+/);
  });

  it('expires after PUNCHOUT_TOKEN_TTL_SECONDS with a clear 410 page and stays unused', async () => {
    const res = await postCxml(setupRequest({ buyerCookie: 'expiring' }));
    const realNow = env.ctx.now;
    env.ctx.now = () => new Date(Date.now() + (env.config.PUNCHOUT_TOKEN_TTL_SECONDS + 1) * 1000);
    try {
      const page = await request(app).get(startPath(res.text));
      expect(page.status).toBe(410);
      expect(page.text).toContain('expired');
    } finally {
      env.ctx.now = realNow;
    }
    const row = await env.db('punchout_sessions').where({ buyer_cookie: 'expiring' }).first();
    expect(row.token_used_at).toBeNull();
    expect(row.browser_token_hash).toBeNull();
  });

  it('ends the shopping session after PUNCHOUT_SESSION_TTL_MINUTES with a clear 410 page', async () => {
    const { base, csrf } = await openShop();
    const realNow = env.ctx.now;
    env.ctx.now = () => new Date(Date.now() + (env.config.PUNCHOUT_SESSION_TTL_MINUTES * 60 + 1) * 1000);
    try {
      const page = await request(app).get(`${base}cart`);
      expect(page.status).toBe(410);
      expect(page.text).toContain('expired');
      expect((await form(`${base}transfer`, { csrf })).status).toBe(410);
    } finally {
      env.ctx.now = realNow;
    }
  });

  it('answers an unknown token with a 404 page', async () => {
    const page = await request(app).get('/punchout/start/not-a-token');
    expect(page.status).toBe(404);
    expect(page.text).toContain('not valid');
  });
});

describe('shopping and transfer', () => {
  it('searches, adds, applies quantity breaks, removes and transfers a DTD-valid PunchOutOrderMessage', async () => {
    const { base, csrf } = await openShop({ buyerCookie: 'shop-1' });
    const search = await request(app).get(`${base}search?q=pen`);
    expect(search.status).toBe(200);
    expect(search.headers['content-security-policy']).toContain(
      "frame-ancestors 'self' https://buyer.example",
    );
    expect(search.headers['x-frame-options']).toBeUndefined();
    expect(search.text).toContain('PEN-BLU-12');
    expect(search.text).toContain('4.50 USD'); // contract price, not the 4.95 list price
    const product = await request(app).get(`${base}item/PEN-BLU-12`);
    expect(product.text).toContain('id="price-breaks"');
    expect(product.text).toContain('4.20 USD');

    expect((await form(`${base}cart/add`, { csrf, sku: 'PEN-BLU-12', quantity: '2' })).status).toBe(303);
    expect((await form(`${base}cart/add`, { csrf, sku: 'CHR-ERG-01', quantity: '1' })).status).toBe(303);
    expect((await form(`${base}cart/add`, { csrf, sku: 'GLV-NIT-M', quantity: '10' })).status).toBe(303);
    const lines = await env.db('punchout_cart_lines').orderBy('position');
    const session = await env.db('punchout_sessions').where({ buyer_cookie: 'shop-1' }).first();
    const mine = lines.filter((l) => l.session_id === session.id);
    const pen = mine.find((l) => l.sku === 'PEN-BLU-12');
    await form(`${base}cart/update`, { csrf, line: pen.id, quantity: '60' });
    await form(`${base}cart/remove`, { csrf, line: mine.find((l) => l.sku === 'GLV-NIT-M').id });
    const cart = await request(app).get(`${base}cart`);
    expect(cart.text).toContain('4.20 USD'); // 60 pens reach the 50 break

    const done = await form(`${base}transfer`, { csrf });
    expect(done.status).toBe(200);
    expect(done.headers['content-security-policy']).toContain('form-action');
    const xml = returnedCxml(done.text);
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(xml).toContain('<BuyerCookie>shop-1</BuyerCookie>');
    expect(xml).toContain('operationAllowed="edit"');
    expect(xml).toContain(`<SupplierPartAuxiliaryID>${pen.id}</SupplierPartAuxiliaryID>`);
    expect(xml).toMatch(/<Total>\s*<Money currency="USD">511.00<\/Money>/); // 60 x 4.20 + 259.00
    expect(xml).toContain('<Classification domain="UNSPSC">56112102</Classification>');
    expect(xml).toContain('<ManufacturerName>Sitwell</ManufacturerName>');
    expect(xml).toContain('<LeadTime>10</LeadTime>');
    expect(xml).toContain(`<Identity>${SUPPLIER.identity}</Identity>`);
    const after = await env.db('punchout_sessions').where({ id: session.id }).first();
    expect(after.state).toBe('transferred');
    const out = await env.db('documents').where({ direction: 'out', doc_type: 'PunchOutOrderMessage' });
    expect(out.some((d) => d.content.toString('utf8') === xml)).toBe(true);
    // The session is over: pages and a second transfer get a clear page.
    expect((await request(app).get(`${base}cart`)).status).toBe(410);
    expect((await form(`${base}transfer`, { csrf })).status).toBe(410);
  });

  it('refuses a form post without the session CSRF token and leaves the cart alone', async () => {
    const { base } = await openShop({ buyerCookie: 'csrf-1' });
    const res = await form(`${base}cart/add`, { sku: 'PEN-BLU-12', quantity: '1' });
    expect(res.status).toBe(403);
    expect(await cartSkus(base)).toEqual([]);
  });

  it('refuses a quantity that is not a positive decimal, inline in the cart (issue 16)', async () => {
    const { base, csrf } = await openShop();
    for (const quantity of ['1e3', '-1']) {
      const res = await form(`${base}cart/add`, { csrf, sku: 'PEN-BLU-12', quantity });
      expect(res.status).toBe(303);
      const cart = await request(app).get(res.headers.location as string);
      expect(cart.text).toContain(`&quot;${quantity}&quot; is not a quantity`);
    }
    expect(await cartSkus(base)).toEqual([]);
  });

  it('cancel on create returns an empty cart', async () => {
    const { base, csrf } = await openShop({ buyerCookie: 'cancel-create' });
    await form(`${base}cart/add`, { csrf, sku: 'PEN-BLU-12', quantity: '1' });
    const res = await form(`${base}cancel`, { csrf });
    const xml = returnedCxml(res.text);
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(xml).not.toContain('<ItemIn');
    const row = await env.db('punchout_sessions').where({ buyer_cookie: 'cancel-create' }).first();
    expect(row.state).toBe('cancelled');
  });

  it('returns the cart as cxml-base64 when the partner asks for it', async () => {
    await env
      .db('partners')
      .where({ id: 'acme' })
      .update({
        settings: env.db.raw(`jsonb_set(settings, '{cxml,cartReturn}', '"cxml-base64"')`),
      });
    try {
      const { base, csrf } = await openShop();
      await form(`${base}cart/add`, { csrf, sku: 'PEN-BLU-12', quantity: '1' });
      const res = await form(`${base}transfer`, { csrf });
      const b64 = returnedCxml(res.text, 'cxml-base64');
      const xml = Buffer.from(b64, 'base64').toString('utf8');
      expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    } finally {
      await env
        .db('partners')
        .where({ id: 'acme' })
        .update({
          settings: env.db.raw(`jsonb_set(settings, '{cxml,cartReturn}', '"cxml-urlencoded"')`),
        });
    }
  });
});

describe('edit and inspect', () => {
  async function transferredLineId(): Promise<string> {
    const { base, csrf } = await openShop({ buyerCookie: 'first' });
    await form(`${base}cart/add`, { csrf, sku: 'CHR-ERG-01', quantity: '2' });
    const xml = returnedCxml((await form(`${base}transfer`, { csrf })).text);
    return /<SupplierPartAuxiliaryID>([^<]+)</.exec(xml)?.[1] as string;
  }

  it('edit restores the cart by SupplierPartAuxiliaryID, else by SKU, at current prices', async () => {
    const lineId = await transferredLineId();
    const items = itemOut(1, 'RENAMED', '2', lineId) + itemOut(2, 'PEN-BLU-12', '3');
    const { base } = await openShop({ operation: 'edit', itemsXml: items, buyerCookie: 'edit-1' });
    expect(await cartSkus(base)).toEqual(['CHR-ERG-01', 'PEN-BLU-12']);
    const page = await request(app).get(`${base}cart`);
    expect(page.text).toContain('259.00 USD');
    const row = await env.db('punchout_sessions').where({ buyer_cookie: 'edit-1' }).first();
    expect(row.original_cart).toHaveLength(2);
  });

  it('cancel on edit returns the original cart unchanged', async () => {
    const items = itemOut(1, 'PEN-BLU-12', '3', 'buyer-line-1', '4.40');
    const { base, csrf } = await openShop({ operation: 'edit', itemsXml: items, buyerCookie: 'edit-cancel' });
    await form(`${base}cart/add`, { csrf, sku: 'CHR-ERG-01', quantity: '1' });
    const xml = returnedCxml((await form(`${base}cancel`, { csrf })).text);
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(xml.match(/<ItemIn /g)).toHaveLength(1);
    expect(xml).toContain('<SupplierPartAuxiliaryID>buyer-line-1</SupplierPartAuxiliaryID>');
    expect(xml).toMatch(/<UnitPrice>\s*<Money currency="USD">4.40<\/Money>/);
    expect(xml).toContain('quantity="3"');
  });

  it('inspect shows the cart read-only and refuses changes', async () => {
    const items = itemOut(1, 'PEN-BLU-12', '3', 'buyer-line-1');
    const { base, csrf } = await openShop({
      operation: 'inspect',
      itemsXml: items,
      buyerCookie: 'inspect-1',
    });
    const page = await request(app).get(`${base}cart`);
    expect(page.text).toContain('(read only)');
    expect(page.text).not.toContain('cart/update');
    expect((await form(`${base}cart/add`, { csrf, sku: 'CHR-ERG-01', quantity: '1' })).status).toBe(403);
    const row = await env.db('punchout_sessions').where({ buyer_cookie: 'inspect-1' }).first();
    const lines = await env.db('punchout_cart_lines').where({ session_id: row.id });
    expect(lines.map((l) => l.sku)).toEqual(['PEN-BLU-12']);
    const xml = returnedCxml((await form(`${base}transfer`, { csrf })).text);
    expect(xml).toContain('operationAllowed="inspect"');
  });
});

describe('catalogVisibility priceList', () => {
  it('shows only the items of the partner price list', async () => {
    await env.db('partners').where({ id: 'acme' }).update({ catalog_visibility: 'priceList' });
    try {
      const { base, csrf } = await openShop();
      const search = await request(app).get(`${base}search?q=`);
      expect(search.text).toContain('PEN-BLU-12');
      expect(search.text).not.toContain('GLV-NIT-M');
      expect((await request(app).get(`${base}item/GLV-NIT-M`)).status).toBe(404);
      expect((await form(`${base}cart/add`, { csrf, sku: 'GLV-NIT-M', quantity: '10' })).status).toBe(404);
    } finally {
      await env.db('partners').where({ id: 'acme' }).update({ catalog_visibility: 'all' });
    }
  });
});

describe('the way back without items (issue 16)', () => {
  const exitForm = (html: string) => /<form method="post" action="([^"]+)" class="exit">/.exec(html)?.[1];

  it('every page of a live session offers it; it posts a DTD-valid empty PunchOutOrderMessage to the BrowserFormPost URL once', async () => {
    const { base, csrf } = await openShop({
      buyerCookie: 'way-1',
      formPost: 'https://buyer.example/po/return?s=1',
    });
    await form(`${base}cart/add`, { csrf, sku: 'PEN-BLU-12', quantity: '2' });
    for (const page of ['', 'search?q=pen', 'item/PEN-BLU-12', 'cart', 'orders', 'item/NO-SUCH-SKU']) {
      const res = await request(app).get(`${base}${page}`);
      expect([page, exitForm(res.text)]).toEqual([page, `${base}cancel`]);
      expect(res.text).toContain('id="return-empty" title="Return to your procurement system without items.');
    }
    const res = await form(`${base}cancel`, { csrf });
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toContain("form-action 'self' https://buyer.example");
    expect(res.text).toContain('action="https://buyer.example/po/return?s=1"');
    const xml = returnedCxml(res.text);
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(xml).toContain('<BuyerCookie>way-1</BuyerCookie>');
    expect(xml).toMatch(/<Total>\s*<Money currency="USD">0.00<\/Money>\s*<\/Total>/);
    expect(xml).not.toContain('<ItemIn');
    const row = await env.db('punchout_sessions').where({ buyer_cookie: 'way-1' }).first();
    expect(row.state).toBe('cancelled');
    const stored = await env.db('documents').where({ direction: 'out', doc_type: 'PunchOutOrderMessage' });
    expect(stored.filter((d) => d.content.toString('utf8') === xml)).toHaveLength(1);
    // Closed: no second return, neither cancel nor transfer, and nothing more is stored.
    for (const kind of ['cancel', 'transfer']) {
      const again = await form(`${base}${kind}`, { csrf });
      expect(again.status).toBe(410);
      expect(again.text).not.toContain('id="back"');
      expect(again.text).not.toContain('buyer.example/po/return');
    }
    const after = await env.db('documents').where({ direction: 'out', doc_type: 'PunchOutOrderMessage' });
    expect(after).toHaveLength(stored.length);
  });

  it('an expired session that never returned offers it on its page and takes it once; transfer stays refused', async () => {
    const { base, csrf } = await openShop({ buyerCookie: 'way-expired' });
    await form(`${base}cart/add`, { csrf, sku: 'PEN-BLU-12', quantity: '2' });
    const realNow = env.ctx.now;
    env.ctx.now = () => new Date(Date.now() + (env.config.PUNCHOUT_SESSION_TTL_MINUTES * 60 + 1) * 1000);
    try {
      const page = await request(app).get(`${base}cart`);
      expect(page.status).toBe(410);
      expect(page.text).toContain(`action="${base}cancel" class="back-form"`);
      expect(page.text).toContain('Return to your procurement system without items');
      expect(page.text).not.toContain('class="exit"'); // no live-session header
      const pageCsrf = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1] as string;
      expect((await form(`${base}transfer`, { csrf: pageCsrf })).status).toBe(410);
      expect((await form(`${base}cancel`, {})).status).toBe(403); // no token, no return
      const res = await form(`${base}cancel`, { csrf: pageCsrf });
      expect(res.status).toBe(200);
      expect(returnedCxml(res.text)).not.toContain('<ItemIn');
      const ended = await request(app).get(`${base}cart`);
      expect(ended.status).toBe(410);
      expect(ended.text).not.toContain('id="back"');
      expect((await form(`${base}cancel`, { csrf: pageCsrf })).status).toBe(410);
    } finally {
      env.ctx.now = realNow;
    }
  });

  it('a used or expired start link of a session that never returned goes back once; one whose cart went back offers nothing', async () => {
    const stored = async (cookie: string) => {
      const row = await env.db('punchout_sessions').where({ buyer_cookie: cookie }).first('id');
      return env
        .db('documents')
        .where({ direction: 'out', doc_type: 'PunchOutOrderMessage' })
        .where('content', 'like', `%<BuyerCookie>${cookie}</BuyerCookie>%`)
        .then((docs) => ({ docs: docs.length, id: row.id as string }));
    };
    // Used: opened once (the session lives on elsewhere), opened again.
    const setup = await postCxml(
      setupRequest({ buyerCookie: 'way-used', formPost: 'https://buyer.example/r' }),
    );
    const start = startPath(setup.text);
    expect((await request(app).get(start)).status).toBe(303);
    const refused = await request(app).get(start);
    expect(refused.status).toBe(410);
    expect(refused.headers['content-security-policy']).toContain(
      "frame-ancestors 'self' https://buyer.example",
    );
    expect(refused.text).toContain(`action="${start}/cancel" class="back-form"`);
    const startCsrf = /name="csrf" value="([^"]+)"/.exec(refused.text)?.[1] as string;
    // The token of another start link, or none, is refused and changes nothing.
    const other = await postCxml(setupRequest({ buyerCookie: 'way-other' }));
    const otherPage = await request(app).get(startPath(other.text));
    expect(otherPage.status).toBe(303);
    expect((await form(`${start}/cancel`, {})).status).toBe(403);
    expect((await form(`${startPath(other.text)}/cancel`, { csrf: startCsrf })).status).toBe(403);
    const back = await form(`${start}/cancel`, { csrf: startCsrf });
    expect(back.status).toBe(200);
    expect(back.text).toContain('action="https://buyer.example/r"');
    const xml = returnedCxml(back.text);
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(xml).not.toContain('<ItemIn');
    expect((await env.db('punchout_sessions').where({ buyer_cookie: 'way-used' }).first()).state).toBe(
      'cancelled',
    );
    expect((await env.db('punchout_sessions').where({ buyer_cookie: 'way-other' }).first()).state).toBe(
      'open',
    );
    // Once: the link now offers nothing, and a replayed post returns nothing.
    const again = await request(app).get(start);
    expect(again.status).toBe(410);
    expect(again.text).not.toContain('id="back"');
    const replay = await form(`${start}/cancel`, { csrf: startCsrf });
    expect(replay.status).toBe(410);
    expect(replay.text).not.toContain('buyer.example/r');
    expect((await stored('way-used')).docs).toBe(1);

    // Expired before it was opened: the same way back.
    const late = await postCxml(setupRequest({ buyerCookie: 'way-late' }));
    const realNow = env.ctx.now;
    env.ctx.now = () => new Date(Date.now() + (env.config.PUNCHOUT_TOKEN_TTL_SECONDS + 1) * 1000);
    try {
      const page = await request(app).get(startPath(late.text));
      expect(page.status).toBe(410);
      expect(page.text).toContain('Punchout link expired');
      const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1] as string;
      expect((await form(`${startPath(late.text)}/cancel`, { csrf })).status).toBe(200);
    } finally {
      env.ctx.now = realNow;
    }
    expect((await stored('way-late')).docs).toBe(1);

    // Transferred: the cart went back; its used link offers no second return.
    const { base, csrf, setup: doneSetup } = await openShop({ buyerCookie: 'way-done' });
    await form(`${base}cart/add`, { csrf, sku: 'PEN-BLU-12', quantity: '1' });
    expect((await form(`${base}transfer`, { csrf })).status).toBe(200);
    const usedAfter = await request(app).get(startPath(doneSetup));
    expect(usedAfter.status).toBe(410);
    expect(usedAfter.text).toContain('Punchout link already used');
    expect(usedAfter.text).not.toContain('id="back"');
    expect((await stored('way-done')).docs).toBe(1);
  });

  it('an unknown start link says so and offers nothing; a post to it returns nothing', async () => {
    const page = await request(app).get(`/punchout/start/${'u'.repeat(43)}`);
    expect(page.status).toBe(404);
    expect(page.text).not.toContain('id="back"');
    expect(page.text).not.toContain('name="csrf"');
    const post = await form(`/punchout/start/${'u'.repeat(43)}/cancel`, { csrf: 'x' });
    expect(post.status).toBe(403);
    expect(post.text).not.toContain('auto-submit');
  });

  it('on edit the way back returns the cart the buyer came with, unchanged, and says so', async () => {
    const items = itemOut(1, 'PEN-BLU-12', '3', 'buyer-line-9', '4.40');
    const { base, csrf } = await openShop({ operation: 'edit', itemsXml: items, buyerCookie: 'way-edit' });
    const page = await request(app).get(`${base}cart`);
    expect(page.text).toContain('title="Return to your procurement system without changes.');
    await form(`${base}cart/add`, { csrf, sku: 'CHR-ERG-01', quantity: '1' });
    const xml = returnedCxml((await form(`${base}cancel`, { csrf })).text);
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(xml.match(/<ItemIn /g)).toHaveLength(1);
    expect(xml).toContain('<SupplierPartAuxiliaryID>buyer-line-9</SupplierPartAuxiliaryID>');
  });
});
