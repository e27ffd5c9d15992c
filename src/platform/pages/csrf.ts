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
import { safeEqual } from '../secrets';

/** Form posts that carry their own credentials and so no CSRF token (path: why). */
export const CSRF_EXEMPT: Readonly<Record<string, string>> = {
  'POST /oci':
    "OCI login posted by the buyer's SRM from its own page: USERNAME/PASSWORD authenticate it, and it cannot know our token",
  'POST /approvals/link':
    "an approver's one-time link from the e-mail: the form carries the signed single-use link token",
};

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

export function formField(req: Request, name: string): unknown {
  const body = req.body as Record<string, unknown> | undefined;
  return body && typeof body === 'object' ? body[name] : undefined;
}

/** Marks the middleware so a test can check that every page POST route runs one. */
export const CSRF_CHECK = Symbol.for('gateway.pages.csrf-check');

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
