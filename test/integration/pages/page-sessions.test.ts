/**
 * Page sessions of the approvals and finance pages on real Postgres (issue 12 point 9): the cookie
 * carries a random session id, never the key, and the database holds only its hash; sign-out,
 * expiry and revoking the key end the session, so a replayed cookie gets the sign-in page; a
 * partner's finance session sees that partner's invoices only.
 */
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../../src/app';
import { ADMIN_TOKEN, auth, createTestEnv, type TestEnv } from '../../helpers/env';
import { insertConfirmedOrder } from '../../helpers/orders';
import { csrfOf, SESSION_COOKIE, setCookie, signIn } from '../../helpers/pages';
import { seedPartner } from '../../helpers/partners';

jest.setTimeout(60000);

let env: TestEnv;
let app: Express;
let acme: Awaited<ReturnType<typeof seedPartner>>;
let other: Awaited<ReturnType<typeof seedPartner>>;
const acmeInvoices: { id: string; number: string }[] = [];

const cxmlOf = (identity: string, secret: string) => ({
  credentials: [{ domain: 'NetworkID', identity }],
  sharedSecret: secret,
  // Nothing listens here: invoices stay "issued" while delivery retries.
  outboundUrl: 'http://127.0.0.1:9/cxml',
  cartReturn: 'cxml-urlencoded' as const,
  statusUpdates: false,
});

beforeAll(async () => {
  env = await createTestEnv({ env: { PAGE_SESSION_IDLE_MINUTES: '30', PAGE_SESSION_MAX_HOURS: '1' } });
  app = createApp(env.ctx);
  acme = await seedPartner(env.db, { cxml: cxmlOf('AN-ACME', 'acme-secret-1') });
  other = await seedPartner(env.db, {
    id: 'other',
    name: 'Other',
    oci: undefined,
    x12: undefined,
    cxml: cxmlOf('AN-OTHER', 'other-secret-1'),
  });
  for (let i = 0; i < 2; i++) {
    const order = await insertConfirmedOrder(env.db, {
      partnerId: 'acme',
      lines: [{ quantity: '2', unitPrice: '7.5' }],
    });
    const res = await request(app)
      .post(`/api/v1/orders/${order.id}/invoices`)
      .set(auth(ADMIN_TOKEN))
      .send({});
    expect(res.status).toBe(201);
    acmeInvoices.push({ id: res.body.invoice.id, number: res.body.invoice.invoiceNumber });
  }
});
afterAll(async () => {
  await env?.close();
});

const withCookie = (area: 'approvals' | 'finance', id: string) => `${SESSION_COOKIE[area]}=${id}`;

async function withClock<T>(offsetMs: number, fn: () => Promise<T>): Promise<T> {
  const real = env.ctx.now;
  env.ctx.now = () => new Date(real().getTime() + offsetMs);
  try {
    return await fn();
  } finally {
    env.ctx.now = real;
  }
}

describe('signing in', () => {
  it('gives the browser a random session id, not the key, and stores only its hash', async () => {
    const { res, session, cookieHeader } = await signIn(app, 'finance', acme.financeKey);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/finance');
    expect(session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session).not.toBe(acme.financeKey);
    expect(cookieHeader).not.toContain(acme.financeKey);
    expect(cookieHeader).toMatch(/; Path=\/finance; HttpOnly; SameSite=Strict; Max-Age=3600$/);
    expect(cookieHeader).not.toContain('Secure');

    const rows = await env.db('page_sessions');
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(session);
    expect(stored).not.toContain(acme.financeKey);
    const row = rows.find((r) => r.partner_id === 'acme');
    expect(row).toMatchObject({ area: 'finance', role: 'finance', partner_id: 'acme', admin_tag: null });
    expect(row.id_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.expires_at.getTime() - row.created_at.getTime()).toBe(3600_000);

    const page = await request(app)
      .get('/finance')
      .set('Cookie', withCookie('finance', session as string));
    expect(page.status).toBe(200);
    expect(page.text).toContain(acmeInvoices[0]?.number);
  });

  it('marks the cookie Secure when the request came over https (behind the trusted proxy)', async () => {
    const { cookieHeader } = await signIn(app, 'approvals', ADMIN_TOKEN, { 'X-Forwarded-Proto': 'https' });
    expect(cookieHeader).toMatch(/; Path=\/approvals; HttpOnly; SameSite=Strict; Secure; Max-Age=3600$/);
    expect(cookieHeader).not.toContain(ADMIN_TOKEN);
    const rows = await env.db('page_sessions').where({ area: 'approvals' });
    expect(JSON.stringify(rows)).not.toContain(ADMIN_TOKEN);
  });

  it('refuses a wrong key or an ERP key with 401 and right credentials without the form token with 403, starting no session', async () => {
    const before = Number((await env.db('page_sessions').count({ n: '*' }))[0]?.n);
    const wrong = await request(app).post('/finance/login').type('form').send({ key: 'not-a-key' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect((await signIn(app, 'finance', acme.erpKey)).res.status).toBe(401);
    const noToken = await request(app).post('/finance/login').type('form').send({ key: acme.financeKey });
    expect(noToken.status).toBe(403);
    expect(setCookie(noToken, 'gw_finance')).toBeUndefined();
    const noTokenAdmin = await request(app)
      .post('/approvals/login')
      .type('form')
      .send({ token: ADMIN_TOKEN });
    expect(noTokenAdmin.status).toBe(403);
    expect(setCookie(noTokenAdmin, 'gw_approvals')).toBeUndefined();
    expect((await signIn(app, 'approvals', 'wrong-token')).res.status).toBe(401);
    expect(Number((await env.db('page_sessions').count({ n: '*' }))[0]?.n)).toBe(before);
  });

  it('a new sign-in from the same browser ends the session it had', async () => {
    const first = await signIn(app, 'finance', acme.financeKey);
    const cookie = withCookie('finance', first.session as string);
    const again = await signIn(app, 'finance', acme.financeKey, {}, cookie);
    expect(again.session).not.toBe(first.session);
    expect((await request(app).get('/finance').set('Cookie', cookie)).status).toBe(303);
    const fresh = withCookie('finance', again.session as string);
    expect((await request(app).get('/finance').set('Cookie', fresh)).status).toBe(200);
  });

  it('does not take a session id of one area in the other', async () => {
    const { session } = await signIn(app, 'approvals', ADMIN_TOKEN);
    const res = await request(app)
      .get('/finance')
      .set('Cookie', withCookie('finance', session as string));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/finance/login');
  });
});

describe('signing out', () => {
  it('finance: needs the form token, deletes the session, and the replayed cookie gets the sign-in page', async () => {
    const { session } = await signIn(app, 'finance', acme.financeKey);
    const cookie = withCookie('finance', session as string);
    const page = await request(app).get('/finance').set('Cookie', cookie);
    expect(page.status).toBe(200);

    const forged = await request(app)
      .post('/finance/logout')
      .set('Cookie', cookie)
      .type('form')
      .send({ csrf: 'x' });
    expect(forged.status).toBe(403);
    expect((await request(app).get('/finance').set('Cookie', cookie)).status).toBe(200);

    const out = await request(app)
      .post('/finance/logout')
      .set('Cookie', cookie)
      .type('form')
      .send({ csrf: csrfOf(page.text.slice(page.text.indexOf('/finance/logout'))) });
    expect(out.status).toBe(303);
    expect(out.headers.location).toMatch(/^\/finance\/login\?flash=[0-9a-f-]{36}$/);
    expect(setCookie(out, 'gw_finance')).toMatch(/^gw_finance=; Path=\/finance; .*Max-Age=0$/);
    // The sign-in page says so, once, to this browser (the flash is keyed by its sign-in nonce).
    const nonce = setCookie(out, 'gw_signin')?.split(';')[0] as string;
    const said = await request(app)
      .get(out.headers.location as string)
      .set('Cookie', `${cookie}; ${nonce}`);
    expect(said.text).toContain('You are signed out.');
    expect(said.text).toContain('name="key"');
    const again = await request(app)
      .get(out.headers.location as string)
      .set('Cookie', nonce);
    expect(again.text).not.toContain('You are signed out.');

    for (const path of ['/finance', `/finance/invoices/${acmeInvoices[0]?.id}.pdf`, '/finance/export.csv']) {
      const replay = await request(app).get(path).set('Cookie', cookie);
      expect([path, replay.status, replay.headers.location]).toEqual([path, 303, '/finance/login']);
    }
    const login = await request(app).get('/finance/login');
    expect(login.text).toContain('name="key"');
  });

  it('approvals: the replayed cookie gets the sign-in page, and a decision posted with it 401', async () => {
    const { session } = await signIn(app, 'approvals', ADMIN_TOKEN);
    const cookie = withCookie('approvals', session as string);
    const page = await request(app).get('/approvals').set('Cookie', cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Pending approvals');
    const csrf = csrfOf(page.text.slice(page.text.indexOf('/approvals/logout')));
    const before = Number((await env.db('page_sessions').count({ n: '*' }))[0]?.n);
    const out = await request(app)
      .post('/approvals/logout')
      .set('Cookie', cookie)
      .type('form')
      .send({ csrf });
    expect(out.status).toBe(303);
    expect(Number((await env.db('page_sessions').count({ n: '*' }))[0]?.n)).toBe(before - 1);

    const replay = await request(app).get('/approvals').set('Cookie', cookie);
    expect(replay.status).toBe(200);
    expect(replay.text).toContain('name="token"');
    expect(replay.text).not.toContain('Pending approvals');
    const decide = await request(app)
      .post(`/approvals/${randomUUID()}/decide`)
      .set('Cookie', cookie)
      .type('form')
      .send({ csrf, decision: 'approve' });
    expect(decide.status).toBe(401);
  });
});

describe('expiry', () => {
  it('ends a session idle for PAGE_SESSION_IDLE_MINUTES, and deletes it', async () => {
    const { session } = await signIn(app, 'finance', acme.financeKey);
    const cookie = withCookie('finance', session as string);
    // Active every 20 minutes: still signed in after 40.
    expect(
      (await withClock(20 * 60_000, () => request(app).get('/finance').set('Cookie', cookie))).status,
    ).toBe(200);
    expect(
      (await withClock(40 * 60_000, () => request(app).get('/finance').set('Cookie', cookie))).status,
    ).toBe(200);
    // Then 31 minutes without a request.
    const idle = await withClock(71 * 60_000, () => request(app).get('/finance').set('Cookie', cookie));
    expect(idle.status).toBe(303);
    expect(idle.headers.location).toBe('/finance/login');
    expect(setCookie(idle, 'gw_finance')).toMatch(/Max-Age=0$/);
    // Gone for good: back at the real time the row is not there any more.
    expect((await request(app).get('/finance').set('Cookie', cookie)).status).toBe(303);
  });

  it('ends a session PAGE_SESSION_MAX_HOURS after sign-in however active it is', async () => {
    const { session } = await signIn(app, 'approvals', ADMIN_TOKEN);
    const cookie = withCookie('approvals', session as string);
    for (const minutes of [20, 40, 59]) {
      const res = await withClock(minutes * 60_000, () =>
        request(app).get('/approvals').set('Cookie', cookie),
      );
      expect([minutes, res.text.includes('Pending approvals')]).toEqual([minutes, true]);
    }
    const late = await withClock(61 * 60_000, () => request(app).get('/approvals').set('Cookie', cookie));
    expect(late.text).toContain('name="token"');
    expect(late.text).not.toContain('Pending approvals');
  });
});

describe('revoking the key', () => {
  const newKey = async () => {
    const res = await request(app)
      .post('/api/v1/partners/other/api-keys')
      .set(auth(ADMIN_TOKEN))
      .send({ role: 'finance' });
    expect(res.status).toBe(201);
    return res.body as { id: string; key: string };
  };
  const status = async (s: { session?: string }) =>
    (
      await request(app)
        .get('/finance')
        .set('Cookie', withCookie('finance', s.session as string))
    ).status;

  it('ends the sessions signed in with it at once; the other sessions of the partner stay', async () => {
    const key = await newKey();
    const a = await signIn(app, 'finance', key.key);
    const b = await signIn(app, 'finance', key.key);
    const keep = await signIn(app, 'finance', other.financeKey);
    for (const s of [a, b, keep]) expect(await status(s)).toBe(200);
    const revoke = await request(app)
      .delete(`/api/v1/partners/other/api-keys/${key.id}`)
      .set(auth(ADMIN_TOKEN));
    expect(revoke.status).toBe(200);
    expect(await env.db('page_sessions').where({ api_key_id: key.id })).toEqual([]);
    for (const s of [a, b]) expect(await status(s)).toBe(303);
    expect(await status(keep)).toBe(200);
  });

  it('ends them also when the key was revoked by another process (the lookup reads revoked_at)', async () => {
    const key = await newKey();
    const a = await signIn(app, 'finance', key.key);
    expect(await status(a)).toBe(200);
    await env.db('api_keys').where({ id: key.id }).update({ revoked_at: new Date() });
    expect(await status(a)).toBe(303);
    expect(await env.db('page_sessions').where({ api_key_id: key.id })).toEqual([]);
  });
});

describe('what the session stands for', () => {
  it('an admin session ends when ADMIN_TOKEN changes (a rotated token signs everyone out)', async () => {
    const { session } = await signIn(app, 'approvals', ADMIN_TOKEN);
    const cookie = withCookie('approvals', session as string);
    expect((await request(app).get('/approvals').set('Cookie', cookie)).text).toContain('Pending approvals');
    const config = env.ctx.config as { ADMIN_TOKEN?: string };
    config.ADMIN_TOKEN = 'a-rotated-admin-token-0123456789';
    try {
      const res = await request(app).get('/approvals').set('Cookie', cookie);
      expect(res.text).toContain('name="token"');
      expect(res.text).not.toContain('Pending approvals');
    } finally {
      config.ADMIN_TOKEN = ADMIN_TOKEN;
    }
    // Gone, not only refused: the old token back does not revive it.
    expect((await request(app).get('/approvals').set('Cookie', cookie)).text).not.toContain(
      'Pending approvals',
    );
  });

  it('a finance session ends when its partner is deleted', async () => {
    const gone = await seedPartner(env.db, {
      id: 'gone',
      name: 'Gone',
      oci: undefined,
      x12: undefined,
      cxml: cxmlOf('AN-GONE', 'gone-secret-1'),
    });
    const { session } = await signIn(app, 'finance', gone.financeKey);
    const cookie = withCookie('finance', session as string);
    expect((await request(app).get('/finance').set('Cookie', cookie)).status).toBe(200);
    const deleted = await request(app).delete('/api/v1/partners/gone').set(auth(ADMIN_TOKEN));
    expect(deleted.status).toBeLessThan(300);
    expect((await request(app).get('/finance').set('Cookie', cookie)).status).toBe(303);
  });
});

describe('partner scope', () => {
  it("partner B's finance session never sees partner A's invoices", async () => {
    const b = await signIn(app, 'finance', other.financeKey);
    const cookie = withCookie('finance', b.session as string);
    const listing = await request(app).get('/finance').set('Cookie', cookie);
    expect(listing.status).toBe(200);
    expect(listing.text).toContain('No invoices match.');
    for (const inv of acmeInvoices) {
      expect(listing.text).not.toContain(inv.number);
      for (const ext of ['pdf', 'csv', 'xml']) {
        const file = await request(app).get(`/finance/invoices/${inv.id}.${ext}`).set('Cookie', cookie);
        expect([ext, file.status]).toEqual([ext, 404]);
      }
    }
    const csv = await request(app).get('/finance/export.csv').set('Cookie', cookie);
    expect(csv.status).toBe(200);
    for (const inv of acmeInvoices) expect(csv.text).not.toContain(inv.number);

    const a = await signIn(app, 'finance', acme.financeKey);
    const mine = await request(app)
      .get('/finance')
      .set('Cookie', withCookie('finance', a.session as string));
    for (const inv of acmeInvoices) expect(mine.text).toContain(inv.number);
  });
});
