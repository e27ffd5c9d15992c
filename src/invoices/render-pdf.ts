/**
 * A printable invoice (or credit memo) as PDF, with pdfkit's built-in Helvetica.
 *
 * The content streams are left uncompressed so the text stays searchable in the raw file, and the
 * document's dates come from the invoice, so the same invoice always renders to the same bytes.
 * Helvetica only covers the WinAnsi character set: other characters are written without their accents
 * where that helps ("Ł" stays unknown, "Ś" becomes "S") and as "?" otherwise.
 */
import PDFDocument from 'pdfkit';
import { addCalendarDays } from './calc';
import { dec, DEFAULT_LOCALE, localDate, localMoney, localQuantity, withCurrencyScale } from '../model';
import type { Invoice, Tax } from '../model';
import {
  addressLines,
  billTo,
  paymentTerms,
  shipTo,
  type PrintedParty,
  type PrintFacts,
  type SupplierBlock,
} from './printed';

export interface InvoicePdfOptions extends PrintFacts {
  /** The supplier's legal name, address, tax ids and remit-to (supplierBlock(config)). */
  supplier: SupplierBlock;
  /** Money and dates are written for this locale (INVOICE_LOCALE); en-US by default. */
  locale?: string;
  buyerTaxId?: string;
  /** Payment instructions, free text lines printed after the totals (bank account...). */
  paymentInstructions?: string[];
  /** Page size, pdfkit name; A4 by default. */
  pageSize?: 'A4' | 'LETTER';
}

/** Code points outside Latin-1 that WinAnsiEncoding has (0x80-0x9F). */
const WIN_ANSI_EXTRA = new Set(
  [
    0x20ac, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x017d,
    0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x017e,
    0x0178,
  ].map((c) => String.fromCodePoint(c)),
);

function winAnsi(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  return (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff) || WIN_ANSI_EXTRA.has(ch);
}

// eslint-disable-next-line no-control-regex
const SPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f-\u009f]/;

/** Text Helvetica can show: controls become spaces, unknown characters lose accents or become "?". */
export function pdfSafeText(value: string): string {
  let out = '';
  for (const ch of value) {
    if (winAnsi(ch)) out += ch;
    else if (SPACE_OR_CONTROL.test(ch)) out += ' ';
    else {
      const bare = ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
      out += bare !== '' && [...bare].every(winAnsi) ? bare : '?';
    }
  }
  return out;
}

const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';

interface Column {
  title: string;
  width: number;
  align: 'left' | 'right';
}

/** The document being drawn, with the invoice and the page geometry every step uses. */
interface Sheet {
  doc: PDFKit.PDFDocument;
  invoice: Invoice;
  opts: InvoicePdfOptions;
  creditMemo: boolean;
  title: string;
  left: number;
  right: number;
  width: number;
  bottom: () => number;
  locale: string;
}

const text = (s: string) => pdfSafeText(s);

/** Renders the invoice; resolves with the whole PDF file. */
export function renderInvoicePdf(source: Invoice, opts: InvoicePdfOptions): Promise<Buffer> {
  const invoice = withCurrencyScale(source);
  const creditMemo = invoice.purpose === 'creditMemo';
  const title = creditMemo ? 'CREDIT MEMO' : 'INVOICE';
  const doc = newDocument(invoice, opts, creditMemo);
  const done = collect(doc);
  const left = doc.page.margins.left;
  const right = doc.page.width - doc.page.margins.right;
  const sheet: Sheet = {
    doc,
    invoice,
    opts,
    creditMemo,
    title,
    left,
    right,
    width: right - left,
    bottom: () => doc.page.height - doc.page.margins.bottom,
    locale: opts.locale ?? DEFAULT_LOCALE,
  };
  let y = drawHeader(sheet);
  y = drawParties(sheet, y);
  y = drawLines(sheet, y);
  y = drawTotals(sheet, y);
  drawNotes(sheet, y);
  drawFooters(sheet);
  doc.end();
  return done;
}

/** A pdfkit document whose metadata (and so its bytes) come from the invoice alone. */
function newDocument(invoice: Invoice, opts: InvoicePdfOptions, creditMemo: boolean): PDFKit.PDFDocument {
  const day = new Date(`${addCalendarDays(invoice.invoiceDate, 0)}T00:00:00Z`);
  return new PDFDocument({
    size: opts.pageSize ?? 'A4',
    margin: 50,
    compress: false,
    bufferPages: true,
    info: {
      Title: pdfSafeText(`${creditMemo ? 'Credit memo' : 'Invoice'} ${invoice.invoiceNumber}`),
      Author: pdfSafeText(opts.supplier.legalName),
      CreationDate: day,
    },
  });
}

/** The whole file once the document ends. */
function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

/** Header: title and the supplier (legal name, address, tax ids) on the left, the facts on the right. */
function drawHeader(sh: Sheet): number {
  const { doc, opts, left, width } = sh;
  doc
    .font(BOLD)
    .fontSize(20)
    .text(sh.title, left, 50, { width: width / 2 });
  doc
    .font(BOLD)
    .fontSize(11)
    .text(text(opts.supplier.legalName), left, doc.y + 4, { width: width / 2 });
  doc.font(FONT).fontSize(9);
  for (const l of opts.supplier.address) doc.text(text(l), { width: width / 2 });
  for (const t of opts.supplier.taxIds) doc.text(text(`${t.label}: ${t.value}`), { width: width / 2 });
  const leftBottom = doc.y;
  const fy = drawFacts(sh);
  return Math.max(leftBottom, fy) + 20;
}

/** The document facts (numbers, dates, terms, currency) as label and value; answers where they end. */
function drawFacts(sh: Sheet): number {
  const { doc, invoice, opts, left, right, width, locale } = sh;
  const day = (d: string | undefined) => (d ? localDate(locale, d) : undefined);
  const facts: [string, string | undefined][] = [
    [sh.creditMemo ? 'Credit memo no.' : 'Invoice no.', invoice.invoiceNumber],
    [sh.creditMemo ? 'Credit memo date' : 'Invoice date', day(addCalendarDays(invoice.invoiceDate, 0))],
    ['Due date', day(invoice.dueDate)],
    ['Payment terms', paymentTerms(invoice, opts)],
    ['PO number', invoice.buyerOrderNumber],
    // The buyer's calendar date of its order, as it wrote it (not the UTC day).
    ['PO date', day(invoice.orderDate)],
    ['Our order no.', invoice.supplierOrderNumber],
    ['Credits invoice', invoice.originalInvoiceNumber],
    ['Currency', invoice.currency],
  ];
  let fy = 50;
  const factX = left + width / 2 + 20;
  const factLabelW = 90;
  for (const [label, value] of facts) {
    if (value === undefined || value === '') continue;
    doc.font(FONT).fontSize(9).text(label, factX, fy, { width: factLabelW });
    doc
      .font(BOLD)
      .fontSize(9)
      .text(text(value), factX + factLabelW, fy, { width: right - factX - factLabelW });
    fy = doc.y + 2;
  }
  return fy;
}

/** Bill to, ship to and remit to side by side; answers where the table starts. */
function drawParties(sh: Sheet, y: number): number {
  const { doc, invoice, opts, left, width } = sh;
  const partyW = width / 3 - 10;
  const blocks: [string, PrintedParty, string | undefined][] = [
    ['Bill to', billTo(invoice, opts), opts.buyerTaxId],
  ];
  const ship = shipTo(invoice, opts);
  if (ship) blocks.push(['Ship to', ship, undefined]);
  const [payee, ...remit] = opts.supplier.remitTo.length
    ? opts.supplier.remitTo
    : [invoice.remitTo?.name ?? '', ...addressLines(invoice.remitTo?.address)];
  if (payee) blocks.push(['Remit to', { name: payee, lines: remit }, undefined]);
  let partiesBottom = y;
  blocks.forEach(([label, party, taxId], i) => {
    const x = left + i * (partyW + 15);
    doc.font(FONT).fontSize(8).fillColor('#555555').text(label.toUpperCase(), x, y, { width: partyW });
    doc
      .fillColor('black')
      .font(BOLD)
      .fontSize(10)
      .text(text(party.name), x, doc.y + 2, { width: partyW });
    doc.font(FONT).fontSize(9);
    for (const l of party.lines) doc.text(text(l), x, doc.y, { width: partyW });
    if (taxId) doc.text(text(`Tax ID: ${taxId}`), x, doc.y, { width: partyW });
    partiesBottom = Math.max(partiesBottom, doc.y);
  });
  return partiesBottom + 25;
}

/** The lines table's columns (the description takes what the others leave) and their x positions. */
function tableColumns(sh: Sheet): { columns: Column[]; xs: number[] } {
  const descriptionColumn: Column = { title: 'Description', width: 0, align: 'left' };
  const columns: Column[] = [
    { title: '#', width: 22, align: 'left' },
    { title: 'Part', width: 75, align: 'left' },
    descriptionColumn,
    { title: 'Qty', width: 45, align: 'right' },
    { title: 'Unit', width: 30, align: 'left' },
    { title: `Unit price`, width: 62, align: 'right' },
    { title: 'Tax %', width: 34, align: 'right' },
    { title: `Amount (${sh.invoice.currency})`, width: 72, align: 'right' },
  ];
  const gap = 4;
  descriptionColumn.width = sh.width - columns.reduce((s, c) => s + c.width, 0) - gap * (columns.length - 1);
  const xs: number[] = [];
  columns.reduce((x, c) => (xs.push(x), x + c.width + gap), sh.left);
  return { columns, xs };
}

/** The lines table, its header again on every new page; answers where it ends. */
function drawLines(sh: Sheet, start: number): number {
  const { doc, invoice, left, right } = sh;
  const { columns, xs } = tableColumns(sh);
  const drawRow = (cells: string[], font: string, rowY: number): number => {
    doc.font(font).fontSize(8.5);
    // A cell per column, and an x per column.
    const heights = cells.map((c, i) => doc.heightOfString(c, { width: columns[i]!.width }));
    const h = Math.max(...heights);
    cells.forEach((c, i) => {
      const col = columns[i]!;
      doc.text(c, xs[i], rowY, { width: col.width, align: col.align });
    });
    return rowY + h;
  };
  const drawHeader = (rowY: number): number => {
    const after = drawRow(
      columns.map((c) => c.title),
      BOLD,
      rowY,
    );
    doc
      .moveTo(left, after + 2)
      .lineTo(right, after + 2)
      .lineWidth(0.7)
      .stroke();
    return after + 6;
  };

  let y = drawHeader(start);
  for (const line of invoice.lines) {
    const cells = [
      String(line.lineNumber),
      text(line.supplierPartId),
      text(line.description ?? ''),
      text(localQuantity(sh.locale, line.quantity)),
      text(line.unitOfMeasure),
      text(money(sh, line.unitPrice, { unitPrice: true, currency: 'none' })),
      line.tax?.rate ?? '',
      text(money(sh, line.subtotal, { currency: 'none' })),
    ];
    doc.font(FONT).fontSize(8.5);
    const h = Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: columns[i]!.width }))); // a cell per column
    if (y + h > sh.bottom()) {
      doc.addPage();
      y = drawHeader(doc.page.margins.top);
    }
    y = drawRow(cells, FONT, y) + 4;
  }
  doc.moveTo(left, y).lineTo(right, y).lineWidth(0.7).stroke();
  return y + 8;
}

/** Subtotal, taxes, shipping, discount and the total, on a new page when they do not fit. */
function drawTotals(sh: Sheet, start: number): number {
  const { doc, invoice, left, width } = sh;
  const cur = invoice.currency;
  let y = start;
  const m = (v: string) => money(sh, v);
  const totals: [string, string, boolean][] = [['Subtotal', m(invoice.subtotal), false]];
  for (const t of invoice.taxSummary ?? []) totals.push([taxLabel(sh, t), m(t.amount), false]);
  totals.push(['Tax total', m(invoice.taxTotal), false]);
  if (invoice.shipping !== undefined) totals.push(['Shipping', m(invoice.shipping), false]);
  // The discount is subtracted: shown with the sign it has in the sum.
  if (invoice.discount !== undefined)
    totals.push(['Discount', m(dec(invoice.discount).neg().toFixed()), false]);
  totals.push([sh.creditMemo ? `Total credit (${cur})` : `Total due (${cur})`, m(invoice.total), true]);

  const labelX = left + width / 2;
  const labelW = width / 2 - 90;
  if (y + totals.length * 14 + 20 > sh.bottom()) {
    doc.addPage();
    y = doc.page.margins.top;
  }
  for (const [label, amount, strong] of totals) {
    doc.font(strong ? BOLD : FONT).fontSize(strong ? 11 : 9);
    doc.text(text(label), labelX, y, { width: labelW });
    doc.text(text(amount), labelX + labelW, y, { width: 90, align: 'right' });
    y = doc.y + 3;
  }
  return y;
}

/** Terms and notes: the due date, the tax description, payment instructions and comments. */
function drawNotes(sh: Sheet, start: number): void {
  const { doc, invoice, opts, left, width } = sh;
  let y = start + 12;
  const notes: string[] = [];
  if (invoice.dueDate !== undefined) {
    const terms = paymentTerms(invoice, opts);
    const due = localDate(sh.locale, invoice.dueDate);
    notes.push(
      sh.creditMemo
        ? `Credit date ${due}.`
        : `Payment due by ${due}${terms ? ` (${terms.toLowerCase()})` : ''}.`,
    );
  }
  if (invoice.tax?.description) notes.push(invoice.tax.description);
  notes.push(...(opts.paymentInstructions ?? []), ...(invoice.comments ?? []));
  doc.font(FONT).fontSize(9);
  for (const n of notes) {
    if (y + doc.heightOfString(text(n), { width }) > sh.bottom()) {
      doc.addPage();
      y = doc.page.margins.top;
    }
    doc.text(text(n), left, y, { width });
    y = doc.y + 2;
  }
}

/** Footer on every page, inside the bottom margin (lifted for the moment so pdfkit does not add a page). */
function drawFooters(sh: Sheet): void {
  const { doc, invoice, left, width } = sh;
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const margin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font(FONT)
      .fontSize(8)
      .fillColor('#555555')
      .text(
        text(
          `${sh.creditMemo ? 'Credit memo' : 'Invoice'} ${invoice.invoiceNumber} - Page ${i + 1} of ${range.count}`,
        ),
        left,
        doc.page.height - 35,
        {
          width,
          align: 'center',
          lineBreak: false,
        },
      );
    doc.page.margins.bottom = margin;
  }
}

function taxLabel(sh: Sheet, t: Tax): string {
  // What the tax is as configured ("Texas sales tax"), else its kind ("VAT").
  const name = t.description || (t.category ? t.category.toUpperCase() : 'Tax');
  const rate = t.rate !== undefined ? ` ${t.rate} %` : '';
  const base = t.taxableAmount !== undefined ? ` on ${money(sh, t.taxableAmount)}` : '';
  return `${name}${rate}${base}`;
}

/** An amount of the invoice's currency for the invoice's locale, from its decimal string. */
function money(sh: Sheet, v: string, style: Parameters<typeof localMoney>[3] = {}): string {
  return localMoney(sh.locale, v, sh.invoice.currency, style);
}
