/**
 * Certificates and keys: import (PEM, DER, PKCS#12), the facts a partner screen and the CMS code
 * need (validity, subject, issuer and serial, fingerprints, subject key identifier), and the pure
 * choices of a rollover: send with the newest valid certificate, accept any valid one.
 */
import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { OID } from './algorithms';
import {
  Asn1Error,
  type Node,
  children,
  explicit,
  integerBytes,
  isContext,
  octets,
  oid,
  parseDer,
  raw,
  sequence,
  text,
  time,
} from './der';
import { As2Error } from './errors';
import { parsePkcs12 } from './pkcs12';

export interface As2Certificate {
  /** DER encoding, byte-exact as imported. */
  readonly der: Buffer;
  readonly publicKey: KeyObject;
  /** Distinguished names as node:crypto prints them, one RDN per line joined by ", ". */
  readonly subject: string;
  readonly issuer: string;
  /** Serial number, upper-case hex without separators. */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SHA-256 / SHA-1 fingerprints of the DER, upper-case hex with colons (as `openssl x509 -fingerprint`). */
  readonly fingerprintSha256: string;
  readonly fingerprintSha1: string;
  /** The issuer Name exactly as encoded in the certificate, for IssuerAndSerialNumber matching. */
  readonly issuerDer: Buffer;
  /** INTEGER content octets of the serial number. */
  readonly serialDer: Buffer;
  readonly subjectKeyIdentifier?: Buffer;
  /** PEM text of the certificate. */
  pem(): string;
}

const dn = (s: string): string => s.split('\n').filter(Boolean).join(', ');

/** Reads one DER certificate. Throws As2Error(unexpected-processing-error, malformed). */
export function parseCertificate(der: Uint8Array): As2Certificate {
  const bytes = Buffer.from(der);
  let x509: X509Certificate;
  let tbsFields: Node[];
  try {
    x509 = new X509Certificate(bytes);
    const cert = sequence(parseDer(bytes, 'certificate'), 'certificate');
    tbsFields = sequence(cert[0], 'tbsCertificate');
  } catch (err) {
    throw new As2Error(
      'unexpected-processing-error',
      'malformed',
      `not an X.509 certificate: ${(err as Error).message}`,
    );
  }
  let i = isContext(tbsFields[0], 0) ? 1 : 0;
  const serialDer = integerBytes(tbsFields[i++], 'serialNumber');
  i++; // signature algorithm
  const issuerDer = raw(tbsFields[i++]!);
  const validity = sequence(tbsFields[i++], 'validity');
  const notBefore = time(validity[0], 'notBefore');
  const notAfter = time(validity[1], 'notAfter');
  i += 2; // subject, subjectPublicKeyInfo
  let subjectKeyIdentifier: Buffer | undefined;
  for (; i < tbsFields.length; i++) {
    if (!isContext(tbsFields[i], 3)) continue;
    for (const ext of sequence(explicit(tbsFields[i], 3, 'extensions'), 'extensions')) {
      const f = sequence(ext, 'extension');
      if (oid(f[0], 'extnID') !== OID.subjectKeyIdentifier) continue;
      const value = octets(f[f.length - 1], 'extnValue');
      subjectKeyIdentifier = Buffer.from(octets(parseDer(value, 'subjectKeyIdentifier'), 'keyIdentifier'));
    }
  }
  return {
    der: bytes,
    publicKey: x509.publicKey,
    subject: dn(x509.subject),
    issuer: dn(x509.issuer),
    serialNumber: x509.serialNumber.toUpperCase(),
    notBefore,
    notAfter,
    fingerprintSha256: x509.fingerprint256,
    fingerprintSha1: x509.fingerprint,
    issuerDer: Buffer.from(issuerDer),
    serialDer: Buffer.from(serialDer),
    ...(subjectKeyIdentifier ? { subjectKeyIdentifier } : {}),
    pem: () => x509.toString(),
  };
}

export interface KeyMaterial {
  /** In the order found; for PKCS#12 and PEM bundles the end-entity certificate comes first when a key matches it. */
  certificates: As2Certificate[];
  privateKey?: KeyObject;
}

export interface ImportOptions {
  /** Password of a PKCS#12 file or of an encrypted PKCS#8 PEM key. */
  password?: string;
}

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/**
 * Imports certificates and at most one private key from PEM text (any number of CERTIFICATE blocks,
 * PRIVATE KEY, RSA PRIVATE KEY or ENCRYPTED PRIVATE KEY), a DER certificate, a DER private key, or a
 * PKCS#12 (.p12/.pfx) file with its password. When a key is present, the certificate of that key is
 * moved to the front. Throws As2Error(unexpected-processing-error) with reason malformed,
 * bad-password, unsupported-algorithm or key-mismatch.
 */
export function importKeyMaterial(input: Uint8Array | string, options: ImportOptions = {}): KeyMaterial {
  const text =
    typeof input === 'string' ? input : looksLikePem(input) ? Buffer.from(input).toString('latin1') : null;
  let out: KeyMaterial;
  if (text !== null) out = importPem(text, options);
  else out = importDer(Buffer.from(input as Uint8Array), options);
  return orderByKey(out);
}

function looksLikePem(b: Uint8Array): boolean {
  return Buffer.from(b.subarray(0, Math.min(b.length, 4096)))
    .toString('latin1')
    .includes('-----BEGIN ');
}

function importPem(text: string, options: ImportOptions): KeyMaterial {
  const certificates: As2Certificate[] = [];
  let privateKey: KeyObject | undefined;
  let found = 0;
  for (const m of text.matchAll(PEM_RE)) {
    found++;
    const label = m[1]!;
    if (label === 'CERTIFICATE' || label === 'X509 CERTIFICATE') {
      certificates.push(parseCertificate(Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64')));
    } else if (label.endsWith('PRIVATE KEY')) {
      if (privateKey)
        throw new As2Error(
          'unexpected-processing-error',
          'malformed',
          'more than one private key in the PEM text',
        );
      try {
        privateKey = createPrivateKey({
          key: m[0],
          format: 'pem',
          ...(options.password !== undefined ? { passphrase: options.password } : {}),
        });
      } catch (err) {
        const msg = (err as Error).message;
        const reason = /passphrase|decrypt|bad decrypt/i.test(msg) ? 'bad-password' : 'malformed';
        throw new As2Error('unexpected-processing-error', reason, `private key: ${msg}`);
      }
    }
  }
  if (found === 0) throw new As2Error('unexpected-processing-error', 'malformed', 'no PEM block found');
  return { certificates, ...(privateKey ? { privateKey } : {}) };
}

function importDer(der: Buffer, options: ImportOptions): KeyMaterial {
  let top: Node[];
  try {
    top = sequence(parseDer(der, 'DER input'), 'DER input');
  } catch (err) {
    throw new As2Error('unexpected-processing-error', 'malformed', (err as Error).message);
  }
  const first = top[0];
  // PFX: version INTEGER 3, ContentInfo
  if (first && first.idBlock.tagNumber === 2 && top.length >= 2 && top[1]!.idBlock.isConstructed) {
    const versionByte = integerBytes(first, 'version');
    if (versionByte.length === 1 && versionByte[0] === 3) {
      if (options.password === undefined)
        throw new As2Error(
          'unexpected-processing-error',
          'bad-password',
          'a PKCS#12 file needs its password',
        );
      const p12 = parsePkcs12(der, options.password);
      if (p12.keys.length > 1)
        throw new As2Error(
          'unexpected-processing-error',
          'malformed',
          'the PKCS#12 file holds more than one private key',
        );
      const certificates = p12.certificates.map(parseCertificate);
      return { certificates, ...(p12.keys[0] ? { privateKey: p12.keys[0] } : {}) };
    }
  }
  // Certificate: SEQUENCE { tbsCertificate SEQUENCE, ... }
  if (first && first.idBlock.tagNumber === 16 && first.idBlock.isConstructed) {
    return { certificates: [parseCertificate(der)] };
  }
  for (const type of ['pkcs8', 'pkcs1'] as const) {
    try {
      return { certificates: [], privateKey: createPrivateKey({ key: der, format: 'der', type }) };
    } catch {
      // try the next form
    }
  }
  throw new As2Error(
    'unexpected-processing-error',
    'malformed',
    'DER input is neither a certificate, a key nor PKCS#12',
  );
}

function spki(k: KeyObject): Buffer {
  return k.export({ type: 'spki', format: 'der' });
}

function orderByKey(m: KeyMaterial): KeyMaterial {
  if (!m.privateKey || m.certificates.length === 0) return m;
  const pub = spki(createPublicKey(m.privateKey));
  const idx = m.certificates.findIndex((c) => spki(c.publicKey).equals(pub));
  if (idx < 0)
    throw new As2Error(
      'unexpected-processing-error',
      'key-mismatch',
      'the private key belongs to none of the certificates',
    );
  if (idx === 0) return m;
  const certificates = [m.certificates[idx]!, ...m.certificates.filter((_, i) => i !== idx)];
  return { certificates, privateKey: m.privateKey };
}

/** True when the public key of `cert` is the one of `key`. */
export function keyMatchesCertificate(key: KeyObject, cert: As2Certificate): boolean {
  return spki(createPublicKey(key)).equals(spki(cert.publicKey));
}

// ---------------------------------------------------------------------------------------------
// Rollover choices (pure: `now` is given)

export function isValidAt(cert: As2Certificate, now: Date): boolean {
  const t = now.getTime();
  return cert.notBefore.getTime() <= t && t <= cert.notAfter.getTime();
}

/** Every certificate valid at `now`: during a rollover overlap both old and new verify. */
export function validCertificates(certs: readonly As2Certificate[], now: Date): As2Certificate[] {
  return certs.filter((c) => isValidAt(c, now));
}

/**
 * The certificate to encrypt to (or sign with) at `now`: of those valid, the one whose validity began
 * last (ties: the later end). Undefined when none is valid.
 */
export function newestValidCertificate(
  certs: readonly As2Certificate[],
  now: Date,
): As2Certificate | undefined {
  let best: As2Certificate | undefined;
  for (const c of validCertificates(certs, now)) {
    if (
      !best ||
      c.notBefore.getTime() > best.notBefore.getTime() ||
      (c.notBefore.getTime() === best.notBefore.getTime() && c.notAfter.getTime() > best.notAfter.getTime())
    )
      best = c;
  }
  return best;
}

/** Certificates valid now whose end is within `days` of `now`, soonest first (expiry warnings). */
export function expiringCertificates(
  certs: readonly As2Certificate[],
  now: Date,
  days: number,
): { certificate: As2Certificate; daysLeft: number }[] {
  const limit = now.getTime() + days * 86_400_000;
  return validCertificates(certs, now)
    .filter((c) => c.notAfter.getTime() <= limit)
    .sort((a, b) => a.notAfter.getTime() - b.notAfter.getTime())
    .map((certificate) => ({
      certificate,
      daysLeft: Math.floor((certificate.notAfter.getTime() - now.getTime()) / 86_400_000),
    }));
}

/** Finds the certificate an IssuerAndSerialNumber or SubjectKeyIdentifier names. */
export function findCertificate(
  certs: readonly As2Certificate[],
  id: CertificateId,
): As2Certificate | undefined {
  return certs.find((c) =>
    id.kind === 'issuer-serial'
      ? c.issuerDer.equals(id.issuerDer) && sameInteger(c.serialDer, id.serialDer)
      : c.subjectKeyIdentifier !== undefined && c.subjectKeyIdentifier.equals(id.keyIdentifier),
  );
}

export type CertificateId =
  | { kind: 'issuer-serial'; issuerDer: Buffer; serialDer: Buffer }
  | { kind: 'subject-key-identifier'; keyIdentifier: Buffer };

function sameInteger(a: Buffer, b: Buffer): boolean {
  const strip = (x: Buffer): Buffer => {
    let i = 0;
    while (i < x.length - 1 && x[i] === 0) i++;
    return x.subarray(i);
  };
  return strip(a).equals(strip(b));
}

/** Reads a SignerIdentifier / RecipientIdentifier (IssuerAndSerialNumber or [0] SubjectKeyIdentifier). */
export function readCertificateId(node: Node | undefined, what: string): CertificateId {
  if (isContext(node, 0))
    return { kind: 'subject-key-identifier', keyIdentifier: Buffer.from(octets(node, what)) };
  const f = sequence(node, what);
  if (!f[0] || !f[1]) throw new Asn1Error(`${what}: IssuerAndSerialNumber needs issuer and serial`);
  children(f[0], `${what} issuer`);
  return {
    kind: 'issuer-serial',
    issuerDer: Buffer.from(raw(f[0])),
    serialDer: Buffer.from(integerBytes(f[1], what)),
  };
}

export function describeCertificateId(id: CertificateId): string {
  if (id.kind === 'subject-key-identifier')
    return `subject key identifier ${id.keyIdentifier.toString('hex')}`;
  return `issuer ${formatName(id.issuerDer)}, serial ${id.serialDer
    .toString('hex')
    .toUpperCase()
    .replace(/^(00)+(?=.)/, '')}`;
}

const NAME_ATTRS: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '0.9.2342.19200300.100.1.25': 'DC',
};

/** A distinguished name (DER) as `O=..., CN=...` in encoded order; `?` when it cannot be read. */
export function formatName(der: Buffer): string {
  try {
    const rdns = sequence(parseDer(der, 'Name'), 'Name').map((rdn) =>
      children(rdn, 'RDN')
        .map((atv) => {
          const f = sequence(atv, 'AttributeTypeAndValue');
          const type = oid(f[0], 'type');
          return `${NAME_ATTRS[type] ?? type}=${text(f[1], 'value')}`;
        })
        .join('+'),
    );
    return rdns.join(', ') || '(empty)';
  } catch {
    return '?';
  }
}
