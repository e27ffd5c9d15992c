/**
 * Inbound AS2 over real HTTP against the app with real Postgres: partner messages built by
 * `openssl cms` in each combination become orders through the X12 intake and get a signed MDN that
 * `openssl cms -verify` accepts, whose Received-Content-MIC equals an independent `openssl dgst` over
 * the bytes RFC 4130 7.3.1 names; refusals get the negative MDN of their kind and create nothing; a
 * Message-ID received again gets the stored MDN again.
 */
import { X509Certificate } from 'node:crypto';
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
import { canonical, header, mdnFields, PartnerStation, type Sent } from './partner-lab';

let lab: OpensslLab;
let gatewayKey: Identity;
let partnerKey: Identity;
let stranger: Identity;
let station: PartnerStation;
let gw: Gateway;
let http: Awaited<ReturnType<typeof listenApp>>;

const PARTNER_AS2 = 'ACME AS2';
const ISA_ID = 'ACMEAS2';

beforeAll(async () => {
  lab = new OpensslLab();
  gatewayKey = lab.identity('gateway');
  partnerKey = lab.identity('partner');
  stranger = lab.identity('stranger');
  station = new PartnerStation(lab, partnerKey, gatewayKey);
  gw = await setupAs2Gateway(gatewayKey);
  const res = await putPartner(
    gw.app,
    as2Partner({
      id: 'acme-as2',
      isaId: ISA_ID,
      as2Id: PARTNER_AS2,
      certificates: [partnerKey],
      // This partner may send unsigned (encrypted or compressed only) messages.
      as2: { requireSigned: false },
    }),
  );
  expect(res.status).toBe(201);
  http = await listenApp(gw.app);
}, 60000);
afterAll(async () => {
  await http?.close();
  await gw?.env.close();
  lab?.cleanup();
});

let n = 0;
/** A fresh 850 (its own ISA13 and PO number) with the line ends asked for. */
function order(eol: '\r\n' | '\n' = '\r\n'): { po: string; x12: Buffer } {
  n++;
  const po = `AS2-PO-${n}`;
  const text = interchange850({ sender: ISA_ID, isa13: String(100000000 + n), po });
  return { po, x12: Buffer.from(eol === '\n' ? text : text.replace(/\n/g, '\r\n'), 'latin1') };
}

function as2Headers(id: string, extra: [string, string][] = []): [string, string][] {
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
    ...extra,
  ];
}

const ordersOf = (po: string) =>
  gw.env.db('orders').where({ partner_id: 'acme-as2', buyer_order_number: po });
const orderCount = async () => Number((await gw.env.db('orders').count<{ n: string }[]>('* as n'))[0]!.n);

/** The MDN verified by openssl (signed by the gateway's certificate); its fields. */
function verifiedMdn(res: Sent, to = `"${PARTNER_AS2}"`) {
  expect(res.status).toBe(200);
  expect(header(res.headers, 'content-type')).toMatch(/^multipart\/signed/);
  expect(header(res.headers, 'as2-from')).toBe(GATEWAY_AS2_ID);
  expect(header(res.headers, 'as2-to')).toBe(to);
  const { report, signerPem } = station.verifyMdn(res);
  expect(new X509Certificate(signerPem).fingerprint256).toBe(gatewayKey.cert.fingerprintSha256);
  return mdnFields(report);
}

describe('accepted messages: an order, and a signed MDN with the right MIC', () => {
  type Case = {
    name: string;
    eol: '\r\n' | '\n';
    te: 'binary' | 'base64';
    /** Builds the S/MIME message from the payload entity; returns it with the bytes the MIC covers. */
    wrap: (e: Buffer) => { smime: Buffer; micOver: Buffer };
  };
  const cases: Case[] = [
    {
      name: 'signed SHA-256 (text mode), CRLF payload, binary',
      eol: '\r\n',
      te: 'binary',
      wrap: (e) => ({ smime: station.sign(e, 'sha256'), micOver: canonical(e) }),
    },
    {
      name: 'signed SHA-1 (-binary), LF payload, binary',
      eol: '\n',
      te: 'binary',
      wrap: (e) => ({ smime: station.sign(e, 'sha1', { binary: true }), micOver: e }),
    },
    {
      name: 'signed SHA-256, base64 payload',
      eol: '\n',
      te: 'base64',
      wrap: (e) => ({ smime: station.sign(e, 'sha256', { binary: true }), micOver: e }),
    },
    {
      name: 'encrypted only AES-128-CBC, LF payload',
      eol: '\n',
      te: 'binary',
      wrap: (e) => ({ smime: station.encrypt(e, 'aes-128-cbc'), micOver: e }),
    },
    {
      name: 'encrypted only AES-256-GCM, base64 payload',
      eol: '\r\n',
      te: 'base64',
      wrap: (e) => ({ smime: station.encrypt(e, 'aes-256-gcm'), micOver: e }),
    },
    {
      name: 'signed SHA-256 and encrypted AES-256-CBC, CRLF payload',
      eol: '\r\n',
      te: 'binary',
      wrap: (e) => ({
        smime: station.encrypt(station.sign(e, 'sha256', { binary: true }), 'aes-256-cbc'),
        micOver: e,
      }),
    },
    {
      name: 'signed SHA-1 and encrypted AES-128-GCM, LF payload (text mode signing)',
      eol: '\n',
      te: 'binary',
      wrap: (e) => ({
        smime: station.encrypt(station.sign(e, 'sha1'), 'aes-128-gcm'),
        micOver: canonical(e),
      }),
    },
    {
      name: 'signed and encrypted 3DES, base64 payload',
      eol: '\n',
      te: 'base64',
      wrap: (e) => ({
        smime: station.encrypt(station.sign(e, 'sha256', { binary: true }), 'des3'),
        micOver: e,
      }),
    },
    {
      name: 'compressed, then signed and encrypted',
      eol: '\n',
      te: 'binary',
      wrap: (e) => {
        const c = station.compress(e);
        return {
          smime: station.encrypt(station.sign(c, 'sha256', { binary: true }), 'aes-256-cbc'),
          micOver: c,
        };
      },
    },
    {
      name: 'signed, then compressed, then encrypted (RFC 5402 compression after signing)',
      eol: '\n',
      te: 'binary',
      wrap: (e) => ({
        smime: station.encrypt(station.compress(station.sign(e, 'sha256', { binary: true })), 'aes-128-gcm'),
        micOver: e,
      }),
    },
    {
      name: 'signed (text mode), then compressed, not encrypted',
      eol: '\r\n',
      te: 'base64',
      wrap: (e) => ({ smime: station.compress(station.sign(e, 'sha256')), micOver: canonical(e) }),
    },
    {
      name: 'compressed, then signed, not encrypted',
      eol: '\r\n',
      te: 'binary',
      wrap: (e) => {
        const c = station.compress(e);
        return { smime: station.sign(c, 'sha256', { binary: true }), micOver: c };
      },
    },
    {
      name: 'compressed, then encrypted (unsigned)',
      eol: '\n',
      te: 'binary',
      wrap: (e) => ({ smime: station.encrypt(station.compress(e), 'aes-256-cbc'), micOver: e }),
    },
    {
      name: 'compressed only',
      eol: '\r\n',
      te: 'binary',
      wrap: (e) => ({ smime: station.compress(e), micOver: e }),
    },
  ];

  test.each(cases)('$name', async ({ eol, te, wrap }) => {
    const { po, x12 } = order(eol);
    const { smime, micOver } = wrap(station.entity(x12, te));
    const id = `in-${n}`;
    const res = await station.send(`${http.url}/as2`, smime, as2Headers(id));
    const f = verifiedMdn(res);
    expect(f.disposition).toBe('automatic-action/MDN-sent-automatically; processed');
    expect(f.originalMessageId).toBe(`<${id}@partner.example>`);
    expect(f.mic).toBe(`${lab.mic(micOver, 'sha256')}, sha-256`);
    expect(await ordersOf(po)).toHaveLength(1);
    const row = await gw.env
      .db('as2_messages')
      .where({ message_id: `${id}@partner.example` })
      .first();
    expect(row).toMatchObject({ status: 'processed', partner_id: 'acme-as2', mdn_signed: true });
    expect(row.document_id).not.toBeNull();
  });

  test('the MIC algorithm the partner asks for (SHA-1) is the one answered', async () => {
    const { po, x12 } = order();
    const e = station.entity(x12);
    const smime = station.encrypt(station.sign(e, 'sha256', { binary: true }), 'aes-256-cbc');
    const res = await station.send(
      `${http.url}/as2/acme-as2`,
      smime,
      as2Headers(`sha1-${n}`, [
        [
          'Disposition-Notification-Options',
          'signed-receipt-protocol=required, pkcs7-signature; signed-receipt-micalg=required, sha1',
        ],
      ]),
    );
    expect(verifiedMdn(res).mic).toBe(`${lab.mic(e, 'sha1')}, sha-1`);
    expect(await ordersOf(po)).toHaveLength(1);
  });

  test('a Message-ID received again gets the stored MDN byte for byte and orders nothing more', async () => {
    const { po, x12 } = order();
    const smime = station.encrypt(
      station.sign(station.entity(x12), 'sha256', { binary: true }),
      'aes-256-cbc',
    );
    const first = await station.send(`${http.url}/as2`, smime, as2Headers(`dup-${n}`));
    const again = await station.send(`${http.url}/as2`, smime, as2Headers(`dup-${n}`));
    expect(again.body.equals(first.body)).toBe(true);
    expect(header(again.headers, 'message-id')).toBe(header(first.headers, 'message-id'));
    verifiedMdn(again);
    expect(await ordersOf(po)).toHaveLength(1);
    expect(await gw.env.db('as2_messages').where({ message_id: `dup-${n}@partner.example` })).toHaveLength(1);
  });

  test('an unsigned MDN when no signed receipt is asked for; no body when no MDN is asked for', async () => {
    const a = order();
    const unsignedAsk = await station.send(
      `${http.url}/as2`,
      station.sign(station.entity(a.x12), 'sha256', { binary: true }),
      as2Headers(`plain-${n}`).filter(([name]) => name !== 'Disposition-Notification-Options'),
    );
    expect(unsignedAsk.status).toBe(200);
    expect(header(unsignedAsk.headers, 'content-type')).toMatch(/^multipart\/report/);
    expect(mdnFields(unsignedAsk.body.toString('latin1')).disposition).toMatch(/; processed$/);
    const b = order();
    const none = await station.send(
      `${http.url}/as2`,
      station.sign(station.entity(b.x12), 'sha256', { binary: true }),
      as2Headers(`none-${n}`).filter(([name]) => !name.startsWith('Disposition-Notification')),
    );
    expect(none.status).toBe(200);
    expect(none.body.length).toBe(0);
    expect(await ordersOf(b.po)).toHaveLength(1);
  });
});

describe('refused messages: a negative MDN of their kind, and nothing created', () => {
  async function refused(smime: Buffer, headers: [string, string][], url = `${http.url}/as2`) {
    const from = headers.find(([k]) => k === 'AS2-From')![1];
    const before = await orderCount();
    const docs = Number(
      (await gw.env.db('documents').where({ direction: 'in' }).count<{ n: string }[]>('* as n'))[0]!.n,
    );
    const res = await station.send(url, smime, headers);
    const f = verifiedMdn(res, from);
    expect(f.mic).toBeUndefined();
    expect(await orderCount()).toBe(before);
    const docsAfter = Number(
      (await gw.env.db('documents').where({ direction: 'in' }).count<{ n: string }[]>('* as n'))[0]!.n,
    );
    expect(docsAfter).toBe(docs);
    return f.disposition;
  }

  test('tampered content: integrity-check-failed', async () => {
    const { x12 } = order();
    const signed = station.sign(station.entity(x12), 'sha256', { binary: true });
    const tampered = Buffer.from(signed.toString('latin1').replace('PO1*1*2*BX', 'PO1*1*9*BX'), 'latin1');
    expect(tampered.equals(signed)).toBe(false);
    expect(await refused(station.encrypt(tampered, 'aes-256-cbc'), as2Headers(`tamper-${n}`))).toBe(
      'automatic-action/MDN-sent-automatically; processed/error: integrity-check-failed',
    );
    const row = await gw.env
      .db('as2_messages')
      .where({ message_id: `tamper-${n}@partner.example` })
      .first();
    expect(row).toMatchObject({ status: 'refused' });
    expect(row.error).toContain('integrity-check-failed');
  });

  test('signed with a certificate that is not the partner’s: authentication-failed', async () => {
    const { x12 } = order();
    const smime = station.sign(station.entity(x12), 'sha256', { signer: stranger });
    expect(await refused(smime, as2Headers(`stranger-${n}`))).toMatch(/error: authentication-failed$/);
  });

  test('encrypted for a certificate that is not the gateway’s: decryption-failed', async () => {
    const { x12 } = order();
    const smime = station.encrypt(station.entity(x12), 'aes-256-cbc', stranger);
    expect(await refused(smime, as2Headers(`wrongkey-${n}`))).toMatch(/error: decryption-failed$/);
  });

  test('an unknown AS2-From: authentication-failed, and nothing recorded for it', async () => {
    const { x12 } = order();
    const smime = station.sign(station.entity(x12), 'sha256');
    const headers = as2Headers(`unknown-${n}`).map(([k, v]): [string, string] => [
      k,
      k === 'AS2-From' ? 'NOBODY' : v,
    ]);
    expect(await refused(smime, headers)).toMatch(/error: authentication-failed$/);
    expect(
      await gw.env.db('as2_messages').where({ message_id: `unknown-${n}@partner.example` }),
    ).toHaveLength(0);
  });

  test('another partner in the URL than AS2-From names: authentication-failed', async () => {
    const { x12 } = order();
    const smime = station.sign(station.entity(x12), 'sha256');
    expect(await refused(smime, as2Headers(`path-${n}`), `${http.url}/as2/someone-else`)).toMatch(
      /error: authentication-failed$/,
    );
  });

  test('not addressed to this station: unexpected-processing-error', async () => {
    const { x12 } = order();
    const headers = as2Headers(`to-${n}`).map(([k, v]): [string, string] => [
      k,
      k === 'AS2-To' ? 'SOMEONE' : v,
    ]);
    expect(await refused(station.sign(station.entity(x12), 'sha256'), headers)).toMatch(
      /error: unexpected-processing-error$/,
    );
  });

  test('a payload that is not an X12 interchange: unexpected-processing-error', async () => {
    const smime = station.sign(station.entity(Buffer.from('hello, not X12\r\n')), 'sha256');
    expect(await refused(smime, as2Headers(`notx12-${n++}`))).toMatch(/error: unexpected-processing-error$/);
  });

  test('a refused Message-ID may be sent again correctly and is then processed', async () => {
    const { po, x12 } = order();
    const id = `retry-${n}`;
    await refused(station.sign(station.entity(x12), 'sha256', { signer: stranger }), as2Headers(id));
    const res = await station.send(
      `${http.url}/as2`,
      station.sign(station.entity(x12), 'sha256'),
      as2Headers(id),
    );
    expect(verifiedMdn(res).disposition).toMatch(/; processed$/);
    expect(await ordersOf(po)).toHaveLength(1);
  });
});

describe('the HTTP edges', () => {
  test('without AS2 headers: 400, no MDN can be addressed', async () => {
    const res = await fetch(`${http.url}/as2`, {
      method: 'POST',
      body: 'x',
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('AS2-From');
  });

  test('a body over MAX_BODY_BYTES: 413', async () => {
    const big = Buffer.alloc(gw.env.config.MAX_BODY_BYTES + 1, 0x41);
    const res = await fetch(`${http.url}/as2`, {
      method: 'POST',
      body: new Uint8Array(big),
      headers: Object.fromEntries([...as2Headers('big'), ['Content-Type', 'application/edi-x12']]),
    });
    expect(res.status).toBe(413);
  });
});

describe('a partner that must sign (the default)', () => {
  test('an unsigned message naming it is refused: insufficient-message-security, nothing ordered', async () => {
    const body = as2Partner({
      id: 'signing-as2',
      isaId: 'SIGNAS2',
      as2Id: 'SIGNER',
      certificates: [partnerKey],
    });
    expect((await putPartner(gw.app, body)).status).toBe(201);
    n++;
    const x12 = Buffer.from(
      interchange850({ sender: 'SIGNAS2', isa13: String(100000000 + n), po: `SIGN-${n}` }),
    );
    const headers = as2Headers(`unsigned-${n}`).map(([k, v]): [string, string] => [
      k,
      k === 'AS2-From' ? 'SIGNER' : v,
    ]);
    const res = await station.send(
      `${http.url}/as2`,
      station.encrypt(station.entity(x12), 'aes-256-cbc'),
      headers,
    );
    expect(verifiedMdn(res, 'SIGNER').disposition).toBe(
      'automatic-action/MDN-sent-automatically; processed/error: insufficient-message-security',
    );
    expect(await gw.env.db('orders').where({ partner_id: 'signing-as2' })).toHaveLength(0);
  });
});
