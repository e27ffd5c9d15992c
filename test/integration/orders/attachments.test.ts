/**
 * An OrderRequest with attachments as Ariba sends it (multipart/related, cXML attachment spec): the
 * files are stored with the document, listed on the order and downloadable by the partner's ERP key
 * and the admin; a cid: reference to a missing part is refused and stores nothing.
 */
import request from 'supertest';
import { createApiKey, upsertPartner } from '../../../src/partners/service';
import { ADMIN_TOKEN, auth } from '../../helpers/env';
import { examplePartner } from '../../helpers/partners';
import { headerXml, setupOrders, statusOf, type OrdersEnv } from './helpers';

let t: OrdersEnv;
let financeKey: string;
let otherErpKey: string;
beforeAll(async () => {
  t = await setupOrders({ start: false });
  financeKey = (await createApiKey(t.env.db, 'acme', 'finance')).key;
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
      oci: undefined,
      x12: undefined,
    }),
  );
  otherErpKey = (await createApiKey(t.env.db, 'globex', 'erp')).key;
});
afterAll(async () => {
  await t.env.close();
});

const BOUNDARY = '----=_Part_4711_1893337623.1733137200000';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n', 'latin1');
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
]);

function orderXml(payloadId: string, orderId: string, refs: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">
<cXML payloadID="${payloadId}" timestamp="2026-11-23T10:00:00-08:00" xml:lang="en-US">
  ${headerXml()}
  <Request deploymentMode="production">
    <OrderRequest>
      <OrderRequestHeader orderID="${orderId}" orderDate="2026-11-23T09:00:00-08:00" type="new">
        <Total><Money currency="USD">45.00</Money></Total>
        <Comments xml:lang="en-US">Print as in the attached drawing${refs
          .map((r) => `<Attachment><URL>${r}</URL></Attachment>`)
          .join('')}</Comments>
      </OrderRequestHeader>
      <ItemOut quantity="10" lineNumber="1">
        <ItemID><SupplierPartID>PEN-BLU-12</SupplierPartID></ItemID>
        <ItemDetail><UnitPrice><Money currency="USD">4.50</Money></UnitPrice><Description xml:lang="en">Pens</Description><UnitOfMeasure>BX</UnitOfMeasure></ItemDetail>
      </ItemOut>
    </OrderRequest>
  </Request>
</cXML>`;
}

/** The MIME body: the cXML document first, then a base64 PDF and a binary PNG. */
function multipart(xml: string): Buffer {
  const part = (headers: string[], content: Buffer) =>
    Buffer.concat([
      Buffer.from(`--${BOUNDARY}\r\n${headers.join('\r\n')}\r\n\r\n`),
      content,
      Buffer.from('\r\n'),
    ]);
  return Buffer.concat([
    part(
      ['Content-Type: text/xml; charset=UTF-8', 'Content-ID: <payload.1733137200@buyer.example>'],
      Buffer.from(xml),
    ),
    part(
      [
        'Content-Type: application/pdf',
        'Content-Transfer-Encoding: base64',
        'Content-ID: <spec.pdf@buyer.example>',
        'Content-Disposition: attachment; filename="spec.pdf"',
      ],
      Buffer.from(PDF.toString('base64').replace(/(.{76})/g, '$1\r\n')),
    ),
    part(
      [
        'Content-Type: image/png',
        'Content-Transfer-Encoding: binary',
        'Content-ID: <drawing.png@buyer.example>',
        'Content-Disposition: attachment; filename="drawing.png"',
      ],
      PNG,
    ),
    Buffer.from(`--${BOUNDARY}--\r\n`),
  ]);
}

const CONTENT_TYPE = `multipart/related; boundary="${BOUNDARY}"; type="text/xml"; start="<payload.1733137200@buyer.example>"`;
const REFS = ['cid:spec.pdf@buyer.example', 'cid:drawing.png@buyer.example'];

const post = (b: Buffer) => request(t.app).post('/cxml').set('Content-Type', CONTENT_TYPE).send(b);

describe('OrderRequest with attachments (multipart/related)', () => {
  it('stores both attachments with the document, lists them on the order and lets the right roles download them', async () => {
    const res = await post(multipart(orderXml('att-1@buyer.example', 'PO-ATT-1', REFS)));
    expect(statusOf(res.text).code).toBe(200);
    const order = await t.env.db('orders').where({ buyer_order_number: 'PO-ATT-1' }).first();
    expect(order).toBeDefined();

    // The document stored is the cXML part itself; the files sit beside it.
    const doc = await t.env.db('documents').where({ order_id: order.id, direction: 'in' }).first();
    expect(doc.content.toString('utf8')).toContain('<OrderRequestHeader orderID="PO-ATT-1"');
    expect(doc.content.toString('utf8')).not.toContain(BOUNDARY);

    const view = await request(t.app).get(`/api/v1/orders/${order.id}`).set(auth(ADMIN_TOKEN)).expect(200);
    expect(view.body.attachments).toEqual([
      expect.objectContaining({
        documentId: doc.id,
        contentId: 'spec.pdf@buyer.example',
        contentType: 'application/pdf',
        filename: 'spec.pdf',
        size: PDF.length,
      }),
      expect.objectContaining({
        documentId: doc.id,
        contentId: 'drawing.png@buyer.example',
        contentType: 'image/png',
        filename: 'drawing.png',
        size: PNG.length,
      }),
    ]);

    const bytes = (r: request.Test) =>
      r.buffer(true).parse((res2, cb) => {
        const chunks: Buffer[] = [];
        res2.on('data', (c: Buffer) => chunks.push(c));
        res2.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    const [pdf, png] = view.body.attachments as { href: string }[];
    const asErp = await bytes(request(t.app).get(pdf!.href).set(auth(t.erpKey)));
    expect(asErp.status).toBe(200);
    expect(asErp.headers['content-type']).toMatch(/^application\/pdf/);
    expect(asErp.headers['content-disposition']).toContain('attachment; filename="spec.pdf"');
    expect((asErp.body as Buffer).equals(PDF)).toBe(true);
    const asAdmin = await bytes(request(t.app).get(png!.href).set(auth(ADMIN_TOKEN)));
    expect((asAdmin.body as Buffer).equals(PNG)).toBe(true);
    // The finance role reads invoices, not the buyer's files; another partner does not see the order.
    expect((await request(t.app).get(png!.href).set(auth(financeKey))).status).toBe(403);
    expect((await request(t.app).get(png!.href).set(auth(otherErpKey))).status).toBe(404);
  });

  it('answers a resent multipart OrderRequest with the first answer and stores no second copy of the files', async () => {
    const first = await post(multipart(orderXml('att-2@buyer.example', 'PO-ATT-2', REFS)));
    const again = await post(multipart(orderXml('att-2@buyer.example', 'PO-ATT-2', REFS)));
    expect(again.text).toBe(first.text);
    const order = await t.env.db('orders').where({ buyer_order_number: 'PO-ATT-2' }).first();
    const files = await t.env
      .db('document_attachments as a')
      .join('documents as d', 'd.id', 'a.document_id')
      .where('d.order_id', order.id);
    expect(files).toHaveLength(2);
  });

  it('refuses a cid: reference to a part that did not come, creating no order and storing no file', async () => {
    const before = Number((await t.env.db('document_attachments').count({ c: '*' }))[0]!.c);
    const res = await post(
      multipart(orderXml('att-3@buyer.example', 'PO-ATT-3', [...REFS, 'cid:terms.pdf@buyer.example'])),
    );
    expect(statusOf(res.text)).toEqual({
      code: 400,
      message: expect.stringContaining('cid:terms.pdf@buyer.example names no part'),
    });
    expect(await t.env.db('orders').where({ buyer_order_number: 'PO-ATT-3' }).first()).toBeUndefined();
    expect(Number((await t.env.db('document_attachments').count({ c: '*' }))[0]!.c)).toBe(before);
    const refused = await t.env
      .db('documents')
      .where({ status: 'refused', doc_type: 'OrderRequest' })
      .orderBy('created_at', 'desc')
      .first();
    expect(refused.content_type).toMatch(/^multipart\/related/);
  });

  it('refuses a broken multipart body before anything is parsed, with a cXML 400', async () => {
    const res = await request(t.app)
      .post('/cxml')
      .set('Content-Type', 'multipart/related; boundary=nowhere')
      .send(Buffer.from('no parts here'));
    expect(statusOf(res.text)).toEqual({ code: 400, message: expect.stringContaining('boundary not found') });
  });
});
