/**
 * Every job the gateway runs, listed once: the composition root (createContext) hands this list to
 * the queue adapter of the server, the worker and the CLI. A job is added here, not registered by
 * importing its module.
 */
import { escalateJob, evaluateJob, expireJob, notifyJob } from '../approvals/jobs';
import { deliveryJob, onDeliveryOutcome } from '../delivery/service';
import { invoiceDeliveryOutcome } from '../invoices/service';
import { statusUpdateJob } from '../orders/jobs';
import type { JobDefinition } from '../platform/jobs';
import { sftpPollJob } from '../transports/sftp/jobs';
import { as2ExpiryJob } from '../transports/as2/expiry';
import { alertEvaluateJob, alertNotifyJob } from '../alerts/evaluate';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each definition has its own payload type
export const JOBS: readonly JobDefinition<any>[] = [
  evaluateJob,
  escalateJob,
  expireJob,
  notifyJob,
  statusUpdateJob,
  deliveryJob,
  sftpPollJob,
  as2ExpiryJob,
  alertEvaluateJob,
  alertNotifyJob,
];

/** What a delivery's outcome does to the record its document belongs to (an invoice's state). */
export function installDeliveryHooks(): void {
  onDeliveryOutcome('InvoiceDetailRequest', invoiceDeliveryOutcome);
  onDeliveryOutcome('810', invoiceDeliveryOutcome);
}
