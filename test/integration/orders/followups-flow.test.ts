/**
 * Issue 13 acceptance: a buyer in test mode (deploymentMode "test") orders at 18:41 -08:00, and every
 * answer and follow-up it gets — PunchOutOrderMessage, ConfirmationRequest, ShipNoticeRequest,
 * InvoiceDetailRequest (invoice and credit memo), StatusUpdateRequest, and the X12 855, 856 and 810 of
 * a partner taking both formats — carries its mode, its own order date, dates with a time zone in one
 * form, one UserAgent and money with the currency's scale. An order that came as X12 is referenced
 * without a payloadID of ours. Real Postgres, Redis, BullMQ workers and HTTP; the buyer's endpoints
 * are local servers.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import request from 'supertest';
import { parseCxml } from '../../../protocols/cxml';
import { parseX12, type X12Document } from '../../../protocols/x12';
import { createApp } from '../../../src/app';
import { ADMIN_TOKEN, auth, createTestEnv, waitFor, type TestEnv } from '../../helpers/env';
import { examplePartner, seedPartner } from '../../helpers/partners';
import { validateCxml } from '../../helpers/xmllint';
import { seedShop } from '../punchout/helpers';
import { BUYER, SECRET, headerXml } from './helpers';

let env: TestEnv;
let app: Express;
let server: Server;
let initechKey: string;
const admin = auth(ADMIN_TOKEN);
/** Everything each buyer endpoint received, by path. */
const received = new Map<string, string[]>();
const at = (path: string): string[] => received.get(path) ?? [];

/** The buyer's order date: 18:41 local time in UTC-8 is already the next day in UTC. */
const ORDER_DATE = '2026-11-20T18:41:29-08:00';
const PO_DATE_X12 = '20261120';

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const list = received.get(req.url ?? '') ?? [];
      list.push(Buffer.concat(chunks).toString('utf8'));
      received.set(req.url ?? '', list);
      if (req.url?.endsWith('-cxml')) {
        res.writeHead(200, { 'Content-Type': 'text/xml' });
        res.end(
          '<?xml version="1.0"?><cXML payloadID="r@buyer" timestamp="2026-11-23T10:00:00+00:00"><Response><Status code="200" text="OK"/></Response></cXML>',
        );
      } else res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  env = await createTestEnv({ redis: true });
  app = createApp(env.ctx);
  const example = examplePartner();
  await seedShop(env.db, {
    cxml: {
      credentials: [BUYER],
      sharedSecret: SECRET,
      outboundUrl: `${base}/acme-cxml`,
      cartReturn: 'cxml-urlencoded',
      statusUpdates: true,
    },
    x12: { ...example.x12!, outboundUrl: `${base}/acme-x12` },
    outboundFormats: ['cxml', 'x12'],
    invoicing: {
      requireShipped: false,
      taxMode: 'line',
      taxRate: '8.25',
      taxRates: [{ rate: '8.25', category: 'sales', description: 'Texas sales tax' }],
      paymentTermsDays: 30,
    },
  });
  ({ erpKey: initechKey } = await seedPartner(env.db, {
    id: 'initech',
    name: 'Initech',
    outboundFormats: ['cxml', 'x12'],
    cxml: {
      credentials: [{ domain: 'NetworkID', identity: 'AN-INITECH' }],
      sharedSecret: 'initech-secret-1',
      outboundUrl: `${base}/initech-cxml`,
      cartReturn: 'cxml-urlencoded',
      statusUpdates: ['confirmed'],
    },
    oci: undefined,
    x12: {
      isaQualifier: 'ZZ',
      isaId: 'INITECH',
      gsId: 'INITECH',
      version: '004010',
      ta1: false,
      outboundUrl: `${base}/initech-x12`,
    },
  }));
});
afterAll(async () => {
  await env?.close();
  await new Promise((resolve) => server.close(resolve));
});

const postCxml = (xml: string) => request(app).post('/cxml').set('Content-Type', 'text/xml').send(xml);

function unescapeField(html: string, field: string): string {
  const m = new RegExp(`name="${field}" value="([^"]*)"`).exec(html);
  if (!m) throw new Error(`no ${field} field`);
  return m[1]!
    .replace(/&#10;/g, '\n')
    .replace(/&#13;/g, '\r')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function setupRequest(payloadId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd">
<cXML payloadID="${payloadId}" timestamp="2026-11-20T18:30:00-08:00" xml:lang="en-US">
${headerXml()}
<Request deploymentMode="test"><PunchOutSetupRequest operation="create"><BuyerCookie>test-cookie</BuyerCookie>
<BrowserFormPost><URL>https://buyer.example/return</URL></BrowserFormPost>
<SupplierSetup><URL>https://supplier.example/cxml</URL></SupplierSetup>
</PunchOutSetupRequest></Request></cXML>`;
}

function orderRequest(o: { payloadId: string; orderId: string; lines: string; total: string }): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd">
<cXML payloadID="${o.payloadId}" timestamp="2026-11-20T18:41:30-08:00" xml:lang="en-US">
  ${headerXml()}
  <Request deploymentMode="test">
    <OrderRequest>
      <OrderRequestHeader orderID="${o.orderId}" orderDate="${ORDER_DATE}" type="new">
        <Total><Money currency="USD">${o.total}</Money></Total>
        <ShipTo><Address addressID="HQ"><Name xml:lang="en">Acme HQ</Name><PostalAddress><Street>1 Main St</Street><City>Springfield</City><PostalCode>62701</PostalCode><Country isoCountryCode="US">United States</Country></PostalAddress></Address></ShipTo>
      </OrderRequestHeader>
      ${o.lines}
    </OrderRequest>
  </Request>
</cXML>`;
}

const itemOut = (n: number, sku: string, qty: string, price: string, aux?: string) =>
  `<ItemOut quantity="${qty}" lineNumber="${n}"><ItemID><SupplierPartID>${sku}</SupplierPartID>${
    aux ? `<SupplierPartAuxiliaryID>${aux}</SupplierPartAuxiliaryID>` : ''
  }</ItemID><ItemDetail><UnitPrice><Money currency="USD">${price}</Money></UnitPrice><Description xml:lang="en">${sku}</Description><UnitOfMeasure>EA</UnitOfMeasure></ItemDetail></ItemOut>`;

/** The cXML documents received at `path` whose request is `type`, waiting for `count` of them. */
async function cxmlAt(path: string, type: string, count = 1): Promise<string[]> {
  return waitFor(
    () => {
      const docs = at(path).filter((b) => new RegExp(`<${type}[ >]`).test(b));
      return docs.length >= count ? docs : undefined;
    },
    20000,
    `${count} ${type} at ${path}`,
  );
}

/** The X12 interchanges received at `path` holding a set `id`, waiting for `count` of them. */
async function x12At(path: string, id: string, count = 1): Promise<X12Document[]> {
  return waitFor(
    () => {
      const docs = at(path)
        .map((b) => parseX12(b))
        .filter((d) => d.transactionSets[0]?.id === id);
      return docs.length >= count ? docs : undefined;
    },
    20000,
    `${count} ${id} at ${path}`,
  );
}

const DATETIME_ATTRS =
  /\s(timestamp|noticeDate|orderDate|invoiceDate|shipmentDate|deliveryDate|documentDate)="([^"]*)"/g;

/** What every cXML document we send must hold, whatever it is. */
function expectBuyerReady(xml: string, mode: 'test' | 'production'): void {
  expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
  const doc = parseCxml(xml);
  expect(doc.deploymentMode).toBe(mode);
  expect(doc.header?.userAgent).toBe('procurement-gateway');
  for (const [, name, value] of xml.matchAll(DATETIME_ATTRS)) {
    // Time zone required (datetime.tz), one form: ±hh:mm, never Z, never a date alone.
    expect(`${name}=${value}`).toMatch(/=\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$/);
  }
  for (const [, amount] of xml.matchAll(/<Money currency="USD">([^<]*)<\/Money>/g)) {
    expect(amount).toMatch(/^-?\d+\.\d{2,4}$/);
  }
  // The buyer's own order date as it wrote it, wherever the order is named.
  for (const [, value] of xml.matchAll(/orderDate="([^"]*)"/g)) expect(value).toBe(ORDER_DATE);
}

function expectTestInterchange(doc: X12Document): void {
  expect(doc.errors).toEqual([]);
  expect(doc.interchanges[0]?.header.usage).toBe('T');
}

describe('follow-ups of a buyer in test mode ordering at 18:41 -08:00', () => {
  it('echo its deploymentMode, order date and money in every cXML and X12 follow-up', async () => {
    // Punchout in test mode: the cart comes back as a test PunchOutOrderMessage.
    const setup = await postCxml(setupRequest('setup-1@buyer.example')).expect(200);
    const startUrl = new URL(/<URL>([^<]+)<\/URL>/.exec(setup.text)![1]!).pathname;
    const shop = (await request(app).get(startUrl).expect(303)).headers.location as string;
    const cartPage = await request(app).get(`${shop}cart`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(cartPage.text)![1];
    await request(app)
      .post(`${shop}cart/add`)
      .type('form')
      .send({ csrf, sku: 'PEN-BLU-12', quantity: '3' })
      .expect(303);
    const done = await request(app).post(`${shop}transfer`).type('form').send({ csrf }).expect(200);
    const message = unescapeField(done.text, 'cxml-urlencoded');
    expectBuyerReady(message, 'test');
    expect(message).toMatch(/<UnitPrice>\s*<Money currency="USD">4\.50<\/Money>/); // stored 4.5000
    const aux = /<SupplierPartAuxiliaryID>([^<]+)</.exec(message)![1];

    // The OrderRequest in test mode: auto-approved and confirmed.
    const placed = await postCxml(
      orderRequest({
        payloadId: 'po-test-1@buyer.example',
        orderId: 'PO-TEST-1',
        total: '272.50',
        lines: itemOut(1, 'PEN-BLU-12', '3', '4.50', aux) + itemOut(2, 'CHR-ERG-01', '1', '259'),
      }),
    );
    expect(placed.status).toBe(200);
    const order = await waitFor(
      async () => env.db('orders').where({ buyer_order_number: 'PO-TEST-1', state: 'confirmed' }).first(),
      20000,
      'PO-TEST-1 confirmed',
    );
    expect(order.deployment_mode).toBe('test');

    const [confirmation] = await cxmlAt('/acme-cxml', 'ConfirmationRequest');
    expectBuyerReady(confirmation!, 'test');
    expect(confirmation).toContain(`<OrderReference orderID="PO-TEST-1" orderDate="${ORDER_DATE}">`);
    expect(confirmation).toContain('<DocumentReference payloadID="po-test-1@buyer.example"/>');
    expect(confirmation).toContain(`confirmID="${order.supplier_order_number}"`);
    const [ack855] = await x12At('/acme-x12', '855');
    expectTestInterchange(ack855!);
    const bak = ack855!.transactionSets[0]!.segments.find((s) => s.id === 'BAK')!;
    expect([bak.text(2), bak.text(3), bak.text(4), bak.text(8)]).toEqual([
      'AD',
      'PO-TEST-1',
      PO_DATE_X12,
      order.supplier_order_number,
    ]);
    const po1 = ack855!.transactionSets[0]!.segments.filter((s) => s.id === 'PO1').map((s) => s.text(4));
    expect(po1).toEqual(['4.50', '259.00']);

    // Shipped with a SCAC and the carrier's name.
    const shipped = await request(app)
      .post(`/api/v1/orders/${order.id}/shipments`)
      .set(admin)
      .send({
        carrier: 'UPSN',
        carrierName: 'United Parcel Service',
        trackingNumber: '1Z999AA10123456784',
        shippedAt: '2026-11-23T15:00:00Z',
        expectedDeliveryAt: '2026-11-25T17:00:00Z',
        lines: [
          { lineNumber: 1, quantity: '3' },
          { lineNumber: 2, quantity: '1' },
        ],
      });
    expect(shipped.status).toBe(201);
    const [notice] = await cxmlAt('/acme-cxml', 'ShipNoticeRequest');
    expectBuyerReady(notice!, 'test');
    expect(notice).toContain('<CarrierIdentifier domain="SCAC">UPSN</CarrierIdentifier>');
    expect(notice).toContain(
      '<CarrierIdentifier domain="companyName">United Parcel Service</CarrierIdentifier>',
    );
    expect(notice).toContain('shipmentDate="2026-11-23T15:00:00+00:00"');
    const [asn] = await x12At('/acme-x12', '856');
    expectTestInterchange(asn!);
    expect(asn!.transactionSets[0]!.segments.find((s) => s.id === 'PRF')?.text(4)).toBe(PO_DATE_X12);

    // Invoiced, then credited for the pens.
    const billed = await request(app).post(`/api/v1/orders/${order.id}/invoices`).set(admin).send({});
    expect(billed.status).toBe(201);
    const invoice = billed.body.invoice;
    expect(
      invoice.lines.map((l: { unitPrice: string; subtotal: string }) => [l.unitPrice, l.subtotal]),
    ).toEqual([
      ['4.50', '13.50'],
      ['259.00', '259.00'],
    ]);
    expect([invoice.subtotal, invoice.taxTotal, invoice.total]).toEqual(['272.50', '22.48', '294.98']);
    const [invoiceXml] = await cxmlAt('/acme-cxml', 'InvoiceDetailRequest');
    expectBuyerReady(invoiceXml!, 'test');
    expect(invoiceXml).toContain('purpose="standard"');
    // The supplier's order number, where invoices name the order.
    expect(invoice.supplierOrderNumber).toBe(order.supplier_order_number);
    expect(invoiceXml).toContain(`<SupplierOrderInfo orderID="${order.supplier_order_number}"/>`);
    expect(invoiceXml).toMatch(/invoiceDate="\d{4}-\d{2}-\d{2}T00:00:00\+00:00"/);
    expect(invoiceXml).toContain('<TaxDetail purpose="tax" category="sales" percentageRate="8.25">');
    expect(invoiceXml).toContain('<Description xml:lang="en">Texas sales tax</Description>');
    expect(invoiceXml).not.toContain('<Description xml:lang="en"/>');
    const [inv810] = await x12At('/acme-x12', '810');
    expectTestInterchange(inv810!);
    const segs810 = inv810!.transactionSets[0]!.segments;
    expect(segs810.find((s) => s.id === 'BIG')?.text(3)).toBe(PO_DATE_X12);
    expect(segs810.filter((s) => s.id === 'IT1').map((s) => s.text(4))).toEqual(['4.50', '259.00']);
    expect(segs810.filter((s) => s.id === 'TXI').map((s) => [s.text(1), s.text(2)])).toEqual([
      ['ST', '1.11'],
      ['ST', '21.37'],
    ]);

    const credited = await request(app)
      .post(`/api/v1/invoices/${invoice.id}/credit-memos`)
      .set(admin)
      .send({ lines: [{ lineNumber: 1, quantity: '1' }], reason: 'one box damaged' });
    expect(credited.status).toBe(201);
    const [, memo] = await cxmlAt('/acme-cxml', 'InvoiceDetailRequest', 2);
    expectBuyerReady(memo!, 'test');
    expect(memo).toContain('purpose="lineLevelCreditMemo"');
    expect(memo).not.toContain('isHeaderInvoice');
    expect(memo).toMatch(/<DueAmount>\s*<Money currency="USD">-4\.87<\/Money>/);
    const [, memo810] = await x12At('/acme-x12', '810', 2);
    expectTestInterchange(memo810!);

    // Status updates for the states the partner asked for by default: confirmed and shipped.
    const updates = await cxmlAt('/acme-cxml', 'StatusUpdateRequest', 2);
    for (const u of updates) expectBuyerReady(u, 'test');
    expect(updates.map((u) => /<DocumentStatus type="([^"]+)"/.exec(u)?.[1])).toEqual([
      'accepted',
      'shipped',
    ]);
    expect(updates[0]).toContain('<DocumentReference payloadID="po-test-1@buyer.example"/>');
    expect(updates[0]).toContain('Order PO-TEST-1 was accepted for processing');

    // A second order, above the auto-approval limit, rejected by hand: told as rejected.
    await postCxml(
      orderRequest({
        payloadId: 'po-test-2@buyer.example',
        orderId: 'PO-TEST-2',
        total: '5180.00',
        lines: itemOut(1, 'CHR-ERG-01', '20', '259.00'),
      }),
    ).expect(200);
    const big = await waitFor(
      async () =>
        env.db('orders').where({ buyer_order_number: 'PO-TEST-2', state: 'pending_approval' }).first(),
      20000,
      'PO-TEST-2 waiting for approval',
    );
    await request(app)
      .post(`/api/v1/orders/${big.id}/reject`)
      .set(admin)
      .send({ reason: 'credit limit reached' })
      .expect(200);
    const [, rejection] = await cxmlAt('/acme-cxml', 'ConfirmationRequest', 2);
    expectBuyerReady(rejection!, 'test');
    expect(rejection).toContain('type="reject"');
    const [, , told] = await cxmlAt('/acme-cxml', 'StatusUpdateRequest', 3);
    expectBuyerReady(told!, 'test');
    expect(told).toMatch(
      /<Status code="400" text="Bad Request" xml:lang="en-US">Order PO-TEST-2 was rejected: credit limit reached<\/Status>/,
    );
    const [, rj855] = await x12At('/acme-x12', '855', 2);
    expectTestInterchange(rj855!);
    expect(rj855!.transactionSets[0]!.segments.find((s) => s.id === 'BAK')?.text(2)).toBe('RJ');

    // Every cXML document this buyer got, one UserAgent and test mode throughout.
    for (const body of at('/acme-cxml')) expectBuyerReady(body, 'test');
    for (const body of at('/acme-x12')) expectTestInterchange(parseX12(body));
  });

  it('names an order that came as X12 by orderID and its PO date, with no payloadID of ours', async () => {
    const isa13 = '000000901';
    const x12 = [
      `ISA*00*          *00*          *ZZ*INITECH        *ZZ*SUPPLIERDEMO   *261120*1841*U*00401*${isa13}*0*P*>`,
      'GS*PO*INITECH*SUPPLIERDEMO*20261120*1841*91*X*004010',
      'ST*850*0001',
      `BEG*00*SA*PO-X12-1**${PO_DATE_X12}`,
      'CUR*BY*USD',
      'PO1*1*3*BX*4.50**VP*PEN-BLU-12',
      'CTT*1',
      'SE*6*0001',
      'GE*1*91',
      `IEA*1*${isa13}`,
    ]
      .map((s) => `${s}~\n`)
      .join('');
    const res = await request(app)
      .post('/edi/x12')
      .set(auth(initechKey))
      .set('Content-Type', 'application/edi-x12')
      .send(Buffer.from(x12));
    expect(res.status).toBe(200);
    const order = await waitFor(
      async () => env.db('orders').where({ buyer_order_number: 'PO-X12-1', state: 'confirmed' }).first(),
      20000,
      'PO-X12-1 confirmed',
    );
    expect(order.deployment_mode).toBe('production');
    const [confirmation] = await cxmlAt('/initech-cxml', 'ConfirmationRequest');
    expect(validateCxml(confirmation!)).toEqual({ ok: true, errors: '' });
    expect(confirmation).toMatch(
      /<OrderReference orderID="PO-X12-1" orderDate="2026-11-20T00:00:00\+00:00">\s*<DocumentReference payloadID=""\/>/,
    );
    expect(confirmation).not.toContain(order.id);
    expect(confirmation).toContain('<Request deploymentMode="production">');
    const [update] = await cxmlAt('/initech-cxml', 'StatusUpdateRequest');
    expect(validateCxml(update!)).toEqual({ ok: true, errors: '' });
    expect(update).not.toContain('DocumentReference');
    expect(update).toContain(
      '<DocumentInfo documentID="PO-X12-1" documentType="OrderRequest" documentDate="2026-11-20T00:00:00+00:00"/>',
    );
    const [ack] = await x12At('/initech-x12', '855');
    expect(ack!.interchanges[0]?.header.usage).toBe('P');
    expect(ack!.transactionSets[0]!.segments.find((s) => s.id === 'BAK')?.text(4)).toBe(PO_DATE_X12);
  });
});
