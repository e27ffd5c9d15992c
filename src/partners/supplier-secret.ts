/**
 * The SharedSecret the supplier sends a partner in outbound cXML (cxml.supplierSharedSecret): kept
 * encrypted with SECRETS_KEY (src/platform/crypto.ts), decrypted only to build or send a document,
 * never logged and never answered by an API (a partner GET says only hasSupplierSharedSecret).
 * Stored and served copies of the documents carry it masked; a delivery puts the current secret back
 * into the bytes it sends.
 */
import { ConfigError, secretsKeyBytes, type Config } from '../platform/config';
import { decryptSecret, keyId, keyIdOf } from '../platform/crypto';
import type { Q } from '../platform/db';
import { as2KeyIds } from '../transports/as2/keys';

/** Associated data of the ciphertext: it decrypts only on this partner's row. */
export function supplierSecretAad(partnerId: string): string {
  return `partner ${partnerId} cxml.supplierSharedSecret`;
}

export function supplierSharedSecret(
  config: Pick<Config, 'SECRETS_KEY'>,
  partner: { id: string; cxml_supplier_secret_enc: string | null },
): string | null {
  if (!partner.cxml_supplier_secret_enc) return null;
  return decryptSecret(config.SECRETS_KEY, partner.cxml_supplier_secret_enc, supplierSecretAad(partner.id));
}

/** The supplier's Sender credential for documents to this partner. */
export function supplierCredential(
  config: Pick<Config, 'SECRETS_KEY' | 'SUPPLIER_CXML_DOMAIN' | 'SUPPLIER_CXML_IDENTITY'>,
  partner: { id: string; cxml_supplier_secret_enc: string | null },
): { domain: string; identity: string; sharedSecret?: string } {
  const secret = supplierSharedSecret(config, partner);
  return {
    domain: config.SUPPLIER_CXML_DOMAIN,
    identity: config.SUPPLIER_CXML_IDENTITY,
    ...(secret !== null ? { sharedSecret: secret } : {}),
  };
}

/** The encrypted columns of a partner row, with what each holds (for the start-up check). */
const ENCRYPTED_COLUMNS = {
  cxml_supplier_secret_enc: 'cxml.supplierSharedSecret',
  sftp_credentials_enc: 'sftp credentials',
} as const;

/**
 * At start: when partners have encrypted secrets, SECRETS_KEY must be set and be the key they were
 * written with; otherwise the start stops naming the partners (rather than failing deliveries later).
 */
export async function checkSecretsKey(q: Q, config: Pick<Config, 'SECRETS_KEY'>): Promise<void> {
  const key = config.SECRETS_KEY ? secretsKeyBytes(config.SECRETS_KEY) : null;
  const mine = key ? keyId(key) : null;
  const problems: string[] = [];
  for (const [column, what] of Object.entries(ENCRYPTED_COLUMNS)) {
    const rows: { id: string; enc: string }[] = await q('partners')
      .whereNotNull(column)
      .whereNull('deleted_at')
      .select('id', `${column} as enc`);
    if (rows.length === 0) continue;
    const names = (list: typeof rows) =>
      list
        .slice(0, 10)
        .map((r) => r.id)
        .join(', ') + (list.length > 10 ? ` and ${list.length - 10} more` : '');
    if (!mine) {
      problems.push(`SECRETS_KEY: required: partners ${names(rows)} have an encrypted ${what}`);
      continue;
    }
    const other = rows.filter((r) => keyIdOf(r.enc) !== mine);
    if (other.length)
      problems.push(
        `SECRETS_KEY: not the key that encrypted the ${what} of partners ${names(other)} (key id ${keyIdOf(other[0]!.enc)}, this one is ${mine})`,
      );
  }
  const as2 = await as2KeyIds(q);
  if (as2.length && !mine)
    problems.push(`SECRETS_KEY: required: ${as2.length} AS2 keys are stored encrypted`);
  const otherAs2 = as2.filter((k) => mine && k.keyId !== mine);
  if (otherAs2.length)
    problems.push(
      `SECRETS_KEY: not the key that encrypted the AS2 keys of certificates ${otherAs2.map((k) => k.id).join(', ')}`,
    );
  if (problems.length) throw new ConfigError(problems);
}
