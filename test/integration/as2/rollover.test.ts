/**
 * Certificate rollover: a partner with an old certificate (ending soon) and a new one. During the
 * overlap messages signed with either are processed, and what we send is encrypted to the newest;
 * after the old one's end (the gateway's clock moved on) a message signed with it gets a negative
 * MDN, authentication-failed, whose text says which certificate and its validity, and nothing is
 * ordered. The supplier's own rollover: a message encrypted to our older key still decrypts.
 */
import { readFileSync } from 'node:fs';
import { ingestX12 } from '../../../src/edi/intake';
import { importSupplierKey } from '../../../src/transports/as2/keys';
import { waitFor } from '../../helpers/env';
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
import { header, mdnFields, openMessage, opensslMdn, PartnerStation } from './partner-lab';
import { startReceiver, type Receiver } from './receiver';

let lab: OpensslLab;
let gatewayOld: Identity;
let gatewayNew: Identity;
let oldCert: Identity;
let newCert: Identity;
let gw: Gateway;
let http: Awaited<ReturnType<typeof listenApp>>;
let receiver: Receiver;

const NAME = 'ROLLOVER';

beforeAll(async () => {
  lab = new OpensslLab();
  gatewayOld = lab.identity('gateway-old', { days: 20 });
  gatewayNew = lab.identity('gateway-new', { days: 700 });
  oldCert = lab.identity('partner-old', { days: 10 });
  newCert = lab.identity('partner-new', { days: 400 });
  gw = await setupAs2Gateway(gatewayOld);
  await importSupplierKey(gw.env.db, gw.env.config, {
    pem: readFileSync(gatewayNew.certPath, 'utf8') + readFileSync(gatewayNew.keyPath, 'utf8'),
  });
  receiver = await startReceiver();
  receiver.answer = (got) => {
    let m;
    try {
      m = openMessage(lab, newCert, got.body); // decrypts with the new key only
    } catch {
      return { status: 500 };
    }
    const mdn = opensslMdn(lab, newCert, {
      as2From: NAME,
      as2To: GATEWAY_AS2_ID,
      originalMessageId: header(got.headers, 'message-id')!,
      disposition: 'automatic-action/MDN-sent-automatically; processed',
      mic: `${lab.mic(m.content, 'sha256')}, sha-256`,
    });
    return { status: 200, headers: mdn.headers, body: mdn.body };
  };
  const body = as2Partner({
    id: 'rollover',
    isaId: NAME,
    as2Id: NAME,
    certificates: [oldCert, newCert],
    as2: { url: `${receiver.url}/as2` },
    x12: { transport: 'as2' },
  });
  expect((await putPartner(gw.app, body)).status).toBe(201);
  http = await listenApp(gw.app);
}, 60000);
afterAll(async () => {
  gw.env.ctx.now = () => new Date();
  await http?.close();
  await receiver?.close();
  await gw?.env.close();
  lab?.cleanup();
});

let n = 0;
/** Sends an 850 signed by `signer`, encrypted to `to`; answers the MDN's fields and the PO. */
async function send(signer: Identity, to: Identity) {
  n++;
  const po = `ROLL-PO-${n}`;
  const x12 = Buffer.from(interchange850({ sender: NAME, isa13: String(400000000 + n), po }), 'latin1');
  const station = new PartnerStation(lab, signer, to);
  const smime = station.encrypt(
    station.sign(station.entity(x12), 'sha256', { binary: true }),
    'aes-256-cbc',
    to,
  );
  const res = await station.send(`${http.url}/as2`, smime, [
    ['AS2-From', NAME],
    ['AS2-To', GATEWAY_AS2_ID],
    ['Message-ID', `<roll-${n}@partner.example>`],
    ['Disposition-Notification-To', 'edi@partner.example'],
    [
      'Disposition-Notification-Options',
      'signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-256',
    ],
  ]);
  expect(res.status).toBe(200);
  const { report, signerPem } = station.verifyMdn(res);
  const orders = await gw.env.db('orders').where({ partner_id: 'rollover', buyer_order_number: po });
  return { report, signerPem, fields: mdnFields(report), ordered: orders.length };
}

test('during the overlap both certificates verify, and the MDN is signed with our newest key', async () => {
  for (const signer of [oldCert, newCert]) {
    const r = await send(signer, gatewayNew);
    expect(r.fields.disposition).toMatch(/; processed$/);
    expect(r.ordered).toBe(1);
    expect(r.signerPem.replace(/\r/g, '')).toBe(readFileSync(gatewayNew.certPath, 'utf8').replace(/\r/g, ''));
  }
});

test("a message encrypted to the supplier's older key (not retired) still decrypts", async () => {
  const r = await send(newCert, gatewayOld);
  expect(r.fields.disposition).toMatch(/; processed$/);
  expect(r.ordered).toBe(1);
});

test('what we send during the overlap is encrypted to the newest certificate', async () => {
  // The 997s of the messages above, and one more: each decrypts with the new key only.
  n++;
  const x12 = interchange850({ sender: NAME, isa13: String(400000000 + n), po: `ROLL-PO-${n}` });
  await ingestX12(gw.env.ctx, Buffer.from(x12, 'latin1'), { actor: 'test' });
  const deliveries = await waitFor(
    async () => {
      const rows = await gw.env.db('deliveries').where({ partner_id: 'rollover' });
      return rows.length === 4 && rows.every((r) => r.status !== 'pending') && rows;
    },
    20000,
    'the four 997s delivered',
  );
  expect(deliveries.map((d) => [d.status, d.attempts])).toEqual(Array(4).fill(['delivered', 1]));
});

test('after the old certificate ends: refused with a clear negative MDN, nothing ordered; the new one still works', async () => {
  const later = new Date(oldCert.cert.notAfter.getTime() + 86_400_000);
  gw.env.ctx.now = () => later;
  const refused = await send(oldCert, gatewayNew);
  expect(refused.fields.disposition).toBe(
    'automatic-action/MDN-sent-automatically; processed/error: authentication-failed',
  );
  expect(refused.ordered).toBe(0);
  expect(refused.report).toContain('CN=partner-old');
  expect(refused.report).toContain(
    `to ${oldCert.cert.notAfter.toISOString()}, not at ${later.toISOString()}`,
  );
  const ok = await send(newCert, gatewayNew);
  expect(ok.fields.disposition).toMatch(/; processed$/);
  expect(ok.ordered).toBe(1);
});
