import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { parseStatusResponse } from '../../protocols/cxml';
import { fillSharedSecret } from '../../protocols/cxml/mask';
import { findPartner } from '../partners/repository';
import { supplierSharedSecret } from '../partners/supplier-secret';
import { sha256Hex } from '../platform/secrets';
import type { Db, Q } from '../platform/db';
import {
  backoffDelay,
  DeferJobError,
  defineJob,
  UnrecoverableJobError,
  type JobContext,
} from '../platform/jobs';
import { enqueueInTx, outboxRow } from '../platform/outbox';
import type { DocumentRow, RowsFor } from '../documents/store';
import { OutboundRefusedError, postOutbound } from '../platform/outbound';
import { SftpError } from '../transports/sftp/client';
import { uploadDocument } from '../transports/sftp/outbound';
import { attemptAs2, attemptAs2Mdn } from '../transports/as2/deliver';
import { deferDelay, forgetSlot, partnerConcurrency, releaseSlot, takeSlot } from './slots';
import { moveDelivery } from './lifecycle';
import { deliveryWithDocument, type DeliveryPartner, type DocToSend } from './reading';
import { OUTCOME_EVENT } from '../model/delivery-state';

/**
 * Outbound documents: a stored document is delivered over a transport (HTTP POST, or an upload to
 * the partner's SFTP mailbox), retried with exponential backoff (DELIVERY_RETRY_BASE_MS, doubling,
 * DELIVERY_MAX_ATTEMPTS), every attempt recorded. Format-neutral: cXML answers are read for their
 * Status code; other formats go by HTTP status; an SFTP upload is delivered once it is renamed to its
 * final name.
 */
export type DeliveryOutcome = 'delivered' | 'rejected' | 'failed';

/**
 * http: POST; sftp: upload; as2: an AS2 message whose MDN decides; as2-mdn: an asynchronous AS2 MDN
 * we owe (both in src/transports/as2/deliver.ts).
 */
export type DeliveryTransport = 'http' | 'sftp' | 'as2' | 'as2-mdn';

export interface DeliveryRow {
  id: string;
  document_id: string;
  partner_id: string;
  transport: string;
  url: string;
  status: 'pending' | DeliveryOutcome;
  attempts: number;
  last_error: string | null;
  response_status: number | null;
  response_body: string | null;
  /** The current job run (a retry or cancel from the console starts a new one). */
  round?: number;
}

/**
 * Features learn the outcome for their document types (an invoice becomes delivered or rejected),
 * in the transaction that decides the delivery; `invoiceId` is the document's (documents.invoice_id).
 */
export type DeliveryHook = (
  q: Q,
  d: {
    delivery: DeliveryRow;
    docType: string;
    outcome: DeliveryOutcome;
    reason: string | null;
    invoiceId: string | null;
  },
) => Promise<void>;
const hooks = new Map<string, DeliveryHook>();
export function onDeliveryOutcome(docType: string, hook: DeliveryHook): void {
  hooks.set(docType, hook);
}

/** In the caller's transaction: a delivery row and the outbox job that will send it. */
export async function queueDelivery(
  trx: Q,
  d: { partnerId: string; documentId: string; url: string; transport?: DeliveryTransport },
): Promise<string> {
  const id = randomUUID();
  await trx('deliveries').insert(deliveryRow(id, d.documentId, d));
  await enqueueInTx(trx, deliveryJob, { deliveryId: id });
  return id;
}

type DeliveryTo = { partnerId: string; url: string; transport?: DeliveryTransport };

function deliveryRow(id: string, documentId: string, d: DeliveryTo) {
  return {
    id,
    document_id: documentId,
    partner_id: d.partnerId,
    transport: d.transport ?? 'http',
    url: d.url,
  };
}

/**
 * The rows queueDelivery writes, for a caller that inserts them in the statement storing the
 * document (storeDocumentWithRows: one round trip instead of three): the delivery's id, and its row
 * and outbox job (due now) for the document's id.
 */
export function queuedDeliveryRows(d: DeliveryTo): { id: string; rowsFor: RowsFor } {
  const id = randomUUID();
  return {
    id,
    rowsFor: (documentId) => [
      ['deliveries', deliveryRow(id, documentId, d)],
      ['outbox', outboxRow(deliveryJob, { deliveryId: id })],
    ],
  };
}

class RetryableDeliveryError extends Error {}

async function finish(
  db: Db,
  delivery: DeliveryRow,
  docType: string,
  outcome: DeliveryOutcome,
  reason: string | null,
  response?: { status: number | null; body: string },
): Promise<void> {
  const hook = hooks.get(docType);
  const decide = async (q: Q) => {
    // The verdict moves the delivery and its document's status in one statement (a delivery no
    // longer pending moves neither), which returns the document's invoice for the hook.
    const [doc] = await q
      .with(
        'moved',
        moveDelivery(q, delivery.id, OUTCOME_EVENT[outcome], {
          last_error: reason,
          ...(response
            ? { response_status: response.status, response_body: response.body.slice(0, 10000) }
            : {}),
          ...(outcome === 'delivered' ? { delivered_at: q.fn.now() } : {}),
        }).returning('document_id'),
      )
      .from('documents')
      .whereIn('id', q.select('document_id').from('moved'))
      .update({ status: outcome, error: reason })
      .returning<{ invoice_id: string | null }[]>('invoice_id');
    if (!doc || !hook) return;
    const d = { delivery: { ...delivery, status: outcome }, docType, outcome, reason };
    await hook(q, { ...d, invoiceId: doc.invoice_id });
  };
  // Without a hook the statement is the whole decision: no transaction around it.
  await (hook ? db.transaction(decide) : decide(db));
}

/** What the buyer's answer means: cXML Status in a 2xx body decides; else the HTTP status. */
export function interpretAnswer(
  httpStatus: number,
  body: string,
  contentType: string,
): { outcome: 'delivered' | 'rejected' | 'retry'; reason: string | null } {
  if (httpStatus >= 500 || httpStatus === 408 || httpStatus === 429)
    return { outcome: 'retry', reason: `HTTP ${httpStatus}` };
  const looksCxml = /xml/i.test(contentType) || body.trimStart().startsWith('<');
  let code = httpStatus;
  let text = '';
  if (looksCxml && body.includes('<Status')) {
    try {
      const s = parseStatusResponse(body);
      code = s.code;
      text = [s.text, s.message].filter(Boolean).join(': ');
    } catch {
      /* not a cXML answer: go by HTTP status */
    }
  }
  if (code >= 200 && code < 300) return { outcome: 'delivered', reason: null };
  if (code >= 500) return { outcome: 'retry', reason: `status ${code} ${text}`.trim() };
  return { outcome: 'rejected', reason: `status ${code}${text ? ` ${text}` : ''}` };
}

/**
 * The stored copy has the supplier's SharedSecret masked: a cXML document goes out with the
 * partner's current one in its place (or without the element when the partner has none now).
 */
function bytesToSend(
  ctx: JobContext,
  partner: DeliveryPartner | undefined,
  doc: { content: Buffer; protocol: string },
): Buffer {
  if (doc.protocol !== 'cxml') return doc.content;
  return fillSharedSecret(doc.content, partner ? supplierSharedSecret(ctx.config, partner) : null);
}

/** What one attempt did: an HTTP answer, an upload, or an error; `refused` when retrying cannot help. */
export interface DeliveryAttempt {
  status: number | null;
  contentType: string;
  body: string;
  error: string | null;
  refused: string | null;
  sent: Buffer | null;
  /** Decided later: the job asks again after this long (an asynchronous AS2 MDN awaited). */
  awaitMs?: number;
  /** Nothing was sent (only checked whether the awaited answer came): not an attempt. */
  idle?: boolean;
}

function describeError(err: unknown): string {
  return err instanceof Error
    ? `${err.name}: ${(err.cause as Error | undefined)?.message ?? err.message}`
    : String(err);
}

/** An attempt before anything happened: no answer, no error, nothing sent. */
const noAttempt = (): DeliveryAttempt => ({
  status: null,
  contentType: '',
  body: '',
  error: null,
  refused: null,
  sent: null,
});

async function attemptHttp(
  ctx: JobContext,
  delivery: DeliveryRow,
  partner: DeliveryPartner | undefined,
  doc: DocToSend,
): Promise<DeliveryAttempt> {
  const a = noAttempt();
  try {
    a.sent = bytesToSend(ctx, partner, doc);
    const res = await postOutbound(delivery.url, {
      headers: { 'Content-Type': doc.content_type },
      body: a.sent,
      timeoutMs: ctx.config.DELIVERY_TIMEOUT_MS,
      denyPrivate: ctx.config.OUTBOUND_DENY_PRIVATE,
    });
    a.status = res.status;
    a.contentType = res.contentType;
    a.body = res.body;
    // Redirects are never followed (the Location could point anywhere): the attempt failed.
    if (a.status >= 300 && a.status < 400)
      a.error = `HTTP ${a.status} redirect to ${res.location ?? '(no Location)'} not followed`;
  } catch (err) {
    // No request was made; asking again would be refused the same way.
    if (err instanceof OutboundRefusedError) a.refused = `address refused: ${err.message}`;
    a.error = describeError(err);
  }
  return a;
}

/**
 * An upload to the partner's SFTP outbound directory under a temporary name, renamed when complete
 * (src/transports/sftp/outbound.ts). A host key other than the pinned one, or an address that may
 * not be called, fails the delivery at once; anything else is retried.
 */
async function attemptSftp(ctx: JobContext, delivery: DeliveryRow, doc: DocToSend): Promise<DeliveryAttempt> {
  const a = noAttempt();
  try {
    const partner = await findPartner(ctx.db, delivery.partner_id);
    if (!partner?.settings.sftp) {
      a.refused = `partner ${delivery.partner_id} has no SFTP settings any more`;
      a.error = a.refused;
      return a;
    }
    a.sent = bytesToSend(ctx, partner, doc);
    const up = await uploadDocument(ctx.config, partner, {
      documentId: delivery.document_id,
      docType: doc.doc_type,
      content: a.sent,
    });
    a.body = up.alreadyThere
      ? `${up.path} was uploaded by an earlier attempt (${a.sent.length} bytes)`
      : `uploaded ${up.path} (${a.sent.length} bytes)`;
  } catch (err) {
    if (err instanceof SftpError && (err.kind === 'host_key' || err.kind === 'refused'))
      a.refused = err.message;
    a.error = err instanceof SftpError ? err.message : describeError(err);
  }
  return a;
}

/** Runs a transport's attempt; what it throws is a failed attempt (a refused address: refused). */
async function attemptWith(
  fn: (ctx: JobContext, delivery: DeliveryRow, doc: DocToSend) => Promise<Partial<DeliveryAttempt>>,
  ctx: JobContext,
  delivery: DeliveryRow,
  doc: DocToSend,
): Promise<DeliveryAttempt> {
  const a = noAttempt();
  try {
    Object.assign(a, await fn(ctx, delivery, doc));
    if (a.status !== null && a.status >= 300 && a.status < 400)
      a.error = `HTTP ${a.status} redirect not followed`;
  } catch (err) {
    if (err instanceof DeferJobError) throw err;
    if (err instanceof OutboundRefusedError) a.refused = `address refused: ${err.message}`;
    a.error = describeError(err);
  }
  return a;
}

/** The slot given back, the attempt recorded and counted: one statement. */
async function recordAttempt(
  q: Q,
  slot: string,
  deliveryId: string,
  attempt: number,
  a: DeliveryAttempt,
  durationMs: number,
  retryAt: Date | null,
): Promise<void> {
  await q.raw(
    `with released as (
       delete from delivery_slots where id = :slot
     ), recorded as (
       insert into delivery_attempts (delivery_id, attempt, status_code, error, duration_ms, sha256)
       values (:delivery, :attempt, :status, :error, :duration, :sha256)
     )
     update deliveries set attempts = :attempt, last_error = :lastError, next_attempt_at = :retryAt
     where id = :delivery`,
    {
      slot,
      delivery: deliveryId,
      attempt,
      status: a.status,
      error: a.error,
      duration: durationMs,
      sha256: a.sent ? sha256Hex(a.sent) : null,
      lastError: a.error ?? (a.status !== null ? `HTTP ${a.status}` : null),
      retryAt,
    },
  );
}

async function send(data: DeliveryJobData, ctx: JobContext): Promise<void> {
  const found = await deliveryWithDocument(ctx.db, data.deliveryId);
  if (!found) throw new UnrecoverableJobError(`delivery ${data.deliveryId} does not exist`);
  // The partner read with it: its delivery concurrency, and the supplier secret that goes into
  // the document (as it is now, not cached: a secret rotated a moment ago goes out).
  const { delivery, doc, partner } = found;
  if (delivery.status !== 'pending') return; // already decided: a repeated job does nothing
  // A job of an earlier round (the console retried or cancelled it since) leaves it to the current one.
  if ((data.round ?? 0) !== (delivery.round ?? 0)) return;
  const slot = await takeSlot(ctx.db, ctx.config, {
    partnerId: delivery.partner_id,
    deliveryId: delivery.id,
    limit: partnerConcurrency(ctx.config, partner),
  });
  if (slot === null)
    throw new DeferJobError(await deferDelay(ctx.db, delivery.id), 'partner delivery slots taken');
  const attempt = delivery.attempts + 1;
  const started = Date.now();
  let a: DeliveryAttempt;
  try {
    a =
      delivery.transport === 'sftp'
        ? await attemptSftp(ctx, delivery, doc)
        : delivery.transport === 'as2-mdn'
          ? await attemptWith(attemptAs2Mdn, ctx, delivery, doc)
          : delivery.transport === 'as2'
            ? await attemptWith(attemptAs2, ctx, delivery, {
                ...doc,
                content: bytesToSend(ctx, partner, doc),
              })
            : await attemptHttp(ctx, delivery, partner, doc);
  } catch (err) {
    await releaseSlot(ctx.db, slot);
    throw err;
  }
  if (a.idle && a.awaitMs) {
    // Nothing was sent (an MDN is awaited): the slot goes back and no attempt is counted.
    await releaseSlot(ctx.db, slot);
    throw new DeferJobError(a.awaitMs, 'awaiting an asynchronous MDN');
  }
  forgetSlot(slot);
  // Should this attempt fail, the job runs again after the backoff both queue adapters apply.
  const retryAt =
    ctx.attempt < ctx.maxAttempts
      ? new Date(Date.now() + backoffDelay(ctx.config.DELIVERY_RETRY_BASE_MS, ctx.attempt))
      : null;
  await recordAttempt(ctx.db, slot, delivery.id, attempt, a, Date.now() - started, retryAt);
  const { status, error } = a;
  if (a.refused) {
    await finish(ctx.db, delivery, doc.doc_type, 'failed', a.refused);
    ctx.log.warn({ deliveryId: delivery.id, reason: a.refused }, 'delivery refused before sending');
    return;
  }
  if (error) throw new RetryableDeliveryError(error);
  if (a.awaitMs) throw new DeferJobError(a.awaitMs, 'sent; awaiting an asynchronous MDN');
  if (status === null) {
    // A transport without an answer to read (SFTP): the upload completed.
    await finish(ctx.db, delivery, doc.doc_type, 'delivered', null, { status: null, body: a.body });
    return;
  }
  const verdict = interpretAnswer(status, a.body, a.contentType);
  if (verdict.outcome === 'retry') throw new RetryableDeliveryError(verdict.reason ?? 'retry');
  await finish(ctx.db, delivery, doc.doc_type, verdict.outcome, verdict.reason, { status, body: a.body });
  if (verdict.outcome === 'rejected')
    ctx.log.warn({ deliveryId: delivery.id, reason: verdict.reason }, 'delivery rejected by partner');
}

/** `round` (absent: 0) is the delivery's job run the job belongs to (see deliveries.round). */
export type DeliveryJobData = { deliveryId: string; round?: number | undefined };

export const deliveryJob = defineJob<DeliveryJobData>({
  name: 'delivery.send',
  payload: z.object({ deliveryId: z.string(), round: z.number().int().min(0).optional() }),
  attempts: (c) => c.DELIVERY_MAX_ATTEMPTS,
  backoffMs: (c) => c.DELIVERY_RETRY_BASE_MS,
  handler: send,
  onFailed: async (data, err, ctx) => {
    const delivery = await ctx.db<DeliveryRow>('deliveries').where({ id: data.deliveryId }).first();
    if (!delivery || delivery.status !== 'pending') return;
    if ((data.round ?? 0) !== (delivery.round ?? 0)) return; // an earlier round's job gave up
    const doc = await ctx.db<DocumentRow>('documents').where({ id: delivery.document_id }).first('doc_type');
    await finish(
      ctx.db,
      delivery,
      doc?.doc_type ?? '',
      'failed',
      `gave up after ${delivery.attempts} attempts: ${err.message}`,
    );
  },
});

/**
 * Puts a delivery back to pending and queues it again (resend), in a new round: a job of an
 * earlier round (one still waiting in its backoff, or the round a console retry started) does
 * nothing, and this one is not mistaken for such a job.
 */
export async function resendDelivery(db: Db, deliveryId: string): Promise<void> {
  await db.transaction(async (trx) => {
    const [row] = await moveDelivery(trx, deliveryId, 'resend', {
      last_error: null,
      round: trx.raw('round + 1'),
    }).returning<{ round: number }[]>('round');
    if (row) await enqueueInTx(trx, deliveryJob, { deliveryId, round: Number(row.round) });
  });
}
