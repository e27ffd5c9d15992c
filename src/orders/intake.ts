/**
 * Order intake, shared by every inbound channel (cXML OrderRequest, JSON API, X12 850): idempotency by
 * the inbound document's external id, checks, and the order rows (orders, order_versions, order_lines,
 * order_events) plus the `approvals.evaluate` outbox job, committed together with the document and
 * the answer given, or not at all.
 *
 * A new order (intakeNewOrder) reads for its checks, then writes everything in one statement. Updates
 * and cancellations run in a transaction that locks the order row first.
 *
 * Idempotency: the unique index on documents (partner_id, protocol, direction, external_id) makes every
 * concurrent copy wait for the first to commit and then fail; a copy answers with the first answer,
 * stored with the document.
 */
import { randomUUID } from 'node:crypto';
import {
  storeAttachments,
  recordResponse,
  storeDocument,
  storeDocumentWithRows,
  type DocumentRow,
  type NewDocument,
  type RowsFor,
} from '../documents/store';
import { receiveOnce, type InboundKey } from '../documents/receive-once';
import { maskSecrets } from '../documents/mask';
import type { AppContext } from '../platform/context';
import { sha256Hex } from '../platform/secrets';
import { reusedPayloadIdMessage } from '../cxml/endpoint';
import { supplierOrderNumberOf } from '../platform/sequences';
import { alreadyExists, concurrentNew, Refusal, type IntakeInput, type IntakeResult } from './intake-model';
import { checkOrder, readOrderFacts } from './intake-checks';
import { applyOrder, newOrderRows } from './intake-rows';
import type { OrderDbRow } from './repository';

export type {
  IntakeError,
  IntakeInput,
  IntakeProtocol,
  IntakeReplay,
  IntakeResult,
  OrderFlag,
} from './intake-model';

/** `raw` is the stored copy of `doc` (its credentials masked), as a console replay sends it. */
const sameMaskedCopy = (doc: DocumentRow, input: IntakeInput, raw: Buffer) =>
  !!doc.content && Buffer.from(doc.content).equals(maskSecrets(input.protocol, input.contentType, raw));

/** The answer to a copy of a document already stored (documents/receive-once.ts). */
async function replayOf(ctx: AppContext, input: IntakeInput, doc: DocumentRow): Promise<IntakeResult> {
  const raw = typeof input.raw === 'string' ? Buffer.from(input.raw, 'utf8') : input.raw;
  if (input.protocol === 'json' && doc.sha256 !== sha256Hex(raw)) {
    return {
      outcome: 'refused',
      status: 422,
      flags: [],
      errors: [{ message: `Idempotency-Key "${input.externalId}" was already used with a different body` }],
    };
  }
  // A cXML resend is the same document byte for byte; another document under a payloadID already
  // taken is refused, never answered with the first document's answer (and silently dropped). The
  // stored copy, credentials masked, is the same document too: the console replays it.
  if (input.protocol === 'cxml' && doc.sha256 !== sha256Hex(raw) && !sameMaskedCopy(doc, input, raw)) {
    return {
      outcome: 'refused',
      status: 409,
      reusedId: true,
      flags: [],
      errors: [{ message: reusedPayloadIdMessage(input.externalId) }],
    };
  }
  const orderRow = doc.order_id
    ? await ctx.db<OrderDbRow>('orders').where({ id: doc.order_id }).first('flags', 'supplier_order_number')
    : undefined;
  return {
    outcome: 'duplicate',
    ...(doc.order_id ? { orderId: doc.order_id } : {}),
    ...(orderRow?.supplier_order_number ? { supplierOrderNumber: orderRow.supplier_order_number } : {}),
    flags: orderRow?.flags ?? [],
    errors: [],
    ...(doc.response_status !== null
      ? {
          replay: {
            status: doc.response_status,
            contentType: doc.response_content_type ?? 'application/octet-stream',
            body: doc.response_body ?? Buffer.alloc(0),
          },
        }
      : {}),
  };
}

function storedAnswer(input: IntakeInput, result: IntakeResult) {
  const answer = input.render?.(result);
  return {
    status: answer?.status ?? (result.outcome === 'accepted' ? 200 : (result.status ?? 400)),
    contentType: answer?.contentType ?? 'application/json',
    body: answer?.body ?? JSON.stringify(result),
  };
}

function inboundDocument(input: IntakeInput, result: IntakeResult): NewDocument {
  return {
    partnerId: input.partner.id,
    protocol: input.protocol,
    docType: input.docType,
    direction: 'in',
    externalId: input.externalId,
    status: result.outcome === 'accepted' ? 'accepted' : 'refused',
    contentType: input.contentType,
    content: input.raw,
    orderId: result.orderId ?? null,
    error: result.outcome === 'refused' ? result.errors.map((e) => e.message).join('; ') : null,
  };
}

const refused = (err: Refusal): IntakeResult => ({
  outcome: 'refused',
  status: err.status,
  flags: [],
  errors: err.errors,
});

/**
 * A new order, the common case, in few round trips: the checks read first (outside any transaction),
 * then the document with its answer and every order row go in as one statement, which commits all or
 * nothing. Races end at the unique indexes: a resent document (same external id) replays the first
 * answer; a second document with the same order number at the same moment is refused with 409.
 */
async function intakeNewOrder(ctx: AppContext, input: IntakeInput): Promise<IntakeResult> {
  const { partner, order } = input;
  let result: IntakeResult;
  let rows: RowsFor = () => [];
  try {
    const facts = await readOrderFacts(ctx.db, partner, order, undefined, true);
    if (facts.existingId) throw alreadyExists(order, input.protocol);
    const { flags } = await checkOrder(ctx.db, input, undefined, facts);
    const orderId = randomUUID();
    if (facts.orderSeq === undefined) throw new Error('no supplier order number was taken');
    const supplierOrderNumber = supplierOrderNumberOf(ctx.config.SUPPLIER_ORDER_PREFIX, facts.orderSeq);
    rows = newOrderRows(input, orderId, supplierOrderNumber, flags);
    result = {
      outcome: 'accepted',
      orderId,
      version: 1,
      flags,
      errors: [],
      state: 'received',
      supplierOrderNumber,
    };
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    result = refused(err);
  }
  // Taken inside a caller's transaction (an X12 interchange's), each write gets a savepoint, so a
  // unique violation leaves that transaction usable for the replay below.
  const inTransaction = (ctx.db as { isTransaction?: boolean }).isTransaction === true;
  const store: typeof storeDocumentWithRows = (db, doc, answer, rowsFor) =>
    inTransaction
      ? db.transaction((sp) => storeDocumentWithRows(sp, doc, answer, rowsFor))
      : storeDocumentWithRows(db, doc, answer, rowsFor);
  const key = inboundKey(input);
  const resend = (first: DocumentRow) => replayOf(ctx, input, first);
  const write = (r: IntakeResult, rowsFor: RowsFor) => async (): Promise<IntakeResult> => {
    const answer = storedAnswer(input, r);
    await store(ctx.db, inboundDocument(input, r), answer, rowsFor);
    return { ...r, answer };
  };
  return receiveOnce(ctx.db, key, {
    write: write(result, rows),
    resend,
    otherConflict: async (err) => {
      if (result.outcome !== 'accepted') throw err;
      // Another document created this order number a moment ago.
      return receiveOnce(ctx.db, key, { write: write(refused(concurrentNew(order)), () => []), resend });
    },
  });
}

const inboundKey = (input: IntakeInput): InboundKey => ({
  partnerId: input.partner.id,
  protocol: input.protocol,
  externalId: input.externalId,
});

/**
 * Takes one inbound order document (new, update or cancel); see the module comment and
 * intakeNewOrder. An accepted order wakes the outbox relay, so its approval starts now rather than
 * at the next poll.
 */
export async function intakeOrder(ctx: AppContext, input: IntakeInput): Promise<IntakeResult> {
  const result = await intakeCommitted(ctx, input);
  if (result.outcome === 'accepted') ctx.queue.nudge();
  return result;
}

async function intakeCommitted(ctx: AppContext, input: IntakeInput): Promise<IntakeResult> {
  if (input.order.type === 'new') return intakeNewOrder(ctx, input);
  const write = () =>
    ctx.db.transaction(async (trx) => {
      const documentId = await storeDocument(trx, {
        partnerId: input.partner.id,
        protocol: input.protocol,
        docType: input.docType,
        direction: 'in',
        externalId: input.externalId,
        status: 'received',
        contentType: input.contentType,
        content: input.raw,
      });
      let result: IntakeResult;
      // Every refusal is raised before anything but the document row is written, so no savepoint.
      try {
        const r = await applyOrder(trx, input, documentId);
        await storeAttachments(trx, documentId, input.attachments ?? []);
        result = {
          outcome: 'accepted',
          orderId: r.orderId,
          version: r.version,
          flags: r.flags,
          errors: [],
          state: r.state,
        };
      } catch (err) {
        if (!(err instanceof Refusal)) throw err;
        result = refused(err);
      }
      const answer = storedAnswer(input, result);
      result.answer = answer;
      await recordResponse(trx, documentId, {
        ...answer,
        docStatus: result.outcome === 'accepted' ? 'accepted' : 'refused',
        orderId: result.orderId ?? null,
        error: result.outcome === 'refused' ? result.errors.map((e) => e.message).join('; ') : null,
      });
      return result;
    });
  return receiveOnce(ctx.db, inboundKey(input), { write, resend: (first) => replayOf(ctx, input, first) });
}
