import request from 'supertest';
import { createApiKey, upsertPartner } from '../../../src/partners/service';
import { statusUpdateJob } from '../../../src/orders/jobs';
import type { StatusUpdatePayload } from '../../../src/orders/lifecycle';
import { outboundFormats, sendStatusUpdate } from '../../../src/orders/outbound';
import { auth, ADMIN_TOKEN } from '../../helpers/env';
import { validateCxml } from '../../helpers/xmllint';
import { examplePartner } from '../../helpers/partners';
import { orderRequestXml, postCxml, setupOrders, type OrdersEnv } from './helpers';

let t: OrdersEnv;
let otherKey: string;
beforeAll(async () => {
  t = await setupOrders({ start: false });
  await upsertPartner(
    t.env.db,
    examplePartner({
      id: 'globex',
      name: 'Globex',
      cxml: {
        credentials: [{ domain: 'NetworkID', identity: 'AN-GLOBEX' }],
        sharedSecret: 'globex-secret-1',
        cartReturn: 'cxml-urlencoded',
        statusUpdates: false,
      },
      x12: { isaQualifier: 'ZZ', isaId: 'GLOBEX', gsId: 'GLOBEX', version: '004010', ta1: false },
      oci: {
        username: 'globex-buyer',
        password: 'globex-password',
        hookUrlAllowlist: ['https://globex.example/'],
      },
    }),
  );
  otherKey = (await createApiKey(t.env.db, 'globex', 'erp')).key;
});
afterAll(async () => {
  await t.env.close();
});

const body = (n: string, price = '4.50') => ({
  buyerOrderNumber: n,
  orderDate: '2026-11-23T09:00:00Z',
  currency: 'USD',
  total: '45.00',
  shipTo: { name: 'Acme HQ', address: { street: ['1 Main St'], city: 'Springfield', countryCode: 'US' } },
  lines: [
    { lineNumber: 1, supplierPartId: 'PEN-BLU-12', quantity: '10', unitOfMeasure: 'BX', unitPrice: price },
  ],
});

const post = (key: string, b: unknown, idem?: string) => {
  const r = request(t.app).post('/api/v1/orders').set(auth(key));
  return (idem ? r.set('Idempotency-Key', idem) : r).send(b as object);
};

describe('JSON order API', () => {
  it('accepts a canonical order with 201, the order id, state and flags', async () => {
    const res = await post(t.erpKey, body('J-1'), 'k-1');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ version: 1, state: 'received', flags: [] });
    const row = await t.env.db('orders').where({ id: res.body.orderId }).first();
    expect(row).toMatchObject({ partner_id: 'acme', source_protocol: 'json', buyer_order_number: 'J-1' });
  });

  it('answers a repeated Idempotency-Key with the first answer and creates nothing', async () => {
    const a = await post(t.erpKey, body('J-2'), 'k-2');
    const b = await post(t.erpKey, body('J-2'), 'k-2');
    expect(b.status).toBe(a.status);
    expect(b.text).toBe(a.text);
    expect(await t.env.db('orders').where({ buyer_order_number: 'J-2' })).toHaveLength(1);
  });

  it('refuses an Idempotency-Key reused with a different body (422)', async () => {
    await post(t.erpKey, body('J-3'), 'k-3').expect(201);
    const res = await post(t.erpKey, body('J-3', '4.40'), 'k-3');
    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain('already used with a different body');
  });

  it('refuses a second new order with the number of an existing one, naming how JSON changes or cancels it', async () => {
    await post(t.erpKey, body('J-DUP'), 'k-dup-a').expect(201);
    const res = await post(t.erpKey, body('J-DUP'), 'k-dup-b').expect(409);
    expect(res.body.error.message).toBe(
      'order "J-DUP" already exists; send "type": "update" to change it or "type": "cancel" to cancel it',
    );
  });

  it('refuses an unknown SKU with the JSON path of the line', async () => {
    const b = body('J-4');
    b.lines[0]!.supplierPartId = 'NOPE';
    const res = await post(t.erpKey, b, 'k-4');
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { message: 'line 1: unknown SKU "NOPE"', path: 'lines.0.supplierPartId' },
    ]);
  });

  it('validates the body against the schema published in the OpenAPI document', async () => {
    const res = await post(t.erpKey, { buyerOrderNumber: 'J-5', currency: 'usd', lines: [] }, 'k-5');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    const doc = await request(t.app).get('/api/v1/openapi.json').expect(200);
    const op = doc.body.paths['/api/v1/orders'].post;
    expect(op.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['buyerOrderNumber', 'currency', 'lines']),
    );
    expect(doc.body.paths['/api/v1/orders/{id}/shipments'].post).toBeDefined();
  });

  it('gives every new order its own supplier order number from the sequence, in the answer and the orders API', async () => {
    const a = await post(t.erpKey, body('J-SO-1'), 'k-so-1').expect(201);
    const b = await post(t.erpKey, body('J-SO-2'), 'k-so-2').expect(201);
    expect(a.body.supplierOrderNumber).toMatch(/^SO-\d{6}$/);
    expect(b.body.supplierOrderNumber).toMatch(/^SO-\d{6}$/);
    expect(Number(b.body.supplierOrderNumber.slice(3))).toBeGreaterThan(
      Number(a.body.supplierOrderNumber.slice(3)),
    );
    const one = await request(t.app).get(`/api/v1/orders/${a.body.orderId}`).set(auth(t.erpKey)).expect(200);
    expect(one.body.supplierOrderNumber).toBe(a.body.supplierOrderNumber);
    const list = await request(t.app)
      .get('/api/v1/orders?buyerOrderNumber=J-SO-2')
      .set(auth(t.erpKey))
      .expect(200);
    expect(list.body.items[0].supplierOrderNumber).toBe(b.body.supplierOrderNumber);
    // A resent copy replays the same number and takes no new one.
    const again = await post(t.erpKey, body('J-SO-1'), 'k-so-1').expect(201);
    expect(again.body.supplierOrderNumber).toBe(a.body.supplierOrderNumber);
  });

  it('needs a partner ERP key to submit', async () => {
    await post(ADMIN_TOKEN, body('J-6'), 'k-6').expect(403);
  });
});

describe('order status', () => {
  it('lists own orders with filters and paging; another partner sees none of them', async () => {
    await postCxml(t.app, orderRequestXml({ payloadId: 'p-list@buyer', orderId: 'C-LIST' }));
    const all = await request(t.app).get('/api/v1/orders?limit=2').set(auth(t.erpKey)).expect(200);
    expect(all.body.items).toHaveLength(2);
    expect(all.body.total).toBeGreaterThanOrEqual(4);
    const one = await request(t.app)
      .get('/api/v1/orders?buyerOrderNumber=C-LIST')
      .set(auth(t.erpKey))
      .expect(200);
    expect(one.body.items.map((o: { buyerOrderNumber: string }) => o.buyerOrderNumber)).toEqual(['C-LIST']);
    const byState = await request(t.app)
      .get('/api/v1/orders?status=cancelled')
      .set(auth(t.erpKey))
      .expect(200);
    expect(byState.body.items).toEqual([]);
    const future = await request(t.app)
      .get('/api/v1/orders?from=2099-01-01T00:00:00Z')
      .set(auth(t.erpKey))
      .expect(200);
    expect(future.body.total).toBe(0);
    const other = await request(t.app).get('/api/v1/orders').set(auth(otherKey)).expect(200);
    expect(other.body.items).toEqual([]);
  });

  it('shows one order with lines, versions, events and documents; 404 for another partner, visible to admin', async () => {
    const { id } = await t.env.db('orders').where({ buyer_order_number: 'C-LIST' }).first('id');
    const res = await request(t.app).get(`/api/v1/orders/${id}`).set(auth(t.erpKey)).expect(200);
    expect(res.body.lines).toHaveLength(2);
    expect(res.body.versions.map((v: { version: number }) => v.version)).toEqual([1]);
    expect(res.body.events[0]).toMatchObject({ event: 'create', to: 'received', actor: 'cxml:acme' });
    expect(res.body.events[0].reason).toContain('OrderRequest p-list@buyer');
    expect(res.body.documents.map((d: { type: string; direction: string }) => [d.type, d.direction])).toEqual(
      [['OrderRequest', 'in']],
    );
    await request(t.app).get(`/api/v1/orders/${id}`).set(auth(otherKey)).expect(404);
    await request(t.app).get(`/api/v1/orders/${id}`).set(auth(ADMIN_TOKEN)).expect(200);
    await request(t.app)
      .post(`/api/v1/orders/${id}/shipments`)
      .set(auth(t.erpKey))
      .send({ shippedAt: '2026-11-24T10:00:00Z', lines: [{ lineNumber: 1, quantity: '1' }] })
      .expect(403);
  });

  it('a manual rejection moves the order to rejected and stores a ConfirmationRequest "reject" with the reason', async () => {
    const created = await post(t.erpKey, body('J-REJ'), 'k-rej').expect(201);
    const res = await request(t.app)
      .post(`/api/v1/orders/${created.body.orderId}/reject`)
      .set(auth(ADMIN_TOKEN))
      .send({ reason: 'credit hold' })
      .expect(200);
    expect(res.body.state).toBe('rejected');
    const doc = await t.env
      .db('documents')
      .where({ order_id: created.body.orderId, doc_type: 'ConfirmationRequest' })
      .first();
    const xml = doc.content.toString('utf8');
    expect(xml).toContain('type="reject"');
    expect(xml).toContain('credit hold');
  });
});

describe('status updates and outbound formats', () => {
  const statusJobs = async (orderId: string) =>
    (await t.env.db('outbox').where({ job_name: statusUpdateJob.name })).filter(
      (r) => (r.payload as StatusUpdatePayload).orderId === orderId,
    );
  const setStatusUpdates = (value: unknown) =>
    t.env
      .db('partners')
      .where({ id: 'acme' })
      .update({
        settings: t.env.db.raw(`jsonb_set(settings, '{cxml,statusUpdates}', ?::jsonb)`, [
          JSON.stringify(value),
        ]),
      });

  it('queues a StatusUpdateRequest only on entering a state the partner asked for', async () => {
    const quiet = (await post(t.erpKey, body('J-SU0'), 'k-su0').expect(201)).body.orderId as string;
    await request(t.app).post(`/api/v1/orders/${quiet}/reject`).set(auth(ADMIN_TOKEN)).send({}).expect(200);
    expect(await statusJobs(quiet)).toEqual([]);

    await setStatusUpdates(['rejected']);
    try {
      const id = (await post(t.erpKey, body('J-SU'), 'k-su').expect(201)).body.orderId as string;
      await request(t.app)
        .post(`/api/v1/orders/${id}/reject`)
        .set(auth(ADMIN_TOKEN))
        .send({ reason: 'out of stock' })
        .expect(200);
      const jobs = await statusJobs(id);
      expect(jobs.map((j) => (j.payload as StatusUpdatePayload).state)).toEqual(['rejected']);
      const payload = jobs[0]!.payload as StatusUpdatePayload;
      const sent = await t.env.db.transaction((trx) => sendStatusUpdate(trx, t.env.ctx, id, payload));
      expect(sent).not.toBeNull();
      // Run again (a retried job): the same transition is not told twice.
      expect(await t.env.db.transaction((trx) => sendStatusUpdate(trx, t.env.ctx, id, payload))).toBeNull();
      const docs = await t.env.db('documents').where({ order_id: id, doc_type: 'StatusUpdateRequest' });
      expect(docs).toHaveLength(1);
      const xml = docs[0].content.toString('utf8');
      expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
      expect(xml).toMatch(
        /<Status code="400" text="Bad Request" xml:lang="en-US">Order J-SU was rejected: out of stock<\/Status>/,
      );
      // A JSON order never had a payloadID: it is named by DocumentInfo, not by an id of ours.
      expect(xml).not.toContain('DocumentReference');
      expect(xml).not.toContain(id);
      expect(xml).toContain(
        '<DocumentInfo documentID="J-SU" documentType="OrderRequest" documentDate="2026-11-23T09:00:00+00:00"/>',
      );
      expect(xml).toContain('<DocumentStatus type="rejected">');
    } finally {
      await setStatusUpdates(false);
    }
  });

  it('sends cXML unless the partner lists other outbound formats', () => {
    expect(outboundFormats({ settings: {} as never })).toEqual(['cxml']);
    expect(outboundFormats({ settings: { outboundFormats: ['x12'] } as never })).toEqual(['x12']);
  });
});

describe('new ship-to check (indexed ship-to key per partner)', () => {
  const order = (n: string, shipTo: object) => ({
    ...body(n),
    total: undefined,
    shipTo,
  });
  const flagsOf = async (n: string, shipTo: object) => {
    const res = await post(otherKey, order(n, shipTo));
    expect(res.status).toBe(201);
    return res.body.flags as string[];
  };
  const globexHq = { street: ['9 Globex Way'], city: 'Cypress Creek', countryCode: 'US' };

  it("compares addresses by value, per partner, and falls back to the buyer's address id", async () => {
    // The partner's first order has nothing to compare with.
    expect(await flagsOf('G-SHIP-1', { name: 'HQ', address: globexHq })).toEqual([]);
    // Same address, written with its keys in another order and another ship-to name: not new.
    expect(
      await flagsOf('G-SHIP-2', {
        name: 'Head office',
        address: { countryCode: 'US', city: 'Cypress Creek', street: ['9 Globex Way'] },
      }),
    ).toEqual([]);
    // Acme has shipped to 1 Main St; for Globex it is new.
    expect(
      await flagsOf('G-SHIP-3', {
        address: { street: ['1 Main St'], city: 'Springfield', countryCode: 'US' },
      }),
    ).toEqual(['new_ship_to']);
    // Another street line makes another address.
    expect(
      await flagsOf('G-SHIP-4', { address: { ...globexHq, street: ['9 Globex Way', 'Dock 2'] } }),
    ).toEqual(['new_ship_to']);
    // A ship-to known only by the buyer's address id.
    expect(await flagsOf('G-SHIP-5', { addressId: 'DOCK-7' })).toEqual(['new_ship_to']);
    expect(await flagsOf('G-SHIP-6', { addressId: 'DOCK-7', name: 'Dock 7' })).toEqual([]);
    // No ship-to at all: nothing to check.
    expect(await flagsOf('G-SHIP-7', {})).toEqual([]);
  });

  it('an update is not compared with its own earlier version', async () => {
    const lonely = { street: ['1 Remote Rd'], city: 'Faraway', countryCode: 'US' };
    expect(await flagsOf('G-SHIP-8', { address: lonely })).toEqual(['new_ship_to']);
    const res = await post(otherKey, { ...order('G-SHIP-8', { address: lonely }), type: 'update' });
    expect(res.status).toBe(200);
    expect(res.body.flags).toEqual(['new_ship_to']);
  });
});

describe('contract prices at intake (price breaks read with the other checks)', () => {
  const priced = (n: string, orderDate: string, quantity: string, unitPrice: string) => ({
    ...body(n),
    total: undefined,
    orderDate,
    lines: [{ lineNumber: 1, supplierPartId: 'PEN-BLU-12', quantity, unitOfMeasure: 'BX', unitPrice }],
  });

  it('takes the quantity break valid on the order date, and the list price outside the contract dates', async () => {
    // 60 boxes reach the 50 break (4.20) of the 2026 contract.
    const brk = await post(t.erpKey, priced('J-PB-1', '2026-06-01T10:00:00Z', '60', '4.20'));
    expect(brk.status).toBe(201);
    expect(brk.body.flags).toEqual([]);
    // 10 boxes at the break price deviate from the 4.50 that applies to them.
    const below = await post(t.erpKey, priced('J-PB-2', '2026-06-01T10:00:00Z', '10', '4.20'));
    expect(below.body.flags).toEqual(['price_deviation']);
    // In 2027 the contract has ended: the catalog's list price applies, not 4.50.
    const expired = await post(t.erpKey, priced('J-PB-3', '2027-02-01T10:00:00Z', '10', '4.50'));
    expect(expired.body.flags).toEqual(['price_deviation']);
    const listPrice = await post(t.erpKey, priced('J-PB-4', '2027-02-01T10:00:00Z', '10', '4.95'));
    expect(listPrice.body.flags).toEqual([]);
  });
});
