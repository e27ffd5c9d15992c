import type { Knex } from 'knex';

/**
 * AS2 (src/transports/as2, issue 18).
 *
 * - as2_certificates: the certificates of each partner's `as2.certificates` (several during a
 *   rollover), with the validity read from the certificate; replaced with the partner's settings.
 * - as2_keys: the supplier's own key pairs (its certificate and the private key, AES-256-GCM under
 *   SECRETS_KEY like the partners' encrypted secrets). Every key not retired decrypts; the newest
 *   valid one signs.
 * - as2_messages: every AS2 message received or sent, with the MDN answered or received (the signed
 *   MDN is the non-repudiation evidence, kept byte for byte). A Message-ID is processed once per
 *   partner and direction: a resend gets the stored MDN again.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('as2_certificates', (t) => {
    t.bigIncrements('id');
    t.text('partner_id').notNullable().references('partners.id').onDelete('CASCADE');
    t.text('fingerprint_sha256').notNullable();
    t.binary('der').notNullable();
    t.text('subject').notNullable();
    t.text('issuer').notNullable();
    t.text('serial_number').notNullable();
    t.timestamp('not_before', { useTz: true }).notNullable();
    t.timestamp('not_after', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['partner_id', 'fingerprint_sha256']);
  });

  await knex.schema.createTable('as2_keys', (t) => {
    t.uuid('id').primary();
    t.text('fingerprint_sha256').notNullable().unique();
    t.binary('certificate_der').notNullable();
    t.text('subject').notNullable();
    t.timestamp('not_before', { useTz: true }).notNullable();
    t.timestamp('not_after', { useTz: true }).notNullable();
    t.text('private_key_enc').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('retired_at', { useTz: true });
  });

  await knex.schema.createTable('as2_messages', (t) => {
    t.uuid('id').primary();
    t.text('direction').notNullable(); // in | out
    t.text('partner_id').notNullable().references('partners.id');
    t.text('message_id').notNullable();
    t.text('as2_from').notNullable();
    t.text('as2_to').notNullable();
    // in: processed | refused; out: delivered | failed (the last attempt's outcome), or with an
    // asynchronous MDN awaiting-mdn (sent at sent_at) -> mdn-received -> delivered | failed
    t.text('status').notNullable();
    t.timestamp('sent_at', { useTz: true });
    t.text('error');
    t.uuid('document_id').references('documents.id');
    t.uuid('delivery_id');
    t.text('body_sha256');
    // What the layers were: encrypted>signed>compressed, algorithms, signer fingerprint.
    t.jsonb('layers');
    // The Received-Content-MIC (answered, or expected back): "digest, algorithm".
    t.text('mic');
    // Where an asynchronous MDN goes (in) or was asked to come (out).
    t.text('receipt_url');
    t.text('mdn_message_id');
    t.text('mdn_disposition');
    t.boolean('mdn_signed');
    t.jsonb('mdn_headers');
    t.binary('mdn_body');
    // An asynchronous MDN we send (in), stored as a document and delivered through deliveries.
    t.uuid('mdn_document_id').references('documents.id');
    t.timestamp('mdn_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // A Message-ID is processed once per partner and direction; refusals stay as the record.
  await knex.raw(
    "create unique index as2_messages_once on as2_messages (partner_id, direction, message_id) where status <> 'refused'",
  );
  await knex.raw('create index as2_messages_recent on as2_messages (partner_id, created_at desc)');
  await knex.raw('create index as2_messages_document on as2_messages (document_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('as2_messages');
  await knex.schema.dropTable('as2_keys');
  await knex.schema.dropTable('as2_certificates');
}
