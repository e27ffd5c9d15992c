/**
 * AS2 in the partner contract and the supplier's AS2 keys: the partner's certificates (several, PEM,
 * DER or PKCS#12 files built by `openssl pkcs12 -export`) are kept with the validity they state and answered as summaries; the AS2 name is a partner identity
 * of its own; the supplier's key pairs are imported (PEM, PKCS#12) and kept encrypted under
 * SECRETS_KEY, never answered; a start with another SECRETS_KEY is refused.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { checkSecretsKey } from '../../../src/partners/supplier-secret';
import { supplierKeys } from '../../../src/transports/as2/keys';
import { partnerCertificates } from '../../../src/transports/as2/certificates';
import { ADMIN_TOKEN, auth } from '../../helpers/env';
import { OpensslLab, type Identity } from '../../unit/as2/openssl';
import { as2Partner, putPartner, setupAs2Gateway, type Gateway } from './helpers';

let lab: OpensslLab;
let gateway: Identity;
let partnerOld: Identity;
let partnerNew: Identity;
let gw: Gateway;

beforeAll(async () => {
  lab = new OpensslLab();
  gateway = lab.identity('gateway');
  partnerOld = lab.identity('partner-2025', { days: 30 });
  partnerNew = lab.identity('partner-2026', { days: 400 });
  gw = await setupAs2Gateway(gateway);
}, 60000);
afterAll(async () => {
  await gw?.env.close();
  lab?.cleanup();
});

describe('the partner contract', () => {
  it('keeps every certificate with its validity and answers summaries, not the PEM', async () => {
    const body = as2Partner({
      id: 'as2-contract',
      isaId: 'AS2CONTRACT',
      as2Id: 'PARTNER CONTRACT',
      certificates: [partnerOld, partnerNew],
      as2: { encryption: 'aes-128-gcm', signDigest: 'sha384', mdn: { mode: 'async', signed: true } },
    });
    const res = await putPartner(gw.app, body);
    expect(res.status).toBe(201);
    expect(res.body.as2).toMatchObject({
      id: 'PARTNER CONTRACT',
      encryption: 'aes-128-gcm',
      signDigest: 'sha384',
      compress: false,
      compressWhen: 'before-signing',
      mdn: { mode: 'async', signed: true },
      requireSigned: true,
      requireEncrypted: false,
    });
    expect(res.body.as2.certificates).toEqual([
      expect.objectContaining({
        fingerprintSha256: partnerOld.cert.fingerprintSha256,
        subject: 'O=AS2 test, CN=partner-2025',
        notAfter: partnerOld.cert.notAfter.toISOString(),
      }),
      expect.objectContaining({
        fingerprintSha256: partnerNew.cert.fingerprintSha256,
        notBefore: partnerNew.cert.notBefore.toISOString(),
      }),
    ]);
    expect(JSON.stringify(res.body)).not.toContain('BEGIN CERTIFICATE');
    const certs = await partnerCertificates(gw.env.db, 'as2-contract');
    expect(certs.map((c) => c.fingerprintSha256).sort()).toEqual(
      [partnerOld.cert.fingerprintSha256, partnerNew.cert.fingerprintSha256].sort(),
    );
    const got = await request(gw.app).get('/api/v1/partners/as2-contract').set(auth(ADMIN_TOKEN));
    expect(got.body.as2.certificates).toHaveLength(2);

    // A replace with the new certificate only, as DER in base64: the old one is gone.
    body.as2.certificates[1] = partnerNew.cert.der.toString('base64');
    const replaced = await putPartner(gw.app, {
      ...body,
      as2: { ...body.as2, certificates: [body.as2.certificates[1]] },
    });
    expect(replaced.status).toBe(200);
    expect((await partnerCertificates(gw.env.db, 'as2-contract')).map((c) => c.fingerprintSha256)).toEqual([
      partnerNew.cert.fingerprintSha256,
    ]);
  });

  it('refuses a text without a certificate, and one holding a private key', async () => {
    const bad = as2Partner({ id: 'as2-bad', isaId: 'AS2BAD', as2Id: 'BAD', certificates: [partnerNew] });
    const garbled = await putPartner(gw.app, {
      ...bad,
      as2: {
        ...bad.as2,
        certificates: ['-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n'],
      },
    });
    expect(garbled.status).toBe(400);
    expect(garbled.body.error.message).toContain('as2.certificates.0');
    const withKey = await putPartner(gw.app, {
      ...bad,
      as2: { ...bad.as2, certificates: [bad.as2.certificates[0] + readFileSync(partnerNew.keyPath, 'utf8')] },
    });
    expect(withKey.status).toBe(400);
    expect(withKey.body.error.message).toContain('private key');
    expect(await gw.env.db('partners').where({ id: 'as2-bad' }).first()).toBeUndefined();
  });

  it('an AS2 name belongs to one partner', async () => {
    const a = as2Partner({
      id: 'as2-one',
      isaId: 'AS2ONE',
      as2Id: 'SHARED-NAME',
      certificates: [partnerNew],
    });
    expect((await putPartner(gw.app, a)).status).toBe(201);
    const b = as2Partner({
      id: 'as2-two',
      isaId: 'AS2TWO',
      as2Id: 'shared-name',
      certificates: [partnerNew],
    });
    expect((await putPartner(gw.app, b)).status).toBe(409);
  });

  it('x12.transport "as2" needs as2.url', async () => {
    const body = as2Partner({
      id: 'as2-out',
      isaId: 'AS2OUT',
      as2Id: 'OUT',
      certificates: [partnerNew],
      x12: { transport: 'as2' },
    });
    const res = await putPartner(gw.app, body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('as2.url');
    const ok = await putPartner(gw.app, {
      ...body,
      as2: { ...body.as2, url: 'https://as2.out.example/as2' },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.x12.transport).toBe('as2');
  });
});

describe("the supplier's AS2 keys", () => {
  it('imports a PKCS#12 key pair, keeps the key encrypted and answers only the certificate', async () => {
    const second = lab.identity('gateway-2027', { days: 700 });
    const p12 = lab.tmp('gateway-2027.p12');
    lab.run([
      'pkcs12',
      '-export',
      '-inkey',
      second.keyPath,
      '-in',
      second.certPath,
      '-out',
      p12,
      '-passout',
      'pass:s3cret',
    ]);
    const res = await request(gw.app)
      .post('/api/v1/as2/keys')
      .set(auth(ADMIN_TOKEN))
      .send({ pkcs12: lab.read(p12).toString('base64'), password: 's3cret' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ fingerprintSha256: second.cert.fingerprintSha256, retiredAt: null });
    expect(res.body.certificatePem).toContain('BEGIN CERTIFICATE');
    const wrong = await request(gw.app)
      .post('/api/v1/as2/keys')
      .set(auth(ADMIN_TOKEN))
      .send({ pkcs12: lab.read(p12).toString('base64'), password: 'wrong' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toMatch(/password/i);
    expect(
      await gw.env.db('as2_keys').where({ fingerprint_sha256: second.cert.fingerprintSha256 }),
    ).toHaveLength(1);
    const again = await request(gw.app)
      .post('/api/v1/as2/keys')
      .set(auth(ADMIN_TOKEN))
      .send({ pem: readFileSync(second.certPath, 'utf8') + readFileSync(second.keyPath, 'utf8') });
    expect(again.status).toBe(409);

    const list = await request(gw.app).get('/api/v1/as2/keys').set(auth(ADMIN_TOKEN));
    expect(list.body.items.map((k: { fingerprintSha256: string }) => k.fingerprintSha256)).toEqual([
      second.cert.fingerprintSha256,
      gateway.cert.fingerprintSha256,
    ]);
    expect(JSON.stringify(list.body)).not.toContain('PRIVATE KEY');
    const rows = await gw.env.db('as2_keys').select('private_key_enc');
    for (const r of rows) {
      expect(r.private_key_enc).toMatch(/^v1\./);
      expect(r.private_key_enc).not.toContain('PRIVATE');
    }

    const keys = await supplierKeys(gw.env.db, gw.env.config);
    expect(keys.decryptionKeys).toHaveLength(2);
    // The newest valid key signs.
    expect(keys.signingKey(new Date())?.certificate.fingerprintSha256).toBe(second.cert.fingerprintSha256);

    const retired = await request(gw.app)
      .post(`/api/v1/as2/keys/${res.body.id}/retire`)
      .set(auth(ADMIN_TOKEN));
    expect(retired.body.retiredAt).not.toBeNull();
    const after = await supplierKeys(gw.env.db, gw.env.config);
    expect(after.signingKey(new Date())?.certificate.fingerprintSha256).toBe(gateway.cert.fingerprintSha256);
  });

  it('a key pair whose key is not the certificate’s is refused', async () => {
    const res = await request(gw.app)
      .post('/api/v1/as2/keys')
      .set(auth(ADMIN_TOKEN))
      .send({ pem: readFileSync(partnerNew.certPath, 'utf8') + readFileSync(gateway.keyPath, 'utf8') });
    expect(res.status).toBe(400);
  });

  it('a start with another SECRETS_KEY is refused, naming the AS2 keys', async () => {
    const other = Buffer.alloc(32, 9).toString('base64');
    await expect(checkSecretsKey(gw.env.db, { SECRETS_KEY: other })).rejects.toThrow(/AS2 keys/);
    await expect(checkSecretsKey(gw.env.db, { SECRETS_KEY: undefined })).rejects.toThrow(/AS2 keys/);
    await expect(checkSecretsKey(gw.env.db, gw.env.config)).resolves.toBeUndefined();
  });
});

/** A certificate for `name` issued by `ca` (openssl x509 -req), with its key. */
function issued(ca: Identity, name: string): { certPath: string; keyPath: string } {
  const keyPath = lab.tmp(`${name}.key`);
  const csr = lab.tmp(`${name}.csr`);
  const certPath = lab.tmp(`${name}.crt`);
  lab.run([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyPath,
    '-out',
    csr,
    '-subj',
    `/O=AS2 test/CN=${name}`,
  ]);
  lab.run([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.certPath,
    '-CAkey',
    ca.keyPath,
    '-CAcreateserial',
    '-out',
    certPath,
    '-days',
    '200',
  ]);
  return { certPath, keyPath };
}

/** openssl pkcs12 -export of the given files (no key: -nokeys), base64. */
function p12(args: string[], password: string): string {
  const out = lab.tmp();
  lab.run(['pkcs12', '-export', ...args, '-out', out, '-passout', `pass:${password}`]);
  return lab.read(out).toString('base64');
}

describe('PKCS#12 import (openssl pkcs12 -export)', () => {
  const fingerprint = (path: string) => new X509Certificate(readFileSync(path)).fingerprint256;

  it("a partner's certificate in a .p12 without a key (also a legacy RC2/3DES one): kept, the password nowhere", async () => {
    const body = as2Partner({
      id: 'as2-p12',
      isaId: 'AS2P12',
      as2Id: 'P12 PARTNER',
      certificates: [partnerNew],
    });
    const file = p12(['-nokeys', '-in', partnerNew.certPath], 'p12-secret-1');
    const legacy = p12(['-legacy', '-nokeys', '-in', partnerOld.certPath], 'p12-secret-2');
    const res = await putPartner(gw.app, {
      ...body,
      as2: {
        ...body.as2,
        certificates: [
          { pkcs12: file, password: 'p12-secret-1' },
          { pkcs12: legacy, password: 'p12-secret-2' },
        ],
      },
    });
    expect(res.status).toBe(201);
    expect(
      res.body.as2.certificates.map((c: { fingerprintSha256: string }) => c.fingerprintSha256).sort(),
    ).toEqual([partnerNew.cert.fingerprintSha256, partnerOld.cert.fingerprintSha256].sort());
    expect((await partnerCertificates(gw.env.db, 'as2-p12')).map((c) => c.fingerprintSha256).sort()).toEqual(
      [partnerNew.cert.fingerprintSha256, partnerOld.cert.fingerprintSha256].sort(),
    );
    const row = await gw.env.db('partners').where({ id: 'as2-p12' }).first();
    const stored = JSON.stringify(row);
    expect(stored).not.toContain('p12-secret');
    expect(stored).not.toContain(file.slice(0, 40));
    const got = await request(gw.app).get('/api/v1/partners/as2-p12').set(auth(ADMIN_TOKEN));
    expect(JSON.stringify(got.body)).not.toContain('p12-secret');
  });

  it('a chain in a .p12: the end-entity certificate is the partner’s, not its CA', async () => {
    const ca = lab.identity('partner-ca', { days: 900 });
    const leaf = issued(ca, 'partner-leaf');
    const body = as2Partner({
      id: 'as2-chain',
      isaId: 'AS2CHAIN',
      as2Id: 'CHAIN PARTNER',
      certificates: [partnerNew],
    });
    const res = await putPartner(gw.app, {
      ...body,
      as2: {
        ...body.as2,
        certificates: [
          {
            pkcs12: p12(['-nokeys', '-in', leaf.certPath, '-certfile', ca.certPath], 'pw-chain'),
            password: 'pw-chain',
          },
        ],
      },
    });
    expect(res.status).toBe(201);
    expect((await partnerCertificates(gw.env.db, 'as2-chain')).map((c) => c.fingerprintSha256)).toEqual([
      fingerprint(leaf.certPath),
    ]);
  });

  it('a wrong password, a damaged file or a .p12 holding a private key: a clear 400, nothing stored', async () => {
    const body = as2Partner({
      id: 'as2-p12-bad',
      isaId: 'AS2P12BAD',
      as2Id: 'P12 BAD',
      certificates: [partnerNew],
    });
    const file = p12(['-nokeys', '-in', partnerNew.certPath], 'right');
    const cases: [object, RegExp][] = [
      [{ pkcs12: file, password: 'wrong' }, /as2\.certificates\.0: the PKCS#12 password is wrong/],
      [
        { pkcs12: Buffer.from('not a pfx').toString('base64'), password: 'x' },
        /as2\.certificates\.0: not a readable PKCS#12 file/,
      ],
      [
        { pkcs12: p12(['-inkey', partnerNew.keyPath, '-in', partnerNew.certPath], 'k'), password: 'k' },
        /as2\.certificates\.0 holds a private key: give only the certificate \(openssl pkcs12 -export -nokeys\)/,
      ],
    ];
    for (const [entry, message] of cases) {
      const res = await putPartner(gw.app, { ...body, as2: { ...body.as2, certificates: [entry] } });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
    expect(await gw.env.db('partners').where({ id: 'as2-p12-bad' })).toHaveLength(0);
    expect(await partnerCertificates(gw.env.db, 'as2-p12-bad')).toHaveLength(0);
  });

  it("the supplier's key pair from a .p12 with its chain: the key's own certificate, the key encrypted; a wrong password stores nothing", async () => {
    const ca = lab.identity('gateway-ca', { days: 900 });
    const leaf = issued(ca, 'gateway-leaf');
    const file = p12(['-inkey', leaf.keyPath, '-in', leaf.certPath, '-certfile', ca.certPath], 'chain-pw');
    const before = await gw.env.db('as2_keys').count<{ n: string }[]>('* as n');
    const wrong = await request(gw.app)
      .post('/api/v1/as2/keys')
      .set(auth(ADMIN_TOKEN))
      .send({ pkcs12: file, password: 'not-it' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toMatch(/cannot be read.*password/i);
    expect(await gw.env.db('as2_keys').count<{ n: string }[]>('* as n')).toEqual(before);
    const res = await request(gw.app)
      .post('/api/v1/as2/keys')
      .set(auth(ADMIN_TOKEN))
      .send({ pkcs12: file, password: 'chain-pw' });
    expect(res.status).toBe(201);
    expect(res.body.fingerprintSha256).toBe(fingerprint(leaf.certPath));
    const row = await gw.env.db('as2_keys').where({ id: res.body.id }).first();
    expect(row.private_key_enc).toMatch(/^v1\./);
    expect(JSON.stringify(row)).not.toContain('chain-pw');
    // The key decrypts what is encrypted to the leaf certificate.
    const keys = await supplierKeys(gw.env.db, gw.env.config);
    expect(keys.decryptionKeys.map((k) => k.certificate.fingerprintSha256)).toContain(
      fingerprint(leaf.certPath),
    );
    await request(gw.app).post(`/api/v1/as2/keys/${res.body.id}/retire`).set(auth(ADMIN_TOKEN)).expect(200);
  });
});
