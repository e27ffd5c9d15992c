/**
 * Outbound AS2 for partners with x12.transport "as2": the 997 answering an 850 goes to the partner's
 * AS2 URL through the retrying delivery path, signed and encrypted with the partner's algorithms.
 * The partner's station is a local receiver driven by openssl: `openssl cms -decrypt` and
 * `-verify` read what it receives, `openssl dgst` computes the MIC, and `openssl cms -sign` signs the
 * MDN it answers. Only a signed, positive MDN with our MIC delivers; a negative MDN, a wrong MIC, an
 * unsigned MDN or none is a failed attempt (retried, then failed with what the MDN said). The signed
 * MDN is kept as evidence.
 */
import { X509Certificate } from 'node:crypto';
import { ingestX12 } from '../../../src/edi/intake';
import { sendOrderConfirmation } from '../../../src/orders/outbound';
import { insertConfirmedOrder } from '../../helpers/orders';
import request from 'supertest';
import { ADMIN_TOKEN, auth, waitFor } from '../../helpers/env';
import { OpensslLab, type Identity } from '../../unit/as2/openssl';
import {
  as2Partner,
  GATEWAY_AS2_ID,
  interchange850,
  putPartner,
  setupAs2Gateway,
  type Gateway,
} from './helpers';
import {
  header,
  mdnFields,
  openMessage,
  opensslMdn,
  PartnerStation,
  type OpenedMessage,
} from './partner-lab';
import { startReceiver, type Received, type Receiver } from './receiver';

let lab: OpensslLab;
let gatewayKey: Identity;
let partnerKey: Identity;
let stranger: Identity;
let gw: Gateway;
let receiver: Receiver;

type Mode = 'good' | 'negative' | 'wrong-mic' | 'unsigned' | 'none' | 'stranger';
/** What the partner's station answers, per partner AS2 name: the next modes in order (then good). */
const plans = new Map<string, Mode[]>();
const opened: { partner: string; got: Received; message: OpenedMessage }[] = [];

function answer(got: Received) {
  const as2To = header(got.headers, 'as2-to')!;
  const mode = plans.get(as2To)?.shift() ?? 'good';
  const message = openMessage(lab, partnerKey, got.body);
  opened.push({ partner: as2To, got, message });
  if (mode === 'none') return { status: 200 };
  const alg = /micalg=([\w-]+)/.exec(message.signedContentType)![1]!;
  const mic = `${lab.mic(message.content, alg.replace('-', ''))}, ${alg}`;
  const mdn = opensslMdn(lab, mode === 'unsigned' ? undefined : mode === 'stranger' ? stranger : partnerKey, {
    as2From: as2To,
    as2To: header(got.headers, 'as2-from')!,
    originalMessageId: header(got.headers, 'message-id')!,
    disposition:
      mode === 'negative'
        ? 'automatic-action/MDN-sent-automatically; processed/error: decryption-failed'
        : 'automatic-action/MDN-sent-automatically; processed',
    ...(mode === 'negative' ? {} : { mic: mode === 'wrong-mic' ? `AAAA${mic.slice(4)}` : mic }),
  });
  return { status: 200, headers: mdn.headers, body: mdn.body };
}

beforeAll(async () => {
  lab = new OpensslLab();
  gatewayKey = lab.identity('gateway');
  partnerKey = lab.identity('partner');
  stranger = lab.identity('stranger');
  gw = await setupAs2Gateway(gatewayKey);
  receiver = await startReceiver();
  receiver.answer = answer;
}, 60000);
afterAll(async () => {
  await receiver?.close();
  await gw?.env.close();
  lab?.cleanup();
});

let n = 0;
/** A partner of its own (AS2 name and ISA id), with the AS2 settings given. */
async function partner(name: string, as2: Record<string, unknown> = {}) {
  const body = as2Partner({
    id: name.toLowerCase(),
    isaId: name,
    as2Id: name,
    certificates: [partnerKey],
    as2: { url: `${receiver.url}/as2`, ...as2 },
    x12: { transport: 'as2' },
  });
  expect((await putPartner(gw.app, body)).status).toBe(201);
  return name;
}

/** The 997 of an 850 the partner sent, and its delivery once decided. */
async function send997(name: string) {
  n++;
  const x12 = interchange850({ sender: name, isa13: String(300000000 + n), po: `OUT-PO-${n}` });
  await ingestX12(gw.env.ctx, Buffer.from(x12, 'latin1'), { actor: 'test' });
  const doc = await waitFor(
    () =>
      gw.env
        .db('documents')
        .where({ partner_id: name.toLowerCase(), doc_type: '997', direction: 'out' })
        .orderBy('created_at', 'desc')
        .first(),
    10000,
    'the 997',
  );
  const delivery = await waitFor(
    () => gw.env.db('deliveries').where({ document_id: doc.id }).whereNot('status', 'pending').first(),
    20000,
    'the delivery decided',
  );
  return { doc, delivery };
}

test('signed with SHA-256 and encrypted AES-256-CBC; a signed MDN with our MIC delivers, kept as evidence', async () => {
  const name = await partner('OUTA');
  const { doc, delivery } = await send997(name);
  expect(delivery).toMatchObject({ status: 'delivered', transport: 'as2', attempts: 1 });
  const [sent] = opened.filter((o) => o.partner === name);
  expect(header(sent!.got.headers, 'as2-from')).toBe(GATEWAY_AS2_ID);
  expect(header(sent!.got.headers, 'content-type')).toMatch(/smime-type=enveloped-data/);
  expect(header(sent!.got.headers, 'disposition-notification-options')).toBe(
    'signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-256',
  );
  expect(new X509Certificate(sent!.message.signerPem).fingerprint256).toBe(gatewayKey.cert.fingerprintSha256);
  expect(sent!.message.signedContentType).toContain('micalg=sha-256');
  const content = sent!.message.content;
  const payload = content.subarray(content.indexOf('\r\n\r\n') + 4);
  expect(payload.equals(Buffer.from(doc.content))).toBe(true);
  expect(
    lab.run(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', lab.file(sent!.got.body)]).toString(),
  ).toContain('aes-256-cbc');

  const row = await gw.env.db('as2_messages').where({ direction: 'out', delivery_id: delivery.id }).first();
  expect(row).toMatchObject({ status: 'delivered', mdn_signed: true, document_id: doc.id });
  expect(row.mic).toBe(`${lab.mic(content, 'sha256')}, sha-256`);
  // The stored MDN is the partner's signed one, byte for byte: openssl verifies it again.
  const evidence = new PartnerStation(lab, partnerKey, gatewayKey).verifyMdn({
    headers: row.mdn_headers,
    body: Buffer.from(row.mdn_body),
  });
  expect(new X509Certificate(evidence.signerPem).fingerprint256).toBe(partnerKey.cert.fingerprintSha256);
  expect(mdnFields(evidence.report).disposition).toMatch(/; processed$/);

  // The admin API lists the message and answers the MDN byte for byte.
  const list = await request(gw.app).get('/api/v1/partners/outa/as2/messages').set(auth(ADMIN_TOKEN));
  expect(list.status).toBe(200);
  expect(list.body.items).toEqual([
    expect.objectContaining({
      id: row.id,
      direction: 'out',
      status: 'delivered',
      mdn: expect.objectContaining({
        signed: true,
        disposition: 'automatic-action/MDN-sent-automatically; processed',
      }),
    }),
  ]);
  const raw = await request(gw.app)
    .get(`/api/v1/partners/outa/as2/messages/${row.id}/mdn`)
    .set(auth(ADMIN_TOKEN))
    .buffer(true)
    .parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  expect(raw.status).toBe(200);
  expect(raw.headers['content-type']).toMatch(/^multipart\/signed/);
  expect((raw.body as Buffer).equals(Buffer.from(row.mdn_body))).toBe(true);
  expect(raw.headers['x-as2-mdn-header-as2-from']).toBe('OUTA');
  expect(
    (await request(gw.app).get('/api/v1/partners/outa/as2/messages/nope/mdn').set(auth(ADMIN_TOKEN))).status,
  ).toBe(404);
});

test("the partner's algorithms: SHA-384, AES-128-GCM, compressed before signing", async () => {
  const name = await partner('OUTB', { signDigest: 'sha384', encryption: 'aes-128-gcm', compress: true });
  const { delivery } = await send997(name);
  expect(delivery.status).toBe('delivered');
  const [sent] = opened.filter((o) => o.partner === name);
  expect(header(sent!.got.headers, 'content-type')).toMatch(/smime-type=authEnveloped-data/);
  expect(sent!.message.signedContentType).toContain('micalg=sha-384');
  expect(sent!.message.compressedOutside).toBe(false);
  expect(sent!.message.content.toString('latin1')).toMatch(
    /^Content-Type: application\/pkcs7-mime; smime-type=compressed-data/,
  );
  const printed = lab
    .run(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', lab.file(sent!.got.body)])
    .toString();
  expect(printed).toContain('aes-128-gcm');
});

test('compressed after signing (as2.compressWhen): openssl decrypts, the CompressedData inflates to the multipart/signed it verifies, and the MDN with the MIC over the payload entity delivers', async () => {
  const name = await partner('OUTBA', {
    signDigest: 'sha256',
    encryption: 'aes-256-cbc',
    compress: true,
    compressWhen: 'after-signing',
  });
  const { delivery } = await send997(name);
  expect(delivery.status).toBe('delivered');
  const [sent] = opened.filter((o) => o.partner === name);
  expect(sent!.message.compressedOutside).toBe(true);
  expect(sent!.message.signedContentType).toMatch(/^multipart\/signed/);
  expect(sent!.message.content.toString('latin1')).toMatch(/^Content-Type: application\/edi-x12/);
  const row = await gw.env.db('as2_messages').where({ direction: 'out', delivery_id: delivery.id }).first();
  expect(row.mic).toBe(`${lab.mic(sent!.message.content, 'sha256')}, sha-256`);
});

test('a negative MDN, a wrong MIC, no MDN and an unsigned MDN are failed attempts, retried until a good one', async () => {
  const name = await partner('OUTC');
  plans.set(name, ['wrong-mic', 'none']);
  const first = await send997(name);
  expect(first.delivery).toMatchObject({ status: 'delivered', attempts: 3 });
  const attempts = await gw.env
    .db('delivery_attempts')
    .where({ delivery_id: first.delivery.id })
    .orderBy('attempt');
  expect(attempts.map((a) => a.error)).toEqual([
    expect.stringContaining('Received-Content-MIC'),
    expect.stringContaining('no MDN'),
    null,
  ]);
  // Every attempt carried the same Message-ID.
  const ids = new Set(
    opened.filter((o) => o.partner === name).map((o) => header(o.got.headers, 'message-id')),
  );
  expect(ids.size).toBe(1);

  plans.set(name, ['negative', 'unsigned', 'stranger']);
  const second = await send997(name);
  expect(second.delivery).toMatchObject({ status: 'failed', attempts: 3 });
  expect(second.delivery.last_error).toContain('gave up after 3 attempts');
  const errors = (
    await gw.env.db('delivery_attempts').where({ delivery_id: second.delivery.id }).orderBy('attempt')
  ).map((a) => a.error);
  expect(errors[0]).toContain('processed/error: decryption-failed');
  expect(errors[1]).toContain('unsigned');
  expect(errors[2]).toContain('authentication-failed');
  const row = await gw.env
    .db('as2_messages')
    .where({ direction: 'out', delivery_id: second.delivery.id })
    .first();
  expect(row.status).toBe('failed');
});

describe('cXML over AS2 (cxml.transport "as2")', () => {
  test('is refused without as2.url, and sends the order confirmation as an AS2 message openssl opens', async () => {
    const base = (as2: Record<string, unknown>) =>
      as2Partner({ id: 'outx', isaId: 'OUTX', as2Id: 'OUTX', certificates: [partnerKey], as2 });
    const cxml = {
      credentials: [{ domain: 'NetworkID', identity: 'AN-OUTX' }],
      sharedSecret: 'outx-secret-1',
      supplierSharedSecret: 'supplier-secret-for-outx',
      transport: 'as2',
    };
    const refused = await putPartner(gw.app, { ...base({}), cxml, outboundFormats: ['cxml'] });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('cxml.transport "as2" needs');
    const res = await putPartner(gw.app, {
      ...base({ url: `${receiver.url}/as2` }),
      cxml,
      outboundFormats: ['cxml'],
    });
    expect(res.status).toBe(201);
    expect(res.body.cxml.transport).toBe('as2');

    const order = await insertConfirmedOrder(gw.env.db, {
      partnerId: 'outx',
      lines: [{ sku: 'PEN-BLU-12', quantity: '2', unitPrice: '4.50' }],
    });
    const sent = await gw.env.db.transaction((trx) =>
      sendOrderConfirmation(trx, gw.env.ctx, order.id, { kind: 'accept' }),
    );
    expect(sent?.deliveryId).toBeDefined();
    const delivery = await waitFor(
      () => gw.env.db('deliveries').where({ id: sent!.deliveryId }).whereNot('status', 'pending').first(),
      20000,
      'the delivery decided',
    );
    expect(delivery).toMatchObject({ status: 'delivered', transport: 'as2', url: `${receiver.url}/as2` });
    const [got] = opened.filter((o) => o.partner === 'OUTX');
    expect(header(got!.got.headers, 'content-type')).toMatch(/smime-type=enveloped-data/);
    const content = got!.message.content.toString('utf8');
    expect(content).toMatch(/^Content-Type: text\/xml; charset=utf-8\r\n/);
    expect(content).toContain('<ConfirmationRequest>');
    expect(content).toContain(`payloadID="${sent!.payloadId}"`);
    // The stored copy has the supplier's SharedSecret masked; the AS2 payload carries the secret.
    expect(content).toContain('<SharedSecret>supplier-secret-for-outx</SharedSecret>');
    const row = await gw.env.db('as2_messages').where({ direction: 'out', delivery_id: delivery.id }).first();
    expect(row).toMatchObject({ document_id: sent!.documentId, partner_id: 'outx' });
    expect(row.mdn_disposition).toMatch(/; processed$/);
  });
});
