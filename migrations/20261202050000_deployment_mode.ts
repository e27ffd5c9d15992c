import type { Knex } from 'knex';

/**
 * cXML's deploymentMode ("production" or "test") of the document that opened a punchout session or
 * brought an order, kept so that every answer and follow-up (PunchOutOrderMessage, ConfirmationRequest,
 * ShipNoticeRequest, InvoiceDetailRequest, StatusUpdateRequest) carries the buyer's own mode: a
 * buyer's test order must not come back as production. Rows from before are production, the DTD
 * default.
 */
export async function up(knex: Knex): Promise<void> {
  for (const table of ['orders', 'punchout_sessions']) {
    await knex.raw(
      `alter table ${table} add column deployment_mode text not null default 'production'
         constraint ${table}_deployment_mode check (deployment_mode in ('production', 'test'))`,
    );
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['orders', 'punchout_sessions']) {
    await knex.raw(`alter table ${table} drop column deployment_mode`);
  }
}
