/** Internal: model values written as cXML elements (shared by the document builders). */
import type { Party, Tax } from '../../src/model';
import type { El } from './build';
import { CxmlBuildError, el, money, textEl } from './build';

function postalAddress(party: Party, what: string): El | undefined {
  const a = party.address;
  if (a === undefined) return undefined;
  if (a.street.length === 0 || a.city === undefined || a.countryCode === undefined) {
    throw new CxmlBuildError(
      `${what}.address needs street, city and countryCode (cXML PostalAddress requires them)`,
    );
  }
  return el(
    'PostalAddress',
    {},
    (party.deliverTo ?? []).map((d) => el('DeliverTo', {}, d)),
    a.street.map((s) => el('Street', {}, s)),
    el('City', {}, a.city),
    textEl('State', a.state),
    textEl('PostalCode', a.postalCode),
    el('Country', { isoCountryCode: a.countryCode }, a.countryName ?? a.countryCode),
  );
}

/** `<Contact role addressID><Name/>[PostalAddress][Email]</Contact>` (phones are not written). */
export function contactEl(role: string, party: Party, what: string, lang: string): El {
  if (party.name === undefined || party.name.trim() === '')
    throw new CxmlBuildError(`${what}.name is required`);
  return el(
    'Contact',
    { role, addressID: party.addressId },
    el('Name', { 'xml:lang': lang }, party.name),
    postalAddress(party, what),
    textEl('Email', party.contacts?.find((c) => c.email !== undefined)?.email),
  );
}

/**
 * `<Tax><Money/><Description/>[TaxDetail]</Tax>`. A TaxDetail is written for each of `details` (default: the
 * tax itself when it has a category). TaxDetail@category is required by cXML: a rate without a category is
 * refused rather than dropped.
 */
export function taxEl(tax: Tax, currency: string, what: string, lang: string, details?: Tax[]): El {
  const rows = details ?? (tax.category !== undefined || tax.rate !== undefined ? [tax] : []);
  return el(
    'Tax',
    {},
    money(tax.amount, currency, `${what}.amount`),
    el('Description', { 'xml:lang': lang }, tax.description ?? ''),
    rows.map((row, i) => {
      if (row.category === undefined || row.category === '') {
        throw new CxmlBuildError(
          `${what}${details ? `.details[${i}]` : ''} needs a category to carry a rate (TaxDetail@category)`,
        );
      }
      return el(
        'TaxDetail',
        { purpose: 'tax', category: row.category, percentageRate: row.rate },
        row.taxableAmount !== undefined
          ? el('TaxableAmount', {}, money(row.taxableAmount, currency, `${what}.taxableAmount`))
          : undefined,
        el('TaxAmount', {}, money(row.amount, currency, `${what}.amount`)),
        details && row.description !== undefined
          ? el('Description', { 'xml:lang': lang }, row.description)
          : undefined,
      );
    }),
  );
}
