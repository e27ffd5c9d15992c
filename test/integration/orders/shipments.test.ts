import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { auth, ADMIN_TOKEN, waitFor } from '../../helpers/env';
import { validateCxml } from '../../helpers/xmllint';
import { confirmOrder, orderRequestXml, postCxml, setupOrders, type OrdersEnv } from './helpers';

/** A buyer's cXML endpoint: answers each POST with the next scripted status (then 200). */
let received: { body: string }[] = [];
let script: number[] = [];
let server: Server;
let t: OrdersEnv;

function cxmlAnswer(code: number): string {
  return `<?xml version="1.0"?><cXML payloadID="a@buyer" timestamp="2026-11-24T10:00:00Z"><Response><Status code="${code}" text="x">${code === 400 ? 'Unknown order reference' : ''}</Status></Response></cXML>`;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ body });
      const code = script.shift() ?? 200;
      res.writeHead(code, { 'Content-Type': 'text/xml' }).end(cxmlAnswer(code));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  t = await setupOrders({
    redis: process.env.ORDERS_TEST_REDIS !== '0',
    cxml: { outboundUrl: `http://127.0.0.1:${port}/cxml` },
  });
});
afterAll(async () => {
  await t.env.close();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  received = [];
  script = [];
});

async function confirmedOrder(orderId: string): Promise<string> {
  const res = await postCxml(t.app, orderRequestXml({ payloadId: `${orderId}@buyer`, orderId }));
  expect(res.status).toBe(200);
  const { id } = await t.env.db('orders').where({ buyer_order_number: orderId }).first('id');
  await confirmOrder(t, id);
  return id as string;
}

const ship = (id: string, lines: { lineNumber: number; quantity: string }[]) =>
  request(t.app)
    .post(`/api/v1/orders/${id}/shipments`)
    .set(auth(ADMIN_TOKEN))
    .send({ carrier: 'UPS', trackingNumber: '1Z999', shippedAt: '2026-11-24T10:00:00Z', lines });

async function deliveryOf(id: string, docType: string) {
  const doc = await t.env.db('documents').where({ order_id: id, doc_type: docType }).first();
  return { doc, delivery: await t.env.db('deliveries').where({ document_id: doc.id }).first() };
}

describe('confirmation and ship notices out', () => {
  it('confirming an order sends a DTD-valid ConfirmationRequest "accept" to the buyer', async () => {
    const id = await confirmedOrder('PO-CONF');
    await waitFor(() => received.find((r) => r.body.includes('ConfirmationRequest')), 15000, 'confirmation');
    const xml = received.find((r) => r.body.includes('ConfirmationRequest'))!.body;
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(xml).toContain('type="accept"');
    expect(xml).toContain('<DocumentReference payloadID="PO-CONF@buyer"');
    const state = await t.env.db('orders').where({ id }).first('state');
    expect(state.state).toBe('confirmed');
  });

  it('a partial then a complete shipment: shipped quantities, states, and a DTD-valid ShipNoticeRequest each time', async () => {
    const id = await confirmedOrder('PO-SHIPS');
    const first = await ship(id, [{ lineNumber: 1, quantity: '4' }]);
    expect(first.status).toBe(201);
    expect(first.body.state).toBe('partially_shipped');
    const notice = await waitFor(
      () => received.find((r) => r.body.includes('ShipNoticeRequest')),
      15000,
      'ship notice',
    );
    expect(validateCxml(notice.body)).toEqual({ ok: true, errors: '' });
    expect(notice.body).toContain('<ShipmentIdentifier>1Z999</ShipmentIdentifier>');
    expect(notice.body).toMatch(/<ShipNoticeItem quantity="4" lineNumber="1">/);
    const second = await ship(id, [
      { lineNumber: 1, quantity: '6' },
      { lineNumber: 2, quantity: '1' },
    ]);
    expect(second.body.state).toBe('shipped');
    const detail = await request(t.app).get(`/api/v1/orders/${id}`).set(auth(ADMIN_TOKEN)).expect(200);
    expect(detail.body.lines.map((l: { shippedQuantity: string }) => l.shippedQuantity)).toEqual(['10', '1']);
    expect(detail.body.events.map((e: { event: string }) => e.event)).toEqual([
      'create',
      'approve',
      'confirm',
      'ship_partial',
      'ship_complete',
    ]);
    expect(detail.body.shipments).toHaveLength(2);
  });

  it('refuses to ship more than ordered, naming the line, and changes nothing', async () => {
    const id = await confirmedOrder('PO-OVER');
    await ship(id, [{ lineNumber: 2, quantity: '1' }]).expect(201);
    const res = await ship(id, [{ lineNumber: 2, quantity: '1' }]);
    expect(res.status).toBe(422);
    expect(res.body.error.message).toBe('line 2: shipping 1 would make 2 shipped of 1 ordered');
    expect(res.body.error.details[0].path).toBe('lines.0.quantity');
    const bad = await ship(id, [{ lineNumber: 7, quantity: '1' }]);
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toContain('the order has no line 7');
    const [counted] = await t.env.db('shipments').where({ order_id: id }).count('* as c');
    expect(Number(counted!.c)).toBe(1);
  });

  it('retries the ship notice after a 500 from the buyer and then marks it delivered', async () => {
    const id = await confirmedOrder('PO-500');
    await waitFor(() => received.some((r) => r.body.includes('ConfirmationRequest')), 15000, 'confirmation');
    script = [500];
    await ship(id, [{ lineNumber: 1, quantity: '1' }]).expect(201);
    const { delivery } = await waitFor(
      async () => {
        const d = await deliveryOf(id, 'ShipNoticeRequest');
        return d.delivery?.status === 'delivered' ? d : undefined;
      },
      20000,
      'delivered after retry',
    );
    expect(delivery.attempts).toBe(2);
    const attempts = await t.env
      .db('delivery_attempts')
      .where({ delivery_id: delivery.id })
      .orderBy('attempt');
    expect(attempts.map((a) => a.status_code)).toEqual([500, 200]);
  });

  it('a 400 from the buyer ends the ship notice as rejected with the reason on the delivery and the document', async () => {
    const id = await confirmedOrder('PO-400');
    await waitFor(() => received.some((r) => r.body.includes('ConfirmationRequest')), 15000, 'confirmation');
    script = [400];
    await ship(id, [{ lineNumber: 1, quantity: '1' }]).expect(201);
    const { doc, delivery } = await waitFor(
      async () => {
        const d = await deliveryOf(id, 'ShipNoticeRequest');
        return d.delivery?.status === 'rejected' ? d : undefined;
      },
      20000,
      'rejected',
    );
    expect(delivery.last_error).toContain('Unknown order reference');
    expect(delivery.attempts).toBe(1);
    const after = await t.env.db('documents').where({ id: doc.id }).first();
    expect(after.status).toBe('rejected');
    expect(after.error).toContain('Unknown order reference');
  });

  it('keeps the document without delivery for a partner without outboundUrl', async () => {
    const id = await confirmedOrder('PO-NOURL');
    await t.env
      .db('partners')
      .where({ id: 'acme' })
      .update({
        settings: t.env.db.raw(`settings #- '{cxml,outboundUrl}'`),
      });
    try {
      await ship(id, [{ lineNumber: 1, quantity: '1' }]).expect(201);
      const { doc, delivery } = await deliveryOf(id, 'ShipNoticeRequest');
      expect(doc.status).toBe('stored');
      expect(delivery).toBeUndefined();
    } finally {
      const port = (server.address() as AddressInfo).port;
      await t.env
        .db('partners')
        .where({ id: 'acme' })
        .update({
          settings: t.env.db.raw(`jsonb_set(settings, '{cxml,outboundUrl}', ?::jsonb)`, [
            JSON.stringify(`http://127.0.0.1:${port}/cxml`),
          ]),
        });
    }
  });
});
