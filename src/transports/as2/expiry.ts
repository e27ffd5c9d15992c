/**
 * Expiry of AS2 certificates: the partners' (as2_certificates) and the supplier's own (as2_keys not
 * retired). A daily job logs a warning for each one that is valid now and ends within
 * AS2_CERT_WARN_DAYS (and for each that ended while it is still the newest of its owner), and
 * /metrics shows every one's seconds left (gateway_as2_certificate_expiry_seconds) for alert rules.
 */
import { z } from 'zod';
import type { Q } from '../../platform/db';
import { defineJob } from '../../platform/jobs';
import { upsertSchedule } from '../../platform/schedules';

export interface CertificateExpiry {
  owner: 'partner' | 'supplier';
  /** The partner's id; the supplier's certificates have none. */
  partnerId: string | null;
  fingerprintSha256: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
}

/** Every certificate of a live partner and every supplier key not retired. */
export async function certificateExpiries(q: Q): Promise<CertificateExpiry[]> {
  const partners: {
    partner_id: string;
    fingerprint_sha256: string;
    subject: string;
    not_before: Date;
    not_after: Date;
  }[] = await q('as2_certificates as c')
    .join('partners as p', 'p.id', 'c.partner_id')
    .whereNull('p.deleted_at')
    .select('c.partner_id', 'c.fingerprint_sha256', 'c.subject', 'c.not_before', 'c.not_after');
  const keys: { fingerprint_sha256: string; subject: string; not_before: Date; not_after: Date }[] = await q(
    'as2_keys',
  )
    .whereNull('retired_at')
    .select('fingerprint_sha256', 'subject', 'not_before', 'not_after');
  return [
    ...partners.map((r) => ({
      owner: 'partner' as const,
      partnerId: r.partner_id,
      fingerprintSha256: r.fingerprint_sha256,
      subject: r.subject,
      notBefore: new Date(r.not_before),
      notAfter: new Date(r.not_after),
    })),
    ...keys.map((r) => ({
      owner: 'supplier' as const,
      partnerId: null,
      fingerprintSha256: r.fingerprint_sha256,
      subject: r.subject,
      notBefore: new Date(r.not_before),
      notAfter: new Date(r.not_after),
    })),
  ];
}

/**
 * What to warn about at `now`: certificates valid now that end within `days`, and ended ones that
 * have no valid successor of the same owner (the partner, or the supplier), soonest first.
 */
export function expiryFindings(
  all: readonly CertificateExpiry[],
  now: Date,
  days: number,
): { certificate: CertificateExpiry; message: string }[] {
  const t = now.getTime();
  const limit = t + days * 86_400_000;
  const ownerOf = (c: CertificateExpiry) => `${c.owner}:${c.partnerId ?? ''}`;
  const hasValid = new Set(
    all.filter((c) => c.notBefore.getTime() <= t && t <= c.notAfter.getTime()).map(ownerOf),
  );
  const who = (c: CertificateExpiry) =>
    `${c.owner === 'partner' ? `partner ${c.partnerId}'s` : "the supplier's"} AS2 certificate ${c.subject} (${c.fingerprintSha256})`;
  const out: { certificate: CertificateExpiry; message: string }[] = [];
  for (const c of [...all].sort((a, b) => a.notAfter.getTime() - b.notAfter.getTime())) {
    const end = c.notAfter.getTime();
    if (end < t) {
      if (!hasValid.has(ownerOf(c)))
        out.push({
          certificate: c,
          message: `${who(c)} ended ${c.notAfter.toISOString()} and has no valid successor`,
        });
    } else if (end <= limit && c.notBefore.getTime() <= t) {
      out.push({
        certificate: c,
        message: `${who(c)} ends ${c.notAfter.toISOString()}, in ${Math.floor((end - t) / 86_400_000)} days`,
      });
    }
  }
  return out;
}

/** The warnings of expiryFindings, as the daily job logs them. */
export const expiryWarnings = (all: readonly CertificateExpiry[], now: Date, days: number): string[] =>
  expiryFindings(all, now, days).map((f) => f.message);

export const as2ExpiryJob = defineJob<Record<string, never>>({
  name: 'as2.expiry-check',
  payload: z.record(z.string(), z.never()),
  attempts: 1,
  backoffMs: 1000,
  handler: async (_data, ctx) => {
    for (const w of expiryWarnings(
      await certificateExpiries(ctx.db),
      ctx.now(),
      ctx.config.AS2_CERT_WARN_DAYS,
    ))
      ctx.log.warn({ event: 'as2.certificate-expiry' }, w);
  },
});

/** In the caller's transaction: the daily expiry check exists once anything AS2 does. */
export async function ensureAs2ExpirySchedule(trx: Q): Promise<void> {
  await upsertSchedule(trx, {
    key: as2ExpiryJob.name,
    jobName: as2ExpiryJob.name,
    payload: {},
    everyMs: 86_400_000,
  });
}
