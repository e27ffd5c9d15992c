import { countRefusal } from '../alerts/refusals';
import type { RequestHandler, Request, Response } from 'express';
import type { AppContext } from '../platform/context';
import { AppError } from '../platform/errors';
import { safeEqual, sha256Hex } from '../platform/secrets';
import { authThrottle } from '../platform/throttle';
import { logBearerRefusal } from './auth-refusal';
import { findApiKeyCached } from './repository';

export type Principal =
  { kind: 'admin' } | { kind: 'partner'; partnerId: string; role: 'erp' | 'finance'; keyId: string };

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

type Allowed = 'admin' | 'erp' | 'finance';

/**
 * Who a token is: the admin token (constant-time compare) or a partner API key (looked up by its
 * SHA-256, cached for PARTNER_CACHE_MS like partners). Failed attempts count per client address and
 * per credential; over a limit the answer is 429 (with Retry-After on `res`) before any lookup.
 * Used by the bearer check below and by the page sign-in forms.
 */
export async function authenticateToken(
  ctx: AppContext,
  token: string,
  address: string,
  res: Response,
): Promise<Principal> {
  const throttle = authThrottle(ctx.config);
  refuseBlockedAddress(ctx, address, res);
  const adminToken = ctx.config.ADMIN_TOKEN;
  if (adminToken && safeEqual(token, adminToken)) return { kind: 'admin' };
  const tokenHash = sha256Hex(token);
  const credential = `bearer\u0000${tokenHash}`;
  const credentialWait = throttle.credential.blockedFor(credential);
  if (credentialWait > 0) throw tooMany(res, credentialWait, 'AUTH_FAILURES_PER_CREDENTIAL');
  const key = await findApiKeyCached(ctx.db, ctx.config.PARTNER_CACHE_MS, tokenHash);
  if (!key) {
    throttle.address.fail(address);
    countRefusal(ctx.db, 'api');
    throttle.credential.fail(credential);
    await logBearerRefusal(ctx, res, token, tokenHash, address);
    throw new AppError('unauthorized', 'invalid token');
  }
  touchApiKey(ctx, key.id);
  return { kind: 'partner', partnerId: key.partner_id, role: key.role, keyId: key.id };
}

function tooMany(res: Response, wait: number, setting: string): AppError {
  res.setHeader('Retry-After', String(wait));
  return new AppError(
    'too_many_requests',
    `too many failed authentications (the limit is set by ${setting}); try again in ${wait} s`,
  );
}

/** 429 for an address over its limit of failed authentications. */
function refuseBlockedAddress(ctx: AppContext, address: string, res: Response): void {
  const wait = authThrottle(ctx.config).address.blockedFor(address);
  if (wait > 0) throw tooMany(res, wait, 'AUTH_FAILURES_PER_ADDRESS');
}

/** Bearer authentication (see authenticateToken); `allowed` names who may pass. */
export function requireAuth(ctx: AppContext, ...allowed: Allowed[]): RequestHandler {
  return async (req, res, next) => {
    const address = req.ip ?? '';
    refuseBlockedAddress(ctx, address, res);
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new AppError('unauthorized', 'missing bearer token (Authorization: Bearer <token>)');
    req.principal = await authenticateToken(ctx, m[1]!, address, res); // not an optional group
    const p = req.principal;
    const ok = p.kind === 'admin' ? allowed.includes('admin') : allowed.includes(p.role);
    if (!ok) throw new AppError('forbidden', 'this token may not use this endpoint');
    next();
  };
}

const TOUCH_EVERY_MS = 60_000;
const touched = new Map<string, number>();

/** Records when a key was used: at most once a minute per key and process, never waited for. */
function touchApiKey(ctx: AppContext, keyId: string): void {
  const now = Date.now();
  if ((touched.get(keyId) ?? 0) > now - TOUCH_EVERY_MS) return;
  if (touched.size > 10_000) touched.clear();
  touched.set(keyId, now);
  ctx
    .db('api_keys')
    .where({ id: keyId })
    .update({ last_used_at: ctx.db.fn.now() })
    .catch((err: unknown) => ctx.log.warn({ err }, 'could not record the use of an API key'));
}

/** The partner whose data a request may see: its own for a partner key, any (undefined) for admin. */
export function partnerScope(req: Request): string | undefined {
  const p = req.principal;
  if (!p) throw new AppError('unauthorized', 'not authenticated');
  return p.kind === 'partner' ? p.partnerId : undefined;
}
