/**
 * The credentials the gateway logs in to a partner's SFTP server with (sftp.password,
 * sftp.privateKey, sftp.privateKeyPassphrase): one AES-256-GCM value under SECRETS_KEY
 * (src/platform/crypto.ts) on the partner's row, decrypted only to connect, never logged and never
 * answered (a partner GET says only hasPassword / hasPrivateKey).
 */
import { utils, type ParsedKey } from 'ssh2';
import { decryptSecret, encryptSecret } from '../platform/crypto';
import { AppError } from '../platform/errors';
import type { Config } from '../platform/config';

export interface SftpCredentials {
  password?: string;
  privateKey?: string;
  privateKeyPassphrase?: string;
}

/** Associated data of the ciphertext: it decrypts only on this partner's row. */
export function sftpCredentialsAad(partnerId: string): string {
  return `partner ${partnerId} sftp credentials`;
}

export function encryptSftpCredentials(
  secretsKey: string | undefined,
  partnerId: string,
  c: SftpCredentials,
): string {
  return encryptSecret(secretsKey, JSON.stringify(c), sftpCredentialsAad(partnerId));
}

export function sftpCredentials(
  config: Pick<Config, 'SECRETS_KEY'>,
  partner: { id: string; sftp_credentials_enc: string | null },
): SftpCredentials | null {
  if (!partner.sftp_credentials_enc) return null;
  const plain = decryptSecret(
    config.SECRETS_KEY,
    partner.sftp_credentials_enc,
    sftpCredentialsAad(partner.id),
  );
  return JSON.parse(plain) as SftpCredentials;
}

/**
 * Refuses a private key that cannot be used (not a key, encrypted without the right passphrase),
 * naming what is wrong but never the key.
 */
export function checkPrivateKey(privateKey: string, passphrase: string | undefined): void {
  // A file of several keys parses to an array of them, which ssh2's types leave out.
  const parsed = utils.parseKey(privateKey, passphrase) as ParsedKey | ParsedKey[] | Error;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key instanceof Error || !key) {
    const why = key instanceof Error ? key.message : 'no key found';
    throw new AppError('validation_failed', `sftp.privateKey cannot be used: ${why}`, {
      details: [{ path: 'sftp.privateKey', message: why }],
    });
  }
  if (!key.isPrivateKey()) {
    throw new AppError('validation_failed', 'sftp.privateKey is a public key, not a private key', {
      details: [{ path: 'sftp.privateKey', message: 'a public key' }],
    });
  }
}
