import type { Knex } from 'knex';

/**
 * Every order gets a short supplier order number (the seller's order number of the X12 855 BAK08,
 * the cXML ConfirmationRequest confirmID, pages and PDFs): a prefix from config (SUPPLIER_ORDER_PREFIX)
 * and a number from one Postgres sequence, zero-padded to six digits ("SO-000042"). Intake takes the
 * number with the read it makes anyway (nextval in the facts query), so the insert stays one statement
 * and the answer can name it. The default covers orders written by other paths (the sequence makes
 * every number unique whatever prefix was configured when it was taken). Existing orders are numbered
 * in the order they were created.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create sequence supplier_order_number_seq');
  await knex.raw('alter table orders add column supplier_order_number text');
  await knex.raw(`
    update orders set supplier_order_number = 'SO-' || lpad(n::text, 6, '0')
      from (select id as oid, nextval('supplier_order_number_seq') as n
              from (select id from orders order by created_at, id) o) numbered
     where id = numbered.oid`);
  await knex.raw(
    `alter table orders alter column supplier_order_number
       set default ('SO-' || lpad(nextval('supplier_order_number_seq')::text, 6, '0'))`,
  );
  await knex.raw('alter table orders alter column supplier_order_number set not null');
  await knex.raw('create unique index orders_supplier_order_number on orders (supplier_order_number)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index orders_supplier_order_number');
  await knex.raw('alter table orders drop column supplier_order_number');
  await knex.raw('drop sequence supplier_order_number_seq');
}
