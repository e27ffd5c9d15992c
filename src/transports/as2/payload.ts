/**
 * Where the payload of an inbound AS2 message goes, by its content type or, for a generic one
 * (application/octet-stream, text/plain), by sniffing its first bytes: X12 to the X12 intake, cXML
 * (application/xml, text/xml, or a document whose root is <cXML>) to the cXML OrderRequest intake,
 * EDIFACT (application/EDIFACT, or UNA/UNB first) is refused: the gateway has no EDIFACT intake.
 *
 * The MDN answers receipt and integrity (RFC 4130 7: the signed receipt is non-repudiation of
 * receipt; its text says it is no guarantee the application accepted the content), so a payload the
 * intake took in gets a positive MDN even when the business document is refused there (an X12 set
 * rejected in its 997, a cXML OrderRequest answered 4xx): that refusal is the intake's answer,
 * recorded with the document and quoted in the MDN's text. A payload no intake can take (no known
 * format, unreadable cXML, a cXML document that is not an OrderRequest from this partner, EDIFACT)
 * gets unexpected-processing-error, and is stored as refused with what was wrong.
 */
import {
  CxmlError,
  isCxmlError,
  parseCxml,
  type CxmlCredential,
  type ParsedCxml,
} from '../../../protocols/cxml';
import { As2Error, type As2Payload } from '../../../protocols/as2';
import { xmlLimits } from '../../cxml/endpoint';
import { storeDocument, findInboundByExternalId, type Protocol } from '../../documents/store';
import { ingestX12 } from '../../edi/intake';
import { handleOrderRequest } from '../../orders/cxml';
import { findPartnerByIdentityCached, type PartnerRow } from '../../partners/repository';
import type { AppContext } from '../../platform/context';
import { AppError } from '../../platform/errors';

export type PayloadFormat = 'x12' | 'cxml' | 'edifact' | 'unknown';

/** What the intake made of a payload: processed (a document stored) or the As2Error of a negative MDN. */
export interface PayloadOutcome {
  outcome: 'processed' | As2Error;
  documentId?: string;
  /** The intake's refusal of a document it took in (a positive MDN quotes it; the message records it). */
  note?: string;
}

const XML_TYPES = new Set(['application/xml', 'text/xml', 'application/cxml', 'application/cxml+xml']);
const EDIFACT_TYPES = new Set(['application/edifact', 'application/edi-edifact']);

/** The payload's format: its content type when it names one, else its first bytes. */
export function payloadFormat(payload: Pick<As2Payload, 'contentType' | 'content'>): PayloadFormat {
  const type = payload.contentType.mediaType.toLowerCase();
  const head = payload.content
    .subarray(0, 1024)
    .toString('latin1')
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
    .trimStart();
  if (/x12/.test(type)) return 'x12';
  if (EDIFACT_TYPES.has(type)) return 'edifact';
  if (XML_TYPES.has(type)) return 'cxml';
  if (head.startsWith('ISA')) return 'x12';
  if (/^UN[AB]/.test(head)) return 'edifact';
  if (/^<(\?xml|!DOCTYPE\s+cXML|cXML[\s>])/.test(head)) return 'cxml';
  return 'unknown';
}

/** Hands the payload to the intake of its format (see the file comment for the MDN it earns). */
export async function intakePayload(
  ctx: AppContext,
  partner: PartnerRow,
  payload: As2Payload,
): Promise<PayloadOutcome> {
  const format = payloadFormat(payload);
  const type = payload.contentType.mediaType;
  if (format === 'x12') return intakeX12(ctx, partner, payload.content);
  if (format === 'cxml') return intakeCxml(ctx, partner, payload.content);
  if (format === 'edifact')
    return refuse(
      ctx,
      partner,
      { protocol: 'as2', docType: 'EDIFACT', contentType: type, content: payload.content },
      `an EDIFACT interchange (${type}): this gateway has no EDIFACT intake; send X12 or cXML over AS2`,
    );
  return {
    outcome: new As2Error(
      'unexpected-processing-error',
      'malformed',
      `a payload of type ${type} that is neither X12 nor cXML: this gateway takes X12 and cXML over AS2`,
    ),
  };
}

async function intakeX12(ctx: AppContext, partner: PartnerRow, content: Buffer): Promise<PayloadOutcome> {
  try {
    const r = await ingestX12(ctx, content, { scopePartnerId: partner.id, actor: `as2:${partner.id}` });
    return { outcome: 'processed', documentId: r.inboundDocumentId };
  } catch (err) {
    // Not a refusal (the database is not available): no MDN, the partner sends again.
    if (!(err instanceof AppError) || err.retryable) throw err;
    return { outcome: new As2Error('unexpected-processing-error', 'malformed', err.message) };
  }
}

/** Stores a payload no intake takes as refused; the As2Error of its negative MDN. */
async function refuse(
  ctx: AppContext,
  partner: PartnerRow,
  doc: { protocol: Protocol; docType: string; contentType: string; content: Buffer },
  detail: string,
): Promise<PayloadOutcome> {
  const documentId = await storeDocument(ctx.db, {
    partnerId: partner.id,
    direction: 'in',
    externalId: null,
    status: 'refused',
    error: detail,
    ...doc,
  });
  return { outcome: new As2Error('unexpected-processing-error', 'malformed', detail), documentId };
}

const named = (cs: readonly CxmlCredential[]) =>
  cs.map((c) => `${c.domain}/${c.identity}`).join(', ') || 'none';

/**
 * The AS2 signature authenticated the partner, so no SharedSecret is checked; the document must
 * still name it (a From or Sender credential of its cxml.credentials, none of another partner) and
 * this supplier (To), as POST /cxml requires.
 */
async function checkParties(ctx: AppContext, partner: PartnerRow, doc: ParsedCxml): Promise<void> {
  const header = doc.header;
  if (!header) throw new CxmlError(400, 'a cXML request needs a Header with From, To and Sender');
  const mine = partner.settings.cxml?.credentials ?? [];
  const same = (a: CxmlCredential, b: { domain: string; identity: string }) =>
    a.domain.toLowerCase() === b.domain.toLowerCase() &&
    a.identity.toLowerCase() === b.identity.toLowerCase();
  const claimed = [...header.from, ...header.sender];
  for (const c of claimed) {
    const other = await findPartnerByIdentityCached(
      ctx.db,
      ctx.config.PARTNER_CACHE_MS,
      'cxml',
      c.domain,
      c.identity,
    );
    if (other && other.id !== partner.id)
      throw new CxmlError(401, `credential ${c.domain}/${c.identity} is another trading partner's`);
  }
  if (!claimed.some((c) => mine.some((m) => same(c, m))))
    throw new CxmlError(
      401,
      `From/Sender (${named(claimed)}) names none of partner ${partner.id}'s cxml.credentials (${named(mine)})`,
    );
  const supplier = { domain: ctx.config.SUPPLIER_CXML_DOMAIN, identity: ctx.config.SUPPLIER_CXML_IDENTITY };
  if (!header.to.some((c) => same(c, supplier)))
    throw new CxmlError(
      401,
      `To (${named(header.to)}) does not name this supplier (${supplier.domain}/${supplier.identity})`,
    );
}

/** A Status text as plain ASCII on one line, for the MDN's us-ascii text. */
const ascii = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[^\x20-\x7e]+/g, ' ')
    .slice(0, 1000);

async function intakeCxml(ctx: AppContext, partner: PartnerRow, content: Buffer): Promise<PayloadOutcome> {
  let doc: ParsedCxml | undefined;
  try {
    doc = parseCxml(content, { maxBytes: ctx.config.MAX_BODY_BYTES, limits: xmlLimits(ctx.config) });
    if (doc.kind !== 'Request' || doc.requestType !== 'OrderRequest')
      throw new CxmlError(
        406,
        `a cXML ${doc.requestType}: over AS2 this gateway takes OrderRequest (the others answer synchronously at POST /cxml)`,
      );
    await checkParties(ctx, partner, doc);
    const answer = await handleOrderRequest({
      ctx,
      partner,
      doc,
      raw: content,
      attachments: [],
      requestTypes: ['OrderRequest'],
    });
    const stored = await findInboundByExternalId(ctx.db, partner.id, 'cxml', doc.payloadId);
    const status = /<Status\s+code="(\d+)"[^>]*?(?:\/>|>([\s\S]*?)<\/Status>)/.exec(answer.body);
    const note =
      answer.status >= 300
        ? `the cXML OrderRequest ${doc.payloadId} was refused: ${status?.[1] ?? answer.status} ${ascii(status?.[2]?.trim() ?? '')}`.trim()
        : undefined;
    return { outcome: 'processed', ...(stored ? { documentId: stored.id } : {}), ...(note ? { note } : {}) };
  } catch (err) {
    if (!isCxmlError(err)) throw err;
    return refuse(
      ctx,
      partner,
      { protocol: 'cxml', docType: doc?.requestType ?? 'unknown', contentType: 'text/xml', content },
      `cXML ${err.status}: ${err.detail}`,
    );
  }
}
