/**
 * "Test connection" of the console's Partners screen: a cXML partner gets a ProfileRequest (with the
 * supplier's Sender credential, as the documents we send it carry) at its cxml.outboundUrl; a partner
 * with only an X12 or AS2 URL gets an empty POST. Through the same guarded client as deliveries
 * (no redirects, OUTBOUND_DENY_PRIVATE), with a short timeout; the answer's status and its first
 * characters are shown.
 */
import { buildProfileRequest } from '../../protocols/cxml';
import { CXML_USER_AGENT } from '../cxml/endpoint';
import type { AppContext } from '../platform/context';
import { postOutbound } from '../platform/outbound';
import type { PartnerRow } from './repository';
import { supplierCredential } from './supplier-secret';

/** A connection test waits at most this long (or DELIVERY_TIMEOUT_MS when shorter). */
export const PING_TIMEOUT_MS = 5000;

export interface PingResult {
  url: string | null;
  sent: 'ProfileRequest' | 'empty POST' | 'nothing';
  status: number | null;
  snippet: string;
  error: string | null;
  ms: number;
}

function request(ctx: Pick<AppContext, 'config' | 'now'>, p: PartnerRow, payloadId: string) {
  const cxml = p.settings.cxml;
  const to = cxml?.credentials[0];
  if (cxml?.outboundUrl && to) {
    const { SUPPLIER_CXML_DOMAIN: domain, SUPPLIER_CXML_IDENTITY: identity } = ctx.config;
    const xml = buildProfileRequest({
      payloadId,
      timestamp: ctx.now(),
      header: {
        from: { domain, identity },
        to: { domain: to.domain, identity: to.identity },
        sender: { credentials: supplierCredential(ctx.config, p), userAgent: CXML_USER_AGENT },
      },
    });
    return {
      url: cxml.outboundUrl,
      sent: 'ProfileRequest' as const,
      body: xml,
      type: 'text/xml; charset=utf-8',
    };
  }
  const url = p.settings.x12?.outboundUrl ?? p.settings.as2?.url;
  return url ? { url, sent: 'empty POST' as const, body: '', type: 'text/plain' } : undefined;
}

export async function pingPartner(
  ctx: Pick<AppContext, 'config' | 'now'>,
  partner: PartnerRow,
  payloadId: string,
): Promise<PingResult> {
  const r = request(ctx, partner, payloadId);
  if (!r) return { url: null, sent: 'nothing', status: null, snippet: '', error: 'no outbound URL', ms: 0 };
  const started = Date.now();
  try {
    const res = await postOutbound(r.url, {
      headers: { 'Content-Type': r.type },
      body: r.body,
      timeoutMs: Math.min(PING_TIMEOUT_MS, ctx.config.DELIVERY_TIMEOUT_MS),
      denyPrivate: ctx.config.OUTBOUND_DENY_PRIVATE,
      maxBodyBytes: 4096,
    });
    return {
      url: r.url,
      sent: r.sent,
      status: res.status,
      snippet: res.body.slice(0, 500),
      error: null,
      ms: Date.now() - started,
    };
  } catch (err) {
    const e = err as Error & { cause?: Error };
    return {
      url: r.url,
      sent: r.sent,
      status: null,
      snippet: '',
      error: `${e.name}: ${e.cause?.message ?? e.message}`,
      ms: Date.now() - started,
    };
  }
}
