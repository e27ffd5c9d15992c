import type { Knex } from 'knex';

/**
 * Delivery slots (src/delivery/slots.ts): one row per delivery attempt in flight, so that every
 * worker process together sends at most a partner's concurrency at once. A row whose worker died
 * frees its slot when expires_at passes.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('delivery_slots', (t) => {
    t.uuid('id').primary();
    t.text('partner_id').notNullable();
    t.uuid('delivery_id').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['partner_id']);
  });
  await knex.schema.alterTable('deliveries', (t) => {
    // Times in a row the delivery found its partner's slots taken (its next wait doubles).
    t.integer('deferrals').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('deliveries', (t) => t.dropColumn('deferrals'));
  await knex.schema.dropTable('delivery_slots');
}
