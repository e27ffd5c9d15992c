/**
 * What an operator does to deliveries (the console's Deliveries screen): retry one now, cancel one,
 * and retry the dead letters a filter selects (say every failed delivery of a partner once its URL
 * is fixed). A retry starts a new round (deliveries.round): the delivery is pending again, a job of
 * the new round is queued in the same transaction, and a job of an older round still waiting in its
 * backoff does nothing when it wakes. A retried delivery goes to the partner's current URL for its
 * transport, so a fixed URL is used at once. Each change is written to the audit log in its
 * transaction.
 */
import type { Actor } from '../console/audit';
import { writeAudit } from '../console/audit';
import { updateDocumentStatus } from '../documents/store';
import type { PartnerRow } from '../partners/repository';
import { findPartner } from '../partners/repository';
import type { Db, Q } from '../platform/db';
import { AppError, notFound } from '../platform/errors';
import { enqueueInTx } from '../platform/outbox';
import { filteredDeliveries, type DeliveryFilter } from './queries';
import { moveDelivery } from './lifecycle';
import { DELIVERY_PROCESS } from '../model/delivery-state';
import { canMove, statesAllowing } from '../model/process';
import { deliveryJob, type DeliveryRow } from './service';

export interface ChangeBy {
  actor: Actor;
  now: Date;
  ip?: string | null;
  requestId?: string | null;
}

/** Bulk retries take at most this many dead letters per request. */
export const BULK_RETRY_MAX = 1000;

/** Where a delivery of this transport and protocol goes for the partner now (undefined: keep its URL). */
export function currentUrl(partner: PartnerRow | undefined, transport: string, protocol: string) {
  const s = partner?.settings;
  if (transport === 'http' && protocol === 'cxml') return s?.cxml?.outboundUrl;
  if (transport === 'http' && protocol === 'x12') return s?.x12?.outboundUrl;
  if (transport === 'as2') return s?.as2?.url;
  return undefined;
}

type Locked = DeliveryRow & { round: number; protocol: string };

async function lockDelivery(trx: Q, id: string): Promise<Locked> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('delivery');
  const row = await trx('deliveries as v')
    .join('documents as d', 'd.id', 'v.document_id')
    .where('v.id', id)
    .forUpdate('v')
    .first<Locked | undefined>('v.*', 'd.protocol');
  if (!row) throw notFound('delivery');
  return row;
}

/** The delivery's dead-letter jobs are settled: the delivery itself was retried or cancelled. */
async function settleDeadJobs(trx: Q, deliveryId: string): Promise<void> {
  await trx('outbox')
    .whereNotNull('failed_at')
    .where('job_name', deliveryJob.name)
    .whereRaw(`payload->>'deliveryId' = ?`, [deliveryId])
    .update({ failed_at: null, completed_at: trx.fn.now() });
}

/** In `trx`: the delivery pending again in a new round, to the partner's current URL, its job queued. */
async function requeue(trx: Q, d: Locked): Promise<{ url: string; round: number }> {
  const partner = await findPartner(trx, d.partner_id);
  const url = currentUrl(partner, d.transport, d.protocol) ?? d.url;
  const round = d.round + 1;
  await moveDelivery(trx, d.id, 'retry', { round, url, next_attempt_at: trx.fn.now(), deferrals: 0 });
  await updateDocumentStatus(trx, d.document_id, 'queued');
  await settleDeadJobs(trx, d.id);
  await enqueueInTx(trx, deliveryJob, { deliveryId: d.id, round });
  return { url, round };
}

const summary = (d: Pick<DeliveryRow, 'status' | 'attempts' | 'url' | 'last_error'>) => ({
  status: d.status,
  attempts: d.attempts,
  url: d.url,
  lastError: d.last_error,
});

/** Runs a delivery again now: pending (waiting for its backoff), dead, rejected or cancelled. */
export async function retryDelivery(db: Db, id: string, by: ChangeBy): Promise<{ url: string }> {
  return db.transaction(async (trx) => {
    const d = await lockDelivery(trx, id);
    if (!canMove(DELIVERY_PROCESS, d.status, 'retry'))
      throw new AppError('conflict', `delivery ${id} was ${d.status} already`);
    const { url } = await requeue(trx, d);
    await writeAudit(trx, by.now, {
      ...by,
      action: 'delivery.retry',
      subject: `delivery:${id}`,
      before: summary(d),
      after: { status: 'pending', url },
    });
    return { url };
  });
}

/** Stops a pending or dead delivery: it is not tried again (a retry can still send it). */
export async function cancelDelivery(db: Db, id: string, by: ChangeBy): Promise<void> {
  await db.transaction(async (trx) => {
    const d = await lockDelivery(trx, id);
    if (!canMove(DELIVERY_PROCESS, d.status, 'cancel'))
      throw new AppError(
        'conflict',
        `delivery ${id} is ${d.status}: only ${statesAllowing(DELIVERY_PROCESS, 'cancel').join(' or ')} ones are cancelled`,
      );
    const reason = `cancelled by ${by.actor.label}`;
    await moveDelivery(trx, id, 'cancel', { round: d.round + 1, next_attempt_at: null, last_error: reason });
    await updateDocumentStatus(trx, d.document_id, 'cancelled', reason);
    await settleDeadJobs(trx, id);
    await writeAudit(trx, by.now, {
      ...by,
      action: 'delivery.cancel',
      subject: `delivery:${id}`,
      before: summary(d),
      after: { status: 'cancelled' },
    });
  });
}

/**
 * Retries every dead letter (failed delivery) the filter selects, oldest first, at most
 * BULK_RETRY_MAX; one audit entry names them. Returns how many were retried.
 */
export async function retryDeadDeliveries(
  db: Db,
  f: Omit<DeliveryFilter, 'state' | 'sort'>,
  by: ChangeBy,
): Promise<{ retried: number }> {
  return db.transaction(async (trx) => {
    const ids = (
      await filteredDeliveries(trx, { ...f, state: 'failed' })
        .orderBy('v.created_at')
        .limit(BULK_RETRY_MAX)
        .select<{ id: string }[]>('v.id')
    ).map((r) => r.id);
    for (const id of ids) await requeue(trx, await lockDelivery(trx, id));
    await writeAudit(trx, by.now, {
      ...by,
      action: 'delivery.retry_dead',
      subject: f.partner ? `partner:${f.partner}` : 'deliveries',
      before: { filter: f, status: 'failed' },
      after: { retried: ids.length, deliveries: ids.slice(0, 100) },
    });
    return { retried: ids.length };
  });
}
