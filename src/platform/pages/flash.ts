/**
 * Flash messages after POST-redirect-GET: the POST stores the message bound to the session's key
 * and redirects to a URL carrying its id (`?flash=<id>`); the page at that URL shows it once and
 * deletes it. Server-side and in the URL, not in a cookie, because punchout pages run in the
 * buyer's iframe where third-party cookies are blocked. A reload, a shared URL or another session
 * shows nothing, and nobody can make a page say what a crafted link wants (the text is ours).
 */
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context';
import { isUuid } from '../db';
import { sha256Hex } from '../secrets';

export type FlashKind = 'success' | 'info' | 'warning' | 'error';

export interface Flash {
  kind: FlashKind;
  message: string;
  /** Further lines under the message (e.g. what was skipped). */
  details?: string[];
}

type FlashContext = Pick<AppContext, 'db' | 'now'>;

/** A message nobody picked up (the redirect was never followed) is gone after this long. */
export const FLASH_TTL_MS = 10 * 60_000;
const MAX_TEXT = 500;
const MAX_DETAILS = 50;

/** `url` with its `flash` query parameter set (other parameters kept). */
export function withFlash(url: string, id: string): string {
  const u = new URL(url, 'http://local');
  u.searchParams.set('flash', id);
  return `${u.pathname}${u.search}${u.hash}`;
}

/** Stores the message for the session and returns `url` carrying its id: the redirect target. */
export async function flashUrl(
  ctx: FlashContext,
  sessionKey: string,
  url: string,
  flash: Flash,
): Promise<string> {
  const id = randomUUID();
  const now = ctx.now();
  await ctx.db.transaction(async (trx) => {
    await trx('page_flashes')
      .where('created_at', '<', new Date(now.getTime() - FLASH_TTL_MS))
      .delete();
    await trx('page_flashes').insert({
      id,
      session_hash: sha256Hex(`flash\0${sessionKey}`),
      kind: flash.kind,
      message: flash.message.slice(0, MAX_TEXT),
      details: JSON.stringify((flash.details ?? []).slice(0, MAX_DETAILS).map((d) => d.slice(0, MAX_TEXT))),
      created_at: now,
    });
  });
  return withFlash(url, id);
}

/** The message the request's `flash` parameter names, if it is this session's and fresh; consumed. */
export async function takeFlash(ctx: FlashContext, sessionKey: string, query: unknown): Promise<Flash[]> {
  const id = (query as Record<string, unknown> | undefined)?.flash;
  if (typeof id !== 'string' || !isUuid(id)) return [];
  const rows = await ctx
    .db('page_flashes')
    .where({ id, session_hash: sha256Hex(`flash\0${sessionKey}`) })
    .where('created_at', '>=', new Date(ctx.now().getTime() - FLASH_TTL_MS))
    .returning(['kind', 'message', 'details'])
    .delete<{ kind: FlashKind; message: string; details: unknown }[]>();
  return rows.map((r) => {
    const details = Array.isArray(r.details)
      ? r.details.filter((d): d is string => typeof d === 'string')
      : [];
    return { kind: r.kind, message: r.message, ...(details.length ? { details } : {}) };
  });
}
