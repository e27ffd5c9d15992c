/**
 * OrderRequest -> canonical Order.
 *
 * Mapping (cXML -> model):
 *   OrderRequestHeader@orderID -> buyerOrderNumber; @orderDate -> orderDate (ISO, offset kept);
 *   @type new|update|delete -> 'new'|'update'|'cancel'; @orderVersion -> version (1 when absent);
 *   Total/Money -> total and currency (every other amount must be in that currency, else 400);
 *   ShipTo, BillTo -> Party; Shipping -> shipping; Tax -> tax; PaymentTerm* -> paymentTerms (a term with a
 *   Discount gives discountPercent/discountDays, one without gives netDays); Contact* -> contacts;
 *   Comments* -> comments (Attachment URLs -> `attachments`); Extrinsic* -> extrinsics;
 *   @requestedDeliveryDate -> every line without its own.
 *   ItemOut -> OrderLine: @lineNumber (position when absent; duplicates refused), @quantity,
 *   @requestedDeliveryDate, ItemID/SupplierPartID|SupplierPartAuxiliaryID|BuyerPartID,
 *   ItemDetail/UnitPrice, Description (own text; ShortName when there is no text; ShortName also in
 *   `lineDetails`), UnitOfMeasure (as sent), Classification (domain, @code or text), ManufacturerPartID,
 *   ManufacturerName, Extrinsic; Distribution/Accounting (Segment or AccountingSegment)/Charge; ShipTo;
 *   Tax; Comments.
 * Not held by Order but returned beside it: the document's payloadID, DocumentReference@payloadID (the
 * order an update/delete replaces), SupplierOrderInfo, attachments, and `unmapped` — the XPath of every
 * element present that nothing above took (Payment, PCard, Followup, ... ), so nothing is dropped silently.
 * Required data missing or unreadable -> CxmlError 400 with its XPath.
 */
import type { Order, OrderType } from '../../src/model';
import { badData } from './errors';
import type { ParsedCxml } from './parse';
import { asParsed, expectType } from './parse';
import { Reader, dateAttr, decimalAttr, readMoney, uintAttr } from './read';
import type { Node } from './read';
import {
  checkCurrency,
  readAddressHolder,
  readComments,
  readContact,
  readExtrinsics,
  readItemOut,
  readTax,
} from './common';

export interface OrderRequestDocument {
  /** payloadID of the OrderRequest (idempotency key; what confirmations and invoices refer to). */
  payloadId: string;
  order: Order;
  /** DocumentReference@payloadID: for an update or delete, the OrderRequest it replaces. */
  documentReference?: string;
  supplierOrderInfo?: { orderId: string; orderDate?: string };
  /** Per-line facts the canonical OrderLine does not hold (only lines that have some). */
  lineDetails: { lineNumber: number; shortName?: string }[];
  /** Comments/Attachment/URL values, header then lines (usually cid: references to MIME parts). */
  attachments: string[];
  /** XPaths of elements present in the OrderRequest that the canonical order does not hold. */
  unmapped: string[];
}

const TYPES: Readonly<Record<string, OrderType>> = { new: 'new', update: 'update', delete: 'cancel' };

function readPaymentTerms(header: Node): Order['paymentTerms'] {
  const terms = header.children('PaymentTerm');
  if (terms.length === 0) return undefined;
  const out: NonNullable<Order['paymentTerms']> = {};
  for (const term of terms) {
    const days = uintAttr(term, 'payInNumberOfDays');
    const discount = term.child('Discount');
    const percent = discount?.child('DiscountPercent');
    if (percent) {
      out.discountPercent = decimalAttr(percent, 'percent', true);
      if (days !== undefined) out.discountDays = days;
    } else if (discount) {
      throw badData('only DiscountPercent discounts are supported', discount.path);
    } else if (days !== undefined) {
      out.netDays = days;
    }
  }
  return out;
}

/** Reads an OrderRequest (raw input or a ParsedCxml) into the canonical Order. Throws CxmlError. */
export function parseOrderRequest(input: ParsedCxml | Buffer | string): OrderRequestDocument {
  const doc = asParsed(input);
  expectType(doc, 'OrderRequest');
  const reader = new Reader();
  const request = reader.node(doc.body);
  const header = request.required('OrderRequestHeader');

  const buyerOrderNumber = header.requiredAttr('orderID');
  const orderDate = dateAttr(header, 'orderDate', true);
  const typeAttr = header.attr('type') ?? 'new';
  const type = TYPES[typeAttr];
  if (type === undefined)
    throw badData(`order type "${typeAttr}" is not new, update or delete`, `${header.path}/@type`);
  const versionRaw = header.attr('orderVersion');
  let version = 1;
  if (versionRaw !== undefined && versionRaw !== '') {
    if (!/^[1-9]\d{0,8}$/.test(versionRaw)) {
      throw badData(
        `orderVersion "${versionRaw}" is not a positive whole number`,
        `${header.path}/@orderVersion`,
      );
    }
    version = Number(versionRaw);
  }

  const totalEl = header.required('Total');
  const total = readMoney(totalEl, true);
  const currency = total.currency;

  const order: Order = {
    buyerOrderNumber,
    version,
    type,
    orderDate,
    currency,
    total: total.amount,
    contacts: header.children('Contact').map(readContact),
    comments: [],
    extrinsics: [],
    lines: [],
  };
  const shipTo = header.child('ShipTo');
  if (shipTo) order.shipTo = readAddressHolder(shipTo);
  const billTo = header.child('BillTo');
  if (billTo) order.billTo = readAddressHolder(billTo);
  const shipping = header.child('Shipping');
  if (shipping) {
    const money = readMoney(shipping, true);
    checkCurrency(money, currency, shipping.path);
    order.shipping = { amount: money.amount };
    const description = shipping.childText('Description');
    if (description !== undefined) order.shipping.description = description;
  }
  const tax = header.child('Tax');
  if (tax) order.tax = readTax(tax, currency);
  const paymentTerms = readPaymentTerms(header);
  if (paymentTerms) order.paymentTerms = paymentTerms;
  const headerComments = readComments(header);
  order.comments = headerComments.texts;
  order.extrinsics = readExtrinsics(header);

  const result: OrderRequestDocument = {
    payloadId: doc.payloadId,
    order,
    lineDetails: [],
    attachments: [...headerComments.attachments],
    unmapped: [],
  };
  const docRef = header.child('DocumentReference');
  if (docRef) result.documentReference = docRef.requiredAttr('payloadID');
  const supplierInfo = header.child('SupplierOrderInfo');
  if (supplierInfo) {
    result.supplierOrderInfo = { orderId: supplierInfo.requiredAttr('orderID') };
    const date = dateAttr(supplierInfo, 'orderDate');
    if (date !== undefined) result.supplierOrderInfo.orderDate = date;
  }

  const defaultDeliveryDate = dateAttr(header, 'requestedDeliveryDate');
  const items = request.children('ItemOut');
  if (items.length === 0)
    throw badData('an OrderRequest needs at least one ItemOut', `${request.path}/ItemOut`);
  const seenLines = new Set<number>();
  items.forEach((item, i) => {
    const read = readItemOut(item, {
      strict: true,
      position: i + 1,
      currency,
      ...(defaultDeliveryDate !== undefined ? { defaultDeliveryDate } : {}),
    });
    if (seenLines.has(read.line.lineNumber)) {
      throw badData(`lineNumber ${read.line.lineNumber} appears twice`, `${item.path}/@lineNumber`);
    }
    seenLines.add(read.line.lineNumber);
    order.lines.push(read.line);
    if (read.shortName !== undefined)
      result.lineDetails.push({ lineNumber: read.line.lineNumber, shortName: read.shortName });
    result.attachments.push(...read.attachments);
  });
  result.unmapped = reader.unmappedPaths(doc.body);
  return result;
}
