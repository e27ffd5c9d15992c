import { launchChromium } from '../../helpers/browser';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser } from 'playwright-core';
import { waitFor } from '../../helpers/env';
import { orderRequestXml, postCxml } from '../../integration/orders/helpers';
import { setupApprovals } from '../../integration/approvals/helpers';
import { ADMIN_TOKEN } from '../../helpers/env';

let s: Awaited<ReturnType<typeof setupApprovals>>;
let server: Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  s = await setupApprovals();
  server = createServer(s.t.app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 60000);
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => server.close(() => r()));
  await s.close();
});

it('an admin signs in on the approvals page, sees the flagged order with the price the buyer saw, and approves it', async () => {
  // A punchout cart line the buyer saw at 259.00; the order comes back at 199.00 (price_deviation).
  const cartLine = '5f0c4c1e-1111-4a4a-9d9d-0123456789ab';
  const session = '5f0c4c1e-2222-4a4a-9d9d-0123456789ab';
  await s.t.env.db('punchout_sessions').insert({
    id: session,
    partner_id: 'acme',
    protocol: 'cxml',
    operation: 'create',
    return_url: 'https://buyer.example/return',
    start_token_hash: 'unused-in-this-test',
    token_expires_at: new Date(Date.now() + 3600_000),
    expires_at: new Date(Date.now() + 3600_000),
  });
  await s.t.env.db('punchout_cart_lines').insert({
    id: cartLine,
    session_id: session,
    partner_id: 'acme',
    sku: 'CHR-ERG-01',
    quantity: '40',
    unit_price: '259.00',
    currency: 'USD',
    position: 1,
  });
  await postCxml(
    s.t.app,
    orderRequestXml({
      payloadId: 'p-page@buyer',
      orderId: 'PO-PAGE',
      lines: [{ sku: 'CHR-ERG-01', quantity: '40', price: '199.00', aux: cartLine }],
    }),
  ).expect(200);
  const order = await s.t.env
    .db('orders')
    .where({ buyer_order_number: 'PO-PAGE' })
    .first('id', 'flags', 'supplier_order_number');
  await waitFor(
    () => s.t.env.db('approvals').where({ order_id: order.id, status: 'pending' }).first(),
    15000,
    'level open',
  );

  const page = await browser.newPage();
  await page.goto(`${base}/approvals`);
  await page.fill('input[name=token]', ADMIN_TOKEN);
  await page.click('button[type=submit]');
  await page.click('a:has-text("PO-PAGE")');
  expect(await page.textContent('[data-flag=price_deviation] h3')).toBe(
    'Prices differ from the agreed prices',
  );
  expect(await page.textContent('#supplier-order')).toBe(order.supplier_order_number);
  const cells = await page.$$eval('#lines tbody tr td', (tds) => tds.map((td) => td.textContent));
  expect(cells).toEqual(expect.arrayContaining(['$199.00', '$259.00']));
  await page.fill('input[name=comment]', 'agreed by phone');
  await page.click('button[value=approve]');
  await page.waitForSelector('[role=status]');
  expect(await page.textContent('[role=status]')).toContain('PO-PAGE: level 1 approved');

  expect((await s.t.env.db('orders').where({ id: order.id }).first('state')).state).toBe('confirmed');
  const a = await s.t.env.db('approvals').where({ order_id: order.id }).first();
  expect(a).toMatchObject({
    status: 'approved',
    decided_by: 'admin (approvals page)',
    comment: 'agreed by phone',
  });
  await page.close();
}, 60000);

it('refuses a decision posted without the CSRF token of the session', async () => {
  await postCxml(
    s.t.app,
    orderRequestXml({
      payloadId: 'p-csrf@buyer',
      orderId: 'PO-CSRF',
      lines: [{ sku: 'CHR-ERG-01', quantity: '30', price: '259.00' }],
    }),
  ).expect(200);
  const order = await s.t.env.db('orders').where({ buyer_order_number: 'PO-CSRF' }).first('id');
  const a = await waitFor(
    () => s.t.env.db('approvals').where({ order_id: order.id, status: 'pending' }).first(),
    15000,
    'level open',
  );
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${base}/approvals`);
  await page.fill('input[name=token]', ADMIN_TOKEN);
  await page.click('button[type=submit]');
  const res = await page.request.post(`${base}/approvals/${a.id}/decide`, {
    form: { decision: 'approve', csrf: 'forged' },
  });
  expect(res.status()).toBe(403);
  expect((await s.t.env.db('orders').where({ id: order.id }).first('state')).state).toBe('pending_approval');
  await ctx.close();
}, 60000);

it('signing out in the browser ends the session: the old cookie, replayed, gets the sign-in page', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${base}/approvals`);
  await page.fill('input[name=token]', ADMIN_TOKEN);
  await page.click('button[type=submit]');
  await page.waitForSelector('#sign-out');
  const cookie = (await ctx.cookies()).find((c) => c.name === 'gw_approvals');
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/approvals' });
  expect(cookie?.value).not.toContain(ADMIN_TOKEN);
  await page.click('#sign-out');
  await page.waitForSelector('input[name=token]');
  expect(await page.textContent('[role=status]')).toContain('You are signed out.');
  expect((await ctx.cookies()).find((c) => c.name === 'gw_approvals')).toBeUndefined();
  // Another browser that copied the cookie before sign-out gets nothing with it.
  const thief = await browser.newContext();
  await thief.addCookies([{ ...(cookie as NonNullable<typeof cookie>), domain: '127.0.0.1' }]);
  const replay = await thief.newPage();
  await replay.goto(`${base}/approvals`);
  expect(await replay.locator('input[name=token]').count()).toBe(1);
  expect(await replay.locator('#sign-out').count()).toBe(0);
  await thief.close();
  await ctx.close();
}, 60000);
