import type { Config } from '../../platform/config';
import { AppError } from '../../platform/errors';
import type { PartnerRow } from '../../partners/repository';
import type { SftpSettings } from '../../partners/schema';
import { sftpCredentials } from '../../partners/sftp-credentials';
import type { SftpEndpoint, SftpSessionOptions } from './client';

/** The partner's SFTP server with its credentials decrypted (kept in memory for one session only). */
export function endpointOf(
  config: Pick<Config, 'SECRETS_KEY'>,
  partner: Pick<PartnerRow, 'id' | 'settings' | 'sftp_credentials_enc'>,
): { endpoint: SftpEndpoint; settings: SftpSettings } {
  const settings = partner.settings.sftp;
  if (!settings) throw new AppError('conflict', `partner ${partner.id} has no SFTP settings`);
  const creds = sftpCredentials(config, partner) ?? {};
  return {
    settings,
    endpoint: {
      host: settings.host,
      port: settings.port,
      username: settings.username,
      hostKeySha256: settings.hostKeySha256,
      ...creds,
    },
  };
}

export function sessionOptions(
  config: Pick<Config, 'SFTP_TIMEOUT_MS' | 'OUTBOUND_DENY_PRIVATE'>,
): SftpSessionOptions {
  return { timeoutMs: config.SFTP_TIMEOUT_MS, denyPrivate: config.OUTBOUND_DENY_PRIVATE };
}
