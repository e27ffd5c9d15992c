/**
 * The console's Documents screen in Chromium (issue 15 acceptance): an operator finds an inbound
 * order by its buyer PO number, opens it (the SharedSecret masked), replays it with a reason and sees
 * the idempotent answer: the stored answer again, no second order. SCREENSHOTS=1 also writes the
 * README's pictures of the Documents, document and Queues pages.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createUser } from '../../../src/console/users';
import { queueDelivery } from '../../../src/delivery/service';
import { storeDocument } from '../../../src/documents/store';
import { launchChromium, signInPage } from '../../helpers/browser';
import { waitFor } from '../../helpers/env';
import {
  orderRequestXml,
  postCxml,
  SECRET,
  setupOrders,
  type OrdersEnv,
} from '../../integration/orders/helpers';

let t: OrdersEnv;
let server: Server;
let base: string;
let browser: Browser;
const PW = 'console-password-1';

beforeAll(async () => {
  t = await setupOrders({
    start: true,
    env: { DELIVERY_MAX_ATTEMPTS: '1' },
    cxml: { outboundUrl: 'http://127.0.0.1:9/cxml' },
  });
  server = createServer(t.app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  await createUser(t.env.db, { username: 'oscar', name: 'Oscar Operator', roles: ['operator'] }, PW, {
    actor: { label: 'test' },
    now: new Date(),
  });
  for (const [i, po] of ['PO-E2E-7', 'PO-E2E-8', 'PO-E2E-9'].entries())
    await postCxml(t.app, orderRequestXml({ payloadId: `e2e-${i}@buyer`, orderId: po })).expect(200);
}, 60000);
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => server.close(() => r()));
  await t.env.close();
});

async function signIn(page: Page): Promise<void> {
  await signInPage(page, base, 'oscar', PW);
  await page.waitForSelector('#sign-out');
}

const orderCount = async () => Number((await t.env.db('orders').count({ n: '*' }))[0]!.n);

it('an operator finds an order document, replays it with a reason and sees the idempotent answer', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signIn(page);
  await page.click('a[href="/console/documents"]');
  await page.fill('input[name=po]', 'PO-E2E-8');
  await page.click('#document-search button[type=submit]');
  await page.waitForURL(/po=PO-E2E-8/);
  const rows = page.locator('#documents tbody tr');
  expect(await rows.count()).toBeGreaterThanOrEqual(1);
  await page.click('#documents tbody tr:has-text("OrderRequest") a');
  await page.waitForSelector('#raw');
  const raw = await page.textContent('#raw');
  expect(raw).toContain('orderID="PO-E2E-8"');
  expect(raw).toContain('<SharedSecret>**************</SharedSecret>');
  expect(raw).not.toContain(SECRET);
  const storedAnswer = await page.textContent('#answer');
  const before = await orderCount();
  await page.fill('#replay textarea[name=reason]', 'buyer asks whether it arrived');
  await page.click('#replay button[type=submit]');
  await page.waitForSelector('#replay-outcome');
  expect(await page.textContent('#replay-outcome')).toContain('nothing was created');
  expect(await page.textContent('#replay-answer')).toBe(storedAnswer);
  expect(await page.textContent('#replay-answer')).toContain('Order PO-E2E-8 received');
  expect(await orderCount()).toBe(before);
  const audit = await t.env.db('audit_log').where({ action: 'document.replay', actor: 'user:oscar' }).first();
  expect(JSON.stringify(audit.after)).toContain('buyer asks whether it arrived');
  await ctx.close();
}, 60000);

/** SCREENSHOTS=1 writes the README's pictures of the Documents screens and the Queues screen. */
(process.env.SCREENSHOTS ? it : it.skip)(
  'screenshots of the Documents, document and Queues pages',
  async () => {
    const dir = path.resolve(__dirname, '../../../docs/screenshots');
    mkdirSync(dir, { recursive: true });
    // Something failed to show on the Queues page: a delivery to a closed port (one attempt).
    await t.env.db.transaction(async (trx) => {
      const documentId = await storeDocument(trx, {
        partnerId: 'acme',
        protocol: 'cxml',
        docType: 'ConfirmationRequest',
        direction: 'out',
        externalId: 'shot-confirmation@supplier',
        status: 'queued',
        contentType: 'text/xml',
        content: '<cXML/>',
      });
      await queueDelivery(trx, { partnerId: 'acme', documentId, url: 'http://127.0.0.1:9/cxml' });
    });
    t.env.ctx.queue.nudge();
    await waitFor(async () => (await t.env.ctx.queue.listFailed()).length > 0, 20000, 'a failed job');
    const ctx = await browser.newContext({ viewport: { width: 1100, height: 720 } });
    const page = await ctx.newPage();
    const shot = (name: string) =>
      page.screenshot({ path: path.join(dir, `console-${name}.png`), fullPage: true });
    await signIn(page);
    await page.goto(`${base}/console/documents?partner=acme`);
    await shot('documents');
    await page.click('#documents tbody tr:has-text("PO-E2E-9"):has-text("OrderRequest") a');
    await page.waitForSelector('#raw');
    await shot('document');
    await page.goto(`${base}/console/queues`);
    await page.waitForSelector('#failed-jobs');
    await shot('queues');
    await ctx.close();
  },
  90000,
);
