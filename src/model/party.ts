export interface Address {
  name?: string;
  /** Street lines, in order. */
  street: string[];
  city?: string;
  state?: string;
  postalCode?: string;
  /** ISO 3166-1 alpha-2 */
  countryCode?: string;
  countryName?: string;
}

export interface Contact {
  role?: string;
  name?: string;
  email?: string;
  phone?: string;
  fax?: string;
}

export interface Party {
  /** Buyer-side id of the address (cXML addressID, X12 N104). */
  addressId?: string;
  name?: string;
  deliverTo?: string[];
  address?: Address;
  contacts?: Contact[];
}

export interface Extrinsic {
  name: string;
  value: string;
}
