/**
 * One error type with a closed set of codes. HTTP status is mapped once (httpStatus); protocols render
 * their own bodies (cXML Status, OCI page, X12 997/999) from the same code.
 */
export const ERROR_CODES = {
  bad_request: 400,
  validation_failed: 400,
  malformed_document: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  too_many_requests: 429,
  not_implemented: 406,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetail {
  /** Where: JSON path, XPath, CSV line, X12 segment/element. */
  path?: string;
  line?: number;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: ErrorDetail[];

  constructor(
    code: ErrorCode,
    message: string,
    opts: { details?: ErrorDetail[]; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = opts.details ?? [];
    this.retryable = opts.retryable ?? (code === 'unavailable' || code === 'internal');
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code];
  }
}

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CODES[code];
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);

/** Postgres error codes translated once at the DB boundary. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505';
}
