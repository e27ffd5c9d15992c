/**
 * The state changes built on a process definition as one guarded UPDATE (platform/lifecycle.ts):
 * a delivery and a punchout session move only by an event their state allows, a refused move changes
 * nothing, and of two concurrent movers of one row exactly one wins. Real Postgres.
 */
import { queueDelivery } from '../../../src/delivery/service';
import { moveDelivery } from '../../../src/delivery/lifecycle';
import { storeDocument } from '../../../src/documents/store';
import { createSession, moveSession } from '../../../src/punchout/sessions';
import { createTestEnv, type TestEnv } from '../../helpers/env';
import { seedPartner } from '../../helpers/partners';

let env: TestEnv;

beforeAll(async () => {
  env = await createTestEnv({ start: false });
  await seedPartner(env.db);
});
afterAll(async () => {
  await env?.close();
});

async function delivery(): Promise<string> {
  return env.db.transaction(async (trx) => {
    const documentId = await storeDocument(trx, {
      partnerId: 'acme',
      protocol: 'cxml',
      docType: 'ConfirmationRequest',
      direction: 'out',
      status: 'queued',
      contentType: 'text/xml',
      content: '<cXML/>',
    });
    return queueDelivery(trx, { partnerId: 'acme', documentId, url: 'https://buyer.example/cxml' });
  });
}

const statusOf = async (id: string) =>
  await env
    .db('deliveries')
    .where({ id })
    .first<{ status: string; last_error: string | null }>('status', 'last_error');

it('a delivery is decided once; a decided one is only resent', async () => {
  const id = await delivery();
  expect(await moveDelivery(env.db, id, 'deliver')).toBe(1);
  expect(await moveDelivery(env.db, id, 'fail', { last_error: 'late job' })).toBe(0);
  expect(await moveDelivery(env.db, id, 'retry')).toBe(0);
  expect(await moveDelivery(env.db, id, 'cancel')).toBe(0);
  expect(await statusOf(id)).toEqual({ status: 'delivered', last_error: null });
  expect(await moveDelivery(env.db, id, 'resend')).toBe(1);
  expect((await statusOf(id)).status).toBe('pending');
});

it('of two verdicts on one pending delivery at once, one wins', async () => {
  const id = await delivery();
  const moved = await Promise.all([
    env.db.transaction((trx) => moveDelivery(trx, id, 'deliver')),
    env.db.transaction((trx) => moveDelivery(trx, id, 'reject', { last_error: 'status 400' })),
  ]);
  expect([...moved].sort()).toEqual([0, 1]);
  const { status } = await statusOf(id);
  expect(status).toBe(moved[0] === 1 ? 'delivered' : 'rejected');
});

it('a punchout session is transferred or cancelled once, by whichever comes first', async () => {
  const { session } = await createSession(env.db, env.ctx, {
    partnerId: 'acme',
    protocol: 'cxml',
    operation: 'create',
    returnUrl: 'https://buyer.example/return',
  });
  const [transferred, cancelled] = await Promise.all([
    env.db.transaction((trx) => moveSession(trx, session.id, 'transfer')),
    env.db.transaction((trx) => moveSession(trx, session.id, 'cancel')),
  ]);
  expect([transferred, cancelled].filter(Boolean)).toHaveLength(1);
  const row = await env.db('punchout_sessions').where({ id: session.id }).first<{ state: string }>('state');
  expect(row.state).toBe(transferred ? 'transferred' : 'cancelled');
  expect(await moveSession(env.db, session.id, 'transfer')).toBe(false);
  expect(await moveSession(env.db, session.id, 'cancel')).toBe(false);
});
