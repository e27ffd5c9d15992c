/**
 * The buyer's side of punchout and ordering, for a procurement system that talks to a supplier (the
 * built-in demo buyer, tests): the PunchOutSetupRequest that opens a session, reading the
 * PunchOutOrderMessage the cart comes back as, and the OrderRequest of a returned cart.
 */
import type { DecimalString } from '../../src/model';
import { add, mul, roundMoney } from '../../src/model';
import type { El, RequestEnvelopeInput } from './build';
import {
  CXML_VERSION,
  currencyCode,
  decimal,
  el,
  money,
  requestDocument,
  requireText,
  textEl,
  timestampValue,
} from './build';
import { badData } from './errors';
import type { ParsedCxml } from './parse';
import { asParsed, expectType } from './parse';
import { parseCxmlDecimal } from './read';
import { childElements, deepText, firstChildElement, type CxmlElement } from './xml';

export interface PunchOutSetupRequestInput {
  operation?: 'create' | 'edit' | 'inspect';
  buyerCookie: string;
  /** Where the supplier posts the cart back (the buyer's own page). */
  browserFormPostUrl: string;
  /** The supplier's punchout URL the buyer was configured with. */
  supplierSetupUrl: string;
  user?: { name: string; email: string };
}

/** `<Request><PunchOutSetupRequest>…` with BuyerCookie, BrowserFormPost and SupplierSetup. */
export function buildPunchOutSetupRequest(
  envelope: RequestEnvelopeInput,
  input: PunchOutSetupRequestInput,
): string {
  const user = input.user;
  const body = el(
    'PunchOutSetupRequest',
    { operation: input.operation ?? 'create' },
    el('BuyerCookie', {}, requireText(input.buyerCookie, 'buyerCookie')),
    user ? el('Extrinsic', { name: 'UserEmail' }, user.email) : undefined,
    el('BrowserFormPost', {}, el('URL', {}, requireText(input.browserFormPostUrl, 'browserFormPostUrl'))),
    user
      ? el(
          'Contact',
          { role: 'endUser' },
          el('Name', { 'xml:lang': 'en' }, user.name),
          el('Email', {}, user.email),
        )
      : undefined,
    el('SupplierSetup', {}, el('URL', {}, requireText(input.supplierSetupUrl, 'supplierSetupUrl'))),
  );
  return requestDocument(envelope, body, CXML_VERSION, 'cXML.dtd');
}

/** One ItemIn of a returned cart. */
export interface ReturnedCartItem {
  quantity: DecimalString;
  supplierPartId: string;
  supplierAuxiliaryId?: string;
  unitPrice: DecimalString;
  description: string;
  unitOfMeasure: string;
  classification?: { domain: string; code: string };
}

export interface ReturnedCart {
  buyerCookie: string;
  currency: string;
  total: DecimalString;
  items: ReturnedCartItem[];
}

function child(parent: CxmlElement, name: string): CxmlElement {
  const c = firstChildElement(parent, name);
  if (!c) throw badData(`${name} is missing`, `${parent.path}/${name}`);
  return c;
}

function readMoneyOf(parent: CxmlElement): { amount: DecimalString; currency: string } {
  const m = child(parent, 'Money');
  const amount = parseCxmlDecimal(deepText(m).trim());
  if (amount === undefined) throw badData('Money is not an amount', m.path);
  return { amount, currency: m.attributes.currency ?? '' };
}

function readItemIn(item: CxmlElement): ReturnedCartItem {
  const id = child(item, 'ItemID');
  const detail = child(item, 'ItemDetail');
  const quantity = parseCxmlDecimal(item.attributes.quantity ?? '');
  if (quantity === undefined) throw badData('ItemIn@quantity is not a number', item.path);
  const desc = firstChildElement(detail, 'Description');
  const cls = firstChildElement(detail, 'Classification');
  const aux = firstChildElement(id, 'SupplierPartAuxiliaryID');
  const description = desc
    ? desc.children
        .filter((c): c is string => typeof c === 'string')
        .join(' ')
        .trim() || deepText(desc).trim()
    : '';
  return {
    quantity,
    supplierPartId: deepText(child(id, 'SupplierPartID')).trim(),
    ...(aux ? { supplierAuxiliaryId: deepText(aux).trim() } : {}),
    unitPrice: readMoneyOf(child(detail, 'UnitPrice')).amount,
    description,
    unitOfMeasure: deepText(child(detail, 'UnitOfMeasure')).trim(),
    ...(cls ? { classification: { domain: cls.attributes.domain ?? '', code: deepText(cls).trim() } } : {}),
  };
}

/** Reads a PunchOutOrderMessage (the cart a supplier posts back to the BrowserFormPost URL). */
export function parsePunchOutOrderMessage(input: ParsedCxml | Buffer | string): ReturnedCart {
  const doc = asParsed(input);
  expectType(doc, 'PunchOutOrderMessage');
  const header = child(doc.body, 'PunchOutOrderMessageHeader');
  const total = readMoneyOf(child(header, 'Total'));
  return {
    buyerCookie: deepText(child(doc.body, 'BuyerCookie')).trim(),
    currency: total.currency,
    total: total.amount,
    items: childElements(doc.body, 'ItemIn').map(readItemIn),
  };
}

export interface OrderRequestInput {
  orderId: string;
  orderDate: string | Date;
  cart: ReturnedCart;
  /** One address used as ShipTo and BillTo. */
  address: { id: string; name: string; street: string; city: string; postalCode: string; country: string };
}

function addressEl(role: 'ShipTo' | 'BillTo', a: OrderRequestInput['address']): El {
  return el(
    role,
    {},
    el(
      'Address',
      { addressID: a.id },
      el('Name', { 'xml:lang': 'en' }, a.name),
      el(
        'PostalAddress',
        {},
        el('Street', {}, a.street),
        el('City', {}, a.city),
        el('PostalCode', {}, a.postalCode),
        el('Country', { isoCountryCode: a.country }, a.country),
      ),
    ),
  );
}

/** A new OrderRequest for the items of a returned cart (its total is recomputed from the lines). */
export function buildOrderRequest(envelope: RequestEnvelopeInput, input: OrderRequestInput): string {
  const { cart } = input;
  const currency = currencyCode(cart.currency, 'cart.currency');
  const total = roundMoney(
    add('0', ...cart.items.map((i, n) => mul(decimal(i.quantity, `items[${n}].quantity`), i.unitPrice))),
    currency,
  ).toFixed();
  const items = cart.items.map((item, i) =>
    el(
      'ItemOut',
      { quantity: item.quantity, lineNumber: i + 1 },
      el(
        'ItemID',
        {},
        el('SupplierPartID', {}, requireText(item.supplierPartId, `items[${i}].supplierPartId`)),
        textEl('SupplierPartAuxiliaryID', item.supplierAuxiliaryId),
      ),
      el(
        'ItemDetail',
        {},
        el('UnitPrice', {}, money(item.unitPrice, currency, `items[${i}].unitPrice`)),
        el('Description', { 'xml:lang': 'en' }, item.description || item.supplierPartId),
        el('UnitOfMeasure', {}, requireText(item.unitOfMeasure, `items[${i}].unitOfMeasure`)),
        item.classification
          ? el('Classification', { domain: item.classification.domain }, item.classification.code)
          : undefined,
      ),
    ),
  );
  const body = el(
    'OrderRequest',
    {},
    el(
      'OrderRequestHeader',
      {
        orderID: requireText(input.orderId, 'orderId'),
        orderDate: timestampValue(input.orderDate, 'orderDate'),
        type: 'new',
      },
      el('Total', {}, money(total, currency, 'total')),
      addressEl('ShipTo', input.address),
      addressEl('BillTo', input.address),
    ),
    items,
  );
  return requestDocument(envelope, body, CXML_VERSION, 'cXML.dtd');
}
