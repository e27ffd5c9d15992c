/**
 * The approval page for people, in Chromium: every flag in words with its evidence (the price the
 * buyer saw and the contract price against the ordered ones, the SKUs the catalog lacks, both
 * totals, the new ship-to in full), money and dates in the reader's locale, the partner's previous
 * orders, previous/next between pending approvals, and the decision with who and the comment typed.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../../helpers/browser';
import { ADMIN_TOKEN, waitFor } from '../../helpers/env';
import { examplePartner } from '../../helpers/partners';
import { BUYER, SECRET, orderRequestXml, postCxml } from '../../integration/orders/helpers';
import { setupApprovals, TWO_LEVELS } from '../../integration/approvals/helpers';
import { upsertPartner } from '../../../src/partners/service';
import { signLink } from '../../../src/approvals/tokens';

let s: Awaited<ReturnType<typeof setupApprovals>>;
let server: Server;
let base: string;
let browser: Browser;
const CART_LINE = '5f0c4c1e-4444-4a4a-9d9d-0123456789ab';

async function pending(orderNumber: string): Promise<{ orderId: string; approvalId: string }> {
  const order = await s.t.env.db('orders').where({ buyer_order_number: orderNumber }).first('id');
  const a = await waitFor<{ id: string }>(
    async () => s.t.env.db('approvals').where({ order_id: order.id, status: 'pending' }).first('id'),
    15000,
    `${orderNumber} waits for approval`,
  );
  return { orderId: order.id, approvalId: a.id };
}

async function signedIn(locale: string): Promise<Page> {
  const ctx = await browser.newContext({ locale, viewport: { width: 1100, height: 800 } });
  const page = await ctx.newPage();
  await page.goto(`${base}/approvals`);
  await page.fill('input[name=token]', ADMIN_TOKEN);
  await page.click('button[type=submit]');
  await page.waitForSelector('#sign-out');
  return page;
}

const text = async (page: Page, selector: string) =>
  ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();

beforeAll(async () => {
  s = await setupApprovals();
  // Unknown SKUs are flagged for a person instead of refusing the order.
  await upsertPartner(
    s.t.env.db,
    examplePartner({
      cxml: {
        credentials: [BUYER, { domain: 'DUNS', identity: '123456789' }],
        sharedSecret: SECRET,
        cartReturn: 'cxml-urlencoded',
        statusUpdates: false,
        outboundUrl: s.buyer.url,
      },
      approval: TWO_LEVELS,
      orders: { unknownSku: 'flag' },
    }),
  );
  server = createServer(s.t.app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();

  // A first order to the usual address (auto-approved: small, no flag).
  await postCxml(
    s.t.app,
    orderRequestXml({
      payloadId: 'p-first@buyer',
      orderId: 'PO-FIRST',
      lines: [{ sku: 'PEN-BLU-12', quantity: '2', price: '4.50' }],
    }),
  ).expect(200);
  await waitFor(
    async () =>
      (await s.t.env.db('orders').where({ buyer_order_number: 'PO-FIRST' }).first('state'))?.state ===
      'confirmed',
    15000,
    'first order confirmed',
  );
  // The cart the buyer saw: the chair at 259.00.
  const session = '5f0c4c1e-5555-4a4a-9d9d-0123456789ab';
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
    id: CART_LINE,
    session_id: session,
    partner_id: 'acme',
    sku: 'CHR-ERG-01',
    quantity: '40',
    unit_price: '259.00',
    currency: 'USD',
    position: 1,
  });
  // Every flag at once: a cart price and a contract price undercut, an unknown SKU, a total that
  // is not the lines' sum, a ship-to never used.
  await postCxml(
    s.t.app,
    orderRequestXml({
      payloadId: 'p-evidence@buyer',
      orderId: 'PO-EVID',
      street: '77 New Road',
      total: '9999.99',
      lines: [
        { sku: 'CHR-ERG-01', quantity: '40', price: '199.00', aux: CART_LINE },
        { sku: 'PEN-BLU-12', quantity: '10', price: '3.99' },
        { sku: 'NOPE-SKU-1', quantity: '1', price: '10.00' },
      ],
    }),
  ).expect(200);
  await pending('PO-EVID');
  await postCxml(
    s.t.app,
    orderRequestXml({
      payloadId: 'p-second@buyer',
      orderId: 'PO-NEXT',
      lines: [{ sku: 'CHR-ERG-01', quantity: '30', price: '259.00' }],
    }),
  ).expect(200);
  await pending('PO-NEXT');
}, 90000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => server.close(() => r()));
  await s.close();
});

it('each flag is shown in words with its evidence, stored when the order was evaluated', async () => {
  const { orderId, approvalId } = await pending('PO-EVID');
  const order = await s.t.env.db('orders').where({ id: orderId }).first('flags');
  expect([...order.flags].sort()).toEqual([
    'new_ship_to',
    'price_deviation',
    'total_mismatch',
    'unknown_sku',
  ]);
  // The evidence is kept: a later catalog change does not rewrite what the approver is shown.
  await s.t.env
    .db('price_list_entries')
    .where({ sku: 'PEN-BLU-12', min_qty: '1' })
    .update({ unit_price: '3.99' });

  const page = await signedIn('en-US');
  await page.goto(`${base}/approvals/${approvalId}`);
  expect(await text(page, '[data-flag=price_deviation] h3')).toBe('Prices differ from the agreed prices');
  const chair = await text(page, '[data-flag=price_deviation] [data-evidence-line="1"]');
  expect(chair).toContain('$199.00');
  expect(chair).toContain('$259.00');
  expect(chair).toContain('price the buyer saw in the punchout cart');
  expect(chair).toContain('-$60.00 (-23.2 %)');
  const pens = await text(page, '[data-flag=price_deviation] [data-evidence-line="2"]');
  expect(pens).toContain('$3.99');
  expect(pens).toContain('$4.50');
  expect(pens).toContain('contract price on Nov 23, 2026');
  expect(await page.locator('[data-flag=price_deviation] [data-evidence-line="3"]').count()).toBe(0);

  expect(await text(page, '[data-flag=unknown_sku] h3')).toBe('Items not in the catalog');
  expect(await text(page, '#unknown-skus')).toBe('NOPE-SKU-1');
  expect(await text(page, '[data-flag=total_mismatch] h3')).toBe(
    "The buyer's total does not match the lines",
  );
  expect(await text(page, '#stated-total')).toBe('$9,999.99');
  expect(await text(page, '#computed-total')).toBe('$8,009.90');
  expect(await text(page, '[data-flag=total_mismatch]')).toContain('a difference of $1,990.09');
  expect(await text(page, '[data-flag=new_ship_to] h3')).toBe('Ships to a new address');
  expect(await page.innerText('#new-ship-to')).toBe('Acme HQ\n77 New Road\n12345 Springfield\nUnited States');

  // The lines with their descriptions, money and dates for the reader.
  const line1 = await text(page, '#lines [data-line="1"]');
  expect(line1).toContain('CHR-ERG-01');
  expect(line1).toContain('$7,960.00');
  expect(await text(page, '#order-date')).toBe('Nov 23, 2026');
  expect(await text(page, '#order-total')).toBe('$9,999.99');
  expect(await text(page, '#since')).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2} [AP]M UTC$/);
  // The partner's previous order, with its state.
  expect(await text(page, '#previous-orders [data-order=PO-FIRST]')).toContain('confirmed');

  if (process.env.SCREENSHOTS) {
    const dir = path.resolve(__dirname, '../../../docs/screenshots');
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: path.join(dir, 'approval-page.png'), fullPage: true });
  }
  await page.context().close();
}, 60000);

it('money and dates follow the reader’s Accept-Language', async () => {
  const { approvalId } = await pending('PO-EVID');
  const page = await signedIn('de-DE');
  await page.goto(`${base}/approvals/${approvalId}`);
  expect(await text(page, '#computed-total')).toBe('8.009,90 $');
  expect(await text(page, '#order-date')).toBe('23.11.2026');
  await page.context().close();
}, 60000);

it('the e-mail link page shows the same evidence, without a way into the staff pages', async () => {
  const { approvalId } = await pending('PO-EVID');
  const token = signLink(s.t.env.config, {
    approvalId,
    decision: 'approve',
    approver: 'sales-manager@supplier.example',
    exp: Math.floor(Date.now() / 1000) + 3600,
  });
  const ctx = await browser.newContext({ locale: 'en-US' });
  const page = await ctx.newPage();
  await page.goto(`${base}/approvals/link?token=${token}`);
  expect(await text(page, '[data-flag=price_deviation] [data-evidence-line="1"]')).toContain('$259.00');
  expect(await text(page, '#unknown-skus')).toBe('NOPE-SKU-1');
  expect(await page.innerText('#new-ship-to')).toContain('77 New Road');
  expect(await page.locator('a[href^="/approvals/"]').count()).toBe(0);
  await ctx.close();
}, 60000);

it('previous and next lead through the pending approvals; the decision keeps who and the comment', async () => {
  const first = await pending('PO-EVID');
  const second = await pending('PO-NEXT');
  const page = await signedIn('en-US');
  await page.goto(`${base}/approvals/${first.approvalId}`);
  expect(await text(page, '#position')).toBe('Pending approval 1 of 2');
  expect(await page.locator('#prev-approval').count()).toBe(0);
  await Promise.all([
    page.waitForURL(`${base}/approvals/${second.approvalId}`),
    page.click('#next-approval'),
  ]);
  expect(await text(page, '#position')).toBe('Pending approval 2 of 2');
  await Promise.all([page.waitForURL(`${base}/approvals/${first.approvalId}`), page.click('#prev-approval')]);

  await page.fill('input[name=comment]', 'Price agreed with Jane by phone');
  await page.click('button[value=approve]');
  await page.waitForSelector('[role=status]');
  // The list shows it among the decided ones, with who and the comment.
  const row = await text(page, `#recently-decided tr[data-approval="${first.approvalId}"]`);
  expect(row).toContain('admin (approvals page)');
  expect(row).toContain('Price agreed with Jane by phone');
  expect(row).toContain('$9,999.99');
  await page.goto(`${base}/approvals/${first.approvalId}`);
  expect(await text(page, '#decided')).toBe('This level is approved by admin (approvals page).');
  expect(await text(page, '#decided-comment')).toBe('Price agreed with Jane by phone');
  const history = await text(page, '#history [data-level="1.1"]');
  expect(history).toContain('approved');
  expect(history).toContain('admin (approvals page)');
  expect(history).toContain('Price agreed with Jane by phone');
  // PO-NEXT is the only one left: no neighbours.
  await page.goto(`${base}/approvals/${second.approvalId}`);
  expect(await text(page, '#position')).toBe('Pending approval 1 of 1');
  await page.context().close();
}, 60000);
