/**
 * Outbound documents to a partner's SFTP outbound directory: written under a temporary name
 * (`.<name>.part`: hidden, and with a suffix SFTP pickups skip) and renamed to `<name>` only once
 * every byte is written, so the partner never sees a partial file under the final name. The name is
 * the document's (`<type>-<document id>.x12`), the same on every attempt: an attempt that finds the
 * final name already there with the same size knows an earlier one completed (the rename happened,
 * the delivery was not recorded) and uploads nothing again.
 */
import type { Config } from '../../platform/config';
import type { PartnerRow } from '../../partners/repository';
import { remotePath, SftpError, withSftp } from './client';
import { endpointOf, sessionOptions } from './endpoint';

export function outboundFileName(d: { documentId: string; docType: string }): string {
  return `${d.docType.replace(/[^A-Za-z0-9_-]/g, '_')}-${d.documentId}.x12`;
}

export async function uploadDocument(
  config: Pick<Config, 'SECRETS_KEY' | 'SFTP_TIMEOUT_MS' | 'OUTBOUND_DENY_PRIVATE'>,
  partner: Pick<PartnerRow, 'id' | 'settings' | 'sftp_credentials_enc'>,
  doc: { documentId: string; docType: string; content: Buffer },
): Promise<{ path: string; alreadyThere: boolean }> {
  const { endpoint, settings } = endpointOf(config, partner);
  const name = outboundFileName(doc);
  const final = remotePath(settings.outboundDir, name);
  const temp = remotePath(settings.outboundDir, `.${name}.part`);
  return withSftp(endpoint, sessionOptions(config), async (s) => {
    const there = await s.stat(final);
    if (there) {
      if (there.size === doc.content.length) {
        // An earlier attempt renamed it; its temporary file is gone with the rename.
        return { path: final, alreadyThere: true };
      }
      throw new SftpError(
        'exists',
        `${final} exists with ${there.size} bytes, not the ${doc.content.length} of this document`,
      );
    }
    await s.writeFile(temp, doc.content);
    const written = await s.stat(temp);
    if (!written || written.size !== doc.content.length)
      throw new SftpError(
        'io',
        `${temp} has ${written?.size ?? 'no'} bytes after the upload, not ${doc.content.length}`,
      );
    await s.rename(temp, final);
    return { path: final, alreadyThere: false };
  });
}
