/**
 * The approvals and finance pages on the page kit: the layout (header with the area, sign-out form,
 * the kit's stylesheet and headers, never framed), numbered pages of the lists, a decision's flash
 * message shown once after the redirect, and error pages in the layout.
 */
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../../src/app';
import { STYLESHEET_PATH } from '../../../src/platform/pages';
import { ADMIN_TOKEN, auth, createTestEnv, type TestEnv } from '../../helpers/env';
import { insertConfirmedOrder } from '../../helpers/orders';
import { csrfOf, SESSION_COOKIE, signIn } from '../../helpers/pages';
import { seedPartner } from '../../helpers/partners';

jest.setTimeout(60000);

let env: TestEnv;
let app: Express;
let financeKey: string;
const numbers: string[] = [];

beforeAll(async () => {
  env = await createTestEnv();
  app = createApp(env.ctx);
  financeKey = (
    await seedPartner(env.db, {
      name: 'Acme <Buyers> & Co',
      cxml: {
        credentials: [{ domain: 'NetworkID', identity: 'AN-ACME' }],
        sharedSecret: 'acme-secret-1',
        outboundUrl: 'http://127.0.0.1:9/cxml',
        cartReturn: 'cxml-urlencoded',
        statusUpdates: false,
      },
    })
  ).financeKey;
  for (let i = 0; i < 3; i++) {
    const order = await insertConfirmedOrder(env.db, {
      partnerId: 'acme',
      buyerOrderNumber: `PO-<b>${i}</b>`,
      lines: [{ quantity: '1', unitPrice: '10' }],
    });
    const res = await request(app)
      .post(`/api/v1/orders/${order.id}/invoices`)
      .set(auth(ADMIN_TOKEN))
      .send({});
    expect(res.status).toBe(201);
    numbers.push(res.body.invoice.invoiceNumber);
  }
});
afterAll(async () => {
  await env?.close();
});

describe('finance', () => {
  let cookie: string;
  beforeAll(async () => {
    cookie = `${SESSION_COOKIE.finance}=${(await signIn(app, 'finance', financeKey)).session}`;
  });

  it('renders in the layout, escaped, with the sign-out form and the kit headers', async () => {
    const res = await request(app).get('/finance').set('Cookie', cookie);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`<link rel="stylesheet" href="${STYLESHEET_PATH.replace(/&/g, '&amp;')}"/>`);
    expect(res.text).toContain('<span class="area">Finance</span>');
    expect(res.text).toContain('Acme &lt;Buyers> &amp; Co');
    expect(res.text).toContain('PO-&lt;b>0&lt;/b>');
    expect(res.text).not.toContain('<b>0</b>');
    expect(res.text).toMatch(
      /<form method="post" action="\/finance\/logout" class="inline"><input type="hidden" name="csrf"/,
    );
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it('pages the list by number, keeping the filters in the links', async () => {
    const first = await request(app).get('/finance?status=issued&limit=1').set('Cookie', cookie);
    expect(first.text).toContain('Showing 1–1 of 3 invoices');
    expect((first.text.match(/<tr data-invoice=/g) ?? []).length).toBe(1);
    expect(first.text).toContain('href="/finance?status=issued&amp;offset=1&amp;limit=1" rel="next"');
    const last = await request(app).get('/finance?status=issued&limit=1&offset=2').set('Cookie', cookie);
    expect(last.text).toContain('Showing 3–3 of 3 invoices');
    expect(last.text).toContain('href="/finance?status=issued&amp;offset=1&amp;limit=1" rel="prev"');
    // The three pages list each invoice once.
    const seen: string[] = [];
    for (const offset of [0, 1, 2]) {
      const page = await request(app)
        .get(`/finance?status=issued&limit=1&offset=${offset}`)
        .set('Cookie', cookie);
      seen.push(...[...page.text.matchAll(/<tr data-invoice="([^"]+)"/g)].map((m) => m[1] as string));
    }
    expect(seen.sort()).toEqual([...numbers].sort());
  });

  it('answers a malformed filter and an unknown path with error pages in the layout', async () => {
    const bad = await request(app).get('/finance?from=yesterday').set('Cookie', cookie);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('class="error-page"');
    expect(bad.text).toContain('Back to the invoices');
    const missing = await request(app).get('/finance/nothing-here').set('Cookie', cookie);
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('<span class="area">Finance</span>');
  });
});

describe('approvals', () => {
  it('signs in, shows the layout and a decision made on the page as a flash message once', async () => {
    const order = await insertConfirmedOrder(env.db, {
      partnerId: 'acme',
      lines: [{ quantity: '1', unitPrice: '5' }],
    });
    await env.db('orders').where({ id: order.id }).update({ state: 'pending_approval' });
    const [level] = await env
      .db('approvals')
      .insert({
        id: '5f0c4c1e-3333-4a4a-9d9d-0123456789ab',
        order_id: order.id,
        order_version: 1,
        level: 1,
        status: 'pending',
        approvers: JSON.stringify(['boss@supplier.example']),
      })
      .returning('id');
    const cookie = `${SESSION_COOKIE.approvals}=${(await signIn(app, 'approvals', ADMIN_TOKEN)).session}`;
    const list = await request(app).get('/approvals').set('Cookie', cookie);
    expect(list.text).toContain('<h1>Pending approvals</h1>');
    expect(list.text).toContain(`href="/approvals/${level.id}"`);
    expect(list.text).toContain('id="sign-out"');

    const detail = await request(app).get(`/approvals/${level.id}`).set('Cookie', cookie);
    const form = detail.text.slice(detail.text.indexOf(`/approvals/${level.id}/decide`));
    const decided = await request(app)
      .post(`/approvals/${level.id}/decide`)
      .set('Cookie', cookie)
      .type('form')
      .send({ csrf: csrfOf(form), decision: 'reject', comment: 'no' });
    expect(decided.status).toBe(303);
    expect(decided.headers.location).toMatch(/^\/approvals\?flash=[0-9a-f-]{36}$/);
    const shown = await request(app)
      .get(decided.headers.location as string)
      .set('Cookie', cookie);
    expect(shown.text).toContain(`Order ${order.buyerOrderNumber}: level 1 rejected.`);
    expect(shown.text).toContain('Nothing waits for approval.');
    const reload = await request(app)
      .get(decided.headers.location as string)
      .set('Cookie', cookie);
    expect(reload.text).not.toContain('level 1 rejected');
    // A crafted link cannot make the page say anything (the old ?done= text is gone).
    const crafted = await request(app).get('/approvals?done=Your+account+is+locked').set('Cookie', cookie);
    expect(crafted.text).not.toContain('account is locked');
  });

  it('the sign-in page is the kit layout with the form token, and unknown paths get the layout 404', async () => {
    const res = await request(app).get('/approvals');
    expect(res.text).toContain('<span class="area">Approvals</span>');
    expect(res.text).toMatch(
      /<form method="post" action="\/approvals\/login" class="stack"><input type="hidden" name="csrf"/,
    );
    expect(res.text).not.toContain('id="sign-out"');
    const missing = await request(app).get('/approvals/x/y/z');
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('class="error-page"');
  });
});
