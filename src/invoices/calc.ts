/**
 * Invoice arithmetic: pure functions from an order's lines and the quantities to bill to a canonical
 * Invoice (the check that an invoice never bills more than was ordered or shipped is quantities.ts).
 *
 * Rounding (half-up, to the currency's minor unit):
 * - line subtotal = round(quantity x unitPrice)
 * - line tax mode: line tax = round(line subtotal x rate / 100); tax total = sum of line taxes
 * - header tax mode: per rate group, tax = round(sum of the group's line subtotals x rate / 100)
 * - invoice subtotal = sum of the rounded line subtotals; total = subtotal + tax + shipping - discount
 * Shipping and discount are header amounts outside the tax base.
 * A credit memo takes the same positive inputs and comes out negative: quantities, subtotals, taxes,
 * shipping, discount and total (unit prices stay positive).
 */
import { D, dec, formatMoney, formatUnitPrice, isDecimalString, roundMoney } from '../model';
import type { Dec, DecimalString, Invoice, InvoiceLine, InvoicePurpose, Party, Tax } from '../model';

export type TaxMode = 'line' | 'header';

export interface InvoiceCalcLine {
  orderLineNumber: number;
  supplierPartId: string;
  description?: string;
  unitOfMeasure: string;
  /** >= 0, any number of decimals. */
  unitPrice: DecimalString;
  /** Quantity to bill, > 0 (also for credit memos: the sign comes from the purpose). */
  quantity: DecimalString;
  /** Percent ("19" for 19 %); no rate = untaxed line. */
  taxRate?: DecimalString;
  taxCategory?: string;
  /** What the tax is ("Texas sales tax"): the Description of the line's Tax and of its summary row. */
  taxDescription?: string;
}

export interface HeaderTaxRate {
  /** Percent, applied to the sum of all line subtotals. */
  rate: DecimalString;
  category?: string;
  description?: string;
}

export interface InvoiceCalcInput {
  invoiceNumber: string;
  /** ISO 8601 date or date-time. */
  invoiceDate: string;
  purpose: InvoicePurpose;
  currency: string;
  buyerOrderNumber: string;
  lines: readonly InvoiceCalcLine[];
  /** line: each line carries its tax; header: tax computed on sums, per rate (or with `headerTax`). */
  taxMode: TaxMode;
  /** Header mode only: one rate for the whole invoice, overriding the lines' rates. */
  headerTax?: HeaderTaxRate;
  /** >= 0 */
  shipping?: DecimalString;
  /** >= 0, subtracted from the total. */
  discount?: DecimalString;
  /** Due date = invoice date (UTC calendar day) + this many calendar days. */
  paymentTermsNetDays?: number;
  originalInvoiceNumber?: string;
  orderPayloadId?: string;
  orderDate?: string;
  supplierOrderNumber?: string;
  billTo?: Party;
  remitTo?: Party;
  shipTo?: Party;
  comments?: string[];
}

export class InvoiceCalcError extends Error {
  constructor(
    /** Path of the offending input, e.g. "lines[2].quantity". */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'InvoiceCalcError';
  }
}

function fail(field: string, why: string): never {
  throw new InvoiceCalcError(field, why);
}

function decimal(value: DecimalString, field: string, opts: { positive?: boolean } = {}): Dec {
  if (typeof value !== 'string' || !isDecimalString(value.trim()))
    fail(field, `"${value}" is not a decimal number`);
  const d = dec(value);
  if (d.isNeg()) fail(field, `${value} is negative`);
  if (opts.positive && d.isZero()) fail(field, 'must be greater than zero');
  return d;
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * The UTC calendar day of an ISO 8601 date or date-time, plus `days` calendar days, as YYYY-MM-DD.
 * A date-time without offset is read as UTC. Throws RangeError on anything that is not a real date.
 */
export function addCalendarDays(iso: string, days: number): string {
  if (!Number.isInteger(days)) throw new RangeError(`not a whole number of days: ${days}`);
  const m = ISO_RE.exec(iso.trim());
  if (!m) throw new RangeError(`not an ISO 8601 date: "${iso}"`);
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = m
    .slice(1, 7)
    .map((v) => Number(v ?? 0));
  const dayStart = Date.UTC(year, month - 1, day);
  const check = new Date(dayStart);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw new RangeError(`not a calendar date: "${iso}"`);
  }
  let offsetMinutes = 0;
  const zone = m[7];
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  const instant = dayStart + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000;
  const utc = new Date(instant);
  const due = new Date(Date.UTC(utc.getUTCFullYear(), utc.getUTCMonth(), utc.getUTCDate() + days));
  return due.toISOString().slice(0, 10);
}

interface TaxGroup {
  rate: Dec;
  category?: string;
  description?: string;
  base: Dec;
  /** Sum of rounded line taxes (line mode). */
  lineTax: Dec;
}

function groupKey(rate: Dec, category: string | undefined): string {
  return `${rate.toFixed()}|${category ?? ''}`;
}

/** Fails on the first unusable header field of an invoice to compute. */
function checkHeader(input: InvoiceCalcInput): void {
  const { currency } = input;
  if (!/^[A-Z]{3}$/.test(currency)) fail('currency', `"${currency}" is not an ISO 4217 code`);
  if (input.invoiceNumber.trim() === '') fail('invoiceNumber', 'is empty');
  if (input.buyerOrderNumber.trim() === '') fail('buyerOrderNumber', 'is empty');
  if (input.purpose !== 'standard' && input.purpose !== 'creditMemo')
    fail('purpose', `unknown "${String(input.purpose)}"`);
  if (input.taxMode !== 'line' && input.taxMode !== 'header')
    fail('taxMode', `unknown "${String(input.taxMode)}"`);
  if (input.headerTax && input.taxMode !== 'header') fail('headerTax', 'only applies with taxMode "header"');
  if (input.lines.length === 0) fail('lines', 'an invoice needs at least one line');
  try {
    addCalendarDays(input.invoiceDate, 0);
  } catch (e) {
    fail('invoiceDate', (e as Error).message);
  }
  const netDays = input.paymentTermsNetDays;
  if (netDays !== undefined && (!Number.isInteger(netDays) || netDays < 0)) {
    fail('paymentTermsNetDays', `${netDays} is not a whole number of days >= 0`);
  }
}

/** Money in the invoice's currency: signed for a credit memo, rounded, formatted. */
interface MoneyRules {
  signed: (v: Dec) => Dec;
  money: (v: Dec) => DecimalString;
  round: (v: Dec) => Dec;
}

/** The money rules of an invoice's currency and purpose. */
function moneyRules(input: InvoiceCalcInput): MoneyRules {
  const sign = input.purpose === 'creditMemo' ? -1 : 1;
  const signed = (v: Dec): Dec => (v.isZero() ? new D(0) : v.times(sign));
  return {
    signed,
    money: (v: Dec): DecimalString => formatMoney(signed(v), input.currency),
    round: (v: Dec): Dec => roundMoney(v, input.currency),
  };
}

/** Adds a line's taxable base (and its rounded tax in line mode) to the group of its rate and category. */
function addToGroup(
  groups: Map<string, TaxGroup>,
  rate: Dec,
  category: string | undefined,
  base: Dec,
  lineTax: Dec,
  description?: string,
): void {
  const key = groupKey(rate, category);
  const g = groups.get(key) ?? { rate, category, description, base: new D(0), lineTax: new D(0) };
  g.base = g.base.plus(base);
  g.lineTax = g.lineTax.plus(lineTax);
  groups.set(key, g);
}

/** What the lines are computed with: the input, its money rules, the tax groups filled and the header rate. */
interface LineContext {
  input: InvoiceCalcInput;
  m: MoneyRules;
  groups: Map<string, TaxGroup>;
  headerRate: Dec | undefined;
}

/** One invoice line (failing on a bad number), its tax added to the groups. */
function invoiceLine(
  { input, m, groups, headerRate }: LineContext,
  l: InvoiceCalcLine,
  i: number,
): { line: InvoiceLine; lineSubtotal: Dec } {
  const at = `lines[${i}]`;
  const qty = decimal(l.quantity, `${at}.quantity`, { positive: true });
  const price = decimal(l.unitPrice, `${at}.unitPrice`);
  const lineSubtotal = m.round(qty.times(price));
  const line: InvoiceLine = {
    lineNumber: i + 1,
    orderLineNumber: l.orderLineNumber,
    supplierPartId: l.supplierPartId,
    quantity: m.signed(qty).toFixed(),
    unitOfMeasure: l.unitOfMeasure,
    unitPrice: formatUnitPrice(l.unitPrice.trim(), input.currency),
    subtotal: m.money(lineSubtotal),
  };
  if (l.description !== undefined) line.description = l.description;

  const rate = l.taxRate !== undefined ? decimal(l.taxRate, `${at}.taxRate`) : undefined;
  if (input.taxMode === 'line') {
    if (rate !== undefined) {
      const tax = m.round(lineSubtotal.times(rate).dividedBy(100));
      line.tax = { amount: m.money(tax), rate: rate.toFixed() };
      if (l.taxCategory !== undefined) line.tax.category = l.taxCategory;
      if (l.taxDescription !== undefined) line.tax.description = l.taxDescription;
      addToGroup(groups, rate, l.taxCategory, lineSubtotal, tax, l.taxDescription);
    }
  } else if (headerRate !== undefined) {
    addToGroup(
      groups,
      headerRate,
      input.headerTax?.category,
      lineSubtotal,
      new D(0),
      input.headerTax?.description,
    );
  } else if (rate !== undefined) {
    addToGroup(groups, rate, l.taxCategory, lineSubtotal, new D(0), l.taxDescription);
  }
  return { line, lineSubtotal };
}

/** The invoice lines (each order line once) and their subtotal, their taxes grouped. */
function invoiceLines(c: LineContext): { lines: InvoiceLine[]; subtotal: Dec } {
  const seen = new Set<number>();
  let subtotal = new D(0);
  const lines = c.input.lines.map((l, i) => {
    const at = `lines[${i}]`;
    if (!Number.isInteger(l.orderLineNumber) || l.orderLineNumber < 1) {
      fail(`${at}.orderLineNumber`, `${l.orderLineNumber} is not a line number`);
    }
    if (seen.has(l.orderLineNumber))
      fail(`${at}.orderLineNumber`, `order line ${l.orderLineNumber} appears twice`);
    seen.add(l.orderLineNumber);
    const { line, lineSubtotal } = invoiceLine(c, l, i);
    subtotal = subtotal.plus(lineSubtotal);
    return line;
  });
  return { lines, subtotal };
}

/** The tax summary per group (line mode: the sum of rounded line taxes; header mode: rounded once). */
function taxSummary(
  input: InvoiceCalcInput,
  m: MoneyRules,
  groups: Map<string, TaxGroup>,
): { summary: Tax[]; taxTotal: Dec } {
  const summary: Tax[] = [];
  let taxTotal = new D(0);
  for (const g of groups.values()) {
    const amount = input.taxMode === 'line' ? g.lineTax : m.round(g.base.times(g.rate).dividedBy(100));
    taxTotal = taxTotal.plus(amount);
    const row: Tax = { amount: m.money(amount), rate: g.rate.toFixed(), taxableAmount: m.money(g.base) };
    if (g.category !== undefined) row.category = g.category;
    if (g.description !== undefined) row.description = g.description;
    summary.push(row);
  }
  return { summary, taxTotal };
}

/** The header tax of a header-mode invoice: the total, with the rate and category when there is one group. */
function headerTax(summary: Tax[], taxTotal: Dec, m: MoneyRules): Tax {
  const tax: Tax = { amount: m.money(taxTotal) };
  const [only] = summary;
  if (summary.length === 1 && only !== undefined) {
    tax.rate = only.rate;
    if (only.category !== undefined) tax.category = only.category;
  }
  const described = summary.map((t) => t.description).filter((d): d is string => d !== undefined);
  if (described.length > 0) tax.description = described.join('; ');
  return tax;
}

/** Copies the input's optional references and addresses onto the invoice. */
function copyReferences(invoice: Invoice, input: InvoiceCalcInput): void {
  if (input.originalInvoiceNumber !== undefined) invoice.originalInvoiceNumber = input.originalInvoiceNumber;
  if (input.orderPayloadId !== undefined) invoice.orderPayloadId = input.orderPayloadId;
  if (input.orderDate !== undefined) invoice.orderDate = input.orderDate;
  if (input.supplierOrderNumber !== undefined) invoice.supplierOrderNumber = input.supplierOrderNumber;
  if (input.billTo !== undefined) invoice.billTo = input.billTo;
  if (input.remitTo !== undefined) invoice.remitTo = input.remitTo;
  if (input.shipTo !== undefined) invoice.shipTo = input.shipTo;
  if (input.comments !== undefined) invoice.comments = [...input.comments];
}

/** Builds a canonical Invoice; throws InvoiceCalcError naming the first bad input. */
export function computeInvoice(input: InvoiceCalcInput): Invoice {
  checkHeader(input);
  const { currency } = input;
  const netDays = input.paymentTermsNetDays;
  const m = moneyRules(input);
  const headerRate = input.headerTax ? decimal(input.headerTax.rate, 'headerTax.rate') : undefined;
  const groups = new Map<string, TaxGroup>();
  const { lines, subtotal } = invoiceLines({ input, m, groups, headerRate });
  const { summary, taxTotal } = taxSummary(input, m, groups);

  const shipping = input.shipping !== undefined ? m.round(decimal(input.shipping, 'shipping')) : undefined;
  const discount = input.discount !== undefined ? m.round(decimal(input.discount, 'discount')) : undefined;
  const total = subtotal
    .plus(taxTotal)
    .plus(shipping ?? 0)
    .minus(discount ?? 0);

  const invoice: Invoice = {
    invoiceNumber: input.invoiceNumber,
    purpose: input.purpose,
    invoiceDate: input.invoiceDate,
    currency,
    buyerOrderNumber: input.buyerOrderNumber,
    lines,
    subtotal: m.money(subtotal),
    taxTotal: m.money(taxTotal),
    total: m.money(total),
  };
  if (summary.length > 0) invoice.taxSummary = summary;
  if (input.taxMode === 'header' && summary.length > 0) invoice.tax = headerTax(summary, taxTotal, m);
  if (shipping !== undefined) invoice.shipping = m.money(shipping);
  if (discount !== undefined) invoice.discount = m.money(discount);
  if (netDays !== undefined) {
    invoice.paymentTermsNetDays = netDays;
    invoice.dueDate = addCalendarDays(input.invoiceDate, netDays);
  }
  copyReferences(invoice, input);
  return invoice;
}
