import type { Knex } from 'knex';
import * as partners from './20261123000100_partners';
import * as catalog from './20261123000200_catalog';
import * as documentsOutbox from './20261123000300_documents_outbox';
import * as punchout from './20261123000400_punchout';
import * as orders from './20261123000500_orders';
import * as invoicesDelivery from './20261123000600_invoices_delivery';
import * as orderShipToKey from './20261123000700_order_ship_to_key';
import * as supplierSecret from './20261202020000_supplier_secret';
import * as apiKeyLastUsed from './20261202020100_api_key_last_used';
import * as supplierOrderNumber from './20261202040000_supplier_order_number';
import * as x12Acknowledgments from './20261202040100_x12_acknowledgments';
import * as deploymentMode from './20261202050000_deployment_mode';
import * as documentAttachments from './20261202050100_document_attachments';
import * as documentSize from './20261202100000_document_size';
import * as outboxReconcile from './20261202130000_outbox_reconcile';
import * as sftp from './20261202140000_sftp';
import * as oneNumberTable from './20261202170000_one_number_table';
import * as pageFlashes from './20261202180000_page_flashes';
import * as deliverySlots from './20261203050000_delivery_slots';
import * as pageSessions from './20261203120000_page_sessions';
import * as as2 from './20261203130000_as2';
import * as consoleUsers from './20261203140000_console_users';
import * as metricsIndexes from './20261203170000_metrics_indexes';
import * as orderMultiple from './20261203180000_order_multiple';
import * as documentSearchIndexes from './20261204010000_document_search_indexes';
import * as deliveryConsole from './20261204020000_delivery_console';
import * as catalogShop from './20261204030000_catalog_shop';
import * as approvalEvidence from './20261204040000_approval_evidence';
import * as alerts from './20261204050000_alerts';
import * as demoBuyerInbox from './20261204060000_demo_buyer_inbox';
import * as invoiceEvents from './20261205010000_invoice_events';
import * as documentRequestId from './20261205011000_document_request_id';
import * as takeDeliverySlot from './20261205070000_take_delivery_slot';
import * as dropTakeDeliverySlot from './20261205071000_drop_take_delivery_slot';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Migrations in order. Listed statically so they load the same under tsx, jest and compiled JS. */
const MIGRATIONS: [string, Migration][] = [
  ['20261123000100_partners', partners],
  ['20261123000200_catalog', catalog],
  ['20261123000300_documents_outbox', documentsOutbox],
  ['20261123000400_punchout', punchout],
  ['20261123000500_orders', orders],
  ['20261123000600_invoices_delivery', invoicesDelivery],
  ['20261123000700_order_ship_to_key', orderShipToKey],
  ['20261202020000_supplier_secret', supplierSecret],
  ['20261202020100_api_key_last_used', apiKeyLastUsed],
  ['20261202040000_supplier_order_number', supplierOrderNumber],
  ['20261202040100_x12_acknowledgments', x12Acknowledgments],
  ['20261202050000_deployment_mode', deploymentMode],
  ['20261202050100_document_attachments', documentAttachments],
  ['20261202100000_document_size', documentSize],
  ['20261202130000_outbox_reconcile', outboxReconcile],
  ['20261202140000_sftp', sftp],
  ['20261202170000_one_number_table', oneNumberTable],
  ['20261202180000_page_flashes', pageFlashes],
  ['20261203050000_delivery_slots', deliverySlots],
  ['20261203120000_page_sessions', pageSessions],
  ['20261203130000_as2', as2],
  ['20261203140000_console_users', consoleUsers],
  ['20261203170000_metrics_indexes', metricsIndexes],
  ['20261203180000_order_multiple', orderMultiple],
  ['20261204010000_document_search_indexes', documentSearchIndexes],
  ['20261204020000_delivery_console', deliveryConsole],
  ['20261204030000_catalog_shop', catalogShop],
  ['20261204040000_approval_evidence', approvalEvidence],
  ['20261204050000_alerts', alerts],
  ['20261204060000_demo_buyer_inbox', demoBuyerInbox],
  ['20261205010000_invoice_events', invoiceEvents],
  ['20261205011000_document_request_id', documentRequestId],
  ['20261205070000_take_delivery_slot', takeDeliverySlot],
  ['20261205071000_drop_take_delivery_slot', dropTakeDeliverySlot],
];

export const migrationSource: Knex.MigrationSource<[string, Migration]> = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
  getMigrationName: ([name]) => name,
  getMigration: ([, migration]) => Promise.resolve(migration),
};
