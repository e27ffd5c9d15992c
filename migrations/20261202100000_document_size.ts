import type { Knex } from 'knex';

/**
 * The size of a document as received. An unauthenticated refusal keeps only a prefix of the body
 * (with the sha256 and this size of the whole), so `content` alone no longer tells it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('documents', (t) => {
    t.bigInteger('size');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('documents', (t) => {
    t.dropColumn('size');
  });
}
