import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Gapless numbering: the row is locked (FOR UPDATE) by the transaction that issues the number.
  await knex.schema.createTable('number_sequences', (t) => {
    t.text('name').primary();
    t.text('prefix').notNullable().defaultTo('');
    t.bigInteger('next_value').notNullable().defaultTo(1);
    t.integer('pad').notNullable().defaultTo(6);
  });
  await knex.schema.createTable('invoices', (t) => {
    t.uuid('id').primary();
    t.text('partner_id').notNullable().references('partners.id');
    t.uuid('order_id').notNullable().references('orders.id');
    t.text('invoice_number').notNullable().unique();
    t.text('purpose').notNullable();
    t.text('state').notNullable();
    t.specificType('currency', 'char(3)').notNullable();
    t.decimal('subtotal', null).notNullable();
    t.decimal('tax_total', null).notNullable();
    t.decimal('total', null).notNullable();
    t.decimal('paid_amount', null).notNullable().defaultTo(0);
    t.date('invoice_date').notNullable();
    t.date('due_date');
    t.uuid('original_invoice_id').references('invoices.id');
    t.jsonb('canonical').notNullable();
    t.text('rejection_reason');
    t.timestamp('delivered_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create index invoices_partner_date on invoices (partner_id, invoice_date, id)');
  await knex.raw('create index invoices_order on invoices (order_id)');
  await knex.schema.createTable('invoice_lines', (t) => {
    t.uuid('invoice_id').notNullable().references('invoices.id').onDelete('CASCADE');
    t.integer('line_number').notNullable();
    t.integer('order_line_number').notNullable();
    t.decimal('quantity', null).notNullable();
    t.decimal('unit_price', null).notNullable();
    t.decimal('subtotal', null).notNullable();
    t.decimal('tax', null).notNullable().defaultTo(0);
    t.primary(['invoice_id', 'line_number']);
  });
  await knex.schema.createTable('payments', (t) => {
    t.uuid('id').primary();
    t.uuid('invoice_id').notNullable().references('invoices.id');
    t.text('partner_id').notNullable().references('partners.id');
    t.decimal('amount', null).notNullable();
    t.date('paid_on').notNullable();
    t.text('reference');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // Outbound delivery of a stored document over a transport, with every attempt recorded.
  await knex.schema.createTable('deliveries', (t) => {
    t.uuid('id').primary();
    t.uuid('document_id').notNullable().references('documents.id');
    t.text('partner_id').notNullable().references('partners.id');
    t.text('transport').notNullable();
    t.text('url').notNullable();
    t.text('status').notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
    t.integer('response_status');
    t.text('response_body');
    t.timestamp('delivered_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create index deliveries_status on deliveries (status)');
  await knex.schema.createTable('delivery_attempts', (t) => {
    t.bigIncrements('id');
    t.uuid('delivery_id').notNullable().references('deliveries.id').onDelete('CASCADE');
    t.integer('attempt').notNullable();
    t.integer('status_code');
    t.text('error');
    t.integer('duration_ms').notNullable();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // X12 interchange/group/set control numbers per partner and direction, gapless.
  await knex.schema.createTable('x12_control_numbers', (t) => {
    t.text('partner_id').notNullable().references('partners.id');
    t.text('kind').notNullable();
    t.bigInteger('next_value').notNullable().defaultTo(1);
    t.primary(['partner_id', 'kind']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'x12_control_numbers',
    'delivery_attempts',
    'deliveries',
    'payments',
    'invoice_lines',
    'invoices',
    'number_sequences',
  ]) {
    await knex.schema.dropTable(table);
  }
}
