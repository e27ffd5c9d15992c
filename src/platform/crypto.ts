/**
 * Encryption at rest of the secrets the gateway must send itself (the supplier's outbound cXML
 * SharedSecret of each partner): AES-256-GCM (node:crypto) under SECRETS_KEY, a random 96-bit IV per
 * value, and associated data naming what the value is for (a ciphertext copied to another partner's
 * row does not decrypt). Stored as `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url); the key id
 * (a digest of the key, not the key) lets a start tell that SECRETS_KEY is not the key the values
 * were written with.
 *
 * Embedded mode without SECRETS_KEY: a key is generated once into DATA_DIR/secrets-key (0600), like
 * the admin token. With DATABASE_URL the key comes from the environment; it is needed as soon as a
 * partner has such a secret (see checkSecretsKey in src/partners/supplier-secret.ts).
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { secretsKeyBytes, type Config } from './config';
import { AppError } from './errors';

export function ensureSecretsKey(config: Config): Config {
  if (config.SECRETS_KEY || config.DATABASE_URL) return config;
  mkdirSync(config.DATA_DIR, { recursive: true });
  const file = path.join(config.DATA_DIR, 'secrets-key');
  let key: string;
  if (existsSync(file)) key = readFileSync(file, 'utf8').trim();
  else {
    key = randomBytes(32).toString('base64');
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
  }
  return { ...config, SECRETS_KEY: key };
}

/** A short public name of a key: the values it wrote carry it. */
export function keyId(key: Buffer): string {
  return createHmac('sha256', key).update('gateway secrets key id').digest('base64url').slice(0, 11);
}

function keyOf(secretsKey: string | undefined, what: string): Buffer {
  const key = secretsKey ? secretsKeyBytes(secretsKey) : null;
  if (!key)
    throw new AppError(
      'unavailable',
      `SECRETS_KEY is not set in this process, so ${what} cannot be encrypted or decrypted (set the same SECRETS_KEY in every server and worker)`,
    );
  return key;
}

export function encryptSecret(secretsKey: string | undefined, plaintext: string, aad: string): string {
  const key = keyOf(secretsKey, aad);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    'v1',
    keyId(key),
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    ct.toString('base64url'),
  ].join('.');
}

/** The key id a stored value was written with, or null when it is not such a value. */
export function keyIdOf(stored: string): string | null {
  const parts = stored.split('.');
  return parts.length === 5 && parts[0] === 'v1' ? (parts[1] as string) : null;
}

export function decryptSecret(secretsKey: string | undefined, stored: string, aad: string): string {
  const key = keyOf(secretsKey, aad);
  const [v, id, iv, tag, ct] = stored.split('.');
  if (v !== 'v1' || !id || iv === undefined || tag === undefined || ct === undefined)
    throw new AppError('internal', `${aad}: not an encrypted value`);
  if (id !== keyId(key))
    throw new AppError(
      'unavailable',
      `${aad} was encrypted with another SECRETS_KEY (key id ${id}; this process has ${keyId(key)})`,
    );
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new AppError('internal', `${aad} does not decrypt (altered, or moved from another row)`);
  }
}
