/**
 * CSRF protection of page forms: a synchronizer token per session, derived (HMAC-SHA256 with a
 * server secret) from the session's key instead of stored. The key is what identifies the session
 * to us and that another site cannot read: the browser token in a punchout page's path, the page
 * session id in the approvals/finance cookie, the pre-session nonce cookie of a sign-in form. Every
 * POST of a page form carries the token in its `csrf` field; `requireCsrf` refuses the rest with
 * the layout's 403 page.
 *
 * Exempt are exactly the browser form posts that come from the buyer's system or an e-mail and are
 * authenticated by their own credentials, not by a session of ours: see CSRF_EXEMPT.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Config } from '../config';
import { randomToken, safeEqual } from '../secrets';

/** Form posts that carry their own credentials and so no CSRF token (path: why). */
export const CSRF_EXEMPT: Readonly<Record<string, string>> = {
  'POST /oci':
    "OCI login posted by the buyer's SRM from its own page: USERNAME/PASSWORD authenticate it, and it cannot know our token",
  'POST /approvals/link':
    "an approver's one-time link from the e-mail: the form carries the signed single-use link token",
};

/** Marks the middleware so a test can check that every page POST route runs one. */
export const CSRF_CHECK = Symbol.for('gateway.pages.csrf-check');

const secrets = new WeakMap<Config, Buffer>();
let processSecret: string | undefined;

/**
 * The key of the tokens: derived from SECRETS_KEY, else ADMIN_TOKEN (one of them is set in
 * production, the same in every process), else a per-process random value (a lone dev process).
 */
function secretOf(config: Config): Buffer {
  let s = secrets.get(config);
  if (!s) {
    const base =
      config.SECRETS_KEY ?? config.ADMIN_TOKEN ?? (processSecret ??= randomBytes(32).toString('hex'));
    s = createHmac('sha256', base).update('page-forms/v1').digest();
    secrets.set(config, s);
  }
  return s;
}

/** The token of a session's forms. */
export function csrfToken(config: Config, sessionKey: string): string {
  return createHmac('sha256', secretOf(config)).update('csrf\0').update(sessionKey).digest('base64url');
}

/** Whether a form's `csrf` field is the session's token (constant-time compare). */
export function csrfValid(config: Config, sessionKey: string, given: unknown): boolean {
  return typeof given === 'string' && given !== '' && safeEqual(given, csrfToken(config, sessionKey));
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by checkCsrfLater: whether the form carried the sign-in token. */
    csrfOk?: boolean;
  }
}

/** A cookie of the request; undefined when absent or not decodable (never throws). */
export function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The cookie that keys sign-in forms before there is a session (a random nonce, nothing else). */
export const SIGN_IN_COOKIE = 'gw_signin';
const NONCE = /^[A-Za-z0-9_-]{32}$/;

/**
 * The key of a sign-in form: the nonce in SIGN_IN_COOKIE (HttpOnly, SameSite=Strict), set on the
 * response when the browser has none. Its token in the form stops login CSRF (another site signing
 * the browser in to an account of the attacker's): that site can neither read the cookie nor
 * compute the HMAC, even if it manages to set the cookie itself.
 */
export function signInKey(req: Request, res: Response, opts: { secure: boolean }): string {
  const have = cookieValue(req, SIGN_IN_COOKIE);
  if (have && NONCE.test(have)) return have;
  const nonce = randomToken(24);
  res.append(
    'Set-Cookie',
    `${SIGN_IN_COOKIE}=${nonce}; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600${opts.secure ? '; Secure' : ''}`,
  );
  return nonce;
}

/** The sign-in nonce the request already carries (none is set): for re-showing a refused form. */
export function signInNonce(req: Request): string | undefined {
  const have = cookieValue(req, SIGN_IN_COOKIE);
  return have && NONCE.test(have) ? have : undefined;
}

/**
 * For sign-in posts: checks the form's token against the sign-in nonce and leaves the answer to the
 * handler (`req.csrfOk`), which refuses wrong credentials with 401 first (that reveals nothing the
 * API does not) and right credentials without the token with the 403 page, before any session is
 * made.
 */
export function checkCsrfLater(config: Config): RequestHandler {
  const check = (req: Request, _res: Response, next: NextFunction): void => {
    const nonce = cookieValue(req, SIGN_IN_COOKIE);
    req.csrfOk = !!nonce && NONCE.test(nonce) && csrfValid(config, nonce, formField(req, 'csrf'));
    next();
  };
  return Object.assign(check, { [CSRF_CHECK]: true });
}

export function formField(req: Request, name: string): unknown {
  const body = req.body as Record<string, unknown> | undefined;
  return body && typeof body === 'object' ? body[name] : undefined;
}

/**
 * Middleware after the body parser and the session lookup: `keyOf` names the session's key (or
 * undefined when there is none), `refuse` answers a missing or wrong token (the layout's 403 page).
 */
export function requireCsrf(
  config: Config,
  keyOf: (req: Request) => string | undefined,
  refuse: (req: Request, res: Response) => void,
): RequestHandler {
  const check = (req: Request, res: Response, next: NextFunction): void => {
    const key = keyOf(req);
    if (key === undefined || !csrfValid(config, key, formField(req, 'csrf'))) return refuse(req, res);
    next();
  };
  return Object.assign(check, { [CSRF_CHECK]: true });
}
