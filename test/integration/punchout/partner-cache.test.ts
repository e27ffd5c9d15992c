/**
 * The credential lookup cache (PARTNER_CACHE_MS, on by default in production, off in the other tests):
 * a rotated secret or a deleted partner takes effect at once in this process, an unknown credential
 * is never cached, and a change made behind the gateway's back (plain SQL, another process) is seen
 * once the cache time has passed.
 */
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../../src/app';
import { deletePartner, upsertPartner } from '../../../src/partners/service';
import { findPartnerCached } from '../../../src/partners/repository';
import { createTestEnv, type TestEnv } from '../../helpers/env';
import { examplePartner } from '../../helpers/partners';
import { PARTNER_SECRET, seedShop, setupRequest } from './helpers';

const CACHE_MS = 1500;
let env: TestEnv;
let app: Express;

beforeAll(async () => {
  env = await createTestEnv({ env: { PARTNER_CACHE_MS: String(CACHE_MS) } });
  await seedShop(env.db);
  app = createApp(env.ctx);
});
afterAll(async () => {
  await env.close();
});

const setup = (o: Parameters<typeof setupRequest>[0] = {}) =>
  request(app).post('/cxml').set('Content-Type', 'text/xml').send(setupRequest(o));
const statusOf = (xml: string) => /<Status code="(\d+)"/.exec(xml)?.[1];

it('a rotated secret works at once and the old one stops at once', async () => {
  expect(statusOf((await setup()).text)).toBe('200'); // now cached
  await upsertPartner(
    env.db,
    examplePartner({ cxml: { ...examplePartner().cxml!, sharedSecret: 'rotated-secret-1' } }),
  );
  expect(statusOf((await setup({ secret: PARTNER_SECRET })).text)).toBe('401');
  expect(statusOf((await setup({ secret: 'rotated-secret-1' })).text)).toBe('200');
  await upsertPartner(env.db, examplePartner());
  expect(statusOf((await setup()).text)).toBe('200');
});

it('an unknown credential is asked every time, so a partner created a moment later works', async () => {
  expect(statusOf((await setup({ fromIdentity: 'AN-NEW-BUYER' })).text)).toBe('401');
  await upsertPartner(
    env.db,
    examplePartner({
      id: 'newbuyer',
      cxml: { ...examplePartner().cxml!, credentials: [{ domain: 'NetworkID', identity: 'AN-NEW-BUYER' }] },
      oci: undefined,
      x12: undefined,
    }),
  );
  expect(statusOf((await setup({ fromIdentity: 'AN-NEW-BUYER' })).text)).toBe('200');
  await deletePartner(env.db, 'newbuyer');
  expect(statusOf((await setup({ fromIdentity: 'AN-NEW-BUYER' })).text)).toBe('401');
});

it('a change made with plain SQL is seen after the cache time, not before', async () => {
  expect(statusOf((await setup()).text)).toBe('200');
  await env.db('partners').where({ id: 'acme' }).update({ deleted_at: env.db.fn.now() });
  try {
    // Within the cache time the cached partner still answers (this is the documented staleness).
    expect(statusOf((await setup()).text)).toBe('200');
    await new Promise((r) => setTimeout(r, CACHE_MS + 100));
    expect(statusOf((await setup()).text)).toBe('401');
  } finally {
    await env.db('partners').where({ id: 'acme' }).update({ deleted_at: null });
  }
});

it('a change inside a larger transaction (the console saves a partner with its audit entry) is seen at once after the commit', async () => {
  const nameNow = async () => (await findPartnerCached(env.db, CACHE_MS, 'acme'))?.name;
  const before = await nameNow(); // now cached
  await env.db.transaction(async (trx) => {
    await upsertPartner(trx, examplePartner({ name: 'Acme renamed in a transaction' }));
    // Before the commit another request of this process reads (and caches) the partner as committed.
    expect(await nameNow()).toBe(before);
  });
  expect(await nameNow()).toBe('Acme renamed in a transaction');
  await upsertPartner(env.db, examplePartner());
});
