/** The demo buyer's inbox: the cXML documents the gateway delivered to it, as received. */
import { randomUUID } from 'node:crypto';
import type { Db } from '../platform/db';

export interface InboxRow {
  id: string;
  received_at: Date;
  request_type: string;
  payload_id: string | null;
  body: string;
}

/** Keeps one received document; returns its id. */
export async function storeReceived(
  db: Db,
  doc: { requestType: string; payloadId?: string; body: string; now: Date },
): Promise<string> {
  const id = randomUUID();
  await db('demo_buyer_inbox').insert({
    id,
    received_at: doc.now,
    request_type: doc.requestType,
    payload_id: doc.payloadId ?? null,
    body: doc.body,
  });
  return id;
}

/** The newest received documents. */
export async function listReceived(db: Db, limit = 50): Promise<InboxRow[]> {
  return db('demo_buyer_inbox')
    .select('id', 'received_at', 'request_type', 'payload_id', 'body')
    .orderBy('received_at', 'desc')
    .orderBy('id')
    .limit(limit);
}

export async function findReceived(db: Db, id: string): Promise<InboxRow | undefined> {
  return db<InboxRow>('demo_buyer_inbox').where({ id }).first();
}
