/**
 * StatusUpdateRequest: the status of an earlier document (by payloadID), e.g. that an order was forwarded
 * or failed after we had answered 201.
 */
import type { RequestEnvelopeInput, StatusInput } from './build';
import {
  CXML_VERSION,
  CxmlBuildError,
  el,
  requestDocument,
  requireText,
  statusEl,
  textEl,
  timestampValue,
} from './build';
import { badData } from './errors';
import type { CxmlStatus, ParsedCxml } from './parse';
import { asParsed, expectType, readStatus } from './parse';
import { childElements } from './xml';

export interface StatusUpdateInput extends StatusInput {
  /**
   * payloadID of the document whose status this is (the OrderRequest). Empty or absent for an order that
   * never had one (X12, JSON): DocumentReference is then left out and `document` names the order.
   */
  documentPayloadId?: string;
  /** DocumentStatus: what became of the document, and DocumentInfo naming it. */
  document?: {
    /** DocumentStatus@type, e.g. "accepted", "rejected", "shipped". */
    type: string;
    /** DocumentInfo@documentID: the buyer's order number. */
    documentId: string;
    /** DocumentInfo@documentType, e.g. "OrderRequest". */
    documentType: string;
    /** DocumentInfo@documentDate: the buyer's own date of the document (its offset kept). */
    documentDate?: string | Date;
    comments?: string;
    lang?: string;
  };
}

export function buildStatusUpdateRequest(envelope: RequestEnvelopeInput, input: StatusUpdateInput): string {
  const { documentPayloadId, document, ...status } = input;
  const ref = documentPayloadId?.trim();
  if ((ref === undefined || ref === '') && document === undefined) {
    throw new CxmlBuildError('a StatusUpdateRequest names its document: documentPayloadId or document');
  }
  const request = el(
    'StatusUpdateRequest',
    {},
    ref ? el('DocumentReference', { payloadID: ref }) : undefined,
    statusEl(status),
    document
      ? el(
          'DocumentStatus',
          { type: requireText(document.type, 'document.type') },
          el('DocumentInfo', {
            documentID: requireText(document.documentId, 'document.documentId'),
            documentType: requireText(document.documentType, 'document.documentType'),
            documentDate:
              document.documentDate === undefined
                ? undefined
                : timestampValue(document.documentDate, 'document.documentDate'),
          }),
          textEl('Comments', document.comments, { 'xml:lang': document.lang ?? 'en' }),
        )
      : undefined,
  );
  return requestDocument(envelope, request, CXML_VERSION, 'cXML.dtd');
}

export interface StatusUpdate {
  payloadId: string;
  /** DocumentReference@payloadID, when given. */
  documentPayloadId?: string;
  status: CxmlStatus;
}

export function parseStatusUpdateRequest(input: ParsedCxml | Buffer | string): StatusUpdate {
  const doc = asParsed(input);
  expectType(doc, 'StatusUpdateRequest');
  const statusEls = childElements(doc.body, 'Status');
  if (statusEls[0] === undefined)
    throw badData('StatusUpdateRequest has no Status', `${doc.body.path}/Status`);
  const out: StatusUpdate = { payloadId: doc.payloadId, status: readStatus(statusEls[0]) };
  const ref = childElements(doc.body, 'DocumentReference')[0];
  const refId = ref?.attributes['payloadID']?.trim();
  if (refId !== undefined && refId !== '') out.documentPayloadId = refId;
  return out;
}
