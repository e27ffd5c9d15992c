import type { Response } from 'express';
import type { AppContext } from '../platform/context';
import type { Q } from '../platform/db';
import { keyPrefix } from './service';

/**
 * Why a bearer token authenticated nobody, for the log: names the key's prefix and id where one is
 * known, never the token. Asked only after a failure (failures are throttled), never on success.
 * The client gets the one text `invalid token` whichever it was (unknown key, wrong secret part of
 * a known key, revoked key, key of a deleted partner, wrong admin token).
 */
export async function refusedBecause(q: Q, token: string, tokenHash: string): Promise<string> {
  if (!token.startsWith('gwk_')) return 'neither the admin token nor an API key (no gwk_ prefix)';
  const prefix = keyPrefix(token);
  const rows = await q('api_keys as k')
    .join('partners as p', 'p.id', 'k.partner_id')
    .where('k.prefix', prefix)
    .select<
      { id: string; key_hash: string; revoked_at: Date | null; deleted_at: Date | null; partner_id: string }[]
    >('k.id', 'k.key_hash', 'k.revoked_at', 'p.deleted_at', 'k.partner_id')
    .limit(20);
  const same = rows.find((r) => r.key_hash === tokenHash);
  if (same?.revoked_at)
    return `API key ${prefix}… (id ${same.id}) was revoked at ${new Date(same.revoked_at).toISOString()}`;
  if (same?.deleted_at)
    return `API key ${prefix}… (id ${same.id}) belongs to deleted partner ${same.partner_id}`;
  if (same) return `API key ${prefix}… (id ${same.id}) was not found when checked`;
  if (rows.length > 0)
    return `wrong secret for API key prefix ${prefix}… (key id ${rows.map((r) => r.id).join(', ')}): the rest of the token does not match`;
  return `unknown credential: no API key has the prefix ${prefix}…`;
}

/** Logs (warn, with the request id) why a bearer token was refused; never throws. */
export async function logBearerRefusal(
  ctx: AppContext,
  res: Response,
  token: string,
  tokenHash: string,
  address: string,
): Promise<void> {
  const reason = await refusedBecause(ctx.db, token, tokenHash).catch(
    (err: unknown) => `(the reason could not be looked up: ${(err as Error).message})`,
  );
  (res.req?.log ?? ctx.log).warn({ reason, address }, 'bearer authentication refused');
}
