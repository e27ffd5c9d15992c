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
