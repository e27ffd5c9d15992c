/**
 * A bill-to that names its country but gives no ISO code (issue 16): cXML's Country needs
 * isoCountryCode, so invoicing such an order answered 500. Intake now derives the code from a country
 * name it knows and refuses, in the channel's own error, a name it cannot give a code for; invoicing
 * an order stored before derives it too, or refuses with 422 naming what the address lacks.
 */
import request from 'supertest';
import { parseInvoiceDetailRequest } from '../../../protocols/cxml';
import { ADMIN_TOKEN, auth } from '../../helpers/env';
import { insertConfirmedOrder } from '../../helpers/orders';
import { validateCxml } from '../../helpers/xmllint';
import {
  confirmOrder,
  orderRequestXml,
  postCxml,
  setupOrders,
  statusOf,
  type OrdersEnv,
} from '../orders/helpers';
import { startBuyer } from './buyer';

let t: OrdersEnv;
let buyer: Awaited<ReturnType<typeof startBuyer>>;
beforeAll(async () => {
  buyer = await startBuyer();
  t = await setupOrders({ start: true, cxml: { outboundUrl: buyer.url } });
});
afterAll(async () => {
  await t?.env.close();
  await buyer?.close();
});

const billTo = (country: Record<string, string>) => ({
  name: 'Acme Accounts Payable',
  address: { street: ['Hauptstrasse 1'], city: 'Berlin', postalCode: '10115', ...country },
});
const jsonOrder = (n: string, country: Record<string, string>) => ({
  buyerOrderNumber: n,
  orderDate: '2026-11-23T09:00:00Z',
  currency: 'USD',
  total: '45.00',
  billTo: billTo(country),
  lines: [
    { lineNumber: 1, supplierPartId: 'PEN-BLU-12', quantity: '10', unitOfMeasure: 'BX', unitPrice: '4.50' },
  ],
});
const invoice = (orderId: string) =>
  request(t.app).post(`/api/v1/orders/${orderId}/invoices`).set(auth(ADMIN_TOKEN)).send({});
const invoiceXml = async (invoiceId: string): Promise<string> => {
  const doc = await t.env
    .db('documents')
    .where({ invoice_id: invoiceId, doc_type: 'InvoiceDetailRequest' })
    .first();
  return (doc.content as Buffer).toString('utf8');
};

it('invoices a JSON order whose bill-to gave only the country name: the code was derived at intake', async () => {
  const res = await request(t.app)
    .post('/api/v1/orders')
    .set(auth(t.erpKey))
    .send(jsonOrder('CTRY-1', { countryName: 'Germany' }));
  expect(res.status).toBe(201);
  const stored = await t.env.db('orders').where({ id: res.body.orderId }).first('canonical');
  expect(stored.canonical.billTo.address).toMatchObject({ countryCode: 'DE', countryName: 'Germany' });
  await confirmOrder(t, res.body.orderId);
  const inv = await invoice(res.body.orderId);
  expect(inv.status).toBe(201);
  const xml = await invoiceXml(inv.body.invoice.id);
  expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
  expect(xml).toContain('<Country isoCountryCode="DE">Germany</Country>');
  expect(parseInvoiceDetailRequest(xml).invoice.billTo?.address?.countryCode).toBe('DE');
});

it('refuses at intake a country name no ISO code is known for, naming the field, and stores no order', async () => {
  const res = await request(t.app)
    .post('/api/v1/orders')
    .set(auth(t.erpKey))
    .send(jsonOrder('CTRY-2', { countryName: 'Narnia' }));
  expect(res.status).toBe(400);
  expect(res.body.error.message).toContain('billTo: "Narnia" is not a country name known here');
  expect(JSON.stringify(res.body.error)).toContain('billTo.address.countryCode');
  expect(await t.env.db('orders').where({ buyer_order_number: 'CTRY-2' })).toHaveLength(0);
});

it('reads a cXML Country without isoCountryCode by its name, and refuses an unknown one with the XPath', async () => {
  const named = orderRequestXml({ payloadId: 'ctry-3@buyer', orderId: 'CTRY-3' }).replace(
    '<Country isoCountryCode="US">United States</Country>',
    '<Country isoCountryCode="">Deutschland</Country>',
  );
  const ok = await postCxml(t.app, named);
  expect(statusOf(ok.text).code).toBe(200);
  const row = await t.env.db('orders').where({ buyer_order_number: 'CTRY-3' }).first('canonical');
  expect(row.canonical.shipTo.address.countryCode).toBe('DE');

  const unknown = orderRequestXml({ payloadId: 'ctry-4@buyer', orderId: 'CTRY-4' }).replace(
    '<Country isoCountryCode="US">United States</Country>',
    '<Country>Atlantis</Country>',
  );
  const refused = await postCxml(t.app, unknown);
  expect(statusOf(refused.text)).toEqual({
    code: 400,
    message: expect.stringContaining('shipTo: "Atlantis" is not a country name known here'),
  });
  expect(refused.text).toContain(
    '/cXML/Request/OrderRequest/OrderRequestHeader/ShipTo/Address/PostalAddress/Country/@isoCountryCode',
  );
  expect(await t.env.db('orders').where({ buyer_order_number: 'CTRY-4' })).toHaveLength(0);
});

describe('orders stored before intake derived the code', () => {
  async function storedWith(country: Record<string, string>) {
    const order = await insertConfirmedOrder(t.env.db, {
      partnerId: 'acme',
      lines: [{ quantity: '1', unitPrice: '5' }],
    });
    await t.env
      .db('orders')
      .where({ id: order.id })
      .update({
        canonical: t.env.db.raw(`jsonb_set(canonical, '{billTo}', ?::jsonb)`, [
          JSON.stringify(billTo(country)),
        ]),
      });
    return order;
  }

  it('are invoiced with the code of the name', async () => {
    const order = await storedWith({ countryName: 'France' });
    const inv = await invoice(order.id);
    expect(inv.status).toBe(201);
    const xml = await invoiceXml(inv.body.invoice.id);
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(xml).toContain('<Country isoCountryCode="FR">France</Country>');
  });

  it('are refused with 422 naming what the bill-to lacks when the name has no code, and nothing is invoiced', async () => {
    const order = await storedWith({ countryName: 'Narnia' });
    const inv = await invoice(order.id);
    expect(inv.status).toBe(422);
    expect(inv.body.error.message).toBe(
      `order ${order.buyerOrderNumber}: its bill-to address lacks an ISO 3166-1 code for "Narnia", which the cXML invoice's PostalAddress requires`,
    );
    expect(await t.env.db('invoices').where({ order_id: order.id })).toHaveLength(0);
    const row = await t.env.db('orders').where({ id: order.id }).first('state');
    expect(row.state).toBe('confirmed');
  });
});
