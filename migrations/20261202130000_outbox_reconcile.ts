import type { Knex } from 'knex';

/**
 * The outbox becomes the record of what is finished, for BullMQ too: a job's completion (or final
 * failure) is written back to its row, and the relay's reconciler hands a row that was dispatched
 * but never finished to Redis again when its job is gone there (Redis lost its data).
 *
 * Rows dispatched to BullMQ before this version never had their completion written back; they are
 * taken as finished (trusted to Redis, as before) rather than all handed over again. They are the
 * dispatched rows the in-process adapter cannot have written: it counts an attempt when it claims a
 * row and keeps the error when an operator retries one, BullMQ's relay did neither.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `update outbox set completed_at = dispatched_at
     where dispatched_at is not null and completed_at is null and failed_at is null
       and attempts = 0 and last_error is null`,
  );
  await knex.raw(
    `create index outbox_unfinished on outbox (id)
     where dispatched_at is not null and completed_at is null and failed_at is null`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists outbox_unfinished');
}
