/**
 * The partners' AS2 certificates (as2.certificates in the partner contract: PEM, DER or PKCS#12):
 * parsed when the partner is written, kept in as2_certificates with the validity the certificate states, and read back as
 * codec certificates for verifying what the partner signs and encrypting what we send it.
 */
import { X509Certificate } from 'node:crypto';
import { As2Error, importKeyMaterial, parseCertificate, type As2Certificate } from '../../../protocols/as2';
import type { Q } from '../../platform/db';
import { AppError } from '../../platform/errors';
import type { As2Settings, PartnerInput } from '../../partners/schema';

type CertificateSummary = As2Settings['certificates'][number];

export function summarize(c: As2Certificate): CertificateSummary {
  return {
    fingerprintSha256: c.fingerprintSha256,
    subject: c.subject,
    issuer: c.issuer,
    serialNumber: c.serialNumber,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
  };
}

type CertificateInput = NonNullable<PartnerInput['as2']>['certificates'][number];

/** The certificates no other one of `certs` was issued by (the end entities of a chain). */
function endEntities(certs: readonly As2Certificate[]): As2Certificate[] {
  const x509 = certs.map((c) => new X509Certificate(c.der));
  return certs.filter((_, i) => !x509.some((other, j) => j !== i && other.checkIssued(x509[i]!)));
}

/** One entry of `as2.certificates` read: PEM (one or more blocks), DER in base64, or PKCS#12. */
function readEntry(entry: CertificateInput, path: string): As2Certificate[] {
  const p12 = typeof entry === 'object';
  let material;
  try {
    material = p12
      ? importKeyMaterial(Buffer.from(entry.pkcs12, 'base64'), { password: entry.password })
      : importKeyMaterial(
          entry.includes('-----BEGIN') ? entry : Buffer.from(entry.replace(/\s+/g, ''), 'base64'),
        );
  } catch (err) {
    const badPassword = err instanceof As2Error && err.reason === 'bad-password';
    const message = p12
      ? badPassword
        ? 'the PKCS#12 password is wrong (or the file is damaged)'
        : 'not a readable PKCS#12 file'
      : 'not a PEM certificate';
    throw new AppError('validation_failed', `${path}: ${message}: ${(err as Error).message}`, {
      details: [{ path: p12 ? `${path}.${badPassword ? 'password' : 'pkcs12'}` : path, message }],
    });
  }
  if (material.privateKey)
    throw new AppError(
      'validation_failed',
      `${path} holds a private key: give only the certificate${p12 ? ' (openssl pkcs12 -export -nokeys)' : ''}`,
      { details: [{ path, message: 'a private key' }] },
    );
  if (material.certificates.length === 0)
    throw new AppError('validation_failed', `${path} holds no certificate`, {
      details: [{ path, message: 'no certificate' }],
    });
  // A PKCS#12 chain carries its CA certificates too: what we verify with and encrypt to is the
  // partner's own certificate, not its issuer's.
  return p12 ? endEntities(material.certificates) : material.certificates;
}

/**
 * Reads the certificates of `as2.certificates` (PEM, each entry may hold several blocks; DER in
 * base64; or a PKCS#12 file with its password, of which the end-entity certificates are kept). An
 * entry that holds no certificate, or a private key, is refused naming its index: a private key in a
 * partner contract is a mistake worth stopping.
 */
export function parsePartnerCertificates(entries: readonly CertificateInput[]): As2Certificate[] {
  const out = new Map<string, As2Certificate>();
  entries.forEach((entry, i) => {
    for (const c of readEntry(entry, `as2.certificates.${i}`)) out.set(c.fingerprintSha256, c);
  });
  return [...out.values()];
}

/** The as2 settings as stored on the partner row: the certificates summarised. */
export function as2SettingsOf(
  as2: NonNullable<PartnerInput['as2']>,
  certificates: readonly As2Certificate[],
): As2Settings {
  const { certificates: _pems, ...rest } = as2;
  return { ...rest, certificates: certificates.map(summarize) };
}

/** Replaces the partner's certificates with `certificates` (none: the partner has no AS2). */
export async function syncPartnerCertificates(
  trx: Q,
  partnerId: string,
  certificates: readonly As2Certificate[],
): Promise<void> {
  await trx('as2_certificates').where({ partner_id: partnerId }).delete();
  if (certificates.length === 0) return;
  await trx('as2_certificates').insert(
    certificates.map((c) => ({
      partner_id: partnerId,
      fingerprint_sha256: c.fingerprintSha256,
      der: c.der,
      subject: c.subject,
      issuer: c.issuer,
      serial_number: c.serialNumber,
      not_before: c.notBefore,
      not_after: c.notAfter,
    })),
  );
}

/** Every certificate of the partner (valid or not: the codec picks those valid at its `now`). */
export async function partnerCertificates(q: Q, partnerId: string): Promise<As2Certificate[]> {
  const rows: { der: Buffer }[] = await q('as2_certificates')
    .where({ partner_id: partnerId })
    .orderBy('not_before')
    .select('der');
  return rows.map((r) => parseCertificate(r.der));
}
