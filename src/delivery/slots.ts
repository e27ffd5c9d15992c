import { randomUUID } from 'node:crypto';
import type { Config } from '../platform/config';
import type { Db } from '../platform/db';

/**
 * Fair delivery: each partner has a number of delivery slots (partner `delivery.concurrency`, else
 * DELIVERY_PARTNER_CONCURRENCY) shared by every worker process through Postgres. An attempt takes a
 * slot before it calls the partner and gives it back after; a delivery that finds them all taken
 * waits (the job is deferred, not failed), so a partner whose endpoint hangs holds only its own
 * slots and the other partners' documents keep their workers.
 */

/** Advisory lock namespace of slot taking (the second key is the partner's hash). */
const SLOT_LOCK = 0x64_6c_76_73; // "dlvs"

/** A slot outlives its attempt's timeout by this much, then a dead worker's slot is free again. */
const SLOT_GRACE_MS = 60_000;

export function partnerConcurrency(
  config: Config,
  partner: { settings: { delivery?: { concurrency?: number } } } | undefined,
): number {
  return partner?.settings.delivery?.concurrency ?? config.DELIVERY_PARTNER_CONCURRENCY;
}

/**
 * Takes one of the partner's slots for this delivery; null when all are taken. Under the partner's
 * lock, one statement drops the expired slots, counts the rest, takes one when there is room and
 * then sets the delivery's deferrals back to 0: four round trips with the transaction's own.
 */
export async function takeSlot(
  db: Db,
  config: Config,
  d: { partnerId: string; deliveryId: string; limit: number },
): Promise<string | null> {
  const holdMs = Math.max(config.DELIVERY_TIMEOUT_MS, config.SFTP_TIMEOUT_MS * 4) + SLOT_GRACE_MS;
  return db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?, hashtext(?))', [SLOT_LOCK, d.partnerId]);
    const id = randomUUID();
    // The statement's snapshot still has the expired rows it deletes: the count leaves them out.
    const taken = (await trx.raw(
      `with expired as (
         delete from delivery_slots where partner_id = :partner and expires_at < now()
       ), held as (
         select count(*) as n from delivery_slots where partner_id = :partner and expires_at >= now()
       ), slot as (
         insert into delivery_slots (id, partner_id, delivery_id, expires_at)
         select cast(:id as uuid), cast(:partner as text), cast(:delivery as uuid),
                now() + (cast(:holdMs as double precision) * interval '1 millisecond')
         from held where n < cast(:limit as integer)
         returning id
       ), reset as (
         update deliveries set deferrals = 0 where id = :delivery and exists (select 1 from slot)
       )
       select id from slot`,
      { partner: d.partnerId, id, delivery: d.deliveryId, holdMs, limit: d.limit },
    )) as { rows?: { id: string }[] };
    return (taken.rows ?? []).length > 0 ? id : null;
  });
}

export async function releaseSlot(db: Db, slotId: string): Promise<void> {
  await db('delivery_slots').where({ id: slotId }).delete();
}

/**
 * How long a delivery that found no free slot waits before it asks again: 250 ms doubling with each
 * refusal in a row up to 10 s, with jitter so that waiting deliveries do not all ask at once.
 */
export async function deferDelay(db: Db, deliveryId: string): Promise<number> {
  const [row] = await db('deliveries')
    .where({ id: deliveryId })
    .increment('deferrals', 1)
    .returning<{ deferrals: number }[]>('deferrals');
  const deferrals = row?.deferrals ?? 1;
  const base = Math.min(10_000, 250 * 2 ** Math.min(deferrals - 1, 6));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}
