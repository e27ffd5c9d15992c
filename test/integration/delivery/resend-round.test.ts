/**
 * A resend after a console retry: the console's retry and cancel start a new delivery round, and a
 * job of another round does nothing. resendDelivery (the invoice resend) starts its own round, so
 * it is delivered, not taken for a stale job.
 */
import request from 'supertest';
import { createApp } from '../../../src/app';
import { resendDelivery } from '../../../src/delivery/service';
import { ADMIN_TOKEN, auth, createTestEnv, waitFor, type TestEnv } from '../../helpers/env';
import { insertConfirmedOrder } from '../../helpers/orders';
import { seedPartner } from '../../helpers/partners';
import { ok, startBuyer } from '../invoices/buyer';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
  await seedPartner(env.db);
});
afterAll(async () => {
  await env?.close();
});

it('resends an invoice delivery whose round a console retry moved on', async () => {
  const buyer = await startBuyer((_r, _n, res) => ok(res));
  try {
    await env
      .db('partners')
      .where({ id: 'acme' })
      .update({
        settings: env.db.raw(`jsonb_set(settings, '{cxml,outboundUrl}', to_jsonb(?::text))`, [buyer.url]),
      });
    const order = await insertConfirmedOrder(env.db, {
      partnerId: 'acme',
      lines: [{ quantity: '1', unitPrice: '5' }],
    });
    const res = await request(createApp(env.ctx))
      .post(`/api/v1/orders/${order.id}/invoices`)
      .set(auth(ADMIN_TOKEN))
      .send({});
    expect(res.status).toBe(201);
    const delivered = () => env.db('deliveries').where({ partner_id: 'acme', status: 'delivered' }).first();
    const d = await waitFor(delivered, 20000, 'first delivery');
    expect(buyer.received).toHaveLength(1);
    // As after a console retry that was delivered: the row's round is 1.
    await env.db('deliveries').where({ id: d.id }).update({ round: 1 });
    await resendDelivery(env.db, d.id as string);
    await waitFor(
      async () => buyer.received.length === 2 && (await delivered()),
      20000,
      'the resend delivered',
    );
    expect((await env.db('deliveries').where({ id: d.id }).first()).round).toBe(2);
  } finally {
    await new Promise((r) => buyer.server.close(r));
  }
});
