import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // When a key was last used (written at most once a minute per key and process).
  await knex.schema.alterTable('api_keys', (t) => {
    t.timestamp('last_used_at', { useTz: true });
  });
  await knex.raw('create index api_keys_partner on api_keys (partner_id, created_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists api_keys_partner');
  await knex.schema.alterTable('api_keys', (t) => {
    t.dropColumn('last_used_at');
  });
}
