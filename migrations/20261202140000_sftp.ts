import type { Knex } from 'knex';

/**
 * SFTP mailboxes (src/transports/sftp) and repeatable jobs (src/platform/schedules.ts).
 *
 * - partners.sftp_credentials_enc: the SFTP password / private key of a partner, AES-256-GCM under
 *   SECRETS_KEY (like cxml_supplier_secret_enc).
 * - job_schedules: a job that runs every `every_ms`; the outbox relay turns each due row into an
 *   outbox row (so a schedule is run by whichever worker takes the job, once per period).
 * - sftp_mailboxes: per partner, the poll lease (one poll at a time) and the last poll's outcome.
 * - sftp_pickups: every file seen in a partner's inbound directory, from first sight (its size and
 *   time, to tell when it is complete) through the claim (a lease: one worker takes it) to stored
 *   (its sha256 and the document it became) and archived or deleted.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('partners', (t) => {
    t.text('sftp_credentials_enc');
  });

  await knex.schema.createTable('job_schedules', (t) => {
    t.text('key').primary();
    t.text('job_name').notNullable();
    t.jsonb('payload').notNullable().defaultTo('{}');
    t.integer('every_ms').notNullable();
    t.timestamp('next_run_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_run_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create index job_schedules_due on job_schedules (next_run_at)');

  await knex.schema.createTable('sftp_mailboxes', (t) => {
    t.text('partner_id').primary().references('partners.id');
    t.text('poll_owner');
    t.timestamp('poll_lease_until', { useTz: true });
    t.timestamp('last_poll_at', { useTz: true });
    t.timestamp('last_success_at', { useTz: true });
    t.text('last_error');
    t.timestamp('last_error_at', { useTz: true });
  });

  await knex.schema.createTable('sftp_pickups', (t) => {
    t.bigIncrements('id');
    t.text('partner_id').notNullable().references('partners.id');
    // The file's name in the partner's inbound directory.
    t.text('name').notNullable();
    t.bigInteger('size').notNullable();
    // Modification time as the server reports it (seconds since the epoch).
    t.bigInteger('mtime').notNullable();
    // seen -> claimed -> stored -> done; claimed -> seen (changed while read); refused, duplicate.
    t.text('status').notNullable();
    t.timestamp('first_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // When the current size and time were first seen, and in how many polls since.
    t.timestamp('unchanged_since', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('unchanged_polls').notNullable().defaultTo(1);
    t.text('claimed_by');
    t.timestamp('lease_until', { useTz: true });
    t.integer('claims').notNullable().defaultTo(0);
    t.text('sha256');
    t.uuid('document_id').references('documents.id');
    t.text('error');
    t.timestamp('stored_at', { useTz: true });
    // Where the file went after it was stored: the archive path, or "deleted".
    t.text('disposed_to');
    t.timestamp('finished_at', { useTz: true });
  });
  // One open pickup per file name; finished ones stay as the record of what was taken.
  await knex.raw(
    "create unique index sftp_pickups_open on sftp_pickups (partner_id, name) where status in ('seen', 'claimed', 'stored')",
  );
  // The same name with the same bytes is stored once.
  await knex.raw(
    "create unique index sftp_pickups_stored on sftp_pickups (partner_id, name, sha256) where status in ('stored', 'done')",
  );
  await knex.raw('create index sftp_pickups_recent on sftp_pickups (partner_id, first_seen_at desc)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sftp_pickups');
  await knex.schema.dropTable('sftp_mailboxes');
  await knex.schema.dropTable('job_schedules');
  await knex.schema.alterTable('partners', (t) => {
    t.dropColumn('sftp_credentials_enc');
  });
}
