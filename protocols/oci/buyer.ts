/**
 * The buyer's side of an OCI punchout, for a procurement system that opens a supplier's catalog
 * (the built-in demo buyer, tests): the login fields its browser posts to the catalog, and reading
 * the cart the catalog posts back to HOOK_URL into one order's worth of lines (one currency, line
 * amounts and total as decimal strings).
 */
import { add, dec, isDecimalString, minorUnits, mul, roundMoney } from '../../src/model';
import type { DecimalString } from '../../src/model';
import { invalid, missing } from './fields';
import type { OciFields, OciResult } from './fields';
import { parseOciCart } from './cart';
import type { OciFieldList } from './cart';

export interface OciLoginInput {
  username: string;
  password: string;
  /** Where the catalog posts the cart back: the buyer's own page. */
  hookUrl: string;
  /** ~OkCode, given back with the cart; "ADDI" (add to the shopping cart) when absent. */
  okCode?: string;
  /** ~TARGET: the frame the catalog's cart form posts into ("_top": the whole window). */
  target?: string;
  /** ~CALLER, given back with the cart; "CTLG" when absent. */
  caller?: string;
  /** Further fields of the partner's catalog call (VENDOR, FUNCTION...), in order. */
  extra?: readonly (readonly [name: string, value: string])[];
}

/** The fields of an OCI catalog call as an SRM sends them, in the order SAP writes them. */
export function buildOciLoginFields(input: OciLoginInput): OciFieldList {
  const need = (name: string, value: string): string => {
    if (value.trim() === '') throw new RangeError(`${name} is empty`);
    return value;
  };
  const out: OciFieldList = [
    ['USERNAME', need('USERNAME', input.username)],
    ['PASSWORD', need('PASSWORD', input.password)],
    ['HOOK_URL', need('HOOK_URL', input.hookUrl)],
    ['~OkCode', input.okCode ?? 'ADDI'],
    ['~CALLER', input.caller ?? 'CTLG'],
  ];
  if (input.target !== undefined) out.push(['~TARGET', input.target]);
  for (const [name, value] of input.extra ?? []) out.push([name, value]);
  return out;
}

/** One line of a cart returned over OCI, as the buyer's system takes it into a requisition. */
export interface OciReturnedItem {
  /** The [n] of its NEW_ITEM fields. */
  index: number;
  supplierPartId: string;
  /** NEW_ITEM-EXT_QUOTE_ID: the supplier's key of the cart line, copied into the purchase order. */
  supplierAuxiliaryId?: string;
  description: string;
  longText?: string;
  quantity: DecimalString;
  unitOfMeasure: string;
  /** Price of one unit (NEW_ITEM-PRICE divided by NEW_ITEM-PRICEUNIT), as many decimals as it has. */
  unitPrice: DecimalString;
  /** quantity × unit price, rounded by the currency's rule. */
  amount: DecimalString;
  unspsc?: string;
  leadTimeDays?: number;
  manufacturerPartId?: string;
}

export interface OciReturnedCart {
  /** The one currency of every line. */
  currency: string;
  /** The sum of the line amounts. */
  total: DecimalString;
  items: OciReturnedItem[];
  okCode?: string;
  target?: string;
  caller?: string;
}

export interface OciReturnExpectation {
  /** The ~OkCode the login sent: a cart with another one is not the answer to it. */
  okCode?: string;
}

/**
 * Reads the form a catalog posted to HOOK_URL: the NEW_ITEM fields of every index (in index order,
 * whatever order they came in), each line's unit price from PRICE and PRICEUNIT, its amount and the
 * cart's total as decimal strings. Refuses, naming the field, a cart without items, a line without
 * its required fields, lines in different currencies and an ~OkCode other than the login's.
 */
export function readOciReturn(
  fields: OciFields,
  expect: OciReturnExpectation = {},
): OciResult<OciReturnedCart> {
  const parsed = parseOciCart(fields);
  if (!parsed.ok) return parsed;
  const cart = parsed.value;
  const first = cart.items[0];
  if (!first) return missing('NEW_ITEM-DESCRIPTION[1]', 'the cart has no NEW_ITEM lines');
  if (expect.okCode !== undefined && cart.okCode !== undefined && cart.okCode !== expect.okCode) {
    return invalid('~OkCode', `~OkCode "${cart.okCode}" is not the "${expect.okCode}" of the login`);
  }
  const currency = first.currency.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency))
    return invalid(`NEW_ITEM-CURRENCY[${first.index}]`, `"${first.currency}" is not an ISO 4217 code`);
  const items: OciReturnedItem[] = [];
  for (const i of cart.items) {
    const field = (f: string) => `NEW_ITEM-${f}[${i.index}]`;
    if (i.currency.trim().toUpperCase() !== currency) {
      return invalid(field('CURRENCY'), `${i.currency} differs from ${currency}: one order has one currency`);
    }
    if (!isDecimalString(i.quantity) || dec(i.quantity).lte(0))
      return invalid(field('QUANTITY'), `quantity "${i.quantity}" must be more than 0`);
    const item: OciReturnedItem = {
      index: i.index,
      supplierPartId: i.supplierPartId,
      description: i.description,
      quantity: i.quantity,
      unitOfMeasure: i.unitOfMeasure.trim().toUpperCase(),
      unitPrice: i.unitPrice,
      amount: roundMoney(mul(i.quantity, i.unitPrice), currency).toFixed(minorUnits(currency)),
    };
    if (i.supplierAuxiliaryId !== undefined) item.supplierAuxiliaryId = i.supplierAuxiliaryId;
    if (i.longText !== undefined) item.longText = i.longText;
    if (i.unspsc !== undefined) item.unspsc = i.unspsc;
    if (i.leadTimeDays !== undefined) item.leadTimeDays = i.leadTimeDays;
    if (i.manufacturerPartId !== undefined) item.manufacturerPartId = i.manufacturerPartId;
    items.push(item);
  }
  const total = roundMoney(add('0', ...items.map((i) => i.amount)), currency).toFixed(minorUnits(currency));
  const out: OciReturnedCart = { currency, total, items };
  if (cart.okCode !== undefined) out.okCode = cart.okCode;
  if (cart.target !== undefined) out.target = cart.target;
  if (cart.caller !== undefined) out.caller = cart.caller;
  return { ok: true, value: out };
}
