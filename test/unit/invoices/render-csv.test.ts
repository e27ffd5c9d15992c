import { computeInvoice } from '../../../src/invoices/calc';
import type { InvoiceCalcInput, InvoiceCalcLine } from '../../../src/invoices/calc';
import { csvField, renderInvoiceCsv, renderInvoicesCsv } from '../../../src/invoices/render-csv';
import type { Invoice } from '../../../src/model';

/** A strict RFC 4180 reader: CRLF records, quoted fields with doubled quotes. */
function parseCsv(csv: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < csv.length) {
    const c = csv[i];
    if (quoted) {
      if (c === '"' && csv[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' && csv[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else if (c === '\r' || c === '\n' || c === '"') {
      throw new Error(`bare ${JSON.stringify(c)} at ${i}`);
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || row.length > 0) throw new Error('last record not ended by CRLF');
  return rows;
}

function records(csv: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(csv);
  for (const r of rows) expect(r).toHaveLength(header!.length);
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]!])));
}

const line: InvoiceCalcLine = {
  orderLineNumber: 1,
  supplierPartId: 'TN-4200',
  description: 'Toner, black "XL"\r\nsecond line',
  unitOfMeasure: 'EA',
  unitPrice: '12.3450',
  quantity: '3',
  taxRate: '19',
  taxCategory: 'vat',
};

function invoice(over: Partial<InvoiceCalcInput> = {}): Invoice {
  return computeInvoice({
    invoiceNumber: 'INV-1',
    invoiceDate: '2024-01-31',
    purpose: 'standard',
    currency: 'EUR',
    buyerOrderNumber: 'PO-1',
    taxMode: 'line',
    lines: [line, { ...line, orderLineNumber: 2, description: 'Paper', unitPrice: '4.10', taxRate: '7' }],
    shipping: '4.90',
    paymentTermsNetDays: 30,
    billTo: { name: 'Acme, Inc.' },
    ...over,
  });
}

describe('csvField', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=1+1', "'=1+1"],
    ['+49 30 1234', "'+49 30 1234"],
    ['-2', "'-2"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\tx', "'\tx"],
    ['\rx', `"'\rx"`],
    ['=HYPERLINK("http://evil.example","x")', `"'=HYPERLINK(""http://evil.example"",""x"")"`],
    ['a=b', 'a=b'],
  ])('writes the text %j as %j', (value, expected) => {
    expect(csvField(value, 'text')).toBe(expected);
  });

  it('keeps negative numbers as numbers in number columns', () => {
    expect(csvField('-37.04', 'number')).toBe('-37.04');
    expect(csvField(-3, 'number')).toBe('-3');
    expect(csvField('-37.04', 'text')).toBe("'-37.04");
  });

  it('protects a value in a number column that is not a plain decimal', () => {
    expect(csvField('=1+1', 'number')).toBe("'=1+1");
    expect(csvField('-1e3', 'number')).toBe("'-1e3");
  });

  it('writes an absent value as an empty field', () => {
    expect(csvField(undefined)).toBe('');
  });
});

describe('renderInvoiceCsv', () => {
  it('writes a header row and one CRLF-ended row per line with the invoice fields repeated', () => {
    const inv = invoice();
    const csv = renderInvoiceCsv(inv);
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = records(csv);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual({
      invoice_number: 'INV-1',
      purpose: 'standard',
      invoice_date: '2024-01-31',
      due_date: '2024-03-01',
      currency: 'EUR',
      buyer_order_number: 'PO-1',
      original_invoice_number: '',
      bill_to: 'Acme, Inc.',
      bill_to_address: '',
      ship_to: '',
      ship_to_address: '',
      supplier_order_number: '',
      order_date: '',
      payment_terms: 'Net 30 days',
      line_number: '1',
      order_line_number: '1',
      supplier_part_id: 'TN-4200',
      description: 'Toner, black "XL"\r\nsecond line',
      quantity: '3',
      unit_of_measure: 'EA',
      unit_price: '12.345',
      line_subtotal: '37.04',
      tax_rate: '19',
      tax_category: 'vat',
      line_tax: '7.04',
      invoice_subtotal: inv.subtotal,
      invoice_tax_total: inv.taxTotal,
      invoice_shipping: '4.90',
      invoice_discount: '',
      invoice_total: inv.total,
    });
    expect(rows[1]).toMatchObject({ invoice_number: 'INV-1', line_number: '2', description: 'Paper' });
  });

  it('protects text fields that a spreadsheet would evaluate, and only those', () => {
    const inv = invoice({
      purpose: 'creditMemo',
      originalInvoiceNumber: '-INV-0',
      lines: [{ ...line, supplierPartId: '-123', description: "=cmd|' /C calc'!A0", taxCategory: '@x' }],
      billTo: { name: '+Acme' },
    });
    const [row] = records(renderInvoiceCsv(inv));
    expect(row).toMatchObject({
      supplier_part_id: "'-123",
      description: "'=cmd|' /C calc'!A0",
      tax_category: "'@x",
      original_invoice_number: "'-INV-0",
      bill_to: "'+Acme",
      quantity: '-3',
      line_subtotal: '-37.04',
      line_tax: '-7.04',
      invoice_shipping: '-4.90',
      invoice_total: inv.total,
    });
    expect(inv.total.startsWith('-')).toBe(true);
  });

  it('starts with a byte order mark only when asked', () => {
    expect(renderInvoiceCsv(invoice()).startsWith('invoice_number,')).toBe(true);
    expect(renderInvoiceCsv(invoice(), { bom: true }).startsWith('\uFEFFinvoice_number,')).toBe(true);
  });
});

describe('renderInvoicesCsv', () => {
  it('writes one row per invoice with its totals and line count', () => {
    const a = invoice();
    const b = invoice({
      invoiceNumber: 'CM-1',
      purpose: 'creditMemo',
      originalInvoiceNumber: 'INV-1',
      lines: [line],
    });
    const rows = records(renderInvoicesCsv([a, b]));
    expect(
      rows.map((r) => [r.invoice_number, r.purpose, r.line_count, r.subtotal, r.tax_total, r.total]),
    ).toEqual([
      ['INV-1', 'standard', '2', a.subtotal, a.taxTotal, a.total],
      ['CM-1', 'creditMemo', '1', '-37.04', '-7.04', b.total],
    ]);
    expect(rows[1]!.original_invoice_number).toBe('INV-1');
  });

  it('writes only the header row for no invoices', () => {
    expect(parseCsv(renderInvoicesCsv([]))).toHaveLength(1);
  });
});
