/**
 * The alert rules: each reads Postgres at `now` and names the incidents that hold, one per key (a
 * partner, a certificate, or the whole gateway). An incident stays one alert while it holds
 * (evaluate.ts), so a rule says only what is true now.
 */
import type { Config } from '../platform/config';
import type { Q } from '../platform/db';
import { OVERDUE_SQL, overdueBindings } from '../edi/acknowledgments';
import { certificateExpiries, expiryFindings } from '../transports/as2/expiry';
import { refusalsSince } from './refusals';

export const ALERT_RULES = [
  'delivery_failing',
  'dead_letter',
  'ack_overdue',
  'refusal_spike',
  'partner_silent',
  'certificate_ending',
] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

export interface Incident {
  key: string;
  partnerId: string | null;
  summary: string;
  details: Record<string, unknown>;
}

type Find = (q: Q, config: Config, now: Date) => Promise<Incident[]>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
type Row = Record<string, unknown>;
const rowsOf = (r: unknown) => (r as { rows: Row[] }).rows;
const iso = (v: unknown) => new Date(v as string | Date).toISOString();

/** A partner whose last N delivery attempts (of the past week) all failed. */
const deliveryFailing: Find = async (q, config, now) => {
  const n = config.ALERT_DELIVERY_FAILURES;
  const rows = rowsOf(
    await q.raw(
      `with recent as (
         select d.partner_id, a.at, a.status_code, a.error,
                (a.error is not null or (a.status_code is not null and a.status_code not between 200 and 299)) as failed,
                row_number() over (partition by d.partner_id order by a.at desc, a.id desc) as rn
           from delivery_attempts a join deliveries d on d.id = a.delivery_id
          where a.at > ?
       )
       select partner_id, max(at) as last_at,
              (array_agg(coalesce(error, 'HTTP ' || status_code) order by at desc))[1] as last_error
         from recent where rn <= ?
        group by partner_id having count(*) = ? and bool_and(failed)`,
      [new Date(now.getTime() - 7 * DAY), n, n],
    ),
  );
  return rows.map((r) => ({
    key: String(r.partner_id),
    partnerId: String(r.partner_id),
    summary: `Deliveries to ${String(r.partner_id)} failed ${n} times in a row: ${String(r.last_error)}`,
    details: { failures: n, lastAttemptAt: iso(r.last_at), lastError: r.last_error },
  }));
};

/** Deliveries that gave up (dead letters) or were refused for good, per partner. */
const deadLetter: Find = async (q) => {
  const rows = await q('deliveries')
    .whereIn('status', ['failed', 'rejected'])
    .groupBy('partner_id')
    .select('partner_id')
    .count({ n: '*' })
    .min<Row[]>({ oldest: 'created_at' });
  return rows.map((r) => ({
    key: String(r.partner_id),
    partnerId: String(r.partner_id),
    summary: `${Number(r.n)} delivery(ies) to ${String(r.partner_id)} gave up and wait in the dead letters`,
    details: { deadLetters: Number(r.n), oldestCreatedAt: iso(r.oldest) },
  }));
};

/** Outbound X12 sets whose 997/999 is overdue (the partner's x12.ackWithinHours), per partner. */
const ackOverdue: Find = async (q, _config, now) => {
  const rows = rowsOf(
    await q.raw(
      `select s.partner_id, count(*)::int as n, min(s.created_at) as oldest
         from x12_outbound_sets s join partners p on p.id = s.partner_id
        where s.ack_status is null
          and ${OVERDUE_SQL}
        group by s.partner_id`,
      overdueBindings(now),
    ),
  );
  return rows.map((r) => ({
    key: String(r.partner_id),
    partnerId: String(r.partner_id),
    summary: `${Number(r.n)} X12 transaction set(s) sent to ${String(r.partner_id)} have no acknowledgment in time`,
    details: { overdue: Number(r.n), oldestSentAt: iso(r.oldest) },
  }));
};

/** More refused authentications in the window than ALERT_REFUSAL_SPIKE, over every surface. */
const refusalSpike: Find = async (q, config, now) => {
  const minutes = config.ALERT_REFUSAL_WINDOW_MINUTES;
  const bySurface = await refusalsSince(q, new Date(now.getTime() - minutes * 60_000));
  const total = Object.values(bySurface).reduce((a, b) => a + b, 0);
  if (total < config.ALERT_REFUSAL_SPIKE) return [];
  return [
    {
      key: 'all',
      partnerId: null,
      summary: `${total} refused authentications in the last ${minutes} minutes (threshold ${config.ALERT_REFUSAL_SPIKE})`,
      details: { total, bySurface, windowMinutes: minutes },
    },
  ];
};

/**
 * A partner that sent at least 5 documents in the past 30 days and nothing for 3 times its usual
 * interval (the mean gap between them), and at least ALERT_SILENCE_MIN_HOURS.
 */
const partnerSilent: Find = async (q, config, now) => {
  const rows = rowsOf(
    await q.raw(
      `select d.partner_id, count(*)::int as n, min(d.created_at) as first_at, max(d.created_at) as last_at
         from documents d join partners p on p.id = d.partner_id and p.deleted_at is null
        where d.direction = 'in' and d.status <> 'refused' and d.created_at > ?
        group by d.partner_id having count(*) >= 5`,
      [new Date(now.getTime() - 30 * DAY)],
    ),
  );
  const out: Incident[] = [];
  for (const r of rows) {
    const first = new Date(r.first_at as string).getTime();
    const last = new Date(r.last_at as string).getTime();
    const usual = (last - first) / (Number(r.n) - 1);
    const limit = Math.max(3 * usual, config.ALERT_SILENCE_MIN_HOURS * HOUR);
    const quiet = now.getTime() - last;
    if (quiet <= limit) continue;
    out.push({
      key: String(r.partner_id),
      partnerId: String(r.partner_id),
      summary: `${String(r.partner_id)} sent nothing for ${Math.floor(quiet / HOUR)} hours (usually every ${Math.max(1, Math.round(usual / HOUR))} hours)`,
      details: {
        lastDocumentAt: iso(r.last_at),
        usualIntervalHours: usual / HOUR,
        documents30d: Number(r.n),
      },
    });
  }
  return out;
};

/** AS2 certificates ending within AS2_CERT_WARN_DAYS, or ended without a valid successor. */
const certificateEnding: Find = async (q, config, now) =>
  expiryFindings(await certificateExpiries(q), now, config.AS2_CERT_WARN_DAYS).map((f) => ({
    key: f.certificate.fingerprintSha256,
    partnerId: f.certificate.partnerId,
    summary: f.message,
    details: {
      owner: f.certificate.owner,
      subject: f.certificate.subject,
      notAfter: iso(f.certificate.notAfter),
    },
  }));

export const RULES: Record<AlertRule, Find> = {
  delivery_failing: deliveryFailing,
  dead_letter: deadLetter,
  ack_overdue: ackOverdue,
  refusal_spike: refusalSpike,
  partner_silent: partnerSilent,
  certificate_ending: certificateEnding,
};

/** What each rule means, for the console and the notifications. */
export const RULE_TITLES: Record<AlertRule, string> = {
  delivery_failing: 'Deliveries failing in a row',
  dead_letter: 'Dead letters',
  ack_overdue: 'Acknowledgments overdue',
  refusal_spike: 'Refused authentications spike',
  partner_silent: 'Partner silent',
  certificate_ending: 'Certificate ending',
};
