import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { Express } from 'express';
import { parseFunctionalAck, parseX12 } from '../../../protocols/x12';
import { createApp } from '../../../src/app';
import { csvObjects } from '../../../src/catalog/csv';
import { importCatalog, importPriceLists } from '../../../src/catalog/service';
import { auth, createTestEnv, waitFor, type TestEnv } from '../../helpers/env';
import { examplePartner, seedPartner } from '../../helpers/partners';

let env: TestEnv;
let app: Express;
let erpKey: string;
let otherKey: string;
let partnerServer: Server;
const received: string[] = [];

function interchange(opts: {
  isa13: string;
  st02: string;
  po: string;
  seCount?: number;
  sender?: string;
  usage?: 'P' | 'T';
}): string {
  const body = [
    `ST*850*${opts.st02}`,
    `BEG*00*SA*${opts.po}**20261120`,
    'CUR*BY*USD',
    'N1*ST*Acme Receiving*92*DOCK-1',
    'N3*1 Main St',
    'N4*Springfield*IL*62701*US',
    'PO1*1*2*BX*4.50**VP*PEN-BLU-12',
    'PID*F****Widget',
    'CTT*1',
  ];
  const se = `SE*${opts.seCount ?? body.length + 1}*${opts.st02}`;
  const sender = (opts.sender ?? 'ACMEBUYER').padEnd(15, ' ');
  return [
    `ISA*00*          *00*          *ZZ*${sender}*ZZ*SUPPLIERDEMO   *261120*1200*U*00401*${opts.isa13}*0*${opts.usage ?? 'P'}*>`,
    `GS*PO*ACMEBUYER*SUPPLIERDEMO*20261120*1200*77*X*004010`,
    ...body,
    se,
    'GE*1*77',
    `IEA*1*${opts.isa13}`,
  ]
    .map((s) => `${s}~\n`)
    .join('');
}

function post(body: string, key = erpKey) {
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

function ackOf(text: string) {
  const doc = parseX12(text);
  expect(doc.errors).toEqual([]);
  const set = doc.transactionSets[0]!;
  expect(set.id).toBe('997');
  const { ack, errors } = parseFunctionalAck(set);
  expect(errors).toEqual([]);
  return ack!;
}

beforeAll(async () => {
  partnerServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => partnerServer.listen(0, '127.0.0.1', resolve));
  const port = (partnerServer.address() as AddressInfo).port;
  env = await createTestEnv();
  app = createApp(env.ctx);
  const contracts = path.resolve(__dirname, '../../../fixtures/contracts');
  const csv = (f: string) => csvObjects(readFileSync(path.join(contracts, f), 'utf8')).rows;
  await importCatalog(env.db, csv('catalog.example.csv'));
  await importPriceLists(env.db, csv('price-list.example.csv'));
  const base = examplePartner();
  ({ erpKey } = await seedPartner(env.db, {
    x12: { ...base.x12!, outboundUrl: `http://127.0.0.1:${port}/x12` },
  }));
  ({ erpKey: otherKey } = await seedPartner(env.db, {
    id: 'globex',
    name: 'Globex',
    cxml: undefined,
    oci: undefined,
    x12: { isaQualifier: 'ZZ', isaId: 'GLOBEX', gsId: 'GLOBEX', version: '004010', ta1: false },
  }));
});
afterAll(async () => {
  await env.close();
  await new Promise((resolve) => partnerServer.close(resolve));
});

describe('POST /edi/x12', () => {
  it('creates one order for an 850 posted twice and answers both times with the same 997', async () => {
    const x12 = interchange({ isa13: '000000101', st02: '0001', po: 'PO-X12-1' });
    const first = await post(x12);
    const second = await post(x12);
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(/application\/edi-x12/);
    expect(second.status).toBe(200);
    expect(second.body).toBe(first.body);

    const ack = ackOf(first.body as string);
    expect(ack.sets).toEqual([expect.objectContaining({ controlNumber: '0001', status: 'A' })]);

    const orders = await env.db('orders').where({ partner_id: 'acme', buyer_order_number: 'PO-X12-1' });
    expect(orders).toHaveLength(1);
    const docs = await env
      .db('documents')
      .where({ partner_id: 'acme', protocol: 'x12' })
      .orderBy('created_at');
    expect(
      docs.map((d: { doc_type: string; direction: string }) => `${d.direction}:${d.doc_type}`).sort(),
    ).toEqual(['in:850', 'in:interchange', 'out:997']);
    await waitFor(() => Promise.resolve(received.length > 0 ? received : undefined));
    expect(received[0]).toBe(first.body);
  });

  it('rejects a set with a wrong SE count in the 997 (AK5 R, AK9 R) and creates no order', async () => {
    const res = await post(interchange({ isa13: '000000102', st02: '0002', po: 'PO-X12-BAD', seCount: 99 }));
    expect(res.status).toBe(200);
    const ack = ackOf(res.body as string);
    expect(ack.sets).toEqual([expect.objectContaining({ controlNumber: '0002', status: 'R' })]);
    expect(ack.status).toBe('R');
    expect(res.body).toMatch(/AK5\*R/);
    expect(res.body).toMatch(/AK9\*R\*1\*1\*0/);
    const orders = await env.db('orders').where({ buyer_order_number: 'PO-X12-BAD' });
    expect(orders).toHaveLength(0);
  });

  it('numbers each new 997 with fresh interchange and group control numbers', async () => {
    const a = await post(interchange({ isa13: '000000103', st02: '0003', po: 'PO-X12-3' }));
    const b = await post(interchange({ isa13: '000000104', st02: '0004', po: 'PO-X12-4' }));
    const isa13 = (t: string) => parseX12(t).interchanges[0]!.header.controlNumber;
    expect(Number(isa13(b.body as string))).toBe(Number(isa13(a.body as string)) + 1);
  });

  it('creates one order when the same interchange arrives twice at the same time, both answered alike', async () => {
    const x12 = interchange({ isa13: '000000106', st02: '0006', po: 'PO-X12-6' });
    const [a, b] = await Promise.all([post(x12), post(x12)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.body).toBe(a.body);
    const orders = await env.db('orders').where({ partner_id: 'acme', buyer_order_number: 'PO-X12-6' });
    expect(orders).toHaveLength(1);
  });

  it('answers a 005010 interchange with a 999 that rejects a bad set with IK5 R', async () => {
    const text = interchange({ isa13: '000000107', st02: '0007', po: 'PO-X12-7', seCount: 42 })
      .replace('*U*00401*', '*^*00501*')
      .replace('*X*004010~', '*X*005010~');
    const res = await post(text);
    expect(res.status).toBe(200);
    const doc = parseX12(res.body as string);
    expect(doc.errors).toEqual([]);
    expect(doc.transactionSets[0]!.id).toBe('999');
    const { ack } = parseFunctionalAck(doc.transactionSets[0]!);
    expect(ack?.sets).toEqual([expect.objectContaining({ controlNumber: '0007', status: 'R' })]);
    expect(ack?.status).toBe('R');
    expect(await env.db('orders').where({ buyer_order_number: 'PO-X12-7' })).toHaveLength(0);
  });

  it("refuses with 403 an interchange whose ISA sender is not the key's partner", async () => {
    const res = await post(interchange({ isa13: '000000105', st02: '0005', po: 'PO-X12-5' }), otherKey);
    expect(res.status).toBe(403);
    const orders = await env.db('orders').where({ buyer_order_number: 'PO-X12-5' });
    expect(orders).toHaveLength(0);
  });

  it('answers 400 naming segment and element for a body that is not X12', async () => {
    const res = await post('hello, this is not EDI');
    expect(res.status).toBe(400);
    const body = JSON.parse(res.body as string) as {
      error: { message: string; details: { path: string }[] };
    };
    expect(body.error.message).toMatch(/ISA|segment 1/);
    expect(body.error.details[0]!.path).toMatch(/segment 1/);
  });
});
