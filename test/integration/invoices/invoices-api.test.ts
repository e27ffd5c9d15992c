import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../../src/app';
import { parseInvoiceDetailRequest } from '../../../protocols/cxml';
import { ADMIN_TOKEN, auth, createTestEnv, waitFor, type TestEnv } from '../../helpers/env';
import { insertConfirmedOrder } from '../../helpers/orders';
import { seedPartner } from '../../helpers/partners';
import { dec } from '../../../src/model';
import { validateCxml } from '../../helpers/xmllint';
import { startBuyer } from './buyer';

let env: TestEnv;
let app: Express;
let buyer: Awaited<ReturnType<typeof startBuyer>>;
let financeA: string;
let financeB: string;
const admin = auth(ADMIN_TOKEN);
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  env = await createTestEnv();
  app = createApp(env.ctx);
  buyer = await startBuyer();
  const a = await seedPartner(env.db, {
    cxml: {
      credentials: [{ domain: 'NetworkID', identity: 'AN-ACME' }],
      sharedSecret: 'acme-secret-1',
      outboundUrl: buyer.url,
      cartReturn: 'cxml-urlencoded',
      statusUpdates: false,
    },
  });
  financeA = a.financeKey;
  const b = await seedPartner(env.db, {
    id: 'beta',
    name: 'Beta GmbH',
    currency: 'JPY',
    oci: undefined,
    x12: undefined,
    approval: undefined,
    invoicing: {
      requireShipped: false,
      taxMode: 'header',
      taxRate: '10',
      taxRates: [{ rate: '10', category: 'vat', description: 'VAT 10%' }],
      paymentTermsDays: 14,
    },
    cxml: {
      credentials: [{ domain: 'NetworkID', identity: 'AN-BETA' }],
      sharedSecret: 'beta-secret-1',
      outboundUrl: buyer.url,
      cartReturn: 'cxml-urlencoded',
      statusUpdates: false,
    },
  });
  financeB = b.financeKey;
});

afterAll(async () => {
  await buyer.close();
  await env.close();
});

async function invoiceOrder(orderId: string, body: object = {}) {
  return request(app).post(`/api/v1/orders/${orderId}/invoices`).set(admin).send(body);
}

describe('invoice totals through the API', () => {
  it('rounds 12.3450 x 3 and three line tax rates to the cent, with shipping and discount', async () => {
    const order = await insertConfirmedOrder(env.db, {
      partnerId: 'acme',
      netDays: 45,
      lines: [
        { quantity: '3', unitPrice: '12.3450', taxRate: '19' },
        { quantity: '7', unitPrice: '0.3333', taxRate: '7' },
        { quantity: '1', unitPrice: '9.995', taxRate: '5.5' },
      ],
    });
    const res = await invoiceOrder(order.id, { shipping: '5.00', discount: '1.50' });
    expect(res.status).toBe(201);
    const inv = res.body.invoice;
    expect(inv.lines.map((l: { subtotal: string }) => l.subtotal)).toEqual(['37.04', '2.33', '10.00']);
    expect(inv.lines.map((l: { tax: { amount: string } }) => l.tax.amount)).toEqual(['7.04', '0.16', '0.55']);
    expect(inv.subtotal).toBe('49.37');
    expect(inv.taxTotal).toBe('7.75');
    expect(inv.total).toBe('60.62');
    expect(inv.state).toBe('issued');
    expect(inv.invoiceNumber).toMatch(/^INV-\d{6}$/);
    expect(inv.dueDate).toBe(
      new Date(Date.parse(`${today}T00:00:00Z`) + 45 * 86400000).toISOString().slice(0, 10),
    );
    const order2 = await env.db('orders').where({ id: order.id }).first('state');
    expect(order2.state).toBe('invoiced');
  });

  it('bills JPY in whole yen with header tax on the sum', async () => {
    const order = await insertConfirmedOrder(env.db, {
      partnerId: 'beta',
      currency: 'JPY',
      lines: [
        { quantity: '3', unitPrice: '1234.5' },
        { quantity: '2', unitPrice: '99.9' },
      ],
    });
    const res = await invoiceOrder(order.id);
    expect(res.status).toBe(201);
    expect(res.body.invoice.lines.map((l: { subtotal: string }) => l.subtotal)).toEqual(['3704', '200']);
    expect(res.body.invoice.subtotal).toBe('3904');
    expect(res.body.invoice.taxTotal).toBe('390');
    expect(res.body.invoice.total).toBe('4294');
  });
});

describe('quantities', () => {
  it('a partial invoice and a second invoice together bill exactly the order, and a third is refused naming the line', async () => {
    const order = await insertConfirmedOrder(env.db, {
      partnerId: 'acme',
      lines: [
        { quantity: '5', unitPrice: '10' },
        { quantity: '2.5', unitPrice: '4' },
      ],
    });
    const first = await invoiceOrder(order.id, { lines: [{ lineNumber: 1, quantity: '2' }] });
    expect(first.status).toBe(201);
    expect(first.body.invoice.total).toBe('20.00');
    const second = await invoiceOrder(order.id);
    expect(second.status).toBe(201);
    expect(
      second.body.invoice.lines.map((l: { orderLineNumber: number; quantity: string }) => [
        l.orderLineNumber,
        l.quantity,
      ]),
    ).toEqual([
      [1, '3'],
      [2, '2.5'],
    ]);
    const over = await invoiceOrder(order.id, { lines: [{ lineNumber: 1, quantity: '0.001' }] });
    expect(over.status).toBe(422);
    expect(over.body.error.message).toContain('order line 1');
    const nothing = await invoiceOrder(order.id);
    expect(nothing.status).toBe(409);
    const lines = await env.db('order_lines').where({ order_id: order.id }).orderBy('line_number');
    expect(lines.map((l) => Number(l.invoiced_quantity))).toEqual([5, 2.5]);
    // The new invoice number follows the previous one without a gap.
    const n1 = Number(first.body.invoice.invoiceNumber.slice(4));
    expect(Number(second.body.invoice.invoiceNumber.slice(4))).toBe(n1 + 1);
  });

  it('refuses more than shipped when the partner requires shipping first', async () => {
    await env
      .db('partners')
      .where({ id: 'beta' })
      .update({
        settings: env.db.raw(`jsonb_set(settings, '{invoicing,requireShipped}', 'true')`),
      });
    try {
      const order = await insertConfirmedOrder(env.db, {
        partnerId: 'beta',
        currency: 'JPY',
        lines: [{ quantity: '4', unitPrice: '100', shipped: '1' }],
      });
      const res = await invoiceOrder(order.id, { lines: [{ lineNumber: 1, quantity: '2' }] });
      expect(res.status).toBe(422);
      expect(res.body.error.message).toMatch(/order line 1: .*shipped/);
      const all = await invoiceOrder(order.id);
      expect(all.status).toBe(201);
      expect(all.body.invoice.lines[0].quantity).toBe('1');
    } finally {
      await env
        .db('partners')
        .where({ id: 'beta' })
        .update({ settings: env.db.raw(`jsonb_set(settings, '{invoicing,requireShipped}', 'false')`) });
    }
  });

  it('a credit memo is negative, references the invoice, frees the quantity and marks a fully credited invoice', async () => {
    const order = await insertConfirmedOrder(env.db, {
      partnerId: 'acme',
      lines: [{ quantity: '2', unitPrice: '12.3450', taxRate: '19' }],
    });
    const inv = (await invoiceOrder(order.id)).body.invoice;
    const tooMuch = await request(app)
      .post(`/api/v1/invoices/${inv.id}/credit-memos`)
      .set(admin)
      .send({ lines: [{ lineNumber: 1, quantity: '3' }] });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error.message).toContain('order line 1');
    const memo = await request(app)
      .post(`/api/v1/invoices/${inv.id}/credit-memos`)
      .set(admin)
      .send({ reason: 'damaged' });
    expect(memo.status).toBe(201);
    expect(memo.body.invoice.purpose).toBe('creditMemo');
    expect(memo.body.invoice.total).toBe(`-${inv.total}`);
    expect(memo.body.invoice.invoiceNumber).toMatch(/^CM-/);
    const original = await request(app).get(`/api/v1/invoices/${inv.id}`).set(admin);
    expect(original.body.invoice.state).toBe('credited');
    const line = await env.db('order_lines').where({ order_id: order.id }).first();
    expect(Number(line.invoiced_quantity)).toBe(0);
  });
});

describe('invoice numbers', () => {
  it('parallel invoices get consecutive numbers, and an invoice that fails after taking a number gives it back', async () => {
    const orders = await Promise.all(
      Array.from({ length: 8 }, () =>
        insertConfirmedOrder(env.db, { partnerId: 'acme', lines: [{ quantity: '1', unitPrice: '1' }] }),
      ),
    );
    const created = await Promise.all(orders.map((o) => invoiceOrder(o.id)));
    expect(created.map((r) => r.status)).toEqual(orders.map(() => 201));
    const numbers = created.map((r) => Number(r.body.invoice.invoiceNumber.slice(4))).sort((a, b) => a - b);
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));

    // No outbound URL: rendering fails inside the transaction that took the number.
    await env
      .db('partners')
      .where({ id: 'acme' })
      .update({ settings: env.db.raw(`settings #- '{cxml,outboundUrl}'`) });
    const failing = await insertConfirmedOrder(env.db, {
      partnerId: 'acme',
      lines: [{ quantity: '1', unitPrice: '1' }],
    });
    const refused = await invoiceOrder(failing.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('outboundUrl');
    await env
      .db('partners')
      .where({ id: 'acme' })
      .update({
        settings: env.db.raw(`jsonb_set(settings, '{cxml,outboundUrl}', to_jsonb(?::text))`, [buyer.url]),
      });
    const after = await invoiceOrder(failing.id);
    expect(after.status).toBe(201);
    expect(Number(after.body.invoice.invoiceNumber.slice(4))).toBe(numbers[numbers.length - 1]! + 1);
  });
});

describe('delivery documents', () => {
  it('every emitted InvoiceDetailRequest is DTD-valid, references the order and its payloadID, and is what ?format=cxml returns', async () => {
    const order = await insertConfirmedOrder(env.db, {
      partnerId: 'acme',
      lines: [{ quantity: '3', unitPrice: '12.3450', taxRate: '19' }],
    });
    const inv = (await invoiceOrder(order.id)).body.invoice;
    await waitFor(async () => (await env.db('invoices').where({ id: inv.id }).first()).state === 'delivered');
    const all = await env.db('documents').where({ doc_type: 'InvoiceDetailRequest', direction: 'out' });
    expect(all.length).toBeGreaterThan(3);
    await waitFor(() => buyer.received.length >= all.length - 1);
    for (const d of all) {
      const v = validateCxml(d.content.toString('utf8'));
      expect(v.errors).toBe('');
      expect(v.ok).toBe(true);
    }
    const cxml = await request(app)
      .get(`/api/v1/invoices/${inv.id}?format=cxml`)
      .set(auth(financeA))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(cxml.status).toBe(200);
    const text = (cxml.body as Buffer).toString('utf8');
    const sent = buyer.received.find((r) => r.body.includes(`invoiceID="${inv.invoiceNumber}"`));
    expect(sent?.body).toBe(text);
    const parsed = parseInvoiceDetailRequest(text);
    expect(parsed.invoice.buyerOrderNumber).toBe(order.buyerOrderNumber);
    expect(parsed.invoice.orderPayloadId).toBe(order.payloadId);
    expect(parsed.invoice.total).toBe('44.08');
    expect(text).toContain('<Identity>AN-ACME</Identity>');
    expect(text).toContain('<Identity>AN-SUPPLIER-TEST</Identity>');
  });

  it('serves the invoice as PDF and CSV', async () => {
    const order = await insertConfirmedOrder(env.db, {
      partnerId: 'acme',
      lines: [{ quantity: '1', unitPrice: '5' }],
    });
    const inv = (await invoiceOrder(order.id)).body.invoice;
    const pdf = await request(app).get(`/api/v1/invoices/${inv.id}?format=pdf`).set(auth(financeA));
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const csv = await request(app).get(`/api/v1/invoices/${inv.id}?format=csv`).set(auth(financeA));
    expect(csv.status).toBe(200);
    expect(csv.text).toContain(inv.invoiceNumber);
  });
});

describe('finance retrieval and isolation', () => {
  it("partner A's finance key gets 404 for B's invoice and never sees it in list, export or statement", async () => {
    const orderB = await insertConfirmedOrder(env.db, {
      partnerId: 'beta',
      currency: 'JPY',
      lines: [{ quantity: '1', unitPrice: '777' }],
    });
    const invB = (await invoiceOrder(orderB.id)).body.invoice;
    for (const format of ['json', 'cxml', 'pdf', 'csv']) {
      const r = await request(app).get(`/api/v1/invoices/${invB.id}?format=${format}`).set(auth(financeA));
      expect(r.status).toBe(404);
    }
    const ownB = await request(app).get(`/api/v1/invoices/${invB.id}`).set(auth(financeB));
    expect(ownB.status).toBe(200);

    const list = await request(app).get('/api/v1/invoices?limit=500').set(auth(financeA));
    expect(list.body.invoices.length).toBeGreaterThan(0);
    expect(list.body.invoices.every((i: { partnerId: string }) => i.partnerId === 'acme')).toBe(true);
    const listOther = await request(app).get('/api/v1/invoices?partner=beta').set(auth(financeA));
    expect(listOther.body.invoices).toEqual([]);

    const csv = await request(app)
      .get(`/api/v1/invoices/export.csv?from=${today}&to=${today}`)
      .set(auth(financeA));
    expect(csv.status).toBe(200);
    expect(csv.text).not.toContain(invB.invoiceNumber);
    expect(csv.text).not.toContain(orderB.buyerOrderNumber);
    const csvOther = await request(app).get('/api/v1/invoices/export.csv?partner=beta').set(auth(financeA));
    expect(csvOther.text).not.toContain(invB.invoiceNumber);

    const st = await request(app)
      .get(`/api/v1/statement?from=${today}&to=${today}&partner=beta`)
      .set(auth(financeA));
    expect(st.status).toBe(200);
    expect(st.body.statement.partnerId).toBe('acme');
    expect(JSON.stringify(st.body)).not.toContain(invB.invoiceNumber);

    const pay = await request(app)
      .post(`/api/v1/invoices/${invB.id}/payments`)
      .set(auth(financeA))
      .send({ amount: '1', paidOn: today });
    expect(pay.status).toBe(403);
  });

  it('pages through invoices with a cursor without repeats, and filters by status and order', async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: request.Response = await request(app)
        .get(`/api/v1/invoices?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .set(admin);
      for (const i of res.body.invoices) {
        expect(seen.has(i.id)).toBe(false);
        seen.add(i.id);
      }
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    const total = await env.db('invoices').count({ n: '*' }).first();
    expect(seen.size).toBe(Number(total?.n));
    expect(pages).toBeGreaterThan(1);

    const credited = await request(app).get('/api/v1/invoices?status=credited').set(admin);
    expect(credited.body.invoices.length).toBeGreaterThan(0);
    expect(credited.body.invoices.every((i: { state: string }) => i.state === 'credited')).toBe(true);
    const anyOrder = await env.db('invoices').first('order_id');
    const byOrder = await request(app).get(`/api/v1/invoices?order=${anyOrder.order_id}`).set(admin);
    expect(byOrder.body.invoices.every((i: { orderId: string }) => i.orderId === anyOrder.order_id)).toBe(
      true,
    );
  });

  it('a statement has opening balance, invoices, credit memos and payments, closing balance in decimals', async () => {
    const order = await insertConfirmedOrder(env.db, {
      partnerId: 'acme',
      lines: [{ quantity: '3', unitPrice: '0.1' }],
    });
    const inv = (await invoiceOrder(order.id)).body.invoice;
    expect(inv.total).toBe('0.30');
    const pay = await request(app)
      .post(`/api/v1/invoices/${inv.id}/payments`)
      .set(admin)
      .send({ amount: '0.1', paidOn: today, reference: 'wire 1' });
    expect(pay.status).toBe(201);
    await request(app)
      .post(`/api/v1/invoices/${inv.id}/payments`)
      .set(admin)
      .send({ amount: '0.2', paidOn: today });
    const paid = await request(app).get(`/api/v1/invoices/${inv.id}`).set(auth(financeA));
    expect(paid.body.invoice.state).toBe('paid');
    expect(paid.body.invoice.paidAmount).toBe('0.30');
    // The first payment leaves it open; the one reaching the total is on its timeline.
    const pays = await env
      .db<{ id: number; invoice_id: string; event: string; reason: string | null }>('invoice_events')
      .where({ invoice_id: inv.id, event: 'pay' });
    expect(pays.map((e) => e.reason)).toEqual(['paid 0.30 of 0.30']);

    const st = (await request(app).get(`/api/v1/statement?from=${today}&to=${today}`).set(auth(financeA)))
      .body.statement;
    expect(st.openingBalance).toBe('0.00');
    const invoiced = st.entries.filter((e: { kind: string }) => e.kind === 'invoice');
    const memos = st.entries.filter((e: { kind: string }) => e.kind === 'creditMemo');
    const payments = st.entries.filter((e: { kind: string }) => e.kind === 'payment');
    expect(memos.length).toBeGreaterThan(0);
    expect(payments.map((p: { amount: string }) => p.amount)).toEqual(['-0.10', '-0.20']);
    const sum = await env.db('invoices').where({ partner_id: 'acme' }).sum({ s: 'total' }).first();
    expect(st.closingBalance).toBe(dec(String(sum?.s)).minus('0.30').toFixed(2));
    expect(invoiced.length + memos.length).toBe(
      Number((await env.db('invoices').where({ partner_id: 'acme' }).count({ n: '*' }).first())?.n),
    );
    // Next day: everything so far is the opening balance.
    const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86400000).toISOString().slice(0, 10);
    const next = (
      await request(app).get(`/api/v1/statement?from=${tomorrow}&to=${tomorrow}`).set(auth(financeA))
    ).body.statement;
    expect(next.openingBalance).toBe(st.closingBalance);
    expect(next.closingBalance).toBe(st.closingBalance);
    expect(next.entries).toEqual([]);
  });
});
