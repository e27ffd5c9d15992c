import { dec, isDecimalString, minorUnits } from '../../src/model';
import type { Dec, DecimalString } from '../../src/model';
import { FieldBag, invalid, missing } from './fields';
import type { OciFields, OciResult } from './fields';

/**
 * Maximum lengths (characters) of the OCI 4.0/5.0 NEW_ITEM fields this codec writes. The long text
 * (NEW_ITEM-LONGTEXT_n:132[]) has no limit.
 */
export const OCI_FIELD_LENGTHS = {
  DESCRIPTION: 40,
  QUANTITY: 15,
  UNIT: 3,
  PRICE: 15,
  CURRENCY: 5,
  PRICEUNIT: 5,
  LEADTIME: 5,
  VENDOR: 10,
  VENDORMAT: 40,
  MANUFACTCODE: 10,
  MANUFACTMAT: 40,
  MATGROUP: 10,
  SERVICE: 1,
  EXT_QUOTE_ID: 35,
  EXT_PRODUCT_ID: 40,
  EXT_SCHEMA_TYPE: 10,
  EXT_CATEGORY_ID: 60,
} as const;
export type OciItemField = keyof typeof OCI_FIELD_LENGTHS;

/** OCI quantities and prices carry at most 3 digits after the decimal point ('.' as separator). */
export const OCI_MAX_DECIMALS = 3;
/** Largest NEW_ITEM-PRICEUNIT this codec uses to carry a price with more decimals than OCI allows. */
const MAX_PRICE_UNIT = 10000;

/** One cart line as the gateway hands it to the OCI encoder. */
export interface OciCartItem {
  /** Short text; cut to 40 characters in NEW_ITEM-DESCRIPTION (the full text then goes to the long text). */
  description: string;
  /** Full text, NEW_ITEM-LONGTEXT_n:132[], never cut. */
  longText?: string;
  /** Decimal string, > 0, at most 3 decimals. */
  quantity: DecimalString;
  /** UN/ECE Rec 20 (ISO) unit code, at most 3 characters. */
  unitOfMeasure: string;
  /** Price per one unit; decimal string >= 0. More than 3 decimals are carried via NEW_ITEM-PRICEUNIT. */
  unitPrice: DecimalString;
  /** ISO 4217 code. */
  currency: string;
  /** Supplier's part number: NEW_ITEM-VENDORMAT and NEW_ITEM-EXT_PRODUCT_ID (the key DETAIL/VALIDATE send back as PRODUCTID). */
  supplierPartId: string;
  /** Identifies the configured cart line / quote (cXML SupplierPartAuxiliaryID): NEW_ITEM-EXT_QUOTE_ID, which the SRM copies into the order. */
  supplierAuxiliaryId?: string;
  /** Whole days, NEW_ITEM-LEADTIME. */
  leadTimeDays?: number;
  /** Buyer's SRM material group, NEW_ITEM-MATGROUP. */
  matGroup?: string;
  /** UNSPSC code: NEW_ITEM-EXT_CATEGORY_ID with NEW_ITEM-EXT_SCHEMA_TYPE=UNSPSC. */
  unspsc?: string;
  /** SRM manufacturer number (a business partner number in the buyer's system, not a name), NEW_ITEM-MANUFACTCODE. */
  manufacturerCode?: string;
  /** Manufacturer's part number, NEW_ITEM-MANUFACTMAT. */
  manufacturerPartId?: string;
  /** SRM vendor number of the supplier in the buyer's system, NEW_ITEM-VENDOR. Defaults to options.vendor. */
  vendor?: string;
  /** NEW_ITEM-SERVICE = "X". */
  service?: boolean;
}

export interface OciCartOptions {
  /** ~OkCode from the login; "ADDI" (the OCI value for "add to cart") when absent. */
  okCode?: string;
  /** ~TARGET from the login, passed back unchanged (it is also the form's target). */
  target?: string;
  /** ~CALLER from the login, passed back unchanged. */
  caller?: string;
  /** Default NEW_ITEM-VENDOR for items that do not name one. */
  vendor?: string;
}

/** A cart line the gateway cannot express in OCI without losing meaning (an identifier too long, a quantity too precise...). */
export class OciCartError extends Error {
  constructor(
    /** 1-based item index. */
    readonly item: number,
    /** The OCI field, e.g. "NEW_ITEM-EXT_QUOTE_ID[2]". */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'OciCartError';
  }
}

export type OciFieldList = [name: string, value: string][];

export function ociLongTextField(index: number): string {
  return `NEW_ITEM-LONGTEXT_${index}:132[]`;
}

function chars(value: string): string[] {
  return Array.from(value); // code points, so a cut never splits a surrogate pair
}

/** One-line text: line breaks and tabs become spaces, runs collapse, ends trimmed. */
function oneLine(value: string): string {
  return value.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim(); // eslint-disable-line no-control-regex
}

function formatPrice(
  unitPrice: DecimalString,
  currency: string,
  fail: (field: string, why: string) => never,
): { price: string; priceUnit: number } {
  if (!isDecimalString(unitPrice.trim())) fail('PRICE', `unit price "${unitPrice}" is not a decimal number`);
  const perUnit = dec(unitPrice);
  if (perUnit.isNeg()) fail('PRICE', `unit price ${unitPrice} is negative`);
  let priceUnit = 1;
  let price: Dec = perUnit;
  while (price.decimalPlaces() > OCI_MAX_DECIMALS && priceUnit < MAX_PRICE_UNIT) {
    priceUnit *= 10;
    price = perUnit.times(priceUnit);
  }
  if (price.decimalPlaces() > OCI_MAX_DECIMALS) {
    fail('PRICE', `unit price ${unitPrice} has more decimals than OCI can carry even per ${MAX_PRICE_UNIT}`);
  }
  const places = Math.max(price.decimalPlaces(), Math.min(minorUnits(currency), OCI_MAX_DECIMALS));
  const text = price.toFixed(places);
  if (text.length > OCI_FIELD_LENGTHS.PRICE) fail('PRICE', `price ${text} is longer than 15 characters`);
  return { price: text, priceUnit };
}

/**
 * The NEW_ITEM-* fields of an OCI cart (indexed from 1), followed by ~OkCode, ~TARGET and ~CALLER.
 * The description is cut to 40 characters (the full text then goes into the long text); identifiers
 * are never cut: an identifier longer than its field throws OciCartError, since a cut one would name
 * something else.
 */
export function buildOciCartFields(items: readonly OciCartItem[], opts: OciCartOptions = {}): OciFieldList {
  const out: OciFieldList = [];
  items.forEach((item, i) => {
    const n = i + 1;
    const fail = (field: string, why: string): never => {
      throw new OciCartError(n, `NEW_ITEM-${field}[${n}]`, why);
    };
    const put = (field: OciItemField, value: string): void => {
      out.push([`NEW_ITEM-${field}[${n}]`, value]);
    };
    const putId = (field: OciItemField, value: string | undefined): void => {
      if (value === undefined) return;
      const v = value.trim();
      if (v === '') return;
      if (/[\u0000-\u001f\u007f]/.test(v)) fail(field, 'contains control characters'); // eslint-disable-line no-control-regex
      if (chars(v).length > OCI_FIELD_LENGTHS[field]) {
        fail(field, `"${v}" is longer than ${OCI_FIELD_LENGTHS[field]} characters`);
      }
      put(field, v);
    };

    const fullDescription = oneLine(item.description);
    if (fullDescription === '') fail('DESCRIPTION', 'description is empty');
    const shortDescription = chars(fullDescription).slice(0, OCI_FIELD_LENGTHS.DESCRIPTION).join('');
    put('DESCRIPTION', shortDescription);

    const qty = item.quantity.trim();
    if (!isDecimalString(qty) || dec(qty).lte(0)) fail('QUANTITY', `quantity "${item.quantity}" must be > 0`);
    const q = dec(qty);
    if (q.decimalPlaces() > OCI_MAX_DECIMALS) fail('QUANTITY', `quantity ${qty} has more than 3 decimals`);
    const qText = q.toFixed();
    if (qText.length > OCI_FIELD_LENGTHS.QUANTITY) fail('QUANTITY', `quantity ${qty} is too long`);
    put('QUANTITY', qText);

    const unit = item.unitOfMeasure.trim().toUpperCase();
    if (!/^[A-Z0-9]{1,3}$/.test(unit)) fail('UNIT', `"${item.unitOfMeasure}" is not a Rec 20 unit code`);
    put('UNIT', unit);

    const currency = item.currency.trim().toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency)) fail('CURRENCY', `"${item.currency}" is not an ISO 4217 code`);
    const { price, priceUnit } = formatPrice(item.unitPrice, currency, fail);
    put('PRICE', price);
    put('PRICEUNIT', String(priceUnit));
    put('CURRENCY', currency);

    if (item.leadTimeDays !== undefined) {
      const days = item.leadTimeDays;
      if (!Number.isInteger(days) || days < 0 || days > 99999)
        fail('LEADTIME', `${days} is not 0..99999 days`);
      put('LEADTIME', String(days));
    }

    if (item.supplierPartId.trim() === '') fail('VENDORMAT', 'supplier part id is empty');
    putId('VENDORMAT', item.supplierPartId);
    putId('EXT_PRODUCT_ID', item.supplierPartId);
    putId('EXT_QUOTE_ID', item.supplierAuxiliaryId);
    putId('VENDOR', item.vendor ?? opts.vendor);
    putId('MATGROUP', item.matGroup);
    putId('MANUFACTCODE', item.manufacturerCode);
    putId('MANUFACTMAT', item.manufacturerPartId);
    if (item.unspsc !== undefined && item.unspsc.trim() !== '') {
      put('EXT_SCHEMA_TYPE', 'UNSPSC');
      putId('EXT_CATEGORY_ID', item.unspsc);
    }
    if (item.service) put('SERVICE', 'X');

    const longText = item.longText ?? (shortDescription !== item.description ? item.description : undefined);
    if (longText !== undefined && longText !== '') out.push([ociLongTextField(n), longText]);
  });

  out.push(['~OkCode', opts.okCode ?? 'ADDI']);
  if (opts.target !== undefined) out.push(['~TARGET', opts.target]);
  if (opts.caller !== undefined) out.push(['~CALLER', opts.caller]);
  return out;
}

/** A NEW_ITEM line read back from OCI fields. */
export interface OciParsedItem extends OciCartItem {
  /** The [n] of its fields. */
  index: number;
  /** NEW_ITEM-PRICE as sent: the price of `priceUnit` units. */
  price: DecimalString;
  /** NEW_ITEM-PRICEUNIT, "1" when absent. */
  priceUnit: DecimalString;
  /** Every NEW_ITEM field of this line by its short name ("DESCRIPTION", "LONGTEXT", ...), as received. */
  raw: Record<string, string>;
}

export interface OciParsedCart {
  items: OciParsedItem[];
  okCode?: string;
  target?: string;
  caller?: string;
}

const ITEM_FIELD_RE = /^NEW_ITEM-([A-Z0-9_]+)\[(\d+)\]$/;
const LONGTEXT_RE = /^NEW_ITEM-LONGTEXT_(\d+):132\[\]$/;

/** Reads NEW_ITEM-* fields (names case-insensitive) back into items, ordered by index. */
export function parseOciCart(fields: OciFields): OciResult<OciParsedCart> {
  const bag = new FieldBag(fields);
  const raws = new Map<number, Record<string, string>>();
  const rawOf = (n: number): Record<string, string> => {
    let r = raws.get(n);
    if (!r) raws.set(n, (r = {}));
    return r;
  };
  for (const key of bag.keys()) {
    const lt = LONGTEXT_RE.exec(key);
    if (lt) {
      rawOf(Number(lt[1])).LONGTEXT = bag.all(key).join('');
      continue;
    }
    const m = ITEM_FIELD_RE.exec(key);
    const field = m?.[1];
    if (m && field !== undefined) {
      const one = bag.one(key);
      if (!one.ok) return { ok: false, error: { ...one.error, field: `NEW_ITEM-${m[1]}[${m[2]}]` } };
      if (one.value !== undefined) rawOf(Number(m[2]))[field] = one.value;
    }
  }

  const items: OciParsedItem[] = [];
  for (const n of [...raws.keys()].sort((a, b) => a - b)) {
    const raw = raws.get(n) ?? {};
    const name = (f: string): string => `NEW_ITEM-${f}[${n}]`;
    // Checked in this order: the first one missing is reported.
    const description = raw.DESCRIPTION;
    if (description === undefined) return missing(name('DESCRIPTION'));
    const quantity = raw.QUANTITY;
    if (quantity === undefined) return missing(name('QUANTITY'));
    const unit = raw.UNIT;
    if (unit === undefined) return missing(name('UNIT'));
    const price = raw.PRICE;
    if (price === undefined) return missing(name('PRICE'));
    const currency = raw.CURRENCY;
    if (currency === undefined) return missing(name('CURRENCY'));
    const supplierPartId = raw.VENDORMAT ?? raw.EXT_PRODUCT_ID;
    if (supplierPartId === undefined)
      return missing(name('VENDORMAT'), `${name('VENDORMAT')} or EXT_PRODUCT_ID is required`);
    for (const f of ['QUANTITY', 'PRICE', 'PRICEUNIT']) {
      const v = raw[f];
      if (v !== undefined && !isDecimalString(v)) return invalid(name(f), `"${v}" is not a decimal number`);
    }
    const priceUnit = raw.PRICEUNIT ?? '1';
    if (dec(priceUnit).lte(0)) return invalid(name('PRICEUNIT'), 'PRICEUNIT must be > 0');
    let leadTimeDays: number | undefined;
    if (raw.LEADTIME !== undefined) {
      if (!/^\d{1,5}$/.test(raw.LEADTIME))
        return invalid(name('LEADTIME'), `"${raw.LEADTIME}" is not whole days`);
      leadTimeDays = Number(raw.LEADTIME);
    }

    const item: OciParsedItem = {
      index: n,
      description,
      quantity,
      unitOfMeasure: unit,
      unitPrice: dec(price).dividedBy(dec(priceUnit)).toFixed(),
      price,
      priceUnit,
      currency,
      supplierPartId,
      raw,
    };
    if (raw.LONGTEXT !== undefined) item.longText = raw.LONGTEXT;
    if (raw.EXT_QUOTE_ID !== undefined) item.supplierAuxiliaryId = raw.EXT_QUOTE_ID;
    if (leadTimeDays !== undefined) item.leadTimeDays = leadTimeDays;
    if (raw.MATGROUP !== undefined) item.matGroup = raw.MATGROUP;
    if (raw.EXT_SCHEMA_TYPE?.toUpperCase() === 'UNSPSC' && raw.EXT_CATEGORY_ID !== undefined) {
      item.unspsc = raw.EXT_CATEGORY_ID;
    }
    if (raw.MANUFACTCODE !== undefined) item.manufacturerCode = raw.MANUFACTCODE;
    if (raw.MANUFACTMAT !== undefined) item.manufacturerPartId = raw.MANUFACTMAT;
    if (raw.VENDOR !== undefined) item.vendor = raw.VENDOR;
    if (raw.SERVICE?.toUpperCase() === 'X') item.service = true;
    items.push(item);
  }

  const cart: OciParsedCart = { items };
  for (const [key, prop] of [
    ['~OKCODE', 'okCode'],
    ['~TARGET', 'target'],
    ['~CALLER', 'caller'],
  ] as const) {
    const r = bag.one(key);
    if (!r.ok) return r;
    if (r.value !== undefined) cart[prop] = r.value;
  }
  return { ok: true, value: cart };
}
