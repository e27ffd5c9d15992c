import type { Knex } from 'knex';

/**
 * The evidence behind an order version's intake flags, written when the order is evaluated for
 * approval (src/approvals/evidence.ts): reference prices per line, unknown SKUs, both totals, the
 * ship-to. The approval pages show it; the catalog or contract may have changed by then.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('approval_evidence', (t) => {
    t.uuid('order_id').notNullable().references('orders.id').onDelete('CASCADE');
    t.integer('order_version').notNullable();
    t.jsonb('evidence').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['order_id', 'order_version']);
  });
  // Credit memos of an invoice (its open amount, the finance list's filter).
  await knex.raw(
    'create index invoices_original on invoices (original_invoice_id) where original_invoice_id is not null',
  );
  await knex.raw('create index invoices_due_date on invoices (due_date)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index invoices_due_date');
  await knex.raw('drop index invoices_original');
  await knex.schema.dropTable('approval_evidence');
}
