import type { Knex } from 'knex';

/**
 * Each outbound X12 transaction set (855, 856, 810, ...) with the control numbers it went out
 * under, so that the partner's 997/999 (AK1 group, AK2 sets) and TA1 (interchange) are matched to
 * what they acknowledge, and the acknowledgment's outcome is kept with the set: accepted, accepted
 * with errors, rejected (with the errors the partner named), or none yet (pending, overdue after
 * the partner's x12.ackWithinHours).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('x12_outbound_sets', (t) => {
    t.uuid('document_id').primary().references('documents.id').onDelete('CASCADE');
    t.text('partner_id').notNullable().references('partners.id');
    t.bigInteger('interchange_control').notNullable();
    t.bigInteger('group_control').notNullable();
    t.text('functional_id').notNullable();
    t.text('set_id').notNullable();
    t.text('set_control').notNullable();
    // accepted | accepted_with_errors | rejected; null while no acknowledgment has come.
    t.text('ack_status');
    // What the acknowledgment said: AK5/IK5 and AK9 codes, AK3/AK4 notes, TA1 note.
    t.jsonb('ack_detail');
    t.uuid('ack_document_id');
    t.timestamp('acknowledged_at', { useTz: true });
    // TA104 of the partner's TA1 for the interchange (A, E or R), when one came.
    t.text('interchange_ack');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    'create index x12_outbound_sets_group on x12_outbound_sets (partner_id, group_control, created_at)',
  );
  await knex.raw(
    'create index x12_outbound_sets_interchange on x12_outbound_sets (partner_id, interchange_control, created_at)',
  );
  await knex.raw(
    'create index x12_outbound_sets_unacknowledged on x12_outbound_sets (created_at) where ack_status is null',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('x12_outbound_sets');
}
