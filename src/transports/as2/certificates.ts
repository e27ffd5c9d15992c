/**
 * The partners' AS2 certificates (as2.certificates in the partner contract): parsed when the partner
 * is written, kept in as2_certificates with the validity the certificate states, and read back as
 * codec certificates for verifying what the partner signs and encrypting what we send it.
 */
import { importKeyMaterial, parseCertificate, type As2Certificate } from '../../../protocols/as2';
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

/**
 * Reads the certificates of `as2.certificates` (PEM, each entry may hold several blocks, or DER in
 * base64). A text that
 * holds no certificate, or a private key, is refused naming its index: a private key in a partner
 * contract is a mistake worth stopping.
 */
export function parsePartnerCertificates(pems: readonly string[]): As2Certificate[] {
  const out = new Map<string, As2Certificate>();
  pems.forEach((pem, i) => {
    const path = `as2.certificates.${i}`;
    let material;
    try {
      material = importKeyMaterial(
        pem.includes('-----BEGIN') ? pem : Buffer.from(pem.replace(/\s+/g, ''), 'base64'),
      );
    } catch (err) {
      throw new AppError('validation_failed', `${path}: ${(err as Error).message}`, {
        details: [{ path, message: 'not a PEM certificate' }],
      });
    }
    if (material.privateKey)
      throw new AppError('validation_failed', `${path} holds a private key: give only the certificate`, {
        details: [{ path, message: 'a private key' }],
      });
    if (material.certificates.length === 0)
      throw new AppError('validation_failed', `${path} holds no certificate`, {
        details: [{ path, message: 'no certificate' }],
      });
    for (const c of material.certificates) out.set(c.fingerprintSha256, c);
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
