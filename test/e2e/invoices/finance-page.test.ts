import { launchChromium } from '../../helpers/browser';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { type Browser } from 'playwright-core';
import { createApp } from '../../../src/app';
import { ADMIN_TOKEN, auth, createTestEnv, type TestEnv } from '../../helpers/env';
import { insertConfirmedOrder } from '../../helpers/orders';
import { signIn } from '../../helpers/pages';
import { seedPartner } from '../../helpers/partners';

jest.setTimeout(60000);

let env: TestEnv;
let server: Server;
let base: string;
let browser: Browser;
let financeKey: string;

/** Text of an uncompressed pdfkit PDF: the pieces of each TJ/Tj text operator joined. */
function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const out: string[] = [];
  for (const m of raw.matchAll(/\[((?:<[0-9a-fA-F]*>|\([^)]*\)|[-\d.\s])*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g)) {
    let s = '';
    for (const piece of (m[1] ?? `<${m[2]}>`).matchAll(/<([0-9a-fA-F]*)>|\(([^)]*)\)/g)) {
      if (piece[1] !== undefined) {
        for (let i = 0; i + 1 < piece[1].length; i += 2)
          s += String.fromCharCode(parseInt(piece[1].slice(i, i + 2), 16));
      } else s += piece[2];
    }
    out.push(s);
  }
  return out.join('\n');
}

beforeAll(async () => {
  env = await createTestEnv();
  financeKey = (
    await seedPartner(env.db, {
      cxml: {
        credentials: [{ domain: 'NetworkID', identity: 'AN-ACME' }],
        sharedSecret: 'acme-secret-1',
        // Nothing listens here: invoices stay "issued" while delivery retries.
        outboundUrl: 'http://127.0.0.1:9/cxml',
        cartReturn: 'cxml-urlencoded',
        statusUpdates: false,
      },
    })
  ).financeKey;
  const app = createApp(env.ctx);
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await env?.close();
});

it('a finance user signs in with the key, filters invoices and downloads a PDF containing the invoice number', async () => {
  const numbers: string[] = [];
  for (let i = 0; i < 2; i++) {
    const order = await insertConfirmedOrder(env.db, {
      partnerId: 'acme',
      lines: [{ quantity: '2', unitPrice: '7.5' }],
    });
    const res = await request(server)
      .post(`/api/v1/orders/${order.id}/invoices`)
      .set(auth(ADMIN_TOKEN))
      .send({});
    expect(res.status).toBe(201);
    numbers.push(res.body.invoice.invoiceNumber);
  }
  // One of them is paid, so a status filter has something to tell apart.
  const paidId = (await env.db('invoices').where({ invoice_number: numbers[1] }).first('id')).id;
  const today = new Date().toISOString().slice(0, 10);
  await request(server)
    .post(`/api/v1/invoices/${paidId}/payments`)
    .set(auth(ADMIN_TOKEN))
    .send({ amount: '15.00', paidOn: today })
    .expect(201);

  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${base}/finance`);
  expect(page.url()).toBe(`${base}/finance/login`);
  await page.fill('input[name=key]', financeKey);
  await Promise.all([page.waitForURL(`${base}/finance`), page.click('button[type=submit]')]);
  const cookies = await context.cookies();
  const cookie = cookies.find((c) => c.name === 'gw_finance');
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.value).not.toContain(financeKey);
  expect(await page.locator('tr[data-invoice]').count()).toBe(2);

  await page.selectOption('select[name=status]', 'issued');
  await Promise.all([page.waitForURL(/status=issued/), page.click('form[action="/finance"] button')]);
  const rows = page.locator('tr[data-invoice]');
  expect(await rows.count()).toBe(1);
  expect(await rows.first().getAttribute('data-invoice')).toBe(numbers[0]);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    rows.first().locator('a', { hasText: 'PDF' }).click(),
  ]);
  const file = await download.path();
  const pdf = await readFile(file);
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  expect(pdfText(pdf)).toContain(numbers[0]);
  await context.close();
});

it('the finance pages refuse a wrong key and never show another partner the invoices', async () => {
  const res = await request(server).post('/finance/login').type('form').send({ key: 'not-a-key' });
  expect(res.status).toBe(401);
  expect(res.headers['set-cookie']).toBeUndefined();
  const other = await seedPartner(env.db, {
    id: 'other',
    name: 'Other',
    oci: undefined,
    x12: undefined,
    cxml: {
      credentials: [{ domain: 'NetworkID', identity: 'AN-OTHER' }],
      sharedSecret: 'other-secret',
      cartReturn: 'cxml-urlencoded',
      statusUpdates: false,
    },
  });
  // The other partner signs in with its own finance key (the cookie carries a session id, not the key).
  const { session } = await signIn(server, 'finance', other.financeKey);
  expect(session).toBeDefined();
  const cookie = `gw_finance=${session}`;
  const listing = await request(server).get('/finance').set('Cookie', cookie);
  expect(listing.status).toBe(200);
  expect(listing.text).toContain('No invoices match.');
  const anyId = (await env.db('invoices').first('id')).id;
  const pdf = await request(server).get(`/finance/invoices/${anyId}.pdf`).set('Cookie', cookie);
  expect(pdf.status).toBe(404);
});

it('the finance list shows PO number, our order number, due date, open amount and state, and filters by each', async () => {
  const make = async (po: string, netDays: number, price: string) => {
    const order = await insertConfirmedOrder(env.db, {
      partnerId: 'acme',
      buyerOrderNumber: po,
      netDays,
      lines: [{ quantity: '1', unitPrice: price }],
    });
    const res = await request(server)
      .post(`/api/v1/orders/${order.id}/invoices`)
      .set(auth(ADMIN_TOKEN))
      .send({});
    expect(res.status).toBe(201);
    return res.body.invoice as {
      id: string;
      invoiceNumber: string;
      supplierOrderNumber: string;
      dueDate: string;
    };
  };
  const soon = await make('PO-LIST-SOON', 10, '1250.5');
  const late = await make('PO-LIST-LATE', 90, '80');
  const today = new Date().toISOString().slice(0, 10);
  await request(server)
    .post(`/api/v1/invoices/${soon.id}/payments`)
    .set(auth(ADMIN_TOKEN))
    .send({ amount: '1000.00', paidOn: today })
    .expect(201);

  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1200, height: 700 } });
  const page = await context.newPage();
  await page.goto(`${base}/finance/login`);
  await page.fill('input[name=key]', financeKey);
  await Promise.all([page.waitForURL(`${base}/finance`), page.click('button[type=submit]')]);
  const row = page.locator(`tr[data-invoice="${soon.invoiceNumber}"]`);
  expect(await row.locator('[data-col=po]').textContent()).toBe('PO-LIST-SOON');
  expect(await row.locator('[data-col=supplier-order]').textContent()).toBe(soon.supplierOrderNumber);
  expect(await row.locator('[data-col=due]').textContent()).toBe(
    new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(
      new Date(`${soon.dueDate}T00:00:00Z`),
    ),
  );
  expect(await row.locator('[data-col=open]').textContent()).toBe('$250.50');
  expect(await row.locator('[data-col=state]').textContent()).toBe('issued');
  expect(await row.locator('td.n').first().textContent()).toBe('$1,250.50');

  const filterBy = async (fields: Record<string, string>, expected: string[]) => {
    await page.goto(`${base}/finance`);
    for (const [name, value] of Object.entries(fields)) await page.fill(`form.filters [name=${name}]`, value);
    await Promise.all([page.waitForURL(/\/finance\?/), page.click('form.filters button[type=submit]')]);
    const shown = await page
      .locator('tr[data-invoice]')
      .evaluateAll((trs) => trs.map((t) => t.getAttribute('data-invoice')));
    expect(shown).toEqual(expected);
    for (const [name, value] of Object.entries(fields))
      expect(await page.inputValue(`form.filters [name=${name}]`)).toBe(value);
  };
  await filterBy({ po: 'PO-LIST-LATE' }, [late.invoiceNumber]);
  await filterBy({ supplierOrder: soon.supplierOrderNumber }, [soon.invoiceNumber]);
  await filterBy({ dueFrom: late.dueDate, dueTo: late.dueDate }, [late.invoiceNumber]);
  await filterBy({ openMin: '100', openMax: '300' }, [soon.invoiceNumber]);
  await page.goto(`${base}/finance?status=issued&po=PO-LIST-SOON`);
  expect(await page.locator('tr[data-invoice]').count()).toBe(1);

  if (process.env.SCREENSHOTS) {
    await page.goto(`${base}/finance`);
    const dir = path.resolve(__dirname, '../../../docs/screenshots');
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: path.join(dir, 'finance-page.png'), fullPage: true });
  }
  await context.close();
});
