/**
 * Issue 12 point 9: a cXML document whose payloadID was already received but whose bytes differ
 * (sha256) is refused with a cXML Status 409 naming the payloadID: never answered 200 with the
 * first document's answer while the second is dropped. An identical resend still gets the stored
 * answer byte for byte. OrderRequest (new, update) and PunchOutSetupRequest, on real Postgres.
 */
import { PARTNER_SECRET, setupRequest } from '../punchout/helpers';
import { orderRequestXml, postCxml, setupOrders, statusOf, type OrdersEnv } from './helpers';

let t: OrdersEnv;
beforeAll(async () => {
  t = await setupOrders({ start: false });
});
afterAll(async () => {
  await t.env.close();
});

const orders = (orderNumber: string) => t.env.db('orders').where({ buyer_order_number: orderNumber });
const inboundUnder = (payloadId: string) =>
  t.env.db('documents').where({ external_id: payloadId, direction: 'in' }).select('id', 'sha256');

function expectConflict(res: { status: number; text: string }, payloadId: string): void {
  expect(res.status).toBe(409);
  const s = statusOf(res.text);
  expect(s.code).toBe(409);
  expect(s.message).toContain(`payloadID "${payloadId}" was already received with a different document`);
}

describe('OrderRequest under a payloadID already received', () => {
  it('with other bytes: 409 naming the payloadID, no order, the refusal kept; the identical resend still replays', async () => {
    const payloadId = 'p-reused-1@buyer';
    const first = orderRequestXml({ payloadId, orderId: 'PO-REUSED-A' });
    const a = await postCxml(t.app, first);
    expect(statusOf(a.text).code).toBe(200);

    const other = orderRequestXml({
      payloadId,
      orderId: 'PO-REUSED-B',
      lines: [{ sku: 'PEN-BLU-12', quantity: '3', price: '4.50' }],
    });
    const b = await postCxml(t.app, other);
    expectConflict(b, payloadId);
    expect(await orders('PO-REUSED-B')).toHaveLength(0);
    // The refused document is kept for the audit trail, under no payloadID (that one is taken).
    const refusal = await t.env
      .db('documents')
      .where({ status: 'refused', doc_type: 'OrderRequest', partner_id: 'acme' })
      .whereNull('external_id')
      .orderBy('created_at', 'desc')
      .first('error', 'response_status', 'content');
    expect(refusal).toMatchObject({ response_status: 409 });
    expect(refusal.error).toContain(`payloadID "${payloadId}"`);
    expect(refusal.content.toString()).toContain('PO-REUSED-B');

    // Changing one byte is enough (a quantity), and the order the payloadID made is untouched.
    const c = await postCxml(t.app, first.replace('quantity="10"', 'quantity="11"'));
    expectConflict(c, payloadId);
    const [order] = await orders('PO-REUSED-A');
    expect(order.version).toBe(1);

    const again = await postCxml(t.app, first);
    expect(again.status).toBe(a.status);
    expect(again.text).toBe(a.text);
    expect(await inboundUnder(payloadId)).toHaveLength(1);
  });

  it('a refused first document: a corrected copy under its payloadID is 409, not the old refusal', async () => {
    const payloadId = 'p-reused-refused@buyer';
    const bad = orderRequestXml({
      payloadId,
      orderId: 'PO-REUSED-FIX',
      lines: [{ sku: 'NO-SUCH-SKU', quantity: '1', price: '1.00' }],
    });
    const a = await postCxml(t.app, bad);
    expect(statusOf(a.text).code).toBeGreaterThanOrEqual(400);
    const again = await postCxml(t.app, bad);
    expect(again.text).toBe(a.text);
    const fixed = await postCxml(t.app, orderRequestXml({ payloadId, orderId: 'PO-REUSED-FIX' }));
    expectConflict(fixed, payloadId);
    expect(await orders('PO-REUSED-FIX')).toHaveLength(0);
  });

  it('an update whose payloadID was used by the new order: 409, the order stays at version 1', async () => {
    const payloadId = 'p-reused-upd@buyer';
    await postCxml(t.app, orderRequestXml({ payloadId, orderId: 'PO-REUSED-UPD' }));
    const upd = await postCxml(
      t.app,
      orderRequestXml({
        payloadId,
        orderId: 'PO-REUSED-UPD',
        type: 'update',
        version: 2,
        lines: [{ sku: 'PEN-BLU-12', quantity: '20', price: '4.50' }],
      }),
    );
    expectConflict(upd, payloadId);
    const [order] = await orders('PO-REUSED-UPD');
    expect(order.version).toBe(1);
  });

  it('two different documents racing under one payloadID: one is taken, the other gets 409', async () => {
    const payloadId = 'p-reused-race@buyer';
    const docs = [
      orderRequestXml({ payloadId, orderId: 'PO-RACE-X' }),
      orderRequestXml({ payloadId, orderId: 'PO-RACE-Y' }),
    ];
    const answers = await Promise.all(docs.map((d) => postCxml(t.app, d)));
    expect(answers.map((r) => statusOf(r.text).code).sort()).toEqual([200, 409]);
    const taken = (await orders('PO-RACE-X')).length + (await orders('PO-RACE-Y')).length;
    expect(taken).toBe(1);
  });
});

describe('PunchOutSetupRequest under a payloadID already received', () => {
  it('with another BuyerCookie: 409 naming the payloadID and no second session; the identical resend gets the same StartPage', async () => {
    const payloadId = 'p-reused-setup@buyer';
    const sessions = async () => Number((await t.env.db('punchout_sessions').count('* as c'))[0]!.c);
    const first = setupRequest({ payloadId, buyerCookie: 'cookie-one', secret: PARTNER_SECRET });
    const a = await postCxml(t.app, first);
    expect(a.status).toBe(200);
    const before = await sessions();
    const b = await postCxml(t.app, setupRequest({ payloadId, buyerCookie: 'cookie-two' }));
    expectConflict(b, payloadId);
    expect(await sessions()).toBe(before);
    const again = await postCxml(t.app, first);
    expect(again.text).toBe(a.text);
  });
});
