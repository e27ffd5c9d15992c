/**
 * PunchOut: reading a PunchOutSetupRequest, answering it (PunchOutSetupResponse with the StartPage URL),
 * and returning the cart (PunchOutOrderMessage).
 */
import type { Classification, Contact, DecimalString, Extrinsic, Party } from '../../src/model';
import { add, eq, mul, roundMoney } from '../../src/model';
import { badData } from './errors';
import type { ParsedCxml } from './parse';
import { asParsed, expectType } from './parse';
import { Reader } from './read';
import { readAddressHolder, readContact, readExtrinsics, readItemOut } from './common';
import type { El, EnvelopeInput, RequestEnvelopeInput } from './build';
import {
  CxmlBuildError,
  currencyCode,
  decimal,
  el,
  messageDocument,
  money,
  requireText,
  responseDocument,
  textEl,
} from './build';

export type PunchOutOperation = 'create' | 'edit' | 'inspect' | 'source';

/** An ItemOut of a PunchOutSetupRequest (edit/inspect: the cart the buyer returns to). */
export interface PunchOutSetupItem {
  lineNumber: number;
  quantity: DecimalString;
  supplierPartId: string;
  supplierAuxiliaryId?: string;
  buyerPartId?: string;
  unitPrice?: DecimalString;
  currency?: string;
  description?: string;
  shortName?: string;
  unitOfMeasure?: string;
  classifications: Classification[];
  requestedDeliveryDate?: string;
  extrinsics: Extrinsic[];
}

export interface PunchOutSetupRequest {
  payloadId: string;
  operation: PunchOutOperation;
  /** Echo it in the PunchOutOrderMessage. */
  buyerCookie: string;
  /** Where the cart is posted back (BrowserFormPost/URL); absent in some 'source' requests. */
  browserFormPostUrl?: string;
  supplierSetupUrl?: string;
  contacts: Contact[];
  extrinsics: Extrinsic[];
  /** The shopper as the extrinsics and first contact describe them. */
  user: { email?: string; uniqueName?: string; name?: string; costCenter?: string };
  shipTo?: Party;
  selectedItem?: { supplierPartId: string; supplierAuxiliaryId?: string; buyerPartId?: string };
  items: PunchOutSetupItem[];
  /** XPaths of elements present that are not read into this form. */
  unmapped: string[];
}

const OPERATIONS: readonly PunchOutOperation[] = ['create', 'edit', 'inspect', 'source'];

/** Value of the first extrinsic of that name (names compare case-insensitively). */
export function extrinsicValue(extrinsics: readonly Extrinsic[], name: string): string | undefined {
  const wanted = name.toLowerCase();
  const found = extrinsics.find((e) => e.name.toLowerCase() === wanted);
  return found === undefined || found.value === '' ? undefined : found.value;
}

/** Reads a PunchOutSetupRequest (raw input or ParsedCxml). Throws CxmlError 400 with an XPath. */
export function parsePunchOutSetupRequest(input: ParsedCxml | Buffer | string): PunchOutSetupRequest {
  const doc = asParsed(input);
  expectType(doc, 'PunchOutSetupRequest');
  const reader = new Reader();
  const req = reader.node(doc.body);
  const op = req.requiredAttr('operation');
  if (!(OPERATIONS as readonly string[]).includes(op)) {
    throw badData(`operation "${op}" is not create, edit, inspect or source`, `${req.path}/@operation`);
  }
  const buyerCookie = req.requiredText('BuyerCookie');
  const extrinsics = readExtrinsics(req);
  const contacts = req.children('Contact').map(readContact);
  const out: PunchOutSetupRequest = {
    payloadId: doc.payloadId,
    operation: op as PunchOutOperation,
    buyerCookie,
    contacts,
    extrinsics,
    user: {},
    items: [],
    unmapped: [],
  };
  const formPost = req.child('BrowserFormPost');
  if (formPost) out.browserFormPostUrl = formPost.requiredText('URL');
  const setup = req.child('SupplierSetup');
  if (setup) out.supplierSetupUrl = setup.requiredText('URL');

  const first = contacts[0];
  const email = extrinsicValue(extrinsics, 'UserEmail') ?? first?.email;
  const uniqueName = extrinsicValue(extrinsics, 'UniqueName') ?? extrinsicValue(extrinsics, 'User');
  const fullName =
    extrinsicValue(extrinsics, 'UserFullName') ??
    ([extrinsicValue(extrinsics, 'FirstName'), extrinsicValue(extrinsics, 'LastName')]
      .filter(Boolean)
      .join(' ') ||
      first?.name);
  const costCenter = extrinsicValue(extrinsics, 'CostCenter');
  if (email !== undefined) out.user.email = email;
  if (uniqueName !== undefined) out.user.uniqueName = uniqueName;
  if (fullName !== undefined && fullName !== '') out.user.name = fullName;
  if (costCenter !== undefined) out.user.costCenter = costCenter;

  const shipTo = req.child('ShipTo');
  if (shipTo) out.shipTo = readAddressHolder(shipTo);
  const selected = req.child('SelectedItem');
  if (selected) {
    const itemId = selected.required('ItemID');
    out.selectedItem = { supplierPartId: itemId.requiredText('SupplierPartID') };
    const aux = itemId.childText('SupplierPartAuxiliaryID');
    const buyerPartId = itemId.childText('BuyerPartID');
    if (aux !== undefined) out.selectedItem.supplierAuxiliaryId = aux;
    if (buyerPartId !== undefined) out.selectedItem.buyerPartId = buyerPartId;
  }
  req.children('ItemOut').forEach((itemEl, i) => {
    const { line, shortName, currency } = readItemOut(itemEl, { strict: false, position: i + 1 });
    const item: PunchOutSetupItem = {
      lineNumber: line.lineNumber,
      quantity: line.quantity,
      supplierPartId: line.supplierPartId,
      classifications: line.classifications,
      extrinsics: line.extrinsics,
    };
    if (line.supplierAuxiliaryId !== undefined) item.supplierAuxiliaryId = line.supplierAuxiliaryId;
    if (line.buyerPartId !== undefined) item.buyerPartId = line.buyerPartId;
    if (line.unitPrice !== '') item.unitPrice = line.unitPrice;
    if (currency !== undefined) item.currency = currency;
    if (line.description !== undefined && line.description !== shortName) item.description = line.description;
    if (shortName !== undefined) item.shortName = shortName;
    if (line.unitOfMeasure !== '') item.unitOfMeasure = line.unitOfMeasure;
    if (line.requestedDeliveryDate !== undefined) item.requestedDeliveryDate = line.requestedDeliveryDate;
    out.items.push(item);
  });
  out.unmapped = reader.unmappedPaths(doc.body);
  return out;
}

// ---------------------------------------------------------------------------------------------- responses

export interface PunchOutSetupResponseInput extends EnvelopeInput {
  /** The URL the buyer's browser opens (our catalog session). */
  startPageUrl: string;
}

/** `<Response><Status code="200"/><PunchOutSetupResponse><StartPage><URL>…` */
export function buildPunchOutSetupResponse(input: PunchOutSetupResponseInput): string {
  const { startPageUrl, ...envelope } = input;
  const body = el(
    'PunchOutSetupResponse',
    {},
    el('StartPage', {}, el('URL', {}, requireText(startPageUrl, 'startPageUrl'))),
  );
  return responseDocument(envelope, { code: 200 }, body);
}

// ---------------------------------------------------------------------------------------------- cart

export interface PunchOutCartItem {
  quantity: DecimalString;
  supplierPartId: string;
  /** Identifies the cart line; comes back in the OrderRequest's SupplierPartAuxiliaryID. */
  supplierAuxiliaryId: string;
  unitPrice: DecimalString;
  description: string;
  shortName?: string;
  /** UN/ECE Rec 20 code, e.g. "EA". */
  unitOfMeasure: string;
  /** A UNSPSC code, or explicit classifications (at least one; cXML requires one). */
  classification: string | Classification[];
  manufacturerPartId?: string;
  manufacturerName?: string;
  leadTimeDays?: number;
  lineNumber?: number;
  extrinsics?: Extrinsic[];
}

export interface PunchOutCart {
  buyerCookie: string;
  operationAllowed: 'create' | 'edit' | 'inspect';
  currency: string;
  /** Must equal the sum of quantity x unitPrice (+ shipping + tax), rounded to the currency. */
  total: DecimalString;
  items: PunchOutCartItem[];
  shipping?: { amount: DecimalString; description?: string };
  tax?: { amount: DecimalString; description?: string };
  /** xml:lang of descriptions; default "en". */
  lang?: string;
}

function cartItem(item: PunchOutCartItem, cart: PunchOutCart, index: number): El {
  const where = `items[${index}]`;
  const lang = cart.lang ?? 'en';
  const classifications: Classification[] =
    typeof item.classification === 'string'
      ? [{ domain: 'UNSPSC', code: item.classification }]
      : item.classification;
  if (classifications.length === 0)
    throw new CxmlBuildError(`${where}.classification needs at least one entry`);
  if (item.leadTimeDays !== undefined && (!Number.isInteger(item.leadTimeDays) || item.leadTimeDays < 0)) {
    throw new CxmlBuildError(`${where}.leadTimeDays must be a whole number of days`);
  }
  return el(
    'ItemIn',
    { quantity: decimal(item.quantity, `${where}.quantity`), lineNumber: item.lineNumber },
    el(
      'ItemID',
      {},
      el('SupplierPartID', {}, requireText(item.supplierPartId, `${where}.supplierPartId`)),
      el(
        'SupplierPartAuxiliaryID',
        {},
        requireText(item.supplierAuxiliaryId, `${where}.supplierAuxiliaryId`),
      ),
    ),
    el(
      'ItemDetail',
      {},
      el('UnitPrice', {}, money(item.unitPrice, cart.currency, `${where}.unitPrice`)),
      el(
        'Description',
        { 'xml:lang': lang },
        textEl('ShortName', item.shortName),
        requireText(item.description, `${where}.description`),
      ),
      el('UnitOfMeasure', {}, requireText(item.unitOfMeasure, `${where}.unitOfMeasure`)),
      classifications.map((c) =>
        el('Classification', { domain: requireText(c.domain, `${where} classification domain`) }, c.code),
      ),
      textEl('ManufacturerPartID', item.manufacturerPartId),
      textEl('ManufacturerName', item.manufacturerName),
      textEl('LeadTime', item.leadTimeDays === undefined ? undefined : String(item.leadTimeDays)),
      (item.extrinsics ?? []).map((e) => el('Extrinsic', { name: e.name }, e.value)),
    ),
  );
}

/**
 * The cart as a PunchOutOrderMessage (to post to the BrowserFormPost URL, form field "cxml-urlencoded").
 * The header credentials are usually the POSR's To (us) as From, its From (buyer) as To.
 */
export function buildPunchOutOrderMessage(envelope: RequestEnvelopeInput, cart: PunchOutCart): string {
  const currency = currencyCode(cart.currency, 'cart.currency');
  const lines = cart.items.map((item, i) =>
    mul(decimal(item.quantity, `items[${i}].quantity`), decimal(item.unitPrice, `items[${i}].unitPrice`)),
  );
  const expected = roundMoney(add(...lines, cart.shipping?.amount ?? '0', cart.tax?.amount ?? '0'), currency);
  if (!eq(expected, decimal(cart.total, 'cart.total'))) {
    throw new CxmlBuildError(
      `cart.total ${cart.total} does not equal the items (+ shipping + tax): ${expected.toFixed()}`,
    );
  }
  const lang = cart.lang ?? 'en';
  const message = el(
    'PunchOutOrderMessage',
    {},
    el('BuyerCookie', {}, requireText(cart.buyerCookie, 'cart.buyerCookie')),
    el(
      'PunchOutOrderMessageHeader',
      { operationAllowed: cart.operationAllowed },
      el('Total', {}, money(cart.total, currency, 'cart.total')),
      cart.shipping &&
        el(
          'Shipping',
          {},
          money(cart.shipping.amount, currency, 'cart.shipping.amount'),
          el('Description', { 'xml:lang': lang }, cart.shipping.description ?? ''),
        ),
      cart.tax &&
        el(
          'Tax',
          {},
          money(cart.tax.amount, currency, 'cart.tax.amount'),
          el('Description', { 'xml:lang': lang }, cart.tax.description ?? ''),
        ),
    ),
    cart.items.map((item, i) => cartItem(item, cart, i)),
  );
  return messageDocument(envelope, message);
}
