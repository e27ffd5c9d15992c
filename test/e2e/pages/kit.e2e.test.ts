/**
 * The page kit in headless Chromium: the gateway on 127.0.0.1 and, on another origin, a stand-in for
 * the buyer's procurement system that frames the catalog. A form posted without its CSRF token gets
 * the layout's 403 page, flash messages show once after POST-redirect-GET, and error pages render
 * inside the buyer's iframe (where a page that may not be framed shows nothing); the way back
 * without items, from a catalog page or a used start link, lands on the procurement system's page.
 */
import http, { type Server } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { type Browser, type Frame, type Page } from 'playwright-core';
import { createApp } from '../../../src/app';
import { launchChromium } from '../../helpers/browser';
import { createTestEnv, type TestEnv } from '../../helpers/env';
import { seedShop, setupRequest } from '../../integration/punchout/helpers';

jest.setTimeout(60_000);

const shots = (name: string) => path.resolve(__dirname, `../../../docs/screenshots/${name}.png`);

let env: TestEnv;
let gateway: Server;
let buyer: Server;
let browser: Browser;
let gatewayUrl: string;
let buyerUrl: string;
/** The carts the procurement system received at its BrowserFormPost URL. */
const returned: string[] = [];

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

beforeAll(async () => {
  // The procurement system's page: each `src` in an iframe of its own.
  buyer = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'POST' && url.pathname === '/return') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const xml = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('cxml-urlencoded') ?? '';
        returned.push(xml);
        const items = (xml.match(/<ItemIn /g) ?? []).length;
        const total = /<Total>\s*<Money currency="([A-Z]{3})">([^<]+)</.exec(xml);
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(
          `<!DOCTYPE html><html><body><h1>Requisition</h1><p id="returned">${items} items, total ${total?.[2]} ${total?.[1]}</p></body></html>`,
        );
      });
      return;
    }
    const frames = url.searchParams
      .getAll('src')
      .map(
        (src, i) =>
          `<iframe id="f${i}" src="${src.replace(/"/g, '&quot;')}" width="900" height="500"></iframe>`,
      );
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!DOCTYPE html><html><body><h1>Requisition</h1>${frames.join('')}</body></html>`);
  });
  buyerUrl = await listen(buyer);
  env = await createTestEnv();
  await seedShop(env.db);
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

async function startUrl(buyerCookie: string): Promise<string> {
  const res = await fetch(`${gatewayUrl}/cxml`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: setupRequest({ formPost: `${buyerUrl}/return`, buyerCookie }),
  });
  return /<URL>([^<]+)<\/URL>/.exec(await res.text())?.[1] as string;
}

/** The buyer's page framing `srcs`, once every frame has loaded (or failed to). */
async function framed(page: Page, ...srcs: string[]): Promise<Frame[]> {
  const qs = new URLSearchParams(srcs.map((s) => ['src', s]));
  await page.goto(`${buyerUrl}/requisition?${qs}`, { waitUntil: 'load' });
  return Promise.all(srcs.map(async (_s, i) => (await (await page.$(`#f${i}`))?.contentFrame()) as Frame));
}

async function cartLines(buyerCookie: string) {
  return env
    .db('punchout_cart_lines as l')
    .join('punchout_sessions as s', 's.id', 'l.session_id')
    .where('s.buyer_cookie', buyerCookie)
    .select('l.sku', 'l.quantity');
}

it('refuses a form posted without the CSRF token with the layout 403 page inside the buyer iframe', async () => {
  const page = await browser.newPage();
  const frame = (await framed(page, await startUrl('csrf-e2e')))[0]!;
  await frame.getByLabel('Search').fill('pen');
  await frame.getByRole('button', { name: 'Search' }).click();
  await frame.locator('button[data-sku="PEN-BLU-12"]').waitFor();
  // The form as another site would post it: every field but the token.
  await frame
    .locator('form:has(button[data-sku="PEN-BLU-12"]) input[name=csrf]')
    .evaluate((el) => el.remove());
  await frame.locator('button[data-sku="PEN-BLU-12"]').click();
  await frame.locator('#error').waitFor();
  expect(await frame.locator('h1').textContent()).toBe('Form expired');
  expect(await frame.locator('.error-page .code').textContent()).toBe('403');
  expect(await frame.locator('.site-header .brand').textContent()).toBe(env.config.SUPPLIER_NAME);
  expect(await cartLines('csrf-e2e')).toEqual([]);
  // The way back leads into the catalog, where the same form with its token works.
  await frame.locator('#back').click();
  await frame.locator('#categories').waitFor();
  await frame.getByLabel('Search').fill('pen');
  await frame.getByRole('button', { name: 'Search' }).click();
  await frame.locator('button[data-sku="PEN-BLU-12"]').click();
  await frame.locator('#cart').waitFor();
  expect(await cartLines('csrf-e2e')).toEqual([{ sku: 'PEN-BLU-12', quantity: '1' }]);
  await page.close();
});

it('shows a flash message once after a cart change (POST-redirect-GET), not on reload', async () => {
  const page = await browser.newPage();
  const frame = (await framed(page, await startUrl('flash-e2e')))[0]!;
  await frame.getByLabel('Search').fill('gloves');
  await frame.getByRole('button', { name: 'Search' }).click();
  await frame.getByLabel('Quantity for GLV-NIT-M').fill('20');
  await frame.locator('button[data-sku="GLV-NIT-M"]').click();
  await frame.locator('#cart').waitFor();
  expect(await frame.locator('.flash[role=status]').textContent()).toBe('Added 20 × GLV-NIT-M to your cart.');
  expect(frame.url()).toMatch(/\/cart\?flash=[0-9a-f-]{36}$/);
  await frame.goto(frame.url());
  await frame.locator('#cart').waitFor();
  expect(await frame.locator('.flash').count()).toBe(0);

  await frame.locator('tr[data-sku="GLV-NIT-M"]').getByRole('button', { name: 'Remove' }).click();
  await frame.locator('#empty-cart').waitFor();
  expect(await frame.locator('.flash[role=status]').textContent()).toBe(
    'The line was removed from your cart.',
  );
  await page.close();
});

it('renders error pages inside an iframe on another origin; a page that may not be framed stays blank', async () => {
  const used = await startUrl('used-e2e');
  await fetch(used, { redirect: 'manual' }); // opened once elsewhere
  const live = await startUrl('live-e2e');
  const opened = await fetch(live, { redirect: 'manual' });
  const base = `${gatewayUrl}${opened.headers.get('location')}`;
  const page = await browser.newPage();
  const frames = await framed(
    page,
    `${gatewayUrl}/punchout/s/${'x'.repeat(43)}/`, // no such session
    used, // a start link opened before
    `${base}no-such-page`, // an unknown page of a live session
    `${base}item/NO-SUCH-SKU`, // an unknown product
    `${gatewayUrl}/punchout/start/nope`, // unknown start link
    `${gatewayUrl}/approvals`, // control: frame-ancestors 'none'
  );
  const seen = await Promise.all(
    frames.slice(0, 5).map(async (f) => ({
      code: await f.locator('.error-page .code').textContent({ timeout: 10_000 }),
      title: await f.locator('h1').textContent(),
      header: await f.locator('.site-header .brand').textContent(),
      back: await f.locator('#back').count(),
    })),
  );
  const brand = env.config.SUPPLIER_NAME;
  expect(seen).toEqual([
    { code: '404', title: 'Unknown catalog session', header: brand, back: 0 },
    { code: '410', title: 'Punchout link already used', header: brand, back: 1 },
    { code: '404', title: 'Page not found', header: brand, back: 1 },
    { code: '404', title: 'Product not found', header: brand, back: 1 },
    { code: '404', title: 'Unknown punchout link', header: brand, back: 0 },
  ]);
  // The browser refused to show the approvals page in the buyer's frame: none of it is there.
  const control = frames[5] as Frame;
  expect(control.url()).toMatch(/^chrome-error:/);
  expect(await control.locator('.site-header').count()).toBe(0);
  await page.close();
});

it('goes back to the procurement system without items from a catalog page and from a used start link, once', async () => {
  const page = await browser.newPage();
  // From the product page of a live session, with a line in the cart: the header's way back.
  const frame = (await framed(page, await startUrl('leave-e2e')))[0]!;
  await frame.getByLabel('Search').fill('pen');
  await frame.getByRole('button', { name: 'Search' }).click();
  await frame.locator('button[data-sku="PEN-BLU-12"]').click();
  await frame.locator('#cart').waitFor();
  await frame.goto(frame.url().replace(/cart\?.*$/, 'item/PEN-BLU-12'));
  await frame.locator('#product-name').waitFor();
  const before = returned.length;
  await frame.locator('#return-empty').click();
  await frame.waitForURL(`${buyerUrl}/return`);
  expect(await frame.locator('#returned').textContent()).toBe('0 items, total 0.00 USD');
  expect(returned.length).toBe(before + 1);
  expect(returned[before]).toContain('<BuyerCookie>leave-e2e</BuyerCookie>');
  const [session] = await env.db('punchout_sessions').where({ buyer_cookie: 'leave-e2e' }).select('state');
  expect(session.state).toBe('cancelled');

  // A start link opened once elsewhere: its refusal page goes back, once; then it offers nothing.
  const used = await startUrl('used-leave-e2e');
  await fetch(used, { redirect: 'manual' });
  const [refusal] = await framed(page, used);
  expect(await refusal!.locator('h1').textContent()).toBe('Punchout link already used');
  if (process.env.SCREENSHOTS) await page.screenshot({ path: shots('punchout-way-back') });
  await refusal!.locator('#back').click();
  await refusal!.waitForURL(`${buyerUrl}/return`);
  expect(await refusal!.locator('#returned').textContent()).toBe('0 items, total 0.00 USD');
  const [again] = await framed(page, used);
  await again!.locator('#error').waitFor();
  expect(await again!.locator('#back').count()).toBe(0);
  expect(returned.filter((x) => x.includes('<BuyerCookie>used-leave-e2e</BuyerCookie>'))).toHaveLength(1);
  await page.close();
});
