import { createHash, randomUUID } from 'node:crypto';
import { insertStatement, nativeQuery, type Q, type SqlRow } from '../platform/db';
import { sha256Hex } from '../platform/secrets';
import { currentTraceId } from '../platform/trace';
import { maskSecrets } from './mask';

export type Protocol = 'cxml' | 'oci' | 'x12' | 'json' | 'as2';
export type Direction = 'in' | 'out';

export interface NewDocument {
  partnerId: string | null;
  protocol: Protocol;
  docType: string;
  direction: Direction;
  /** payloadID, ISA/GS/ST control numbers, Idempotency-Key ... */
  externalId?: string | null;
  status: string;
  contentType: string;
  content: Buffer | string;
  orderId?: string | null;
  invoiceId?: string | null;
  error?: string | null;
  /**
   * Keep only this many bytes of the content (an unauthenticated refusal): `sha256` and `size` are
   * still of the whole body, so a resent copy can be recognised without storing what anyone may send.
   */
  keepPrefix?: number;
}

export interface DocumentRow {
  id: string;
  partner_id: string | null;
  protocol: Protocol;
  doc_type: string;
  direction: Direction;
  external_id: string | null;
  sha256: string;
  status: string;
  content_type: string;
  content: Buffer;
  order_id: string | null;
  invoice_id: string | null;
  response_status: number | null;
  response_content_type: string | null;
  response_body: Buffer | null;
  error: string | null;
  /** The HTTP request (X-Request-Id) or job (ob-42) that stored it; null on old rows and elsewhere. */
  request_id?: string | null;
  /** Bytes received or sent (content may hold only a prefix of a refused body); null on old rows. */
  size: number | string | null;
  created_at: Date;
}

/** The answer given to an inbound document, kept so that a resent copy gets the same answer. */
export interface RecordedResponse {
  status: number;
  contentType: string;
  body: string | Buffer;
}

const bytes = (b: string | Buffer): Buffer => (typeof b === 'string' ? Buffer.from(b, 'utf8') : b);

/**
 * A reason as Postgres text can hold it: a refusal may quote a value with a NUL byte (an X12 element
 * of one NUL), which a text column refuses (22021); it is written as \0.
 */
function storableText(v: string | null): string | null {
  return v === null || !v.includes('\u0000') ? v : v.split('\u0000').join('\\0');
}

function documentRow(doc: NewDocument, response?: RecordedResponse) {
  const exact = bytes(doc.content);
  // Masked first, then cut: a secret cut in half by the prefix is masked all the same.
  const masked = maskSecrets(doc.protocol, doc.contentType, exact);
  const kept =
    doc.keepPrefix !== undefined && masked.length > doc.keepPrefix
      ? Buffer.from(masked.subarray(0, doc.keepPrefix))
      : masked;
  return {
    id: randomUUID(),
    partner_id: doc.partnerId,
    protocol: doc.protocol,
    doc_type: doc.docType,
    direction: doc.direction,
    external_id: doc.externalId ?? null,
    sha256: sha256Hex(exact),
    status: doc.status,
    content_type: doc.contentType,
    content: kept,
    size: exact.length,
    order_id: doc.orderId ?? null,
    invoice_id: doc.invoiceId ?? null,
    error: storableText(doc.error ?? null),
    // The request (or job run) storing it, as its log lines name it (platform/trace.ts).
    request_id: currentTraceId(),
    ...(response
      ? {
          response_status: response.status,
          response_content_type: response.contentType,
          response_body: maskSecrets(doc.protocol, response.contentType, bytes(response.body)),
        }
      : {}),
  };
}

/**
 * Keeps a document with its metadata, and the answer given when it is already known; returns its
 * id. The copy is the exact bytes with credentials masked (same length, src/documents/mask.ts);
 * `sha256` is of the exact bytes.
 */
export async function storeDocument(q: Q, doc: NewDocument, response?: RecordedResponse): Promise<string> {
  const row = documentRow(doc, response);
  await q('documents').insert(row);
  return row.id;
}

/** Rows to insert beside a document; `rows` may refer to the document by the id it is given. */
export type RowsFor = (documentId: string) => [table: string, rows: SqlRow | SqlRow[]][];

/**
 * Stores a document (with its answer, for an inbound one) and inserts the rows `rowsFor(documentId)`
 * gives, in one statement: one round trip and one commit, and none of the rows without the others. A
 * resent document (the idempotency index) fails the whole statement with a unique violation. The
 * statement is written directly and prepared (nativeQuery): it is on the path of every order,
 * punchout setup and outbound document with its delivery, and its text depends only on which tables
 * and columns the caller gives.
 */
export async function storeDocumentWithRows(
  q: Q,
  doc: NewDocument,
  response: RecordedResponse | undefined,
  rowsFor: RowsFor,
): Promise<string> {
  const row = documentRow(doc, response);
  const values: unknown[] = [];
  const statements = [insertStatement('documents', [row], values)];
  for (const [table, rows] of rowsFor(row.id)) {
    statements.push(insertStatement(table, Array.isArray(rows) ? rows : [rows], values));
  }
  const last = statements.pop() as string;
  const sql = statements.length
    ? `with ${statements.map((s, i) => `stored_${i} as (${s})`).join(', ')} ${last}`
    : last;
  const name = `store_document_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
  await nativeQuery(q, sql, values, name);
  return row.id;
}

/** Records the answer given to an inbound document, so a resent copy gets the same answer. */
export async function recordResponse(
  q: Q,
  id: string,
  res: RecordedResponse & {
    docStatus?: string;
    orderId?: string | null;
    error?: string | null;
  },
): Promise<void> {
  await q('documents')
    .where({ id })
    .update({
      response_status: res.status,
      response_content_type: res.contentType,
      response_body: maskSecrets(undefined, res.contentType, bytes(res.body)),
      ...(res.docStatus ? { status: res.docStatus } : {}),
      ...(res.orderId !== undefined ? { order_id: res.orderId } : {}),
      ...(res.error !== undefined ? { error: storableText(res.error) } : {}),
    });
}

export async function findInboundByExternalId(
  q: Q,
  partnerId: string,
  protocol: Protocol,
  externalId: string,
): Promise<DocumentRow | undefined> {
  return q<DocumentRow>('documents')
    .where({ partner_id: partnerId, protocol, direction: 'in', external_id: externalId })
    .first();
}

export async function updateDocumentStatus(
  q: Q,
  id: string,
  status: string,
  error?: string | null,
): Promise<void> {
  await q('documents')
    .where({ id })
    .update({ status, ...(error !== undefined ? { error } : {}) });
}

export function documentView(r: DocumentRow) {
  return {
    id: r.id,
    partnerId: r.partner_id,
    protocol: r.protocol,
    type: r.doc_type,
    direction: r.direction,
    externalId: r.external_id,
    sha256: r.sha256,
    status: r.status,
    contentType: r.content_type,
    size: r.size !== null && r.size !== undefined ? Number(r.size) : r.content?.length,
    orderId: r.order_id,
    invoiceId: r.invoice_id,
    error: r.error,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

/** A file that came with an inbound document (a cXML attachment part). */
export interface InboundAttachment {
  contentId: string;
  contentType: string;
  filename?: string;
  content: Buffer;
}

/** The document_attachments rows of a document's files (one row each: a row may hold bytes). */
export function attachmentRows(documentId: string, attachments: readonly InboundAttachment[]): SqlRow[] {
  return attachments.map((a, i) => ({
    id: randomUUID(),
    document_id: documentId,
    position: i + 1,
    content_id: a.contentId,
    content_type: a.contentType,
    filename: a.filename ?? null,
    size: a.content.length,
    sha256: sha256Hex(a.content),
    content: a.content,
  }));
}

export async function storeAttachments(
  q: Q,
  documentId: string,
  attachments: readonly InboundAttachment[],
): Promise<void> {
  if (attachments.length > 0) await q('document_attachments').insert(attachmentRows(documentId, attachments));
}

export interface AttachmentRow {
  id: string;
  document_id: string;
  position: number;
  content_id: string;
  content_type: string;
  filename: string | null;
  size: number;
  sha256: string;
  created_at: Date;
}

/** The files of an order's inbound documents (without their bytes), oldest document first. */
export async function orderAttachments(q: Q, orderId: string): Promise<AttachmentRow[]> {
  return q('document_attachments as a')
    .join('documents as d', 'd.id', 'a.document_id')
    .where({ 'd.order_id': orderId, 'd.direction': 'in' })
    .orderBy('d.created_at')
    .orderBy('a.position')
    .select(
      'a.id',
      'a.document_id',
      'a.position',
      'a.content_id',
      'a.content_type',
      'a.filename',
      'a.size',
      'a.sha256',
      'a.created_at',
    );
}

/** One file of an order, with its bytes; undefined when it is not the order's. */
export async function orderAttachment(
  q: Q,
  orderId: string,
  attachmentId: string,
): Promise<(AttachmentRow & { content: Buffer }) | undefined> {
  return q('document_attachments as a')
    .join('documents as d', 'd.id', 'a.document_id')
    .where({ 'd.order_id': orderId, 'a.id': attachmentId })
    .first('a.*');
}
