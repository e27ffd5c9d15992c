/**
 * PKCS#12 (RFC 7292) reading: password integrity (HMAC with the PKCS#12 key derivation), data and
 * password-encrypted safes, key bags, shrouded key bags (PBES2 / RFC 8018 and the PKCS#12 3DES
 * and RC2 PBEs) and certificate bags. Public-key integrity/privacy modes are refused with a clear error.
 */
import {
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  pbkdf2Sync,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import {
  DIGEST_LENGTH,
  OID,
  cipherFromOid,
  CIPHERS,
  describeOid,
  digestFromOid,
  type DigestAlgorithm,
} from './algorithms';
import {
  Asn1Error,
  type Node,
  explicit,
  isContext,
  isInteger,
  octets,
  oid,
  parseDer,
  raw,
  sequence,
  smallInt,
} from './der';
import { As2Error } from './errors';
import { rc2CbcDecrypt } from './rc2';

const MAX_ITERATIONS = 10_000_000;

export interface Pkcs12Contents {
  certificates: Buffer[];
  keys: KeyObject[];
}

export function parsePkcs12(der: Buffer, password: string): Pkcs12Contents {
  try {
    return readPfx(der, password);
  } catch (err) {
    if (err instanceof As2Error) throw err;
    throw new As2Error('unexpected-processing-error', 'malformed', `PKCS#12: ${(err as Error).message}`);
  }
}

function readPfx(der: Buffer, password: string): Pkcs12Contents {
  const pfx = sequence(parseDer(der, 'PFX'), 'PFX');
  const authSafe = sequence(pfx[1], 'authSafe');
  const type = oid(authSafe[0], 'authSafe contentType');
  if (type !== OID.data)
    throw new As2Error(
      'unexpected-processing-error',
      'unsupported-algorithm',
      `PKCS#12 public-key integrity mode (${type})`,
    );
  const content = octets(explicit(authSafe[1], 0, 'authSafe content'), 'authSafe content');
  if (pfx[2]) verifyMac(sequence(pfx[2], 'macData'), content, password);

  const out: Pkcs12Contents = { certificates: [], keys: [] };
  for (const ci of sequence(parseDer(content, 'AuthenticatedSafe'), 'AuthenticatedSafe')) {
    const f = sequence(ci, 'ContentInfo');
    const ct = oid(f[0], 'contentType');
    if (ct === OID.data) {
      readSafeContents(octets(explicit(f[1], 0, 'data'), 'data'), password, out, 0);
    } else if (ct === OID.encryptedData) {
      const ed = sequence(explicit(f[1], 0, 'encryptedData'), 'EncryptedData');
      const eci = sequence(ed[1], 'EncryptedContentInfo');
      if (!isContext(eci[2], 0)) throw new Asn1Error('EncryptedData without content');
      const plain = pbeDecrypt(eci[1]!, octets(eci[2], 'encryptedContent'), password);
      readSafeContents(plain, password, out, 0);
    } else {
      throw new As2Error(
        'unexpected-processing-error',
        'unsupported-algorithm',
        `PKCS#12 safe of type ${ct}`,
      );
    }
  }
  return out;
}

function verifyMac(macData: Node[], content: Buffer, password: string): void {
  const digestInfo = sequence(macData[0], 'mac');
  const algId = oid(sequence(digestInfo[0], 'mac digestAlgorithm')[0], 'mac digestAlgorithm');
  const hash = digestFromOid(algId);
  if (!hash)
    throw new As2Error(
      'unexpected-processing-error',
      'unsupported-algorithm',
      `PKCS#12 MAC ${describeOid(algId)}`,
    );
  const expected = octets(digestInfo[1], 'mac digest');
  const salt = octets(macData[1], 'macSalt');
  const iterations = isInteger(macData[2]) ? smallInt(macData[2], 'iterations') : 1;
  checkIterations(iterations);
  const key = pkcs12Kdf(hash, bmpPassword(password), salt, 3, iterations, DIGEST_LENGTH[hash]);
  const actual = createHmac(hash, key).update(content).digest();
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
    throw new As2Error(
      'unexpected-processing-error',
      'bad-password',
      'PKCS#12 integrity check failed: wrong password',
    );
}

function readSafeContents(der: Buffer, password: string, out: Pkcs12Contents, depth: number): void {
  if (depth > 2) throw new Asn1Error('SafeContents nested too deep');
  for (const bag of sequence(parseDer(der, 'SafeContents'), 'SafeContents')) {
    const f = sequence(bag, 'SafeBag');
    const bagId = oid(f[0], 'bagId');
    const value = explicit(f[1], 0, 'bagValue');
    if (bagId === OID.keyBag) {
      out.keys.push(createPrivateKey({ key: raw(value), format: 'der', type: 'pkcs8' }));
    } else if (bagId === OID.pkcs8ShroudedKeyBag) {
      const epki = sequence(value, 'EncryptedPrivateKeyInfo');
      let pki: Buffer;
      try {
        pki = pbeDecrypt(epki[0]!, octets(epki[1], 'encryptedData'), password);
      } catch (err) {
        if (err instanceof As2Error) throw err;
        throw new As2Error(
          'unexpected-processing-error',
          'bad-password',
          'the private key could not be decrypted: wrong password',
        );
      }
      out.keys.push(createPrivateKey({ key: pki, format: 'der', type: 'pkcs8' }));
    } else if (bagId === OID.certBag) {
      const cb = sequence(value, 'CertBag');
      if (oid(cb[0], 'certId') === OID.x509Certificate)
        out.certificates.push(Buffer.from(octets(explicit(cb[1], 0, 'certValue'), 'certValue')));
    } else if (bagId === '1.2.840.113549.1.12.10.1.6') {
      readSafeContents(raw(value), password, out, depth + 1);
    }
    // CRL and secret bags carry nothing we use.
  }
}

function checkIterations(n: number): void {
  if (!(n >= 1 && n <= MAX_ITERATIONS))
    throw new As2Error('unexpected-processing-error', 'limit', `PKCS#12 iteration count ${n} out of range`);
}

/** Password-based decryption for PBES2 and the PKCS#12 PBE schemes. */
function pbeDecrypt(algNode: Node, data: Buffer, password: string): Buffer {
  const alg = sequence(algNode, 'encryptionAlgorithm');
  const id = oid(alg[0], 'encryptionAlgorithm');
  if (id === OID.pbes2) {
    const params = sequence(alg[1], 'PBES2-params');
    const kdf = sequence(params[0], 'keyDerivationFunc');
    if (oid(kdf[0], 'kdf') !== OID.pbkdf2)
      throw new As2Error(
        'unexpected-processing-error',
        'unsupported-algorithm',
        'PBES2 key derivation other than PBKDF2',
      );
    const kp = sequence(kdf[1], 'PBKDF2-params');
    const salt = octets(kp[0], 'salt');
    const iterations = smallInt(kp[1], 'iterationCount');
    checkIterations(iterations);
    let i = 2;
    if (isInteger(kp[i])) i++; // keyLength: implied by the cipher
    const prfOid = kp[i] ? oid(sequence(kp[i], 'prf')[0], 'prf') : OID.hmacWithSha1;
    const prf = PRF[prfOid];
    if (!prf)
      throw new As2Error(
        'unexpected-processing-error',
        'unsupported-algorithm',
        `PBKDF2 PRF ${describeOid(prfOid)}`,
      );
    const scheme = sequence(params[1], 'encryptionScheme');
    const cipherOid = oid(scheme[0], 'encryptionScheme');
    const cipher = cipherFromOid(cipherOid);
    if (!cipher || CIPHERS[cipher].mode !== 'cbc')
      throw new As2Error(
        'unexpected-processing-error',
        'unsupported-algorithm',
        `PBES2 cipher ${describeOid(cipherOid)}`,
      );
    const iv = octets(scheme[1], 'iv');
    const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, CIPHERS[cipher].keyLength, prf);
    const d = createDecipheriv(cipher, key, iv);
    return Buffer.concat([d.update(data), d.final()]);
  }
  if (id === OID.pbeSha3Key3Des || id === OID.pbeSha2Key3Des) {
    const params = sequence(alg[1], 'pbeParams');
    const salt = octets(params[0], 'salt');
    const iterations = smallInt(params[1], 'iterations');
    checkIterations(iterations);
    const pw = bmpPassword(password);
    let key = pkcs12Kdf('sha1', pw, salt, 1, iterations, id === OID.pbeSha3Key3Des ? 24 : 16);
    if (key.length === 16) key = Buffer.concat([key, key.subarray(0, 8)]);
    const iv = pkcs12Kdf('sha1', pw, salt, 2, iterations, 8);
    const d = createDecipheriv('des-ede3-cbc', key, iv);
    return Buffer.concat([d.update(data), d.final()]);
  }
  if (id === OID.pbeSha40Rc2 || id === OID.pbeSha128Rc2) {
    // Legacy exports (openssl pkcs12 -legacy, older Windows/Java): RC2-40 certificate safes.
    const params = sequence(alg[1], 'pbeParams');
    const salt = octets(params[0], 'salt');
    const iterations = smallInt(params[1], 'iterations');
    checkIterations(iterations);
    const pw = bmpPassword(password);
    const bits = id === OID.pbeSha40Rc2 ? 40 : 128;
    const key = pkcs12Kdf('sha1', pw, salt, 1, iterations, bits / 8);
    const iv = pkcs12Kdf('sha1', pw, salt, 2, iterations, 8);
    return rc2CbcDecrypt(key, bits, iv, data);
  }
  const name = describeOid(id);
  throw new As2Error('unexpected-processing-error', 'unsupported-algorithm', `PKCS#12 encryption ${name}`);
}

const PRF: Record<string, DigestAlgorithm | 'sha224'> = {
  [OID.hmacWithSha1]: 'sha1',
  [OID.hmacWithSha224]: 'sha224',
  [OID.hmacWithSha256]: 'sha256',
  [OID.hmacWithSha384]: 'sha384',
  [OID.hmacWithSha512]: 'sha512',
};

/** BMPString of the password with a terminating NUL (RFC 7292 B.1); an empty password is empty. */
function bmpPassword(password: string): Buffer {
  if (password.length === 0) return Buffer.alloc(0);
  const b = Buffer.alloc((password.length + 1) * 2);
  for (let i = 0; i < password.length; i++) b.writeUInt16BE(password.charCodeAt(i), i * 2);
  return b;
}

/** RFC 7292 appendix B.2 key derivation. */
export function pkcs12Kdf(
  hash: DigestAlgorithm,
  password: Buffer,
  salt: Buffer,
  id: 1 | 2 | 3,
  iterations: number,
  n: number,
): Buffer {
  const u = DIGEST_LENGTH[hash];
  const v = hash === 'sha384' || hash === 'sha512' ? 128 : 64;
  const D = Buffer.alloc(v, id);
  const fill = (src: Buffer): Buffer => {
    if (src.length === 0) return Buffer.alloc(0);
    const len = v * Math.ceil(src.length / v);
    const out = Buffer.alloc(len);
    for (let i = 0; i < len; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const I = Buffer.concat([fill(salt), fill(password)]);
  const c = Math.ceil(n / u);
  const parts: Buffer[] = [];
  for (let i = 0; i < c; i++) {
    let A = createHash(hash).update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash(hash).update(A).digest();
    parts.push(A);
    if (i === c - 1) break;
    const B = Buffer.alloc(v);
    for (let k = 0; k < v; k++) B[k] = A[k % u]!;
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(parts).subarray(0, n);
}
