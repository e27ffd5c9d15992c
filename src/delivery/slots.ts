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

/**
 * The slots this process holds, renewed by a heartbeat while any is held: a slot lives
 * DELIVERY_SLOT_LEASE_MS past its last renewal, so a long attempt keeps its slot and a killed
 * worker's slots are free again within one lease.
 */
const held = new Map<string, { db: Db; leaseMs: number }>();
let heartbeat: NodeJS.Timeout | undefined;

async function renew(): Promise<void> {
  const byDb = new Map<Db, { ids: string[]; leaseMs: number }>();
  for (const [id, h] of held) {
    const g = byDb.get(h.db) ?? { ids: [], leaseMs: h.leaseMs };
    g.ids.push(id);
    byDb.set(h.db, g);
  }
  for (const [db, g] of byDb)
    await db('delivery_slots')
      .whereIn('id', g.ids)
      .update({ expires_at: db.raw(`now() + (? * interval '1 millisecond')`, [g.leaseMs]) })
      .catch(() => undefined); // the next beat tries again; a lost lease costs fairness, not data
}

function hold(id: string, db: Db, leaseMs: number): void {
  held.set(id, { db, leaseMs });
  if (heartbeat) return;
  heartbeat = setInterval(() => void renew(), Math.max(100, Math.floor(leaseMs / 3)));
  heartbeat.unref();
}

/** The slot is given back (or was deleted with its attempt's record): no more renewals. */
export function forgetSlot(id: string): void {
  held.delete(id);
  if (held.size === 0 && heartbeat) {
    clearInterval(heartbeat);
    heartbeat = undefined;
  }
}

/** For tests: this process stops renewing its slots, as a killed worker would. */
export function stopRenewingSlots(): void {
  held.clear();
  if (heartbeat) clearInterval(heartbeat);
  heartbeat = undefined;
}

export function partnerConcurrency(
  config: Config,
  partner: { settings: { delivery?: { concurrency?: number } } } | undefined,
): number {
  return partner?.settings.delivery?.concurrency ?? config.DELIVERY_PARTNER_CONCURRENCY;
}

/**
 * Takes one of the partner's slots for this delivery; null when all are taken. Under the partner's
 * lock, one statement drops the expired slots, counts the rest, takes one when there is room and
 * then sets the delivery's deferrals back to 0: four round trips with the transaction's own. (A
 * plpgsql function doing the same in one round trip, migration 20261205070000, made the approvals
 * bench 2.5x slower with one partner and 16 delivery jobs at once; 20261205071000 drops it.)
 */
export async function takeSlot(
  db: Db,
  config: Config,
  d: { partnerId: string; deliveryId: string; limit: number },
): Promise<string | null> {
  const holdMs = config.DELIVERY_SLOT_LEASE_MS;
  const slot = await db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?, hashtext(?))', [SLOT_LOCK, d.partnerId]);
    const id = randomUUID();
    const taken = await trx.raw<{ rows?: { id: string }[] }>(
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
    );
    return (taken.rows ?? []).length > 0 ? id : null;
  });
  if (slot) hold(slot, db, holdMs);
  return slot;
}

export async function releaseSlot(db: Db, slotId: string): Promise<void> {
  forgetSlot(slotId);
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
