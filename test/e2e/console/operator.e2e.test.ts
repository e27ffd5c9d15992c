/**
 * The operator's acceptance path in Chromium (issue 15 pt 2), with BullMQ workers on the real Redis:
 * a delivery failing against a closed port is on the Deliveries screen with its error after one
 * attempt; the operator fixes the partner's URL on the Partners screen (to a receiver the test
 * runs), retries, and sees it delivered; creates an API key (shown once) and revokes it, and the
 * API answers the revoked key 401; a finance user cannot open partner settings (403).
 * SCREENSHOTS=1 also writes docs/screenshots/console-deliveries.png, console-partners.png and
 * console-partner.png.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { createUser } from '../../../src/console/users';
import { launchChromium, signInPage } from '../../helpers/browser';
import { auth, waitFor } from '../../helpers/env';
import { listenApp } from '../../helpers/server';
import { orderRequestXml, postCxml, setupOrders, type OrdersEnv } from '../../integration/orders/helpers';

jest.setTimeout(90000);

let t: OrdersEnv;
let gateway: Awaited<ReturnType<typeof listenApp>>;
let receiver: Server;
let receiverUrl: string;
let closedUrl: string;
let browser: Browser;
let received = 0;
const PW = 'operator-password-3';
const shots = process.env.SCREENSHOTS ? path.resolve(__dirname, '../../../docs/screenshots') : null;

beforeAll(async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  closedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/cxml`;
  await new Promise<void>((r) => probe.close(() => r()));
  t = await setupOrders({
    redis: true,
    cxml: { outboundUrl: closedUrl },
    env: { DELIVERY_RETRY_BASE_MS: '600000' },
  });
  gateway = await listenApp(t.app);
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(200, { 'Content-Type': 'text/xml' });
      res.end('<cXML><Response><Status code="200" text="OK"/></Response></cXML>');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/buyer/cxml`;
  const by = { actor: { label: 'test' }, now: new Date() };
  await createUser(t.env.db, { username: 'olga', name: 'Olga Operator', roles: ['operator'] }, PW, by);
  await createUser(t.env.db, { username: 'fred', roles: ['finance'], partners: ['acme'] }, PW, by);
  browser = await launchChromium();
  if (shots) mkdirSync(shots, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  await new Promise<void>((r) => receiver.close(() => r()));
  await t.env.close();
});

async function signIn(page: Page, username: string): Promise<void> {
  await signInPage(page, gateway.url, username, PW);
  await page.waitForSelector('#sign-out');
}

const shot = async (page: Page, name: string, fullPage = true) => {
  if (shots) await page.screenshot({ path: path.join(shots, `console-${name}.png`), fullPage });
};

it('an operator finds a delivery failing against a closed port, fixes the URL, retries and sees it delivered', async () => {
  await postCxml(t.app, orderRequestXml({ payloadId: 'PO-E2E-OPS@buyer', orderId: 'PO-E2E-OPS' })).expect(
    200,
  );
  const { id } = await waitFor<{ id: string }>(
    () => t.env.db('deliveries').where('attempts', '>=', 1).first('id'),
    20000,
    'a failed attempt',
  );
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await ctx.newPage();
  await signIn(page, 'olga');
  await page.click('#to-deliveries');
  await page.selectOption('select[name=partner]', 'acme');
  await page.selectOption('select[name=state]', 'retrying');
  await page.click('#delivery-filters button[type=submit]');
  const row = page.locator(`tr[data-delivery="${id}"]`);
  await row.waitFor();
  expect(await row.getAttribute('data-state')).toBe('retrying');
  expect(await row.textContent()).toContain('ECONNREFUSED');
  expect(await row.locator('td.num').first().textContent()).toBe('1');
  await shot(page, 'deliveries');

  await page.click('nav a[href="/console/partners"]');
  await page.click('tr[data-partner="acme"] a');
  await page.fill('[name="cxml.outboundUrl"]', receiverUrl);
  await page.click('#save-partner');
  expect(await page.textContent('[role=status]')).toContain('Partner acme saved.');

  await page.goto(`${gateway.url}/console/deliveries/${id}`);
  expect(await page.textContent('#last-error')).toContain('ECONNREFUSED');
  await page.click('#retry button');
  expect(await page.textContent('[role=status]')).toContain(`queued again to ${receiverUrl}`);
  await waitFor(
    async () => {
      await page.reload();
      return (await page.textContent('#state'))?.trim() === 'delivered';
    },
    20000,
    'delivered on the page',
  );
  expect(await page.locator('tr[data-attempt]').count()).toBe(2);
  if (shots) await page.screenshot({ path: '/tmp/ops2-delivery.png', fullPage: true });
  expect(received).toBe(1);
  await ctx.close();
});

it('creates an API key shown once, revokes it, and the revoked key gets 401 from the API', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 1400 } });
  const page = await ctx.newPage();
  await signIn(page, 'olga');
  await page.goto(`${gateway.url}/console/partners/acme`);
  await page.selectOption('#new-key select[name=role]', 'erp');
  await page.click('#new-key button');
  const key = ((await page.textContent('#once-value')) ?? '').trim();
  expect(key).toMatch(/^gwk_erp_/);
  expect((await request(gateway.url).get('/api/v1/orders').set(auth(key))).status).toBe(200);
  await shot(page, 'partner', false);
  await page.goto(`${gateway.url}/console/partners/acme`);
  expect(await page.content()).not.toContain(key);
  await page.click(`tr[data-prefix="${key.slice(0, 16)}"] button`);
  expect(await page.textContent('[role=status]')).toContain('revoked');
  expect((await request(gateway.url).get('/api/v1/orders').set(auth(key))).status).toBe(401);
  await ctx.close();
});

it('shows what the API refuses beside its field on the new partner form, and creates the partner once right', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 700 } });
  const page = await ctx.newPage();
  await signIn(page, 'olga');
  await page.goto(`${gateway.url}/console/partners`);
  await page.click('#new-partner');
  await page.fill('[name=id]', 'Globex Corp');
  await page.fill('[name=name]', 'Globex Corporation');
  await page.fill('[name=currency]', 'usd');
  await page.fill('[name="x12.isaQualifier"]', 'ZZ');
  await page.fill('[name="x12.isaId"]', 'GLOBEX');
  await page.fill('[name="x12.gsId"]', 'GLOBEX');
  await page.fill('[name="x12.outboundUrl"]', 'edi.globex.example');
  await page.click('#save-partner');
  expect(await page.textContent('#form-errors')).toContain('Nothing was saved');
  expect(await page.textContent('[data-error="id"]')).toContain('lowercase letters');
  expect(await page.textContent('[data-error="currency"]')).toContain('ISO 4217');
  expect(await page.locator('[data-error="x12.outboundUrl"]').count()).toBe(1);
  if (shots) await page.screenshot({ path: '/tmp/ops2-partner-errors.png', fullPage: false });
  await page.fill('[name=id]', 'globex');
  await page.fill('[name=currency]', 'USD');
  await page.fill('[name="x12.outboundUrl"]', 'https://edi.globex.example/x12');
  await page.click('#save-partner');
  expect(await page.textContent('[role=status]')).toContain('Partner globex created.');
  await page.goto(`${gateway.url}/console/partners`);
  expect(await page.locator('tr[data-partner]').count()).toBe(2);
  await shot(page, 'partners');
  await ctx.close();
});

it('a finance user cannot open partner settings (403)', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page, 'fred');
  expect(await page.locator('#to-partners').count()).toBe(0);
  const res = await page.goto(`${gateway.url}/console/partners/acme`);
  expect(res?.status()).toBe(403);
  expect(await page.textContent('#error')).toContain('Your account (fred) may not open this page');
  expect(await page.content()).not.toContain('cxml.outboundUrl');
  await ctx.close();
});
