/**
 * Inbound AS2 (POST /as2, /as2/:partner): the partner is named by AS2-From (its `as2.id`), the
 * message must be addressed to AS2_ID; the codec unwraps it (decrypts with any of the supplier's
 * keys not retired, verifies against the partner's certificates valid now, inflates) and the payload
 * goes to the intake of its format (payload.ts): X12 like any other X12 (its 997/999 goes back by the
 * partner's x12.transport), cXML to the OrderRequest intake; EDIFACT is refused.
 *
 * The answer is an MDN (when Disposition-Notification-To asks for one): signed when the partner asks
 * (and the supplier has a valid key), in the HTTP response, or POSTed to Receipt-Delivery-Option
 * through the retrying delivery path. A refusal (authentication-failed, decryption-failed,
 * integrity-check-failed, insufficient-message-security, unexpected-processing-error) is a negative
 * MDN, always in the HTTP answer (an unauthenticated request's URL is never called), and nothing is
 * processed. A Message-ID processed before gets the stored MDN again, byte for byte, and nothing is
 * processed again. Unsigned messages are refused unless the partner has `as2.requireSigned: false`.
 * An asynchronous MDN for a message we sent comes the same way and is recorded (mdn-inbound.ts).
 */
import { countRefusal } from '../../alerts/refusals';
import { randomUUID } from 'node:crypto';
import {
  As2Error,
  buildMdn,
  checkPolicy,
  formatDisposition,
  formatMic,
  dispositionFor,
  negotiateReceipt,
  readAs2Headers,
  unwrapAs2Message,
  type As2Headers,
  type Header,
  type Mic,
  type UnwrapResult,
} from '../../../protocols/as2';
import { storeDocument } from '../../documents/store';
import { queueDelivery } from '../../delivery/service';
import { findPartnerByIdentityCached, type PartnerRow } from '../../partners/repository';
import type { AppContext } from '../../platform/context';
import { isUniqueViolation } from '../../platform/errors';
import { sha256Hex } from '../../platform/secrets';
import { authThrottle } from '../../platform/throttle';
import { partnerCertificates } from './certificates';
import { supplierKeys, type SupplierKeys } from './keys';
import { describeLayers, findProcessed, insertMessage, type As2MessageRow } from './messages';
import { isMdn, receiveMdn } from './mdn-inbound';
import { intakePayload, type PayloadOutcome } from './payload';

export interface As2Answer {
  status: number;
  headers: [string, string][];
  body: Buffer;
}

export interface InboundRequest {
  headers: Header[];
  body: Buffer;
  /** The partner named by the URL (/as2/:partner): AS2-From must be its AS2 name. */
  pathPartner?: string;
  /** The client's address, for the failure throttle. */
  address?: string;
}

/** Refusals that say the sender is not who it claims: counted against its address. */
const UNAUTHENTIC = new Set([
  'authentication-failed',
  'decryption-failed',
  'integrity-check-failed',
  'insufficient-message-security',
]);

const text = (status: number, message: string): As2Answer => ({
  status,
  headers: [['Content-Type', 'text/plain; charset=utf-8']],
  body: Buffer.from(`${message}\n`, 'utf8'),
});

/** An id for our MDNs: a UUID at the supplier's AS2 name (made safe for a Message-ID). */
export function newMessageId(as2Id: string): string {
  return `${randomUUID()}@${as2Id.replace(/[^A-Za-z0-9.-]/g, '-') || 'gateway'}`;
}

/** What one received message became, before it is answered. */
interface Outcome extends Partial<Omit<PayloadOutcome, 'outcome'>> {
  partner?: PartnerRow;
  outcome: 'processed' | As2Error;
  result?: UnwrapResult;
}

export async function receiveAs2(ctx: AppContext, req: InboundRequest): Promise<As2Answer> {
  const as2Id = ctx.config.AS2_ID;
  if (!as2Id) return text(503, 'AS2 is not configured on this gateway (AS2_ID)');
  let h: As2Headers;
  try {
    h = readAs2Headers(req.headers);
  } catch (err) {
    if (err instanceof As2Error) return text(400, `not an AS2 message: ${err.detail}`);
    throw err;
  }
  // An address over AUTH_FAILURES_PER_ADDRESS is refused before any key is used.
  const throttle = authThrottle(ctx.config).address;
  const wait = req.address ? throttle.blockedFor(req.address) : 0;
  if (wait > 0)
    return {
      ...text(
        429,
        `too many refused AS2 messages from this address; try again in ${wait} s (AUTH_FAILURES_PER_ADDRESS)`,
      ),
      headers: [
        ['Content-Type', 'text/plain; charset=utf-8'],
        ['Retry-After', String(wait)],
      ],
    };
  const keys = await supplierKeys(ctx.db, ctx.config);
  const partner = await partnerOf(ctx, h, req.pathPartner);
  if (partner instanceof As2Error) {
    if (req.address) throttle.fail(req.address);
    countRefusal(ctx.db, 'as2');
    return answer(ctx, h, keys, { outcome: partner });
  }
  if (isMdn(req.headers, req.body)) return receiveMdn(ctx, h, partner, req);
  const earlier = await findProcessed(ctx.db, partner.id, h.messageId);
  if (earlier) return replay(ctx, earlier, h.receiptDeliveryOption);
  const outcome = await process(ctx, req, keys, partner);
  if (req.address && outcome.outcome instanceof As2Error && UNAUTHENTIC.has(outcome.outcome.code))
    throttle.fail(req.address);
  if (outcome.outcome instanceof As2Error && UNAUTHENTIC.has(outcome.outcome.code))
    countRefusal(ctx.db, 'as2');
  return answer(ctx, h, keys, { ...outcome, partner }, sha256Hex(req.body));
}

/** The partner AS2-From names, or the As2Error of a negative MDN. */
async function partnerOf(
  ctx: AppContext,
  h: As2Headers,
  pathPartner: string | undefined,
): Promise<PartnerRow | As2Error> {
  if (h.as2To !== ctx.config.AS2_ID)
    return new As2Error(
      'unexpected-processing-error',
      'malformed',
      `AS2-To "${h.as2To}" is not this station (${ctx.config.AS2_ID})`,
    );
  const partner = await findPartnerByIdentityCached(
    ctx.db,
    ctx.config.PARTNER_CACHE_MS,
    'as2',
    'as2',
    h.as2From,
  );
  if (!partner || partner.settings.as2?.id !== h.as2From || (pathPartner && pathPartner !== partner.id))
    return new As2Error(
      'authentication-failed',
      'unknown-signer',
      `AS2-From "${h.as2From}" is not a trading partner of ${ctx.config.AS2_ID}${pathPartner ? ` at /as2/${pathPartner}` : ''}`,
    );
  return partner;
}

/** Unwraps and hands the payload to its intake (payload.ts); a refusal is an As2Error outcome. */
async function process(
  ctx: AppContext,
  req: InboundRequest,
  keys: SupplierKeys,
  partner: PartnerRow,
): Promise<Omit<Outcome, 'partner'>> {
  let result: UnwrapResult;
  try {
    result = unwrapAs2Message(
      { headers: req.headers, body: req.body },
      {
        decryptionKeys: keys.decryptionKeys,
        partnerCertificates: await partnerCertificates(ctx.db, partner.id),
        now: ctx.now(),
        limits: { maxBytes: ctx.config.MAX_BODY_BYTES, maxDecompressedBytes: ctx.config.MAX_BODY_BYTES },
      },
    );
    checkPolicy(result, {
      requireSigned: partner.settings.as2?.requireSigned ?? false,
      requireEncrypted: partner.settings.as2?.requireEncrypted ?? false,
    });
  } catch (err) {
    if (err instanceof As2Error) return { outcome: err };
    throw err;
  }
  return { result, ...(await intakePayload(ctx, partner, result.payload)) };
}

/** Builds the MDN, records the message (known partners) and answers it sync or async. */
async function answer(
  ctx: AppContext,
  h: As2Headers,
  keys: SupplierKeys,
  o: Outcome,
  bodySha256?: string,
): Promise<As2Answer> {
  const now = ctx.now();
  const ask = negotiateReceipt(h.dispositionNotificationOptions, signatureDigest(o.result));
  // The MIC says what was received intact: a refusal carries none.
  const mic: Mic | undefined = o.outcome === 'processed' ? o.result?.mic : undefined;
  const signer = ask.signed ? keys.signingKey(now) : undefined;
  const mdnId = newMessageId(ctx.config.AS2_ID ?? 'gateway');
  const mdn = h.dispositionNotificationTo
    ? buildMdn({
        // From this station, whatever AS2-To the message named.
        original: { ...h, as2To: ctx.config.AS2_ID ?? h.as2To },
        outcome: o.outcome,
        ...(mic ? { mic } : {}),
        messageId: mdnId,
        now,
        ...(o.note ? { text: receivedText(h, o.note) } : {}),
        ...(signer ? { sign: { ...signer, digest: ask.micAlgorithm } } : {}),
      })
    : undefined;
  const refused = o.outcome instanceof As2Error ? o.outcome : undefined;
  if (refused)
    ctx.log.warn(
      { as2From: h.as2From, messageId: h.messageId, code: refused.code, reason: refused.reason },
      `AS2 message refused: ${refused.detail}`,
    );
  // An MDN is POSTed to Receipt-Delivery-Option only for a message processed (so from the partner,
  // as its policy requires): a refused one proves nothing about who sent it, and its URL is not
  // called; the negative MDN is the HTTP answer.
  const asyncUrl = mdn && o.partner && !refused ? h.receiptDeliveryOption : undefined;
  if (o.partner) {
    const row = {
      direction: 'in' as const,
      partnerId: o.partner.id,
      messageId: h.messageId,
      as2From: h.as2From,
      as2To: h.as2To,
      status: refused ? 'refused' : 'processed',
      error: refused ? `${refused.code} (${refused.reason}): ${refused.detail}` : (o.note ?? null),
      documentId: o.documentId ?? null,
      bodySha256: bodySha256 ?? null,
      layers: o.result ? describeLayers(o.result) : null,
      mic: mic ? formatMic(mic) : null,
      receiptUrl: asyncUrl ?? null,
      ...(mdn
        ? {
            mdn: {
              messageId: mdnId,
              disposition: formatDisposition(dispositionFor(o.outcome)),
              signed: !!signer,
              headers: mdn.headers,
              body: mdn.body,
            },
          }
        : {}),
    };
    const stored = await record(ctx, o.partner, row, asyncUrl);
    if (stored) return replay(ctx, stored, asyncUrl);
  }
  if (!mdn) return { status: 200, headers: [], body: Buffer.alloc(0) };
  if (asyncUrl) return { status: 200, headers: [], body: Buffer.alloc(0) };
  return { status: 200, headers: mdn.headers, body: mdn.body };
}

/** A positive MDN's text when the intake refused the document it took in (RFC 4130: receipt, not acceptance). */
function receivedText(h: As2Headers, note: string): string {
  return `The AS2 message <${h.messageId.replace(/[\r\n<>]/g, '')}> was received and its integrity was verified as requested; it was handed to the application, which answered: ${note}\r\n`;
}

function signatureDigest(r: UnwrapResult | undefined) {
  const signed = r?.layers.find((l) => l.kind === 'signed');
  return signed && signed.kind === 'signed' ? signed.digest : 'sha256';
}

/**
 * Records the message, and for an asynchronous MDN stores it as a document and queues its delivery
 * in the same transaction. Returns the row of a concurrent copy that was processed first (its MDN is
 * the answer), else undefined.
 */
async function record(
  ctx: AppContext,
  partner: PartnerRow,
  row: Parameters<typeof insertMessage>[1],
  asyncUrl: string | undefined,
): Promise<As2MessageRow | undefined> {
  try {
    await ctx.db.transaction(async (trx) => {
      if (asyncUrl && row.mdn) {
        const documentId = await storeDocument(trx, {
          partnerId: partner.id,
          protocol: 'as2',
          docType: 'MDN',
          direction: 'out',
          externalId: null,
          status: 'created',
          contentType:
            row.mdn.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? 'multipart/report',
          content: row.mdn.body,
        });
        row.mdn.documentId = documentId;
        await queueDelivery(trx, { partnerId: partner.id, documentId, url: asyncUrl, transport: 'as2-mdn' });
      }
      await insertMessage(trx, row);
    });
    return undefined;
  } catch (err) {
    if (row.status !== 'refused' && isUniqueViolation(err))
      return findProcessed(ctx.db, partner.id, row.messageId);
    throw err;
  }
}

/**
 * The stored answer of a message processed before: its sync MDN again, byte for byte; an MDN that
 * went asynchronously is sent again (to the URL the resend names, else the first one's).
 */
async function replay(ctx: AppContext, row: As2MessageRow, asyncUrl: string | undefined): Promise<As2Answer> {
  ctx.log.info(
    { partnerId: row.partner_id, messageId: row.message_id },
    'AS2 message received again: stored MDN',
  );
  const empty: As2Answer = { status: 200, headers: [], body: Buffer.alloc(0) };
  if (!row.mdn_body || !row.mdn_headers) return empty;
  if (row.mdn_document_id) {
    const url = asyncUrl ?? row.receipt_url;
    if (url)
      await ctx.db.transaction((trx) =>
        queueDelivery(trx, {
          partnerId: row.partner_id,
          documentId: row.mdn_document_id!,
          url,
          transport: 'as2-mdn',
        }),
      );
    return empty;
  }
  return { status: 200, headers: row.mdn_headers, body: Buffer.from(row.mdn_body) };
}
