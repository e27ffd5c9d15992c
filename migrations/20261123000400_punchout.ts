import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('punchout_sessions', (t) => {
    t.uuid('id').primary();
    t.text('partner_id').notNullable().references('partners.id');
    t.text('protocol').notNullable();
    t.text('operation').notNullable();
    t.text('state').notNullable().defaultTo('open');
    t.text('buyer_cookie');
    t.text('return_url').notNullable();
    t.text('return_target');
    // OCI ~OkCode, ~CALLER, returntarget and other round-trip fields; cXML user identity.
    t.jsonb('return_fields').notNullable().defaultTo('{}');
    t.text('user_email');
    t.text('user_name');
    t.jsonb('contact');
    t.jsonb('extrinsics').notNullable().defaultTo('[]');
    t.jsonb('ship_to');
    // Cart as the buyer sent it on edit/inspect: restored on cancel.
    t.jsonb('original_cart');
    t.text('start_token_hash').notNullable().unique();
    t.timestamp('token_expires_at', { useTz: true }).notNullable();
    t.timestamp('token_used_at', { useTz: true });
    t.text('browser_token_hash').unique();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.uuid('setup_document_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('punchout_cart_lines', (t) => {
    // The id is the SupplierPartAuxiliaryID the buyer carries into its OrderRequest.
    t.uuid('id').primary();
    t.uuid('session_id').notNullable().references('punchout_sessions.id').onDelete('CASCADE');
    t.text('partner_id').notNullable();
    t.text('sku').notNullable();
    t.decimal('quantity', null).notNullable();
    t.decimal('unit_price', null).notNullable();
    t.specificType('currency', 'char(3)').notNullable();
    t.integer('position').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create index punchout_cart_lines_session on punchout_cart_lines (session_id, position)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('punchout_cart_lines');
  await knex.schema.dropTable('punchout_sessions');
}
