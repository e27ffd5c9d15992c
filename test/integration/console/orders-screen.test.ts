/** The Orders screen over HTTP: who may open it, CSRF on its actions, bad filters and unknown orders. */
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../../src/app';
import { createUser } from '../../../src/console/users';
import { createTestEnv, type TestEnv } from '../../helpers/env';
import { insertConfirmedOrder } from '../../helpers/orders';
import { consoleSignIn, csrfOf } from '../../helpers/pages';
import { seedPartner } from '../../helpers/partners';

const PW = 'orders-screen-password';
let env: TestEnv;
let app: Express;
let orderId: string;

beforeAll(async () => {
  env = await createTestEnv();
  app = createApp(env.ctx);
  await seedPartner(env.db);
  const opts = { actor: { label: 'test' }, now: new Date() };
  await createUser(env.db, { username: 'op', roles: ['operator'] }, PW, opts);
  await createUser(env.db, { username: 'fin', roles: ['finance'] }, PW, opts);
  await createUser(env.db, { username: 'root', roles: ['admin'] }, PW, opts);
  orderId = (
    await insertConfirmedOrder(env.db, {
      partnerId: 'acme',
      buyerOrderNumber: 'PO-SCREEN-1',
      lines: [{ quantity: '2', unitPrice: '4.5' }],
    })
  ).id;
});
afterAll(async () => {
  await env?.close();
});

it('lists and filters orders for operators; finance users are refused', async () => {
  const op = await consoleSignIn(app, 'op', PW);
  const all = await request(app).get('/console/orders').set('Cookie', op.cookie);
  expect(all.status).toBe(200);
  expect(all.text).toContain('PO-SCREEN-1');
  const none = await request(app).get('/console/orders?state=shipped').set('Cookie', op.cookie);
  expect(none.text).toContain('No orders match.');
  const bad = await request(app).get('/console/orders?from=yesterday').set('Cookie', op.cookie);
  expect(bad.status).toBe(400);
  expect((await request(app).get('/console/orders/not-a-uuid').set('Cookie', op.cookie)).status).toBe(404);
  const fin = await consoleSignIn(app, 'fin', PW);
  expect((await request(app).get('/console/orders').set('Cookie', fin.cookie)).status).toBe(403);
  expect((await request(app).get('/console/orders')).status).toBe(303);
});

it('refuses an action without the CSRF token and changes nothing; with it, a shipment is recorded', async () => {
  const op = await consoleSignIn(app, 'op', PW);
  const page = await request(app).get(`/console/orders/${orderId}`).set('Cookie', op.cookie);
  const form = { carrier: '', trackingNumber: '', shippedOn: '2026-12-04', 'line-1': '2' };
  const forged = await request(app)
    .post(`/console/orders/${orderId}/ship`)
    .set('Cookie', op.cookie)
    .type('form')
    .send({ ...form, csrf: 'forged' });
  expect(forged.status).toBe(403);
  expect(await env.db('shipments').where({ order_id: orderId })).toHaveLength(0);
  const ok = await request(app)
    .post(`/console/orders/${orderId}/ship`)
    .set('Cookie', op.cookie)
    .type('form')
    .send({ ...form, csrf: csrfOf(page.text) });
  expect(ok.status).toBe(303);
  expect(await env.db('shipments').where({ order_id: orderId })).toHaveLength(1);
  expect((await env.db('orders').where({ id: orderId }).first()).state).toBe('shipped');
  // The audit log names the request by the id its log lines carry (X-Request-Id).
  const requestId = ok.headers['x-request-id'] as string;
  const admin = await consoleSignIn(app, 'root', PW);
  const audit = await request(app).get('/console/audit?action=order.ship').set('Cookie', admin.cookie);
  expect(audit.text).toContain(`data-request-id="${requestId}"`);
});
