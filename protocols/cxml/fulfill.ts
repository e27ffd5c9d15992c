/**
 * Fulfil.dtd documents we send after an OrderRequest: ConfirmationRequest (accept / reject / per-line
 * detail) and ShipNoticeRequest (from a canonical Shipment). Both reference the order by orderID and by the
 * OrderRequest's payloadID (OrderReference/DocumentReference).
 */
import type { DecimalString, Order, Shipment } from '../../src/model';
import { add, eq } from '../../src/model';
import type { El, RequestEnvelopeInput } from './build';
import {
  CXML_VERSION,
  CxmlBuildError,
  currencyCode,
  decimal,
  el,
  money,
  requestDocument,
  requireText,
  textEl,
  timestampValue,
} from './build';
import { contactEl } from './parts';

export interface OrderReferenceInput {
  /** The buyer's orderID. */
  orderId: string;
  /**
   * payloadID of the OrderRequest; empty or absent for an order that did not come as cXML (X12, JSON):
   * the DTD requires OrderReference/DocumentReference, so it is written with payloadID="".
   */
  payloadId?: string;
  /** The buyer's orderDate: pass its own lexical form to echo it with its offset (see timestampValue). */
  orderDate?: string | Date;
}

function orderReference(ref: OrderReferenceInput): El {
  return el(
    'OrderReference',
    {
      orderID: requireText(ref.orderId, 'order.orderId'),
      orderDate: ref.orderDate === undefined ? undefined : timestampValue(ref.orderDate, 'order.orderDate'),
    },
    el('DocumentReference', { payloadID: ref.payloadId?.trim() ?? '' }),
  );
}

// ---------------------------------------------------------------------------------------------- confirmation

export type ConfirmationType = 'accept' | 'reject' | 'detail' | 'allDetail' | 'except' | 'backordered';
export type ConfirmationLineStatusType =
  'accept' | 'reject' | 'detail' | 'backordered' | 'allDetail' | 'unknown';

export interface ConfirmationLineStatus {
  type: ConfirmationLineStatusType;
  quantity: DecimalString;
  /** Default: the line's unit. */
  unitOfMeasure?: string;
  /** Confirmed (possibly changed) unit price, in `currency` of the confirmation. */
  unitPrice?: DecimalString;
  shipmentDate?: string | Date;
  deliveryDate?: string | Date;
  comments?: string;
}

export interface ConfirmationLine {
  lineNumber: number;
  /** Quantity of the order line; the statuses' quantities must add up to it. */
  quantity: DecimalString;
  unitOfMeasure: string;
  statuses: ConfirmationLineStatus[];
}

export interface ConfirmationInput {
  type: ConfirmationType;
  noticeDate: string | Date;
  order: OrderReferenceInput;
  confirmId?: string;
  /** "update" replaces an earlier confirmation of the same order. */
  operation?: 'new' | 'update';
  /** Needed when a total or a line unit price is given. */
  currency?: string;
  total?: DecimalString;
  comments?: string;
  /** Required for "detail"; optional for accept/reject (they apply to the whole order). */
  items?: ConfirmationLine[];
  lang?: string;
}

/** Every line of the order with one status of `type` for its full quantity. */
export function confirmationLinesFromOrder(order: Order, type: 'accept' | 'reject'): ConfirmationLine[] {
  return order.lines.map((line) => ({
    lineNumber: line.lineNumber,
    quantity: line.quantity,
    unitOfMeasure: line.unitOfMeasure,
    statuses: [{ type, quantity: line.quantity }],
  }));
}

function confirmationItem(line: ConfirmationLine, input: ConfirmationInput, index: number): El {
  const where = `items[${index}]`;
  if (!Number.isInteger(line.lineNumber) || line.lineNumber < 1) {
    throw new CxmlBuildError(`${where}.lineNumber must be a positive whole number`);
  }
  if (line.statuses.length === 0) throw new CxmlBuildError(`${where} needs at least one status`);
  const sum = add(...line.statuses.map((s, j) => decimal(s.quantity, `${where}.statuses[${j}].quantity`)));
  if (!eq(sum, decimal(line.quantity, `${where}.quantity`))) {
    throw new CxmlBuildError(
      `${where}: status quantities add up to ${sum.toFixed()}, not the line quantity ${line.quantity}`,
    );
  }
  const lang = input.lang ?? 'en';
  return el(
    'ConfirmationItem',
    { quantity: line.quantity, lineNumber: line.lineNumber },
    el('UnitOfMeasure', {}, requireText(line.unitOfMeasure, `${where}.unitOfMeasure`)),
    line.statuses.map((s, j) =>
      el(
        'ConfirmationStatus',
        {
          quantity: s.quantity,
          type: s.type,
          shipmentDate:
            s.shipmentDate === undefined
              ? undefined
              : timestampValue(s.shipmentDate, `${where}.shipmentDate`),
          deliveryDate:
            s.deliveryDate === undefined
              ? undefined
              : timestampValue(s.deliveryDate, `${where}.deliveryDate`),
        },
        el('UnitOfMeasure', {}, s.unitOfMeasure ?? line.unitOfMeasure),
        s.unitPrice !== undefined
          ? el(
              'UnitPrice',
              {},
              money(
                s.unitPrice,
                currencyCode(input.currency, 'currency (for unit prices)'),
                `${where}.statuses[${j}].unitPrice`,
              ),
            )
          : undefined,
        textEl('Comments', s.comments, { 'xml:lang': lang }),
      ),
    ),
  );
}

/** ConfirmationRequest (Fulfill.dtd) for an order we received. */
export function buildConfirmationRequest(envelope: RequestEnvelopeInput, input: ConfirmationInput): string {
  const items = input.items ?? [];
  if (
    (input.type === 'detail' || input.type === 'except' || input.type === 'backordered') &&
    items.length === 0
  ) {
    throw new CxmlBuildError(`a "${input.type}" confirmation lists its lines (items)`);
  }
  const lang = input.lang ?? 'en';
  const header = el(
    'ConfirmationHeader',
    {
      confirmID: input.confirmId,
      operation: input.operation ?? 'new',
      type: input.type,
      noticeDate: timestampValue(input.noticeDate, 'noticeDate'),
    },
    input.total !== undefined
      ? el('Total', {}, money(input.total, currencyCode(input.currency, 'currency (for total)'), 'total'))
      : undefined,
    textEl('Comments', input.comments, { 'xml:lang': lang }),
  );
  const request = el(
    'ConfirmationRequest',
    {},
    header,
    orderReference(input.order),
    items.map((line, i) => confirmationItem(line, input, i)),
  );
  return requestDocument(envelope, request, CXML_VERSION, 'Fulfill.dtd');
}

// ---------------------------------------------------------------------------------------------- ship notice

export interface ShipNoticeInput {
  shipment: Shipment;
  /** orderId defaults to shipment.buyerOrderNumber. */
  order: Omit<OrderReferenceInput, 'orderId'> & { orderId?: string };
  noticeDate: string | Date;
  operation?: 'new' | 'update' | 'delete';
  /**
   * CarrierIdentifier@domain of shipment.carrier; default: "SCAC" when it is written like a Standard
   * Carrier Alpha Code (2 to 4 capital letters, "UPSN"), else "companyName" (a name, "United Parcel
   * Service"). shipment.carrierName, when given, is sent as a second identifier in "companyName".
   */
  carrierDomain?: string;
  comments?: string;
  lang?: string;
}

/** A Standard Carrier Alpha Code: 2 to 4 capital letters (the 856 writes the same in TD503). */
const SCAC_RE = /^[A-Z]{2,4}$/;

export function carrierDomainOf(carrier: string): 'SCAC' | 'companyName' {
  return SCAC_RE.test(carrier.trim()) ? 'SCAC' : 'companyName';
}

/**
 * ShipNoticeRequest (Fulfill.dtd) from a canonical Shipment. cXML's ShipControl needs both a carrier and a
 * shipment identifier: give both carrier and trackingNumber, or neither (one alone is refused, not dropped).
 */
export function buildShipNoticeRequest(envelope: RequestEnvelopeInput, input: ShipNoticeInput): string {
  const { shipment } = input;
  const lang = input.lang ?? 'en';
  if ((shipment.carrier === undefined) !== (shipment.trackingNumber === undefined)) {
    throw new CxmlBuildError(
      'shipment.carrier and shipment.trackingNumber go together (cXML ShipControl needs both)',
    );
  }
  const header = el(
    'ShipNoticeHeader',
    {
      shipmentID: requireText(shipment.shipmentId, 'shipment.shipmentId'),
      operation: input.operation ?? 'new',
      noticeDate: timestampValue(input.noticeDate, 'noticeDate'),
      shipmentDate: timestampValue(shipment.shippedAt, 'shipment.shippedAt'),
      deliveryDate:
        shipment.expectedDeliveryAt === undefined
          ? undefined
          : timestampValue(shipment.expectedDeliveryAt, 'shipment.expectedDeliveryAt'),
    },
    shipment.shipFrom ? contactEl('shipFrom', shipment.shipFrom, 'shipment.shipFrom', lang) : undefined,
    shipment.shipTo ? contactEl('shipTo', shipment.shipTo, 'shipment.shipTo', lang) : undefined,
    textEl('Comments', input.comments, { 'xml:lang': lang }),
  );
  const control =
    shipment.carrier !== undefined && shipment.trackingNumber !== undefined
      ? el(
          'ShipControl',
          {},
          el(
            'CarrierIdentifier',
            { domain: input.carrierDomain ?? carrierDomainOf(shipment.carrier) },
            shipment.carrier,
          ),
          shipment.carrierName !== undefined && shipment.carrierName !== shipment.carrier
            ? el('CarrierIdentifier', { domain: 'companyName' }, shipment.carrierName)
            : undefined,
          el('ShipmentIdentifier', {}, shipment.trackingNumber),
        )
      : undefined;
  if (shipment.lines.length === 0) throw new CxmlBuildError('shipment.lines is empty');
  const portion = el(
    'ShipNoticePortion',
    {},
    orderReference({ ...input.order, orderId: input.order.orderId ?? shipment.buyerOrderNumber }),
    shipment.lines.map((line, i) =>
      el(
        'ShipNoticeItem',
        { quantity: decimal(line.quantity, `shipment.lines[${i}].quantity`), lineNumber: line.lineNumber },
        line.supplierPartId !== undefined
          ? el('ItemID', {}, el('SupplierPartID', {}, line.supplierPartId))
          : undefined,
        el('UnitOfMeasure', {}, requireText(line.unitOfMeasure, `shipment.lines[${i}].unitOfMeasure`)),
      ),
    ),
  );
  const request = el('ShipNoticeRequest', {}, header, control, portion);
  return requestDocument(envelope, request, CXML_VERSION, 'Fulfill.dtd');
}
