/**
 * Asynchronous MDNs partners POST to /as2 for messages we sent with as2.mdn.mode "async": verified
 * against the partner's certificates (signed when we asked), matched to our message by
 * Original-Message-ID, checked (processed, our MIC) and recorded byte for byte on its as2_messages
 * row (status mdn-received, the problems in `error`); the delivery waiting for it decides at its next
 * look (deliver.ts). Answered 200 with no body; an MDN that answers none of our waiting messages, or
 * that does not verify, is answered 400 and changes nothing.
 */
import {
  As2Error,
  checkMdn,
  formatDisposition,
  headerValue,
  parseMdn,
  parseMic,
  type As2Headers,
  type Header,
  type Mic,
} from '../../../protocols/as2';
import type { PartnerRow } from '../../partners/repository';
import type { AppContext } from '../../platform/context';
import { partnerCertificates } from './certificates';
import type { As2Answer } from './inbound';
import type { As2MessageRow } from './messages';

const text = (status: number, message: string): As2Answer => ({
  status,
  headers: [['Content-Type', 'text/plain; charset=utf-8']],
  body: Buffer.from(`${message}\n`, 'utf8'),
});

/**
 * Whether a request to /as2 is an MDN rather than a message: a multipart/report, or a
 * multipart/signed around one that asks for no receipt itself.
 */
export function isMdn(headers: readonly Header[], body: Buffer): boolean {
  const type = (headerValue(headers, 'content-type') ?? '').toLowerCase();
  if (type.startsWith('multipart/report')) return true;
  if (!type.startsWith('multipart/signed') || headerValue(headers, 'disposition-notification-to'))
    return false;
  return /content-type:\s*multipart\/report/i.test(body.subarray(0, 4096).toString('latin1'));
}

export async function receiveMdn(
  ctx: AppContext,
  h: As2Headers,
  partner: PartnerRow,
  req: { headers: Header[]; body: Buffer },
): Promise<As2Answer> {
  let mdn;
  try {
    mdn = parseMdn(
      { headers: req.headers, body: req.body },
      {
        partnerCertificates: await partnerCertificates(ctx.db, partner.id),
        now: ctx.now(),
        requireSigned: partner.settings.as2?.mdn.signed ?? true,
        limits: { maxBytes: ctx.config.MAX_BODY_BYTES },
      },
    );
  } catch (err) {
    if (!(err instanceof As2Error)) throw err;
    ctx.log.warn({ partnerId: partner.id, messageId: h.messageId }, `AS2 MDN refused: ${err.detail}`);
    return text(400, `MDN refused: ${err.code}: ${err.detail}`);
  }
  const row = mdn.originalMessageId
    ? await ctx
        .db<As2MessageRow>('as2_messages')
        .where({ partner_id: partner.id, direction: 'out', message_id: mdn.originalMessageId })
        .first()
    : undefined;
  if (!row || row.status !== 'awaiting-mdn' || !row.mic)
    return text(400, `the MDN answers no message awaiting one: <${mdn.originalMessageId ?? ''}>`);
  const sent = parseMic(row.mic);
  if (!sent?.algorithm) throw new Error(`as2_messages ${row.id}: unreadable MIC ${row.mic}`);
  const mic: Mic = { digest: sent.digest, algorithm: sent.algorithm };
  const check = checkMdn(mdn, { messageId: row.message_id, mic });
  const human = mdn.text.trim().replace(/\s+/g, ' ').slice(0, 500);
  await ctx
    .db('as2_messages')
    .where({ id: row.id, status: 'awaiting-mdn' })
    .update({
      status: 'mdn-received',
      error: check.ok
        ? null
        : `MDN: ${check.problems.join('; ')}${human ? ` (${human})` : ''}`.slice(0, 4000),
      mdn_message_id: mdn.messageId ?? h.messageId,
      mdn_disposition: formatDisposition(mdn.disposition),
      mdn_signed: mdn.signed,
      mdn_headers: JSON.stringify(req.headers.map((x) => [x.name, x.value])),
      mdn_body: req.body,
      mdn_at: ctx.db.fn.now(),
    });
  return { status: 200, headers: [], body: Buffer.alloc(0) };
}
