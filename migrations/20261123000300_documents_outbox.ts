import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Every inbound and outbound document, verbatim.
  await knex.schema.createTable('documents', (t) => {
    t.uuid('id').primary();
    t.text('partner_id').references('partners.id');
    t.text('protocol').notNullable();
    t.text('doc_type').notNullable();
    t.text('direction').notNullable();
    t.text('external_id');
    t.text('sha256').notNullable();
    t.text('status').notNullable();
    t.text('content_type').notNullable();
    t.binary('content').notNullable();
    t.uuid('order_id');
    t.uuid('invoice_id');
    // The first answer given to an inbound document (idempotent replay returns it again).
    t.integer('response_status');
    t.text('response_content_type');
    t.binary('response_body');
    t.text('error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    `create unique index documents_idempotency on documents (partner_id, protocol, direction, external_id)
     where external_id is not null and direction = 'in'`,
  );
  await knex.raw('create index documents_partner_created on documents (partner_id, created_at)');
  await knex.raw('create index documents_order on documents (order_id) where order_id is not null');
  await knex.raw('create index documents_invoice on documents (invoice_id) where invoice_id is not null');

  // Transactional outbox: written in the same transaction as the state change it follows.
  await knex.schema.createTable('outbox', (t) => {
    t.bigIncrements('id');
    t.text('job_name').notNullable();
    t.jsonb('payload').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('available_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('dispatched_at', { useTz: true });
    // Used by the in-process adapter, which runs jobs straight from this table.
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('completed_at', { useTz: true });
    t.timestamp('failed_at', { useTz: true });
    t.text('last_error');
  });
  await knex.raw('create index outbox_pending on outbox (available_at, id) where dispatched_at is null');

  // Idempotency-Key of the JSON API.
  await knex.schema.createTable('idempotency_keys', (t) => {
    t.text('partner_id').notNullable().references('partners.id');
    t.text('key').notNullable();
    t.text('request_sha256').notNullable();
    t.integer('response_status');
    t.jsonb('response_body');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['partner_id', 'key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('idempotency_keys');
  await knex.schema.dropTable('outbox');
  await knex.schema.dropTable('documents');
}
