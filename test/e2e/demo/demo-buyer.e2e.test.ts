/**
 * The demo end to end (issue 16 point 6), clicked through in Chromium on a gateway started as
 * `npm start` starts it (embedded, no DATABASE_URL): the demo buyer punches out, adds an item,
 * returns the cart and submits the purchase order; the admin approves it (it is above the demo's
 * approval threshold) and, in the console's Orders screen, records the shipment
 * and creates the invoice; the demo buyer's inbox lists the confirmation, ship notice and invoice the
 * gateway delivered to it, and the finance page shows the invoice. And over OCI, as an SAP SRM
 * would: the demo catalog's pictures, availability and specifications, the cart posted back to the
 * demo buyer's HOOK_URL, and the order it sends from there in the console.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../helpers/browser';
import { freePort, startGateway, stopGateway, waitHealthy } from '../../helpers/gateway-process';
import { DEMO_KEYS } from '../../../src/demo';

const dataDir = mkdtempSync(path.join(tmpdir(), 'gw-demo-buyer-'));
let gateway: ReturnType<typeof startGateway> | undefined;
let browser: Browser | undefined;
let base: string;
let password: string;

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  gateway = startGateway(dataDir, port, { PUBLIC_BASE_URL: base });
  await waitHealthy(port, gateway);
  password = /created with the password \(shown once, only its hash is stored\):\n(\S+)\n/.exec(
    gateway.output(),
  )![1]!;
  browser = await launchChromium();
}, 200000);
afterAll(async () => {
  await browser?.close();
  if (gateway && gateway.child.exitCode === null) await stopGateway(gateway);
  rmSync(dataDir, { recursive: true, force: true });
});

const shots = path.resolve(__dirname, '../../../docs/screenshots');

/** Reloads the demo buyer until its inbox lists a document of that type. */
async function waitForInbox(page: Page, type: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    await page.goto(`${base}/demo/buyer`);
    if ((await page.locator(`tr.inbox-row[data-type="${type}"]`).count()) > 0) return;
    await page.waitForTimeout(500);
  }
  throw new Error(`the demo buyer received no ${type}`);
}

it('prints where to go, and a newcomer clicks from punchout to the invoice in the finance page', async () => {
  const out = gateway!.output();
  expect(out).toContain(`Demo buyer: ${base}/demo/buyer`);
  expect(out).toContain(`Console: ${base}/`);

  const ctx = await browser!.newContext({ viewport: { width: 1200, height: 1000 } });
  const page = await ctx.newPage();
  await page.goto(`${base}/`);
  await page.click('#demo-links >> text=Demo buyer');
  expect(page.url()).toBe(`${base}/demo/buyer`);
  expect(await page.locator('#inbox-empty').count()).toBe(1);

  await page.click('#start-punchout button');
  const frame = page.frameLocator('#punchout-frame');
  await frame.getByRole('link', { name: 'Seating' }).click();
  await frame.locator('button[data-sku="CHR-ERG-01"]').first().click();
  await frame.getByLabel('Quantity of CHR-ERG-01').fill('20');
  await frame.locator('tr[data-sku="CHR-ERG-01"]').getByRole('button', { name: 'Update' }).click();
  await frame.locator('#cart-total', { hasText: '180.00' }).waitFor();
  await frame.locator('#transfer').click();
  // The cart comes back to the demo buyer inside the frame: its lines, its total.
  await frame.locator('#cart tr', { hasText: 'CHR-ERG-01' }).waitFor();
  expect(await frame.locator('#cart-total').textContent()).toBe('5180.00 USD');
  await frame.locator('#submit-order button').click();
  await page.locator('#answer-status', { hasText: '200 OK' }).waitFor();
  const orderId = /Purchase order (\S+) sent/.exec((await page.textContent('#answer h2')) ?? '')![1]!;

  // Above the demo's 5,000 USD: the supplier's approver decides (the console's admin may).
  await page.click('nav >> text=Approvals');
  await page.click('#console-sign-in a');
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', password);
  await page.click('#sign-in button[type=submit]');
  await page.click(`a:has-text("${orderId}")`);
  await page.click('button[value=approve]');

  // The buyer's system, in its own tab, receives the confirmation.
  const buyer = await ctx.newPage();
  await waitForInbox(buyer, 'ConfirmationRequest');

  await page.click('nav >> text=Console');
  await page.click('#areas >> text=Orders');
  await page.click(`#orders >> text=${orderId}`);
  expect(await page.textContent('#order-state')).toBe('confirmed');
  await page.click('#record-shipment');
  expect(await page.locator('.flash').first().textContent()).toMatch(/^Shipment .* recorded/);
  await page.click('#create-invoice');
  expect(await page.locator('.flash').first().textContent()).toMatch(/^Invoice \S+ created/);

  await waitForInbox(buyer, 'InvoiceDetailRequest');
  for (const type of ['ConfirmationRequest', 'ShipNoticeRequest', 'InvoiceDetailRequest'])
    expect(
      await buyer.locator(`tr.inbox-row[data-type="${type}"] [data-col=order]`).allTextContents(),
    ).toEqual([orderId]);
  if (process.env.SCREENSHOTS) {
    mkdirSync(shots, { recursive: true });
    await buyer.screenshot({ path: path.join(shots, 'demo-buyer.png'), fullPage: true });
  }
  await buyer.click('tr.inbox-row[data-type="InvoiceDetailRequest"] a');
  expect(await buyer.textContent('#received-doc')).toContain('<InvoiceDetailRequest>');
  await buyer.click('#main >> text=Back to the demo buyer');

  // The console's admin sees every partner's invoices in the finance pages.
  await buyer.click('nav >> text=Finance pages');
  expect(await buyer.locator('tr[data-invoice]').count()).toBe(1);
  expect(await buyer.locator('tr[data-invoice] [data-col=po]').textContent()).toBe(orderId);
  await ctx.close();

  // The demo buyer's finance team signs in with the demo finance key and sees it too.
  const finance = await browser!.newContext();
  const fp = await finance.newPage();
  await fp.goto(`${base}/demo/buyer`);
  await fp.click('nav >> text=Finance pages');
  await fp.fill('input[name=key]', DEMO_KEYS.finance);
  await Promise.all([fp.waitForURL(`${base}/finance`), fp.click('button[type=submit]')]);
  expect(await fp.locator('tr[data-invoice] [data-col=po]').textContent()).toBe(orderId);
  await finance.close();
}, 240000);

/** True once the picture has loaded (it is served here and the page's CSP lets it in). */
const loaded = (img: ReturnType<Page['locator']>) =>
  img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0);

it('punches out over OCI: pictures and availability in the catalog, the cart back at the HOOK_URL, the order in the console', async () => {
  const ctx = await browser!.newContext({ viewport: { width: 1200, height: 1000 } });
  const page = await ctx.newPage();
  await page.goto(`${base}/demo/buyer`);
  await page.click('#start-oci button');
  expect(await page.textContent('#punchout h2')).toBe('Supplier catalog (OCI punchout)');
  const frame = page.frameLocator('#punchout-frame');

  // The category tree goes three levels deep; each result has its picture and availability.
  await frame.locator('#categories [data-category="Furniture/Seating/Office chairs"]').waitFor();
  await frame.getByRole('link', { name: 'Office supplies' }).first().click();
  const pens = frame.locator('#results tr[data-sku="PEN-GEL-BK"]');
  await pens.waitFor();
  expect(await frame.locator('#results img.thumb').count()).toBe(5);
  expect(await pens.locator('.avail').textContent()).toBe('Ships in 6 days');
  expect(await frame.locator('#results tr[data-sku="NTB-A5-80"] .avail').textContent()).toBe('Out of stock');
  for (const img of await frame.locator('#results img.thumb').all()) expect(await loaded(img)).toBe(true);
  if (process.env.SCREENSHOTS) {
    mkdirSync(shots, { recursive: true });
    await page.locator('#punchout-frame').screenshot({ path: path.join(shots, 'demo-catalog.png') });
  }
  await frame.getByRole('link', { name: 'All categories' }).click();
  await frame.getByRole('link', { name: 'Seating' }).click();
  const chair = frame.locator('#results tr[data-sku="CHR-ERG-01"]');
  const stool = frame.locator('#results tr[data-sku="STL-DRF-01"]');
  await chair.waitFor();
  expect(await loaded(chair.locator('img.thumb'))).toBe(true);
  expect(await chair.locator('img.thumb').getAttribute('src')).toBe(`${base}/assets/demo/chair.svg`);
  expect(await chair.locator('.avail').textContent()).toBe('In stock');
  expect(await stool.locator('.avail').textContent()).toBe('Ships in 14 days');
  await frame.getByRole('link', { name: 'Ergonomic office chair' }).first().click();
  await frame.locator('#specifications', { hasText: 'Seat height' }).waitFor();
  expect(await loaded(frame.locator('img.thumb-large'))).toBe(true);
  await frame.locator('button[data-sku="CHR-ERG-01"]').first().click();

  await frame.locator('input[name=q]').fill('standing desk');
  await frame.locator('input[name=q]').press('Enter');
  const desk = frame.locator('#results tr[data-sku="DSK-STD-160"]');
  expect(await desk.locator('.avail').textContent()).toBe('Out of stock');
  await frame.locator('input[name=q]').fill('copy paper');
  await frame.locator('input[name=q]').press('Enter');
  await frame.locator('button[data-sku="PAP-A4-500"]').first().click();
  // 259.00 (the demo's contract price) + 5 reams (the least it sells) × 5.20
  await frame.locator('#cart-total', { hasText: '285.00' }).waitFor();
  await frame.locator('#transfer').click();

  // ~TARGET=_top: the SRM's HOOK_URL page takes the whole window with the NEW_ITEM lines.
  await page.waitForURL(new RegExp(`^${base}/demo/buyer/oci-cart/`));
  const lines = page.locator('#cart[data-protocol=OCI] tbody tr');
  expect(await lines.evaluateAll((rows) => rows.map((r) => [r.dataset.index, r.dataset.sku]))).toEqual([
    ['1', 'CHR-ERG-01'],
    ['2', 'PAP-A4-500'],
  ]);
  expect(await page.textContent('#cart-total')).toBe('285.00 USD');
  if (process.env.SCREENSHOTS)
    await page.screenshot({ path: path.join(shots, 'demo-buyer-oci.png'), fullPage: true });
  await page.click('#submit-order button');
  await page.locator('#answer-status', { hasText: '200 OK' }).waitFor();
  const orderId = /Purchase order (\S+) sent/.exec((await page.textContent('#answer h2')) ?? '')![1]!;

  // Under 5,000 USD it is confirmed on its own; the console shows it with both lines.
  await page.click('nav >> text=Gateway console');
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', password);
  await page.click('#sign-in button[type=submit]');
  await page.click('#areas >> text=Orders');
  await page.click(`#orders >> text=${orderId}`);
  for (const sku of ['CHR-ERG-01', 'PAP-A4-500']) await page.locator(`text=${sku}`).first().waitFor();
  const buyer = await ctx.newPage();
  await waitForInbox(buyer, 'ConfirmationRequest');
  expect(
    await buyer.locator('tr.inbox-row[data-type="ConfirmationRequest"] [data-col=order]').allTextContents(),
  ).toContain(orderId);
  await ctx.close();
}, 240000);
