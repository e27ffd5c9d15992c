import type { Knex } from 'knex';

/**
 * The request that stored a document (its X-Request-Id, the id its log lines carry) or, for a
 * document stored by a job, the job's id (`ob-42`, as the job's log lines carry it): shown on the
 * console's document page and a filter of its search (src/documents/search.ts), read by the index.
 * Documents from before have none.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('documents', (t) => {
    t.text('request_id');
  });
  await knex.raw(
    'create index documents_request_id on documents (request_id, created_at) where request_id is not null',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists documents_request_id');
  await knex.schema.alterTable('documents', (t) => {
    t.dropColumn('request_id');
  });
}
