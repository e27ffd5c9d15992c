/**
 * API keys and the partner they belong to are cached for PARTNER_CACHE_MS, like credential lookups
 * (on in production, off in the other tests): deleting a partner stops its keys at once in this
 * process, an unknown key is never cached, and a change made with plain SQL is seen once the cache
 * time has passed.
 */
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../../src/app';
import { createApiKey, deletePartner, upsertPartner } from '../../../src/partners/service';
import { createTestEnv, type TestEnv } from '../../helpers/env';
import { examplePartner, seedPartner } from '../../helpers/partners';

const CACHE_MS = 1500;
let env: TestEnv;
let app: Express;
let erpKey: string;
let financeKey: string;

beforeAll(async () => {
  env = await createTestEnv({ env: { PARTNER_CACHE_MS: String(CACHE_MS) } });
  ({ erpKey, financeKey } = await seedPartner(env.db));
  app = createApp(env.ctx);
});
afterAll(async () => {
  await env.close();
});

const listOrders = (key: string) => request(app).get('/api/v1/orders').set('Authorization', `Bearer ${key}`);
const listInvoices = (key: string) =>
  request(app).get('/api/v1/invoices').set('Authorization', `Bearer ${key}`);

it('a cached key keeps its role: an ERP key stays out of the finance API', async () => {
  expect((await listOrders(erpKey)).status).toBe(200);
  expect((await listInvoices(erpKey)).status).toBe(403);
  expect((await listInvoices(financeKey)).status).toBe(200);
});

it('a partner deleted through the service loses its keys at once', async () => {
  await upsertPartner(
    env.db,
    examplePartner({ id: 'shortlived', oci: undefined, cxml: undefined, x12: undefined }),
  );
  const { key } = await createApiKey(env.db, 'shortlived', 'erp');
  expect((await listOrders(key)).status).toBe(200); // now cached
  await deletePartner(env.db, 'shortlived');
  const res = await listOrders(key);
  expect(res.status).toBe(401);
  expect(res.body.error.message).toBe('invalid token');
});

it('an unknown key is asked every time, so a key issued a moment later works', async () => {
  expect((await listOrders('gwk_erp_not-issued-yet')).status).toBe(401);
  const { key } = await createApiKey(env.db, 'acme', 'erp');
  expect((await listOrders(key)).status).toBe(200);
});

it('a key revoked with plain SQL is refused after the cache time, not before', async () => {
  const { id, key } = await createApiKey(env.db, 'acme', 'erp');
  expect((await listOrders(key)).status).toBe(200);
  await env.db('api_keys').where({ id }).update({ revoked_at: env.db.fn.now() });
  // Within the cache time the cached key still works (the documented staleness).
  expect((await listOrders(key)).status).toBe(200);
  await new Promise((r) => setTimeout(r, CACHE_MS + 100));
  expect((await listOrders(key)).status).toBe(401);
});
