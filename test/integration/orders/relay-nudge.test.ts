/**
 * An accepted order wakes the outbox relay: its approvals job is taken at once, not at the next
 * poll. The poll interval here is a minute, so only the wake-up can explain a prompt dispatch.
 */
import { orderRequestXml, postCxml, setupOrders, type OrdersEnv } from './helpers';

let t: OrdersEnv;
beforeAll(async () => {
  t = await setupOrders({ env: { OUTBOX_POLL_MS: '60000' } });
  // The relay's first poll runs at start; let it find the outbox empty.
  await new Promise((r) => setTimeout(r, 300));
});
afterAll(async () => {
  await t.env.close();
});

async function dispatchedWithin(ms: number, orderId: string): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const row = await t.env
      .db('outbox')
      .whereRaw(`payload->>'orderId' = ?`, [orderId])
      .first('dispatched_at');
    if (row?.dispatched_at) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

it('an accepted order has its approvals job dispatched without waiting for the poll', async () => {
  const res = await postCxml(t.app, orderRequestXml({ payloadId: 'p-nudge@buyer', orderId: 'PO-NUDGE' }));
  expect(res.status).toBe(200);
  const order = await t.env.db('orders').where({ buyer_order_number: 'PO-NUDGE' }).first('id');
  expect(await dispatchedWithin(5000, order.id)).toBe(true);
});
