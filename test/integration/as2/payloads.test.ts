/**
 * AS2 payloads other than X12 (issue 18 pt 1): a cXML OrderRequest (application/xml, text/xml, or
 * sniffed) goes to the cXML intake for the partner, which creates the order once and answers a
 * resend as POST /cxml does; the MDN (verified by `openssl cms -verify`, its MIC by `openssl dgst`)
 * says receipt and integrity, so an OrderRequest the intake refuses still gets a positive MDN whose
 * text quotes the refusal, while a document no intake can take (unreadable cXML, another partner's
 * credentials, not an OrderRequest, EDIFACT) gets unexpected-processing-error and is stored refused.
 */
import { OpensslLab, type Identity } from '../../unit/as2/openssl';
import { orderRequestXml } from '../orders/helpers';
import { listenApp } from '../../helpers/server';
import { as2Partner, GATEWAY_AS2_ID, putPartner, setupAs2Gateway, type Gateway } from './helpers';
import { header, mdnFields, PartnerStation, type Sent } from './partner-lab';

let lab: OpensslLab;
let gatewayKey: Identity;
let partnerKey: Identity;
let station: PartnerStation;
let gw: Gateway;
let http: Awaited<ReturnType<typeof listenApp>>;

const PARTNER_AS2 = 'CXML AS2';

beforeAll(async () => {
  lab = new OpensslLab();
  gatewayKey = lab.identity('gateway');
  partnerKey = lab.identity('partner');
  station = new PartnerStation(lab, partnerKey, gatewayKey);
  gw = await setupAs2Gateway(gatewayKey);
  const body = {
    ...as2Partner({ id: 'cxml-as2', isaId: 'CXMLAS2', as2Id: PARTNER_AS2, certificates: [partnerKey] }),
    // The buyer of orderRequestXml's Header.
    cxml: {
      credentials: [{ domain: 'NetworkID', identity: 'AN01000000001' }],
      sharedSecret: 'change-me-acme',
    },
  };
  const created = await putPartner(gw.app, body);
  expect(created.body).toMatchObject({ id: 'cxml-as2' });
  const other = await putPartner(gw.app, {
    id: 'other-buyer',
    name: 'Other buyer',
    currency: 'USD',
    cxml: {
      credentials: [{ domain: 'NetworkID', identity: 'AN-OTHER-BUYER' }],
      sharedSecret: 'other-secret',
    },
  });
  expect(other.status).toBe(201);
  http = await listenApp(gw.app);
}, 60000);
afterAll(async () => {
  await http?.close();
  await gw?.env.close();
  lab?.cleanup();
});

let n = 0;
function as2Headers(id: string): [string, string][] {
  return [
    ['AS2-Version', '1.2'],
    ['AS2-From', `"${PARTNER_AS2}"`],
    ['AS2-To', GATEWAY_AS2_ID],
    ['Message-ID', `<${id}@partner.example>`],
    ['Disposition-Notification-To', 'edi@partner.example'],
    [
      'Disposition-Notification-Options',
      'signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-256',
    ],
  ];
}

/** Signs and encrypts `content` as an entity of `contentType`, sends it; the MDN openssl verified. */
async function send(content: string | Buffer, contentType: string) {
  const id = `pl-${++n}`;
  const e = station.entity(Buffer.from(content), 'binary', '\r\n', contentType);
  const res: Sent = await station.send(
    `${http.url}/as2`,
    station.encrypt(station.sign(e, 'sha256', { binary: true }), 'aes-256-cbc'),
    as2Headers(id),
  );
  expect(res.status).toBe(200);
  expect(header(res.headers, 'content-type')).toMatch(/^multipart\/signed/);
  const { report } = station.verifyMdn(res);
  const row = await gw.env
    .db('as2_messages')
    .where({ message_id: `${id}@partner.example` })
    .first();
  return { fields: mdnFields(report), report, row, entity: e };
}

const ordersOf = (po: string) =>
  gw.env.db('orders').where({ partner_id: 'cxml-as2', buyer_order_number: po });
const line = [{ sku: 'PEN-BLU-12', quantity: '3', price: '4.50' }];

describe('cXML over AS2', () => {
  test.each(['application/xml', 'text/xml; charset=utf-8', 'application/octet-stream'])(
    'an OrderRequest as %s becomes the partner’s order, with a positive MDN and the MIC',
    async (type) => {
      const po = `AS2-CX-${n + 1}`;
      const xml = orderRequestXml({ payloadId: `as2-cx-${n + 1}@buyer`, orderId: po, lines: line });
      const { fields, row, entity } = await send(xml, type);
      expect(fields.disposition).toBe('automatic-action/MDN-sent-automatically; processed');
      expect(fields.mic).toBe(`${lab.mic(entity, 'sha256')}, sha-256`);
      const orders = await ordersOf(po);
      expect(orders).toHaveLength(1);
      const doc = await gw.env.db('documents').where({ id: row.document_id }).first();
      expect(doc).toMatchObject({ protocol: 'cxml', doc_type: 'OrderRequest', partner_id: 'cxml-as2' });
      expect(doc.external_id).toBe(`as2-cx-${n}@buyer`);
      expect(row).toMatchObject({ status: 'processed', error: null });
    },
  );

  test('the same OrderRequest under a new Message-ID is answered as the cXML intake does: no second order', async () => {
    const xml = orderRequestXml({ payloadId: 'as2-dup@buyer', orderId: 'AS2-CX-DUP', lines: line });
    const first = await send(xml, 'application/xml');
    const again = await send(xml, 'application/xml');
    expect(again.fields.disposition).toMatch(/; processed$/);
    expect(await ordersOf('AS2-CX-DUP')).toHaveLength(1);
    expect(again.row.document_id).toBe(first.row.document_id);
    expect(await gw.env.db('documents').where({ external_id: 'as2-dup@buyer' })).toHaveLength(1);
  });

  test('an OrderRequest the intake refuses (unknown SKU): a positive MDN quoting the refusal, recorded, no order', async () => {
    const xml = orderRequestXml({
      payloadId: 'as2-unknown@buyer',
      orderId: 'AS2-CX-UNK',
      lines: [{ sku: 'NOPE-1', quantity: '1', price: '1.00' }],
    });
    const { fields, report, row } = await send(xml, 'application/xml');
    expect(fields.disposition).toBe('automatic-action/MDN-sent-automatically; processed');
    expect(fields.mic).toBeDefined();
    expect(report).toContain('the cXML OrderRequest as2-unknown@buyer was refused: 400');
    expect(report).toContain('unknown SKU "NOPE-1"');
    expect(await ordersOf('AS2-CX-UNK')).toHaveLength(0);
    expect(row.status).toBe('processed');
    expect(row.error).toContain('unknown SKU "NOPE-1"');
    const doc = await gw.env.db('documents').where({ id: row.document_id }).first();
    expect(doc).toMatchObject({ status: 'refused', external_id: 'as2-unknown@buyer', response_status: 400 });
  });

  test.each([
    ['unreadable XML', '<cXML payloadID="x"><Header>', /cXML 400/],
    [
      "another partner's credentials",
      orderRequestXml({ payloadId: 'as2-other@buyer', orderId: 'AS2-CX-OTHER', lines: line }).replace(
        /AN01000000001/g,
        'AN-OTHER-BUYER',
      ),
      /AN-OTHER-BUYER is another trading partner's/,
    ],
    [
      'a ProfileRequest (not an OrderRequest)',
      `<?xml version="1.0"?><cXML payloadID="as2-prof@buyer" timestamp="2026-11-23T10:00:00+00:00"><Header><From><Credential domain="NetworkID"><Identity>AN01000000001</Identity></Credential></From><To><Credential domain="NetworkID"><Identity>AN-SUPPLIER-TEST</Identity></Credential></To><Sender><Credential domain="NetworkID"><Identity>AN01000000001</Identity></Credential><UserAgent>t</UserAgent></Sender></Header><Request><ProfileRequest/></Request></cXML>`,
      /ProfileRequest: over AS2 this gateway takes OrderRequest/,
    ],
  ])('%s: unexpected-processing-error, stored refused, no order', async (_name, xml, text) => {
    const before = Number((await gw.env.db('orders').count<{ c: string }[]>('* as c'))[0]!.c);
    const { fields, report, row } = await send(xml, 'application/xml');
    expect(fields.disposition).toBe(
      'automatic-action/MDN-sent-automatically; processed/error: unexpected-processing-error',
    );
    expect(fields.mic).toBeUndefined();
    expect(report).toMatch(text);
    expect(row.status).toBe('refused');
    const doc = await gw.env.db('documents').where({ id: row.document_id }).first();
    expect(doc).toMatchObject({ protocol: 'cxml', status: 'refused', partner_id: 'cxml-as2' });
    expect(doc.error).toMatch(text);
    expect(Number((await gw.env.db('orders').count<{ c: string }[]>('* as c'))[0]!.c)).toBe(before);
  });
});

describe('EDIFACT over AS2: no intake, a clear refusal', () => {
  const edifact =
    "UNA:+.? 'UNB+UNOC:3+BUYER:14+SUPPLIER:14+261120:1200+1'UNH+1+ORDERS:D:96A:UN'BGM+220+PO-EDI+9'UNT+3+1'UNZ+1+1'";
  test.each(['application/EDIFACT', 'application/octet-stream'])(
    'an interchange as %s: unexpected-processing-error naming EDIFACT, stored refused',
    async (type) => {
      const { fields, report, row } = await send(edifact, type);
      expect(fields.disposition).toBe(
        'automatic-action/MDN-sent-automatically; processed/error: unexpected-processing-error',
      );
      expect(report).toContain('this gateway has no EDIFACT intake');
      expect(row).toMatchObject({ status: 'refused', partner_id: 'cxml-as2' });
      expect(row.error).toContain('EDIFACT');
      const doc = await gw.env.db('documents').where({ id: row.document_id }).first();
      expect(doc).toMatchObject({ protocol: 'as2', doc_type: 'EDIFACT', status: 'refused', direction: 'in' });
      expect(Buffer.from(doc.content).toString('latin1')).toBe(edifact);
    },
  );
});
