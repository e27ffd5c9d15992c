/**
 * The partner use cases bound to one context, for the admin API and the console: partners
 * (create or replace, list, one, delete) and their API keys (create, list, revoke, rotate).
 */
import type { AppContext } from '../platform/context';
import { notFound } from '../platform/errors';
import { findPartner, findPartnerCached, listPartners, type PartnerRow } from './repository';
import type { PartnerInput } from './schema';
import {
  type ApiKeyRole,
  createApiKey,
  deletePartner,
  listApiKeys,
  revokeApiKey,
  rotateApiKey,
  upsertPartner,
} from './service';

export function partnerUseCases(ctx: Pick<AppContext, 'db' | 'config'>) {
  const db = ctx.db;
  return {
    save: (input: PartnerInput) => upsertPartner(db, input, { secretsKey: ctx.config.SECRETS_KEY }),
    list: () => listPartners(db),
    /** The partner through the partner cache (PARTNER_CACHE_MS), or undefined. */
    cached: (id: string) => findPartnerCached(db, ctx.config.PARTNER_CACHE_MS, id),
    /** The partner, or 404. */
    get: async (id: string): Promise<PartnerRow> => {
      const p = await findPartner(db, id);
      if (!p) throw notFound('partner');
      return p;
    },
    remove: (id: string) => deletePartner(db, id),
    createKey: (partnerId: string, role: ApiKeyRole) => createApiKey(db, partnerId, role),
    listKeys: (partnerId: string) => listApiKeys(db, partnerId),
    /** Revokes a key; with `partnerId`, only that partner's key. */
    revokeKey: (keyId: string, partnerId?: string) => revokeApiKey(db, keyId, partnerId),
    rotateKey: (keyId: string, partnerId?: string) => rotateApiKey(db, keyId, partnerId),
  };
}
