/**
 * InvoiceDetailRequest <-> canonical Invoice (InvoiceDetail.dtd 1.2.037).
 *
 * Field mapping (both directions):
 *   invoiceNumber          InvoiceDetailRequestHeader@invoiceID
 *   purpose                @purpose standard | creditMemo; a credit memo is written as lineLevelCreditMemo
 *                          (it credits lines); creditMemo and lineLevelCreditMemo are both read as creditMemo;
 *                          debitMemo and lineLevelDebitMemo are refused with 406
 *   invoiceDate            @invoiceDate (ISO, offset kept)
 *   billTo, remitTo        InvoicePartner/Contact[@role]
 *   shipTo                 InvoiceDetailShipping/Contact[@role=shipTo] (cXML also needs a shipFrom there)
 *   originalInvoiceNumber  InvoiceIDInfo@invoiceID (credit memos)
 *   paymentTermsNetDays    PaymentTerm@payInNumberOfDays (the term without a Discount)
 *   comments               header Comments (several comments are joined with a newline)
 *   buyerOrderNumber       InvoiceDetailOrderInfo/OrderReference@orderID (or OrderIDInfo@orderID)
 *   orderPayloadId         OrderReference/DocumentReference@payloadID
 *   orderDate              OrderReference@orderDate (or OrderIDInfo@orderDate)
 *   supplierOrderNumber    InvoiceDetailOrderInfo/SupplierOrderInfo@orderID
 *   lines                  InvoiceDetailItem: @invoiceLineNumber, @quantity, UnitOfMeasure, UnitPrice,
 *                          InvoiceDetailItemReference@lineNumber (orderLineNumber), its ItemID/SupplierPartID
 *                          and Description, SubtotalAmount, Tax
 *   subtotal, taxTotal     InvoiceDetailSummary/SubtotalAmount, Tax/Money
 *   tax                    summary Tax, when no line carries a Tax (header taxation)
 *   taxSummary             summary Tax/TaxDetail (one row per detail)
 *   shipping, discount     ShippingAmount, InvoiceDetailDiscount
 *   total                  DueAmount (else NetAmount, else computed)
 * Not in cXML: dueDate (never read; not written). Not in the canonical Invoice, returned beside it:
 * SpecialHandlingAmount, the shipFrom contact, the original invoice's payloadID.
 *
 * Credit memos: the canonical convention (src/invoices/calc.ts) is negative quantities, subtotals, taxes,
 * shipping, discount and total with positive unit prices — which is what cXML expects of credit memos
 * (DueAmount negative). The builder writes credit memos with those signs whatever signs it is given. Our
 * credit memos credit lines of an invoice, so they go out as the DTD's line-level credit memo:
 * purpose="lineLevelCreditMemo" with InvoiceDetailOrder/InvoiceDetailItem and no isHeaderInvoice (the
 * DTD's purpose="creditMemo" requires isHeaderInvoice="yes", which means InvoiceDetailHeaderOrder and no
 * item details). Parsing keeps the signs as sent.
 */
import type { DecimalString, Invoice, InvoiceLine, Party, Tax } from '../../src/model';
import { add, dec, eq, formatMoney, isDecimalString } from '../../src/model';
import type { Dec } from '../../src/model';
import { badData, unsupported } from './errors';
import type { ParsedCxml } from './parse';
import { asParsed, expectType } from './parse';
import { Reader, dateAttr, decimalAttr, readMoney, uintAttr } from './read';
import type { Node, ReadMoney } from './read';
import { checkCurrency, readContactParty, readTax, readTaxDetail } from './common';
import type { El, RequestEnvelopeInput } from './build';
import {
  CxmlBuildError,
  INVOICE_CXML_VERSION,
  currencyCode,
  decimal,
  el,
  money,
  requestDocument,
  requireText,
  textEl,
  timestampValue,
} from './build';
import { contactEl, taxEl } from './parts';
import { childElements } from './xml';

// ---------------------------------------------------------------------------------------------- build

export interface InvoiceBuildOptions {
  /** SpecialHandlingAmount: not held by the canonical Invoice; counted in the totals check. */
  specialHandling?: DecimalString;
  /** Required with invoice.shipTo: cXML's InvoiceDetailShipping needs a shipFrom and a shipTo contact. */
  shipFrom?: Party;
  /** payloadID of the invoice a credit memo credits (header DocumentReference). */
  originalInvoicePayloadId?: string;
  /** InvoiceDetailRequestHeader@operation; "delete" cancels the invoice named by originalInvoicePayloadId. */
  operation?: 'new' | 'delete';
  /** xml:lang of names and descriptions; default "en". */
  lang?: string;
}

function negative(value: DecimalString): DecimalString {
  if (typeof value !== 'string' || !isDecimalString(value.trim())) return value; // refused later, by name
  const v = value.trim();
  if (v.startsWith('-') || dec(v).isZero()) return v;
  return `-${v}`;
}

function positive(value: DecimalString): DecimalString {
  if (typeof value !== 'string') return value;
  const v = value.trim();
  return v.startsWith('-') ? v.slice(1) : v;
}

function signedTax(tax: Tax, sign: (v: DecimalString) => DecimalString): Tax {
  const out: Tax = { ...tax, amount: sign(tax.amount) };
  if (tax.taxableAmount !== undefined) out.taxableAmount = sign(tax.taxableAmount);
  return out;
}

/** The credit memo sign convention applied to a canonical invoice (identity for standard invoices). */
export function normaliseInvoiceSigns(invoice: Invoice): Invoice {
  if (invoice.purpose !== 'creditMemo') return invoice;
  const n = negative;
  const out: Invoice = {
    ...invoice,
    subtotal: n(invoice.subtotal),
    taxTotal: n(invoice.taxTotal),
    total: n(invoice.total),
    lines: invoice.lines.map((l) => {
      const line: InvoiceLine = {
        ...l,
        quantity: n(l.quantity),
        unitPrice: positive(l.unitPrice),
        subtotal: n(l.subtotal),
      };
      if (l.tax) line.tax = signedTax(l.tax, n);
      return line;
    }),
  };
  if (invoice.tax) out.tax = signedTax(invoice.tax, n);
  if (invoice.taxSummary) out.taxSummary = invoice.taxSummary.map((t) => signedTax(t, n));
  if (invoice.shipping !== undefined) out.shipping = n(invoice.shipping);
  if (invoice.discount !== undefined) out.discount = n(invoice.discount);
  return out;
}

function amount(value: DecimalString, currency: string, what: string): El {
  return money(value, currency, what);
}

/**
 * InvoiceDetailRequest from a canonical Invoice. Checks the arithmetic cXML readers check: the line
 * subtotals add up to the subtotal, and subtotal + tax + shipping + special handling - discount = total.
 */
export function buildInvoiceDetailRequest(
  envelope: RequestEnvelopeInput,
  source: Invoice,
  options: InvoiceBuildOptions = {},
): string {
  const invoice = normaliseInvoiceSigns(source);
  const currency = currencyCode(invoice.currency, 'invoice.currency');
  const lang = options.lang ?? 'en';
  const credit = invoice.purpose === 'creditMemo';
  if (invoice.purpose !== 'standard' && !credit) {
    throw new CxmlBuildError(
      `invoice.purpose must be standard or creditMemo, got ${JSON.stringify(invoice.purpose)}`,
    );
  }
  if (invoice.lines.length === 0) throw new CxmlBuildError('invoice.lines is empty');
  if (invoice.shipTo !== undefined && options.shipFrom === undefined) {
    throw new CxmlBuildError(
      'invoice.shipTo needs options.shipFrom (cXML InvoiceDetailShipping requires both contacts)',
    );
  }
  const specialHandling =
    options.specialHandling === undefined ? undefined : decimal(options.specialHandling, 'specialHandling');
  const sh = specialHandling === undefined ? undefined : credit ? negative(specialHandling) : specialHandling;

  const lineSum = add(...invoice.lines.map((l, i) => decimal(l.subtotal, `lines[${i}].subtotal`)));
  if (!eq(lineSum, decimal(invoice.subtotal, 'subtotal'))) {
    throw new CxmlBuildError(
      `line subtotals add up to ${lineSum.toFixed()}, not the subtotal ${invoice.subtotal}`,
    );
  }
  const gross = add(
    invoice.subtotal,
    decimal(invoice.taxTotal, 'taxTotal'),
    invoice.shipping ?? '0',
    sh ?? '0',
  );
  const net = gross.minus(dec(invoice.discount ?? '0'));
  if (!eq(net, decimal(invoice.total, 'total'))) {
    throw new CxmlBuildError(
      `total ${invoice.total} is not subtotal + tax + shipping + special handling - discount = ${net.toFixed()}`,
    );
  }

  const lineTaxed = invoice.lines.some((l) => l.tax !== undefined);
  const header = el(
    'InvoiceDetailRequestHeader',
    {
      invoiceID: requireText(invoice.invoiceNumber, 'invoice.invoiceNumber'),
      purpose: credit ? 'lineLevelCreditMemo' : 'standard',
      operation: options.operation ?? 'new',
      invoiceDate: timestampValue(invoice.invoiceDate, 'invoice.invoiceDate'),
    },
    // Item details (InvoiceDetailOrder) for standard invoices and line-level credit memos alike.
    el('InvoiceDetailHeaderIndicator', {}),
    el('InvoiceDetailLineIndicator', { isTaxInLine: lineTaxed ? 'yes' : undefined }),
    invoice.remitTo
      ? el('InvoicePartner', {}, contactEl('remitTo', invoice.remitTo, 'invoice.remitTo', lang))
      : undefined,
    invoice.billTo
      ? el('InvoicePartner', {}, contactEl('billTo', invoice.billTo, 'invoice.billTo', lang))
      : undefined,
    options.originalInvoicePayloadId !== undefined
      ? el('DocumentReference', { payloadID: options.originalInvoicePayloadId })
      : undefined,
    invoice.originalInvoiceNumber !== undefined
      ? el('InvoiceIDInfo', { invoiceID: invoice.originalInvoiceNumber })
      : undefined,
    invoice.shipTo && options.shipFrom
      ? el(
          'InvoiceDetailShipping',
          {},
          contactEl('shipFrom', options.shipFrom, 'options.shipFrom', lang),
          contactEl('shipTo', invoice.shipTo, 'invoice.shipTo', lang),
        )
      : undefined,
    invoice.paymentTermsNetDays !== undefined
      ? el('PaymentTerm', { payInNumberOfDays: invoice.paymentTermsNetDays })
      : undefined,
    invoice.comments !== undefined && invoice.comments.length > 0
      ? el('Comments', { 'xml:lang': lang }, invoice.comments.join('\n'))
      : undefined,
  );

  const orderDate =
    invoice.orderDate === undefined ? undefined : timestampValue(invoice.orderDate, 'invoice.orderDate');
  // An order named only by payloadID (buyerOrderNumber '') is written as OrderReference without orderID.
  const orderNumber = invoice.buyerOrderNumber.trim() === '' ? undefined : invoice.buyerOrderNumber;
  if (orderNumber === undefined && invoice.orderPayloadId === undefined) {
    throw new CxmlBuildError('invoice.buyerOrderNumber or invoice.orderPayloadId is required');
  }
  const orderInfo = el(
    'InvoiceDetailOrderInfo',
    {},
    invoice.orderPayloadId !== undefined
      ? el(
          'OrderReference',
          { orderID: orderNumber, orderDate },
          el('DocumentReference', { payloadID: invoice.orderPayloadId }),
        )
      : el('OrderIDInfo', { orderID: orderNumber as string, orderDate }),
    invoice.supplierOrderNumber !== undefined && invoice.supplierOrderNumber !== ''
      ? el('SupplierOrderInfo', { orderID: invoice.supplierOrderNumber })
      : undefined,
  );
  const items = invoice.lines.map((line, i) => {
    const at = `lines[${i}]`;
    return el(
      'InvoiceDetailItem',
      { invoiceLineNumber: line.lineNumber, quantity: decimal(line.quantity, `${at}.quantity`) },
      el('UnitOfMeasure', {}, requireText(line.unitOfMeasure, `${at}.unitOfMeasure`)),
      el('UnitPrice', {}, amount(line.unitPrice, currency, `${at}.unitPrice`)),
      el(
        'InvoiceDetailItemReference',
        { lineNumber: line.orderLineNumber },
        line.supplierPartId !== ''
          ? el('ItemID', {}, el('SupplierPartID', {}, line.supplierPartId))
          : undefined,
        textEl('Description', line.description, { 'xml:lang': lang }),
      ),
      el('SubtotalAmount', {}, amount(line.subtotal, currency, `${at}.subtotal`)),
      line.tax ? taxEl(line.tax, currency, `${at}.tax`, lang) : undefined,
    );
  });

  // Summary Tax: the tax total; its TaxDetails are the taxSummary rows, else the header tax's rate/category.
  const headTax: Tax = invoice.taxSummary
    ? { amount: invoice.taxTotal }
    : { ...(invoice.tax ?? {}), amount: invoice.taxTotal };
  if (invoice.tax?.description !== undefined) headTax.description = invoice.tax.description;
  else {
    // Line-level taxes: the summary Tax says what they are (its Description is required; empty says nothing).
    const described = [...new Set((invoice.taxSummary ?? []).map((t) => t.description))].filter(
      (d): d is string => d !== undefined && d !== '',
    );
    if (described.length > 0) headTax.description = described.join('; ');
  }
  const fmt = (v: Dec): string => formatMoney(v, currency);
  const summary = el(
    'InvoiceDetailSummary',
    {},
    el('SubtotalAmount', {}, amount(invoice.subtotal, currency, 'subtotal')),
    taxEl(headTax, currency, 'summary tax', lang, invoice.taxSummary),
    sh !== undefined ? el('SpecialHandlingAmount', {}, amount(sh, currency, 'specialHandling')) : undefined,
    invoice.shipping !== undefined
      ? el('ShippingAmount', {}, amount(invoice.shipping, currency, 'shipping'))
      : undefined,
    el('GrossAmount', {}, money(fmt(gross), currency, 'gross')),
    invoice.discount !== undefined
      ? el('InvoiceDetailDiscount', {}, amount(invoice.discount, currency, 'discount'))
      : undefined,
    el('NetAmount', {}, money(fmt(net), currency, 'net')),
    el('DueAmount', {}, amount(invoice.total, currency, 'total')),
  );

  const request = el(
    'InvoiceDetailRequest',
    {},
    header,
    el('InvoiceDetailOrder', {}, orderInfo, items),
    summary,
  );
  return requestDocument(envelope, request, INVOICE_CXML_VERSION, 'InvoiceDetail.dtd');
}

// ---------------------------------------------------------------------------------------------- parse

export interface InvoiceDetailDocument {
  payloadId: string;
  invoice: Invoice;
  /** "delete" cancels the invoice named by originalInvoicePayloadId. */
  operation: 'new' | 'delete';
  /** @purpose as sent (lineLevelCreditMemo is read as creditMemo). */
  purposeAsSent: string;
  /** SpecialHandlingAmount (counted in the total, not held by Invoice). */
  specialHandling?: DecimalString;
  shipFrom?: Party;
  /** Header DocumentReference@payloadID: the invoice this one relates to (credits, cancels). */
  originalInvoicePayloadId?: string;
  /** Summary amounts as sent (the canonical total is DueAmount, else NetAmount). */
  summary: { gross?: DecimalString; net?: DecimalString; due?: DecimalString };
  /** Data the document lacks that the canonical Invoice expects, and how it was filled. */
  warnings: { xpath: string; message: string }[];
  /** XPaths of elements present that the canonical invoice does not hold. */
  unmapped: string[];
}

const PURPOSES: Readonly<Record<string, Invoice['purpose']>> = {
  standard: 'standard',
  creditMemo: 'creditMemo',
  lineLevelCreditMemo: 'creditMemo',
};

function summaryAmount(summary: Node, name: string, currency: string): DecimalString | undefined {
  const holder = summary.child(name);
  if (!holder) return undefined;
  const m: ReadMoney | undefined = readMoney(holder);
  if (m === undefined) return undefined;
  checkCurrency(m, currency, holder.path);
  return m.amount;
}

function readLine(item: Node, currency: string, warnings: InvoiceDetailDocument['warnings']): InvoiceLine {
  const lineNumber = uintAttr(item, 'invoiceLineNumber');
  if (lineNumber === undefined) item.requiredAttr('invoiceLineNumber');
  const quantity = decimalAttr(item, 'quantity', true);
  const unitOfMeasure = item.requiredText('UnitOfMeasure');
  const priceEl = item.required('UnitPrice');
  const price = readMoney(priceEl, true);
  checkCurrency(price, currency, priceEl.path);
  const ref = item.required('InvoiceDetailItemReference');
  const orderLineNumber = uintAttr(ref, 'lineNumber');
  if (orderLineNumber === undefined) ref.requiredAttr('lineNumber');
  const partId = ref.child('ItemID')?.childText('SupplierPartID');
  if (partId === undefined) {
    warnings.push({
      xpath: `${ref.path}/ItemID/SupplierPartID`,
      message: 'no SupplierPartID: supplierPartId is empty',
    });
  }
  const subtotalEl = item.child('SubtotalAmount');
  const subtotalMoney = subtotalEl ? readMoney(subtotalEl) : undefined;
  if (subtotalEl && subtotalMoney) checkCurrency(subtotalMoney, currency, subtotalEl.path);
  let subtotal = subtotalMoney?.amount;
  if (subtotal === undefined) {
    subtotal = formatMoney(dec(quantity).times(dec(price.amount)), currency);
    warnings.push({
      xpath: `${item.path}/SubtotalAmount`,
      message: 'no SubtotalAmount: quantity x unit price used',
    });
  }
  const line: InvoiceLine = {
    lineNumber: lineNumber as number,
    orderLineNumber: orderLineNumber as number,
    supplierPartId: partId ?? '',
    quantity,
    unitOfMeasure,
    unitPrice: price.amount,
    subtotal,
  };
  const description = ref.childText('Description');
  if (description !== undefined) line.description = description;
  const taxEl2 = item.child('Tax');
  if (taxEl2) line.tax = readTax(taxEl2, currency);
  return line;
}

/** Reads an InvoiceDetailRequest into the canonical Invoice. Throws CxmlError (400 bad data, 406 unsupported). */
export function parseInvoiceDetailRequest(input: ParsedCxml | Buffer | string): InvoiceDetailDocument {
  const doc = asParsed(input);
  expectType(doc, 'InvoiceDetailRequest');
  const reader = new Reader();
  const request = reader.node(doc.body);
  const header = request.required('InvoiceDetailRequestHeader');
  const warnings: InvoiceDetailDocument['warnings'] = [];

  const invoiceNumber = header.requiredAttr('invoiceID');
  const purposeAsSent = header.attr('purpose') ?? 'standard';
  const purpose = PURPOSES[purposeAsSent];
  if (purpose === undefined) {
    throw unsupported(
      `invoice purpose "${purposeAsSent}" is not supported (standard, creditMemo)`,
      `${header.path}/@purpose`,
    );
  }
  const operation = header.attr('operation') ?? 'new';
  if (operation !== 'new' && operation !== 'delete') {
    throw badData(`operation "${operation}" is neither new nor delete`, `${header.path}/@operation`);
  }
  const invoiceDate = dateAttr(header, 'invoiceDate', true);
  header.child('InvoiceDetailHeaderIndicator');
  header.child('InvoiceDetailLineIndicator');

  if (childElements(request.el, 'InvoiceDetailHeaderOrder').length > 0) {
    throw unsupported(
      'summary-only invoices (InvoiceDetailHeaderOrder) are not supported',
      `${request.path}/InvoiceDetailHeaderOrder`,
    );
  }
  const orders = request.children('InvoiceDetailOrder');
  if (orders.length === 0) throw badData('no InvoiceDetailOrder', `${request.path}/InvoiceDetailOrder`);
  if (orders.length > 1) {
    throw unsupported(
      `an invoice for ${orders.length} orders cannot be held by one canonical Invoice (one buyerOrderNumber)`,
      `${request.path}/InvoiceDetailOrder[2]`,
    );
  }
  const orderEl = orders[0] as Node;
  const summaryEl = request.required('InvoiceDetailSummary');
  const subtotalHolder = summaryEl.required('SubtotalAmount');
  const subtotal = readMoney(subtotalHolder, true);
  const currency = subtotal.currency;

  // the order
  const info = orderEl.required('InvoiceDetailOrderInfo');
  const orderRef = info.child('OrderReference');
  const orderIdInfo = info.child('OrderIDInfo');
  const buyerOrderNumber = orderRef?.attr('orderID') || orderIdInfo?.attr('orderID') || '';
  const orderPayloadId = orderRef?.child('DocumentReference')?.attr('payloadID');
  const orderDate =
    (orderRef && dateAttr(orderRef, 'orderDate')) ?? (orderIdInfo && dateAttr(orderIdInfo, 'orderDate'));
  if (buyerOrderNumber === '') {
    warnings.push({
      xpath: `${info.path}/OrderReference/@orderID`,
      message: orderRef
        ? 'the order is named only by payloadID: buyerOrderNumber is empty (match on orderPayloadId)'
        : 'no order reference: buyerOrderNumber is empty',
    });
  }
  if (childElements(orderEl.el, 'InvoiceDetailServiceItem').length > 0) {
    throw unsupported(
      'service lines (InvoiceDetailServiceItem) are not supported',
      `${orderEl.path}/InvoiceDetailServiceItem`,
    );
  }
  const lines = orderEl.children('InvoiceDetailItem').map((item) => readLine(item, currency, warnings));
  if (lines.length === 0)
    throw badData('the InvoiceDetailOrder has no InvoiceDetailItem', `${orderEl.path}/InvoiceDetailItem`);

  // summary
  const taxHolder = summaryEl.required('Tax');
  const summaryTax = readTax(taxHolder, currency);
  const taxDetails = taxHolder.children('TaxDetail').map((d) => readTaxDetail(d, currency));
  const shipping = summaryAmount(summaryEl, 'ShippingAmount', currency);
  const specialHandling = summaryAmount(summaryEl, 'SpecialHandlingAmount', currency);
  const discount = summaryAmount(summaryEl, 'InvoiceDetailDiscount', currency);
  const gross = summaryAmount(summaryEl, 'GrossAmount', currency);
  const net = summaryAmount(summaryEl, 'NetAmount', currency);
  const due = summaryAmount(summaryEl, 'DueAmount', currency);
  let total = due ?? net;
  if (total === undefined) {
    const computed: Dec = add(
      subtotal.amount,
      summaryTax.amount,
      shipping ?? '0',
      specialHandling ?? '0',
    ).minus(dec(discount ?? '0'));
    total = formatMoney(computed, currency);
    warnings.push({
      xpath: `${summaryEl.path}/DueAmount`,
      message: 'no DueAmount or NetAmount: total = subtotal + tax + shipping + special handling - discount',
    });
  }

  const invoice: Invoice = {
    invoiceNumber,
    purpose,
    invoiceDate,
    currency,
    buyerOrderNumber,
    lines,
    subtotal: subtotal.amount,
    taxTotal: summaryTax.amount,
    total,
  };
  if (orderPayloadId !== undefined && orderPayloadId !== '') invoice.orderPayloadId = orderPayloadId;
  if (orderDate !== undefined) invoice.orderDate = orderDate;
  const supplierOrderId = info.child('SupplierOrderInfo')?.attr('orderID');
  if (supplierOrderId !== undefined && supplierOrderId !== '') invoice.supplierOrderNumber = supplierOrderId;
  const originalInvoice = header.child('InvoiceIDInfo');
  if (originalInvoice) invoice.originalInvoiceNumber = originalInvoice.requiredAttr('invoiceID');

  // Only billTo/remitTo partners are read; others (invoiceFrom, soldTo, ...) stay in `unmapped` whole.
  for (const partnerEl of childElements(header.el, 'InvoicePartner')) {
    const role = childElements(partnerEl, 'Contact')[0]?.attributes['role'];
    if (
      (role === 'billTo' && invoice.billTo === undefined) ||
      (role === 'remitTo' && invoice.remitTo === undefined)
    ) {
      const party = readContactParty(reader.node(partnerEl).required('Contact'));
      if (role === 'billTo') invoice.billTo = party;
      else invoice.remitTo = party;
    }
  }
  const result: InvoiceDetailDocument = {
    payloadId: doc.payloadId,
    invoice,
    operation,
    purposeAsSent,
    summary: {},
    warnings,
    unmapped: [],
  };
  const shippingEl = header.child('InvoiceDetailShipping');
  if (shippingEl) {
    for (const contact of childElements(shippingEl.el, 'Contact')) {
      const role = contact.attributes['role'];
      if (role === 'shipTo' && invoice.shipTo === undefined)
        invoice.shipTo = readContactParty(reader.node(contact));
      else if (role === 'shipFrom' && result.shipFrom === undefined)
        result.shipFrom = readContactParty(reader.node(contact));
    }
  }
  const docRef = header.child('DocumentReference');
  if (docRef) result.originalInvoicePayloadId = docRef.requiredAttr('payloadID');
  // The term without a discount gives the net days; discount terms have no canonical field (unmapped).
  let netDays: number | undefined;
  for (const termEl of childElements(header.el, 'PaymentTerm')) {
    if (netDays === undefined && childElements(termEl, 'Discount').length === 0) {
      netDays = uintAttr(reader.node(termEl), 'payInNumberOfDays');
    }
  }
  for (const termEl of childElements(header.el, 'InvoiceDetailPaymentTerm')) {
    const term = reader.node(termEl);
    const rate = decimalAttr(term, 'percentageRate');
    if ((rate === undefined || dec(rate).isZero()) && netDays === undefined)
      netDays = uintAttr(term, 'payInNumberOfDays');
  }
  if (netDays !== undefined) invoice.paymentTermsNetDays = netDays;
  const comments = header.child('Comments')?.ownText();
  if (comments !== undefined && comments !== '') invoice.comments = [comments];

  if (!lines.some((l) => l.tax !== undefined)) invoice.tax = summaryTax;
  if (taxDetails.length > 0) invoice.taxSummary = taxDetails;
  if (shipping !== undefined) invoice.shipping = shipping;
  if (discount !== undefined) invoice.discount = discount;
  if (specialHandling !== undefined) result.specialHandling = specialHandling;
  if (gross !== undefined) result.summary.gross = gross;
  if (net !== undefined) result.summary.net = net;
  if (due !== undefined) result.summary.due = due;
  result.unmapped = reader.unmappedPaths(doc.body);
  return result;
}
