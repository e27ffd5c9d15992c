import { ReadThroughCache } from '../platform/cache';
import type { Q } from '../platform/db';
import type { PartnerSettings } from './schema';

export interface PartnerRow {
  id: string;
  name: string;
  currency: string;
  price_list: string | null;
  catalog_visibility: 'all' | 'priceList';
  settings: PartnerSettings;
  cxml_secret_hash: string | null;
  oci_password_hash: string | null;
  /** The supplier's outbound cXML SharedSecret for this partner, encrypted (platform/crypto.ts). */
  cxml_supplier_secret_enc: string | null;
  /** The partner's SFTP password / private key, encrypted (sftp-credentials.ts). */
  sftp_credentials_enc: string | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

export type Partner = PartnerRow;

export async function findPartner(q: Q, id: string): Promise<PartnerRow | undefined> {
  return q<PartnerRow>('partners').where({ id }).whereNull('deleted_at').first();
}

export async function listPartners(q: Q): Promise<PartnerRow[]> {
  return q<PartnerRow>('partners').whereNull('deleted_at').orderBy('id');
}

/** The partner a credential names (cXML domain+identity, OCI username, X12 qualifier+id, AS2 name). */
export async function findPartnerByIdentity(
  q: Q,
  protocol: 'cxml' | 'oci' | 'x12' | 'as2',
  domain: string,
  identity: string,
): Promise<PartnerRow | undefined> {
  return q<PartnerRow>('partners as p')
    .join('partner_identities as i', 'i.partner_id', 'p.id')
    .where('i.protocol', protocol)
    .whereRaw('lower(i.domain) = lower(?) and lower(i.identity) = lower(?)', [domain, identity])
    .whereNull('p.deleted_at')
    .first('p.*');
}

/**
 * Partner lookups of inbound documents and API requests, reused for PARTNER_CACHE_MS so that a busy
 * partner's requests do not each ask the database (see ReadThroughCache). A partner changed in this
 * process (upsertPartner, deletePartner) is dropped at once; a change made by another process is seen
 * after at most the TTL.
 */
const byIdentity = new ReadThroughCache<PartnerRow>();
const byId = new ReadThroughCache<PartnerRow>();
const apiKeys = new ReadThroughCache<ApiKeyRow>();

/** Forgets every cached partner and API key (called by every partner change and key revocation). */
export function partnersChanged(): void {
  byIdentity.clear();
  byId.clear();
  apiKeys.clear();
}

export function findPartnerByIdentityCached(
  q: Q,
  ttlMs: number,
  protocol: 'cxml' | 'oci' | 'x12' | 'as2',
  domain: string,
  identity: string,
): Promise<PartnerRow | undefined> {
  const key = `${protocol}\u0000${domain.toLowerCase()}\u0000${identity.toLowerCase()}`;
  return byIdentity.get(key, ttlMs, () => findPartnerByIdentity(q, protocol, domain, identity));
}

export function findPartnerCached(q: Q, ttlMs: number, id: string): Promise<PartnerRow | undefined> {
  return byId.get(id, ttlMs, () => findPartner(q, id));
}

export interface ApiKeyRow {
  id: string;
  partner_id: string;
  role: 'erp' | 'finance';
}

/** The unrevoked API key of a partner that exists, by the SHA-256 of the key. */
export function findApiKeyCached(q: Q, ttlMs: number, keyHash: string): Promise<ApiKeyRow | undefined> {
  return apiKeys.get(keyHash, ttlMs, () =>
    q<ApiKeyRow>('api_keys as k')
      .join('partners as p', 'p.id', 'k.partner_id')
      .where('k.key_hash', keyHash)
      .whereNull('k.revoked_at')
      .whereNull('p.deleted_at')
      .first('k.id', 'k.partner_id', 'k.role'),
  );
}
