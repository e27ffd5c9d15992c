import type { Knex } from 'knex';

/**
 * Flash messages of the page kit (src/platform/pages/flash.ts): written by a form POST, read and
 * deleted by the page its redirect goes to. session_hash is the SHA-256 of the session's key (a
 * punchout browser token, a page session id), never the key itself. Rows nobody read are deleted
 * after ten minutes by the next write.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('page_flashes', (t) => {
    t.uuid('id').primary();
    t.specificType('session_hash', 'char(64)').notNullable();
    t.text('kind').notNullable();
    t.text('message').notNullable();
    t.jsonb('details').notNullable().defaultTo('[]');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['created_at']);
  });
  await knex.raw(
    `alter table page_flashes add constraint page_flashes_kind check (kind in ('success', 'info', 'warning', 'error'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('page_flashes');
}
