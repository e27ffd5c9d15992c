import request from 'supertest';
import { JOBS } from '../../../src/jobs/catalog';
import { jobCatalog } from '../../../src/platform/jobs';
import type { Express } from 'express';
import { createApp } from '../../../src/app';
import { loadConfig } from '../../../src/platform/config';
import { backoffDelay } from '../../../src/platform/jobs';
import { BullmqQueue } from '../../../src/platform/queue-bullmq';
import { ADMIN_TOKEN, auth, createTestEnv, waitFor, type TestEnv } from '../../helpers/env';
import { insertConfirmedOrder } from '../../helpers/orders';
import { seedPartner } from '../../helpers/partners';
import { validateCxml } from '../../helpers/xmllint';
import { ok, startBuyer } from './buyer';

const admin = auth(ADMIN_TOKEN);

let env: TestEnv;
let app: Express;
let financeKey: string;

beforeAll(async () => {
  env = await createTestEnv({
    redis: true,
    env: { DELIVERY_MAX_ATTEMPTS: '6', DELIVERY_RETRY_BASE_MS: '100', DELIVERY_TIMEOUT_MS: '1000' },
  });
  app = createApp(env.ctx);
  financeKey = (await seedPartner(env.db)).financeKey;
});

afterAll(async () => {
  await env.close();
});

/** Points the partner's cxml.outboundUrl at a local buyer endpoint. */
async function pointTo(url: string): Promise<void> {
  await env
    .db('partners')
    .where({ id: 'acme' })
    .update({ settings: env.db.raw(`jsonb_set(settings, '{cxml,outboundUrl}', to_jsonb(?::text))`, [url]) });
}

async function newInvoice(): Promise<{ id: string; invoiceNumber: string }> {
  const order = await insertConfirmedOrder(env.db, {
    partnerId: 'acme',
    lines: [{ quantity: '3', unitPrice: '12.3450', taxRate: '19' }],
  });
  const res = await request(app).post(`/api/v1/orders/${order.id}/invoices`).set(admin).send({});
  expect(res.status).toBe(201);
  return res.body.invoice;
}

const stateOf = async (id: string) => (await env.db('invoices').where({ id }).first()).state as string;

it('the production retry schedule (30 s doubling, 13 attempts) keeps trying for more than 24 hours', () => {
  const c = loadConfig({});
  let waited = 0;
  for (let attempt = 1; attempt < c.DELIVERY_MAX_ATTEMPTS; attempt++)
    waited += backoffDelay(c.DELIVERY_RETRY_BASE_MS, attempt);
  expect(c.DELIVERY_RETRY_BASE_MS).toBe(30000);
  expect(c.DELIVERY_MAX_ATTEMPTS).toBe(13);
  expect(waited).toBeGreaterThan(24 * 3600 * 1000);
});

it('an endpoint down for the first attempts gets the invoice once it is up, delivered once, every attempt recorded', async () => {
  const buyer = await startBuyer((_r, n, res) => {
    if (n <= 2) {
      res.writeHead(503).end('down for maintenance');
      return;
    }
    ok(res);
  });
  try {
    await pointTo(buyer.url);
    const inv = await newInvoice();
    await waitFor(async () => (await stateOf(inv.id)) === 'delivered', 20000, 'delivered');
    expect(buyer.received).toHaveLength(3);
    expect(new Set(buyer.received.map((r) => r.payloadId)).size).toBe(1);
    for (const r of buyer.received) expect(validateCxml(r.body).ok).toBe(true);
    const attempts = await env
      .db('delivery_attempts as a')
      .join('deliveries as d', 'd.id', 'a.delivery_id')
      .join('documents as doc', 'doc.id', 'd.document_id')
      .where('doc.invoice_id', inv.id)
      .orderBy('a.attempt')
      .select('a.attempt', 'a.status_code');
    expect(attempts.map((a) => [a.attempt, a.status_code])).toEqual([
      [1, 503],
      [2, 503],
      [3, 200],
    ]);
    const view = await request(app).get(`/api/v1/invoices/${inv.id}`).set(auth(financeKey));
    expect(view.body.invoice.state).toBe('delivered');
    expect(view.body.invoice.delivery.attempts).toBe(3);
  } finally {
    await buyer.close();
  }
});

it("an endpoint answering 400 rejects the invoice with the buyer's reason visible in the API; resend delivers the same document", async () => {
  let reject = true;
  const buyer = await startBuyer((_r, _n, res) => {
    if (!reject) return ok(res);
    res.writeHead(400, { 'Content-Type': 'text/xml' });
    res.end(
      '<?xml version="1.0"?><cXML payloadID="x@buyer" timestamp="2026-11-23T10:00:00Z"><Response><Status code="400" text="Bad Request">Unknown purchase order PO-404</Status></Response></cXML>',
    );
  });
  try {
    await pointTo(buyer.url);
    const inv = await newInvoice();
    await waitFor(async () => (await stateOf(inv.id)) === 'rejected', 20000, 'rejected');
    expect(buyer.received).toHaveLength(1);
    const view = await request(app).get(`/api/v1/invoices/${inv.id}`).set(auth(financeKey));
    expect(view.body.invoice.state).toBe('rejected');
    expect(view.body.invoice.rejectionReason).toContain('Unknown purchase order PO-404');
    const list = await request(app).get('/api/v1/invoices?status=rejected').set(auth(financeKey));
    expect(list.body.invoices.map((i: { id: string }) => i.id)).toContain(inv.id);

    reject = false;
    const resend = await request(app).post(`/api/v1/invoices/${inv.id}/resend`).set(admin);
    expect(resend.status).toBe(202);
    await waitFor(async () => (await stateOf(inv.id)) === 'delivered', 20000, 'delivered after resend');
    expect(buyer.received).toHaveLength(2);
    expect(buyer.received[1]!.body).toBe(buyer.received[0]!.body);
    const again = await request(app).post(`/api/v1/invoices/${inv.id}/resend`).set(admin);
    expect(again.status).toBe(409);
    // Every move is on the invoice's timeline with who and why.
    const events = await env
      .db<{ id: number; invoice_id: string; event: string; actor: string; reason: string | null }>(
        'invoice_events',
      )
      .where({ invoice_id: inv.id })
      .orderBy('id');
    expect(events.map((e) => [e.event, e.actor])).toEqual([
      ['create', 'admin'],
      ['reject', 'system:delivery'],
      ['resend', 'admin'],
      ['deliver', 'system:delivery'],
    ]);
    expect(events[1]?.reason).toContain('Unknown purchase order PO-404');
  } finally {
    await buyer.close();
  }
});

it('a worker stopped in the middle of a delivery loses nothing: a new worker sends the same payloadID and the invoice is delivered once', async () => {
  const accepted = new Set<string>();
  let firstArrived = false;
  const buyer = await startBuyer(async (r, n, res) => {
    if (n === 1) {
      firstArrived = true;
      // Slower than DELIVERY_TIMEOUT_MS: the worker gives up on this attempt while being stopped.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      res.destroy();
      return;
    }
    // An endpoint that honours payloadID: a repeated one is acknowledged, not booked again.
    if (r.payloadId) accepted.add(r.payloadId);
    ok(res);
  });
  try {
    await pointTo(buyer.url);
    const inv = await newInvoice();
    await waitFor(() => firstArrived, 20000, 'first attempt in flight');
    await env.ctx.queue.close();
    expect(await stateOf(inv.id)).toBe('issued');
    const next = new BullmqQueue(env.db, env.config, env.ctx.log, { jobs: jobCatalog(JOBS) });
    env.ctx.queue = next;
    await next.start({ workers: true, relay: true });
    await waitFor(async () => (await stateOf(inv.id)) === 'delivered', 20000, 'delivered by the new worker');
    expect(buyer.received.length).toBeGreaterThanOrEqual(2);
    expect(new Set(buyer.received.map((r) => r.payloadId)).size).toBe(1);
    expect(accepted.size).toBe(1);
    const deliveries = await env
      .db('deliveries as d')
      .join('documents as doc', 'doc.id', 'd.document_id')
      .where('doc.invoice_id', inv.id)
      .select('d.status');
    expect(deliveries).toEqual([{ status: 'delivered' }]);
  } finally {
    await buyer.close();
  }
});
