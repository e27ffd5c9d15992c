/**
 * Follow-ups are effects of entering a state, written once (issue 14 pt 5, orders/lifecycle.ts): an
 * order accepted by the API, by the console or by the approvals workflow (a level's approval, the
 * auto-approval) gets exactly one ConfirmationRequest and one status update per state it entered;
 * a refused transition writes and queues nothing. Real Postgres; no workers run, so every queued job
 * stays on the outbox where the test counts it.
 */
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../../src/app';
import { evaluateOrder } from '../../../src/approvals/service';
import { createUser } from '../../../src/console/users';
import { ADMIN_TOKEN, auth, createTestEnv, type TestEnv } from '../../helpers/env';
import { insertConfirmedOrder } from '../../helpers/orders';
import { consoleSignIn, csrfOf } from '../../helpers/pages';
import { examplePartner, seedPartner } from '../../helpers/partners';

const PW = 'follow-ups-password';
let env: TestEnv;
let app: Express;
let n = 0;

beforeAll(async () => {
  env = await createTestEnv({ start: false });
  app = createApp(env.ctx);
  const example = examplePartner();
  // Told about every state an order of these tests enters, so each status update shows.
  const statusUpdates = ['pending_approval', 'approved', 'confirmed', 'rejected', 'shipped'] as const;
  await seedPartner(env.db, { cxml: { ...example.cxml!, statusUpdates: [...statusUpdates] } });
  const opts = { actor: { label: 'test' }, now: new Date() };
  await createUser(env.db, { username: 'op', roles: ['operator'] }, PW, opts);
});
afterAll(async () => {
  await env?.close();
});

/** An order waiting in `state`, of `total` USD (above 5000.00 one approval level opens). */
async function order(state: string, total = '100.00'): Promise<string> {
  const { id } = await insertConfirmedOrder(env.db, {
    partnerId: 'acme',
    buyerOrderNumber: `PO-ONCE-${++n}`,
    lines: [{ quantity: '1', unitPrice: total }],
  });
  await env.db('orders').where({ id }).update({ state, total, version: 1 });
  return id;
}

/** What the order's follow-ups wrote and queued so far. */
async function followUps(orderId: string) {
  const docs = await env
    .db('documents')
    .where({ order_id: orderId, direction: 'out' })
    .select<{ id: string; doc_type: string; content: Buffer }[]>('id', 'doc_type', 'content');
  const statusJobs = await env
    .db('outbox')
    .where({ job_name: 'orders.status-update' })
    .whereRaw(`payload->>'orderId' = ?`, [orderId])
    .select<{ payload: { state: string } }[]>('payload');
  const deliveries = await env
    .db('deliveries')
    .whereIn(
      'document_id',
      docs.map((d) => d.id),
    )
    .count<{ n: string }>({ n: '*' })
    .first();
  return {
    confirmations: docs
      .filter((d) => d.doc_type === 'ConfirmationRequest')
      .map((d) => d.content.toString('utf8')),
    statusUpdates: statusJobs.map((j) => j.payload.state).sort(),
    deliveries: Number(deliveries?.n),
    documents: docs.length,
  };
}

const stateOf = async (id: string) =>
  (await env.db('orders').where({ id }).first<{ state: string }>('state')).state;
const answer = (r: request.Response) =>
  r.body as { state: string; confirmation: { documentId?: string } | null };

const accepted = (xml: string) => /<ConfirmationHeader[^>]*type="accept"/.test(xml);

it('an order confirmed through the API gets one accepting confirmation and one status update per state', async () => {
  const id = await order('received');
  const r = await request(app).post(`/api/v1/orders/${id}/confirm`).set(auth(ADMIN_TOKEN)).send({});
  expect(r.status).toBe(200);
  expect(answer(r).state).toBe('confirmed');
  const f = await followUps(id);
  expect(f.confirmations).toHaveLength(1);
  expect(accepted(f.confirmations[0]!)).toBe(true);
  expect(answer(r).confirmation?.documentId).toBeDefined();
  expect(f.statusUpdates).toEqual(['approved', 'confirmed']);
  expect(f.deliveries).toBe(1);

  // Confirming it again is refused and queues nothing more.
  const again = await request(app).post(`/api/v1/orders/${id}/confirm`).set(auth(ADMIN_TOKEN)).send({});
  expect(again.status).toBe(409);
  expect(await followUps(id)).toEqual(f);
});

it('an order confirmed on the console gets one confirmation; a refused rejection afterwards sends nothing', async () => {
  const id = await order('pending_approval');
  const op = await consoleSignIn(app, 'op', PW);
  const page = await request(app).get(`/console/orders/${id}`).set('Cookie', op.cookie);
  const res = await request(app)
    .post(`/console/orders/${id}/decide`)
    .set('Cookie', op.cookie)
    .type('form')
    .send({ decision: 'confirm', reason: 'called the buyer', csrf: csrfOf(page.text) });
  expect(res.status).toBe(303);
  expect(await stateOf(id)).toBe('confirmed');
  const f = await followUps(id);
  expect(f.confirmations).toHaveLength(1);
  expect(accepted(f.confirmations[0]!)).toBe(true);
  expect(f.confirmations[0]).toContain('called the buyer');
  expect(f.statusUpdates).toEqual(['approved', 'confirmed']);

  const reject = await request(app).post(`/api/v1/orders/${id}/reject`).set(auth(ADMIN_TOKEN)).send({});
  expect(reject.status).toBe(409);
  expect(await followUps(id)).toEqual(f);
  expect((await env.db('order_events').where({ order_id: id, event: 'reject' })).length).toBe(0);
});

it('an order approved at its last level gets one confirmation, an auto-approved one too', async () => {
  const big = await order('received', '6000.00');
  expect(await evaluateOrder(env.ctx, { orderId: big, version: 1 })).toBe('opened');
  expect((await followUps(big)).confirmations).toHaveLength(0);
  const level = await env
    .db('approvals')
    .where({ order_id: big, status: 'pending' })
    .first<{ id: string }>('id');
  const r = await request(app).post(`/api/v1/approvals/${level.id}/approve`).set(auth(ADMIN_TOKEN)).send({});
  expect(r.status).toBe(200);
  const f = await followUps(big);
  expect(f.confirmations).toHaveLength(1);
  expect(accepted(f.confirmations[0]!)).toBe(true);
  expect(f.statusUpdates).toEqual(['approved', 'confirmed', 'pending_approval']);
  // A second decision on the decided level is refused and sends nothing.
  const twice = await request(app)
    .post(`/api/v1/approvals/${level.id}/approve`)
    .set(auth(ADMIN_TOKEN))
    .send({});
  expect(twice.status).toBe(409);
  expect(await followUps(big)).toEqual(f);

  const small = await order('received');
  expect(await evaluateOrder(env.ctx, { orderId: small, version: 1 })).toBe('auto_approved');
  expect(await evaluateOrder(env.ctx, { orderId: small, version: 1 })).toBe('noop');
  const g = await followUps(small);
  expect(g.confirmations).toHaveLength(1);
  expect(g.statusUpdates).toEqual(['approved', 'confirmed']);
});

it('a decision on a level of an older order version is refused as stale and sends nothing', async () => {
  const id = await order('received', '6000.00');
  expect(await evaluateOrder(env.ctx, { orderId: id, version: 1 })).toBe('opened');
  const level = await env
    .db('approvals')
    .where({ order_id: id, status: 'pending' })
    .first<{ id: string }>('id');
  await env.db('orders').where({ id }).update({ version: 2 });
  const before = await followUps(id);
  const r = await request(app).post(`/api/v1/approvals/${level.id}/approve`).set(auth(ADMIN_TOKEN)).send({});
  expect(r.status).toBe(409);
  expect(JSON.stringify(r.body)).toContain('order is pending_approval (version 2); this approval is stale');
  expect((await env.db('approvals').where({ id: level.id }).first<{ status: string }>('status')).status).toBe(
    'pending',
  );
  expect(await followUps(id)).toEqual(before);
  expect(await stateOf(id)).toBe('pending_approval');
});

it('a rejection sends one reject confirmation with its reason; a shipment one ship notice', async () => {
  const id = await order('pending_approval');
  const r = await request(app)
    .post(`/api/v1/orders/${id}/reject`)
    .set(auth(ADMIN_TOKEN))
    .send({ reason: 'out of stock' });
  expect(r.status).toBe(200);
  const f = await followUps(id);
  expect(f.confirmations).toHaveLength(1);
  expect(f.confirmations[0]).toMatch(/<ConfirmationHeader[^>]*type="reject"/);
  expect(f.confirmations[0]).toContain('out of stock');
  expect(f.statusUpdates).toEqual(['rejected']);

  const shipped = await order('confirmed');
  const s = await request(app)
    .post(`/api/v1/orders/${shipped}/shipments`)
    .set(auth(ADMIN_TOKEN))
    .send({ shippedAt: '2026-12-04T10:00:00Z', lines: [{ lineNumber: 1, quantity: '1' }] });
  expect(s.status).toBe(201);
  const docs = await env.db('documents').where({ order_id: shipped, doc_type: 'ShipNoticeRequest' });
  expect(docs).toHaveLength(1);
  expect((await followUps(shipped)).statusUpdates).toEqual(['shipped']);
  // A shipment of an order not yet confirmed is refused by the lifecycle: no shipment, no notice.
  const early = await order('received');
  const refused = await request(app)
    .post(`/api/v1/orders/${early}/shipments`)
    .set(auth(ADMIN_TOKEN))
    .send({ shippedAt: '2026-12-04T11:00:00Z', lines: [{ lineNumber: 1, quantity: '1' }] });
  expect(refused.status).toBe(409);
  expect(await followUps(early)).toEqual({
    confirmations: [],
    statusUpdates: [],
    deliveries: 0,
    documents: 0,
  });
  expect(await env.db('shipments').where({ order_id: early })).toHaveLength(0);
});
