import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { auth, ADMIN_TOKEN } from '../../helpers/env';
import { validateCxml } from '../../helpers/xmllint';
import { confirmOrder, orderRequestXml, postCxml, setupOrders, statusOf, type OrdersEnv } from './helpers';

let t: OrdersEnv;
beforeAll(async () => {
  // No workers: the tests see the order exactly as intake left it (approvals would confirm it).
  t = await setupOrders({ start: false });
});
afterAll(async () => {
  await t.env.close();
});

const count = async (q: { count: (c: string) => PromiseLike<{ count: string | number }[]> }) =>
  Number((await q.count('* as count'))[0]!.count);
const orders = (orderNumber: string) => t.env.db('orders').where({ buyer_order_number: orderNumber });

describe('cXML OrderRequest intake', () => {
  it('accepts a new order with a DTD-valid 200 Response and stores lines, version 1, a create event and the approvals job', async () => {
    const res = await postCxml(t.app, orderRequestXml({ payloadId: 'p-new-1@buyer', orderId: 'PO-1' }));
    expect(res.status).toBe(200);
    expect(validateCxml(res.text)).toEqual({ ok: true, errors: '' });
    expect(statusOf(res.text).code).toBe(200);
    const [order] = await orders('PO-1');
    expect(order).toMatchObject({
      state: 'received',
      version: 1,
      source_payload_id: 'p-new-1@buyer',
      flags: [],
    });
    expect(order.currency.trim()).toBe('USD');
    const lines = await t.env.db('order_lines').where({ order_id: order.id }).orderBy('line_number');
    expect(lines.map((l) => [l.sku, l.quantity, l.unit_price])).toEqual([
      ['PEN-BLU-12', '10', '4.50'],
      ['CHR-ERG-01', '1', '259.00'],
    ]);
    expect(await count(t.env.db('order_versions').where({ order_id: order.id }))).toBe(1);
    const events = await t.env.db('order_events').where({ order_id: order.id });
    expect(events).toEqual([
      expect.objectContaining({ event: 'create', to_state: 'received', actor: 'cxml:acme' }),
    ]);
    const jobs = await t.env.db('outbox').where({ job_name: 'approvals.evaluate' });
    expect(jobs.map((j) => j.payload)).toContainEqual({ orderId: order.id, version: 1 });
  });

  it('replays the first answer byte for byte for a resent payloadID and creates nothing', async () => {
    const xml = orderRequestXml({ payloadId: 'p-resend@buyer', orderId: 'PO-RESEND' });
    const first = await postCxml(t.app, xml);
    const second = await postCxml(t.app, xml);
    expect(second.status).toBe(first.status);
    expect(second.text).toBe(first.text);
    expect(await orders('PO-RESEND')).toHaveLength(1);
  });

  it('creates exactly one order from 50 concurrent copies of one OrderRequest, all answered alike', async () => {
    const xml = orderRequestXml({ payloadId: 'p-50@buyer', orderId: 'PO-50' });
    const answers = await Promise.all(Array.from({ length: 50 }, () => postCxml(t.app, xml)));
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200]));
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    const rows = await orders('PO-50');
    expect(rows).toHaveLength(1);
    expect(await count(t.env.db('order_lines').where({ order_id: rows[0].id }))).toBe(2);
    expect(await count(t.env.db('documents').where({ external_id: 'p-50@buyer', direction: 'in' }))).toBe(1);
  });

  it('20 different documents racing with one new orderID: one order, the others 409, each answer kept for its resend', async () => {
    const xmls = Array.from({ length: 20 }, (_, i) =>
      orderRequestXml({ payloadId: `p-race-${i}@buyer`, orderId: 'PO-RACE' }),
    );
    const answers = await Promise.all(xmls.map((x) => postCxml(t.app, x)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    const refused = answers.filter((a) => a.status !== 200);
    expect(new Set(refused.map((a) => a.status))).toEqual(new Set([409]));
    for (const a of refused) expect(statusOf(a.text).message).toMatch(/order "PO-RACE" already exists/);
    const rows = await orders('PO-RACE');
    expect(rows).toHaveLength(1);
    expect(await count(t.env.db('order_lines').where({ order_id: rows[0].id }))).toBe(2);
    const docs = await t.env.db('documents').whereLike('external_id', 'p-race-%@buyer');
    expect(docs.map((d) => d.status).sort()).toEqual(['accepted', ...Array(19).fill('refused')]);
    const i = answers.findIndex((a) => a.status === 409);
    const again = await postCxml(t.app, xmls[i]!);
    expect(again.text).toBe(answers[i]!.text);
  });

  it('refuses a second "new" for an existing orderID with 409 naming the order', async () => {
    await postCxml(t.app, orderRequestXml({ payloadId: 'p-dup-a@buyer', orderId: 'PO-DUP' }));
    const res = await postCxml(t.app, orderRequestXml({ payloadId: 'p-dup-b@buyer', orderId: 'PO-DUP' }));
    expect(res.status).toBe(409);
    expect(statusOf(res.text).message).toContain('order "PO-DUP" already exists');
    expect(statusOf(res.text).message).toContain('/cXML/Request/OrderRequest/OrderRequestHeader/@orderID');
    expect(await orders('PO-DUP')).toHaveLength(1);
  });

  it('refuses unknown SKUs by default, naming the line numbers and their XPath', async () => {
    const res = await postCxml(
      t.app,
      orderRequestXml({
        payloadId: 'p-unknown@buyer',
        orderId: 'PO-UNK',
        lines: [
          { sku: 'PEN-BLU-12', quantity: '1', price: '4.50' },
          { sku: 'NOPE-1', quantity: '1', price: '1.00' },
        ],
      }),
    );
    expect(res.status).toBe(400);
    expect(validateCxml(res.text).ok).toBe(true);
    const { message } = statusOf(res.text);
    expect(message).toContain('line 2: unknown SKU "NOPE-1"');
    expect(message).toContain('/cXML/Request/OrderRequest/ItemOut[2]/ItemID/SupplierPartID');
    expect(await orders('PO-UNK')).toHaveLength(0);
    const doc = await t.env.db('documents').where({ external_id: 'p-unknown@buyer' }).first();
    expect(doc.status).toBe('refused');
  });

  it('flags a total that does not match the lines, and a price differing from the contract price', async () => {
    const res = await postCxml(
      t.app,
      orderRequestXml({
        payloadId: 'p-flags@buyer',
        orderId: 'PO-FLAGS',
        lines: [{ sku: 'PEN-BLU-12', quantity: '2', price: '4.95' }],
        total: '100.00',
      }),
    );
    expect(res.status).toBe(200);
    expect(statusOf(res.text).message).toContain('price_deviation');
    const [order] = await orders('PO-FLAGS');
    expect(order.flags).toEqual(['price_deviation', 'total_mismatch']);
  });

  it("flags a ship-to address never used on the partner's earlier orders", async () => {
    await postCxml(
      t.app,
      orderRequestXml({ payloadId: 'p-ship@buyer', orderId: 'PO-SHIP', street: '99 Elsewhere Rd' }),
    );
    const [order] = await orders('PO-SHIP');
    expect(order.flags).toEqual(['new_ship_to']);
  });
});

describe('update and delete', () => {
  it('an update makes version 2, keeps version 1 and records the change', async () => {
    await postCxml(t.app, orderRequestXml({ payloadId: 'p-upd-1@buyer', orderId: 'PO-UPD' }));
    const res = await postCxml(
      t.app,
      orderRequestXml({
        payloadId: 'p-upd-2@buyer',
        orderId: 'PO-UPD',
        type: 'update',
        lines: [{ sku: 'PEN-BLU-12', quantity: '60', price: '4.20' }],
      }),
    );
    expect(res.status).toBe(200);
    const [order] = await orders('PO-UPD');
    expect(order).toMatchObject({
      version: 2,
      type: 'update',
      source_payload_id: 'p-upd-2@buyer',
      flags: [],
    });
    const versions = await t.env.db('order_versions').where({ order_id: order.id }).orderBy('version');
    expect(versions.map((v) => [v.version, v.type, v.canonical.lines.length])).toEqual([
      [1, 'new', 2],
      [2, 'update', 1],
    ]);
    const lines = await t.env.db('order_lines').where({ order_id: order.id });
    expect(lines.map((l) => [l.sku, l.quantity])).toEqual([['PEN-BLU-12', '60']]);
    const events = await t.env.db('order_events').where({ order_id: order.id }).orderBy('id');
    expect(events.map((e) => e.event)).toEqual(['create', 'change']);
    expect(events[1].reason).toContain('version 2');
  });

  it('an update of a confirmed order is flagged change_after_confirmation', async () => {
    await postCxml(t.app, orderRequestXml({ payloadId: 'p-cac-1@buyer', orderId: 'PO-CAC' }));
    const [order] = await orders('PO-CAC');
    await confirmOrder(t, order.id);
    await postCxml(t.app, orderRequestXml({ payloadId: 'p-cac-2@buyer', orderId: 'PO-CAC', type: 'update' }));
    const [after] = await orders('PO-CAC');
    expect(after.flags).toEqual(['change_after_confirmation']);
    expect(after.state).toBe('received');
  });

  it('an update for an unknown orderID is refused with 404', async () => {
    const res = await postCxml(
      t.app,
      orderRequestXml({ payloadId: 'p-upd-x@buyer', orderId: 'PO-NONE', type: 'update' }),
    );
    expect(res.status).toBe(404);
    expect(statusOf(res.text).message).toContain('no order "PO-NONE" to update');
  });

  it('a delete cancels the order', async () => {
    await postCxml(t.app, orderRequestXml({ payloadId: 'p-del-1@buyer', orderId: 'PO-DEL' }));
    const res = await postCxml(
      t.app,
      orderRequestXml({ payloadId: 'p-del-2@buyer', orderId: 'PO-DEL', type: 'delete' }),
    );
    expect(res.status).toBe(200);
    const [order] = await orders('PO-DEL');
    expect(order.state).toBe('cancelled');
    const ev = await t.env.db('order_events').where({ order_id: order.id, event: 'cancel' }).first();
    expect(ev).toMatchObject({ actor: 'cxml:acme', from_state: 'received' });
  });

  it('a delete after shipment is refused with the reason, and the order stays shipped', async () => {
    await postCxml(t.app, orderRequestXml({ payloadId: 'p-dsh-1@buyer', orderId: 'PO-DSH' }));
    const [order] = await orders('PO-DSH');
    await confirmOrder(t, order.id);
    await request(t.app)
      .post(`/api/v1/orders/${order.id}/shipments`)
      .set(auth(ADMIN_TOKEN))
      .send({
        carrier: 'UPS',
        trackingNumber: '1Z1',
        shippedAt: '2026-11-24T10:00:00Z',
        lines: [{ lineNumber: 1, quantity: '1' }],
      })
      .expect(201);
    const res = await postCxml(
      t.app,
      orderRequestXml({ payloadId: 'p-dsh-2@buyer', orderId: 'PO-DSH', type: 'delete' }),
    );
    expect(res.status).toBe(409);
    expect(statusOf(res.text).message).toContain(
      'cannot be cancelled: it has shipped (state partially_shipped)',
    );
    const [after] = await orders('PO-DSH');
    expect(after.state).toBe('partially_shipped');
  });
});

describe('punchout cart to order', () => {
  async function cart(lines: { sku: string; quantity: string; price: string }[]): Promise<string[]> {
    const sessionId = randomUUID();
    await t.env.db('punchout_sessions').insert({
      id: sessionId,
      partner_id: 'acme',
      protocol: 'cxml',
      operation: 'create',
      return_url: 'https://buyer.example/return',
      start_token_hash: randomUUID(),
      token_expires_at: new Date(Date.now() + 60000),
      expires_at: new Date(Date.now() + 3600000),
    });
    const ids = lines.map(() => randomUUID());
    await t.env.db('punchout_cart_lines').insert(
      lines.map((l, i) => ({
        id: ids[i],
        session_id: sessionId,
        partner_id: 'acme',
        sku: l.sku,
        quantity: l.quantity,
        unit_price: l.price,
        currency: 'USD',
        position: i,
      })),
    );
    return ids;
  }

  it("an OrderRequest carrying the cart lines' SupplierPartAuxiliaryIDs at the cart prices has no flags", async () => {
    // Cart prices differ from the contract price: the cart the buyer saw wins.
    const ids = await cart([
      { sku: 'PEN-BLU-12', quantity: '3', price: '4.7' },
      { sku: 'GLV-NIT-M', quantity: '10', price: '12.345' },
    ]);
    const res = await postCxml(
      t.app,
      orderRequestXml({
        payloadId: 'p-cart-1@buyer',
        orderId: 'PO-CART-1',
        lines: [
          { sku: 'PEN-BLU-12', quantity: '3', price: '4.70', aux: ids[0] },
          { sku: 'GLV-NIT-M', quantity: '10', price: '12.345', aux: ids[1] },
        ],
        total: '137.55',
      }),
    );
    expect(res.status).toBe(200);
    const [order] = await orders('PO-CART-1');
    expect(order.flags).toEqual([]);
    const lines = await t.env.db('order_lines').where({ order_id: order.id }).orderBy('line_number');
    expect(lines.map((l) => l.supplier_aux_id)).toEqual(ids);
  });

  it("a cart line's id as OCI sends it back (EXT_QUOTE_ID: its 32 hex digits) is matched as well", async () => {
    const ids = await cart([{ sku: 'PEN-BLU-12', quantity: '3', price: '4.7' }]);
    const quoteId = ids[0]!.replace(/-/g, '').toUpperCase();
    const res = await postCxml(
      t.app,
      orderRequestXml({
        payloadId: 'p-cart-oci@buyer',
        orderId: 'PO-CART-OCI',
        lines: [{ sku: 'PEN-BLU-12', quantity: '3', price: '4.70', aux: quoteId }],
        total: '14.10',
      }),
    );
    expect(res.status).toBe(200);
    const [order] = (await orders('PO-CART-OCI')) as { id: string; flags: string[] }[];
    // 4.70 is the cart's price, not the contract's: no price_deviation.
    expect(order!.flags).toEqual([]);
    const lines = await t.env
      .db<{ order_id: string; supplier_aux_id: string }>('order_lines')
      .where({ order_id: order!.id })
      .select('supplier_aux_id');
    expect(lines.map((l) => l.supplier_aux_id)).toEqual([quoteId]);
  });

  it('the same order with a changed unit price is flagged price_deviation', async () => {
    const ids = await cart([{ sku: 'PEN-BLU-12', quantity: '3', price: '4.7' }]);
    const res = await postCxml(
      t.app,
      orderRequestXml({
        payloadId: 'p-cart-2@buyer',
        orderId: 'PO-CART-2',
        lines: [{ sku: 'PEN-BLU-12', quantity: '3', price: '4.50', aux: ids[0] }],
      }),
    );
    expect(res.status).toBe(200);
    const [order] = await orders('PO-CART-2');
    expect(order.flags).toEqual(['price_deviation']);
  });
});
