/**
 * The Invoices screen in Chromium: an operator finds an invoice the buyer refused, opens it and sees
 * its timeline (created, rejected by the buyer's answer), resends it and the buyer's endpoint
 * receives the same document again, then issues a full credit memo that the timeline shows.
 * SCREENSHOTS=1 also writes the README's pictures of the invoice list and page.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createApp } from '../../../src/app';
import { createUser } from '../../../src/console/users';
import { invoiceOrder } from '../../../src/invoices/actions';
import type { InvoiceRow } from '../../../src/invoices/service';
import { launchChromium, signInPage } from '../../helpers/browser';
import { createTestEnv, waitFor, type TestEnv } from '../../helpers/env';
import { insertConfirmedOrder } from '../../helpers/orders';
import { seedPartner } from '../../helpers/partners';
import { ok, startBuyer } from '../../integration/invoices/buyer';

let env: TestEnv;
let server: Server;
let base: string;
let browser: Browser;
let buyer: Awaited<ReturnType<typeof startBuyer>>;
let reject = true;
let invoice: InvoiceRow;
const PW = 'invoice-operator-password';

beforeAll(async () => {
  buyer = await startBuyer((_r, _n, res) => {
    if (!reject) return ok(res);
    res.writeHead(400, { 'Content-Type': 'text/xml' });
    res.end(
      '<?xml version="1.0"?><cXML payloadID="x@buyer" timestamp="2026-12-04T10:00:00Z"><Response><Status code="400" text="Bad Request">PO-E2E-INV is closed</Status></Response></cXML>',
    );
  });
  env = await createTestEnv({ redis: true });
  await seedPartner(env.db, {
    cxml: {
      credentials: [{ domain: 'NetworkID', identity: 'AN-ACME' }],
      sharedSecret: 'acme-secret-1',
      outboundUrl: buyer.url,
      cartReturn: 'cxml-urlencoded',
      statusUpdates: false,
    },
  });
  server = createServer(createApp(env.ctx));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await createUser(env.db, { username: 'ingrid', roles: ['operator'] }, PW, {
    actor: { label: 'test' },
    now: new Date(),
  });
  const order = await insertConfirmedOrder(env.db, {
    partnerId: 'acme',
    buyerOrderNumber: 'PO-E2E-INV',
    lines: [
      { quantity: '4', unitPrice: '259.00', taxRate: '19' },
      { quantity: '2', unitPrice: '12.50', taxRate: '19' },
    ],
  });
  invoice = await invoiceOrder(env.ctx, order.id, {}, 'key:erp');
  await waitFor(
    async () =>
      (await env.db<InvoiceRow>('invoices').where({ id: invoice.id }).first())?.state === 'rejected',
    20000,
    'invoice rejected by the buyer',
  );
  browser = await launchChromium();
}, 60000);
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => server?.close(() => r()));
  await env?.close();
  await buyer?.close();
});

const flash = (page: Page) => page.locator('.flash').first().textContent();
const invoicesReceived = () => buyer.received.filter((r) => r.body.includes('InvoiceDetailRequest'));

it('an operator opens a refused invoice, resends it, credits it and sees both on its timeline', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await ctx.newPage();
  await signInPage(page, base, 'ingrid', PW);
  await page.click('nav >> text=Invoices');
  await page.fill('input[name=po]', 'PO-E2E-INV');
  await page.click('form.filters button[type=submit]');
  expect(page.url()).toContain('po=PO-E2E-INV');
  expect(await page.locator('#invoices tbody tr').count()).toBe(1);
  expect(await page.locator('#invoices tbody tr').getAttribute('data-state')).toBe('rejected');
  await page.click(`#invoices >> text=${invoice.invoice_number}`);

  expect(await page.textContent('#invoice-state')).toContain('PO-E2E-INV is closed');
  const before = await page.textContent('#invoice-timeline');
  expect(before).toContain('create (issued) by key:erp');
  expect(before).toMatch(/reject \(issued → rejected\) by system:delivery — .*PO-E2E-INV is closed/);
  expect(await page.locator('#invoice-deliveries li[data-status=rejected]').count()).toBe(1);

  reject = false;
  await page.click('#resend-invoice');
  expect(await flash(page)).toBe(`Invoice ${invoice.invoice_number} is on its way to the buyer again.`);
  await waitFor(
    () => Promise.resolve(invoicesReceived().length === 2),
    20000,
    'the invoice again at the buyer',
  );
  expect(invoicesReceived()[1]?.body).toBe(invoicesReceived()[0]?.body);
  await waitFor(
    async () =>
      (await env.db<InvoiceRow>('invoices').where({ id: invoice.id }).first())?.state === 'delivered',
    20000,
    'delivered',
  );
  await page.reload();
  const resent = await page.textContent('#invoice-timeline');
  expect(resent).toContain('resend (rejected → issued) by user:ingrid');
  expect(resent).toContain('deliver (issued → delivered) by system:delivery');

  await page.fill('#credit input[name=reason]', 'goods returned');
  await page.click('#credit-invoice');
  expect(await flash(page)).toMatch(/^Credit memo \S+ created and queued to the buyer\.$/);
  expect(await page.textContent('#invoice-state')).toBe('credited');
  const memo = await env.db<InvoiceRow>('invoices').where({ original_invoice_id: invoice.id }).first();
  expect(await page.textContent('#invoice-timeline')).toContain(
    `credit (delivered → credited) by user:ingrid — credit memo ${memo?.invoice_number}`,
  );
  expect(await page.locator(`#credit-memos li[data-invoice="${memo?.invoice_number}"]`).count()).toBe(1);
  await waitFor(
    () => Promise.resolve(invoicesReceived().length === 3),
    20000,
    'the credit memo at the buyer',
  );
  expect(invoicesReceived()[2]?.body).toContain(`invoiceID="${memo?.invoice_number}"`);
  if (process.env.SCREENSHOTS) {
    const dir = path.resolve(__dirname, '../../../docs/screenshots');
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: path.join(dir, 'console-invoice.png'), fullPage: true });
    await page.click('nav >> text=Invoices');
    await page.screenshot({ path: path.join(dir, 'console-invoices.png'), fullPage: true });
  }
  await ctx.close();
}, 90000);
