import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('catalog_items', (t) => {
    t.text('sku').primary();
    t.text('name').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.decimal('unit_price', null).notNullable();
    t.specificType('currency', 'char(3)').notNullable();
    t.text('uom').notNullable();
    t.text('unspsc');
    t.text('category');
    t.text('manufacturer');
    t.text('manufacturer_part_id');
    t.integer('lead_time_days');
    t.decimal('min_order_qty', null).notNullable().defaultTo(1);
    t.text('image_url');
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create index catalog_items_category on catalog_items (category)');
  await knex.schema.createTable('price_list_entries', (t) => {
    t.bigIncrements('id');
    t.text('price_list').notNullable();
    t.text('sku').notNullable();
    t.decimal('unit_price', null).notNullable();
    t.specificType('currency', 'char(3)').notNullable();
    t.decimal('min_qty', null).notNullable().defaultTo(1);
    t.date('valid_from');
    t.date('valid_to');
    t.unique(['price_list', 'sku', 'min_qty', 'valid_from']);
  });
  await knex.raw('create index price_list_entries_lookup on price_list_entries (price_list, sku)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('price_list_entries');
  await knex.schema.dropTable('catalog_items');
}
