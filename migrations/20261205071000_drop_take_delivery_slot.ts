import type { Knex } from 'knex';

/**
 * take_delivery_slot (20261205070000) is no longer called: with one partner and 16 delivery jobs at
 * once the approvals bench ran 2.5x slower through it than through the transaction of
 * src/delivery/slots.ts it replaced, so that transaction is back.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'drop function if exists take_delivery_slot(integer, text, uuid, uuid, double precision, integer)',
  );
}

export async function down(): Promise<void> {
  // 20261205070000's down drops it; nothing to restore here.
}
