/**
 * The AS2 transports of the retrying delivery path (src/delivery/service.ts):
 * - as2: an outbound document (X12 for partners with x12.transport "as2") signed with the supplier's
 *   newest valid key, optionally compressed, encrypted to the partner's newest valid certificate with
 *   the partner's algorithms, POSTed to as2.url. The MDN decides: it must answer our Message-ID, say
 *   processed, return our MIC and (when we asked for it signed) verify against the partner's
 *   certificates. Anything else (no MDN, a negative one, a wrong MIC, a bad signature) is a failed
 *   attempt, retried and finally dead-lettered with what the MDN said. Every attempt of one delivery
 *   carries the same Message-ID, so a partner that processed an earlier one answers with its stored
 *   MDN. The MDN received is kept byte for byte as non-repudiation evidence.
 *   With as2.mdn.mode "async" the MDN is asked to come to PUBLIC_BASE_URL/as2 (mdn-inbound.ts
 *   records it): after the POST the delivery waits (deferred, not counted as attempts) until it is
 *   recorded, or AS2_MDN_WAIT_SECONDS pass, which is a failed attempt (the next one sends again).
 * - as2-mdn: an asynchronous MDN we owe a partner (Receipt-Delivery-Option), POSTed with its AS2
 *   headers as stored on the message it answers; delivered on a 2xx.
 */
import {
  As2Error,
  buildAs2Message,
  checkMdn,
  formatDisposition,
  formatMic,
  newestValidCertificate,
  parseMdn,
  type OutboundMessage,
  type ParsedMdn,
} from '../../../protocols/as2';
import type { DeliveryAttempt, DeliveryRow } from '../../delivery/service';
import { findPartner, type PartnerRow } from '../../partners/repository';
import type { JobContext } from '../../platform/jobs';
import { postOutbound, type OutboundResponse } from '../../platform/outbound';
import { partnerCertificates } from './certificates';
import { supplierKeys } from './keys';
import type { As2MessageRow } from './messages';
import { insertMessage } from './messages';

/** The outbound message row of a delivery's Message-ID. */
function outRow(ctx: JobContext, partnerId: string, messageId: string): Promise<As2MessageRow | undefined> {
  return ctx
    .db<As2MessageRow>('as2_messages')
    .where({ partner_id: partnerId, direction: 'out', message_id: messageId })
    .first();
}

type Doc = { content: Buffer; content_type: string };
type Result = Partial<DeliveryAttempt>;

const refuse = (why: string): Result => ({ refused: why, error: why });

/** The Message-ID of every attempt of a delivery. */
export function outboundMessageId(deliveryId: string, as2Id: string): string {
  return `${deliveryId}@${as2Id.replace(/[^A-Za-z0-9.-]/g, '-') || 'gateway'}`;
}

/** Builds the AS2 message of a delivery, or says why it cannot be sent at all. */
async function build(
  ctx: JobContext,
  delivery: DeliveryRow,
  doc: Doc,
): Promise<{ partner: PartnerRow; message: OutboundMessage } | { refused: string }> {
  const as2Id = ctx.config.AS2_ID;
  if (!as2Id) return { refused: 'AS2_ID is not set: no AS2 message can be sent' };
  const partner = await findPartner(ctx.db, delivery.partner_id);
  const as2 = partner?.settings.as2;
  if (!partner || !as2) return { refused: `partner ${delivery.partner_id} has no AS2 settings any more` };
  const now = ctx.now();
  const signer = (await supplierKeys(ctx.db, ctx.config)).signingKey(now);
  if (!signer) return { refused: 'the supplier has no AS2 key valid now (POST /api/v1/as2/keys)' };
  const recipient = newestValidCertificate(await partnerCertificates(ctx.db, partner.id), now);
  if (!recipient) return { refused: `partner ${partner.id} has no AS2 certificate valid now` };
  const message = buildAs2Message({
    payload: doc.content,
    contentType: doc.content_type,
    fileName: `${delivery.document_id}.${/xml/i.test(doc.content_type) ? 'xml' : 'edi'}`,
    as2From: as2Id,
    as2To: as2.id,
    messageId: outboundMessageId(delivery.id, as2Id),
    now,
    sign: { ...signer, digest: as2.signDigest },
    encrypt: { certificates: [recipient], algorithm: as2.encryption },
    // Partners stored before compressWhen existed compress before signing.
    ...(as2.compress ? { compress: as2.compressWhen ?? 'before-signing' } : {}),
    receipt: {
      signed: as2.mdn.signed,
      micAlgorithms: [as2.signDigest],
      ...(as2.mdn.mode === 'async' ? { asyncUrl: `${ctx.config.publicBaseUrl}/as2` } : {}),
    },
  });
  return { partner, message };
}

/** What is wrong with the sync MDN of `res`, or the parsed MDN when it is right. */
async function readMdn(
  ctx: JobContext,
  partner: PartnerRow,
  message: OutboundMessage,
  res: OutboundResponse,
): Promise<{ mdn?: ParsedMdn; problem?: string }> {
  if (res.status < 200 || res.status >= 300) return { problem: `HTTP ${res.status} instead of an MDN` };
  if (res.bytes.length === 0) return { problem: 'no MDN in the answer (a synchronous MDN was asked for)' };
  let mdn: ParsedMdn;
  try {
    mdn = parseMdn(
      { headers: res.headers, body: res.bytes },
      {
        partnerCertificates: await partnerCertificates(ctx.db, partner.id),
        now: ctx.now(),
        requireSigned: partner.settings.as2?.mdn.signed ?? true,
      },
    );
  } catch (err) {
    if (err instanceof As2Error) return { problem: `the MDN was refused: ${err.code}: ${err.detail}` };
    throw err;
  }
  const check = checkMdn(mdn, message);
  if (!check.ok) {
    const text = mdn.text.trim().replace(/\s+/g, ' ').slice(0, 500);
    return { mdn, problem: `MDN: ${check.problems.join('; ')}${text ? ` (${text})` : ''}` };
  }
  return { mdn };
}

/**
 * With an asynchronous MDN asked for and the message sent: what became of the wait. Undefined when
 * there is nothing to wait for (send the message).
 */
async function awaitedMdn(ctx: JobContext, row: As2MessageRow | undefined): Promise<Result | undefined> {
  if (row?.status === 'mdn-received') {
    const delivered = !row.error;
    await ctx
      .db('as2_messages')
      .where({ id: row.id })
      .update({ status: delivered ? 'delivered' : 'failed' });
    if (!delivered) return { error: row.error };
    return {
      status: 200,
      body: `asynchronous MDN ${row.mdn_message_id ?? ''}: ${row.mdn_disposition ?? ''}`,
    };
  }
  if (row?.status !== 'awaiting-mdn' || !row.sent_at) return undefined;
  const waited = ctx.now().getTime() - new Date(row.sent_at).getTime();
  if (waited < ctx.config.AS2_MDN_WAIT_SECONDS * 1000)
    return { idle: true, awaitMs: Math.min(30_000, Math.max(500, Math.round(waited / 4))) };
  const why = `no asynchronous MDN within ${ctx.config.AS2_MDN_WAIT_SECONDS} s (AS2_MDN_WAIT_SECONDS)`;
  await ctx.db('as2_messages').where({ id: row.id }).update({ status: 'failed', error: why });
  return { error: why };
}

export async function attemptAs2(ctx: JobContext, delivery: DeliveryRow, doc: Doc): Promise<Result> {
  const built = await build(ctx, delivery, doc);
  if ('refused' in built) return refuse(built.refused);
  const { partner, message } = built;
  const isAsync = partner.settings.as2?.mdn.mode === 'async';
  if (isAsync) {
    const waited = await awaitedMdn(ctx, await outRow(ctx, partner.id, message.messageId));
    if (waited) return waited;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of message.headers) headers[name] = value;
  const res = await postOutbound(delivery.url, {
    headers,
    body: message.body,
    timeoutMs: ctx.config.DELIVERY_TIMEOUT_MS,
    denyPrivate: ctx.config.OUTBOUND_DENY_PRIVATE,
    maxBodyBytes: 1024 * 1024,
  });
  if (isAsync && res.status >= 200 && res.status < 300 && res.bytes.length === 0) {
    await recordOutbound(ctx, delivery, partner, message, res, undefined, undefined, 'awaiting-mdn');
    return {
      status: res.status,
      body: 'sent; awaiting the asynchronous MDN',
      sent: message.body,
      awaitMs: 500,
    };
  }
  const { mdn, problem } = await readMdn(ctx, partner, message, res);
  await recordOutbound(ctx, delivery, partner, message, res, mdn, problem);
  return {
    status: res.status,
    contentType: res.contentType,
    body: problem ?? `MDN ${mdn?.messageId ?? ''}: ${mdn ? formatDisposition(mdn.disposition) : ''}`,
    error: problem ?? null,
    sent: message.body,
  };
}

/** The outbound message's row: its MIC, and the last MDN received (the evidence once delivered). */
async function recordOutbound(
  ctx: JobContext,
  delivery: DeliveryRow,
  partner: PartnerRow,
  message: OutboundMessage,
  res: OutboundResponse,
  mdn: ParsedMdn | undefined,
  problem: string | undefined,
  awaiting?: 'awaiting-mdn',
): Promise<void> {
  const mdnColumns = mdn
    ? {
        mdn_message_id: mdn.messageId ?? null,
        mdn_disposition: formatDisposition(mdn.disposition),
        mdn_signed: mdn.signed,
        mdn_headers: JSON.stringify(
          Object.entries(res.headers).flatMap(([n, v]) =>
            v === undefined ? [] : [[n, Array.isArray(v) ? v.join(', ') : v]],
          ),
        ),
        mdn_body: res.bytes,
        mdn_at: ctx.db.fn.now(),
      }
    : {};
  // The outcome of the last attempt (the delivery says whether it is retried).
  const status = awaiting ?? (problem ? 'failed' : 'delivered');
  const sent = awaiting ? { sent_at: ctx.db.fn.now() } : {};
  const n = await ctx
    .db('as2_messages')
    .where({ partner_id: partner.id, direction: 'out', message_id: message.messageId })
    .update({ status, error: problem ?? null, mic: formatMic(message.mic), ...mdnColumns, ...sent });
  if (n > 0) return;
  const id = await insertMessage(ctx.db, {
    direction: 'out',
    partnerId: partner.id,
    messageId: message.messageId,
    as2From: ctx.config.AS2_ID ?? '',
    as2To: partner.settings.as2?.id ?? '',
    status,
    error: problem ?? null,
    documentId: delivery.document_id,
    deliveryId: delivery.id,
    mic: formatMic(message.mic),
  });
  if (mdn || awaiting)
    await ctx
      .db('as2_messages')
      .where({ id })
      .update({ ...mdnColumns, ...sent });
}

export async function attemptAs2Mdn(
  ctx: JobContext,
  delivery: DeliveryRow,
  doc: { content: Buffer },
): Promise<Result> {
  const row = await ctx
    .db<As2MessageRow>('as2_messages')
    .where({ mdn_document_id: delivery.document_id })
    .first('mdn_headers');
  if (!row?.mdn_headers) return refuse(`no AS2 message has the MDN document ${delivery.document_id}`);
  const headers: Record<string, string> = {};
  for (const [name, value] of row.mdn_headers) headers[name] = value;
  const res = await postOutbound(delivery.url, {
    headers,
    body: doc.content,
    timeoutMs: ctx.config.DELIVERY_TIMEOUT_MS,
    denyPrivate: ctx.config.OUTBOUND_DENY_PRIVATE,
  });
  return { status: res.status, contentType: res.contentType, body: res.body, sent: doc.content };
}
