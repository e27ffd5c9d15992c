/**
 * The whole X12 path for a partner that takes X12 only: 850 in over HTTP -> 997 answer -> auto-approval
 * -> 855 -> shipments -> 856 -> invoice and credit memo -> 810, every outbound document received by the
 * partner's own HTTP endpoint (real Postgres, Redis and BullMQ workers), parsed back with the codec.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import {
  parse810,
  parse855,
  parse856,
  parseFunctionalAck,
  parseX12,
  type TransactionSet,
  type X12Document,
} from '../../../protocols/x12';
import { createApp } from '../../../src/app';
import { csvObjects } from '../../../src/catalog/csv';
import { importCatalog, importPriceLists } from '../../../src/catalog/service';
import { ADMIN_TOKEN, auth, createTestEnv, waitFor, type TestEnv } from '../../helpers/env';
import { insertConfirmedOrder } from '../../helpers/orders';
import { examplePartner, seedPartner } from '../../helpers/partners';

let env: TestEnv;
let app: Express;
let server: Server;
let acmeKey: string;
let globexKey: string;
/** What each partner's endpoint received, by path (/acme, /globex). */
const received = new Map<string, { contentType: string; body: string }[]>();
const admin = auth(ADMIN_TOKEN);

function purchaseOrder(sender: string, isa13: string, po: string): string {
  return [
    `ISA*00*          *00*          *ZZ*${sender.padEnd(15)}*ZZ*SUPPLIERDEMO   *261120*1200*U*00401*${isa13}*0*P*>`,
    `GS*PO*${sender}*SUPPLIERDEMO*20261120*1200*71*X*004010`,
    'ST*850*0001',
    `BEG*00*SA*${po}**20261120`,
    'CUR*BY*USD',
    'N1*ST*Acme Receiving*92*DOCK-1',
    'N3*1 Main St',
    'N4*Springfield*IL*62701*US',
    'PO1*1*3*BX*4.50**VP*PEN-BLU-12',
    'PID*F****Ballpoint pen blue',
    'PO1*2*10*RM*5.20**VP*PAP-A4-500',
    'CTT*2',
    'SE*11*0001',
    'GE*1*71',
    `IEA*1*${isa13}`,
  ]
    .map((s) => `${s}~\n`)
    .join('');
}

function postX12(body: string, key: string) {
  return request(app)
    .post('/edi/x12')
    .set(auth(key))
    .set('Content-Type', 'application/edi-x12')
    .send(Buffer.from(body))
    .buffer(true)
    .parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks).toString('utf8')));
    });
}

/** Parses one received interchange; it must be clean and hold one set of `id`. */
function single(text: string, id: string): { doc: X12Document; set: TransactionSet } {
  const doc = parseX12(text);
  expect(doc.errors).toEqual([]);
  expect(doc.transactionSets.map((s) => s.id)).toEqual([id]);
  return { doc, set: doc.transactionSets[0]! };
}

/** Waits until `partner`'s endpoint has received an interchange with a set `id` matching `pick`. */
async function receivedSet(partner: string, id: string, pick: (set: TransactionSet) => boolean = () => true) {
  return waitFor(
    () =>
      (received.get(`/${partner}`) ?? [])
        .map((r) => ({ r, doc: parseX12(r.body) }))
        .find(({ doc }) => doc.transactionSets[0]?.id === id && pick(doc.transactionSets[0])),
    20000,
    `${id} at ${partner}`,
  );
}

async function orderOf(po: string) {
  return waitFor(async () => env.db('orders').where({ buyer_order_number: po }).first(), 10000, po);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const list = received.get(req.url ?? '') ?? [];
      list.push({
        contentType: req.headers['content-type'] ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
      });
      received.set(req.url ?? '', list);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  env = await createTestEnv({ redis: true });
  app = createApp(env.ctx);
  const contracts = path.resolve(__dirname, '../../../fixtures/contracts');
  const csv = (f: string) => csvObjects(readFileSync(path.join(contracts, f), 'utf8')).rows;
  await importCatalog(env.db, csv('catalog.example.csv'));
  await importPriceLists(env.db, csv('price-list.example.csv'));
  const example = examplePartner();
  // X12 only (no cXML settings at all), 005010 with its own delimiters, auto-approval below 5000 USD.
  ({ erpKey: acmeKey } = await seedPartner(env.db, {
    cxml: undefined,
    oci: undefined,
    outboundFormats: ['x12'],
    x12: {
      ...example.x12!,
      version: '005010',
      delimiters: { element: '|', component: ':', segment: '\n' },
      outboundUrl: `${base}/acme`,
    },
    invoicing: {
      requireShipped: false,
      taxMode: 'line',
      taxRate: '8.25',
      taxRates: [{ rate: '8.25', category: 'sales', description: 'Texas sales tax' }],
      paymentTermsDays: 30,
    },
  }));
  // Both formats: the cXML documents and the X12 ones side by side.
  await seedPartner(env.db, {
    id: 'initech',
    name: 'Initech',
    outboundFormats: ['cxml', 'x12'],
    cxml: {
      ...example.cxml!,
      credentials: [{ domain: 'NetworkID', identity: 'AN-INITECH' }],
      outboundUrl: `${base}/initech-cxml`,
    },
    oci: undefined,
    x12: {
      isaQualifier: 'ZZ',
      isaId: 'INITECH',
      gsId: 'INITECH',
      version: '004010',
      ta1: false,
      outboundUrl: `${base}/initech`,
    },
  });
  ({ erpKey: globexKey } = await seedPartner(env.db, {
    id: 'globex',
    name: 'Globex',
    cxml: undefined,
    oci: undefined,
    outboundFormats: ['x12'],
    x12: {
      isaQualifier: 'ZZ',
      isaId: 'GLOBEX',
      gsId: 'GLOBEX',
      version: '004010',
      ta1: false,
      outboundUrl: `${base}/globex`,
    },
  }));
});
afterAll(async () => {
  await env.close();
  await new Promise((resolve) => server.close(resolve));
});

describe('X12 full flow: 850 -> 997 -> 855 -> 856 -> 810', () => {
  it('an X12-only partner gets every answer as X12 at its endpoint, with gapless control numbers per partner', async () => {
    // 850 in: the HTTP answer is the 997 accepting the group.
    const res = await postX12(purchaseOrder('ACMEBUYER', '000000701', 'PO-FLOW-1'), acmeKey);
    expect(res.status).toBe(200);
    const answer = res.body as string;
    const ack = parseFunctionalAck(single(answer, '997').set).ack!;
    expect(ack.groupControlNumber).toBe('71');
    expect(ack.sets).toEqual([expect.objectContaining({ controlNumber: '0001', status: 'A' })]);

    // Auto-approval confirms the order; the partner receives the 997 and an 855 accepting every line.
    const order = await orderOf('PO-FLOW-1');
    await waitFor(
      async () => (await env.db('orders').where({ id: order.id }).first('state')).state === 'confirmed',
      20000,
      'auto-approval',
    );
    const ack997 = await receivedSet('acme', '997');
    expect(ack997.r.body).toBe(answer);
    expect(ack997.r.contentType).toMatch(/application\/edi-x12/);
    const got855 = await receivedSet('acme', '855');
    expect(got855.doc.errors).toEqual([]);
    expect(got855.doc.interchanges[0]!.header.version).toBe('00501');
    expect(got855.doc.interchanges[0]!.header.delimiters).toMatchObject({ element: '|', segment: '\n' });
    const ack855 = parse855(got855.doc.transactionSets[0]!);
    expect(ack855.errors).toEqual([]);
    expect(ack855.ack!.buyerOrderNumber).toBe('PO-FLOW-1');
    expect(ack855.ack!.lines.map((l) => [l.lineNumber, l.status])).toEqual([
      [1, 'accept'],
      [2, 'accept'],
    ]);

    // Another X12 partner in between: its own control numbers, untouched by acme's.
    const other = await postX12(purchaseOrder('GLOBEX', '000000001', 'PO-GLOBEX-1'), globexKey);
    expect(other.status).toBe(200);
    await receivedSet('globex', '855');

    // Two shipments: each gives an 856 with HL shipment -> order -> one item per shipped line.
    const ship = (body: object) =>
      request(app).post(`/api/v1/orders/${order.id}/shipments`).set(admin).send(body);
    const first = await ship({
      shipmentId: 'SHP-FLOW-1',
      carrier: 'UPSN',
      trackingNumber: '1Z999AA10123456784',
      shippedAt: '2026-11-24T10:00:00Z',
      lines: [
        { lineNumber: 1, quantity: '3' },
        { lineNumber: 2, quantity: '4' },
      ],
    });
    expect(first.status).toBe(201);
    expect(first.body.state).toBe('partially_shipped');
    const second = await ship({
      shipmentId: 'SHP-FLOW-2',
      carrier: 'UPSN',
      trackingNumber: '1Z999AA10123456791',
      shippedAt: '2026-11-25T08:30:00Z',
      lines: [{ lineNumber: 2, quantity: '6' }],
    });
    expect(second.status).toBe(201);
    expect(second.body.state).toBe('shipped');

    const got856 = await receivedSet('acme', '856', (s) => s.segments[1]!.text(2) === 'SHP-FLOW-1');
    const asn = got856.doc.transactionSets[0]!;
    expect(asn.segments.filter((s) => s.id === 'HL').map((s) => [s.text(1), s.text(2), s.text(3)])).toEqual([
      ['1', '', 'S'],
      ['2', '1', 'O'],
      ['3', '2', 'I'],
      ['4', '2', 'I'],
    ]);
    const notice = parse856(asn);
    expect(notice.errors).toEqual([]);
    expect(notice.shipment).toMatchObject({
      shipmentId: 'SHP-FLOW-1',
      buyerOrderNumber: 'PO-FLOW-1',
      carrier: 'UPSN',
      trackingNumber: '1Z999AA10123456784',
      shippedAt: '2026-11-24T10:00:00Z',
      shipTo: expect.objectContaining({ name: 'Acme Receiving' }),
    });
    expect(notice.shipment!.lines).toEqual([
      { lineNumber: 1, quantity: '3', supplierPartId: 'PEN-BLU-12', unitOfMeasure: 'BX' },
      { lineNumber: 2, quantity: '4', supplierPartId: 'PAP-A4-500', unitOfMeasure: 'RM' },
    ]);
    expect(notice.details.orderDate).toBe('2026-11-20');
    const rest = parse856(
      (await receivedSet('acme', '856', (s) => s.segments[1]!.text(2) === 'SHP-FLOW-2')).doc
        .transactionSets[0]!,
    );
    expect(rest.errors).toEqual([]);
    expect(rest.shipment!.trackingNumber).toBe('1Z999AA10123456791');
    expect(rest.shipment!.lines).toEqual([
      { lineNumber: 2, quantity: '6', supplierPartId: 'PAP-A4-500', unitOfMeasure: 'RM' },
    ]);

    // Invoice: an 810 whose amounts are the invoice's decimal strings; delivered marks the invoice.
    const inv = await request(app)
      .post(`/api/v1/orders/${order.id}/invoices`)
      .set(admin)
      .send({ shipping: '7.50' });
    expect(inv.status).toBe(201);
    const invoice = inv.body.invoice;
    expect([invoice.subtotal, invoice.taxTotal, invoice.total]).toEqual(['65.50', '5.40', '78.40']);
    const got810 = await receivedSet('acme', '810', (s) => s.segments[1]!.text(2) === invoice.invoiceNumber);
    const billed = parse810(got810.doc.transactionSets[0]!);
    expect(billed.errors).toEqual([]);
    // The 810 names our order number (REF*VN) as the 855 did in BAK08.
    expect(
      got810.doc.transactionSets[0]!.segments.find((s) => s.id === 'REF' && s.text(1) === 'VN')?.text(2),
    ).toMatch(/^SO-\d+$/);
    expect(billed.invoice).toMatchObject({
      invoiceNumber: invoice.invoiceNumber,
      purpose: 'standard',
      buyerOrderNumber: 'PO-FLOW-1',
      currency: 'USD',
      subtotal: '65.50',
      taxTotal: '5.40',
      shipping: '7.50',
      total: '78.40',
      dueDate: invoice.dueDate,
      paymentTermsNetDays: 30,
    });
    expect(
      billed.invoice!.lines.map((l) => [
        l.orderLineNumber,
        l.supplierPartId,
        l.quantity,
        l.unitOfMeasure,
        l.unitPrice,
        l.tax?.amount,
      ]),
    ).toEqual([
      [1, 'PEN-BLU-12', '3', 'BX', '4.50', '1.11'],
      [2, 'PAP-A4-500', '10', 'RM', '5.20', '4.29'],
    ]);
    await waitFor(
      async () => (await env.db('invoices').where({ id: invoice.id }).first('state')).state === 'delivered',
      20000,
      'invoice delivered',
    );
    const asX12 = await request(app).get(`/api/v1/invoices/${invoice.id}?format=x12`).set(admin);
    expect(asX12.status).toBe(200);
    expect(asX12.text).toBe(got810.r.body);
    expect((await request(app).get(`/api/v1/invoices/${invoice.id}?format=cxml`).set(admin)).status).toBe(
      404,
    );

    // Credit memo: an 810 with BIG07 CR, negative amounts, the credited invoice in REF*OI.
    const cm = await request(app)
      .post(`/api/v1/invoices/${invoice.id}/credit-memos`)
      .set(admin)
      .send({ lines: [{ lineNumber: 1, quantity: '1' }], reason: 'one box damaged' });
    expect(cm.status).toBe(201);
    const memo = cm.body.invoice;
    const gotCm = await receivedSet('acme', '810', (s) => s.segments[1]!.text(2) === memo.invoiceNumber);
    expect(gotCm.doc.transactionSets[0]!.segments[1]!.text(7)).toBe('CR');
    const credited = parse810(gotCm.doc.transactionSets[0]!);
    expect(credited.errors).toEqual([]);
    expect(credited.invoice).toMatchObject({
      purpose: 'creditMemo',
      originalInvoiceNumber: invoice.invoiceNumber,
      subtotal: '-4.50',
      taxTotal: '-0.37',
      total: '-4.87',
      comments: ['one box damaged'],
    });
    expect(memo.total).toBe('-4.87');
    expect(credited.invoice!.lines.map((l) => [l.orderLineNumber, l.quantity])).toEqual([[1, '-1']]);

    // Nothing went out as cXML; every outbound X12 document was received verbatim.
    const out = await env
      .db('documents')
      .where({ direction: 'out' })
      .whereIn('partner_id', ['acme', 'globex'])
      .orderBy('created_at');
    expect(out.filter((d: { protocol: string }) => d.protocol !== 'x12')).toEqual([]);
    await waitFor(
      () => (received.get('/acme')?.length ?? 0) + (received.get('/globex')?.length ?? 0) === out.length,
      20000,
      'every delivery',
    );
    for (const partner of ['acme', 'globex']) {
      const stored = out
        .filter((d: { partner_id: string }) => d.partner_id === partner)
        .map((d: { doc_type: string; content: Buffer }) => [d.doc_type, d.content.toString('utf8')]);
      const bodies = received.get(`/${partner}`)!.map((r) => r.body);
      expect(bodies.sort()).toEqual(stored.map(([, c]: string[]) => c).sort());
      expect(stored.map(([t]: string[]) => t).sort()).toEqual(
        partner === 'acme' ? ['810', '810', '855', '856', '856', '997'] : ['855', '997'],
      );
      // ISA13, GS06 and ST02 of everything sent to this partner: 1..n, none skipped, none twice.
      const numbers = bodies.map((b) => {
        const set = parseX12(b).transactionSets[0]!;
        return [
          Number(set.interchange.controlNumber),
          Number(set.group.controlNumber),
          Number(set.controlNumber),
        ];
      });
      const expected = Array.from({ length: bodies.length }, (_, i) => i + 1);
      for (const level of [0, 1, 2]) {
        expect([partner, level, numbers.map((n) => n[level]).sort((a, b) => a! - b!)]).toEqual([
          partner,
          level,
          expected,
        ]);
      }
    }
  });

  it('a partner taking cXML and X12 gets a ShipNoticeRequest and an 856, an InvoiceDetailRequest and an 810', async () => {
    const order = await insertConfirmedOrder(env.db, {
      partnerId: 'initech',
      buyerOrderNumber: 'PO-BOTH-1',
      lines: [{ sku: 'PEN-BLU-12', quantity: '2', unitPrice: '4.50', uom: 'BX' }],
    });
    const shipped = await request(app)
      .post(`/api/v1/orders/${order.id}/shipments`)
      .set(admin)
      .send({ shippedAt: '2026-11-24T10:00:00Z', lines: [{ lineNumber: 1, quantity: '2' }] });
    expect(shipped.status).toBe(201);
    expect(shipped.body.shipNotice).toEqual(expect.objectContaining({ payloadId: expect.any(String) }));
    const asn = parse856((await receivedSet('initech', '856')).doc.transactionSets[0]!);
    expect(asn.shipment).toMatchObject({
      buyerOrderNumber: 'PO-BOTH-1',
      lines: [{ lineNumber: 1, quantity: '2' }],
    });

    const inv = await request(app).post(`/api/v1/orders/${order.id}/invoices`).set(admin).send({});
    expect(inv.status).toBe(201);
    const invoice = inv.body.invoice;
    const billed = parse810((await receivedSet('initech', '810')).doc.transactionSets[0]!);
    expect(billed.invoice).toMatchObject({ invoiceNumber: invoice.invoiceNumber, total: invoice.total });
    await waitFor(
      () => (received.get('/initech-cxml') ?? []).length === 2,
      20000,
      'cXML ship notice and invoice',
    );
    const cxml = received.get('/initech-cxml')!.map((r) => r.body);
    expect(cxml.some((b) => b.includes('<ShipNoticeRequest'))).toBe(true);
    const invoiceXml = cxml.find((b) => b.includes('<InvoiceDetailRequest'))!;
    expect(invoiceXml).toContain(`invoiceID="${invoice.invoiceNumber}"`);
    expect((await request(app).get(`/api/v1/invoices/${invoice.id}?format=cxml`).set(admin)).text).toBe(
      invoiceXml,
    );

    // The credit memo's cXML still references the original's cXML payloadID, not the 810's numbers.
    const cm = await request(app).post(`/api/v1/invoices/${invoice.id}/credit-memos`).set(admin).send({});
    expect(cm.status).toBe(201);
    const payloadId = /payloadID="([^"]+)"/.exec(invoiceXml)![1];
    await waitFor(() => (received.get('/initech-cxml') ?? []).length === 3, 20000, 'cXML credit memo');
    expect(received.get('/initech-cxml')![2]!.body).toContain(`payloadID="${payloadId}"`);
    const memo = parse810(
      (await receivedSet('initech', '810', (s) => s.segments[1]!.text(2) === cm.body.invoice.invoiceNumber))
        .doc.transactionSets[0]!,
    );
    expect(memo.invoice).toMatchObject({ purpose: 'creditMemo', total: cm.body.invoice.total });
  });
});
