/**
 * The AS2 transports of the retrying delivery path (src/delivery/service.ts):
 * - as2-mdn: an asynchronous MDN we owe a partner (Receipt-Delivery-Option), POSTed with its AS2
 *   headers as stored on the message it answers; delivered on a 2xx.
 */
import type { DeliveryAttempt, DeliveryRow } from '../../delivery/service';
import type { JobContext } from '../../platform/jobs';
import { postOutbound } from '../../platform/outbound';
import type { As2MessageRow } from './messages';

export async function attemptAs2Mdn(
  ctx: JobContext,
  delivery: DeliveryRow,
  doc: { content: Buffer },
): Promise<Partial<DeliveryAttempt>> {
  const row = await ctx
    .db<As2MessageRow>('as2_messages')
    .where({ mdn_document_id: delivery.document_id })
    .first('mdn_headers');
  if (!row?.mdn_headers) {
    const why = `no AS2 message has the MDN document ${delivery.document_id}`;
    return { refused: why, error: why };
  }
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
