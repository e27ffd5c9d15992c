/**
 * One inbound document per partner, protocol and external id (cXML payloadID, Idempotency-Key, X12
 * ISA control key), whatever the channel: cXML and JSON orders, X12 interchanges, punchout setups.
 *
 * Every channel stores the document and its answer in one transaction. So when the unique index on
 * documents (partner, protocol, direction, external id) refuses a second writer, the first writer
 * has committed, answer included (Postgres made the second wait for it): the resend is answered from
 * the stored copy at once, with no waiting or polling.
 */
import type { Q } from '../platform/db';
import { AppError, isUniqueViolation } from '../platform/errors';
import { findInboundByExternalId, type DocumentRow, type Protocol } from './store';

export interface InboundKey {
  partnerId: string;
  protocol: Protocol;
  externalId: string;
}

export interface ReceiveOnce<T> {
  /** Stores the document with its answer (and whatever it creates) in one transaction. */
  write: () => Promise<T>;
  /** The answer for a copy of a document already stored under the key (its answer is there). */
  resend: (first: DocumentRow) => T | Promise<T>;
  /**
   * A unique violation with no document under the key: another unique index (an order number
   * taken a moment ago) refused the write. Without this handler the violation is thrown.
   */
  otherConflict?: (err: unknown) => Promise<T>;
}

/** The stored first copy under `key`, with its answer. */
export async function firstCopy(q: Q, key: InboundKey): Promise<DocumentRow | undefined> {
  const first = await findInboundByExternalId(q, key.partnerId, key.protocol, key.externalId);
  if (first && first.response_status === null)
    // Only a document whose channel records its answer outside the document's transaction gets here.
    throw new AppError('conflict', 'this document is still being processed; send it again in a moment', {
      retryable: true,
    });
  return first;
}

export async function receiveOnce<T>(q: Q, key: InboundKey, h: ReceiveOnce<T>): Promise<T> {
  try {
    return await h.write();
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const first = await firstCopy(q, key);
    if (first) return h.resend(first);
    if (h.otherConflict) return h.otherConflict(err);
    throw err;
  }
}
