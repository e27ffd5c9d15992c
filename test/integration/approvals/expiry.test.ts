import request from 'supertest';
import { ADMIN_TOKEN, auth, waitFor } from '../../helpers/env';
import { orderRequestXml, postCxml } from '../orders/helpers';
import { setupApprovals } from './helpers';

let s: Awaited<ReturnType<typeof setupApprovals>>;
beforeAll(async () => {
  // About one second: orders waiting for approval expire while the test watches.
  s = await setupApprovals({ APPROVAL_MAX_AGE_HOURS: String(1 / 3600) });
}, 60000);
afterAll(async () => {
  await s.close();
});

describe('approval expiry', () => {
  it('rejects an order still waiting for approval after APPROVAL_MAX_AGE_HOURS, with that reason, and tells the buyer', async () => {
    await postCxml(
      s.t.app,
      orderRequestXml({
        payloadId: 'p-exp@buyer',
        orderId: 'PO-EXP',
        lines: [{ sku: 'CHR-ERG-01', quantity: '30', price: '259.00' }],
      }),
    ).expect(200);
    const o = await s.t.env.db('orders').where({ buyer_order_number: 'PO-EXP' }).first('id');
    const rejected = await waitFor(
      () => s.t.env.db('order_events').where({ order_id: o.id, event: 'reject' }).first(),
      15000,
      'expiry',
    );
    expect(rejected).toMatchObject({
      actor: 'system:approvals',
      from_state: 'pending_approval',
      to_state: 'rejected',
    });
    expect(rejected.reason).toMatch(/^approval expired: open longer than 0\.000277\d* hours$/);
    const approvals = await s.t.env.db('approvals').where({ order_id: o.id });
    expect(approvals.map((a) => a.status)).toEqual(['expired']);

    const late = await request(s.t.app)
      .post(`/api/v1/approvals/${approvals[0].id}/approve`)
      .set(auth(ADMIN_TOKEN))
      .send({});
    expect(late.status).toBe(409);
    expect(late.body.error.message).toBe('approval already expired by system:approvals');

    const conf = await waitFor(
      () => s.buyer.received.find((r) => r.body.includes('orderID="PO-EXP"')),
      15000,
      'reject confirmation at buyer',
    );
    expect(conf.body).toMatch(/type="reject"/);
    expect(conf.body).toContain('approval expired');
  });

  it('does not expire an order that was decided in time', async () => {
    await postCxml(
      s.t.app,
      orderRequestXml({
        payloadId: 'p-fast@buyer',
        orderId: 'PO-FAST',
        lines: [{ sku: 'CHR-ERG-01', quantity: '1', price: '259.00' }],
      }),
    ).expect(200);
    const o = await s.t.env.db('orders').where({ buyer_order_number: 'PO-FAST' }).first('id');
    await waitFor(
      async () => (await s.t.env.db('orders').where({ id: o.id }).first('state')).state === 'confirmed',
      15000,
      'auto-approval',
    );
    // An expiry job for this version (as if it had been queued) finds nothing to expire.
    const { expireOrder } = await import('../../../src/approvals/service');
    expect(await expireOrder(s.t.env.ctx, { orderId: o.id, version: 1 })).toBe(false);
    expect((await s.t.env.db('orders').where({ id: o.id }).first('state')).state).toBe('confirmed');
  });
});
