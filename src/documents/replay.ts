/**
 * What an operator does to a stored document from its console page, each written to the audit log:
 *
 * - **replay** an inbound order document: its stored copy goes through the intake its channel uses
 *   (the cXML OrderRequest handler, the JSON order intake, the X12 ingest), as the partner that sent
 *   it (its credentials were checked when it came; the copy has them masked). Idempotency holds as
 *   for a resend: a document already stored under its external id gets its stored answer and
 *   creates nothing; one that was refused before it was stored under its key (a refusal at the
 *   endpoint) is taken now.
 * - **resend** an outbound document: a new delivery of the stored document through the delivery
 *   path (src/delivery), to where the partner's settings send it now (else where it went last).
 */
import type { Request } from 'express';
import {
  isMultipartRelated,
  parseCxml,
  readCxmlMultipart,
  type CxmlAttachmentPart,
} from '../../protocols/cxml';
import { MAX_ATTACHMENTS, xmlLimits, type CxmlHandlers } from '../cxml/endpoint';
import { queueDelivery, type DeliveryTransport } from '../delivery/service';
import { ingestX12 } from '../edi/intake';
import { deliveryTarget } from '../outbound/plan';
import type { AppContext } from '../platform/context';
import { AppError, notFound } from '../platform/errors';
import { findPartnerCached, type PartnerRow } from '../partners/repository';
import { submitJsonOrder } from '../orders/json-intake';
import { orderInputSchema } from '../orders/schema';
import { writeAudit, type Actor } from '../console/audit';
import { findInboundByExternalId, type AttachmentRow, type DocumentRow } from './store';
import { maskedDocument } from './detail';

/** The audit fields of an operator's action (ScreenKit.audit). */
export interface OperatorAction {
  actor: Actor;
  now: Date;
  ip: string | null;
  requestId: string | null;
}

export interface ReplayResult {
  /** The answer the intake gave, as the partner would have received it. */
  status: number;
  contentType: string;
  body: string;
  /** The document now stored under the key: the original (idempotent), or a new one. */
  documentId: string | null;
  /** True when the answer is the stored answer of a document already taken (nothing created). */
  idempotent: boolean;
}

/** Whether a document with its answer is stored under the key (a replay then answers from it). */
async function taken(
  ctx: AppContext,
  partner: PartnerRow,
  protocol: 'cxml' | 'json',
  externalId: string | null,
) {
  if (!externalId) return false;
  const first = await findInboundByExternalId(ctx.db, partner.id, protocol, externalId);
  return !!first && first.response_status !== null;
}

const bodyText = (b: string | Buffer) => (typeof b === 'string' ? b : b.toString('utf8'));

function replayable(d: DocumentRow): void {
  if (d.direction !== 'in')
    throw new AppError('conflict', 'only an inbound document is replayed; resend an outbound one');
  if (!d.partner_id)
    throw new AppError(
      'conflict',
      'this document was refused before its sender was known: there is no partner to replay it as',
    );
  if (d.size !== null && Number(d.size) !== d.content.length)
    throw new AppError('conflict', 'only a prefix of this document was kept: it cannot be replayed');
  // A replay takes the document as its partner's without checking credentials again: one whose
  // credentials were refused (a wrong SharedSecret, a foreign To) must not get in that way.
  if (d.response_status !== null && REFUSED_ACCESS.has(d.response_status))
    throw new AppError(
      'conflict',
      `this document was refused at authentication (${d.response_status}): a replay would take it without valid credentials`,
    );
}

/** Answers that refused a sender's credentials or rate: such a document is never replayed. */
const REFUSED_ACCESS = new Set([401, 403, 429]);

async function replayCxml(
  ctx: AppContext,
  handlers: CxmlHandlers,
  partner: PartnerRow,
  d: DocumentRow,
  content: Buffer,
  req: Request,
) {
  let xml = content;
  let attachments: CxmlAttachmentPart[] = (
    await ctx
      .db<AttachmentRow & { content: Buffer }>('document_attachments')
      .where({ document_id: d.id })
      .orderBy('position')
  ).map((a) => ({
    contentId: a.content_id,
    contentType: a.content_type,
    content: Buffer.from(a.content),
    ...(a.filename ? { filename: a.filename } : {}),
  }));
  if (isMultipartRelated(d.content_type))
    ({ root: xml, attachments } = readCxmlMultipart(d.content_type, content, {
      maxBytes: ctx.config.MAX_BODY_BYTES,
      maxAttachments: MAX_ATTACHMENTS,
    }));
  const doc = parseCxml(xml, { maxBytes: ctx.config.MAX_BODY_BYTES, limits: xmlLimits(ctx.config) });
  const handler = doc.requestType === 'OrderRequest' ? handlers.OrderRequest : undefined;
  if (!handler)
    throw new AppError('conflict', `a cXML ${doc.requestType} is not replayed (only OrderRequest)`);
  const before = await taken(ctx, partner, 'cxml', doc.payloadId);
  const answer = await handler({
    ctx,
    partner,
    doc,
    raw: xml,
    attachments,
    req,
    requestTypes: Object.keys(handlers),
  });
  const after = await findInboundByExternalId(ctx.db, partner.id, 'cxml', doc.payloadId);
  return {
    status: answer.status,
    contentType: 'text/xml; charset=utf-8',
    body: answer.body,
    documentId: after?.id ?? null,
    idempotent: before,
  };
}

async function replayJson(
  ctx: AppContext,
  partner: PartnerRow,
  d: DocumentRow,
  content: Buffer,
  actor: Actor,
  requestId: string,
) {
  const raw = content.toString('utf8');
  const before = await taken(ctx, partner, 'json', d.external_id);
  const order = orderInputSchema.parse(JSON.parse(raw));
  const answer = await submitJsonOrder(ctx, {
    partnerId: partner.id,
    order: order,
    raw,
    idempotencyKey: d.external_id ?? undefined,
    actor: actor.label,
    requestId,
  });
  const after = d.external_id
    ? await findInboundByExternalId(ctx.db, partner.id, 'json', d.external_id)
    : undefined;
  return {
    status: answer.status,
    contentType: 'application/json',
    body: bodyText(answer.body),
    documentId: after?.id ?? null,
    idempotent: before,
  };
}

/** Replays an inbound document (see the module comment); `reason` is required and audited. */
export async function replayDocument(
  ctx: AppContext,
  handlers: CxmlHandlers,
  req: Request,
  id: string,
  reason: string,
  who: OperatorAction,
): Promise<ReplayResult> {
  if (!reason.trim()) throw new AppError('bad_request', 'a reason is required to replay a document');
  const { doc: d, content } = await maskedDocument(ctx, id);
  replayable(d);
  const partner = await findPartnerCached(ctx.db, 0, d.partner_id as string);
  if (!partner) throw notFound('partner');
  let r: Omit<ReplayResult, 'idempotent'> & { idempotent: boolean };
  if (d.protocol === 'cxml') r = await replayCxml(ctx, handlers, partner, d, content, req);
  else if (d.protocol === 'json' && d.doc_type === 'order')
    r = await replayJson(ctx, partner, d, content, who.actor, who.requestId ?? '');
  else if (d.protocol === 'x12') {
    const x = await ingestX12(ctx, content, { scopePartnerId: partner.id, actor: who.actor.label });
    r = {
      status: x.ack.length ? 200 : 204,
      contentType: 'application/edi-x12',
      body: x.ack.toString('latin1'),
      documentId: x.inboundDocumentId ?? null,
      idempotent: x.duplicate,
    };
  } else throw new AppError('conflict', `a ${d.protocol} ${d.doc_type} is not replayed`);
  const result: ReplayResult = r;
  const idempotent = r.idempotent;
  await writeAudit(ctx.db, who.now, {
    actor: who.actor,
    action: 'document.replay',
    subject: `document:${d.id}`,
    before: { status: d.status, externalId: d.external_id },
    after: {
      reason: reason.trim().slice(0, 1000),
      answerStatus: r.status,
      idempotent,
      documentId: result.documentId,
    },
    ip: who.ip,
    requestId: who.requestId,
  });
  return result;
}

/** Where a resend goes: the partner's current target for the protocol, else the last delivery's. */
async function resendTarget(
  ctx: AppContext,
  partner: PartnerRow,
  d: DocumentRow,
): Promise<{ url: string; transport: DeliveryTransport }> {
  if (d.protocol === 'x12' || d.protocol === 'cxml') {
    const t = deliveryTarget(partner, d.protocol);
    if (t) return t;
  }
  const last = await ctx
    .db('deliveries')
    .where({ document_id: d.id })
    .orderBy('created_at', 'desc')
    .first<{ url: string; transport: DeliveryTransport } | undefined>('url', 'transport');
  if (!last)
    throw new AppError('conflict', 'the partner has no address for this document and it was never delivered');
  return { url: last.url, transport: last.transport };
}

/** Queues a new delivery of a stored outbound document; returns the delivery's id. */
export async function resendDocument(
  ctx: AppContext,
  id: string,
  reason: string,
  who: OperatorAction,
): Promise<string> {
  const { doc: d } = await maskedDocument(ctx, id);
  if (d.direction !== 'out')
    throw new AppError('conflict', 'only an outbound document is resent; replay an inbound one');
  const partner = d.partner_id ? await findPartnerCached(ctx.db, 0, d.partner_id) : undefined;
  if (!partner) throw new AppError('conflict', 'this document has no partner to send it to');
  const target = await resendTarget(ctx, partner, d);
  const deliveryId = await ctx.db.transaction(async (trx) => {
    const deliveryId = await queueDelivery(trx, { partnerId: partner.id, documentId: d.id, ...target });
    await trx('documents').where({ id: d.id }).update({ status: 'queued' });
    await writeAudit(trx, who.now, {
      actor: who.actor,
      action: 'document.resend',
      subject: `document:${d.id}`,
      before: { status: d.status },
      after: {
        status: 'queued',
        deliveryId,
        transport: target.transport,
        url: target.url,
        ...(reason.trim() ? { reason: reason.trim().slice(0, 1000) } : {}),
      },
      ip: who.ip,
      requestId: who.requestId,
    });
    return deliveryId;
  });
  ctx.queue.nudge();
  return deliveryId;
}
