import type { Q } from '../platform/db';

/** Outbound envelope levels that carry a control number: ISA13, GS06, ST02. */
export type ControlNumberKind = 'isa' | 'gs' | 'st';

/** ISA13 / GS06 hold at most 9 digits. */
const MAX_CONTROL_NUMBER = 999_999_999;

/**
 * Next outbound control number for one partner and envelope level, gapless and persisted.
 *
 * Runs in the caller's transaction: the upsert takes the row lock (`FOR UPDATE` semantics) so concurrent
 * callers queue behind each other, and a rollback gives the number back, so a number is never skipped
 * and never used twice. Inbound control numbers are the partner's and are never assigned here.
 * After 999999999 the sequence starts again at 1 (the standard allows reuse after wrap-around).
 */
export async function nextControlNumber(trx: Q, partnerId: string, kind: ControlNumberKind): Promise<number> {
  await trx.raw(
    `insert into x12_control_numbers (partner_id, kind, next_value) values (?, ?, 1)
     on conflict (partner_id, kind) do nothing`,
    [partnerId, `out:${kind}`],
  );
  const row = await trx('x12_control_numbers')
    .where({ partner_id: partnerId, kind: `out:${kind}` })
    .forUpdate()
    .first<{ next_value: string | number }>('next_value');
  if (!row) throw new Error(`control number row for ${partnerId}/${kind} vanished`);
  const value = Number(row.next_value);
  await trx('x12_control_numbers')
    .where({ partner_id: partnerId, kind: `out:${kind}` })
    .update({ next_value: value >= MAX_CONTROL_NUMBER ? 1 : value + 1 });
  return value;
}
