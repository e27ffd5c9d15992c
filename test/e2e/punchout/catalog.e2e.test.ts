/**
 * The catalog pages over a 5,000-item catalog in headless Chromium, inside the buyer's iframe
 * (issue 16 pt 1): pictures (served by the buyer's stand-in, another origin) and availability
 * shown, the category tree with counts, paging a 3,847-item category, sort, the query kept in the
 * box, specifications, the comparison of four products with a fifth refused, and the supplier's
 * branding from config.
 */
import http, { type Server } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { createApp } from '../../../src/app';
import { importCatalog } from '../../../src/catalog/service';
import { launchChromium } from '../../helpers/browser';
import { createTestEnv, type TestEnv } from '../../helpers/env';
import { seedShop, setupRequest } from '../../integration/punchout/helpers';

jest.setTimeout(120_000);

let env: TestEnv;
let gateway: Server;
let buyer: Server;
let browser: Browser;
let gatewayUrl: string;
let buyerUrl: string;
const imageHits: string[] = [];
const shots = (name: string) => path.resolve(__dirname, `../../../docs/screenshots/${name}.png`);

const COLOURS = ['#2563eb', '#0b7a53', '#b45309', '#7c3aed', '#be123c', '#0e7490'];
const KINDS = [
  { category: 'Furniture/Seating', noun: 'chair', count: 3847 },
  { category: 'Furniture/Desks', noun: 'desk', count: 403 },
  { category: 'Furniture/Storage/Shelving', noun: 'shelf', count: 250 },
  { category: 'Office supplies/Paper', noun: 'paper', count: 300 },
  { category: 'Office supplies/Writing', noun: 'pen', count: 150 },
  { category: 'Safety/Hand protection', noun: 'gloves', count: 50 },
];
const MODELS = ['Aria', 'Bolt', 'Cove', 'Dune', 'Echo', 'Flint', 'Grove', 'Halo', 'Iris', 'Juno', 'Kite'];

function svg(n: number, noun: string): string {
  const c = COLOURS[n % COLOURS.length];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240" viewBox="0 0 240 240"><rect width="240" height="240" rx="18" fill="#f1f5f9"/><rect x="40" y="40" width="160" height="120" rx="14" fill="${c}"/><rect x="70" y="160" width="16" height="50" fill="${c}"/><rect x="154" y="160" width="16" height="50" fill="${c}"/><text x="120" y="110" font-family="sans-serif" font-size="26" fill="#fff" text-anchor="middle">${noun}</text></svg>`;
}

/** 5,000 items: 3,847 chairs, the rest spread over five more categories, most with a picture. */
function catalogRows() {
  const rows: { line: number; values: Record<string, unknown> }[] = [];
  let n = 0;
  for (const kind of KINDS) {
    for (let i = 0; i < kind.count; i++, n++) {
      const model = `${MODELS[n % MODELS.length]} ${String(i + 1).padStart(4, '0')}`;
      rows.push({
        line: n + 1,
        values: {
          sku: `${kind.noun.toUpperCase()}-${String(i + 1).padStart(4, '0')}`,
          name: `${model} ${kind.noun}`,
          description: `A ${kind.noun} of the ${MODELS[n % MODELS.length]} line`,
          unit_price: `${(20 + ((n * 37) % 480)).toFixed(2)}`,
          currency: 'USD',
          uom: 'EA',
          category: kind.category,
          image_url: n % 9 === 8 ? '' : `${buyerUrl}/img/${n}-${kind.noun}.svg`,
          stock_quantity: n % 5 === 0 ? 0 : n % 5 === 1 ? '' : (n * 7) % 300,
          lead_time_days: n % 5 === 0 ? (n % 2 ? 14 : '') : 3,
          attributes: {
            Colour: ['black', 'grey', 'blue', 'oak'][n % 4],
            Width: `${40 + (n % 8) * 10} cm`,
            Weight: `${(5 + (n % 13) * 1.5).toFixed(1)} kg`,
            Warranty: `${1 + (n % 5)} yr`,
          },
        },
      });
    }
  }
  return rows;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

beforeAll(async () => {
  buyer = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const img = /^\/img\/(\d+)-(\w+)\.svg$/.exec(url.pathname);
    if (img) {
      imageHits.push(url.pathname);
      res.writeHead(200, { 'content-type': 'image/svg+xml' });
      return res.end(svg(Number(img[1]), img[2]!));
    }
    if (url.pathname === '/logo.svg') {
      res.writeHead(200, { 'content-type': 'image/svg+xml' });
      return res.end(
        '<svg xmlns="http://www.w3.org/2000/svg" width="28" height="28"><circle cx="14" cy="14" r="12" fill="#0b5d3b"/><text x="14" y="19" font-size="14" font-family="sans-serif" fill="#fff" text-anchor="middle">N</text></svg>',
      );
    }
    const src = url.searchParams.get('start') ?? '';
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(
      `<!DOCTYPE html><html><body style="margin:8px;font-family:sans-serif"><h3>Requisition</h3><iframe id="catalog" src="${src.replace(/"/g, '&quot;')}" width="1060" height="760"></iframe></body></html>`,
    );
  });
  buyerUrl = await listen(buyer);
  env = await createTestEnv({
    env: {
      SUPPLIER_NAME: 'Northwind Office Supply',
      SUPPLIER_LOGO_URL: `${buyerUrl}/logo.svg`,
      SUPPLIER_BRAND_COLOR: '#0b5d3b',
      SUPPLIER_ACCENT_COLOR: '#0b6bcb',
    },
  });
  await seedShop(env.db);
  await importCatalog(env.db, catalogRows(), { where: 'item' });
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

async function punchOut(cookie: string): Promise<{ page: Page; frame: FrameLocator }> {
  const setup = await fetch(`${gatewayUrl}/cxml`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: setupRequest({ formPost: `${buyerUrl}/cxml-return`, buyerCookie: cookie }),
  });
  const startUrl = /<URL>([^<]+)<\/URL>/.exec(await setup.text())?.[1] as string;
  const page = await browser.newPage({ viewport: { width: 1100, height: 860 } });
  await page.goto(`${buyerUrl}/requisition?start=${encodeURIComponent(startUrl)}`);
  return { page, frame: page.frameLocator('#catalog') };
}

/** Whether the image has loaded (a blocked or broken one has no natural width). */
const loaded = (frame: FrameLocator, selector: string) =>
  frame
    .locator(selector)
    .evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0);

it('shows the category tree with counts and pages a 3,847-item category with pictures and availability', async () => {
  const { page, frame } = await punchOut('e2e-tree');
  await expect(frame.locator('a.brand').textContent()).resolves.toBe('Northwind Office Supply');
  const tree = frame.getByRole('navigation', { name: 'Categories' });
  await expect(tree.locator('[data-category="Furniture"] > h2 .count').textContent()).resolves.toBe('4501');
  await expect(tree.locator('[data-category="Furniture/Seating"] > .count').textContent()).resolves.toBe(
    '3848',
  );
  await expect(
    tree.locator('[data-category="Furniture/Storage/Shelving"] > .count').textContent(),
  ).resolves.toBe('250');

  await tree.getByRole('link', { name: 'Seating' }).click();
  await frame.getByRole('heading', { name: 'Seating' }).waitFor();
  await frame.locator('.pagination .summary', { hasText: 'Showing 1–24 of 3848 products' }).waitFor();
  await expect(frame.locator('#results tbody tr').count()).resolves.toBe(24);
  // Pictures from the buyer's stand-in (another origin) are loaded; availability is in words.
  await expect(loaded(frame, '#results tbody tr:first-child img.thumb')).resolves.toBe(true);
  const avail = await frame.locator('#results .avail').allTextContents();
  expect(new Set(avail)).toEqual(
    new Set(['In stock', 'Ships in 3 days', 'Ships in 14 days', 'Out of stock']),
  );
  if (process.env.SCREENSHOTS) await page.screenshot({ path: shots('punchout-catalog') });

  // Next, then the last page (by keyboard: the pager's links are plain links).
  await frame.getByRole('link', { name: 'Next ›' }).click();
  await frame.locator('.pagination .summary', { hasText: 'Showing 25–48 of 3848' }).waitFor();
  await frame.getByRole('link', { name: 'Page 161' }).focus();
  await page.keyboard.press('Enter');
  await frame.locator('.pagination .summary', { hasText: 'Showing 3841–3848 of 3848' }).waitFor();
  await expect(frame.locator('#results tbody tr').count()).resolves.toBe(8);

  // Sort by price, highest first: the prices on the page descend.
  await frame.getByLabel('Sort by').selectOption('price_desc');
  await frame.getByRole('button', { name: 'Sort' }).click();
  await frame.locator('.pagination .summary', { hasText: 'Showing 1–24 of 3848' }).waitFor();
  const prices = (await frame.locator('#results td.price').allTextContents()).map((t) =>
    Number(t.split(' ')[0]),
  );
  expect(prices).toEqual([...prices].sort((a, b) => b - a));
  expect(prices[0]).toBe(499);
  await page.close();
});

it('keeps the query in the search box, shows a product with its picture and specifications', async () => {
  const { page, frame } = await punchOut('e2e-search');
  await frame.getByLabel('Search').fill('Aria 0001');
  await frame.getByRole('button', { name: 'Search', exact: true }).click();
  await frame.locator('#result-count').waitFor();
  await expect(frame.getByLabel('Search').inputValue()).resolves.toBe('Aria 0001');
  await frame.locator('#results tbody tr').first().getByRole('link').click();
  await frame.locator('#product-name').waitFor();
  await expect(loaded(frame, 'img.thumb-large')).resolves.toBe(true);
  await expect(frame.locator('#specifications th').allTextContents()).resolves.toEqual([
    'Colour',
    'Width',
    'Weight',
    'Warranty',
  ]);
  await expect(frame.locator('#availability').textContent()).resolves.toMatch(
    /In stock|Ships in|Out of stock/,
  );
  if (process.env.SCREENSHOTS) await page.screenshot({ path: shots('punchout-product') });
  await page.close();
});

it('fits a phone-wide frame: the page does not scroll sideways, wide tables scroll in their own box', async () => {
  const { page, frame } = await punchOut('e2e-narrow');
  await page.setViewportSize({ width: 400, height: 800 });
  await page.locator('#catalog').evaluate((f) => ((f as HTMLIFrameElement).width = '380'));
  await frame.getByRole('link', { name: 'Seating' }).click();
  await frame.locator('#results').waitFor();
  const overflow = await frame
    .locator('body')
    .evaluate(
      (b) => b.ownerDocument.documentElement.scrollWidth - b.ownerDocument.documentElement.clientWidth,
    );
  expect(overflow).toBeLessThanOrEqual(0);
  // On a phone a product's row stacks: its price and its button are in view without scrolling sideways.
  const first = frame.locator('#results tbody tr').first();
  const button = await first.getByRole('button', { name: 'Add to cart' }).boundingBox();
  const frameBox = await page.locator('#catalog').boundingBox();
  expect(button!.x + button!.width).toBeLessThanOrEqual(frameBox!.x + frameBox!.width);
  await expect(first.locator('td.price').isVisible()).resolves.toBe(true);
  await page.close();
});

it('compares four products side by side and refuses a fifth with a message', async () => {
  const { page, frame } = await punchOut('e2e-compare');
  await frame.getByRole('link', { name: 'Desks' }).click();
  await frame.getByRole('heading', { name: 'Desks' }).waitFor();
  await frame.locator('#results tbody tr:nth-child(5)').waitFor();
  const skus = (
    await frame
      .locator('#results tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-sku')))
  ).slice(0, 5) as string[];
  expect(skus).toHaveLength(5);
  // Each Compare keeps the buyer on the list; the header counts the products.
  for (const [i, sku] of skus.entries()) {
    await frame.locator(`button[data-compare="${sku}"]`).click();
    const said = i < 4 ? `${sku}: Added to the comparison.` : `${sku}: You can compare at most 4 products.`;
    await frame.getByRole('status').filter({ hasText: said }).waitFor();
    await frame.getByRole('heading', { name: 'Desks' }).waitFor();
  }
  await expect(frame.locator('#compare-link').textContent()).resolves.toBe('Compare (4)');
  await frame.locator('#compare-link').click();
  await frame.getByRole('heading', { name: 'Compare products' }).waitFor();
  await expect(
    frame
      .locator('#compare thead th[data-sku]')
      .evaluateAll((th) => th.map((t) => t.getAttribute('data-sku'))),
  ).resolves.toEqual(skus.slice(0, 4));
  await expect(frame.locator('#compare tbody th[scope=row]').allTextContents()).resolves.toEqual([
    'Price',
    'Availability',
    'Unit',
    'SKU',
    'Colour',
    'Width',
    'Weight',
    'Warranty',
  ]);
  if (process.env.SCREENSHOTS) await page.screenshot({ path: shots('punchout-compare') });
  // Remove one by keyboard, then the fifth fits.
  await frame
    .getByRole('button', { name: /Remove .* from the comparison/ })
    .first()
    .focus();
  await page.keyboard.press('Enter');
  await frame
    .getByRole('status')
    .filter({ hasText: `${skus[0]} was removed` })
    .waitFor();
  await expect(frame.locator('#compare thead th[data-sku]').count()).resolves.toBe(3);
  await page.close();
});
