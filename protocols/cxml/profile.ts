/**
 * ProfileRequest / ProfileResponse: a buyer asks which transactions we accept and where to post them.
 * A ProfileRequest has no content; `parseCxml(...).requestType === 'ProfileRequest'` recognises it.
 */
import type { EnvelopeInput, RequestEnvelopeInput } from './build';
import {
  CXML_VERSION,
  CxmlBuildError,
  el,
  requestDocument,
  requireText,
  responseDocument,
  timestampValue,
} from './build';

/** A ProfileRequest (no content): the cheapest request that asks a cXML endpoint to answer. */
export function buildProfileRequest(envelope: RequestEnvelopeInput): string {
  return requestDocument(envelope, el('ProfileRequest', {}), CXML_VERSION, 'cXML.dtd');
}

export interface ProfileTransaction {
  /** Request name, e.g. "OrderRequest", "PunchOutSetupRequest". */
  requestName: string;
  url: string;
  options?: { name: string; value: string }[];
}

export interface ProfileResponseInput extends EnvelopeInput {
  transactions: ProfileTransaction[];
  /** ProfileResponse@effectiveDate; default: the envelope timestamp. */
  effectiveDate?: string | Date;
  lastRefresh?: string | Date;
  /** Profile-wide options (e.g. { name: 'Locale', value: 'en' }). */
  options?: { name: string; value: string }[];
}

export function buildProfileResponse(input: ProfileResponseInput): string {
  const { transactions, effectiveDate, lastRefresh, options, ...envelope } = input;
  if (transactions.length === 0) throw new CxmlBuildError('a ProfileResponse lists at least one transaction');
  const body = el(
    'ProfileResponse',
    {
      effectiveDate: timestampValue(effectiveDate ?? envelope.timestamp, 'effectiveDate'),
      lastRefresh: lastRefresh === undefined ? undefined : timestampValue(lastRefresh, 'lastRefresh'),
    },
    (options ?? []).map((o) => el('Option', { name: o.name }, o.value)),
    transactions.map((t, i) =>
      el(
        'Transaction',
        { requestName: requireText(t.requestName, `transactions[${i}].requestName`) },
        el('URL', {}, requireText(t.url, `transactions[${i}].url`)),
        (t.options ?? []).map((o) => el('Option', { name: o.name }, o.value)),
      ),
    ),
  );
  return responseDocument(envelope, { code: 200 }, body);
}
