import type { Knex } from 'knex';

/**
 * Indexes for the gauges GET /metrics reads from Postgres at each scrape (src/metrics/state.ts), so
 * a scrape costs what the last hour holds, not what the tables hold: documents and delivery attempts
 * by time, and the outbox's dead letters (failed jobs).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create index documents_created on documents (created_at)');
  await knex.raw('create index delivery_attempts_at on delivery_attempts (at)');
  await knex.raw('create index outbox_failed on outbox (id) where failed_at is not null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists outbox_failed');
  await knex.raw('drop index if exists delivery_attempts_at');
  await knex.raw('drop index if exists documents_created');
}
