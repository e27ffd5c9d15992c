import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // The supplier's outbound cXML SharedSecret of each partner, AES-256-GCM under SECRETS_KEY.
  await knex.schema.alterTable('partners', (t) => {
    t.text('cxml_supplier_secret_enc');
  });
  // The sha256 of the exact bytes each attempt sent (the stored copy is masked).
  await knex.schema.alterTable('delivery_attempts', (t) => {
    t.text('sha256');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('delivery_attempts', (t) => {
    t.dropColumn('sha256');
  });
  await knex.schema.alterTable('partners', (t) => {
    t.dropColumn('cxml_supplier_secret_enc');
  });
}
