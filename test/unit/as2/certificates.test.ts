/**
 * Certificates and keys: import from PEM, DER and PKCS#12 made by openssl; the facts read from a
 * certificate agree with `openssl x509`; rollover choices given `now`.
 */
import {
  type As2Certificate,
  As2Error,
  expiringCertificates,
  importKeyMaterial,
  keyMatchesCertificate,
  newestValidCertificate,
  validCertificates,
} from '../../../protocols/as2';
import { rc2DecryptBlock } from '../../../protocols/as2/rc2';
import { type Identity, OpensslLab } from './openssl';

let lab: OpensslLab;
let a: Identity;
let b: Identity;

beforeAll(() => {
  lab = new OpensslLab();
  a = lab.identity('Partner A', { days: 30 });
  b = lab.identity('Partner B');
});
afterAll(() => lab.cleanup());

function refusal(fn: () => unknown): As2Error {
  try {
    fn();
  } catch (err) {
    if (err instanceof As2Error) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('import', () => {
  test('PEM certificate: subject, issuer, serial, validity and fingerprints agree with openssl x509', () => {
    const c = importKeyMaterial(lab.read(a.certPath)).certificates[0]!;
    const x = (opt: string): string => lab.run(['x509', '-in', a.certPath, '-noout', opt]).toString().trim();
    expect(c.subject).toBe('O=AS2 test, CN=Partner A');
    expect(c.issuer).toBe(c.subject);
    expect(x('-serial')).toBe(`serial=${c.serialNumber}`);
    expect(x('-fingerprint')).toContain(c.fingerprintSha1);
    expect(lab.run(['x509', '-in', a.certPath, '-noout', '-fingerprint', '-sha256']).toString()).toContain(
      c.fingerprintSha256,
    );
    expect(new Date(x('-enddate').replace('notAfter=', '')).getTime()).toBe(c.notAfter.getTime());
    expect(new Date(x('-startdate').replace('notBefore=', '')).getTime()).toBe(c.notBefore.getTime());
    expect(c.notAfter.getTime() - c.notBefore.getTime()).toBe(30 * 86_400_000);
    expect(c.subjectKeyIdentifier?.toString('hex').toUpperCase()).toBe(
      /Subject Key Identifier:\s*\n\s*([0-9A-F:]+)/
        .exec(lab.run(['x509', '-in', a.certPath, '-noout', '-text']).toString())![1]!
        .replace(/:/g, ''),
    );
  });

  test('DER certificate and DER key', () => {
    const der = lab.run(['x509', '-in', a.certPath, '-outform', 'DER']);
    expect(importKeyMaterial(der).certificates[0]!.fingerprintSha256).toBe(a.cert.fingerprintSha256);
    const keyDer = lab.run(['pkey', '-in', a.keyPath, '-outform', 'DER']);
    const k = importKeyMaterial(keyDer).privateKey!;
    expect(keyMatchesCertificate(k, a.cert)).toBe(true);
  });

  test('PEM bundle with key and two certificates: the key’s certificate comes first', () => {
    const pem = Buffer.concat([lab.read(b.certPath), lab.read(a.certPath), lab.read(a.keyPath)]);
    const m = importKeyMaterial(pem);
    expect(m.certificates.map((c) => c.subject)).toEqual([
      'O=AS2 test, CN=Partner A',
      'O=AS2 test, CN=Partner B',
    ]);
    expect(m.privateKey && keyMatchesCertificate(m.privateKey, m.certificates[0]!)).toBe(true);
  });

  test('encrypted PKCS#8 PEM key needs its password', () => {
    const enc = lab.run([
      'pkcs8',
      '-topk8',
      '-in',
      a.keyPath,
      '-passout',
      'pass:s3cret',
      '-v2',
      'aes-256-cbc',
    ]);
    expect(keyMatchesCertificate(importKeyMaterial(enc, { password: 's3cret' }).privateKey!, a.cert)).toBe(
      true,
    );
    expect(refusal(() => importKeyMaterial(enc, { password: 'wrong' }))).toMatchObject({
      reason: 'bad-password',
    });
  });

  test('a key with no matching certificate in the same bundle is refused', () => {
    const pem = Buffer.concat([lab.read(b.certPath), lab.read(a.keyPath)]);
    expect(refusal(() => importKeyMaterial(pem))).toMatchObject({ reason: 'key-mismatch' });
  });

  test.each([
    ['OpenSSL 3 default (PBES2 AES-256-CBC, HMAC-SHA256)', []],
    [
      'PBE-SHA1-3DES for key and certificates, SHA-1 MAC',
      ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'],
    ],
    ['unencrypted certificates', ['-certpbe', 'NONE']],
  ])('PKCS#12, %s: certificate and key with the password', (_label, args) => {
    const p12 = lab.tmp();
    lab.run([
      'pkcs12',
      '-export',
      '-in',
      a.certPath,
      '-inkey',
      a.keyPath,
      '-certfile',
      b.certPath,
      '-passout',
      'pass:p12 pass',
      '-out',
      p12,
      ...args,
    ]);
    const m = importKeyMaterial(lab.read(p12), { password: 'p12 pass' });
    expect(m.certificates[0]!.fingerprintSha256).toBe(a.cert.fingerprintSha256);
    expect(m.certificates).toHaveLength(2);
    expect(keyMatchesCertificate(m.privateKey!, m.certificates[0]!)).toBe(true);
    expect(refusal(() => importKeyMaterial(lab.read(p12), { password: 'nope' }))).toMatchObject({
      reason: 'bad-password',
    });
    expect(refusal(() => importKeyMaterial(lab.read(p12)))).toMatchObject({ reason: 'bad-password' });
  });

  test('PKCS#12 made with -legacy (RC2-40 certificates, 3DES key, SHA-1 MAC) imports', () => {
    const p12 = lab.tmp();
    lab.run([
      'pkcs12',
      '-export',
      '-legacy',
      '-in',
      a.certPath,
      '-inkey',
      a.keyPath,
      '-passout',
      'pass:legacy',
      '-out',
      p12,
    ]);
    const m = importKeyMaterial(lab.read(p12), { password: 'legacy' });
    expect(m.certificates[0]!.fingerprintSha256).toBe(a.cert.fingerprintSha256);
    expect(keyMatchesCertificate(m.privateKey!, a.cert)).toBe(true);
  });

  test('RC2 decryption matches the RFC 2268 test vectors', () => {
    const vectors: [string, number, string, string][] = [
      ['0000000000000000', 63, '0000000000000000', 'ebb773f993278eff'],
      ['ffffffffffffffff', 64, 'ffffffffffffffff', '278b27e42e2f0d49'],
      ['3000000000000000', 64, '1000000000000001', '30649edf9be7d2c2'],
    ];
    for (const [key, bits, plain, cipher] of vectors)
      expect(rc2DecryptBlock(Buffer.from(key, 'hex'), bits, Buffer.from(cipher, 'hex')).toString('hex')).toBe(
        plain,
      );
  });

  test('garbage is refused as malformed', () => {
    expect(refusal(() => importKeyMaterial(Buffer.from([0x30, 0x03, 0x02, 0x01])))).toMatchObject({
      reason: 'malformed',
    });
    expect(refusal(() => importKeyMaterial('no pem here'))).toMatchObject({ reason: 'malformed' });
  });
});

describe('rollover choices', () => {
  const day = 86_400_000;
  const t0 = Date.UTC(2030, 0, 1);
  // The choices read only the validity period, so plain stand-ins serve here.
  const cert = (name: string, from: number, to: number): As2Certificate =>
    ({
      subject: name,
      notBefore: new Date(t0 + from * day),
      notAfter: new Date(t0 + to * day),
    }) as As2Certificate;
  const old = cert('old', 0, 365);
  const next = cert('new', 300, 730);
  const future = cert('future', 500, 900);
  const all = [old, next, future];
  const at = (d: number): Date => new Date(t0 + d * day);

  test('before the overlap only the old certificate is valid and chosen', () => {
    expect(validCertificates(all, at(100)).map((c) => c.subject)).toEqual(['old']);
    expect(newestValidCertificate(all, at(100))?.subject).toBe('old');
  });

  test('during the overlap both verify and the newest is used for sending', () => {
    expect(validCertificates(all, at(320)).map((c) => c.subject)).toEqual(['old', 'new']);
    expect(newestValidCertificate(all, at(320))?.subject).toBe('new');
    expect(newestValidCertificate([next, old], at(320))?.subject).toBe('new');
  });

  test('after the old one expires it no longer verifies; a not-yet-valid one is never chosen', () => {
    expect(validCertificates(all, at(400)).map((c) => c.subject)).toEqual(['new']);
    expect(newestValidCertificate(all, at(400))?.subject).toBe('new');
    expect(newestValidCertificate(all, at(1000))).toBeUndefined();
  });

  test('expiry warnings list certificates ending within N days, soonest first', () => {
    expect(expiringCertificates(all, at(340), 30).map((x) => [x.certificate.subject, x.daysLeft])).toEqual([
      ['old', 25],
    ]);
    expect(expiringCertificates(all, at(100), 30)).toEqual([]);
  });
});
