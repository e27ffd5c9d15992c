import { computeInvoice } from '../../../src/invoices/calc';
import type { InvoiceCalcInput, InvoiceCalcLine } from '../../../src/invoices/calc';
import { pdfSafeText, renderInvoicePdf } from '../../../src/invoices/render-pdf';
import { localMoney, type Invoice } from '../../../src/model';

const WIN_ANSI_HIGH: Record<number, string> = { 0x80: '€', 0x93: '“', 0x94: '”', 0x96: '–', 0x97: '—' };

/**
 * The text of an uncompressed pdfkit PDF: every text-showing operator ([...] TJ or (...) Tj), with
 * the pieces of one operator joined (pdfkit splits strings at kerning adjustments) and operators
 * separated by newlines. Hex strings are WinAnsi bytes.
 */
function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const out: string[] = [];
  for (const m of raw.matchAll(/\[((?:<[0-9a-fA-F]*>|\([^)]*\)|[-\d.\s])*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g)) {
    const body = m[1] ?? `<${m[2]}>`;
    let s = '';
    for (const piece of body.matchAll(/<([0-9a-fA-F]*)>|\(([^)]*)\)/g)) {
      if (piece[1] !== undefined) {
        for (let i = 0; i + 1 < piece[1].length; i += 2) {
          const byte = parseInt(piece[1].slice(i, i + 2), 16);
          s += WIN_ANSI_HIGH[byte] ?? String.fromCharCode(byte);
        }
      } else s += piece[2];
    }
    out.push(s);
  }
  return out.join('\n');
}

const line: InvoiceCalcLine = {
  orderLineNumber: 1,
  supplierPartId: 'TN-4200-BK',
  description: 'Toner cartridge black',
  unitOfMeasure: 'EA',
  unitPrice: '12.3450',
  quantity: '3',
  taxRate: '19',
};

function invoice(over: Partial<InvoiceCalcInput> = {}): Invoice {
  return computeInvoice({
    invoiceNumber: 'INV-2024-AV-0042',
    invoiceDate: '2024-01-31',
    purpose: 'standard',
    currency: 'EUR',
    buyerOrderNumber: 'PO-77812',
    taxMode: 'line',
    lines: [line, { ...line, orderLineNumber: 2, description: 'Paper A4', unitPrice: '4.10', taxRate: '7' }],
    shipping: '4.90',
    paymentTermsNetDays: 30,
    billTo: { name: 'Acme AP', address: { street: ['1 Main St'], city: 'Springfield', postalCode: '12345' } },
    ...over,
  });
}

const parties = {
  supplier: { legalName: 'Paper & Toner Ltd', address: [], taxIds: [], remitTo: [] },
  buyerName: 'Acme Corp',
};
const eur = (v: string) => localMoney('en-US', v, 'EUR');

describe('pdfText (test helper)', () => {
  it('joins a string that pdfkit split at a kerning pair', async () => {
    // "AV" and "To" are kerned in Helvetica, so the number is written as several pieces.
    const pdf = await renderInvoicePdf(invoice(), parties);
    expect(pdf.toString('latin1')).not.toContain('<494e562d323032342d41562d30303432>');
    expect(pdfText(pdf)).toContain('INV-2024-AV-0042');
  });
});

describe('renderInvoicePdf', () => {
  it('writes an uncompressed PDF whose text holds the invoice number, parties, lines, totals and due date', async () => {
    const inv = invoice();
    const pdf = await renderInvoicePdf(inv, parties);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1')).not.toContain('/FlateDecode');
    const text = pdfText(pdf);
    for (const expected of [
      'INVOICE',
      'INV-2024-AV-0042',
      'PO-77812',
      'Paper & Toner Ltd',
      'Acme AP',
      '1 Main St',
      '12345 Springfield',
      'TN-4200-BK',
      'Toner cartridge black',
      '12.345',
      '37.04',
      eur(inv.subtotal),
      eur(inv.taxTotal),
      eur(inv.total),
      'Total due (EUR)',
      'Payment due by Mar 1, 2024 (net 30 days).',
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).toContain('Tax 19 % on €37.04');
  });

  it('renders the same invoice to the same bytes (dates come from the invoice, not the clock)', async () => {
    const a = await renderInvoicePdf(invoice(), parties);
    const b = await renderInvoicePdf(invoice(), parties);
    expect(a.equals(b)).toBe(true);
    expect(a.toString('latin1')).toContain('(D:20240131000000Z)');
  });

  it('titles a credit memo as such, with negative amounts and the credited invoice', async () => {
    const cm = invoice({ purpose: 'creditMemo', invoiceNumber: 'CM-9', originalInvoiceNumber: 'INV-1' });
    const text = pdfText(await renderInvoicePdf(cm, parties));
    expect(text).toContain('CREDIT MEMO');
    expect(text).toContain('CM-9');
    expect(text).toContain('INV-1');
    expect(text).toContain(eur(cm.total));
    expect(cm.total.startsWith('-')).toBe(true);
  });

  it('continues the lines table over several pages', async () => {
    const many = Array.from({ length: 80 }, (_, i) => ({
      ...line,
      orderLineNumber: i + 1,
      description: `Item number ${i + 1}`,
    }));
    const pdf = await renderInvoicePdf(invoice({ lines: many }), parties);
    const pages = pdf.toString('latin1').match(/\/Type \/Page\n/g) ?? [];
    expect(pages.length).toBeGreaterThan(1);
    const text = pdfText(pdf);
    expect(text).toContain('Item number 1\n');
    expect(text).toContain('Item number 80');
    expect(text.match(/Description/g)?.length).toBe(pages.length);
    expect(text).toContain(`Invoice INV-2024-AV-0042 - Page ${pages.length} of ${pages.length}`);
  });

  it('writes characters Helvetica lacks without accents or as "?" instead of broken bytes', async () => {
    const inv = invoice({ lines: [{ ...line, description: 'Śruba M8 – 日本 “x” 5 €' }] });
    expect(pdfText(await renderInvoicePdf(inv, parties))).toContain('Sruba M8 – ?? “x” 5 €');
  });
});

describe('pdfSafeText', () => {
  it('keeps WinAnsi text and replaces control characters by spaces', () => {
    expect(pdfSafeText('Grüße\tà – 5 €\n')).toBe('Grüße à – 5 € ');
    expect(pdfSafeText('Łódź 😀')).toBe('?ódz ?');
  });
});
