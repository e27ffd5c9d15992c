/**
 * Acknowledgments of what the gateway sends over X12. Every outbound set is recorded with its
 * control numbers (recordOutboundSet, from sendX12Document); a partner's 997/999 and TA1 are never
 * answered: they are matched to the outbound group, sets and interchange they acknowledge
 * (applyFunctionalAck, applyInterchangeAck), and each outbound document then shows its state:
 * accepted, accepted_with_errors, rejected (with what the partner said), or, while none has come,
 * pending, and overdue once the partner's `x12.ackWithinHours` (default 24) have passed.
 * `acknowledgmentStates` gives the states of some documents (the documents API); `x12AckMetrics`
 * counts them per partner and state (for the metrics endpoint).
 */
import type { FunctionalAck, SetAck } from '../../protocols/x12';
import type { Q } from '../platform/db';

export type AckStatus = 'accepted' | 'accepted_with_errors' | 'rejected';
export type AckState = AckStatus | 'pending' | 'overdue';

export const DEFAULT_ACK_WITHIN_HOURS = 24;

export interface OutboundSetRecord {
  documentId: string;
  partnerId: string;
  interchangeControl: number;
  groupControl: number;
  functionalId: string;
  setId: string;
  setControl: string;
}

export async function recordOutboundSet(trx: Q, r: OutboundSetRecord): Promise<void> {
  await trx('x12_outbound_sets').insert({
    document_id: r.documentId,
    partner_id: r.partnerId,
    interchange_control: r.interchangeControl,
    group_control: r.groupControl,
    functional_id: r.functionalId,
    set_id: r.setId,
    set_control: r.setControl,
  });
}

interface OutboundSetRow {
  document_id: string;
  set_id: string;
  set_control: string;
  group_control: number | string;
  created_at: Date;
}

/** AK501 / IK501 (and AK901 for sets the acknowledgment does not list) as a status. */
function statusOf(code: string): AckStatus {
  if (code === 'A') return 'accepted';
  if (code === 'E') return 'accepted_with_errors';
  return 'rejected';
}

const sameControl = (a: string, b: string): boolean =>
  a.trim() === b.trim() || (/^\d+$/.test(a.trim()) && /^\d+$/.test(b.trim()) && Number(a) === Number(b));

export interface AckMatch {
  /** The acknowledged group's control number (AK102). */
  groupControl: string;
  /** Outbound documents whose state this acknowledgment set. */
  documentIds: string[];
  /** What could not be matched: "AK2 855 0007: no such set in group 12". */
  unmatched: string[];
}

function setDetail(ack: FunctionalAck, s: SetAck | undefined) {
  return {
    kind: ack.kind,
    groupStatus: ack.status,
    ...(ack.codes.length ? { groupCodes: ack.codes } : {}),
    ...(s
      ? {
          setStatus: s.status,
          ...(s.codes.length ? { setCodes: s.codes } : {}),
          ...(s.segments.length
            ? {
                segments: s.segments.map((g) => ({
                  segmentId: g.segmentId,
                  position: g.position,
                  ...(g.loopId ? { loopId: g.loopId } : {}),
                  ...(g.code ? { code: g.code } : {}),
                  elements: g.elements,
                })),
              }
            : {}),
        }
      : {}),
  };
}

/**
 * A partner's 997/999 for one of our functional groups: AK1 names the group (GS06), each AK2 a set
 * (ST01, ST02) with its AK5/IK5 outcome; sets of the group the acknowledgment does not list take
 * the group's AK9 outcome (A/E/P: accepted, R: rejected). The latest outbound group with that
 * control number is the one meant (control numbers wrap after 999999999).
 */
export async function applyFunctionalAck(
  trx: Q,
  partnerId: string,
  ack: FunctionalAck,
  ackDocumentId: string,
  now: Date,
): Promise<AckMatch> {
  const match: AckMatch = { groupControl: ack.groupControlNumber, documentIds: [], unmatched: [] };
  const gs = ack.groupControlNumber.trim();
  if (!/^\d{1,9}$/.test(gs)) {
    match.unmatched.push(`AK102 "${gs}" is not a group control number`);
    return match;
  }
  const rows = await trx('x12_outbound_sets')
    .where({ partner_id: partnerId, group_control: Number(gs) })
    .orderBy('created_at', 'desc')
    .select<OutboundSetRow[]>('document_id', 'set_id', 'set_control', 'group_control', 'created_at');
  const [newest] = rows;
  if (newest === undefined) {
    match.unmatched.push(`AK1 group ${gs}: no outbound group with this control number`);
    return match;
  }
  // The latest group with this number: its sets were written in one transaction (one now()).
  const latest = new Date(newest.created_at).getTime();
  const group = rows.filter((r) => new Date(r.created_at).getTime() === latest);
  const listed = new Set<string>();
  for (const s of ack.sets) {
    const row = group.find((r) => r.set_id === s.id && sameControl(r.set_control, s.controlNumber));
    if (!row) {
      match.unmatched.push(`AK2 ${s.id} ${s.controlNumber}: no such set in group ${gs}`);
      continue;
    }
    listed.add(row.document_id);
    await trx('x12_outbound_sets')
      .where({ document_id: row.document_id })
      .update({
        ack_status: statusOf(s.status || ack.status),
        ack_detail: JSON.stringify(setDetail(ack, s)),
        ack_document_id: ackDocumentId,
        acknowledged_at: now,
      });
    match.documentIds.push(row.document_id);
  }
  const rest = group.filter((r) => !listed.has(r.document_id)).map((r) => r.document_id);
  if (rest.length > 0 && ack.status) {
    await trx('x12_outbound_sets')
      .whereIn('document_id', rest)
      .update({
        ack_status:
          ack.status === 'R' ? 'rejected' : ack.status === 'E' ? 'accepted_with_errors' : 'accepted',
        ack_detail: JSON.stringify(setDetail(ack, undefined)),
        ack_document_id: ackDocumentId,
        acknowledged_at: now,
      });
    match.documentIds.push(...rest);
  }
  return match;
}

/**
 * A partner's TA1 for one of our interchanges (TA101 = our ISA13): kept with each of its sets;
 * TA104 R rejects them all (nothing in the interchange was taken), A and E leave the sets to their
 * 997/999.
 */
export async function applyInterchangeAck(
  trx: Q,
  partnerId: string,
  ta1: { control: string; status: string; note: string },
  ackDocumentId: string,
  now: Date,
): Promise<AckMatch> {
  const match: AckMatch = { groupControl: '', documentIds: [], unmatched: [] };
  const control = ta1.control.trim();
  const rows = /^\d{1,9}$/.test(control)
    ? await trx('x12_outbound_sets')
        .where({ partner_id: partnerId, interchange_control: Number(control) })
        .orderBy('created_at', 'desc')
        .select<OutboundSetRow[]>('document_id', 'created_at')
    : [];
  const [newest] = rows;
  if (newest === undefined) {
    match.unmatched.push(`TA1 ${control}: no outbound interchange with this control number`);
    return match;
  }
  const latest = new Date(newest.created_at).getTime();
  const ids = rows.filter((r) => new Date(r.created_at).getTime() === latest).map((r) => r.document_id);
  const update: Record<string, unknown> = { interchange_ack: ta1.status };
  if (ta1.status === 'R') {
    Object.assign(update, {
      ack_status: 'rejected',
      ack_detail: JSON.stringify({ kind: 'TA1', interchangeStatus: 'R', note: ta1.note }),
      ack_document_id: ackDocumentId,
      acknowledged_at: now,
    });
  }
  await trx('x12_outbound_sets').whereIn('document_id', ids).update(update);
  match.documentIds.push(...ids);
  return match;
}

export interface AcknowledgmentView {
  state: AckState;
  /** Outbound set: ST01 and ST02, GS06, ISA13. */
  setId: string;
  controlNumbers: { interchange: number; group: number; set: string };
  /** When the acknowledgment came, and the inbound document that brought it. */
  acknowledgedAt?: string;
  acknowledgmentDocumentId?: string;
  /** When the state becomes (or became) overdue without an acknowledgment. */
  dueBy: string;
  /** What the partner said (codes, segments and elements in error, TA1 note). */
  detail?: unknown;
  interchangeAck?: string;
}

interface StateRow {
  document_id: string;
  set_id: string;
  interchange_control: number | string;
  group_control: number | string;
  set_control: string;
  ack_status: AckStatus | null;
  ack_detail: unknown;
  ack_document_id: string | null;
  acknowledged_at: Date | null;
  interchange_ack: string | null;
  created_at: Date;
  within_hours: string | number | null;
}

/** The acknowledgment state of the outbound X12 documents among `documentIds` (others are absent). */
export async function acknowledgmentStates(
  q: Q,
  documentIds: readonly string[],
  now: Date,
): Promise<Map<string, AcknowledgmentView>> {
  const out = new Map<string, AcknowledgmentView>();
  if (documentIds.length === 0) return out;
  const rows = await q('x12_outbound_sets as s')
    .join('partners as p', 'p.id', 's.partner_id')
    .whereIn('s.document_id', [...documentIds])
    .select<StateRow[]>('s.*', q.raw(`p.settings->'x12'->>'ackWithinHours' as within_hours`));
  for (const r of rows) {
    const hours = Number(r.within_hours ?? DEFAULT_ACK_WITHIN_HOURS) || DEFAULT_ACK_WITHIN_HOURS;
    const due = new Date(new Date(r.created_at).getTime() + hours * 3600_000);
    const state: AckState = r.ack_status ?? (now.getTime() > due.getTime() ? 'overdue' : 'pending');
    out.set(r.document_id, {
      state,
      setId: r.set_id,
      controlNumbers: {
        interchange: Number(r.interchange_control),
        group: Number(r.group_control),
        set: r.set_control,
      },
      dueBy: due.toISOString(),
      ...(r.acknowledged_at ? { acknowledgedAt: new Date(r.acknowledged_at).toISOString() } : {}),
      ...(r.ack_document_id ? { acknowledgmentDocumentId: r.ack_document_id } : {}),
      ...(r.ack_detail ? { detail: r.ack_detail } : {}),
      ...(r.interchange_ack ? { interchangeAck: r.interchange_ack } : {}),
    });
  }
  return out;
}

export interface AckMetric {
  partnerId: string;
  state: AckState;
  count: number;
}

/**
 * SQL true when the set `s` (of partner `p`) waits past its partner's x12.ackWithinHours at the
 * second binding; the first is DEFAULT_ACK_WITHIN_HOURS (see overdueBindings).
 */
export const OVERDUE_SQL =
  "s.created_at + make_interval(secs => 3600 * coalesce((p.settings->'x12'->>'ackWithinHours')::float8, ?)) < ?";
export const overdueBindings = (now: Date) => [DEFAULT_ACK_WITHIN_HOURS, now];

/**
 * Outbound X12 sets per partner and acknowledgment state, for the metrics endpoint (a gauge per
 * partner and state: pending, overdue, accepted, accepted_with_errors, rejected). One query.
 */
export async function x12AckMetrics(q: Q, now: Date): Promise<AckMetric[]> {
  const rows = await q.raw<{ rows: { partner_id: string; state: AckState; count: number }[] }>(
    `select s.partner_id,
            coalesce(s.ack_status,
              case when ${OVERDUE_SQL}
                   then 'overdue' else 'pending' end) as state,
            count(*)::int as count
       from x12_outbound_sets s join partners p on p.id = s.partner_id
      group by 1, 2 order by 1, 2`,
    overdueBindings(now),
  );
  return rows.rows.map((r) => ({ partnerId: r.partner_id, state: r.state, count: Number(r.count) }));
}
