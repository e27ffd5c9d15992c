import type { Knex } from 'knex';

/**
 * The built-in demo buyer's inbox (src/demo-buyer): the cXML documents the gateway delivered to the
 * demo partner's outbound URL (confirmations, ship notices, invoices), as received.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('demo_buyer_inbox', (t) => {
    t.uuid('id').primary();
    t.timestamp('received_at', { useTz: true }).notNullable();
    t.text('request_type').notNullable();
    t.text('payload_id');
    t.text('body').notNullable();
  });
  await knex.raw('create index demo_buyer_inbox_received on demo_buyer_inbox (received_at desc)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('demo_buyer_inbox');
}
