import type { Knex } from 'knex';

/**
 * A catalog item's order multiple (sold only in multiples of it: a box of 12 in 12s), beside its
 * minimum order quantity; null when any quantity allowed by the other rules goes (src/model/quantity.ts).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('catalog_items', (t) => {
    t.decimal('order_multiple', null);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('catalog_items', (t) => {
    t.dropColumn('order_multiple');
  });
}
