/**
 * The one error type of the cXML codec. `status` is a cXML status code, so an endpoint can answer a refused
 * document with `buildErrorResponse(error, ...)` without translating anything.
 */

/** The standard text of the cXML status codes (cXML Reference Guide, "Status"). */
export const CXML_STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK',
  201: 'Accepted',
  204: 'No Content',
  280: 'Forwarded',
  281: 'Forwarded (unreliable transport)',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  417: 'Expectation Failed',
  429: 'Too Many Requests',
  450: 'Not Implemented',
  475: 'Signature Required',
  476: 'Signature Verification Failed',
  477: 'Signature Unacceptable',
  500: 'Internal Server Error',
  550: 'Unable to reach cXML server',
  551: 'Unable to forward request',
  560: 'Temporary server error',
  561: 'Too Many Requests',
};

export function cxmlStatusText(code: number): string {
  return CXML_STATUS_TEXT[code] ?? (code >= 200 && code < 300 ? 'OK' : 'Error');
}

export interface CxmlErrorDetails {
  /** 1-based line of the input where the problem is (syntax and security refusals). */
  line?: number;
  /** XPath of the offending element or attribute (mapping refusals), e.g. `/cXML/Request/OrderRequest/ItemOut[2]/ItemID/SupplierPartID`. */
  xpath?: string;
}

export class CxmlError extends Error {
  readonly status: number;
  readonly line?: number;
  readonly xpath?: string;

  constructor(status: number, message: string, details: CxmlErrorDetails = {}) {
    super(message);
    this.name = 'CxmlError';
    this.status = status;
    if (details.line !== undefined) this.line = details.line;
    if (details.xpath !== undefined) this.xpath = details.xpath;
  }

  /** The message with its location, as it goes into a `<Status>` element. */
  get detail(): string {
    const where = [
      this.line !== undefined ? `line ${this.line}` : undefined,
      this.xpath !== undefined ? this.xpath : undefined,
    ].filter((part): part is string => part !== undefined);
    // A message quoting a long value is cut before the location, so the location always shows
    // (the endpoint cuts a Status message at 2000 characters).
    const message = this.message.length > 1500 ? `${this.message.slice(0, 1500)}…` : this.message;
    return where.length > 0 ? `${message} (at ${where.join(', ')})` : message;
  }

  toJSON(): { status: number; message: string; line?: number; xpath?: string } {
    return {
      status: this.status,
      message: this.message,
      ...(this.line !== undefined ? { line: this.line } : {}),
      ...(this.xpath !== undefined ? { xpath: this.xpath } : {}),
    };
  }
}

export function isCxmlError(value: unknown): value is CxmlError {
  return value instanceof CxmlError;
}

/** 400 at an XPath: the document is well-formed but its data cannot be used. */
export function badData(message: string, xpath: string): CxmlError {
  return new CxmlError(400, message, { xpath });
}

/** 406: well-formed and understood, but asks for something this codec does not support. */
export function unsupported(message: string, xpath?: string): CxmlError {
  return new CxmlError(406, message, xpath !== undefined ? { xpath } : {});
}
