import { randomUUID } from 'node:crypto';
import express, {
  type ErrorRequestHandler,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import { z } from 'zod';
import { AppError, type ErrorCode } from './errors';
import { loggablePath, type Logger } from './log';
import { runTraced } from './trace';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    log: Logger;
    /** Reads and parses a JSON body (once); set by deferredJsonBody, called after authentication. */
    readJsonBody?: () => Promise<void>;
  }
}

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * The nesting depth of a JSON text, in one pass over its bytes (strings skipped, escapes honoured);
 * stops as soon as `max` is passed. Structural characters are ASCII, so bytes of UTF-8 are enough.
 */
export function jsonDepthOver(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i] as number;
    if (inString) {
      if (c === 0x5c /* \\ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * JSON bodies under /api, read only when the route asks (after its authentication middleware):
 * an unauthenticated request is refused without its body being read or parsed. Depth is checked
 * in one pass before JSON.parse (JSON_MAX_DEPTH), so validation never recurses without bound.
 */
export function deferredJsonBody(opts: { limit: number; maxDepth: number }): RequestHandler {
  const raw = express.raw({ type: JSON_TYPES, limit: opts.limit });
  return (req, res, next) => {
    let done: Promise<void> | undefined;
    req.readJsonBody = () =>
      (done ??= new Promise<void>((resolve, reject) => {
        raw(req, res, (err?: Error) => {
          if (err) return reject(err);
          const body: unknown = req.body;
          if (!Buffer.isBuffer(body)) return resolve();
          if (body.length === 0) {
            req.body = {};
            return resolve();
          }
          if (jsonDepthOver(body, opts.maxDepth)) {
            return reject(
              new AppError(
                'bad_request',
                `JSON nested deeper than ${opts.maxDepth} levels (the limit is ${opts.maxDepth}, setting JSON_MAX_DEPTH)`,
              ),
            );
          }
          try {
            req.body = JSON.parse(body.toString('utf8')) as unknown;
          } catch (e) {
            return reject(
              new AppError('bad_request', `malformed JSON: ${(e as Error).message.slice(0, 200)}`),
            );
          }
          resolve();
        });
      }));
    next();
  };
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function requestContext(log: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    req.id = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    req.log = log.child({ requestId: req.id });
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      req.log.info(
        {
          method: req.method,
          // The whole path (req.path is cut at a router's mount point), secrets replaced.
          path: loggablePath(req.originalUrl),
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
        },
        'request',
      );
    });
    // What this request stores names it (documents.request_id), however deep the call.
    runTraced({ requestId: req.id }, next);
  };
}

/** Security headers for every answer; punchout pages set their own frame-ancestors. */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  res.setHeader('X-Frame-Options', 'DENY');
  next();
};

/**
 * Postgres "data exception" SQLSTATEs that a value from a request can cause (a path segment, a
 * query value, a form field): the input is bad, not the server, so 400. The message names the kind
 * of value and never quotes the statement or the value.
 */
const PG_BAD_INPUT: Readonly<Record<string, string>> = {
  '22P02':
    'a value is not of the expected type (e.g. an id that is not a UUID, a number that is not a number)',
  '22007': 'a date or time value is malformed',
  '22008': 'a date or time value is out of range',
  '22003': 'a number is out of range',
  '22021': 'a value holds a NUL byte or bytes that are not UTF-8',
  '22P05': 'a value holds a character that cannot be stored (e.g. a NUL byte)',
  '22001': 'a value is longer than allowed',
};

/** The 400 for a Postgres data exception caused by a request's value, else undefined. */
export function pgBadInput(err: unknown): AppError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !Object.hasOwn(PG_BAD_INPUT, code)) return undefined;
  return new AppError('bad_request', `malformed request: ${PG_BAD_INPUT[code]}`, { cause: err });
}

/** Maps anything thrown to an AppError: body-parser, zod and Postgres bad-input errors included. */
/**
 * Postgres failures that say nothing about the request and pass by themselves: the connection was
 * cut (a restart, a failover, pg_terminate_backend: 57P01-57P03, class 08) or the transaction lost
 * a deadlock or serialization conflict (40P01, 40001). The transaction rolled back, so 503: send
 * again.
 */
export function pgTransient(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (['57P01', '57P02', '57P03', '40P01', '40001'].includes(code) || code.startsWith('08')) return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated unexpectedly|Connection terminated due to connection timeout/.test(message);
}

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof z.ZodError) {
    return new AppError('validation_failed', 'request does not match the schema', {
      details: err.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })),
    });
  }
  const pg = pgBadInput(err);
  if (pg) return pg;
  // No pooled connection in time: the database is at capacity, the request did nothing.
  if ((err as { name?: string })?.name === 'KnexTimeoutError')
    return new AppError('unavailable', 'the database is at capacity: nothing was stored, send again shortly');
  if (pgTransient(err))
    return new AppError(
      'unavailable',
      'the database connection was lost or the transaction had to give way: nothing was stored, send again shortly',
    );
  const e = err as { type?: string; status?: number; message?: string; limit?: number };
  if (e?.type === 'entity.too.large')
    return new AppError('payload_too_large', `body larger than ${e.limit} bytes`);
  if (e?.type === 'entity.parse.failed') return new AppError('bad_request', `malformed JSON: ${e.message}`);
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported')
    return new AppError('unsupported_media_type', e.message ?? 'unsupported encoding');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return new AppError('bad_request', e.message ?? 'bad request');
  }
  return new AppError('internal', 'internal error', { cause: err });
}

export function errorBody(err: AppError, requestId: string) {
  const body: { error: { code: ErrorCode; message: string; requestId: string; details?: unknown } } = {
    error: { code: err.code, message: err.message, requestId },
  };
  if (err.details.length) body.error.details = err.details;
  return body;
}

/**
 * The JSON error answer of every route; a 503 (an unavailable database) says when to send again,
 * HTTP_RETRY_AFTER_SECONDS like the admission queue's.
 */
export function jsonErrorHandler(retryAfterSeconds: number): ErrorRequestHandler {
  return (err, req, res, _next: NextFunction) => {
    const appErr = toAppError(err);
    if (appErr.code === 'internal') req.log?.error({ err }, 'unhandled error');
    else req.log?.debug({ code: appErr.code, message: appErr.message }, 'request refused');
    if (res.headersSent) return;
    if (appErr.code === 'unavailable' && !res.getHeader('Retry-After'))
      res.setHeader('Retry-After', String(retryAfterSeconds));
    res.status(appErr.httpStatus).json(errorBody(appErr, req.id ?? ''));
  };
}

export function notFoundHandler(req: Request, res: Response): void {
  const err = new AppError('not_found', `no route for ${req.method} ${loggablePath(req.originalUrl)}`);
  res.status(404).json(errorBody(err, req.id ?? ''));
}
