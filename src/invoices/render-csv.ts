/**
 * Invoices as CSV (RFC 4180): comma-separated, CRLF line ends, a header row, fields quoted when they
 * hold a comma, a double quote, CR or LF (quotes doubled).
 *
 * Spreadsheet formula injection: a text field starting with =, +, -, @, tab or CR is written with a
 * leading single quote so a spreadsheet shows it as text instead of evaluating it. Amount and
 * quantity columns are numbers: a negative amount stays "-37.04"; a value in such a column that is
 * not a plain decimal is treated as text (and protected).
 */
import { isDecimalString, withCurrencyScale } from '../model';
import type { Invoice, InvoiceLine } from '../model';
import { billTo, joined, paymentTerms, shipTo, type PrintFacts } from './printed';

export type CsvKind = 'text' | 'number';

export interface CsvOptions {
  /** Start with a UTF-8 byte order mark (helps Excel detect UTF-8). Default false. */
  bom?: boolean;
}

/** An invoice with what the order and the partner add to it (the same facts its PDF prints). */
interface Sheet {
  invoice: Invoice;
  facts: PrintFacts;
}

const NO_FACTS: PrintFacts = { buyerName: '' };

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field: protected against formula injection when text, then quoted if needed. */
export function csvField(value: string | number | undefined, kind: CsvKind = 'text'): string {
  let s = value === undefined ? '' : String(value);
  const isNumber = kind === 'number' && isDecimalString(s);
  if (!isNumber && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

interface ColumnDef<Row> {
  header: string;
  kind: CsvKind;
  get: (row: Row) => string | number | undefined;
}

function toCsv<Row>(columns: readonly ColumnDef<Row>[], rows: readonly Row[], opts: CsvOptions): string {
  const lines = [columns.map((c) => csvField(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(c.get(row), c.kind)).join(','));
  return `${opts.bom ? '\uFEFF' : ''}${lines.join('\r\n')}\r\n`;
}

const text = <Row>(header: string, get: (row: Row) => string | number | undefined): ColumnDef<Row> => ({
  header,
  kind: 'text',
  get,
});
const num = <Row>(header: string, get: (row: Row) => string | number | undefined): ColumnDef<Row> => ({
  header,
  kind: 'number',
  get,
});

/** Header fields, shared by both layouts; bill-to, ship-to and terms as the PDF prints them. */
function headerColumns<Row>(sheet: (row: Row) => Sheet): ColumnDef<Row>[] {
  const inv = (r: Row) => sheet(r).invoice;
  const bill = (r: Row) => billTo(inv(r), sheet(r).facts);
  const ship = (r: Row) => shipTo(inv(r), sheet(r).facts);
  return [
    text('invoice_number', (r) => inv(r).invoiceNumber),
    text('purpose', (r) => inv(r).purpose),
    text('invoice_date', (r) => inv(r).invoiceDate),
    text('due_date', (r) => inv(r).dueDate),
    text('currency', (r) => inv(r).currency),
    text('buyer_order_number', (r) => inv(r).buyerOrderNumber),
    text('original_invoice_number', (r) => inv(r).originalInvoiceNumber),
    text('bill_to', (r) => bill(r).name),
    text('bill_to_address', (r) => joined(bill(r))),
    text('ship_to', (r) => ship(r)?.name),
    text('ship_to_address', (r) => joined(ship(r))),
    text('supplier_order_number', (r) => inv(r).supplierOrderNumber),
    text('order_date', (r) => inv(r).orderDate?.slice(0, 10)),
    text('payment_terms', (r) => paymentTerms(inv(r), sheet(r).facts)),
  ];
}

function totalColumns<Row>(inv: (row: Row) => Invoice, prefix: string): ColumnDef<Row>[] {
  return [
    num(`${prefix}subtotal`, (r) => inv(r).subtotal),
    num(`${prefix}tax_total`, (r) => inv(r).taxTotal),
    num(`${prefix}shipping`, (r) => inv(r).shipping),
    num(`${prefix}discount`, (r) => inv(r).discount),
    num(`${prefix}total`, (r) => inv(r).total),
  ];
}

interface LineRow extends Sheet {
  line: InvoiceLine;
}

const LINE_COLUMNS: readonly ColumnDef<LineRow>[] = [
  ...headerColumns<LineRow>((r) => r),
  num('line_number', (r) => r.line.lineNumber),
  num('order_line_number', (r) => r.line.orderLineNumber),
  text('supplier_part_id', (r) => r.line.supplierPartId),
  text('description', (r) => r.line.description),
  num('quantity', (r) => r.line.quantity),
  text('unit_of_measure', (r) => r.line.unitOfMeasure),
  num('unit_price', (r) => r.line.unitPrice),
  num('line_subtotal', (r) => r.line.subtotal),
  num('tax_rate', (r) => r.line.tax?.rate),
  text('tax_category', (r) => r.line.tax?.category),
  num('line_tax', (r) => r.line.tax?.amount),
  ...totalColumns<LineRow>((r) => r.invoice, 'invoice_'),
];

const INVOICE_COLUMNS: readonly ColumnDef<Sheet>[] = [
  ...headerColumns<Sheet>((s) => s),
  text('remit_to', (s) => s.invoice.remitTo?.name ?? s.invoice.remitTo?.address?.name),
  num('line_count', (s) => s.invoice.lines.length),
  ...totalColumns<Sheet>((s) => s.invoice, ''),
];

/** One invoice, one row per line, the invoice's header fields and totals repeated on every row. */
export function renderInvoiceCsv(source: Invoice, opts: CsvOptions & { facts?: PrintFacts } = {}): string {
  const invoice = withCurrencyScale(source);
  const facts = opts.facts ?? NO_FACTS;
  return toCsv(
    LINE_COLUMNS,
    invoice.lines.map((line) => ({ invoice, line, facts })),
    opts,
  );
}

/** Many invoices, one row per invoice (header fields and totals), each with its facts when given. */
export function renderInvoicesCsv(
  invoices: readonly Invoice[],
  opts: CsvOptions & { factsOf?: (invoice: Invoice, index: number) => PrintFacts } = {},
): string {
  const rows = invoices.map((inv, i) => ({
    invoice: withCurrencyScale(inv),
    facts: opts.factsOf?.(inv, i) ?? NO_FACTS,
  }));
  return toCsv(INVOICE_COLUMNS, rows, opts);
}
