import type { Knex } from 'knex';

/**
 * Server-side sessions of the approvals and finance pages (src/platform/pages/sessions.ts). The
 * browser's cookie holds a random session id; the row holds only its SHA-256 (id_hash), who signed
 * in (role, partner, the API key used, or a fingerprint of the admin token), and the two expiries:
 * absolute (expires_at) and idle (last_seen_at + PAGE_SESSION_IDLE_MINUTES). Sign-out deletes the
 * row; a revoked key, a deleted partner or a changed ADMIN_TOKEN ends the sessions made with it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('page_sessions', (t) => {
    t.specificType('id_hash', 'char(64)').primary();
    t.text('area').notNullable();
    t.text('role').notNullable();
    t.text('partner_id').references('partners.id').onDelete('CASCADE');
    t.uuid('api_key_id').references('api_keys.id').onDelete('CASCADE');
    t.specificType('admin_tag', 'char(64)');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('last_seen_at', { useTz: true }).notNullable();
    t.index(['expires_at']);
    t.index(['api_key_id']);
  });
  await knex.raw(
    `alter table page_sessions add constraint page_sessions_area check (area in ('approvals', 'finance'))`,
  );
  await knex.raw(
    `alter table page_sessions add constraint page_sessions_who check (
       (role = 'admin' and admin_tag is not null and api_key_id is null and partner_id is null)
       or (role <> 'admin' and api_key_id is not null and partner_id is not null and admin_tag is null))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('page_sessions');
}
