import type { Knex } from 'knex';

/**
 * Files that came with an inbound document (cXML attachments: the parts of a multipart/related
 * OrderRequest besides the document itself), kept verbatim (transfer encoding undone) beside the
 * document they came with and written in the same statement, so an accepted order never lacks them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('document_attachments', (t) => {
    t.uuid('id').primary();
    t.uuid('document_id').notNullable().references('documents.id').onDelete('CASCADE');
    /** 1-based place of the part among the attachments, as received. */
    t.integer('position').notNullable();
    /** Content-ID without angle brackets: what the document's cid: URL names. */
    t.text('content_id').notNullable();
    t.text('content_type').notNullable();
    t.text('filename');
    t.integer('size').notNullable();
    t.text('sha256').notNullable();
    t.binary('content').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['document_id', 'content_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('document_attachments');
}
