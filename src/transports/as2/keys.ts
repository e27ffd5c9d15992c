/**
 * The supplier's AS2 key pairs: imported as PEM (certificate and private key) or PKCS#12 with its
 * password, kept in as2_keys with the private key encrypted under SECRETS_KEY (src/platform/crypto.ts,
 * PKCS#8 PEM as the plaintext), decrypted only to decrypt or sign, never logged nor answered. During
 * a rollover of our own key every key not retired decrypts (partners switch when they please) and the
 * newest valid one signs.
 */
import { randomUUID } from 'node:crypto';
import { createPrivateKey } from 'node:crypto';
import {
  importKeyMaterial,
  newestValidCertificate,
  parseCertificate,
  type As2Certificate,
  type DecryptionKey,
} from '../../../protocols/as2';
import type { Config } from '../../platform/config';
import { decryptSecret, encryptSecret, keyIdOf } from '../../platform/crypto';
import type { Q } from '../../platform/db';
import { AppError, notFound } from '../../platform/errors';
import { ensureAs2ExpirySchedule } from './expiry';

/** Associated data of an encrypted key: it decrypts only on the row of its certificate. */
export function as2KeyAad(fingerprintSha256: string): string {
  return `as2 key ${fingerprintSha256}`;
}

export interface As2KeyView {
  id: string;
  fingerprintSha256: string;
  subject: string;
  notBefore: string;
  notAfter: string;
  createdAt: string;
  retiredAt: string | null;
  /** The certificate partners need (to encrypt to us and verify our signatures). */
  certificatePem: string;
}

interface KeyRow {
  id: string;
  fingerprint_sha256: string;
  certificate_der: Buffer;
  subject: string;
  not_before: Date;
  not_after: Date;
  private_key_enc: string;
  created_at: Date;
  retired_at: Date | null;
}

function view(r: KeyRow): As2KeyView {
  return {
    id: r.id,
    fingerprintSha256: r.fingerprint_sha256,
    subject: r.subject,
    notBefore: new Date(r.not_before).toISOString(),
    notAfter: new Date(r.not_after).toISOString(),
    createdAt: new Date(r.created_at).toISOString(),
    retiredAt: r.retired_at ? new Date(r.retired_at).toISOString() : null,
    certificatePem: parseCertificate(r.certificate_der).pem(),
  };
}

/**
 * Imports a key pair: `pem` (certificate and private key, any order) or `pkcs12` (base64) with its
 * `password`. The key must belong to the certificate. Importing the same certificate again is a
 * conflict (retire the old one first).
 */
export async function importSupplierKey(
  q: Q,
  config: Pick<Config, 'SECRETS_KEY'>,
  input: { pem?: string; pkcs12?: string; password?: string },
): Promise<As2KeyView> {
  if (!config.SECRETS_KEY)
    throw new AppError(
      'validation_failed',
      'AS2 keys are stored encrypted: set SECRETS_KEY (32 random bytes, openssl rand -base64 32) in every server and worker',
    );
  const source = input.pem ?? (input.pkcs12 ? Buffer.from(input.pkcs12, 'base64') : undefined);
  if (source === undefined)
    throw new AppError('validation_failed', 'give pem (certificate and private key) or pkcs12 and password');
  let material;
  try {
    material = importKeyMaterial(source, input.password !== undefined ? { password: input.password } : {});
  } catch (err) {
    throw new AppError('validation_failed', `the key pair cannot be read: ${(err as Error).message}`);
  }
  const cert = material.certificates[0];
  if (!material.privateKey || !cert)
    throw new AppError('validation_failed', 'the key pair needs both the certificate and its private key');
  const pkcs8 = material.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const row: KeyRow = {
    id: randomUUID(),
    fingerprint_sha256: cert.fingerprintSha256,
    certificate_der: cert.der,
    subject: cert.subject,
    not_before: cert.notBefore,
    not_after: cert.notAfter,
    private_key_enc: encryptSecret(config.SECRETS_KEY, pkcs8, as2KeyAad(cert.fingerprintSha256)),
    created_at: new Date(),
    retired_at: null,
  };
  const [inserted] = (await q('as2_keys')
    .insert(row)
    .onConflict('fingerprint_sha256')
    .ignore()
    .returning('*')) as KeyRow[];
  if (!inserted)
    throw new AppError('conflict', `the AS2 key of certificate ${cert.fingerprintSha256} exists`);
  await ensureAs2ExpirySchedule(q);
  return view(inserted);
}

export async function listSupplierKeys(q: Q): Promise<As2KeyView[]> {
  const rows = await q<KeyRow>('as2_keys').orderBy('not_before', 'desc').orderBy('id');
  return rows.map(view);
}

/** Retires a key: it no longer decrypts nor signs. */
export async function retireSupplierKey(q: Q, id: string): Promise<As2KeyView> {
  const [row] = (await q('as2_keys')
    .where({ id })
    .update({ retired_at: q.raw('coalesce(retired_at, now())') })
    .returning('*')) as KeyRow[];
  if (!row) throw notFound('AS2 key');
  return view(row);
}

export interface SupplierKeys {
  decryptionKeys: DecryptionKey[];
  /** The key that signs at `now` (newest valid), or undefined when none is valid. */
  signingKey(now: Date): DecryptionKey | undefined;
}

/** The supplier's keys not retired, decrypted for this use. */
export async function supplierKeys(q: Q, config: Pick<Config, 'SECRETS_KEY'>): Promise<SupplierKeys> {
  const rows = await q<KeyRow>('as2_keys').whereNull('retired_at');
  const decryptionKeys = rows.map((r) => {
    const certificate: As2Certificate = parseCertificate(r.certificate_der);
    const pem = decryptSecret(config.SECRETS_KEY, r.private_key_enc, as2KeyAad(r.fingerprint_sha256));
    return { certificate, privateKey: createPrivateKey(pem) };
  });
  return {
    decryptionKeys,
    signingKey: (now) => {
      const cert = newestValidCertificate(
        decryptionKeys.map((k) => k.certificate),
        now,
      );
      return cert ? decryptionKeys.find((k) => k.certificate === cert) : undefined;
    },
  };
}

/** The key ids of the encrypted AS2 keys (for the start-up check of SECRETS_KEY). */
export async function as2KeyIds(q: Q): Promise<{ id: string; keyId: string | null }[]> {
  const rows: { fingerprint_sha256: string; private_key_enc: string }[] = await q('as2_keys')
    .whereNull('retired_at')
    .select('fingerprint_sha256', 'private_key_enc');
  return rows.map((r) => ({ id: r.fingerprint_sha256, keyId: keyIdOf(r.private_key_enc) }));
}
