import { countRefusal } from '../alerts/refusals';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import express, { Router, type Request, type Response } from 'express';
import {
  buildResponse,
  CxmlError,
  isCxmlError,
  isMultipartRelated,
  parseCxml,
  readCxmlMultipart,
  type CxmlAttachmentPart,
  type CxmlCredential,
  type ParsedCxml,
  type XmlLimits,
} from '../../protocols/cxml';
import { storeDocument } from '../documents/store';
import type { AppContext } from '../platform/context';
import { toAppError } from '../platform/http';
import { SecretCheckBusyError, verifiedBefore, verifySecret } from '../platform/secrets';
import { authThrottle } from '../platform/throttle';
import { findPartnerByIdentityCached, type PartnerRow } from '../partners/repository';

/** What a handler of one cXML request type gets: the authenticated partner and the parsed document. */
export interface CxmlRequest {
  ctx: AppContext;
  partner: PartnerRow;
  doc: ParsedCxml;
  /** The exact bytes of the cXML document (the root part of a multipart/related body). */
  raw: Buffer;
  /** The other parts of a multipart/related body (cXML attachments); empty for a bare document. */
  attachments: CxmlAttachmentPart[];
  /** The HTTP request; absent when the document came another way (the payload of an AS2 message). */
  req?: Request;
  /** The request types this endpoint takes (a ProfileResponse lists them). */
  requestTypes: readonly string[];
}

/** A handler answers with a complete cXML document and its HTTP status. */
export interface CxmlAnswer {
  status: number;
  body: string;
}

export type CxmlHandler = (r: CxmlRequest) => Promise<CxmlAnswer>;

/** The handler of each request type (PunchOutSetupRequest, OrderRequest, ...), given by app.ts. */
export type CxmlHandlers = Readonly<Record<string, CxmlHandler>>;

/** Most attachments one cXML request may carry (parts of a multipart/related body besides the document). */
export const MAX_ATTACHMENTS = 32;
/** Request types whose handlers store the attachments that come with them. */
const TAKES_ATTACHMENTS = new Set(['OrderRequest']);

/** The one Sender/UserAgent of every cXML document the gateway sends. */
export const CXML_USER_AGENT = 'procurement-gateway';

const host = hostname().replace(/[^A-Za-z0-9.-]/g, '') || 'gateway';

/** payloadID in the recommended form: time.process.random@host */
export function newPayloadId(now: Date = new Date()): string {
  return `${now.getTime()}.${process.pid}.${randomBytes(6).toString('hex')}@${host}`;
}

/**
 * The payloadID one event always gets, whichever process makes it (time of the event, its id, the
 * gateway's public host name): a follow-up made again by a job that runs twice is recognised.
 */
export function eventPayloadId(ctx: Pick<AppContext, 'config'>, eventId: number, at: Date): string {
  const domain = new URL(ctx.config.publicBaseUrl).hostname.replace(/[^A-Za-z0-9.-]/g, '') || 'gateway';
  return `${at.getTime()}.e${eventId}@${domain}`;
}

/** The structure limits of inbound documents, from config (see XmlLimits). */
export function xmlLimits(config: AppContext['config']): XmlLimits {
  return {
    maxElements: config.XML_MAX_ELEMENTS,
    maxAttributes: config.XML_MAX_ATTRIBUTES,
    maxNameLength: config.XML_MAX_NAME_LENGTH,
    maxTextLength: config.XML_MAX_TEXT_LENGTH,
    maxDepth: config.XML_MAX_DEPTH,
  };
}

/** The refusal of a document whose payloadID was already received with a different body (sha256). */
export function reusedPayloadIdMessage(payloadId: string): string {
  return `payloadID "${payloadId}" was already received with a different document (its sha256 differs): a resend must be the same bytes, another document needs its own payloadID`;
}

/** Longest Status message: a refusal may quote the document, which the sender controls. */
const MAX_STATUS_MESSAGE = 2000;

/** A Response document with the given status (answers, errors). */
export function cxmlStatus(ctx: AppContext, code: number, text?: string): CxmlAnswer {
  const message =
    text !== undefined && text.length > MAX_STATUS_MESSAGE ? `${text.slice(0, MAX_STATUS_MESSAGE)}…` : text;
  return {
    status: code >= 200 && code < 300 ? 200 : code,
    body: buildResponse({
      payloadId: newPayloadId(ctx.now()),
      timestamp: ctx.now(),
      code,
      ...(message ? { message } : {}),
    }),
  };
}

export function sendCxml(res: Response, answer: CxmlAnswer): void {
  res.status(answer.status).type('text/xml; charset=utf-8').send(answer.body);
}

/**
 * The one Status text of a 401 for credentials that name no partner or a wrong SharedSecret: the
 * answer never tells a guesser whether an identity exists. Which it was is the refusal's `reason`
 * (logged and stored with the refusal, never sent).
 */
export const CXML_AUTH_FAILED =
  'Authentication failed: the From/Sender credentials and SharedSecret do not match a trading partner of this supplier';

/** A 401 whose Status text is CXML_AUTH_FAILED; `reason` says what exactly did not match. */
export class CxmlAuthRefused extends CxmlError {
  constructor(readonly reason: string) {
    super(401, CXML_AUTH_FAILED);
  }
}

/**
 * Authentication as cXML asks: a From (or Sender) credential names the partner, the Sender's
 * SharedSecret matches the stored hash (constant time), and To names this supplier.
 */
export async function authenticate(ctx: AppContext, doc: ParsedCxml): Promise<PartnerRow> {
  const header = doc.header;
  if (!header)
    throw new CxmlError(
      400,
      doc.kind === 'Response'
        ? 'A cXML Response is not a request: a request needs a Header with From, To and Sender'
        : 'A cXML request needs a Header with From, To and Sender',
      { xpath: doc.kind === 'Response' ? '/cXML/Response' : '/cXML/Header' },
    );
  const secret = header.sender.find((c) => c.sharedSecret !== undefined)?.sharedSecret;
  // Told from the document alone, before any partner is looked up: says nothing about who exists.
  if (secret === undefined) {
    const mac = header.sender.some((c) => c.credentialMac);
    throw new CxmlError(
      401,
      mac
        ? 'CredentialMac authentication is not supported; send a SharedSecret'
        : 'Sender has no SharedSecret',
    );
  }
  const candidates: CxmlCredential[] = [...header.from, ...header.sender];
  let partner: PartnerRow | undefined;
  for (const c of candidates) {
    partner = await findPartnerByIdentityCached(
      ctx.db,
      ctx.config.PARTNER_CACHE_MS,
      'cxml',
      c.domain,
      c.identity,
    );
    if (partner) break;
  }
  // Verify even for an unknown partner, so the answer takes the same time either way.
  const secretOk = await verifySecret(secret, partner?.cxml_secret_hash);
  const named = (cs: CxmlCredential[]) => cs.map((c) => `${c.domain}/${c.identity}`).join(', ') || 'none';
  if (!partner) {
    throw new CxmlAuthRefused(
      `unknown credential: no trading partner has From ${named(header.from)} or Sender ${named(header.sender)}`,
    );
  }
  if (!secretOk)
    throw new CxmlAuthRefused(
      `wrong secret: the Sender SharedSecret does not match the one on file for partner ${partner.id} (From ${named(header.from)})`,
    );
  const { SUPPLIER_CXML_DOMAIN: domain, SUPPLIER_CXML_IDENTITY: identity } = ctx.config;
  const toOk = header.to.some(
    (c) =>
      c.domain.toLowerCase() === domain.toLowerCase() && c.identity.toLowerCase() === identity.toLowerCase(),
  );
  if (!toOk) {
    throw new CxmlError(
      401,
      `To credential (${named(header.to)}) does not name this supplier (${domain}/${identity})`,
    );
  }
  return partner;
}

const uniq = (keys: string[]): string[] => [...new Set(keys)];

/** The throttle keys of the credentials a document names (From and Sender), each once. */
function credentialKeys(doc: ParsedCxml): string[] {
  const h = doc.header;
  if (!h) return [];
  return uniq(
    [...h.from, ...h.sender].map(
      (c) => `cxml\u0000${c.domain.toLowerCase()}\u0000${c.identity.toLowerCase()}`,
    ),
  );
}

/**
 * Authentication with the failure throttle: a credential over AUTH_FAILURES_PER_CREDENTIAL is let
 * through only with a SharedSecret verified before (recognised without hashing), so a flood of
 * guesses at one buyer's identity neither costs scrypt work nor locks that buyer out; failures are
 * counted per address and per credential.
 */
async function throttledAuthenticate(ctx: AppContext, doc: ParsedCxml, address: string): Promise<PartnerRow> {
  const throttle = authThrottle(ctx.config);
  const keys = credentialKeys(doc);
  const wait = Math.max(0, ...keys.map((k) => throttle.credential.blockedFor(k)));
  if (wait > 0) {
    const secret = doc.header?.sender.find((c) => c.sharedSecret !== undefined)?.sharedSecret;
    let known = false;
    for (const c of doc.header?.from ?? []) {
      const p = await findPartnerByIdentityCached(
        ctx.db,
        ctx.config.PARTNER_CACHE_MS,
        'cxml',
        c.domain,
        c.identity,
      );
      if (p && secret !== undefined && verifiedBefore(secret, p.cxml_secret_hash)) known = true;
    }
    if (!known) throw tooManyFailures(wait, 'AUTH_FAILURES_PER_CREDENTIAL');
  }
  try {
    return await authenticate(ctx, doc);
  } catch (err) {
    if (err instanceof SecretCheckBusyError) {
      throw new CxmlError(503, 'Too many authentications are waiting; try again shortly');
    }
    if (isCxmlError(err) && err.status === 401) {
      throttle.address.fail(address);
      countRefusal(ctx.db, 'cxml');
      for (const k of keys) throttle.credential.fail(k);
    }
    throw err;
  }
}

class TooManyFailures extends CxmlError {
  constructor(
    readonly retryAfter: number,
    setting: string,
  ) {
    super(
      429,
      `Too many failed authentications (the limit is set by ${setting}); try again in ${retryAfter} s`,
    );
  }
}

function tooManyFailures(retryAfter: number, setting: string): TooManyFailures {
  return new TooManyFailures(retryAfter, setting);
}

/** An address over its failure limit is answered before its body is read; then the body, bounded. */
function bodyGate(ctx: AppContext): express.RequestHandler {
  const raw = express.raw({ type: () => true, limit: ctx.config.MAX_BODY_BYTES });
  return (req, res, next) => {
    const wait = authThrottle(ctx.config).address.blockedFor(req.ip ?? '');
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      sendCxml(res, cxmlStatus(ctx, 429, tooManyFailures(wait, 'AUTH_FAILURES_PER_ADDRESS').message));
      return;
    }
    raw(req, res, (err?: unknown) => {
      if (err) {
        const e = err as { type?: string };
        const answer =
          e.type === 'entity.too.large'
            ? cxmlStatus(ctx, 413, `Document larger than ${ctx.config.MAX_BODY_BYTES} bytes`)
            : cxmlStatus(ctx, 400, 'Unreadable request body');
        sendCxml(res, answer);
        return;
      }
      next();
    });
  };
}

interface Received {
  body: Buffer;
  contentType: string | undefined;
  doc?: ParsedCxml;
  partner?: PartnerRow;
}

/** Parses, authenticates and hands the document to its request type's handler. */
async function dispatch(
  ctx: AppContext,
  handlers: CxmlHandlers,
  req: express.Request,
  got: Received,
): Promise<CxmlAnswer> {
  const requestTypes = Object.keys(handlers);
  const { body, contentType } = got;
  if (body.length === 0) throw new CxmlError(400, 'Empty request body: send a cXML document');
  // cXML with attachments: the document is the root part (read in one bounded pass).
  let xml = body;
  let attachments: CxmlAttachmentPart[] = [];
  if (isMultipartRelated(contentType)) {
    ({ root: xml, attachments } = readCxmlMultipart(contentType as string, body, {
      maxBytes: ctx.config.MAX_BODY_BYTES,
      maxAttachments: MAX_ATTACHMENTS,
    }));
  }
  const doc = parseCxml(xml, { maxBytes: ctx.config.MAX_BODY_BYTES, limits: xmlLimits(ctx.config) });
  got.doc = doc;
  const partner = await throttledAuthenticate(ctx, doc, req.ip ?? '');
  got.partner = partner;
  const handler = Object.hasOwn(handlers, doc.requestType) ? handlers[doc.requestType] : undefined;
  if (!handler) {
    throw new CxmlError(
      406,
      `${doc.requestType} is not supported here; supported: ${requestTypes.join(', ')}`,
      {
        xpath: `/cXML/${doc.kind}/${doc.requestType}`,
      },
    );
  }
  if (attachments.length > 0 && !TAKES_ATTACHMENTS.has(doc.requestType)) {
    throw new CxmlError(
      406,
      `${doc.requestType} takes no attachments here; only ${[...TAKES_ATTACHMENTS].join(', ')} does`,
    );
  }
  return handler({ ctx, partner, doc, raw: xml, attachments, req, requestTypes });
}

/** The answer to a failed request; a refusal is stored for the audit trail and changes nothing else. */
async function answerFailure(
  ctx: AppContext,
  req: express.Request,
  res: express.Response,
  err: unknown,
  got: Received,
): Promise<void> {
  if (!isCxmlError(err)) {
    const mapped = toAppError(err);
    if (mapped.code === 'unavailable') {
      // The database was at capacity or its connection was cut: nothing was stored.
      req.log.warn({ err: (err as Error).message }, 'cXML request answered 503');
      res.setHeader('Retry-After', String(ctx.config.HTTP_RETRY_AFTER_SECONDS));
      sendCxml(res, cxmlStatus(ctx, 503, mapped.message));
      return;
    }
    req.log.error({ err }, 'cXML request failed');
    sendCxml(res, cxmlStatus(ctx, 500, `Internal error (request id ${req.id})`));
    return;
  }
  const answer = cxmlStatus(ctx, err.status, err.detail);
  // The precise reason of a refused authentication: in the log and the stored refusal only.
  const reason = err instanceof CxmlAuthRefused ? err.reason : undefined;
  if (reason) req.log.warn({ reason, address: req.ip }, 'cXML authentication refused');
  if (err instanceof TooManyFailures) res.setHeader('Retry-After', String(err.retryAfter));
  const { partner, doc, contentType, body } = got;
  await storeDocument(
    ctx.db,
    {
      partnerId: partner?.id ?? null,
      protocol: 'cxml',
      docType: doc?.requestType ?? 'unknown',
      direction: 'in',
      externalId: null,
      status: 'refused',
      contentType: isMultipartRelated(contentType) ? (contentType as string) : 'text/xml',
      content: body,
      error: reason ?? err.detail,
      // Before authentication anyone can send this: its digest, size and a prefix, not the body.
      ...(partner ? {} : { keepPrefix: ctx.config.REFUSAL_PREFIX_BYTES }),
    },
    { status: answer.status, contentType: 'text/xml; charset=utf-8', body: answer.body },
  ).catch((e: unknown) => req.log.error({ err: e }, 'could not store refused document'));
  sendCxml(res, answer);
}

/** POST /cxml: the one endpoint for inbound cXML; dispatches by request type. */
export function cxmlRoutes(ctx: AppContext, handlers: CxmlHandlers): Router {
  const r = Router();
  r.post('/cxml', bodyGate(ctx), async (req, res) => {
    const got: Received = {
      body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      contentType: req.get('content-type'),
    };
    try {
      sendCxml(res, await dispatch(ctx, handlers, req, got));
    } catch (err) {
      await answerFailure(ctx, req, res, err, got);
    }
  });
  return r;
}
