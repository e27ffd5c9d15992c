/**
 * Internal: cXML building blocks read into the canonical model — addresses, contacts, extrinsics, tax,
 * accounting, and ItemOut lines (shared by OrderRequest and PunchOutSetupRequest).
 */
import type {
  Address,
  Classification,
  Contact,
  DecimalString,
  Distribution,
  Extrinsic,
  OrderLine,
  Party,
  Tax,
} from '../../src/model';
import { badData } from './errors';
import type { Node, ReadMoney } from './read';
import { dateAttr, decimalAttr, readMoney, uintAttr } from './read';

export function readExtrinsics(parent: Node): Extrinsic[] {
  return parent.children('Extrinsic').map((e) => ({ name: e.requiredAttr('name'), value: e.text() }));
}

/** "+1 800 5551212 x12" from a TelephoneNumber (parts that are empty are left out). */
export function formatTelephone(tel: Node): string | undefined {
  const cc = tel.childText('CountryCode');
  const parts = [
    cc !== undefined ? `+${cc.replace(/^\+/, '')}` : undefined,
    tel.childText('AreaOrCityCode'),
    tel.childText('Number'),
  ].filter((p): p is string => p !== undefined);
  const ext = tel.childText('Extension');
  const out = parts.join(' ') + (ext !== undefined ? ` x${ext}` : '');
  return out === '' ? undefined : out;
}

function phoneOf(parent: Node, name: 'Phone' | 'Fax'): string | undefined {
  const el = parent.child(name);
  const tel = el?.child('TelephoneNumber');
  return tel ? formatTelephone(tel) : undefined;
}

function contactDetails(parent: Node): Contact | undefined {
  const contact: Contact = {};
  const email = parent.childText('Email');
  const phone = phoneOf(parent, 'Phone');
  const fax = phoneOf(parent, 'Fax');
  if (email !== undefined) contact.email = email;
  if (phone !== undefined) contact.phone = phone;
  if (fax !== undefined) contact.fax = fax;
  return Object.keys(contact).length > 0 ? contact : undefined;
}

function readPostalAddress(
  postal: Node,
  fallbackCountry: string | undefined,
): { address: Address; deliverTo: string[] } {
  const deliverTo = postal
    .children('DeliverTo')
    .map((d) => d.text())
    .filter((t) => t !== '');
  const address: Address = {
    street: postal
      .children('Street')
      .map((s) => s.text())
      .filter((t) => t !== ''),
  };
  const city = postal.childText('City');
  const state = postal.childText('State');
  const postalCode = postal.childText('PostalCode');
  const country = postal.child('Country');
  const countryCode = country?.attr('isoCountryCode') || fallbackCountry;
  const countryName = country?.text();
  if (city !== undefined) address.city = city;
  if (state !== undefined) address.state = state;
  if (postalCode !== undefined) address.postalCode = postalCode;
  if (countryCode !== undefined && countryCode !== '') address.countryCode = countryCode.toUpperCase();
  // A Country text that only repeats the ISO code ("US") is not a name.
  if (countryName !== undefined && countryName !== '' && countryName.toUpperCase() !== address.countryCode) {
    address.countryName = countryName;
  }
  return { address, deliverTo };
}

/** ShipTo/BillTo `Address` -> Party. */
export function readAddressParty(addressEl: Node): Party {
  const party: Party = {};
  const addressId = addressEl.attr('addressID');
  if (addressId !== undefined && addressId !== '') party.addressId = addressId;
  const name = addressEl.childText('Name');
  if (name !== undefined) party.name = name;
  const fallbackCountry = addressEl.attr('isoCountryCode');
  const postal = addressEl.child('PostalAddress');
  if (postal) {
    const { address, deliverTo } = readPostalAddress(postal, fallbackCountry);
    if (deliverTo.length > 0) party.deliverTo = deliverTo;
    party.address = address;
  } else if (fallbackCountry !== undefined && fallbackCountry !== '') {
    party.address = { street: [], countryCode: fallbackCountry.toUpperCase() };
  }
  const details = contactDetails(addressEl);
  if (details) party.contacts = [details];
  return party;
}

/** `<ShipTo>`/`<BillTo>` wrapper -> Party (reads its Address). */
export function readAddressHolder(holder: Node): Party {
  return readAddressParty(holder.required('Address'));
}

/** A `Contact` element carrying an address (InvoicePartner, ShipNotice) -> Party. */
export function readContactParty(contactEl: Node): Party {
  const party: Party = {};
  const addressId = contactEl.attr('addressID');
  if (addressId !== undefined && addressId !== '') party.addressId = addressId;
  const name = contactEl.childText('Name');
  if (name !== undefined) party.name = name;
  const postal = contactEl.child('PostalAddress');
  if (postal) {
    const { address, deliverTo } = readPostalAddress(postal, undefined);
    if (deliverTo.length > 0) party.deliverTo = deliverTo;
    party.address = address;
  }
  const details = contactDetails(contactEl);
  if (details) party.contacts = [details];
  return party;
}

/** A `Contact` element -> model Contact (role, name, first email/phone/fax). */
export function readContact(contactEl: Node): Contact {
  const contact: Contact = {};
  const role = contactEl.attr('role');
  if (role !== undefined && role !== '') contact.role = role;
  const name = contactEl.childText('Name');
  if (name !== undefined) contact.name = name;
  Object.assign(contact, contactDetails(contactEl) ?? {});
  return contact;
}

export function checkCurrency(money: ReadMoney, expected: string | undefined, path: string): void {
  if (expected !== undefined && money.currency !== expected) {
    throw badData(
      `currency ${money.currency} differs from the document currency ${expected}`,
      `${path}/Money/@currency`,
    );
  }
}

/** One TaxDetail -> Tax (amount = TaxAmount). */
export function readTaxDetail(detail: Node, currency: string | undefined): Tax {
  const taxAmount = detail.required('TaxAmount');
  const amount = readMoney(taxAmount, true);
  checkCurrency(amount, currency, taxAmount.path);
  const tax: Tax = { amount: amount.amount };
  const rate = decimalAttr(detail, 'percentageRate');
  if (rate !== undefined) tax.rate = rate;
  const category = detail.attr('category');
  if (category !== undefined && category !== '') tax.category = category;
  const taxableEl = detail.child('TaxableAmount');
  const taxable = taxableEl ? readMoney(taxableEl) : undefined;
  if (taxable !== undefined && taxableEl) {
    checkCurrency(taxable, currency, taxableEl.path);
    tax.taxableAmount = taxable.amount;
  }
  const description = detail.childText('Description');
  if (description !== undefined) tax.description = description;
  return tax;
}

/**
 * `Tax` -> Tax: the amount and description of the Tax element; rate, category and taxable amount when it
 * has exactly one TaxDetail (with several, they would be misleading: see readTaxDetail for each).
 */
export function readTax(taxEl: Node, currency: string | undefined): Tax {
  const money = readMoney(taxEl, true);
  checkCurrency(money, currency, taxEl.path);
  const tax: Tax = { amount: money.amount };
  const description = taxEl.childText('Description');
  if (description !== undefined) tax.description = description;
  const details = taxEl.children('TaxDetail');
  if (details.length === 1) {
    const detail = readTaxDetail(details[0] as Node, currency);
    if (detail.rate !== undefined) tax.rate = detail.rate;
    if (detail.category !== undefined) tax.category = detail.category;
    if (detail.taxableAmount !== undefined) tax.taxableAmount = detail.taxableAmount;
  }
  return tax;
}

export function readDistribution(dist: Node, currency: string | undefined): Distribution {
  const accounting = dist.required('Accounting');
  const distribution: Distribution = { segments: [] };
  const name = accounting.attr('name');
  if (name !== undefined && name !== '') distribution.accountingName = name;
  for (const seg of accounting.children('Segment')) {
    const s = { id: seg.requiredAttr('id') } as Distribution['segments'][number];
    const type = seg.attr('type');
    const description = seg.attr('description');
    if (type !== undefined && type !== '') s.type = type;
    if (description !== undefined && description !== '') s.description = description;
    distribution.segments.push(s);
  }
  for (const seg of accounting.children('AccountingSegment')) {
    const s = { id: seg.requiredAttr('id') } as Distribution['segments'][number];
    const type = seg.childText('Name');
    const description = seg.childText('Description');
    if (type !== undefined) s.type = type;
    if (description !== undefined) s.description = description;
    distribution.segments.push(s);
  }
  const charge = dist.child('Charge');
  const money = charge ? readMoney(charge) : undefined;
  if (money !== undefined && charge) {
    checkCurrency(money, currency, charge.path);
    distribution.charge = money.amount;
  }
  return distribution;
}

/** Description element: its own text, and ShortName. */
export function readDescription(desc: Node | undefined): { text?: string; shortName?: string } {
  if (!desc) return {};
  const out: { text?: string; shortName?: string } = {};
  const text = desc.ownText();
  const shortName = desc.childText('ShortName');
  if (text !== '') out.text = text;
  if (shortName !== undefined) out.shortName = shortName;
  return out;
}

export function readClassifications(detail: Node): Classification[] {
  return detail.children('Classification').map((c) => {
    const domain = c.requiredAttr('domain');
    const code = c.attr('code');
    return { domain, code: code !== undefined && code !== '' ? code : c.text() };
  });
}

export function readComments(parent: Node): { texts: string[]; attachments: string[] } {
  const texts: string[] = [];
  const attachments: string[] = [];
  for (const comments of parent.children('Comments')) {
    const text = comments.ownText();
    if (text !== '') texts.push(text);
    for (const att of comments.children('Attachment')) {
      const url = att.childText('URL');
      if (url !== undefined) attachments.push(url);
    }
  }
  return { texts, attachments };
}

export interface ReadItemOut {
  line: OrderLine;
  shortName?: string;
  /** currency of UnitPrice */
  currency?: string;
  attachments: string[];
}

/**
 * ItemOut -> OrderLine. `strict` (OrderRequest) requires ItemDetail with UnitPrice and UnitOfMeasure;
 * lenient (PunchOutSetupRequest edit/inspect) leaves price and unit empty when absent.
 * `position` is the 1-based index among ItemOut siblings, the line number when lineNumber is absent.
 */
export function readItemOut(
  item: Node,
  opts: { strict: boolean; position: number; currency?: string; defaultDeliveryDate?: string },
): ReadItemOut {
  const lineNumber = uintAttr(item, 'lineNumber') ?? opts.position;
  const quantity = decimalAttr(item, 'quantity', true);
  const itemId = item.required('ItemID');
  const supplierPartId = itemId.requiredText('SupplierPartID');
  const detail = opts.strict ? item.required('ItemDetail') : item.child('ItemDetail');

  let unitPrice: DecimalString = '';
  let currency: string | undefined;
  let unitOfMeasure = '';
  if (detail) {
    const priceEl = opts.strict ? detail.required('UnitPrice') : detail.child('UnitPrice');
    const price = priceEl ? readMoney(priceEl, opts.strict) : undefined;
    if (price !== undefined && priceEl) {
      checkCurrency(price, opts.currency, priceEl.path);
      unitPrice = price.amount;
      currency = price.currency;
    }
    unitOfMeasure = opts.strict
      ? detail.requiredText('UnitOfMeasure')
      : (detail.childText('UnitOfMeasure') ?? '');
  }

  const line: OrderLine = {
    lineNumber,
    supplierPartId,
    quantity,
    unitOfMeasure,
    unitPrice,
    classifications: detail ? readClassifications(detail) : [],
    distributions: item.children('Distribution').map((d) => readDistribution(d, opts.currency ?? currency)),
    extrinsics: detail ? readExtrinsics(detail) : [],
  };
  const aux = itemId.childText('SupplierPartAuxiliaryID');
  if (aux !== undefined) line.supplierAuxiliaryId = aux;
  const buyerPartId = itemId.childText('BuyerPartID');
  if (buyerPartId !== undefined) line.buyerPartId = buyerPartId;

  const out: ReadItemOut = { line, attachments: [] };
  if (detail) {
    const descriptions = detail.children('Description');
    const { text, shortName } = readDescription(descriptions[0]);
    if (text !== undefined || shortName !== undefined) line.description = text ?? shortName;
    if (shortName !== undefined) out.shortName = shortName;
    const manufacturerPartId = detail.childText('ManufacturerPartID');
    const manufacturerName = detail.childText('ManufacturerName');
    if (manufacturerName !== undefined) line.manufacturerName = manufacturerName;
    if (manufacturerPartId !== undefined) line.manufacturerPartId = manufacturerPartId;
  }
  const requested = dateAttr(item, 'requestedDeliveryDate') ?? opts.defaultDeliveryDate;
  if (requested !== undefined) line.requestedDeliveryDate = requested;
  const taxEl = item.child('Tax');
  if (taxEl) line.tax = readTax(taxEl, opts.currency ?? currency);
  const shipTo = item.child('ShipTo');
  if (shipTo) line.shipTo = readAddressHolder(shipTo);
  const { texts, attachments } = readComments(item);
  if (texts.length > 0) line.comments = texts;
  out.attachments = attachments;
  if (currency !== undefined) out.currency = currency;
  return out;
}
