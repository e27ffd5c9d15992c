/**
 * as2_messages: every AS2 message received or sent, with the MDN answered or received. A
 * Message-ID is processed once per partner and direction (a partial unique index leaves refusals
 * out, so a message refused once can be sent again correctly under the same id).
 */
import { randomUUID } from 'node:crypto';
import type { Layer, UnwrapResult } from '../../../protocols/as2';
import type { Q } from '../../platform/db';

export interface As2MessageRow {
  id: string;
  direction: 'in' | 'out';
  partner_id: string;
  message_id: string;
  as2_from: string;
  as2_to: string;
  status: string;
  sent_at: Date | null;
  error: string | null;
  document_id: string | null;
  delivery_id: string | null;
  body_sha256: string | null;
  layers: unknown;
  mic: string | null;
  receipt_url: string | null;
  mdn_message_id: string | null;
  mdn_disposition: string | null;
  mdn_signed: boolean | null;
  mdn_headers: [string, string][] | null;
  mdn_body: Buffer | null;
  mdn_document_id: string | null;
  mdn_at: Date | null;
  created_at: Date;
}

/** The inbound message of this partner and Message-ID that was processed, if any. */
export async function findProcessed(
  q: Q,
  partnerId: string,
  messageId: string,
): Promise<As2MessageRow | undefined> {
  return q<As2MessageRow>('as2_messages')
    .where({ partner_id: partnerId, direction: 'in', message_id: messageId })
    .whereNot('status', 'refused')
    .first();
}

/** What the layers of an unwrapped message were, for the record (no key material). */
export function describeLayers(r: UnwrapResult): unknown[] {
  return r.layers.map((l: Layer) => {
    if (l.kind === 'encrypted')
      return {
        kind: l.kind,
        algorithm: l.algorithm,
        keyTransport: l.keyTransport,
        recipient: l.recipient.fingerprintSha256,
      };
    if (l.kind === 'signed')
      return {
        kind: l.kind,
        digest: l.digest,
        scheme: l.scheme,
        detached: l.detached,
        signer: l.signer.fingerprintSha256,
        canonicalized: l.canonicalized,
      };
    return { kind: l.kind, compressedBytes: l.compressedBytes, uncompressedBytes: l.uncompressedBytes };
  });
}

export interface NewAs2Message {
  direction: 'in' | 'out';
  partnerId: string;
  messageId: string;
  as2From: string;
  as2To: string;
  status: string;
  error?: string | null;
  documentId?: string | null;
  deliveryId?: string | null;
  bodySha256?: string | null;
  layers?: unknown[] | null;
  mic?: string | null;
  receiptUrl?: string | null;
  mdn?: {
    messageId: string;
    disposition: string;
    signed: boolean;
    headers: [string, string][];
    body: Buffer;
    documentId?: string | null;
  };
}

export async function insertMessage(q: Q, m: NewAs2Message): Promise<string> {
  const id = randomUUID();
  await q('as2_messages').insert({
    id,
    direction: m.direction,
    partner_id: m.partnerId,
    message_id: m.messageId,
    as2_from: m.as2From,
    as2_to: m.as2To,
    status: m.status,
    error: m.error?.slice(0, 4000) ?? null,
    document_id: m.documentId ?? null,
    delivery_id: m.deliveryId ?? null,
    body_sha256: m.bodySha256 ?? null,
    layers: m.layers ? JSON.stringify(m.layers) : null,
    mic: m.mic ?? null,
    receipt_url: m.receiptUrl ?? null,
    ...(m.mdn
      ? {
          mdn_message_id: m.mdn.messageId,
          mdn_disposition: m.mdn.disposition,
          mdn_signed: m.mdn.signed,
          mdn_headers: JSON.stringify(m.mdn.headers),
          mdn_body: m.mdn.body,
          mdn_document_id: m.mdn.documentId ?? null,
          mdn_at: q.fn.now(),
        }
      : {}),
  });
  return id;
}
