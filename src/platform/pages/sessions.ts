/**
 * Server-side sessions of the pages people sign in to (approvals, finance, the console). Signing in
 * with the admin token or a partner's key (approvals, finance), or as a console user with username
 * and password (console), makes a row; the browser's cookie carries only a random session id
 * (HttpOnly, Secure over https; SameSite=Strict and Path of the area for approvals and finance,
 * SameSite=Lax and Path=/ for the console, whose session also opens the areas its roles allow),
 * never the key. The row holds the
 * SHA-256 of that id (a database reader cannot use it), who signed in and both expiries: absolute
 * (PAGE_SESSION_MAX_HOURS after sign-in) and idle (PAGE_SESSION_IDLE_MINUTES without a request).
 *
 * A session ends when it is signed out (the row is deleted), when it expires, when the API key it
 * was made with is revoked or its partner deleted, when its console user is disabled or changes
password (the row is deleted), and for admin sessions when ADMIN_TOKEN changes:
 * each lookup checks all of these, so it works at once and across processes. The session id is the
 * key of the area's CSRF tokens and flash messages.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { UserRole } from '../../console/users';
import type { AppContext } from '../context';
import { randomToken, sha256Hex } from '../secrets';
import { cookieValue } from './csrf';

export type PageArea = 'approvals' | 'finance' | 'console';

/** A console user as its session sees it (roles and partner limits read at every lookup). */
export interface ConsoleUser {
  role: 'user';
  userId: string;
  username: string;
  roles: UserRole[];
  /** The partners an approver or finance user is limited to; null: every partner. */
  partnerIds: string[] | null;
}

/** Who signed in: the admin token, a partner's API key (its id and role), or a console user. */
export type SessionSubject =
  { role: 'admin' } | { role: 'finance' | 'erp'; partnerId: string; apiKeyId: string } | ConsoleUser;

export interface PageSession {
  /** The session id from the cookie: the key of CSRF tokens and flash messages. */
  id: string;
  area: PageArea;
  subject: SessionSubject;
  createdAt: Date;
  expiresAt: Date;
  lastSeenAt: Date;
}

type SessionContext = Pick<AppContext, 'db' | 'now' | 'config'>;

interface SessionRow {
  id_hash: string;
  area: PageArea;
  role: 'admin' | 'finance' | 'erp' | 'user';
  partner_id: string | null;
  api_key_id: string | null;
  user_id: string | null;
  username: string | null;
  user_roles: UserRole[] | null;
  user_partner_ids: string[] | null;
  user_disabled_at: Date | null;
  admin_tag: string | null;
  created_at: Date;
  expires_at: Date;
  last_seen_at: Date;
  key_revoked_at: Date | null;
  partner_deleted_at: Date | null;
}

/** The cookie of an area's session. */
export const SESSION_COOKIES: Readonly<Record<PageArea, string>> = {
  approvals: 'gw_approvals',
  finance: 'gw_finance',
  console: 'gw_console',
};
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

const idHash = (id: string) => sha256Hex(`page-session\0${id}`);
/** Stands for the admin token in the row: a changed ADMIN_TOKEN no longer matches it. */
const adminTag = (token: string) => sha256Hex(`page-session-admin\0${token}`);

const idleMs = (ctx: SessionContext) => ctx.config.PAGE_SESSION_IDLE_MINUTES * 60_000;
const maxMs = (ctx: SessionContext) => ctx.config.PAGE_SESSION_MAX_HOURS * 3_600_000;

/** last_seen_at is written at most this often per session (the idle expiry is that coarse). */
const touchEveryMs = (ctx: SessionContext) => Math.min(60_000, idleMs(ctx) / 4);

/** Starts a session for `subject` and returns it; sessions past their expiry are deleted first. */
export async function startPageSession(
  ctx: SessionContext,
  area: PageArea,
  subject: SessionSubject,
): Promise<PageSession> {
  const admin = ctx.config.ADMIN_TOKEN;
  if (subject.role === 'admin' && !admin) throw new Error('an admin session needs ADMIN_TOKEN');
  if ((area === 'console') !== (subject.role === 'user'))
    throw new Error('console sessions are exactly the sessions of console users');
  const key = subject.role === 'finance' || subject.role === 'erp' ? subject : undefined;
  const now = ctx.now();
  const id = randomToken(32);
  const expiresAt = new Date(now.getTime() + maxMs(ctx));
  await ctx.db.transaction(async (trx) => {
    await trx('page_sessions')
      .where('expires_at', '<', now)
      .orWhere('last_seen_at', '<', new Date(now.getTime() - idleMs(ctx)))
      .delete();
    await trx('page_sessions').insert({
      id_hash: idHash(id),
      area,
      role: subject.role,
      partner_id: key?.partnerId ?? null,
      api_key_id: key?.apiKeyId ?? null,
      user_id: subject.role === 'user' ? subject.userId : null,
      admin_tag: subject.role === 'admin' ? adminTag(admin as string) : null,
      created_at: now,
      expires_at: expiresAt,
      last_seen_at: now,
    });
  });
  return { id, area, subject, createdAt: now, expiresAt, lastSeenAt: now };
}

function live(ctx: SessionContext, row: SessionRow, now: Date): boolean {
  if (row.expires_at.getTime() <= now.getTime()) return false;
  if (row.last_seen_at.getTime() + idleMs(ctx) <= now.getTime()) return false;
  if (row.role === 'admin') {
    const admin = ctx.config.ADMIN_TOKEN;
    return !!admin && row.admin_tag === adminTag(admin);
  }
  if (row.role === 'user') return row.username !== null && row.user_disabled_at === null;
  return row.key_revoked_at === null && row.partner_deleted_at === null;
}

/**
 * The live session of the area with this id; undefined for an unknown, signed-out, expired or
 * revoked one (whose row is then deleted). Records the request as the session's last activity.
 */
export async function findPageSession(
  ctx: SessionContext,
  area: PageArea,
  id: string | undefined,
): Promise<PageSession | undefined> {
  if (!id || !SESSION_ID.test(id)) return undefined;
  const hash = idHash(id);
  const row = await ctx
    .db('page_sessions as s')
    .leftJoin('api_keys as k', 'k.id', 's.api_key_id')
    .leftJoin('partners as p', 'p.id', 's.partner_id')
    .leftJoin('console_users as u', 'u.id', 's.user_id')
    .where({ 's.id_hash': hash, 's.area': area })
    .first<SessionRow | undefined>(
      's.*',
      'k.revoked_at as key_revoked_at',
      'p.deleted_at as partner_deleted_at',
      'u.username',
      'u.roles as user_roles',
      'u.partner_ids as user_partner_ids',
      'u.disabled_at as user_disabled_at',
    );
  if (!row) return undefined;
  const now = ctx.now();
  if (!live(ctx, row, now)) {
    await ctx.db('page_sessions').where({ id_hash: hash }).delete();
    return undefined;
  }
  let lastSeenAt = row.last_seen_at;
  if (now.getTime() - lastSeenAt.getTime() >= touchEveryMs(ctx)) {
    await ctx.db('page_sessions').where({ id_hash: hash }).update({ last_seen_at: now });
    lastSeenAt = now;
  }
  const subject: SessionSubject =
    row.role === 'admin'
      ? { role: 'admin' }
      : row.role === 'user'
        ? {
            role: 'user',
            userId: row.user_id as string,
            username: row.username as string,
            roles: row.user_roles ?? [],
            partnerIds: row.user_partner_ids,
          }
        : { role: row.role, partnerId: row.partner_id as string, apiKeyId: row.api_key_id as string };
  return { id, area, subject, createdAt: row.created_at, expiresAt: row.expires_at, lastSeenAt };
}

/** Signs the session out: its row is gone, so its cookie is worth nothing from now on. */
export async function endPageSession(ctx: Pick<AppContext, 'db'>, id: string): Promise<void> {
  await ctx
    .db('page_sessions')
    .where({ id_hash: idHash(id) })
    .delete();
}

/** Ends every session made with an API key (its revocation already makes them unusable). */
export async function endPageSessionsOfKey(ctx: Pick<AppContext, 'db'>, apiKeyId: string): Promise<number> {
  return ctx.db('page_sessions').where({ api_key_id: apiKeyId }).delete();
}

function cookieAttributes(area: PageArea, req: Request): string {
  // The console's cookie reaches every page area (its session opens those its roles allow) and
  // arrives on links followed from elsewhere (Lax); its forms carry the CSRF token like all others.
  const scope =
    area === 'console' ? 'Path=/; HttpOnly; SameSite=Lax' : `Path=/${area}; HttpOnly; SameSite=Strict`;
  return `${scope}${req.secure ? '; Secure' : ''}`;
}

/** Sets the area's cookie to the session id, for as long as the session may live. */
export function setSessionCookie(req: Request, res: Response, session: PageSession): void {
  const maxAge = Math.max(0, Math.floor((session.expiresAt.getTime() - session.createdAt.getTime()) / 1000));
  res.append(
    'Set-Cookie',
    `${SESSION_COOKIES[session.area]}=${session.id}; ${cookieAttributes(session.area, req)}; Max-Age=${maxAge}`,
  );
}

export function clearSessionCookie(req: Request, res: Response, area: PageArea): void {
  res.append('Set-Cookie', `${SESSION_COOKIES[area]}=; ${cookieAttributes(area, req)}; Max-Age=0`);
}

/**
 * A sign-in that succeeded: the browser's previous session of the area (if any) ends, a new one
 * starts and its cookie is set. Sign-in always makes a new id, never keeps one the browser brought.
 */
export async function signInPageSession(
  ctx: SessionContext,
  req: Request,
  res: Response,
  area: PageArea,
  subject: SessionSubject,
): Promise<PageSession> {
  // Only the area's own session: a console session that opened this area stays.
  if (req.pageSession?.area === area) await endPageSession(ctx, req.pageSession.id);
  const session = await startPageSession(ctx, area, subject);
  setSessionCookie(req, res, session);
  return session;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The page session of the request (set by loadPageSession when the cookie names a live one). */
    pageSession?: PageSession;
    /**
     * A live console session that may not use this area (its user lacks the role): the page says
     * so instead of offering a sign-in.
     */
    consoleSession?: PageSession;
  }
}

/**
 * Middleware: looks the area's cookie up and sets `req.pageSession` when it names a live session;
 * a cookie naming none is cleared. Whether a page needs a session is the page's decision.
 *
 * With `consoleMay`, a live console session whose user `consoleMay` admits is the area's session
 * (it is looked at first: a named user before the admin token); one it does not admit is left in
 * `req.consoleSession`.
 */
export function loadPageSession(
  ctx: SessionContext,
  area: PageArea,
  consoleMay?: (user: ConsoleUser) => boolean,
): RequestHandler {
  const lookup = async (req: Request, res: Response, a: PageArea) => {
    const id = cookieValue(req, SESSION_COOKIES[a]);
    if (id === undefined) return undefined;
    const session = await findPageSession(ctx, a, id);
    if (!session) clearSessionCookie(req, res, a);
    return session;
  };
  return async (req, res, next) => {
    if (consoleMay && area !== 'console') {
      const c = await lookup(req, res, 'console');
      if (c && c.subject.role === 'user' && consoleMay(c.subject)) {
        req.pageSession = c;
        return next();
      }
      if (c) req.consoleSession = c;
    }
    const session = await lookup(req, res, area);
    if (session) req.pageSession = session;
    next();
  };
}

/** The console user of a session (undefined for the admin token's and partner keys' sessions). */
export function consoleUserOf(s: PageSession | undefined): ConsoleUser | undefined {
  return s?.subject.role === 'user' ? s.subject : undefined;
}
