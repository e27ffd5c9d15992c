import {
  CxmlBuildError,
  buildInvoiceDetailRequest,
  normaliseInvoiceSigns,
  parseInvoiceDetailRequest,
} from '../../../protocols/cxml';
import type { Invoice } from '../../../src/model';
import { validateCxml } from '../../helpers/xmllint';
import { ENVELOPE, fixture, plain } from './helpers';

/** As src/invoices/calc.ts produces it: per-line tax, tax summary per rate. */
const STANDARD: Invoice = {
  invoiceNumber: 'RE-2024-0100',
  purpose: 'standard',
  invoiceDate: '2024-04-01T00:00:00+02:00',
  currency: 'EUR',
  buyerOrderNumber: '4500012345',
  orderPayloadId: '1709280000123.8812.77@einkauf.example.de',
  orderDate: '2024-03-01T09:15:00+01:00',
  billTo: {
    addressId: 'RE-01',
    name: 'Müller & Söhne GmbH',
    address: { street: ['Königsallee 1'], city: 'Düsseldorf', postalCode: '40212', countryCode: 'DE' },
  },
  remitTo: { name: 'Bürobedarf Nord GmbH' },
  lines: [
    {
      lineNumber: 1,
      orderLineNumber: 1,
      supplierPartId: 'SCHR-M8x40',
      description: 'Sechskantschrauben M8×40',
      quantity: '6',
      unitOfMeasure: 'PK',
      unitPrice: '12.50',
      subtotal: '75.00',
      tax: { amount: '14.25', rate: '19', category: 'vat' },
    },
    {
      lineNumber: 2,
      orderLineNumber: 3,
      supplierPartId: 'BUCH-DIN-A5',
      quantity: '10',
      unitOfMeasure: 'EA',
      unitPrice: '3.50',
      subtotal: '35.00',
      tax: { amount: '2.45', rate: '7', category: 'vat' },
    },
  ],
  taxSummary: [
    { amount: '14.25', rate: '19', category: 'vat', taxableAmount: '75.00' },
    { amount: '2.45', rate: '7', category: 'vat', taxableAmount: '35.00' },
  ],
  shipping: '5.00',
  discount: '2.00',
  subtotal: '110.00',
  taxTotal: '16.70',
  total: '129.70',
  paymentTermsNetDays: 30,
  comments: ['Lieferung vom 04.03.2024'],
};

describe('InvoiceDetailRequest builder', () => {
  it('writes a canonical invoice that validates against InvoiceDetail.dtd 1.2.037', () => {
    const xml = buildInvoiceDetailRequest(ENVELOPE, STANDARD);
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(xml).toContain(
      '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.037/InvoiceDetail.dtd">',
    );
    expect(xml).toContain('version="1.2.037"');
    expect(xml).toContain('<InvoiceDetailLineIndicator isTaxInLine="yes"/>');
    expect(xml).toMatch(/<GrossAmount>\s*<Money currency="EUR">131\.70<\/Money>/);
    expect(xml).toMatch(/<NetAmount>\s*<Money currency="EUR">129\.70<\/Money>/);
    expect(xml).toMatch(/<DueAmount>\s*<Money currency="EUR">129\.70<\/Money>/);
  });

  it('round-trips every field cXML carries (not dueDate, which it has no place for)', () => {
    const withDue: Invoice = { ...STANDARD, dueDate: '2024-05-01' };
    const back = parseInvoiceDetailRequest(buildInvoiceDetailRequest(ENVELOPE, withDue));
    expect(plain(back.invoice)).toEqual(plain(STANDARD));
    expect(back.warnings).toEqual([]);
    expect(back.unmapped).toEqual([]);
  });

  it('writes a credit memo with negative amounts and quantities, positive prices, as a line-level credit memo', () => {
    const positive: Invoice = {
      ...STANDARD,
      invoiceNumber: 'GS-0001',
      purpose: 'creditMemo',
      originalInvoiceNumber: 'RE-2024-0100',
    };
    const xml = buildInvoiceDetailRequest(ENVELOPE, positive, {
      originalInvoicePayloadId: 'inv-100@supplier.example',
    });
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    // Issue 13: isHeaderInvoice="yes" with line items in InvoiceDetailOrder contradicted the DTD's rules.
    expect(xml).toContain('purpose="lineLevelCreditMemo"');
    expect(xml).toContain('<InvoiceDetailHeaderIndicator/>');
    expect(xml).not.toContain('isHeaderInvoice');
    expect(xml).toContain('<InvoiceDetailOrder>');
    expect(xml).toContain('<InvoiceDetailItem invoiceLineNumber="1" quantity="-6">');
    expect(xml).toMatch(/<UnitPrice>\s*<Money currency="EUR">12\.50</);
    expect(xml).toMatch(/<DueAmount>\s*<Money currency="EUR">-129\.70<\/Money>/);
    const back = parseInvoiceDetailRequest(xml);
    expect(plain(back.invoice)).toEqual(plain(normaliseInvoiceSigns(positive)));
    expect(back.invoice.total).toBe('-129.70');
    expect(back.originalInvoicePayloadId).toBe('inv-100@supplier.example');
  });

  it('leaves a credit memo already in the canonical signs unchanged', () => {
    const canonical = normaliseInvoiceSigns({ ...STANDARD, purpose: 'creditMemo' });
    expect(normaliseInvoiceSigns(canonical)).toEqual(canonical);
    expect(canonical.lines[0]?.quantity).toBe('-6');
    expect(canonical.taxSummary?.[0]?.taxableAmount).toBe('-75.00');
  });

  it('counts special handling in the totals and writes SpecialHandlingAmount', () => {
    const xml = buildInvoiceDetailRequest(
      ENVELOPE,
      { ...STANDARD, total: '132.70' },
      { specialHandling: '3.00' },
    );
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(parseInvoiceDetailRequest(xml).specialHandling).toBe('3.00');
  });

  it('refuses totals that do not add up', () => {
    expect(() => buildInvoiceDetailRequest(ENVELOPE, { ...STANDARD, total: '129.69' })).toThrow(
      'cXML builder: total 129.69 is not subtotal + tax + shipping + special handling - discount = 129.7',
    );
    expect(() => buildInvoiceDetailRequest(ENVELOPE, { ...STANDARD, subtotal: '111.00' })).toThrow(
      /line subtotals add up to 110/,
    );
  });

  it('needs a shipFrom to write a shipTo, and a category to write a tax rate', () => {
    const shipTo = { name: 'Werk', address: { street: ['a'], city: 'b', countryCode: 'DE' } };
    expect(() => buildInvoiceDetailRequest(ENVELOPE, { ...STANDARD, shipTo })).toThrow(CxmlBuildError);
    const xml = buildInvoiceDetailRequest(ENVELOPE, { ...STANDARD, shipTo }, { shipFrom: { name: 'Lager' } });
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    const noCategory = { ...STANDARD, taxSummary: [{ amount: '16.70', rate: '19' }] };
    expect(() => buildInvoiceDetailRequest(ENVELOPE, noCategory)).toThrow(/needs a category/);
  });

  it('writes an order known only by payloadID without orderID', () => {
    const xml = buildInvoiceDetailRequest(ENVELOPE, { ...STANDARD, buyerOrderNumber: '' });
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(xml).toMatch(/<OrderReference orderDate="[^"]+">/);
  });
});

describe('InvoiceDetailRequest parser', () => {
  const header = fixture('invoice-detail-request/v1.2.037-header-tax-two-rates.xml').toString('utf8');

  it('reads header taxation into tax and the per-rate taxSummary', () => {
    const { invoice } = parseInvoiceDetailRequest(header);
    expect(invoice.tax).toEqual({ amount: '21.45', description: 'Umsatzsteuer' });
    expect(invoice.taxSummary?.map((t) => [t.rate, t.taxableAmount, t.amount])).toEqual([
      ['19', '100.00', '19.00'],
      ['7', '35.00', '2.45'],
    ]);
  });

  it('refuses debit memos and summary-only invoices with 406', () => {
    expect(() =>
      parseInvoiceDetailRequest(header.replace('purpose="standard"', 'purpose="debitMemo"')),
    ).toThrow(
      expect.objectContaining({
        status: 406,
        xpath: '/cXML/Request/InvoiceDetailRequest/InvoiceDetailRequestHeader/@purpose',
      }),
    );
  });

  it('reads a line-level credit memo as a credit memo and says so', () => {
    const doc = parseInvoiceDetailRequest(
      fixture('invoice-detail-request/v1.2.020-credit-memo.xml')
        .toString('utf8')
        .replace('purpose="creditMemo"', 'purpose="lineLevelCreditMemo"'),
    );
    expect(doc.invoice.purpose).toBe('creditMemo');
    expect(doc.purposeAsSent).toBe('lineLevelCreditMemo');
  });

  it('refuses a line in another currency with its XPath', () => {
    const xml = header.replace('<Money currency="EUR">3.50</Money>', '<Money currency="USD">3.50</Money>');
    expect(() => parseInvoiceDetailRequest(xml)).toThrow(
      expect.objectContaining({
        status: 400,
        xpath:
          '/cXML/Request/InvoiceDetailRequest/InvoiceDetailOrder/InvoiceDetailItem[2]/UnitPrice/Money/@currency',
      }),
    );
  });

  it('takes DueAmount as the total and NetAmount when there is no DueAmount', () => {
    const noDue = header.replace(/<DueAmount>[\s\S]*?<\/DueAmount>/, '');
    const doc = parseInvoiceDetailRequest(noDue);
    expect(doc.invoice.total).toBe('160.00');
    expect(doc.warnings).toEqual([]);
  });
});
