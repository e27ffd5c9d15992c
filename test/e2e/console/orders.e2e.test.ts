/**
 * The Orders screen in Chromium: an operator finds an order waiting for approval by its PO number,
 * confirms it by hand, records its shipment, invoices it and credits the invoice; the buyer's
 * endpoint receives the confirmation, the ship notice and both invoices, and the order's history
 * names the operator. A refused shipment quantity comes back as a flash and changes nothing.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createUser } from '../../../src/console/users';
import { launchChromium, signInPage } from '../../helpers/browser';
import { waitFor } from '../../helpers/env';
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
  await createUser(s.t.env.db, { username: 'olga', roles: ['operator'] }, PW, {
    actor: { label: 'test' },
    now: new Date(),
  });
  browser = await launchChromium();
}, 60000);
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => server?.close(() => r()));
  await s?.close();
});

const received = (kind: string) => s.buyer.received.filter((r) => r.body.includes(kind)).length;
const flash = (page: Page) => page.locator('.flash').first().textContent();

it('an operator confirms, ships, invoices and credits an order from its page', async () => {
  await postCxml(
    s.t.app,
    orderRequestXml({
      payloadId: 'PO-CON-1@buyer',
      orderId: 'PO-CON-1',
      lines: [{ sku: 'CHR-ERG-01', quantity: '40', price: '259.00' }],
    }),
  ).expect(200);
  await waitFor(
    () => s.t.env.db('orders').where({ buyer_order_number: 'PO-CON-1', state: 'pending_approval' }).first(),
    20000,
    'order waiting for approval',
  );
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await ctx.newPage();
  await signInPage(page, base, 'olga', PW);
  await page.click('nav >> text=Orders');
  await page.fill('input[name=po]', 'PO-CON-1');
  await page.click('form.filters button[type=submit]');
  expect(await page.locator('#orders tbody tr').count()).toBe(1);
  expect(await page.locator('#orders tbody tr').getAttribute('data-state')).toBe('pending_approval');
  await page.click('#orders >> text=PO-CON-1');

  await page.fill('#decide input[name=reason]', 'checked with the buyer by phone');
  await page.click('#confirm-order');
  expect(await flash(page)).toBe('Order confirmed. The buyer is sent its confirmation.');
  expect(await page.textContent('#order-state')).toBe('confirmed');

  // A quantity beyond what was ordered is refused on the order page; nothing is recorded.
  await page.fill('input[name=line-1]', '41');
  await page.click('#record-shipment');
  expect(await flash(page)).toMatch(/^Not done: .*line 1/);
  expect(Number((await s.t.env.db('shipments').count({ n: '*' }).first())?.n)).toBe(0);

  await page.fill('input[name=carrier]', 'UPSN');
  await page.fill('input[name=trackingNumber]', '1Z999AA10123456784');
  await page.click('#record-shipment');
  expect(await flash(page)).toMatch(
    /^Shipment .* recorded \(order complete\)\. The ship notice is on its way/,
  );
  expect(await page.textContent('#order-state')).toBe('shipped');

  await page.click('#create-invoice');
  expect(await flash(page)).toMatch(/^Invoice \S+ created and queued to the buyer\.$/);
  await page.fill('#order-invoices input[name=reason]', 'damaged in transit');
  await page.click('#order-invoices >> text=Credit in full');
  expect(await flash(page)).toMatch(/^Credit memo \S+ created/);
  expect(await page.locator('#order-invoices tbody tr').count()).toBe(2);
  // The credited invoice offers no second credit memo.
  expect(await page.locator('#order-invoices >> text=Credit in full').count()).toBe(0);

  const history = await page.textContent('#timeline');
  expect(history).toContain('confirmed (from approved) by user:olga — checked with the buyer by phone');
  expect(history).toContain('shipped');
  await waitFor(
    () => received('ConfirmationRequest') === 1 && received('ShipNoticeRequest') === 1,
    20000,
    'confirmation and ship notice',
  );
  await waitFor(() => received('InvoiceDetailRequest') === 2, 20000, 'invoice and credit memo');
  const audit = await s.t.env.db('audit_log').where({ actor: 'user:olga' }).orderBy('id').pluck('action');
  expect(audit.filter((a) => a !== 'session.sign_in')).toEqual([
    'order.confirm',
    'order.ship',
    'order.invoice',
    'invoice.credit',
  ]);
  if (process.env.SCREENSHOTS) {
    const dir = path.resolve(__dirname, '../../../docs/screenshots');
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: path.join(dir, 'console-order.png'), fullPage: true });
    await page.click('nav >> text=Orders');
    await page.screenshot({ path: path.join(dir, 'console-orders.png'), fullPage: true });
  }
  await ctx.close();
}, 90000);
