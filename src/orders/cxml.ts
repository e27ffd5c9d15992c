/**
 * cXML OrderRequest on POST /cxml: parse -> intakeOrder -> a cXML Response (200 accepted; 4xx with the
 * problem and its XPath). The answer is stored with the inbound document, so a resent payloadID gets
 * the first answer byte for byte.
 */
import { checkAttachmentReferences, CxmlError, parseOrderRequest } from '../../protocols/cxml';
import { cxmlStatus, type CxmlAnswer, type CxmlHandler } from '../cxml/endpoint';
import type { AppContext } from '../platform/context';
import { intakeOrder, type IntakeResult } from './intake';

export const ORDER_REQUEST_XPATH = '/cXML/Request/OrderRequest';

export function itemXPath(index: number): string {
  return `${ORDER_REQUEST_XPATH}/ItemOut[${index + 1}]`;
}

/** The Country of `shipTo`, `billTo` or `lines[i].shipTo` (intake's names) in an OrderRequest. */
function countryXPath(where: string): string {
  const line = /^lines\[(\d+)\]\.shipTo$/.exec(where);
  const holder = line
    ? `${itemXPath(Number(line[1]))}/ShipTo`
    : `${ORDER_REQUEST_XPATH}/OrderRequestHeader/${where === 'billTo' ? 'BillTo' : 'ShipTo'}`;
  return `${holder}/Address/PostalAddress/Country/@isoCountryCode`;
}

const FIELD_XPATH: Record<string, string> = {
  buyerOrderNumber: `${ORDER_REQUEST_XPATH}/OrderRequestHeader/@orderID`,
  currency: `${ORDER_REQUEST_XPATH}/OrderRequestHeader/Total/Money/@currency`,
};

function answerFor(ctx: AppContext, r: IntakeResult, buyerOrderNumber: string): CxmlAnswer {
  if (r.outcome === 'accepted') {
    const flags = r.flags.length ? `; flagged for review: ${r.flags.join(', ')}` : '';
    return cxmlStatus(
      ctx,
      200,
      `Order ${buyerOrderNumber} ${r.state ?? 'received'} (version ${r.version})${flags}`,
    );
  }
  const text = r.errors
    .map((e) => {
      const where = e.path ? (FIELD_XPATH[e.path] ?? e.path) : undefined;
      return where ? `${e.message} (at ${where})` : e.message;
    })
    .join('; ');
  return cxmlStatus(ctx, r.status ?? 400, text);
}

/** POST /cxml OrderRequest (listed in app.ts). */
export const handleOrderRequest: CxmlHandler = async ({ ctx, partner, doc, raw, attachments }) => {
  const parsed = parseOrderRequest(doc);
  // Each cid: the document names must have come with it (a missing file would be lost).
  if (attachments.length > 0) checkAttachmentReferences(parsed.attachments, attachments);
  const result = await intakeOrder(ctx, {
    partner,
    order: parsed.order,
    protocol: 'cxml',
    externalId: parsed.payloadId,
    raw,
    contentType: 'text/xml',
    attachments,
    docType: 'OrderRequest',
    sourcePayloadId: parsed.payloadId,
    deploymentMode: doc.deploymentMode ?? 'production',
    actor: `cxml:${partner.id}`,
    linePath: (i) => `${itemXPath(i)}/ItemID/SupplierPartID`,
    countryPath: countryXPath,
    render: (r) => {
      const a = answerFor(ctx, r, parsed.order.buyerOrderNumber);
      return { status: a.status, contentType: 'text/xml; charset=utf-8', body: a.body };
    },
  });
  // Refused by the endpoint, which keeps the refused document for the audit trail under no payloadID.
  if (result.reusedId) {
    throw new CxmlError(409, result.errors.map((e) => e.message).join('; '), { xpath: '/cXML/@payloadID' });
  }
  const stored = result.replay ?? result.answer;
  if (stored) return { status: stored.status, body: stored.body.toString('utf8') };
  return answerFor(ctx, result, parsed.order.buyerOrderNumber);
};
