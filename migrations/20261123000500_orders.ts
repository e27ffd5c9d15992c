import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('orders', (t) => {
    t.uuid('id').primary();
    t.text('partner_id').notNullable().references('partners.id');
    t.text('buyer_order_number').notNullable();
    t.integer('version').notNullable().defaultTo(1);
    t.text('state').notNullable();
    t.text('type').notNullable();
    t.text('source_protocol').notNullable();
    // payloadID of the inbound document that created the current version (cXML references it).
    t.text('source_payload_id');
    t.specificType('currency', 'char(3)').notNullable();
    t.decimal('total', null).notNullable();
    t.timestamp('order_date', { useTz: true });
    t.jsonb('canonical').notNullable();
    // Intake flags for the approval workflow: unknown_sku, price_deviation, total_mismatch, ...
    t.jsonb('flags').notNullable().defaultTo('[]');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['partner_id', 'buyer_order_number']);
  });
  await knex.raw('create index orders_partner_created on orders (partner_id, created_at)');
  await knex.raw('create index orders_state on orders (state)');
  await knex.schema.createTable('order_versions', (t) => {
    t.uuid('order_id').notNullable().references('orders.id').onDelete('CASCADE');
    t.integer('version').notNullable();
    t.text('type').notNullable();
    t.jsonb('canonical').notNullable();
    t.uuid('document_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['order_id', 'version']);
  });
  await knex.schema.createTable('order_lines', (t) => {
    t.bigIncrements('id');
    t.uuid('order_id').notNullable().references('orders.id').onDelete('CASCADE');
    t.integer('line_number').notNullable();
    t.text('sku').notNullable();
    t.text('supplier_aux_id');
    t.text('description');
    t.decimal('quantity', null).notNullable();
    t.text('uom').notNullable();
    t.decimal('unit_price', null).notNullable();
    t.decimal('shipped_quantity', null).notNullable().defaultTo(0);
    t.decimal('invoiced_quantity', null).notNullable().defaultTo(0);
    t.text('status').notNullable().defaultTo('open');
    t.unique(['order_id', 'line_number']);
  });
  await knex.schema.createTable('order_events', (t) => {
    t.bigIncrements('id');
    t.uuid('order_id').notNullable().references('orders.id').onDelete('CASCADE');
    t.text('event').notNullable();
    t.text('from_state');
    t.text('to_state').notNullable();
    t.text('actor').notNullable();
    t.text('reason');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create index order_events_order on order_events (order_id, id)');

  await knex.schema.createTable('approvals', (t) => {
    t.uuid('id').primary();
    t.uuid('order_id').notNullable().references('orders.id').onDelete('CASCADE');
    t.integer('order_version').notNullable();
    t.integer('level').notNullable();
    t.text('status').notNullable().defaultTo('pending');
    t.jsonb('approvers').notNullable().defaultTo('[]');
    t.timestamp('escalate_at', { useTz: true });
    t.timestamp('escalated_at', { useTz: true });
    t.text('decided_by');
    t.timestamp('decided_at', { useTz: true });
    t.text('comment');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['order_id', 'order_version', 'level']);
  });
  await knex.raw("create index approvals_pending on approvals (status) where status = 'pending'");
  // One-time approve/reject links: a used token id is recorded here.
  await knex.schema.createTable('approval_link_uses', (t) => {
    t.text('token_id').primary();
    t.timestamp('used_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('shipments', (t) => {
    t.uuid('id').primary();
    t.uuid('order_id').notNullable().references('orders.id');
    t.text('partner_id').notNullable().references('partners.id');
    t.text('shipment_number').notNullable().unique();
    t.text('carrier');
    t.text('tracking_number');
    t.timestamp('shipped_at', { useTz: true }).notNullable();
    t.jsonb('canonical').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('shipment_lines', (t) => {
    t.uuid('shipment_id').notNullable().references('shipments.id').onDelete('CASCADE');
    t.integer('line_number').notNullable();
    t.decimal('quantity', null).notNullable();
    t.primary(['shipment_id', 'line_number']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'shipment_lines',
    'shipments',
    'approval_link_uses',
    'approvals',
    'order_events',
    'order_lines',
    'order_versions',
    'orders',
  ]) {
    await knex.schema.dropTable(table);
  }
}
