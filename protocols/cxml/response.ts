/**
 * The generic cXML Response (answer to any request, success or error) and reading a partner's Response to
 * a document we sent.
 */
import { CxmlError } from './errors';
import type { EnvelopeInput, StatusInput } from './build';
import { responseDocument } from './build';
import { parseCxml } from './parse';
import type { ParsedCxml } from './parse';

export type ResponseInput = EnvelopeInput & StatusInput;

/**
 * `<Response><Status code text>message</Status></Response>`, e.g. 200 for an accepted OrderRequest, or
 * 400/401/406/409/500 for a refusal.
 */
export function buildResponse(input: ResponseInput): string {
  const { payloadId, timestamp, lang, ...status } = input;
  return responseDocument({ payloadId, timestamp, ...(lang !== undefined ? { lang } : {}) }, status);
}

/** The Response for a refused document: its status, and the message with line/XPath as the Status text. */
export function buildErrorResponse(error: CxmlError, envelope: EnvelopeInput): string {
  return responseDocument(envelope, { code: error.status, message: error.detail });
}

export interface StatusResponse {
  code: number;
  /** Status@text */
  text: string;
  /** Text content of Status ('' when none). */
  message: string;
  lang?: string;
  /** The Response's payloadID and timestamp. */
  payloadId: string;
  timestamp: string;
  /** Element after Status (e.g. "PunchOutSetupResponse"), when there is one. */
  responseType?: string;
  /** 2xx */
  ok: boolean;
}

/**
 * Reads a partner's answer to a document we sent. Throws CxmlError 400 when it is not a cXML Response
 * (an HTML error page, a Request, malformed XML).
 */
export function parseStatusResponse(input: ParsedCxml | Buffer | string): StatusResponse {
  const doc = typeof input === 'string' || Buffer.isBuffer(input) ? parseCxml(input) : input;
  if (doc.kind !== 'Response' || doc.status === undefined) {
    throw new CxmlError(400, `expected a Response, the document carries ${doc.requestType}`);
  }
  const out: StatusResponse = {
    code: doc.status.code,
    text: doc.status.text,
    message: doc.status.message,
    payloadId: doc.payloadId,
    timestamp: doc.timestamp,
    ok: doc.status.code >= 200 && doc.status.code < 300,
  };
  if (doc.status.lang !== undefined) out.lang = doc.status.lang;
  if (doc.responseType !== undefined) out.responseType = doc.responseType;
  return out;
}
