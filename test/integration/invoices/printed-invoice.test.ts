/**
 * The invoice people read: the PDF's text, read back by poppler's pdftotext (an independent reader),
 * holds every field, formatted; a 60-line invoice paginates with "Page N of M"; the CSV says the same
 * bill-to, ship-to, numbers, terms and amounts; the API lists and filters by PO number, our order
 * number, due date, open amount and state.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../../src/app';
import { csvObjects } from '../../../src/catalog/csv';
import { localDate, localMoney } from '../../../src/model';
import { ADMIN_TOKEN, auth, createTestEnv, type TestEnv } from '../../helpers/env';
import { insertConfirmedOrder, type TestOrderLine } from '../../helpers/orders';
import { seedPartner } from '../../helpers/partners';

const run = promisify(execFile);
let env: TestEnv;
let app: Express;
let financeKey: string;
let tmp: string;
const admin = auth(ADMIN_TOKEN);

const SUPPLIER = {
  SUPPLIER_LEGAL_NAME: 'Demo Supplier Incorporated',
  SUPPLIER_ADDRESS: '100 Industrial Way | Springfield, IL 62701 | United States',
  SUPPLIER_TAX_IDS: 'EIN: 12-3456789; VAT: DE123456789',
  SUPPLIER_REMIT_TO: 'Demo Supplier Inc. | Lockbox 1234 | Chicago, IL 60601',
};
const SHIP_TO = {
  name: 'Acme Receiving',
  address: {
    street: ['77 New Road', 'Dock 4'],
    city: 'Springfield',
    postalCode: '12345',
    countryName: 'United States',
  },
};
const BILL_TO = {
  name: 'Acme Corporation AP',
  address: {
    street: ['PO Box 100'],
    city: 'Shelbyville',
    postalCode: '54321',
    countryName: 'United States',
    countryCode: 'US',
  },
};

/** pdftotext (poppler-utils), page by page when asked. */
async function pdfText(pdf: Buffer, page?: number): Promise<string> {
  const file = path.join(tmp, `${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, pdf);
  const range = page ? ['-f', String(page), '-l', String(page)] : [];
  const { stdout } = await run('pdftotext', ['-raw', ...range, file, '-']);
  return stdout.replace(/[ \u00a0]+/g, ' ');
}

async function pages(pdf: Buffer): Promise<number> {
  const file = path.join(tmp, 'info.pdf');
  writeFileSync(file, pdf);
  const { stdout } = await run('pdfinfo', [file]);
  return Number(/Pages:\s+(\d+)/.exec(stdout)?.[1]);
}

async function invoiceOf(opts: {
  lines: TestOrderLine[];
  po?: string;
  netDays?: number;
}): Promise<{ id: string; number: string; supplierOrder: string; po: string }> {
  const order = await insertConfirmedOrder(env.db, {
    partnerId: 'acme',
    lines: opts.lines,
    netDays: opts.netDays ?? 30,
    ...(opts.po ? { buyerOrderNumber: opts.po } : {}),
  });
  // The order's addresses and its discount terms, as an OrderRequest brings them.
  await env.db.raw('update orders set canonical = canonical || ?::jsonb where id = ?', [
    JSON.stringify({
      shipTo: SHIP_TO,
      billTo: BILL_TO,
      paymentTerms: { netDays: opts.netDays ?? 30, discountPercent: '2', discountDays: 10 },
    }),
    order.id,
  ]);
  const res = await request(app).post(`/api/v1/orders/${order.id}/invoices`).set(admin).send({});
  expect(res.status).toBe(201);
  const so = (await env.db('orders').where({ id: order.id }).first('supplier_order_number'))
    .supplier_order_number;
  return {
    id: res.body.invoice.id,
    number: res.body.invoice.invoiceNumber,
    supplierOrder: so,
    po: order.buyerOrderNumber,
  };
}

beforeAll(async () => {
  env = await createTestEnv({ env: SUPPLIER });
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
  app = createApp(env.ctx);
  tmp = mkdtempSync(path.join(tmpdir(), 'fin-pdf-'));
});

afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await env?.close();
});

const LINES: TestOrderLine[] = [
  { sku: 'CHR-ERG-01', description: 'Ergonomic office chair', quantity: '4', unitPrice: '1259' },
  { sku: 'GLV-NIT-M', description: 'Nitrile gloves size M (100)', quantity: '1200', unitPrice: '12.345' },
  { sku: 'PEN-BLU-12', description: 'Ballpoint pen blue (box of 12)', quantity: '3', unitPrice: '4.2' },
];

it('the PDF holds every field, formatted, and the CSV says the same', async () => {
  const inv = await invoiceOf({ lines: LINES, po: 'PO-PRINT-1' });
  const pdf = await request(app).get(`/api/v1/invoices/${inv.id}?format=pdf`).set(auth(financeKey));
  expect(pdf.status).toBe(200);
  const text = await pdfText(pdf.body as Buffer);
  const json = (await request(app).get(`/api/v1/invoices/${inv.id}`).set(admin)).body.invoice;
  const day = (d: string) => localDate('en-US', d);
  for (const expected of [
    'INVOICE',
    inv.number,
    // The supplier: legal name, address, tax ids, remit-to.
    'Demo Supplier Incorporated',
    '100 Industrial Way',
    'Springfield, IL 62701',
    'EIN: 12-3456789',
    'VAT: DE123456789',
    'REMIT TO',
    'Demo Supplier Inc.',
    'Lockbox 1234',
    'Chicago, IL 60601',
    // The buyer's bill-to and the order's ship-to.
    'Acme Corporation AP',
    'PO Box 100',
    '54321 Shelbyville',
    'Acme Receiving',
    '77 New Road',
    'Dock 4',
    // Numbers, terms and dates.
    'PO number PO-PRINT-1',
    `Our order no. ${inv.supplierOrder}`,
    `Invoice date ${day(json.invoiceDate)}`,
    `Due date ${day(json.dueDate)}`,
    'PO date Nov 20, 2026',
    '2 % if paid within 10 days, net',
    `Payment due by ${day(json.dueDate)}`,
    // Unit prices as stored (up to 4 decimals), grouped amounts, the total with its currency.
    '1,259.00',
    '12.345',
    '4.20',
    '5,036.00',
    '14,814.00',
    `Total due (USD) ${localMoney('en-US', json.total, 'USD')}`,
    'Page 1 of 1',
  ])
    expect(text).toContain(expected);
  expect(text).not.toContain('2026-11-20');

  // The CSV of the same invoice: every field it has that a person reads is in the PDF.
  const csv = await request(app).get(`/api/v1/invoices/${inv.id}?format=csv`).set(auth(financeKey));
  const rows = csvObjects(csv.text).rows.map((r) => r.values);
  expect(rows).toHaveLength(3);
  const first = rows[0] as Record<string, string>;
  expect(first).toMatchObject({
    bill_to: 'Acme Corporation AP',
    bill_to_address: 'PO Box 100, 54321 Shelbyville, United States',
    ship_to: 'Acme Receiving',
    ship_to_address: '77 New Road, Dock 4, 12345 Springfield, United States',
    supplier_order_number: inv.supplierOrder,
    buyer_order_number: 'PO-PRINT-1',
    payment_terms: '2 % if paid within 10 days, net 30 days',
  });
  for (const field of ['invoice_number', 'bill_to', 'ship_to', 'supplier_order_number', 'buyer_order_number'])
    expect(text).toContain(first[field]);
  for (const part of [...first.bill_to_address!.split(', '), ...first.ship_to_address!.split(', ')])
    expect(text).toContain(part);
  expect(text.replace(/\s+/g, ' ')).toContain(first.payment_terms);
  expect(text).toContain(day(first.due_date!));
  expect(text).toContain(localMoney('en-US', first.invoice_total!, 'USD'));
  for (const r of rows) {
    expect(text).toContain(localMoney('en-US', r.unit_price!, 'USD', { unitPrice: true, currency: 'none' }));
    expect(text).toContain(localMoney('en-US', r.line_subtotal!, 'USD', { currency: 'none' }));
    expect(text).toContain(r.description);
  }

  if (process.env.SCREENSHOTS) {
    const dir = path.resolve(__dirname, '../../../docs/screenshots');
    mkdirSync(dir, { recursive: true });
    const file = path.join(tmp, 'shot.pdf');
    writeFileSync(file, pdf.body as Buffer);
    await run('pdftoppm', [
      '-png',
      '-r',
      '80',
      '-f',
      '1',
      '-l',
      '1',
      '-singlefile',
      file,
      path.join(dir, 'invoice-pdf'),
    ]);
    expect(readFileSync(path.join(dir, 'invoice-pdf.png')).subarray(1, 4).toString()).toBe('PNG');
  }
}, 60000);

it('an invoice of 60 lines runs over pages, each numbered "Page N of M", the header repeated', async () => {
  const lines = Array.from({ length: 60 }, (_, i) => ({
    sku: `SKU-${i + 1}`,
    description: `Item number ${i + 1}`,
    quantity: '2',
    unitPrice: '7.5',
  }));
  const inv = await invoiceOf({ lines });
  const pdf = (await request(app).get(`/api/v1/invoices/${inv.id}?format=pdf`).set(admin)).body as Buffer;
  const count = await pages(pdf);
  expect(count).toBeGreaterThanOrEqual(2);
  for (let p = 1; p <= count; p++) {
    const page = await pdfText(pdf, p);
    expect(page).toContain(`Invoice ${inv.number} - Page ${p} of ${count}`);
    if (p === 1 || page.includes('Item number')) expect(page).toMatch(/Description/);
  }
  const all = await pdfText(pdf);
  expect(all).toContain('Item number 1 ');
  expect(all).toContain('Item number 60');
  expect(await pdfText(pdf, count)).toContain('Total due (USD) $900.00');
}, 60000);

it('GET /api/v1/invoices shows and filters by PO number, our order number, due date, open amount and state', async () => {
  const short = await invoiceOf({
    lines: [{ quantity: '1', unitPrice: '100' }],
    po: 'PO-F-SHORT',
    netDays: 10,
  });
  const long = await invoiceOf({
    lines: [{ quantity: '1', unitPrice: '250' }],
    po: 'PO-F-LONG',
    netDays: 90,
  });
  const today = new Date().toISOString().slice(0, 10);
  await request(app)
    .post(`/api/v1/invoices/${long.id}/payments`)
    .set(admin)
    .send({ amount: '200.00', paidOn: today })
    .expect(201);
  const list = async (q: string) =>
    (await request(app).get(`/api/v1/invoices?${q}`).set(auth(financeKey)).expect(200)).body.invoices as {
      invoiceNumber: string;
      buyerOrderNumber: string;
      supplierOrderNumber: string;
      dueDate: string;
      openAmount: string;
      state: string;
    }[];
  const byPo = await list('po=PO-F-LONG');
  expect(byPo).toEqual([
    expect.objectContaining({
      invoiceNumber: long.number,
      buyerOrderNumber: 'PO-F-LONG',
      supplierOrderNumber: long.supplierOrder,
      openAmount: '50.00',
      state: 'issued',
    }),
  ]);
  const one = await request(app).get(`/api/v1/invoices/${long.id}`).set(auth(financeKey)).expect(200);
  expect(one.body.invoice).toMatchObject({ openAmount: '50.00', paidAmount: '200.00', total: '250.00' });
  expect((await list(`supplierOrder=${short.supplierOrder}`)).map((i) => i.invoiceNumber)).toEqual([
    short.number,
  ]);
  const dueShort = byPo[0]!.dueDate;
  const soon = await list(
    `dueTo=${new Date(Date.now() + 20 * 86400_000).toISOString().slice(0, 10)}&po=PO-F-SHORT`,
  );
  expect(soon.map((i) => i.invoiceNumber)).toEqual([short.number]);
  expect((await list(`dueFrom=${dueShort}&dueTo=${dueShort}`)).map((i) => i.invoiceNumber)).toEqual([
    long.number,
  ]);
  // Open amount: 100.00 open on the short one, 50.00 on the long one.
  expect((await list('openMin=60&po=PO-F-SHORT')).map((i) => i.invoiceNumber)).toEqual([short.number]);
  expect((await list('openMin=60&po=PO-F-LONG')).length).toBe(0);
  expect((await list('openMax=50.00&openMin=50')).map((i) => i.invoiceNumber)).toEqual([long.number]);
  await request(app)
    .post(`/api/v1/invoices/${long.id}/payments`)
    .set(admin)
    .send({ amount: '50.00', paidOn: today })
    .expect(201);
  expect((await list('status=paid')).map((i) => [i.invoiceNumber, i.openAmount])).toEqual([
    [long.number, '0.00'],
  ]);
  expect((await request(app).get('/api/v1/invoices?openMin=abc').set(admin)).status).toBe(400);
}, 60000);
