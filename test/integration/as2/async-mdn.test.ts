/**
 * Asynchronous MDNs (Receipt-Delivery-Option): the HTTP answer is an empty 200, and the MDN is
 * POSTed to the partner's URL through the retrying delivery path (a 503 is retried), with the AS2
 * headers of an MDN, signed as asked (openssl cms -verify) and with the MIC `openssl dgst` computes.
 * A Message-ID received again sends the stored MDN again; a refusal's negative MDN is the HTTP answer
 * (a refused message proves nothing about who sent it, so the URL it names is not called).
 */
import { X509Certificate } from 'node:crypto';
import request from 'supertest';
import { ADMIN_TOKEN, auth, waitFor } from '../../helpers/env';
import { listenApp } from '../../helpers/server';
import { OpensslLab, type Identity } from '../../unit/as2/openssl';
import {
  as2Partner,
  GATEWAY_AS2_ID,
  interchange850,
  putPartner,
  setupAs2Gateway,
  type Gateway,
} from './helpers';
import { header, mdnFields, PartnerStation } from './partner-lab';
import { startReceiver, type Receiver } from './receiver';

let lab: OpensslLab;
let gatewayKey: Identity;
let partnerKey: Identity;
let station: PartnerStation;
let gw: Gateway;
let http: Awaited<ReturnType<typeof listenApp>>;
let receiver: Receiver;

const PARTNER_AS2 = 'ASYNC-PARTNER';
const ISA_ID = 'ASYNCAS2';

beforeAll(async () => {
  lab = new OpensslLab();
  gatewayKey = lab.identity('gateway');
  partnerKey = lab.identity('partner');
  station = new PartnerStation(lab, partnerKey, gatewayKey);
  gw = await setupAs2Gateway(gatewayKey);
  const res = await putPartner(
    gw.app,
    as2Partner({ id: 'async-as2', isaId: ISA_ID, as2Id: PARTNER_AS2, certificates: [partnerKey] }),
  );
  expect(res.status).toBe(201);
  http = await listenApp(gw.app);
  receiver = await startReceiver();
}, 60000);
afterAll(async () => {
  await receiver?.close();
  await http?.close();
  await gw?.env.close();
  lab?.cleanup();
});

let n = 0;
function message(id: string, opts: { tamper?: boolean } = {}) {
  n++;
  const po = `ASYNC-PO-${n}`;
  const x12 = Buffer.from(interchange850({ sender: ISA_ID, isa13: String(200000000 + n), po }), 'latin1');
  const e = station.entity(x12);
  let signed = station.sign(e, 'sha256', { binary: true });
  if (opts.tamper)
    signed = Buffer.from(signed.toString('latin1').replace('PO1*1*2*BX', 'PO1*1*7*BX'), 'latin1');
  const smime = station.encrypt(signed, 'aes-256-cbc');
  const headers: [string, string][] = [
    ['AS2-Version', '1.2'],
    ['AS2-From', PARTNER_AS2],
    ['AS2-To', GATEWAY_AS2_ID],
    ['Message-ID', `<${id}@partner.example>`],
    ['Disposition-Notification-To', 'edi@partner.example'],
    [
      'Disposition-Notification-Options',
      'signed-receipt-protocol=required, pkcs7-signature; signed-receipt-micalg=required, sha-256',
    ],
    ['Receipt-Delivery-Option', `${receiver.url}/mdn/${id}`],
  ];
  return { po, e, smime, headers };
}

const mdnsFor = (id: string) => receiver.received.filter((r) => r.path === `/mdn/${id}`);

function verified(r: { headers: [string, string][]; body: Buffer }) {
  expect(header(r.headers, 'as2-from')).toBe(GATEWAY_AS2_ID);
  expect(header(r.headers, 'as2-to')).toBe(PARTNER_AS2);
  expect(header(r.headers, 'message-id')).toMatch(/^<.+@GATEWAY-AS2>$/);
  const { report, signerPem } = station.verifyMdn(r);
  expect(new X509Certificate(signerPem).fingerprint256).toBe(gatewayKey.cert.fingerprintSha256);
  return mdnFields(report);
}

test('the HTTP answer is empty; the signed MDN is POSTed to Receipt-Delivery-Option, retried after a 503', async () => {
  let calls = 0;
  receiver.answer = () => (++calls === 1 ? { status: 503 } : { status: 200 });
  const m = message('async-1');
  const res = await station.send(`${http.url}/as2`, m.smime, m.headers);
  expect(res.status).toBe(200);
  expect(res.body.length).toBe(0);
  await waitFor(() => mdnsFor('async-1').length >= 2, 15000, 'the MDN, twice');
  const f = verified(mdnsFor('async-1')[1]!);
  expect(f.disposition).toBe('automatic-action/MDN-sent-automatically; processed');
  expect(f.originalMessageId).toBe('<async-1@partner.example>');
  expect(f.mic).toBe(`${lab.mic(m.e, 'sha256')}, sha-256`);
  expect(mdnsFor('async-1')[0]!.body.equals(mdnsFor('async-1')[1]!.body)).toBe(true);
  expect(await gw.env.db('orders').where({ partner_id: 'async-as2', buyer_order_number: m.po })).toHaveLength(
    1,
  );
  const row = await gw.env.db('as2_messages').where({ message_id: 'async-1@partner.example' }).first();
  expect(row.receipt_url).toBe(`${receiver.url}/mdn/async-1`);
  const delivery = await waitFor(
    () => gw.env.db('deliveries').where({ document_id: row.mdn_document_id, status: 'delivered' }).first(),
    10000,
    'the delivery recorded',
  );
  expect(delivery).toMatchObject({ transport: 'as2-mdn', attempts: 2 });
  // The MDN is a document like any other (admin only).
  const docs = await request(gw.app).get('/api/v1/documents').set(auth(ADMIN_TOKEN));
  expect(docs.status).toBe(200);
  expect(JSON.stringify(docs.body)).toContain('"MDN"');
  receiver.answer = () => ({ status: 200 });
});

test('a Message-ID received again sends the stored MDN again and orders nothing more', async () => {
  const m = message('async-2');
  await station.send(`${http.url}/as2`, m.smime, m.headers);
  await waitFor(() => mdnsFor('async-2').length >= 1, 15000, 'the first MDN');
  const again = await station.send(`${http.url}/as2`, m.smime, m.headers);
  expect(again.status).toBe(200);
  await waitFor(() => mdnsFor('async-2').length >= 2, 15000, 'the MDN again');
  const [first, second] = mdnsFor('async-2');
  expect(second!.body.equals(first!.body)).toBe(true);
  expect(header(second!.headers, 'message-id')).toBe(header(first!.headers, 'message-id'));
  expect(await gw.env.db('orders').where({ partner_id: 'async-as2', buyer_order_number: m.po })).toHaveLength(
    1,
  );
});

test('a tampered message gets its negative MDN in the HTTP answer: the URL it names is not called', async () => {
  const m = message('async-3', { tamper: true });
  const res = await station.send(`${http.url}/as2`, m.smime, m.headers);
  expect(res.status).toBe(200);
  const f = verified(res);
  await new Promise((r) => setTimeout(r, 300));
  expect(mdnsFor('async-3')).toHaveLength(0);
  expect(f.disposition).toBe(
    'automatic-action/MDN-sent-automatically; processed/error: integrity-check-failed',
  );
  expect(f.mic).toBeUndefined();
  expect(await gw.env.db('orders').where({ partner_id: 'async-as2', buyer_order_number: m.po })).toHaveLength(
    0,
  );
});
