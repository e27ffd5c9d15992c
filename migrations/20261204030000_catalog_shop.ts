import type { Knex } from 'knex';

/**
 * What the shopping pages show of a product beyond its price: how many are in stock (null: not
 * tracked) and since when, its specifications (a JSON object of name -> value), and per punchout
 * session the products the buyer compares (at most 4 SKUs, in the order added).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('catalog_items', (t) => {
    t.decimal('stock_quantity', null);
    t.timestamp('stock_updated_at', { useTz: true });
    t.jsonb('attributes');
  });
  await knex.schema.alterTable('punchout_sessions', (t) => {
    t.jsonb('compare_skus').notNullable().defaultTo('[]');
  });
  // Category lists and the tree read the category of active items.
  await knex.schema.alterTable('catalog_items', (t) => {
    t.index(['category'], 'catalog_items_category_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('catalog_items', (t) => {
    t.dropIndex(['category'], 'catalog_items_category_idx');
    t.dropColumn('attributes');
    t.dropColumn('stock_updated_at');
    t.dropColumn('stock_quantity');
  });
  await knex.schema.alterTable('punchout_sessions', (t) => {
    t.dropColumn('compare_skus');
  });
}
