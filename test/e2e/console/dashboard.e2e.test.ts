/**
 * The Dashboard in Chromium after real traffic: an accepted order (and its confirmation out), a
 * refused cXML document, an order waiting for approval; the figures count them, the chart holds
 * 24 hourly bars with this hour's documents, the table names the partner. A finance user is refused.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { createUser } from '../../../src/console/users';
import { launchChromium, signInPage } from '../../helpers/browser';
import { waitFor } from '../../helpers/env';
import { consoleSignIn } from '../../helpers/pages';
import { setupApprovals } from '../../integration/approvals/helpers';
import { orderRequestXml, postCxml } from '../../integration/orders/helpers';

let s: Awaited<ReturnType<typeof setupApprovals>>;
let server: Server;
let base: string;
let browser: Browser;
const PW = 'operator-password-1';

beforeAll(async () => {
  s = await setupApprovals();
  server = createServer(s.t.app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const opts = { actor: { label: 'test' }, now: new Date() };
  await createUser(s.t.env.db, { username: 'olga', roles: ['operator'] }, PW, opts);
  await createUser(s.t.env.db, { username: 'fin', roles: ['finance'] }, PW, opts);
  browser = await launchChromium();
}, 60000);
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => server?.close(() => r()));
  await s?.close();
});

it('counts the traffic of the last 24 hours, and only operators open it', async () => {
  const order = (po: string, quantity: string) =>
    postCxml(
      s.t.app,
      orderRequestXml({
        payloadId: `${po}@buyer`,
        orderId: po,
        lines: [{ sku: 'CHR-ERG-01', quantity, price: '259.00' }],
      }),
    ).expect(200);
  await order('PO-DASH-1', '2'); // under the threshold: confirmed at once
  await order('PO-DASH-2', '40'); // waits for approval
  await postCxml(s.t.app, '<cXML><Nope/></cXML>');
  await waitFor(
    async () =>
      (await s.t.env.db('documents').where({ doc_type: 'ConfirmationRequest', status: 'delivered' }))
        .length === 1,
    20000,
    'confirmation delivered',
  );
  const fin = await consoleSignIn(s.t.app, 'fin', PW);
  expect((await request(s.t.app).get('/console/dashboard').set('Cookie', fin.cookie)).status).toBe(403);

  const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await ctx.newPage();
  await signInPage(page, base, 'olga', PW);
  await page.click('#areas >> text=Dashboard');
  const figure = async (id: string) => page.textContent(`#${id} .figure`);
  const total = await s.t.env.db('documents').count({ n: '*' }).first();
  expect(await figure('fig-docs')).toBe(String(total?.n));
  expect(await figure('fig-approval')).toBe('1');
  expect(await figure('fig-refused')).toMatch(/^\d+\.\d%$/);
  expect(await page.textContent('#fig-refused .figure-label')).toBe('refused (1)');
  expect(await page.locator('#hour-chart g[data-hour]').count()).toBe(24);
  const lastHour = page.locator('#hour-chart g[data-hour]').last();
  expect(await lastHour.locator('rect').first().locator('title').textContent()).toMatch(/: [1-9]\d* in$/);
  expect(await page.textContent('#traffic')).toContain('acme');
  await page.click('#fig-approval a');
  expect(page.url()).toContain('/console/orders?state=pending_approval');
  expect(await page.locator('#orders tbody tr').count()).toBe(1);
  if (process.env.SCREENSHOTS) {
    const dir = path.resolve(__dirname, '../../../docs/screenshots');
    mkdirSync(dir, { recursive: true });
    await page.goto(`${base}/console/dashboard`);
    await page.screenshot({ path: path.join(dir, 'console-dashboard.png'), fullPage: true });
  }
  await ctx.close();
}, 90000);
