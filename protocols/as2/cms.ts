/**
 * CMS (RFC 5652) for AS2: SignedData (detached and enveloping; RSA PKCS#1 v1.5 and RSA-PSS; SHA-1
 * and SHA-2), EnvelopedData with RSA key transport (3DES and AES-CBC), AuthEnvelopedData with
 * AES-GCM (RFC 5083/5084, what `openssl cms -encrypt -aes-256-gcm` emits) and CompressedData
 * (RFC 3274, zlib). Structures are read with asn1js and written by the DER writer of ./der;
 * every primitive is node:crypto (OpenSSL).
 */
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import {
  CIPHERS,
  DIGEST_LENGTH,
  DIGEST_OID,
  OID,
  RSA_PKCS1_SIGNATURE_OIDS,
  cipherFromOid,
  describeOid,
  digestFromOid,
  type ContentEncryption,
  type DigestAlgorithm,
  type KeyTransport,
  type SignatureScheme,
} from './algorithms';
import {
  type As2Certificate,
  type CertificateId,
  describeCertificateId,
  findCertificate,
  isValidAt,
  parseCertificate,
  readCertificateId,
} from './certificates';
import {
  Asn1Error,
  type Node,
  children,
  derAlg,
  derExplicit,
  derImplicitPrim,
  derInt,
  derOctets,
  derOid,
  derSeq,
  derSetOf,
  derTime,
  explicit,
  isContext,
  isInteger,
  isNull,
  octets,
  oid,
  parseDer,
  raw,
  sequence,
  set,
  smallInt,
  time,
  tlv,
} from './der';
import { As2Error, type As2ErrorCode, type As2ErrorReason } from './errors';

export interface CmsLimits {
  /** Largest CMS structure accepted, bytes. */
  maxBytes: number;
}

const DEFAULT_MAX = 64 * 1024 * 1024;

/** The content type OID of a DER/BER ContentInfo and its [0] content node. */
export function readContentInfo(der: Uint8Array, limits?: CmsLimits): { type: string; content: Node } {
  const ci = sequence(
    parseDer(der, 'ContentInfo', { maxBytes: limits?.maxBytes ?? DEFAULT_MAX }),
    'ContentInfo',
  );
  return { type: oid(ci[0], 'contentType'), content: explicit(ci[1], 0, 'ContentInfo content') };
}

function contentInfo(type: string, content: Buffer): Buffer {
  return derSeq(derOid(type), derExplicit(0, content));
}

function fail(code: As2ErrorCode, reason: As2ErrorReason, detail: string): never {
  throw new As2Error(code, reason, detail);
}

/** Runs `fn`, turning ASN.1 and crypto exceptions into As2Error(code, malformed). */
function layer<T>(code: As2ErrorCode, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof As2Error) throw err;
    throw new As2Error(code, 'malformed', `${what}: ${(err as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// SignedData

export interface SignOptions {
  certificate: As2Certificate;
  privateKey: KeyObject;
  digest: DigestAlgorithm;
  /** Default rsa-pkcs1. RSA-PSS uses MGF1 with the same digest and a salt of the digest's length. */
  scheme?: SignatureScheme;
  /** Further certificates to include (the chain). */
  chain?: readonly As2Certificate[];
  /** signingTime attribute; the caller passes its `now` (codecs read no clock). Omitted when undefined. */
  signingTime?: Date;
  /** true: detached signature (multipart/signed); false: the content is inside (signed-data). */
  detached: boolean;
}

function pssParams(digest: DigestAlgorithm): Buffer {
  const hashAlg = derAlg(DIGEST_OID[digest]);
  return derSeq(
    derExplicit(0, hashAlg),
    derExplicit(1, derAlg(OID.mgf1, hashAlg)),
    derExplicit(2, derInt(DIGEST_LENGTH[digest])),
  );
}

function attribute(type: string, value: Buffer): Buffer {
  return derSeq(derOid(type), derSetOf([value]));
}

/** Produces a ContentInfo(SignedData), DER. */
export function signData(content: Uint8Array, opts: SignOptions): Buffer {
  const scheme = opts.scheme ?? 'rsa-pkcs1';
  const digestAlg = derAlg(DIGEST_OID[opts.digest]);
  const messageDigest = createHash(opts.digest).update(content).digest();
  const attrs = [
    attribute(OID.contentType, derOid(OID.data)),
    attribute(OID.messageDigest, derOctets(messageDigest)),
  ];
  if (opts.signingTime) attrs.push(attribute(OID.signingTime, derTime(opts.signingTime)));
  const signedAttrsSet = derSetOf(attrs);
  const signature =
    scheme === 'rsa-pss'
      ? cryptoSign(opts.digest, signedAttrsSet, {
          key: opts.privateKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: DIGEST_LENGTH[opts.digest],
        })
      : cryptoSign(opts.digest, signedAttrsSet, opts.privateKey);
  const signedAttrs = Buffer.concat([Buffer.from([0xa0]), signedAttrsSet.subarray(1)]);
  const sigAlg =
    scheme === 'rsa-pss' ? derAlg(OID.rsassaPss, pssParams(opts.digest)) : derAlg(OID.rsaEncryption, null);
  const signerInfo = derSeq(
    derInt(1),
    derSeq(opts.certificate.issuerDer, derInt(opts.certificate.serialDer)),
    digestAlg,
    signedAttrs,
    sigAlg,
    derOctets(signature),
  );
  const certs = [opts.certificate, ...(opts.chain ?? [])].map((c) => c.der);
  const encap = opts.detached
    ? derSeq(derOid(OID.data))
    : derSeq(derOid(OID.data), derExplicit(0, derOctets(content)));
  const signedData = derSeq(
    derInt(1),
    derSetOf([digestAlg]),
    encap,
    tlv(0xa0, ...certs),
    derSetOf([signerInfo]),
  );
  return contentInfo(OID.signedData, signedData);
}

export interface SignerReport {
  certificate: As2Certificate;
  digest: DigestAlgorithm;
  scheme: SignatureScheme;
  signingTime?: Date;
}

export interface VerifyOptions {
  /** The partner's certificates; only those valid at `now` are accepted (rollover overlap: several). */
  trusted: readonly As2Certificate[];
  now: Date;
  /**
   * For a detached signature: the candidate byte strings of the signed content, tried in order (for
   * example the entity as received, then with bare LF turned into CRLF). The first that verifies wins.
   */
  detachedCandidates?: readonly Buffer[];
  limits?: CmsLimits;
}

export interface VerifyResult {
  /** The content that verified: the eContent, or the winning detached candidate. */
  content: Buffer;
  /** Index of the detached candidate that verified (0 for enveloping signatures). */
  candidate: number;
  signer: SignerReport;
  /** Certificates carried in the message (whether trusted or not). */
  embeddedCertificates: As2Certificate[];
}

interface ParsedSignerInfo {
  sid: CertificateId;
  digest: DigestAlgorithm;
  signedAttrs?: { der: Buffer; attrs: Map<string, Node[]> };
  sigAlg: Node[];
  signature: Buffer;
}

/**
 * Verifies a ContentInfo(SignedData). Errors (As2Error):
 * - authentication-failed / unknown-signer: no SignerInfo names one of `trusted`;
 * - authentication-failed / certificate-not-valid: it names one that is not valid at `now`;
 * - authentication-failed / signature-invalid: the signature over the signed attributes fails;
 * - integrity-check-failed / digest-mismatch: signed attributes verify, content digest differs;
 * - integrity-check-failed / signature-invalid: no signed attributes and the signature fails;
 * - integrity-check-failed / malformed: not a SignedData we can read.
 */
export function verifySignedData(der: Uint8Array, opts: VerifyOptions): VerifyResult {
  const parsed = layer('integrity-check-failed', 'SignedData', () => parseSignedData(der, opts.limits));
  const { eContent, eContentType, certificates, signerInfos } = parsed;
  if (signerInfos.length === 0)
    fail('integrity-check-failed', 'no-signer-info', 'the SignedData has no SignerInfo');
  const candidates = eContent !== undefined ? [eContent] : (opts.detachedCandidates ?? []);
  if (candidates.length === 0)
    fail('integrity-check-failed', 'malformed', 'detached signature without content');

  let chosen: { si: ParsedSignerInfo; cert: As2Certificate } | undefined;
  let expired: As2Certificate | undefined;
  for (const si of signerInfos) {
    const cert = findCertificate(opts.trusted, si.sid);
    if (!cert) continue;
    if (!isValidAt(cert, opts.now)) {
      expired ??= cert;
      continue;
    }
    chosen = { si, cert };
    break;
  }
  if (!chosen) {
    if (expired)
      fail(
        'authentication-failed',
        'certificate-not-valid',
        `signed with certificate ${expired.subject} (serial ${expired.serialNumber}), valid ${expired.notBefore.toISOString()} to ${expired.notAfter.toISOString()}, not at ${opts.now.toISOString()}`,
      );
    const si = signerInfos[0]!;
    const embedded = findCertificate(certificates, si.sid);
    const who = embedded
      ? `${embedded.subject} (serial ${embedded.serialNumber})`
      : describeCertificateId(si.sid);
    fail(
      'authentication-failed',
      'unknown-signer',
      `signed by ${who}, which is not one of the partner's certificates`,
    );
  }
  const { si, cert } = chosen;
  const scheme = signatureScheme(si.sigAlg, si.digest);

  if (si.signedAttrs) {
    const { der: attrsDer, attrs } = si.signedAttrs;
    if (!verifyWith(scheme, attrsDer, si.signature, cert.publicKey))
      fail('authentication-failed', 'signature-invalid', `the signature of ${cert.subject} does not verify`);
    const ct = attrs.get(OID.contentType);
    if (!ct || oid(ct[0], 'contentType attribute') !== eContentType)
      fail('integrity-check-failed', 'malformed', 'the content-type signed attribute is missing or differs');
    const md = attrs.get(OID.messageDigest);
    if (!md) fail('integrity-check-failed', 'malformed', 'no message-digest signed attribute');
    const expected = octets(md[0], 'messageDigest');
    const idx = candidates.findIndex((c) => createHash(si.digest).update(c).digest().equals(expected));
    if (idx < 0)
      fail('integrity-check-failed', 'digest-mismatch', 'the content does not match the signed digest');
    const st = attrs.get(OID.signingTime);
    const signingTime = st
      ? layer('integrity-check-failed', 'signingTime', () => time(st[0], 'signingTime'))
      : undefined;
    return {
      content: candidates[idx]!,
      candidate: idx,
      signer: {
        certificate: cert,
        digest: si.digest,
        scheme: scheme.scheme,
        ...(signingTime ? { signingTime } : {}),
      },
      embeddedCertificates: certificates,
    };
  }
  const idx = candidates.findIndex((c) => verifyWith(scheme, c, si.signature, cert.publicKey));
  if (idx < 0)
    fail('integrity-check-failed', 'signature-invalid', 'the signature over the content does not verify');
  return {
    content: candidates[idx]!,
    candidate: idx,
    signer: { certificate: cert, digest: si.digest, scheme: scheme.scheme },
    embeddedCertificates: certificates,
  };
}

function parseSignedData(der: Uint8Array, limits?: CmsLimits) {
  const ci = readContentInfo(der, limits);
  if (ci.type !== OID.signedData) throw new Asn1Error(`expected SignedData, got ${describeOid(ci.type)}`);
  const f = sequence(ci.content, 'SignedData');
  let i = 2;
  const encap = sequence(f[i++], 'encapContentInfo');
  const eContentType = oid(encap[0], 'eContentType');
  const eContent = encap[1] ? Buffer.from(octets(explicit(encap[1], 0, 'eContent'), 'eContent')) : undefined;
  const certificates: As2Certificate[] = [];
  if (isContext(f[i], 0)) {
    for (const c of children(f[i]!, 'certificates')) {
      if (c.idBlock.tagNumber === 16 && c.idBlock.tagClass === 1) {
        try {
          certificates.push(parseCertificate(raw(c)));
        } catch {
          // an unreadable extra certificate does not matter: trust comes from the partner's list
        }
      }
    }
    i++;
  }
  if (isContext(f[i], 1)) i++; // crls
  const signerInfos = set(f[i], 'signerInfos').map(parseSignerInfo);
  return { eContentType, eContent, certificates, signerInfos };
}

function parseSignerInfo(node: Node): ParsedSignerInfo {
  const f = sequence(node, 'SignerInfo');
  const sid = readCertificateId(f[1], 'sid');
  const digestOid = oid(sequence(f[2], 'digestAlgorithm')[0], 'digestAlgorithm');
  const digest = digestFromOid(digestOid);
  if (!digest) fail('integrity-check-failed', 'unsupported-algorithm', `digest ${describeOid(digestOid)}`);
  let i = 3;
  let signedAttrs: ParsedSignerInfo['signedAttrs'];
  if (isContext(f[i], 0)) {
    const attrNode = f[i]!;
    const bytes = raw(attrNode);
    // The signature covers the DER of SET OF Attribute: the [0] IMPLICIT tag replaced by SET (0x31).
    const der = Buffer.concat([Buffer.from([0x31]), bytes.subarray(1)]);
    const attrs = new Map<string, Node[]>();
    for (const a of children(attrNode, 'signedAttrs')) {
      const af = sequence(a, 'Attribute');
      attrs.set(oid(af[0], 'attrType'), set(af[1], 'attrValues'));
    }
    signedAttrs = { der, attrs };
    i++;
  }
  const sigAlg = sequence(f[i++], 'signatureAlgorithm');
  const signature = Buffer.from(octets(f[i], 'signature'));
  return { sid, digest, ...(signedAttrs ? { signedAttrs } : {}), sigAlg, signature };
}

interface SchemeParams {
  scheme: SignatureScheme;
  digest: DigestAlgorithm;
  saltLength?: number;
}

function signatureScheme(sigAlg: Node[], digest: DigestAlgorithm): SchemeParams {
  const id = oid(sigAlg[0], 'signatureAlgorithm');
  if (id in RSA_PKCS1_SIGNATURE_OIDS)
    return { scheme: 'rsa-pkcs1', digest: RSA_PKCS1_SIGNATURE_OIDS[id] ?? digest };
  if (id === OID.rsassaPss) {
    let hash: DigestAlgorithm = 'sha1';
    let mgfHash: DigestAlgorithm = 'sha1';
    let saltLength = 20;
    const params = sigAlg[1] && !isNull(sigAlg[1]) ? sequence(sigAlg[1], 'RSASSA-PSS-params') : [];
    for (const p of params) {
      if (isContext(p, 0)) {
        const h = digestFromOid(
          oid(sequence(explicit(p, 0, 'hashAlgorithm'), 'hashAlgorithm')[0], 'hashAlgorithm'),
        );
        if (!h) fail('integrity-check-failed', 'unsupported-algorithm', 'RSA-PSS hash');
        hash = h;
      } else if (isContext(p, 1)) {
        const mgf = sequence(explicit(p, 1, 'maskGenAlgorithm'), 'maskGenAlgorithm');
        if (oid(mgf[0], 'mgf') !== OID.mgf1)
          fail('integrity-check-failed', 'unsupported-algorithm', 'RSA-PSS mask generation');
        const h = digestFromOid(oid(sequence(mgf[1], 'mgf1 hash')[0], 'mgf1 hash'));
        if (!h) fail('integrity-check-failed', 'unsupported-algorithm', 'RSA-PSS MGF1 hash');
        mgfHash = h;
      } else if (isContext(p, 2)) {
        saltLength = smallInt(explicit(p, 2, 'saltLength'), 'saltLength');
      }
    }
    if (mgfHash !== hash)
      fail('integrity-check-failed', 'unsupported-algorithm', `RSA-PSS with MGF1-${mgfHash} over ${hash}`);
    return { scheme: 'rsa-pss', digest: hash, saltLength };
  }
  return fail('integrity-check-failed', 'unsupported-algorithm', `signature algorithm ${describeOid(id)}`);
}

function verifyWith(p: SchemeParams, data: Buffer, signature: Buffer, key: KeyObject): boolean {
  try {
    if (p.scheme === 'rsa-pss')
      return cryptoVerify(
        p.digest,
        data,
        {
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: p.saltLength ?? DIGEST_LENGTH[p.digest],
        },
        signature,
      );
    return cryptoVerify(p.digest, data, key, signature);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// EnvelopedData / AuthEnvelopedData

export interface EncryptOptions {
  /** Usually the partner's newest valid certificate; add our own to be able to read our archive. */
  recipients: readonly As2Certificate[];
  algorithm: ContentEncryption;
  /** Default rsa-pkcs1 (what AS2 products expect); rsa-oaep uses SHA-256 with MGF1-SHA-256. */
  keyTransport?: KeyTransport;
}

function oaepParams(): Buffer {
  const h = derAlg(DIGEST_OID.sha256);
  return derSeq(derExplicit(0, h), derExplicit(1, derAlg(OID.mgf1, h)));
}

/** Produces ContentInfo(EnvelopedData) for CBC ciphers, ContentInfo(AuthEnvelopedData) for GCM. DER. */
export function encryptData(content: Uint8Array, opts: EncryptOptions): Buffer {
  if (opts.recipients.length === 0) throw new RangeError('encryptData needs at least one recipient');
  const info = CIPHERS[opts.algorithm];
  const cek = randomBytes(info.keyLength);
  const iv = randomBytes(info.ivLength);
  const transport = opts.keyTransport ?? 'rsa-pkcs1';
  const ris = opts.recipients.map((cert) => {
    const encryptedKey = publicEncrypt(
      transport === 'rsa-oaep'
        ? { key: cert.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }
        : { key: cert.publicKey, padding: constants.RSA_PKCS1_PADDING },
      cek,
    );
    const keyAlg =
      transport === 'rsa-oaep' ? derAlg(OID.rsaesOaep, oaepParams()) : derAlg(OID.rsaEncryption, null);
    return derSeq(derInt(0), derSeq(cert.issuerDer, derInt(cert.serialDer)), keyAlg, derOctets(encryptedKey));
  });
  if (info.mode === 'cbc') {
    const c = createCipheriv(opts.algorithm, cek, iv);
    const ct = Buffer.concat([c.update(content), c.final()]);
    const eci = derSeq(derOid(OID.data), derAlg(info.oid, derOctets(iv)), derImplicitPrim(0, ct));
    return contentInfo(OID.envelopedData, derSeq(derInt(0), derSetOf(ris), eci));
  }
  const c = createCipheriv(opts.algorithm as 'aes-256-gcm', cek, iv, { authTagLength: 16 });
  const ct = Buffer.concat([c.update(content), c.final()]);
  const tag = c.getAuthTag();
  const eci = derSeq(
    derOid(OID.data),
    derAlg(info.oid, derSeq(derOctets(iv), derInt(16))),
    derImplicitPrim(0, ct),
  );
  return contentInfo(OID.authEnvelopedData, derSeq(derInt(0), derSetOf(ris), eci, derOctets(tag)));
}

export interface DecryptionKey {
  certificate: As2Certificate;
  privateKey: KeyObject;
}

export interface DecryptResult {
  content: Buffer;
  algorithm: ContentEncryption;
  keyTransport: KeyTransport;
  /** Which of our certificates the message was encrypted for. */
  recipient: As2Certificate;
  /** true for AuthEnvelopedData (AEAD: the content is also authenticated). */
  authenticated: boolean;
}

/**
 * Decrypts a ContentInfo(EnvelopedData | AuthEnvelopedData) with whichever of `keys` a
 * KeyTransRecipientInfo names. Errors are As2Error(decryption-failed) with reason no-recipient (not
 * encrypted for any of our certificates), content-decryption-failed (wrong key, bad padding, bad
 * GCM tag: the RSA PKCS#1 v1.5 unwrap rejects implicitly, so these are one failure),
 * unsupported-algorithm or malformed.
 */
export function decryptData(
  der: Uint8Array,
  keys: readonly DecryptionKey[],
  limits?: CmsLimits,
): DecryptResult {
  const p = layer('decryption-failed', 'EnvelopedData', () => parseEnveloped(der, limits));
  let match: { ri: (typeof p.recipients)[number]; key: DecryptionKey } | undefined;
  for (const ri of p.recipients) {
    const key = keys.find((k) => findCertificate([k.certificate], ri.rid));
    if (key) {
      match = { ri, key };
      break;
    }
  }
  if (!match) {
    const names = p.recipients.map((r) => describeCertificateId(r.rid)).join('; ') || 'none readable';
    fail(
      'decryption-failed',
      'no-recipient',
      `not encrypted for any of our certificates (recipients: ${names})`,
    );
  }
  const info = CIPHERS[p.algorithm];
  const cek = unwrapKey(match.ri, match.key.privateKey, info.keyLength);
  let content: Buffer;
  try {
    if (info.mode === 'cbc') {
      const d = createDecipheriv(p.algorithm, cek, p.iv);
      content = Buffer.concat([d.update(p.encrypted), d.final()]);
    } else {
      let ct = p.encrypted;
      let tag = p.mac;
      if (!tag) {
        // GCM inside a plain EnvelopedData (some products): the tag trails the ciphertext.
        if (ct.length < p.icvLength) throw new Error('ciphertext shorter than its tag');
        tag = ct.subarray(ct.length - p.icvLength);
        ct = ct.subarray(0, ct.length - p.icvLength);
      }
      const d = createDecipheriv(p.algorithm as 'aes-256-gcm', cek, p.iv, { authTagLength: p.icvLength });
      if (p.aad) d.setAAD(p.aad);
      d.setAuthTag(tag);
      content = Buffer.concat([d.update(ct), d.final()]);
    }
  } catch {
    fail('decryption-failed', 'content-decryption-failed', 'the content could not be decrypted with our key');
  }
  return {
    content,
    algorithm: p.algorithm,
    keyTransport: match.ri.transport,
    recipient: match.key.certificate,
    authenticated: p.mac !== undefined,
  };
}

interface KeyTrans {
  rid: CertificateId;
  transport: KeyTransport;
  oaepHash: DigestAlgorithm;
  encryptedKey: Buffer;
}

function parseEnveloped(der: Uint8Array, limits?: CmsLimits) {
  const ci = readContentInfo(der, limits);
  const auth = ci.type === OID.authEnvelopedData;
  if (!auth && ci.type !== OID.envelopedData)
    throw new Asn1Error(`expected EnvelopedData or AuthEnvelopedData, got ${describeOid(ci.type)}`);
  const f = sequence(ci.content, auth ? 'AuthEnvelopedData' : 'EnvelopedData');
  let i = 1;
  if (isContext(f[i], 0)) i++; // originatorInfo
  const recipients: KeyTrans[] = [];
  for (const ri of set(f[i++], 'recipientInfos')) {
    // Only KeyTransRecipientInfo (a SEQUENCE); kari/kekri/pwri are [1]..[3] and skipped.
    if (!(ri.idBlock.tagClass === 1 && ri.idBlock.tagNumber === 16)) continue;
    const r = sequence(ri, 'KeyTransRecipientInfo');
    const alg = sequence(r[2], 'keyEncryptionAlgorithm');
    const algOid = oid(alg[0], 'keyEncryptionAlgorithm');
    let transport: KeyTransport;
    let oaepHash: DigestAlgorithm = 'sha1';
    if (algOid === OID.rsaEncryption) transport = 'rsa-pkcs1';
    else if (algOid === OID.rsaesOaep) {
      transport = 'rsa-oaep';
      const params = alg[1] && !isNull(alg[1]) ? sequence(alg[1], 'RSAES-OAEP-params') : [];
      let mgfHash: DigestAlgorithm = 'sha1';
      for (const q of params) {
        if (isContext(q, 0)) {
          const h = digestFromOid(oid(sequence(explicit(q, 0, 'hashFunc'), 'hashFunc')[0], 'hashFunc'));
          if (!h) fail('decryption-failed', 'unsupported-algorithm', 'RSA-OAEP hash');
          oaepHash = h;
        } else if (isContext(q, 1)) {
          const mgf = sequence(explicit(q, 1, 'maskGenFunc'), 'maskGenFunc');
          const h = digestFromOid(oid(sequence(mgf[1], 'mgf1 hash')[0], 'mgf1 hash'));
          if (!h) fail('decryption-failed', 'unsupported-algorithm', 'RSA-OAEP MGF1 hash');
          mgfHash = h;
        } else if (isContext(q, 2)) {
          fail('decryption-failed', 'unsupported-algorithm', 'RSA-OAEP with a pSource label');
        }
      }
      if (mgfHash !== oaepHash)
        fail('decryption-failed', 'unsupported-algorithm', `RSA-OAEP with MGF1-${mgfHash} over ${oaepHash}`);
    } else {
      fail('decryption-failed', 'unsupported-algorithm', `key transport ${describeOid(algOid)}`);
    }
    recipients.push({
      rid: readCertificateId(r[1], 'rid'),
      transport,
      oaepHash,
      encryptedKey: octets(r[3], 'encryptedKey'),
    });
  }
  const eci = sequence(f[i++], 'EncryptedContentInfo');
  const calg = sequence(eci[1], 'contentEncryptionAlgorithm');
  const calgOid = oid(calg[0], 'contentEncryptionAlgorithm');
  const algorithm = cipherFromOid(calgOid);
  if (!algorithm)
    fail('decryption-failed', 'unsupported-algorithm', `content encryption ${describeOid(calgOid)}`);
  const info = CIPHERS[algorithm];
  let iv: Buffer;
  let icvLength = 12;
  if (info.mode === 'cbc') iv = octets(calg[1], 'iv');
  else {
    const gp = sequence(calg[1], 'GCMParameters');
    iv = octets(gp[0], 'aes-nonce');
    if (isInteger(gp[1])) icvLength = smallInt(gp[1], 'aes-ICVlen');
    if (icvLength < 12 || icvLength > 16) throw new Asn1Error(`GCM tag length ${icvLength}`);
  }
  if (iv.length !== info.ivLength && !(info.mode === 'gcm' && iv.length >= 12))
    throw new Asn1Error(`IV of ${iv.length} bytes for ${algorithm}`);
  if (!isContext(eci[2], 0)) throw new Asn1Error('no encryptedContent');
  const encrypted = octets(eci[2], 'encryptedContent');
  let aad: Buffer | undefined;
  let mac: Buffer | undefined;
  if (auth) {
    if (isContext(f[i], 1)) {
      const b = raw(f[i]!);
      aad = Buffer.concat([Buffer.from([0x31]), b.subarray(1)]);
      i++;
    }
    mac = octets(f[i], 'mac');
  }
  return { recipients, algorithm, iv, icvLength, encrypted, aad, mac };
}

function unwrapKey(ri: KeyTrans, key: KeyObject, keyLength: number): Buffer {
  if (ri.transport === 'rsa-oaep') {
    try {
      const k = privateDecrypt(
        { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: ri.oaepHash },
        ri.encryptedKey,
      );
      if (k.length === keyLength) return k;
    } catch {
      // fall through to the same failure as a wrong content key
    }
    return randomBytes(keyLength);
  }
  return unwrapPkcs1(ri.encryptedKey, key, keyLength);
}

/**
 * RSAES-PKCS1-v1_5 unwrap with implicit rejection: node refuses PKCS#1 v1.5 private decryption since
 * CVE-2023-46809 (Marvin), so the raw RSA result is unpadded here; any defect yields a random key of
 * the expected length (RFC 3218 2.3.2), and the failure surfaces as one content-decryption error.
 */
function unwrapPkcs1(encryptedKey: Buffer, key: KeyObject, keyLength: number): Buffer {
  const modulusBytes = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  const fallback = randomBytes(keyLength);
  if (modulusBytes === 0 || encryptedKey.length > modulusBytes) return fallback;
  const input =
    encryptedKey.length === modulusBytes
      ? encryptedKey
      : Buffer.concat([Buffer.alloc(modulusBytes - encryptedKey.length), encryptedKey]);
  let em: Buffer;
  try {
    em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, input);
  } catch {
    return fallback;
  }
  // Scan every byte without early exit: find the first zero separator after the padding string.
  let bad = em[0]! | (em[1]! ^ 0x02);
  let sep = 0;
  for (let i = 2; i < em.length; i++) {
    const isZero = em[i] === 0 ? 1 : 0;
    const first = isZero & (sep === 0 ? 1 : 0);
    sep = first ? i : sep;
  }
  bad |= sep < 10 ? 1 : 0;
  bad |= em.length - sep - 1 !== keyLength ? 1 : 0;
  const out = Buffer.alloc(keyLength);
  const start = em.length - keyLength;
  for (let i = 0; i < keyLength; i++) out[i] = bad ? fallback[i]! : em[start + i]!;
  return out;
}

// ---------------------------------------------------------------------------------------------
// CompressedData (RFC 3274 / RFC 5402)

/** Produces ContentInfo(CompressedData) with zlib (RFC 1950), DER. */
export function compressData(content: Uint8Array): Buffer {
  const compressed = deflateSync(content);
  const encap = derSeq(derOid(OID.data), derExplicit(0, derOctets(compressed)));
  return contentInfo(OID.compressedData, derSeq(derInt(0), derAlg(OID.zlibCompress), encap));
}

/**
 * Inflates a ContentInfo(CompressedData). `maxBytes` bounds the output (zip bombs).
 * Errors: As2Error(decompression-failed) with reason inflate-failed, limit, unsupported-algorithm, malformed.
 */
export function decompressData(der: Uint8Array, maxBytes: number, limits?: CmsLimits): Buffer {
  const compressed = layer('decompression-failed', 'CompressedData', () => {
    const ci = readContentInfo(der, limits);
    if (ci.type !== OID.compressedData)
      throw new Asn1Error(`expected CompressedData, got ${describeOid(ci.type)}`);
    const f = sequence(ci.content, 'CompressedData');
    const alg = oid(sequence(f[1], 'compressionAlgorithm')[0], 'compressionAlgorithm');
    if (alg !== OID.zlibCompress)
      fail('decompression-failed', 'unsupported-algorithm', `compression ${describeOid(alg)}`);
    const encap = sequence(f[2], 'encapContentInfo');
    return octets(explicit(encap[1], 0, 'eContent'), 'eContent');
  });
  try {
    return inflateSync(compressed, { maxOutputLength: maxBytes });
  } catch (err) {
    if (err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      fail('decompression-failed', 'limit', `the compressed content inflates beyond ${maxBytes} bytes`);
    fail('decompression-failed', 'inflate-failed', `zlib: ${(err as Error).message}`);
  }
}
