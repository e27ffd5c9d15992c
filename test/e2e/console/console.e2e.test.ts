/**
 * The console in Chromium (issue 15 points 1, 2, 5): sign-in and sign-out, a wrong password and the
 * sign-in rate limit, an approver deciding under their own name (the order history names them), a
 * finance user refused an admin-only page, a forged CSRF token refused, an expired session refused.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { createUser } from '../../../src/console/users';
import { launchChromium, signInPage } from '../../helpers/browser';
import { ADMIN_TOKEN, auth, waitFor } from '../../helpers/env';
import { seedPartner } from '../../helpers/partners';
import { setupApprovals } from '../../integration/approvals/helpers';
import { orderRequestXml, postCxml } from '../../integration/orders/helpers';

let s: Awaited<ReturnType<typeof setupApprovals>>;
let server: Server;
let base: string;
let browser: Browser;
const PW = 'console-password-1';
const opts = () => ({ actor: { label: 'test' }, now: new Date() });

beforeAll(async () => {
  s = await setupApprovals({ CONSOLE_SIGNIN_FAILURES_PER_USER: '3', PAGE_SESSION_IDLE_MINUTES: '30' });
  server = createServer(s.t.app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  const db = s.t.env.db;
  await createUser(
    db,
    { username: 'paula', name: 'Paula Approver', roles: ['approver'], partners: ['acme'] },
    PW,
    opts(),
  );
  await seedPartner(db, {
    id: 'other',
    name: 'Other',
    oci: undefined,
    x12: undefined,
    cxml: {
      credentials: [{ domain: 'NetworkID', identity: 'AN-OTHER' }],
      sharedSecret: 'other-secret-1',
      outboundUrl: 'http://127.0.0.1:9/cxml',
      cartReturn: 'cxml-urlencoded',
      statusUpdates: false,
    },
  });
  await createUser(db, { username: 'otto', roles: ['approver'], partners: ['other'] }, PW, opts());
  await createUser(db, { username: 'fiona', roles: ['finance'], partners: ['acme'] }, PW, opts());
  await createUser(db, { username: 'locked', roles: ['admin'] }, PW, opts());
}, 60000);
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => server.close(() => r()));
  await s.close();
});

const signIn = (page: Page, username: string, password: string, path = '/') =>
  signInPage(page, base, username, password, path);

async function pendingOrder(po: string): Promise<{ orderId: string; approvalId: string }> {
  await postCxml(
    s.t.app,
    orderRequestXml({
      payloadId: `${po}@buyer`,
      orderId: po,
      lines: [{ sku: 'CHR-ERG-01', quantity: '40', price: '259.00' }],
    }),
  ).expect(200);
  const order = await s.t.env.db('orders').where({ buyer_order_number: po }).first('id');
  const a = await waitFor<{ id: string }>(
    () => s.t.env.db('approvals').where({ order_id: order.id, status: 'pending' }).first('id'),
    15000,
    'level open',
  );
  return { orderId: order.id, approvalId: a.id };
}

it('signs in on the landing page and out again; the old cookie, replayed, gets the sign-in form', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, 'paula', PW);
  await page.waitForSelector('#sign-out');
  expect(await page.textContent('h1')).toBe('Welcome, paula');
  const cookie = (await ctx.cookies()).find((c) => c.name === 'gw_console');
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', secure: false });
  expect(cookie?.value).not.toContain(PW);
  await page.click('#sign-out');
  await page.waitForSelector('input[name=username]');
  expect(await page.textContent('[role=status]')).toContain('You are signed out.');
  expect((await ctx.cookies()).find((c) => c.name === 'gw_console')).toBeUndefined();
  const thief = await browser.newContext();
  await thief.addCookies([{ ...(cookie as NonNullable<typeof cookie>), domain: '127.0.0.1' }]);
  const replay = await thief.newPage();
  await replay.goto(`${base}/`);
  expect(await replay.locator('input[name=username]').count()).toBe(1);
  expect(await replay.locator('#sign-out').count()).toBe(0);
  await thief.close();
  await ctx.close();
}, 60000);

it('refuses a wrong password, then after 3 failures the right one too, saying when to try again', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  for (let i = 0; i < 3; i++) {
    await signIn(page, 'locked', `wrong-password-${i}`);
    expect(await page.textContent('[role=alert]')).toContain('Wrong username or password.');
    expect(await page.inputValue('input[name=username]')).toBe('locked');
  }
  const res = page.waitForResponse((r) => r.url().endsWith('/console/login'));
  await signIn(page, 'locked', PW);
  expect((await res).status()).toBe(429);
  expect(await page.textContent('[role=alert]')).toContain(
    'Too many failed sign-ins for locked. Try again in 15 minutes',
  );
  expect(await page.locator('#sign-out').count()).toBe(0);
  await ctx.close();
}, 60000);

it('an approver opens approvals from the console, approves, and the order history names the user', async () => {
  const { orderId, approvalId } = await pendingOrder('PO-CONSOLE');
  // An approver limited to another partner sees neither the order nor its page.
  const outside = await browser.newContext();
  const otto = await outside.newPage();
  await signIn(otto, 'otto', PW);
  await otto.click('#to-approvals');
  await otto.waitForSelector('#nothing-pending');
  expect((await otto.goto(`${base}/approvals/${approvalId}`))?.status()).toBe(404);
  await outside.close();

  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, 'paula', PW);
  await page.click('#to-approvals');
  await page.waitForSelector(`tr[data-approval="${approvalId}"]`);
  expect(await page.textContent('.account')).toContain('paula');
  await page.click('a:has-text("PO-CONSOLE")');
  await page.fill('input[name=comment]', 'within budget');
  await page.click('button[value=approve]');
  await page.waitForSelector('[role=status]');
  expect(await page.textContent('[role=status]')).toContain('PO-CONSOLE: level 1 approved');
  await page.goto(`${base}/approvals/${approvalId}`);
  expect(await page.textContent('#decided')).toBe('This level is approved by user:paula.');

  const order = await request(s.t.app).get(`/api/v1/orders/${orderId}`).set(auth(ADMIN_TOKEN));
  const events = (order.body.events ?? order.body.order?.events) as { event: string; actor: string }[];
  expect(events.filter((e) => e.event === 'approve' || e.event === 'confirm')).toEqual([
    expect.objectContaining({ event: 'approve', actor: 'user:paula' }),
    expect.objectContaining({ event: 'confirm', actor: 'user:paula' }),
  ]);
  const entry = await s.t.env.db('audit_log').where({ action: 'approval.approve' }).first();
  expect(entry).toMatchObject({
    actor: 'user:paula',
    subject: `approval:${approvalId}`,
    before: { status: 'pending' },
    after: { status: 'approved', comment: 'within budget', order: 'PO-CONSOLE', orderState: 'confirmed' },
  });
  await ctx.close();
}, 60000);

it('a finance user cannot open an admin-only page nor approvals, and sees the finance page', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, 'fiona', PW);
  await page.waitForSelector('#to-finance');
  expect(await page.locator('#to-audit').count()).toBe(0);
  const audit = await page.goto(`${base}/console/audit`);
  expect(audit?.status()).toBe(403);
  expect(await page.textContent('#error')).toContain('Your account (fiona) may not open this page');
  const users = await page.goto(`${base}/console/users`);
  expect(users?.status()).toBe(403);
  const approvals = await page.goto(`${base}/approvals`);
  expect(approvals?.status()).toBe(403);
  expect(await page.textContent('#error')).toContain('has no approver role');
  const finance = await page.goto(`${base}/finance`);
  expect(finance?.status()).toBe(200);
  expect(await page.textContent('h1')).toBe('Invoices');
  await ctx.close();
}, 60000);

it('refuses a decision posted with a forged CSRF token', async () => {
  const { orderId, approvalId } = await pendingOrder('PO-CONSOLE-CSRF');
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, 'paula', PW);
  await page.waitForSelector('#sign-out');
  const res = await page.request.post(`${base}/approvals/${approvalId}/decide`, {
    form: { decision: 'approve', csrf: 'forged' },
  });
  expect(res.status()).toBe(403);
  const none = await page.request.post(`${base}/approvals/${approvalId}/decide`, {
    form: { decision: 'approve' },
  });
  expect(none.status()).toBe(403);
  expect((await s.t.env.db('orders').where({ id: orderId }).first('state')).state).toBe('pending_approval');
  await ctx.close();
}, 60000);

it('refuses a session idle for longer than PAGE_SESSION_IDLE_MINUTES: the next page is the sign-in', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, 'paula', PW);
  await page.waitForSelector('#sign-out');
  const realNow = s.t.env.ctx.now;
  try {
    s.t.env.ctx.now = () => new Date(Date.now() + 31 * 60_000);
    await page.goto(`${base}/approvals`);
    expect(await page.locator('#sign-out').count()).toBe(0);
    await page.goto(`${base}/`);
    expect(await page.locator('input[name=username]').count()).toBe(1);
    expect((await ctx.cookies()).find((c) => c.name === 'gw_console')).toBeUndefined();
  } finally {
    s.t.env.ctx.now = realNow;
  }
  await ctx.close();
}, 60000);

/** SCREENSHOTS=1 writes the README's pictures of the console to docs/screenshots/. */
(process.env.SCREENSHOTS ? it : it.skip)(
  'screenshots of the console screens',
  async () => {
    const dir = path.resolve(__dirname, '../../../docs/screenshots');
    mkdirSync(dir, { recursive: true });
    await createUser(s.t.env.db, { username: 'ada', name: 'Ada Admin', roles: ['admin'] }, PW, opts());
    await pendingOrder('PO-SHOT-1');
    const ctx = await browser.newContext({ viewport: { width: 1100, height: 720 } });
    const page = await ctx.newPage();
    const shot = (name: string) =>
      page.screenshot({ path: path.join(dir, `console-${name}.png`), fullPage: true });
    await page.goto(`${base}/`);
    await shot('sign-in');
    await signIn(page, 'ada', PW);
    await page.waitForSelector('#areas');
    await shot('home');
    await page.goto(`${base}/console/users`);
    await shot('users');
    await page.goto(`${base}/console/users/paula`);
    await shot('user');
    await page.goto(`${base}/console/audit`);
    await shot('audit');
    await page.goto(`${base}/approvals`);
    await shot('approvals');
    await ctx.close();
  },
  60000,
);
