import type { Knex } from 'knex';

/**
 * A delivery slot taken in one round trip (src/delivery/slots.ts): the partner's advisory lock, then
 * the expired slots dropped, the rest counted, one taken when there is room and the delivery's
 * deferrals set back to 0. It was a transaction of four round trips (begin, lock, statement,
 * commit) on the path of every delivery. A volatile function's statements each see a new snapshot,
 * so the count, taken after the lock, sees the slots of every taker that held it before; called as
 * a statement of its own, the lock is held until that statement's commit, as the transaction held it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function take_delivery_slot(lock_key integer, partner text, slot uuid, delivery uuid,
                                       hold_ms double precision, slot_limit integer) returns uuid
    language plpgsql volatile
    as $$
    begin
      perform pg_advisory_xact_lock(lock_key, hashtext(partner));
      delete from delivery_slots s where s.partner_id = partner and s.expires_at < now();
      if (select count(*) from delivery_slots s where s.partner_id = partner) >= slot_limit then
        return null;
      end if;
      insert into delivery_slots (id, partner_id, delivery_id, expires_at)
      values (slot, partner, delivery, now() + hold_ms * interval '1 millisecond');
      update deliveries d set deferrals = 0 where d.id = delivery;
      return slot;
    end
    $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    'drop function if exists take_delivery_slot(integer, text, uuid, uuid, double precision, integer)',
  );
}
