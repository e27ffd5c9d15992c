import type { Knex } from 'knex';

/**
 * Alerts (src/alerts): one row per incident of a rule (a partner's deliveries failing in a row, dead
 * letters, overdue acknowledgments, a spike of unauthenticated refusals, a silent partner, an
 * ending certificate). At most one open incident per rule and key, so a condition that holds for
 * hours is one incident and one notification; it is resolved when the condition no longer holds.
 * auth_refusal_counts counts refused authentications per minute and surface (a bounded number of
 * rows however many requests are refused), for the spike rule across every server process.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('alerts', (t) => {
    t.uuid('id').primary();
    t.text('rule').notNullable();
    t.text('key').notNullable();
    t.text('partner_id');
    t.text('summary').notNullable();
    t.jsonb('details').notNullable().defaultTo('{}');
    t.timestamp('opened_at', { useTz: true }).notNullable();
    t.timestamp('last_seen_at', { useTz: true }).notNullable();
    t.timestamp('resolved_at', { useTz: true });
    t.timestamp('mailed_at', { useTz: true });
    t.timestamp('webhook_at', { useTz: true });
    t.text('notify_error');
  });
  await knex.raw('create unique index alerts_open on alerts (rule, key) where resolved_at is null');
  await knex.raw('create index alerts_opened on alerts (opened_at desc)');
  await knex.schema.createTable('auth_refusal_counts', (t) => {
    t.timestamp('minute', { useTz: true }).notNullable();
    t.text('surface').notNullable();
    t.integer('count').notNullable().defaultTo(0);
    t.primary(['minute', 'surface']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('auth_refusal_counts');
  await knex.schema.dropTable('alerts');
}
