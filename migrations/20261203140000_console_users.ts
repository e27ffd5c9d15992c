import type { Knex } from 'knex';

/**
 * Console users (src/console/users.ts), their page sessions, and the audit log of console actions
 * (src/console/audit.ts).
 *
 * console_users: a username (lower case), scrypt hash of the password (never the password), one or
 * more roles, and for approver/finance an optional list of partner ids they are limited to (null:
 * every partner). Users are disabled, not deleted, so the audit log keeps naming them.
 *
 * page_sessions gains the `console` area (cookie Path=/, SameSite=Lax) and the subject `user`: a
 * session of a console user (user_id). A disabled user's sessions end at the next lookup.
 *
 * audit_log: who (actor label and user id), what (action, subject), when, before/after (JSON, never a
 * secret), the client address and the request id.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('console_users', (t) => {
    t.uuid('id').primary();
    t.text('username').notNullable().unique();
    t.text('name');
    t.text('password_hash').notNullable();
    t.specificType('roles', 'text[]').notNullable();
    t.specificType('partner_ids', 'text[]');
    t.timestamp('password_changed_at', { useTz: true }).notNullable();
    t.timestamp('disabled_at', { useTz: true });
    t.timestamp('last_sign_in_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
  });
  await knex.raw(`alter table console_users add constraint console_users_username
    check (username ~ '^[a-z0-9][a-z0-9._@-]{0,63}$')`);
  await knex.raw(`alter table console_users add constraint console_users_roles
    check (cardinality(roles) > 0 and roles <@ array['admin', 'operator', 'approver', 'finance']::text[])`);

  await knex.schema.alterTable('page_sessions', (t) => {
    t.uuid('user_id').references('console_users.id').onDelete('CASCADE');
    t.index(['user_id']);
  });
  await knex.raw('alter table page_sessions drop constraint page_sessions_area');
  await knex.raw(`alter table page_sessions add constraint page_sessions_area
    check (area in ('approvals', 'finance', 'console'))`);
  await knex.raw('alter table page_sessions drop constraint page_sessions_who');
  await knex.raw(`alter table page_sessions add constraint page_sessions_who check (
       (role = 'admin' and admin_tag is not null and api_key_id is null and partner_id is null and user_id is null)
    or (role in ('finance', 'erp') and api_key_id is not null and partner_id is not null
        and admin_tag is null and user_id is null)
    or (role = 'user' and user_id is not null and api_key_id is null and partner_id is null and admin_tag is null))`);

  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id').primary();
    t.timestamp('at', { useTz: true }).notNullable();
    t.text('actor').notNullable();
    t.uuid('user_id').references('console_users.id').onDelete('SET NULL');
    t.text('action').notNullable();
    t.text('subject');
    t.jsonb('before');
    t.jsonb('after');
    t.text('ip');
    t.text('request_id');
    t.index(['at']);
    t.index(['actor', 'at']);
    t.index(['subject', 'at']);
  });
  // text_pattern_ops: the page's action prefix ("user.") is a LIKE 'user.%' that can use it under
  // any collation, and equality too.
  await knex.raw('create index audit_log_action_at_index on audit_log (action text_pattern_ops, at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_log');
  await knex('page_sessions').where({ area: 'console' }).orWhere({ role: 'user' }).delete();
  await knex.raw('alter table page_sessions drop constraint page_sessions_who');
  await knex.raw(`alter table page_sessions add constraint page_sessions_who check (
       (role = 'admin' and admin_tag is not null and api_key_id is null and partner_id is null)
       or (role <> 'admin' and api_key_id is not null and partner_id is not null and admin_tag is null))`);
  await knex.raw('alter table page_sessions drop constraint page_sessions_area');
  await knex.raw(`alter table page_sessions add constraint page_sessions_area
    check (area in ('approvals', 'finance'))`);
  await knex.schema.alterTable('page_sessions', (t) => {
    t.dropColumn('user_id');
  });
  await knex.schema.dropTable('console_users');
}
