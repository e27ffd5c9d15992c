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

/** The partner a credential names (cXML domain+identity, OCI username, X12 qualifier+id). */
export async function findPartnerByIdentity(
  q: Q,
  protocol: 'cxml' | 'oci' | 'x12',
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
 * Credential lookups of inbound documents, reused for `ttlMs` so that a busy partner's documents do
 * not each ask the database. Only partners that exist are kept (an unknown credential always asks,
 * so random identities cannot fill memory), at most MAX_CACHED of them. A partner changed in this
 * process (upsertPartner, deletePartner) is dropped at once; a change made by another process is
 * seen after at most `ttlMs`.
 */
const MAX_CACHED = 10_000;
const cached = new Map<string, { partner: PartnerRow; until: number; generation: number }>();
let generation = 0;

/** Forgets every cached partner (called by every partner change). */
export function partnersChanged(): void {
  generation++;
  cached.clear();
}

export async function findPartnerByIdentityCached(
  q: Q,
  ttlMs: number,
  protocol: 'cxml' | 'oci' | 'x12',
  domain: string,
  identity: string,
): Promise<PartnerRow | undefined> {
  if (ttlMs <= 0) return findPartnerByIdentity(q, protocol, domain, identity);
  const key = `${protocol}\u0000${domain.toLowerCase()}\u0000${identity.toLowerCase()}`;
  const now = Date.now();
  const hit = cached.get(key);
  if (hit && hit.until > now && hit.generation === generation) return hit.partner;
  const asked = generation;
  const partner = await findPartnerByIdentity(q, protocol, domain, identity);
  if (partner && asked === generation) {
    if (cached.size >= MAX_CACHED) cached.clear();
    cached.set(key, { partner, until: now + ttlMs, generation });
  }
  return partner;
}
