/**
 * The Invoices screen over HTTP: who may open it (operators, finance users within their partner
 * limit, not approvers), filters and sorting, one invoice with its timeline, documents, deliveries
 * and credit memos, CSRF on its actions, resend and a full credit memo through the API's use cases.
 */
import type { ServerResponse } from 'node:http';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../../src/app';
import { createUser } from '../../../src/console/users';
import { invoiceOrder } from '../../../src/invoices/actions';
import type { InvoiceRow } from '../../../src/invoices/service';
import { createTestEnv, waitFor, type TestEnv } from '../../helpers/env';
import { insertConfirmedOrder } from '../../helpers/orders';
import { consoleSignIn, csrfOf } from '../../helpers/pages';
import { seedPartner } from '../../helpers/partners';
import { ok, startBuyer } from '../invoices/buyer';

const PW = 'invoices-screen-password';

interface EventRow {
  event: string;
  from_state: string | null;
  to_state: string;
  actor: string;
  reason: string | null;
}
interface AuditRow {
  action: string;
  subject: string;
}

const stateOf = async (id: string): Promise<string | undefined> =>
  (await env.db<InvoiceRow>('invoices').where({ id }).first())?.state;
const memosOf = (id: string): Promise<InvoiceRow[]> =>
  env.db<InvoiceRow>('invoices').where({ original_invoice_id: id });
let env: TestEnv;
let app: Express;
let buyer: Awaited<ReturnType<typeof startBuyer>>;
let reject = true;
let acmeInvoice: InvoiceRow;
let betaInvoice: InvoiceRow;

function refuse(res: ServerResponse) {
  res.writeHead(400, { 'Content-Type': 'text/xml' });
  res.end(
    '<?xml version="1.0"?><cXML payloadID="x@buyer" timestamp="2026-12-04T10:00:00Z"><Response><Status code="400" text="Bad Request">Unknown purchase order</Status></Response></cXML>',
  );
}

const cxml = (identity: string, url: string) => ({
  credentials: [{ domain: 'NetworkID', identity }],
  sharedSecret: `${identity}-secret-1`,
  outboundUrl: url,
  cartReturn: 'cxml-urlencoded' as const,
  statusUpdates: false,
});

beforeAll(async () => {
  env = await createTestEnv();
  app = createApp(env.ctx);
  buyer = await startBuyer((_r, _n, res) => (reject ? refuse(res) : ok(res)));
  await seedPartner(env.db, { cxml: cxml('AN-ACME', buyer.url) });
  await seedPartner(env.db, {
    id: 'beta',
    name: 'Beta GmbH',
    oci: undefined,
    x12: undefined,
    approval: undefined,
    cxml: cxml('AN-BETA', buyer.url),
  });
  const opts = { actor: { label: 'test' }, now: new Date() };
  await createUser(env.db, { username: 'op', roles: ['operator'] }, PW, opts);
  await createUser(env.db, { username: 'fin-a', roles: ['finance'], partners: ['acme'] }, PW, opts);
  await createUser(env.db, { username: 'appr', roles: ['approver'] }, PW, opts);
  const a = await insertConfirmedOrder(env.db, {
    partnerId: 'acme',
    buyerOrderNumber: 'PO-INV-A',
    lines: [{ quantity: '3', unitPrice: '12.345', taxRate: '19' }],
  });
  const b = await insertConfirmedOrder(env.db, {
    partnerId: 'beta',
    buyerOrderNumber: 'PO-INV-B',
    lines: [{ quantity: '1', unitPrice: '99' }],
  });
  acmeInvoice = await invoiceOrder(env.ctx, a.id, {}, 'test');
  betaInvoice = await invoiceOrder(env.ctx, b.id, {}, 'test');
  await waitFor(async () => (await stateOf(acmeInvoice.id)) === 'rejected', 20000, 'acme rejected');
  await waitFor(async () => (await stateOf(betaInvoice.id)) === 'rejected', 20000, 'beta rejected');
});
afterAll(async () => {
  await buyer?.close();
  await env?.close();
});

it('lists, filters and sorts invoices for operators; approvers are refused', async () => {
  const op = await consoleSignIn(app, 'op', PW);
  const all = await request(app).get('/console/invoices').set('Cookie', op.cookie);
  expect(all.status).toBe(200);
  expect(all.text).toContain(acmeInvoice.invoice_number);
  expect(all.text).toContain(betaInvoice.invoice_number);
  const onlyB = await request(app).get('/console/invoices?partner=beta').set('Cookie', op.cookie);
  expect(onlyB.text).toContain(betaInvoice.invoice_number);
  expect(onlyB.text).not.toContain(acmeInvoice.invoice_number);
  const byPo = await request(app)
    .get('/console/invoices?po=PO-INV-A&status=rejected')
    .set('Cookie', op.cookie);
  expect(byPo.text).toContain(acmeInvoice.invoice_number);
  expect(byPo.text).not.toContain(betaInvoice.invoice_number);
  // 3 x 12.345 = 37.04 (rounded), + 19 % tax 7.04 = 44.08 open; beta's is 99.00.
  const open = await request(app).get('/console/invoices?openMin=50').set('Cookie', op.cookie);
  expect(open.text).toContain(betaInvoice.invoice_number);
  expect(open.text).not.toContain(acmeInvoice.invoice_number);
  const paid = await request(app).get('/console/invoices?status=paid').set('Cookie', op.cookie);
  expect(paid.text).toContain('No invoices match.');
  const asc = await request(app).get('/console/invoices?sort=total').set('Cookie', op.cookie);
  const desc = await request(app).get('/console/invoices?sort=-total').set('Cookie', op.cookie);
  const order = (html: string) => [...html.matchAll(/data-invoice="([^"]+)"/g)].map((m) => m[1]);
  expect(order(asc.text)).toEqual([acmeInvoice.invoice_number, betaInvoice.invoice_number]);
  expect(order(desc.text)).toEqual([betaInvoice.invoice_number, acmeInvoice.invoice_number]);
  expect((await request(app).get('/console/invoices?sort=size').set('Cookie', op.cookie)).status).toBe(400);
  expect((await request(app).get('/console/invoices?dueFrom=soon').set('Cookie', op.cookie)).status).toBe(
    400,
  );
  const appr = await consoleSignIn(app, 'appr', PW);
  expect((await request(app).get('/console/invoices').set('Cookie', appr.cookie)).status).toBe(403);
  expect((await request(app).get('/console/invoices')).status).toBe(303);
});

it("a finance user limited to partner A sees A's invoices and gets 404 for B's, on every route", async () => {
  const fin = await consoleSignIn(app, 'fin-a', PW);
  const list = await request(app).get('/console/invoices').set('Cookie', fin.cookie);
  expect(list.status).toBe(200);
  expect(list.text).toContain(acmeInvoice.invoice_number);
  expect(list.text).not.toContain(betaInvoice.invoice_number);
  const asked = await request(app).get('/console/invoices?partner=beta').set('Cookie', fin.cookie);
  expect(asked.text).not.toContain(betaInvoice.invoice_number);
  expect(
    (await request(app).get(`/console/invoices/${acmeInvoice.id}`).set('Cookie', fin.cookie)).status,
  ).toBe(200);
  const other = await request(app).get(`/console/invoices/${betaInvoice.id}`).set('Cookie', fin.cookie);
  expect(other.status).toBe(404);
  expect(other.text).not.toContain(betaInvoice.invoice_number);
  expect(other.text).not.toContain('PO-INV-B');
  const pdf = await request(app).get(`/console/invoices/${betaInvoice.id}.pdf`).set('Cookie', fin.cookie);
  expect(pdf.status).toBe(404);
  const page = await request(app).get(`/console/invoices/${acmeInvoice.id}`).set('Cookie', fin.cookie);
  const memos = await memosOf(betaInvoice.id);
  const credit = await request(app)
    .post(`/console/invoices/${betaInvoice.id}/credit`)
    .set('Cookie', fin.cookie)
    .type('form')
    .send({ reason: 'not yours', csrf: csrfOf(page.text) });
  expect(credit.status).toBe(404);
  expect(await memosOf(betaInvoice.id)).toHaveLength(memos.length);
});

it('shows one invoice: header with formatted amounts, lines, timeline, documents, deliveries and downloads', async () => {
  const op = await consoleSignIn(app, 'op', PW);
  const page = await request(app).get(`/console/invoices/${acmeInvoice.id}`).set('Cookie', op.cookie);
  expect(page.status).toBe(200);
  const html = page.text;
  expect(html).toContain('PO-INV-A');
  expect(html).toMatch(/id="invoice-total">44\.08 USD</);
  expect(html).toMatch(/id="invoice-open">44\.08 USD</);
  expect(html).toContain('12.345');
  // The timeline: created by the caller of the use case, rejected by the buyer's answer.
  expect(html).toMatch(/data-event="create"[\s\S]*by <span class="actor">test<\/span>/);
  expect(html).toMatch(/data-event="reject"[\s\S]*system:delivery[\s\S]*Unknown purchase order/);
  const doc = await env
    .db<{ id: string; invoice_id: string }>('documents')
    .where({ invoice_id: acmeInvoice.id })
    .first('id');
  expect(html).toContain(`href="/console/documents/${doc?.id}"`);
  const delivery = await env
    .db<{ id: string; document_id: string }>('deliveries')
    .where({ document_id: doc?.id ?? '' })
    .first('id');
  expect(html).toContain(`href="/console/deliveries/${delivery?.id}"`);
  expect(html).toContain('attempt 1');
  const pdf = await request(app).get(`/console/invoices/${acmeInvoice.id}.pdf`).set('Cookie', op.cookie);
  expect(pdf.status).toBe(200);
  expect(pdf.headers['content-type']).toBe('application/pdf');
  const csv = await request(app).get(`/console/invoices/${acmeInvoice.id}.csv`).set('Cookie', op.cookie);
  expect(csv.text).toContain(acmeInvoice.invoice_number);
  // The order page links its invoices here.
  const order = await request(app).get(`/console/orders/${acmeInvoice.order_id}`).set('Cookie', op.cookie);
  expect(order.text).toContain(`href="/console/invoices/${acmeInvoice.id}"`);
  expect((await request(app).get('/console/invoices/not-a-uuid').set('Cookie', op.cookie)).status).toBe(404);
});

it('resend and credit memo: refused without CSRF, done with it, audited and on the timeline', async () => {
  const op = await consoleSignIn(app, 'op', PW);
  const page = await request(app).get(`/console/invoices/${acmeInvoice.id}`).set('Cookie', op.cookie);
  const forged = await request(app)
    .post(`/console/invoices/${acmeInvoice.id}/resend`)
    .set('Cookie', op.cookie)
    .type('form')
    .send({ csrf: 'forged' });
  expect(forged.status).toBe(403);
  const sent = buyer.received.length;
  reject = false;
  const resend = await request(app)
    .post(`/console/invoices/${acmeInvoice.id}/resend`)
    .set('Cookie', op.cookie)
    .type('form')
    .send({ csrf: csrfOf(page.text) });
  expect(resend.status).toBe(303);
  await waitFor(async () => (await stateOf(acmeInvoice.id)) === 'delivered', 20000, 'delivered after resend');
  expect(buyer.received.length).toBe(sent + 1);
  const credit = await request(app)
    .post(`/console/invoices/${acmeInvoice.id}/credit`)
    .set('Cookie', op.cookie)
    .type('form')
    .send({ reason: 'damaged in transit', csrf: csrfOf(page.text) });
  expect(credit.status).toBe(303);
  expect(await stateOf(acmeInvoice.id)).toBe('credited');
  const events = await env
    .db<EventRow & { id: number; invoice_id: string }>('invoice_events')
    .where({ invoice_id: acmeInvoice.id })
    .orderBy('id');
  expect(events.map((e) => [e.event, e.from_state, e.to_state])).toEqual([
    ['create', null, 'issued'],
    ['reject', 'issued', 'rejected'],
    ['resend', 'rejected', 'issued'],
    ['deliver', 'issued', 'delivered'],
    ['credit', 'delivered', 'credited'],
  ]);
  expect(events[2]?.actor).toBe('user:op');
  expect(events[4]?.actor).toBe('user:op');
  const [memo] = await memosOf(acmeInvoice.id);
  expect(events[4]?.reason).toBe(`credit memo ${memo?.invoice_number}`);
  const after = await request(app).get(`/console/invoices/${acmeInvoice.id}`).set('Cookie', op.cookie);
  expect(after.text).toContain(`href="/console/invoices/${memo?.id}"`);
  expect(after.text).not.toContain('id="credit-invoice"');
  const audit = await env
    .db<AuditRow & { at: Date }>('audit_log')
    .whereIn('action', ['invoice.resend', 'invoice.credit'])
    .orderBy('at');
  expect(audit.map((a) => [a.action, a.subject])).toEqual([
    ['invoice.resend', `invoice:${acmeInvoice.id}`],
    ['invoice.credit', `invoice:${acmeInvoice.id}`],
  ]);
  // A second full credit memo is refused with a flash; nothing more is created.
  const again = await request(app)
    .post(`/console/invoices/${acmeInvoice.id}/credit`)
    .set('Cookie', op.cookie)
    .type('form')
    .send({ reason: 'twice', csrf: csrfOf(page.text) });
  expect(again.status).toBe(303);
  expect(await memosOf(acmeInvoice.id)).toHaveLength(1);
});
