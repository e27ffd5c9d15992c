import type { Knex } from 'knex';

/**
 * The console's Deliveries screen (src/delivery/console.ts):
 * - deliveries.round: which job run of a delivery is current. "Retry now", a dead letter's retry and
 *   "cancel" start a new round; a job of an older round (a backoff timer still waiting in BullMQ or
 *   the outbox) finds its round gone and does nothing, so one delivery never has two retry chains.
 * - deliveries.next_attempt_at: when the job is to try again after a failed attempt (written with the
 *   attempt: the same exponential backoff both queue adapters apply), shown on the screen.
 * - indexes for the screen's list (newest first, by partner, by state) and a delivery's attempts.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('deliveries', (t) => {
    t.integer('round').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true });
  });
  await knex.raw('create index delivery_attempts_delivery on delivery_attempts (delivery_id, attempt)');
  await knex.raw('create index deliveries_created on deliveries (created_at desc, id)');
  await knex.raw('create index deliveries_partner_created on deliveries (partner_id, created_at desc, id)');
  await knex.raw('create index deliveries_status_created on deliveries (status, created_at desc, id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists deliveries_status_created');
  await knex.raw('drop index if exists deliveries_partner_created');
  await knex.raw('drop index if exists deliveries_created');
  await knex.raw('drop index if exists delivery_attempts_delivery');
  await knex.schema.alterTable('deliveries', (t) => {
    t.dropColumn('next_attempt_at');
    t.dropColumn('round');
  });
}
