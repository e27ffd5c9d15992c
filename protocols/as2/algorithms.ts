/**
 * Algorithm names and object identifiers (RFC 5652, 5754, 4055, 3565, 5084, 3274, 8017, 7292).
 */

/** Digest algorithms for signatures and MICs. Names are node:crypto's. */
export type DigestAlgorithm = 'sha1' | 'sha256' | 'sha384' | 'sha512';
export const DIGESTS: readonly DigestAlgorithm[] = ['sha1', 'sha256', 'sha384', 'sha512'];

export const DIGEST_OID: Record<DigestAlgorithm, string> = {
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
};
const DIGEST_BY_OID = new Map<string, DigestAlgorithm>(
  Object.entries(DIGEST_OID).map(([k, v]) => [v, k as DigestAlgorithm]),
);
export const digestFromOid = (oid: string): DigestAlgorithm | undefined => DIGEST_BY_OID.get(oid);

/** Output length in bytes. */
export const DIGEST_LENGTH: Record<DigestAlgorithm, number> = {
  sha1: 20,
  sha256: 32,
  sha384: 48,
  sha512: 64,
};

/**
 * Reads a MIC / micalg algorithm name in any of the spellings seen in the field: RFC 5751 `sha-256`,
 * RFC 3851 `sha256`, `SHA256`, `sha_256`, `sha-1`/`sha1`. Unknown names give undefined.
 */
export function digestFromName(name: string): DigestAlgorithm | undefined {
  const n = name
    .trim()
    .toLowerCase()
    .replace(/[-_\s]/g, '');
  switch (n) {
    case 'sha1':
      return 'sha1';
    case 'sha256':
    case 'sha2256':
      return 'sha256';
    case 'sha384':
    case 'sha2384':
      return 'sha384';
    case 'sha512':
    case 'sha2512':
      return 'sha512';
    default:
      return undefined;
  }
}

/** The RFC 5751 spelling used in micalg and Received-Content-MIC (`sha-256`). */
export function micalgName(d: DigestAlgorithm): string {
  return d === 'sha1' ? 'sha-1' : `sha-${d.slice(3)}`;
}

/** Signature schemes over RSA keys. */
export type SignatureScheme = 'rsa-pkcs1' | 'rsa-pss';

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  encryptedData: '1.2.840.113549.1.7.6',
  authEnvelopedData: '1.2.840.113549.1.9.16.1.23',
  compressedData: '1.2.840.113549.1.9.16.1.9',
  zlibCompress: '1.2.840.113549.1.9.16.3.8',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaesOaep: '1.2.840.113549.1.1.7',
  mgf1: '1.2.840.113549.1.1.8',
  rsassaPss: '1.2.840.113549.1.1.10',
  sha1WithRsa: '1.2.840.113549.1.1.5',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  subjectKeyIdentifier: '2.5.29.14',
  // PKCS#12 (RFC 7292) and PKCS#5 (RFC 8018)
  keyBag: '1.2.840.113549.1.12.10.1.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSha1: '1.2.840.113549.2.7',
  hmacWithSha224: '1.2.840.113549.2.8',
  hmacWithSha256: '1.2.840.113549.2.9',
  hmacWithSha384: '1.2.840.113549.2.10',
  hmacWithSha512: '1.2.840.113549.2.11',
  pbeSha3Key3Des: '1.2.840.113549.1.12.1.3',
  pbeSha2Key3Des: '1.2.840.113549.1.12.1.4',
  pbeSha128Rc2: '1.2.840.113549.1.12.1.5',
  pbeSha40Rc2: '1.2.840.113549.1.12.1.6',
} as const;

export const RSA_PKCS1_SIGNATURE_OIDS: Record<string, DigestAlgorithm | undefined> = {
  [OID.rsaEncryption]: undefined,
  [OID.sha1WithRsa]: 'sha1',
  [OID.sha256WithRsa]: 'sha256',
  [OID.sha384WithRsa]: 'sha384',
  [OID.sha512WithRsa]: 'sha512',
};

/** Content-encryption algorithms (node:crypto cipher names). */
export type ContentEncryption =
  | 'des-ede3-cbc'
  | 'aes-128-cbc'
  | 'aes-192-cbc'
  | 'aes-256-cbc'
  | 'aes-128-gcm'
  | 'aes-192-gcm'
  | 'aes-256-gcm';

export interface CipherInfo {
  oid: string;
  keyLength: number;
  /** IV (CBC) or nonce (GCM) length. */
  ivLength: number;
  mode: 'cbc' | 'gcm';
}

export const CIPHERS: Record<ContentEncryption, CipherInfo> = {
  'des-ede3-cbc': { oid: '1.2.840.113549.3.7', keyLength: 24, ivLength: 8, mode: 'cbc' },
  'aes-128-cbc': { oid: '2.16.840.1.101.3.4.1.2', keyLength: 16, ivLength: 16, mode: 'cbc' },
  'aes-192-cbc': { oid: '2.16.840.1.101.3.4.1.22', keyLength: 24, ivLength: 16, mode: 'cbc' },
  'aes-256-cbc': { oid: '2.16.840.1.101.3.4.1.42', keyLength: 32, ivLength: 16, mode: 'cbc' },
  'aes-128-gcm': { oid: '2.16.840.1.101.3.4.1.6', keyLength: 16, ivLength: 12, mode: 'gcm' },
  'aes-192-gcm': { oid: '2.16.840.1.101.3.4.1.26', keyLength: 24, ivLength: 12, mode: 'gcm' },
  'aes-256-gcm': { oid: '2.16.840.1.101.3.4.1.46', keyLength: 32, ivLength: 12, mode: 'gcm' },
};
const CIPHER_BY_OID = new Map<string, ContentEncryption>(
  Object.entries(CIPHERS).map(([k, v]) => [v.oid, k as ContentEncryption]),
);
export const cipherFromOid = (oid: string): ContentEncryption | undefined => CIPHER_BY_OID.get(oid);

/** Names seen in partner settings: `aes256-cbc`, `AES_256_CBC`, `3des`, `des-ede3`, `aes-256-gcm`. */
export function cipherFromName(name: string): ContentEncryption | undefined {
  const n = name.trim().toLowerCase().replace(/_/g, '-');
  if (n === '3des' || n === 'des-ede3' || n === 'des-ede3-cbc' || n === 'tripledes' || n === 'des3')
    return 'des-ede3-cbc';
  const m = /^aes-?(128|192|256)-?(cbc|gcm)?$/.exec(n);
  if (m) return `aes-${m[1]}-${m[2] ?? 'cbc'}` as ContentEncryption;
  return undefined;
}

/** Key transport of the content-encryption key to an RSA recipient. */
export type KeyTransport = 'rsa-pkcs1' | 'rsa-oaep';

/** Names a few well-known OIDs that we do not implement, for clearer errors. */
export const KNOWN_UNSUPPORTED: Record<string, string> = {
  '1.2.840.113549.3.2': 'RC2-CBC',
  '1.3.14.3.2.7': 'DES-CBC',
  '1.2.840.113549.2.5': 'MD5',
  '1.2.840.10045.2.1': 'EC public key',
  '1.3.101.112': 'Ed25519',
};

export function describeOid(oid: string): string {
  const name = KNOWN_UNSUPPORTED[oid];
  return name ? `${name} (${oid})` : oid;
}
