import type { Knex } from 'knex';

/**
 * Indexes for the console's documents search (src/documents/search.ts): each filter it offers reads
 * an index in the list's order (newest first), so a filter over millions of documents reads the page
 * it shows, not the table. Partner and date range use documents_partner_created and documents_created;
 * a supplier order number the unique index on orders; a buyer PO number needs its own, since the
 * unique key on orders starts with the partner.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create index documents_protocol_created on documents (protocol, created_at)');
  await knex.raw('create index documents_type_created on documents (doc_type, created_at)');
  await knex.raw('create index documents_direction_created on documents (direction, created_at)');
  await knex.raw('create index documents_status_created on documents (status, created_at)');
  await knex.raw(
    'create index documents_external_id on documents (external_id) where external_id is not null',
  );
  await knex.raw('create index orders_buyer_order_number on orders (buyer_order_number)');
  // The orders a document touched (an interchange's 850s, an update): shown on its console page.
  await knex.raw(
    'create index order_versions_document on order_versions (document_id) where document_id is not null',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists order_versions_document');
  await knex.raw('drop index if exists orders_buyer_order_number');
  await knex.raw('drop index if exists documents_external_id');
  await knex.raw('drop index if exists documents_status_created');
  await knex.raw('drop index if exists documents_direction_created');
  await knex.raw('drop index if exists documents_type_created');
  await knex.raw('drop index if exists documents_protocol_created');
}
