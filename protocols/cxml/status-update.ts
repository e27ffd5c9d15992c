/**
 * StatusUpdateRequest: the status of an earlier document (by payloadID), e.g. that an order was forwarded
 * or failed after we had answered 201.
 */
import type { RequestEnvelopeInput, StatusInput } from './build';
import { CXML_VERSION, el, requestDocument, requireText, statusEl } from './build';
import { badData } from './errors';
import type { CxmlStatus, ParsedCxml } from './parse';
import { asParsed, expectType, readStatus } from './parse';
import { childElements } from './xml';

export interface StatusUpdateInput extends StatusInput {
  /** payloadID of the document whose status this is. */
  documentPayloadId: string;
}

export function buildStatusUpdateRequest(envelope: RequestEnvelopeInput, input: StatusUpdateInput): string {
  const { documentPayloadId, ...status } = input;
  const request = el(
    'StatusUpdateRequest',
    {},
    el('DocumentReference', { payloadID: requireText(documentPayloadId, 'documentPayloadId') }),
    statusEl(status),
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
