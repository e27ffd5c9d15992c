import type { Knex } from 'knex';

/**
 * The invoice's state timeline (src/invoices/lifecycle.ts): every move with who, when and why, as
 * order_events is for orders. Invoices from before get one 'create' event at their created_at.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('invoice_events', (t) => {
    t.bigIncrements('id');
    t.uuid('invoice_id').notNullable().references('invoices.id').onDelete('CASCADE');
    t.text('event').notNullable();
    t.text('from_state');
    t.text('to_state').notNullable();
    t.text('actor').notNullable();
    t.text('reason');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create index invoice_events_invoice on invoice_events (invoice_id, id)');
  await knex.raw(
    `insert into invoice_events (invoice_id, event, from_state, to_state, actor, reason, created_at)
     select id, 'create', null, 'issued', 'system:migration', 'recorded before invoice timelines', created_at
     from invoices order by created_at, id`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('invoice_events');
}
