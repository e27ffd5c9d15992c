/**
 * Secrets never readable back: stored and served copies of documents carry credentials masked (same
 * length) with the sha256 of the exact bytes; the supplier's outbound SharedSecret is per partner,
 * encrypted with SECRETS_KEY, sent but never answered back.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { ConfigError, loadConfig } from '../../../src/platform/config';
import { checkSecretsKey } from '../../../src/partners/supplier-secret';
import { ADMIN_TOKEN, auth, SECRETS_KEY, testConfig, waitFor } from '../../helpers/env';
import { examplePartner } from '../../helpers/partners';
import { setupRequest } from '../punchout/helpers';
import {
  confirmOrder,
  orderRequestXml,
  postCxml,
  setupOrders,
  SECRET,
  type OrdersEnv,
} from '../orders/helpers';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const SUPPLIER_SECRET = 'supplier-secret-for-acme-7f3a';

let t: OrdersEnv;
let buyer: Server;
let received: Buffer[] = [];

beforeAll(async () => {
  buyer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(Buffer.concat(chunks));
      res
        .writeHead(200, { 'Content-Type': 'text/xml' })
        .end(
          '<?xml version="1.0"?><cXML payloadID="a@buyer" timestamp="2026-11-24T10:00:00Z"><Response><Status code="200" text="OK"/></Response></cXML>',
        );
    });
  });
  await new Promise<void>((r) => buyer.listen(0, '127.0.0.1', r));
  const port = (buyer.address() as AddressInfo).port;
  t = await setupOrders({ redis: true, cxml: { outboundUrl: `http://127.0.0.1:${port}/cxml` } });
});
afterAll(async () => {
  await t.env.close();
  buyer.closeAllConnections();
  await new Promise((r) => buyer.close(r));
});

const raw = (id: string, token: string) =>
  request(t.app)
    .get(`/api/v1/documents/${id}/raw`)
    .set(auth(token))
    .buffer(true)
    .parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });

describe('secrets in stored documents', () => {
  it("a stored PunchOutSetupRequest keeps the buyer's SharedSecret masked, the same length and the sha256 of the bytes received", async () => {
    const xml = setupRequest({ payloadId: 'masked-setup-1@buyer.example' });
    expect(xml).toContain(`<SharedSecret>${SECRET}</SharedSecret>`);
    expect((await postCxml(t.app, xml)).status).toBe(200);
    const doc = await t.env.db('documents').where({ external_id: 'masked-setup-1@buyer.example' }).first();
    const res = await raw(doc.id, ADMIN_TOKEN);
    expect(res.status).toBe(200);
    const served = res.body as Buffer;
    expect(served.toString('utf8')).not.toContain(SECRET);
    expect(served.toString('utf8')).toBe(xml.replace(SECRET, '*'.repeat(SECRET.length)));
    expect(res.headers['x-content-sha256']).toBe(sha256(xml));
    expect(doc.sha256).toBe(sha256(xml));
    expect(Buffer.from(doc.content).toString('utf8')).not.toContain(SECRET);
  });

  it('an inbound 850 keeps ISA02/ISA04 masked in the stored copy', async () => {
    const isa =
      'ISA*03*PASSW0RD12*01*SECUR1TY99*ZZ*ACMEBUYER      *ZZ*SUPPLIERDEMO   *261120*1200*U*00401*000000777*0*T*>';
    const x12 = [
      isa,
      'GS*PO*ACMEBUYER*SUPPLIERDEMO*20261120*1200*77*X*004010',
      'ST*850*0001',
      'BEG*00*SA*PO-ISA-SECRET**20261120',
      'CUR*BY*USD',
      'PO1*1*2*BX*4.50**VP*PEN-BLU-12',
      'CTT*1',
      'SE*6*0001',
      'GE*1*77',
      'IEA*1*000000777',
    ]
      .map((s) => `${s}~\n`)
      .join('');
    const res = await request(t.app)
      .post('/edi/x12')
      .set(auth(t.erpKey))
      .set('Content-Type', 'application/edi-x12')
      .send(Buffer.from(x12));
    expect(res.status).toBeLessThan(500);
    const docs = await t.env.db('documents').where({ protocol: 'x12', direction: 'in' });
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) {
      const text = Buffer.from(d.content).toString('latin1');
      expect(text).not.toMatch(/PASSW0RD12|SECUR1TY99/);
      expect(text).toContain('ISA*03*XXXXXXXXXX*01*XXXXXXXXXX*ZZ*ACMEBUYER');
    }
  });
});

describe("the supplier's outbound SharedSecret per partner", () => {
  it('is encrypted at rest, answered only as "set", sent to the buyer, and masked in the copy any key reads', async () => {
    const contract = examplePartner();
    const put = await request(t.app)
      .put('/api/v1/partners/acme')
      .set(auth(ADMIN_TOKEN))
      .send({
        ...contract,
        cxml: {
          ...contract.cxml,
          outboundUrl: `http://127.0.0.1:${(buyer.address() as AddressInfo).port}/cxml`,
          supplierSharedSecret: SUPPLIER_SECRET,
        },
      });
    expect(put.status).toBe(200);
    expect(JSON.stringify(put.body)).not.toContain(SUPPLIER_SECRET);
    const get = await request(t.app).get('/api/v1/partners/acme').set(auth(ADMIN_TOKEN));
    expect(get.body.cxml.hasSupplierSharedSecret).toBe(true);
    expect(JSON.stringify(get.body)).not.toContain(SUPPLIER_SECRET);
    const row = await t.env.db('partners').where({ id: 'acme' }).first();
    expect(JSON.stringify(row)).not.toContain(SUPPLIER_SECRET);
    expect(row.cxml_supplier_secret_enc).toMatch(/^v1\./);

    received = [];
    expect(
      (await postCxml(t.app, orderRequestXml({ payloadId: 'sec-1@buyer', orderId: 'PO-SEC-1' }))).status,
    ).toBe(200);
    const { id } = await t.env.db('orders').where({ buyer_order_number: 'PO-SEC-1' }).first('id');
    await confirmOrder(t, id);
    const sent = await waitFor(
      () => received.find((r) => r.toString('utf8').includes('ConfirmationRequest')),
      15000,
      'confirmation at the buyer',
    );
    expect(sent.toString('utf8')).toContain(`<SharedSecret>${SUPPLIER_SECRET}</SharedSecret>`);

    const doc = await t.env.db('documents').where({ order_id: id, doc_type: 'ConfirmationRequest' }).first();
    const served = await raw(doc.id, t.erpKey);
    expect(served.status).toBe(200);
    expect((served.body as Buffer).toString('utf8')).not.toContain(SUPPLIER_SECRET);
    expect((served.body as Buffer).length).toBe(sent.length);
    expect(doc.sha256).toBe(sha256(sent));
    const delivery = await t.env.db('deliveries').where({ document_id: doc.id }).first();
    const attempt = await t.env.db('delivery_attempts').where({ delivery_id: delivery.id }).first();
    expect(attempt.sha256).toBe(sha256(sent));
  });

  it('cannot be set without SECRETS_KEY, and a start with encrypted secrets needs the same key', async () => {
    const contract = examplePartner();
    const { upsertPartner } = await import('../../../src/partners/service');
    await expect(
      upsertPartner(t.env.db, {
        ...contract,
        id: 'nokey',
        cxml: {
          ...contract.cxml!,
          credentials: [{ domain: 'NetworkID', identity: 'AN-NOKEY' }],
          supplierSharedSecret: 'abcdefgh12',
        },
      }),
    ).rejects.toThrow(/SECRETS_KEY/);
    await expect(checkSecretsKey(t.env.db, { SECRETS_KEY: SECRETS_KEY })).resolves.toBeUndefined();
    await expect(checkSecretsKey(t.env.db, { SECRETS_KEY: undefined })).rejects.toThrow(
      /SECRETS_KEY: required: partners acme/,
    );
    await expect(
      checkSecretsKey(t.env.db, { SECRETS_KEY: randomBytes(32).toString('base64') }),
    ).rejects.toThrow(/not the key that encrypted/);
  });

  it('SUPPLIER_CXML_SECRET, one secret for every partner, is refused at start with what replaced it', () => {
    expect(() => testConfig({ SUPPLIER_CXML_SECRET: 'shared-by-all' })).toThrow(ConfigError);
    expect(() => loadConfig({ SUPPLIER_CXML_SECRET: 'x' })).toThrow(/cxml\.supplierSharedSecret per partner/);
    expect(() => loadConfig({ SECRETS_KEY: 'too-short' })).toThrow(/SECRETS_KEY/);
  });
});
