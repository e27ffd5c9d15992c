import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('partners', (t) => {
    t.text('id').primary();
    t.text('name').notNullable();
    t.specificType('currency', 'char(3)').notNullable();
    t.text('price_list');
    t.text('catalog_visibility').notNullable().defaultTo('all');
    // Everything of the partner contract except secrets (cxml, oci, x12, approval, options).
    t.jsonb('settings').notNullable().defaultTo('{}');
    t.text('cxml_secret_hash');
    t.text('oci_password_hash');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('deleted_at', { useTz: true });
  });
  // How a partner is recognised: cXML credential (domain, identity), OCI username, X12 ISA id.
  await knex.schema.createTable('partner_identities', (t) => {
    t.bigIncrements('id');
    t.text('partner_id').notNullable().references('partners.id').onDelete('CASCADE');
    t.text('protocol').notNullable();
    t.text('domain').notNullable();
    t.text('identity').notNullable();
  });
  await knex.raw(
    'create unique index partner_identities_key on partner_identities (protocol, lower(domain), lower(identity))',
  );
  await knex.schema.createTable('api_keys', (t) => {
    t.uuid('id').primary();
    t.text('partner_id').notNullable().references('partners.id').onDelete('CASCADE');
    t.text('role').notNullable();
    t.text('key_hash').notNullable().unique();
    t.text('prefix').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('revoked_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('api_keys');
  await knex.schema.dropTable('partner_identities');
  await knex.schema.dropTable('partners');
}
