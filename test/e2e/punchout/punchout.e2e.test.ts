/**
 * Full punchout round trips in headless Chromium: the gateway on 127.0.0.1, and a local HTTP server
 * standing in for the procurement system (it frames the catalog and captures the cart form post).
 */
import http, { type Server } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { type Browser } from 'playwright-core';
import { createApp } from '../../../src/app';
import { launchChromium } from '../../helpers/browser';
import { createTestEnv, type TestEnv } from '../../helpers/env';
import { insertConfirmedOrder } from '../../helpers/orders';
import { validateCxml } from '../../helpers/xmllint';
import { OCI_PASSWORD, OCI_USER, seedShop, setupRequest } from '../../integration/punchout/helpers';

jest.setTimeout(60_000);

let env: TestEnv;
let gateway: Server;
let buyer: Server;
let browser: Browser;
let gatewayUrl: string;
let buyerUrl: string;
const captured: { path: string; body: string }[] = [];
let onCapture: (() => void) | undefined;

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

function nextCapture(): Promise<{ path: string; body: string }> {
  const n = captured.length;
  return new Promise((resolve) => {
    onCapture = () => {
      if (captured.length > n) resolve(captured[n]!);
    };
  });
}

beforeAll(async () => {
  buyer = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && url.pathname === '/requisition') {
      // The procurement system's page: the supplier catalog in an iframe.
      const src = url.searchParams.get('start') ?? '';
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        `<!DOCTYPE html><html><body><h1>Requisition</h1><iframe id="catalog" src="${src.replace(/"/g, '&quot;')}" width="1000" height="700"></iframe></body></html>`,
      );
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      captured.push({ path: url.pathname, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!DOCTYPE html><html><body><p id="received">Cart received</p></body></html>');
      onCapture?.();
    });
  });
  buyerUrl = await listen(buyer);
  env = await createTestEnv();
  await seedShop(env.db, {
    oci: { username: OCI_USER, password: OCI_PASSWORD, hookUrlAllowlist: [`${buyerUrl}/oci-hook`] },
  });
  gateway = http.createServer(createApp(env.ctx));
  gatewayUrl = await listen(gateway);
  env.ctx.config.publicBaseUrl = gatewayUrl;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => gateway?.close(r));
  await new Promise((r) => buyer?.close(r));
  await env?.close();
});

it('runs a cXML punchout inside the buyer iframe and returns a DTD-valid cart at contract prices', async () => {
  const setup = await fetch(`${gatewayUrl}/cxml`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: setupRequest({ formPost: `${buyerUrl}/cxml-return`, buyerCookie: 'e2e-cookie' }),
  });
  const answer = await setup.text();
  const startUrl = /<URL>([^<]+)<\/URL>/.exec(answer)?.[1] as string;
  expect(startUrl.startsWith(`${gatewayUrl}/punchout/start/`)).toBe(true);

  const page = await browser.newPage();
  await page.goto(`${buyerUrl}/requisition?start=${encodeURIComponent(startUrl)}`);
  const frame = page.frameLocator('#catalog');

  await frame.getByLabel('Search').fill('pen');
  await frame.getByRole('button', { name: 'Search' }).click();
  await frame.locator('button[data-sku="PEN-BLU-12"]').click();
  await frame.locator('#cart').waitFor();

  await frame.getByLabel('Search').fill('chair');
  await frame.getByRole('button', { name: 'Search' }).click();
  await frame.locator('button[data-sku="CHR-ERG-01"]').click();
  await frame.locator('tr[data-sku="CHR-ERG-01"]').waitFor();

  await frame.getByLabel('Quantity of PEN-BLU-12').fill('60');
  await frame.locator('tr[data-sku="PEN-BLU-12"]').getByRole('button', { name: 'Update' }).click();
  await frame.locator('#cart-total', { hasText: '511.00 USD' }).waitFor();

  const capture = nextCapture();
  await frame.locator('#transfer').click();
  const { path, body } = await capture;
  expect(path).toBe('/cxml-return');
  const xml = new URLSearchParams(body).get('cxml-urlencoded') as string;
  expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
  expect(xml).toContain('<BuyerCookie>e2e-cookie</BuyerCookie>');
  expect(xml).toMatch(
    /<ItemIn quantity="60"[\s\S]*?<SupplierPartID>PEN-BLU-12<[\s\S]*?<Money currency="USD">4\.20<\/Money>/,
  );
  expect(xml).toMatch(
    /<ItemIn quantity="1"[\s\S]*?<SupplierPartID>CHR-ERG-01<[\s\S]*?<Money currency="USD">259\.00<\/Money>/,
  );
  expect(xml).toMatch(/<Total>\s*<Money currency="USD">511.00<\/Money>/);
  await page.close();
});

it('refuses a quantity the product rules do not allow, inline in the cart inside the iframe', async () => {
  const setup = await fetch(`${gatewayUrl}/cxml`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: setupRequest({ formPost: `${buyerUrl}/cxml-return`, buyerCookie: 'e2e-quantity' }),
  });
  const startUrl = /<URL>([^<]+)<\/URL>/.exec(await setup.text())?.[1] as string;
  const page = await browser.newPage({ viewport: { width: 1100, height: 780 } });
  await page.goto(`${buyerUrl}/requisition?start=${encodeURIComponent(startUrl)}`);
  const frame = page.frameLocator('#catalog');

  // Copy paper has a minimum order quantity of 5 reams: the search offers 5.
  await frame.getByLabel('Search').fill('paper');
  await frame.getByRole('button', { name: 'Search' }).click();
  await frame.locator('button[data-sku="PAP-A4-500"]').click();
  await frame.locator('tr[data-sku="PAP-A4-500"]').waitFor();
  await frame.getByLabel('Quantity of PAP-A4-500').fill('3');
  await frame.locator('tr[data-sku="PAP-A4-500"]').getByRole('button', { name: 'Update' }).click();
  const warning = frame.getByRole('status').filter({ hasText: 'minimum order quantity is 5 RM' });
  await warning.waitFor();
  expect(await warning.textContent()).toContain('Not changed: Copy paper A4 80g (ream) (PAP-A4-500)');
  await expect(frame.getByLabel('Quantity of PAP-A4-500').inputValue()).resolves.toBe('5');
  if (process.env.SCREENSHOTS)
    await page.screenshot({
      path: path.resolve(__dirname, '../../../docs/screenshots/punchout-quantity.png'),
    });
  await page.close();
});

it("reorders a past order from the Orders page inside the iframe and transfers it at today's prices", async () => {
  await insertConfirmedOrder(env.db, {
    partnerId: 'acme',
    buyerOrderNumber: 'E2E-R1',
    lines: [
      { sku: 'PEN-BLU-12', quantity: '5', unitPrice: '4.95' },
      { sku: 'CHR-ERG-01', quantity: '1', unitPrice: '289.00' },
    ],
  });
  const setup = await fetch(`${gatewayUrl}/cxml`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: setupRequest({ formPost: `${buyerUrl}/cxml-return`, buyerCookie: 'e2e-reorder' }),
  });
  const startUrl = /<URL>([^<]+)<\/URL>/.exec(await setup.text())?.[1] as string;
  const page = await browser.newPage();
  await page.goto(`${buyerUrl}/requisition?start=${encodeURIComponent(startUrl)}`);
  const frame = page.frameLocator('#catalog');

  await frame.getByRole('link', { name: 'Orders' }).click();
  await frame.locator('tr[data-order="E2E-R1"]').getByRole('button', { name: 'Reorder' }).click();
  await frame.locator('#reorder-result', { hasText: '2 line(s) of order E2E-R1' }).waitFor();
  await frame.locator('tr[data-sku="PEN-BLU-12"]').waitFor();
  await frame.locator('tr[data-sku="CHR-ERG-01"]').waitFor();
  await frame.locator('#cart-total', { hasText: '281.50 USD' }).waitFor(); // 5 x 4.50 + 259.00 (contract)

  const capture = nextCapture();
  await frame.locator('#transfer').click();
  const { path, body } = await capture;
  expect(path).toBe('/cxml-return');
  const xml = new URLSearchParams(body).get('cxml-urlencoded') as string;
  expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
  expect(xml).toContain('<BuyerCookie>e2e-reorder</BuyerCookie>');
  expect(xml).toMatch(
    /<ItemIn quantity="5"[\s\S]*?<SupplierPartID>PEN-BLU-12<[\s\S]*?<Money currency="USD">4\.50<\/Money>/,
  );
  expect(xml).toMatch(
    /<ItemIn quantity="1"[\s\S]*?<SupplierPartID>CHR-ERG-01<[\s\S]*?<Money currency="USD">259\.00<\/Money>/,
  );
  expect(xml).toMatch(/<Total>\s*<Money currency="USD">281.50<\/Money>/);
  await page.close();
});

it('runs an OCI punchout (login, shop, transfer) and posts NEW_ITEM fields to HOOK_URL', async () => {
  const page = await browser.newPage();
  const login = new URLSearchParams({
    USERNAME: OCI_USER,
    PASSWORD: OCI_PASSWORD,
    HOOK_URL: `${buyerUrl}/oci-hook`,
    '~OkCode': 'ADDI',
    '~TARGET': '_top',
    '~CALLER': 'CTLG',
  });
  await page.goto(`${gatewayUrl}/oci?${login.toString()}`);
  await page.getByLabel('Search').fill('gloves');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByLabel('Quantity for GLV-NIT-M').fill('20');
  await page.locator('button[data-sku="GLV-NIT-M"]').click();
  await page.locator('tr[data-sku="GLV-NIT-M"]').waitFor();

  const capture = nextCapture();
  await page.locator('#transfer').click();
  const { path, body } = await capture;
  expect(path).toBe('/oci-hook');
  const fields = Object.fromEntries(new URLSearchParams(body));
  expect(fields).toMatchObject({
    '~OkCode': 'ADDI',
    '~TARGET': '_top',
    '~CALLER': 'CTLG',
    'NEW_ITEM-DESCRIPTION[1]': 'Nitrile gloves size M (100)',
    'NEW_ITEM-QUANTITY[1]': '20',
    'NEW_ITEM-UNIT[1]': 'BX',
    'NEW_ITEM-PRICE[1]': '12.345',
    'NEW_ITEM-PRICEUNIT[1]': '1',
    'NEW_ITEM-CURRENCY[1]': 'USD',
    'NEW_ITEM-LEADTIME[1]': '1',
    'NEW_ITEM-VENDORMAT[1]': 'GLV-NIT-M',
    'NEW_ITEM-EXT_PRODUCT_ID[1]': 'GLV-NIT-M',
    'NEW_ITEM-MANUFACTMAT[1]': 'SH-NIT-M',
    'NEW_ITEM-LONGTEXT_1:132[]': 'Powder-free, 4 mil, food safe',
  });
  expect(fields['NEW_ITEM-EXT_QUOTE_ID[1]']).toMatch(/^[0-9a-f]{32}$/);
  await page.locator('#received').waitFor(); // ~TARGET=_top: the whole window went to the SRM
  await page.close();
});
