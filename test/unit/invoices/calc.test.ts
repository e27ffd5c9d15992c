import { InvoiceCalcError, addCalendarDays, computeInvoice } from '../../../src/invoices/calc';
import { invoicedQuantities, remainingQuantities } from '../../../src/invoices/quantities';
import type { InvoiceCalcInput, InvoiceCalcLine } from '../../../src/invoices/calc';

const toner: InvoiceCalcLine = {
  orderLineNumber: 1,
  supplierPartId: 'TN-4200',
  description: 'Toner',
  unitOfMeasure: 'EA',
  unitPrice: '12.3450',
  quantity: '3',
  taxRate: '19',
};

function input(over: Partial<InvoiceCalcInput> = {}): InvoiceCalcInput {
  return {
    invoiceNumber: 'INV-1',
    invoiceDate: '2024-01-31',
    purpose: 'standard',
    currency: 'EUR',
    buyerOrderNumber: 'PO-1',
    taxMode: 'line',
    lines: [toner],
    ...over,
  };
}

/** Three rates whose per-line rounding and per-group rounding differ (7 %: 3 x 0.007 vs 0.021). */
const mixedRates: InvoiceCalcLine[] = [
  toner,
  { ...toner, orderLineNumber: 2, unitPrice: '0.10', quantity: '1', taxRate: '7' },
  { ...toner, orderLineNumber: 3, unitPrice: '0.10', quantity: '1', taxRate: '7.0' },
  { ...toner, orderLineNumber: 4, unitPrice: '0.10', quantity: '1', taxRate: '7' },
  { ...toner, orderLineNumber: 5, unitPrice: '4.995', quantity: '2', taxRate: '5.5' },
  { ...toner, orderLineNumber: 6, unitPrice: '0.30', quantity: '1', taxRate: '5.5' },
];

function calcError(over: Partial<InvoiceCalcInput>): string {
  try {
    computeInvoice(input(over));
  } catch (e) {
    if (e instanceof InvoiceCalcError) return e.field;
    throw e;
  }
  throw new Error('expected InvoiceCalcError');
}

describe('computeInvoice', () => {
  it('rounds qty x price half-up to the currency and the line tax on the rounded subtotal', () => {
    const inv = computeInvoice(input());
    expect(inv.lines).toEqual([
      {
        lineNumber: 1,
        orderLineNumber: 1,
        supplierPartId: 'TN-4200',
        description: 'Toner',
        quantity: '3',
        unitOfMeasure: 'EA',
        unitPrice: '12.345', // as given, with no trailing zeros beyond the currency's scale
        subtotal: '37.04', // 37.035
        tax: { amount: '7.04', rate: '19' }, // 7.0376
      },
    ]);
    expect([inv.subtotal, inv.taxTotal, inv.total]).toEqual(['37.04', '7.04', '44.08']);
    expect(inv.taxSummary).toEqual([{ amount: '7.04', rate: '19', taxableAmount: '37.04' }]);
    expect(inv.tax).toBeUndefined();
  });

  it('line mode: sums rounded line taxes, summarised per rate', () => {
    const inv = computeInvoice(input({ lines: mixedRates, shipping: '4.9', discount: '1' }));
    expect(inv.lines.map((l) => [l.subtotal, l.tax?.amount])).toEqual([
      ['37.04', '7.04'],
      ['0.10', '0.01'],
      ['0.10', '0.01'],
      ['0.10', '0.01'],
      ['9.99', '0.55'],
      ['0.30', '0.02'],
    ]);
    expect(inv.taxSummary).toEqual([
      { rate: '19', taxableAmount: '37.04', amount: '7.04' },
      { rate: '7', taxableAmount: '0.30', amount: '0.03' },
      { rate: '5.5', taxableAmount: '10.29', amount: '0.57' },
    ]);
    expect(inv.shipping).toBe('4.90');
    expect(inv.discount).toBe('1.00');
    expect([inv.subtotal, inv.taxTotal, inv.total]).toEqual(['47.63', '7.64', '59.17']);
  });

  it('header mode: rounds tax once per rate group, on the group sum', () => {
    const inv = computeInvoice(
      input({ lines: mixedRates, taxMode: 'header', shipping: '4.90', discount: '1.00' }),
    );
    expect(inv.lines.every((l) => l.tax === undefined)).toBe(true);
    expect(inv.taxSummary).toEqual([
      { rate: '19', taxableAmount: '37.04', amount: '7.04' },
      { rate: '7', taxableAmount: '0.30', amount: '0.02' }, // 0.021, where line mode gave 0.03
      { rate: '5.5', taxableAmount: '10.29', amount: '0.57' }, // 0.56595
    ]);
    expect(inv.tax).toEqual({ amount: '7.63' });
    expect([inv.subtotal, inv.taxTotal, inv.total]).toEqual(['47.63', '7.63', '59.16']);
  });

  it('header mode with one header rate: taxes the whole subtotal at that rate', () => {
    const inv = computeInvoice(
      input({
        lines: mixedRates,
        taxMode: 'header',
        headerTax: { rate: '19', category: 'vat', description: 'VAT 19 %' },
      }),
    );
    expect(inv.tax).toEqual({ amount: '9.05', rate: '19', category: 'vat', description: 'VAT 19 %' }); // 9.0497
    expect(inv.taxSummary).toEqual([
      { amount: '9.05', rate: '19', category: 'vat', taxableAmount: '47.63', description: 'VAT 19 %' },
    ]);
    expect(inv.total).toBe('56.68');
  });

  it('groups by category as well as rate, and leaves lines without a rate untaxed', () => {
    const inv = computeInvoice(
      input({
        lines: [
          { ...toner, taxCategory: 'vat' },
          { ...toner, orderLineNumber: 2, taxCategory: 'other' },
          { ...toner, orderLineNumber: 3, taxRate: undefined },
        ],
      }),
    );
    expect(inv.taxSummary?.map((t) => [t.rate, t.category, t.amount])).toEqual([
      ['19', 'vat', '7.04'],
      ['19', 'other', '7.04'],
    ]);
    expect(inv.lines[2]!.tax).toBeUndefined();
    expect([inv.subtotal, inv.taxTotal]).toEqual(['111.12', '14.08']);
  });

  it('uses no decimals for JPY', () => {
    const inv = computeInvoice(
      input({
        currency: 'JPY',
        lines: [
          { ...toner, unitPrice: '333.5', quantity: '3', taxRate: '10' },
          { ...toner, orderLineNumber: 2, unitPrice: '99', quantity: '1', taxRate: '10' },
        ],
        shipping: '500',
      }),
    );
    expect(inv.lines.map((l) => [l.subtotal, l.tax?.amount])).toEqual([
      ['1001', '100'], // 1000.5, 100.1
      ['99', '10'], // 9.9
    ]);
    expect([inv.subtotal, inv.taxTotal, inv.shipping, inv.total]).toEqual(['1100', '110', '500', '1710']);
  });

  it('uses three decimals for BHD and KWD', () => {
    const line = { ...toner, unitPrice: '1.2345', quantity: '3', taxRate: '5' };
    for (const currency of ['BHD', 'KWD']) {
      const inv = computeInvoice(input({ currency, lines: [line] }));
      expect([inv.lines[0]!.subtotal, inv.taxTotal, inv.total]).toEqual(['3.704', '0.185', '3.889']); // 3.7035, 0.1852
    }
  });

  it('makes every amount of a credit memo negative, unit prices staying positive', () => {
    const inv = computeInvoice(
      input({ purpose: 'creditMemo', originalInvoiceNumber: 'INV-0', shipping: '4.90', discount: '1.00' }),
    );
    expect(inv.purpose).toBe('creditMemo');
    expect(inv.originalInvoiceNumber).toBe('INV-0');
    expect(inv.lines[0]).toMatchObject({ quantity: '-3', unitPrice: '12.345', subtotal: '-37.04' });
    expect(inv.lines[0]!.tax?.amount).toBe('-7.04');
    expect(inv.taxSummary).toEqual([{ amount: '-7.04', rate: '19', taxableAmount: '-37.04' }]);
    expect([inv.subtotal, inv.taxTotal, inv.shipping, inv.discount, inv.total]).toEqual([
      '-37.04',
      '-7.04',
      '-4.90',
      '-1.00',
      '-47.98',
    ]);
  });

  it('rounds a credit memo to the negated standard amounts (half away from zero)', () => {
    const line = { ...toner, unitPrice: '0.125', quantity: '1', taxRate: '10' };
    const std = computeInvoice(input({ lines: [line] }));
    const cm = computeInvoice(input({ lines: [line], purpose: 'creditMemo' }));
    expect([std.subtotal, std.taxTotal]).toEqual(['0.13', '0.01']);
    expect([cm.subtotal, cm.taxTotal]).toEqual(['-0.13', '-0.01']);
  });

  it('does not write a minus sign on zero amounts of a credit memo', () => {
    const cm = computeInvoice(input({ purpose: 'creditMemo', lines: [{ ...toner, taxRate: '0' }] }));
    expect(cm.taxTotal).toBe('0.00');
  });

  it('computes the due date in calendar days from the invoice date and keeps the terms', () => {
    const inv = computeInvoice(input({ paymentTermsNetDays: 30 }));
    expect(inv.dueDate).toBe('2024-03-01');
    expect(inv.paymentTermsNetDays).toBe(30);
    expect(computeInvoice(input()).dueDate).toBeUndefined();
  });

  it('carries the order references and parties through', () => {
    const inv = computeInvoice(
      input({
        orderPayloadId: 'p@x',
        orderDate: '2024-01-02',
        billTo: { name: 'Acme AP' },
        remitTo: { name: 'Supplier' },
        shipTo: { name: 'Dock 4' },
        comments: ['thanks'],
      }),
    );
    expect(inv).toMatchObject({
      orderPayloadId: 'p@x',
      orderDate: '2024-01-02',
      billTo: { name: 'Acme AP' },
      remitTo: { name: 'Supplier' },
      shipTo: { name: 'Dock 4' },
      comments: ['thanks'],
    });
  });

  it.each<[string, Partial<InvoiceCalcInput>, string]>([
    ['no lines', { lines: [] }, 'lines'],
    ['a zero quantity', { lines: [{ ...toner, quantity: '0' }] }, 'lines[0].quantity'],
    ['a negative quantity', { lines: [{ ...toner, quantity: '-1' }] }, 'lines[0].quantity'],
    [
      'a number-like price in exponent form',
      { lines: [{ ...toner, unitPrice: '1e2' }] },
      'lines[0].unitPrice',
    ],
    ['a negative tax rate', { lines: [{ ...toner, taxRate: '-19' }] }, 'lines[0].taxRate'],
    ['the same order line twice', { lines: [toner, toner] }, 'lines[1].orderLineNumber'],
    ['a lower-case currency', { currency: 'eur' }, 'currency'],
    ['a negative shipping', { shipping: '-1' }, 'shipping'],
    ['a header rate in line mode', { headerTax: { rate: '19' } }, 'headerTax'],
    ['an impossible date', { invoiceDate: '2024-02-30' }, 'invoiceDate'],
    ['a date that is not ISO', { invoiceDate: '31.01.2024' }, 'invoiceDate'],
    ['fractional payment terms', { paymentTermsNetDays: 1.5 }, 'paymentTermsNetDays'],
  ])('refuses %s, naming the input', (_why, over, field) => {
    expect(calcError(over)).toBe(field);
  });
});

describe('addCalendarDays', () => {
  it.each([
    ['2024-01-31', 30, '2024-03-01'],
    ['2023-01-31', 30, '2023-03-02'],
    ['2024-12-15', 30, '2025-01-14'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2024-03-31', 0, '2024-03-31'],
    ['2024-01-31T10:00:00', 1, '2024-02-01'],
    ['2024-01-31T23:30:00-05:00', 0, '2024-02-01'],
    ['2024-02-01T00:30:00+02:00', 14, '2024-02-14'],
    ['2024-01-31T23:59:59.999Z', 1, '2024-02-01'],
  ])('%s + %i days is %s (UTC)', (date, days, due) => {
    expect(addCalendarDays(date, days)).toBe(due);
  });

  it.each(['2024-13-01', '2023-02-29', '2024-01-31T24:00:00Z', '2024-1-5', ''])('refuses %j', (bad) => {
    expect(() => addCalendarDays(bad, 1)).toThrow(RangeError);
  });
});

describe('remainingQuantities', () => {
  const ordered = [
    { lineNumber: 1, quantity: '10' },
    { lineNumber: 2, quantity: '2.5' },
  ];
  const orderLines: InvoiceCalcLine[] = [
    { ...toner, orderLineNumber: 1, quantity: '10' },
    { ...toner, orderLineNumber: 2, unitOfMeasure: 'KGM', unitPrice: '8', quantity: '2.5' },
  ];

  it('lets a partial invoice and a second invoice together bill the order exactly, never more', () => {
    const first = remainingQuantities(
      ordered,
      [],
      [
        { lineNumber: 1, quantity: '6' },
        { lineNumber: 2, quantity: '2.5' },
      ],
    );
    expect(first.ok).toBe(true);
    const inv1 = computeInvoice(
      input({
        lines: [
          { ...orderLines[0]!, quantity: '6' },
          { ...orderLines[1]!, quantity: '2.5' },
        ],
      }),
    );

    const tooMuch = remainingQuantities(ordered, invoicedQuantities([inv1]), [
      { lineNumber: 1, quantity: '5' },
      { lineNumber: 2, quantity: '0.001' },
    ]);
    expect(tooMuch.ok).toBe(false);
    expect(tooMuch.errors.map((e) => [e.lineNumber, e.code])).toEqual([
      [1, 'exceedsOrdered'],
      [2, 'exceedsOrdered'],
    ]);
    expect(tooMuch.errors[0]!.message).toBe(
      'order line 1: requested 5 exceeds the 4 not yet invoiced (ordered 10, invoiced 6)',
    );

    const second = remainingQuantities(ordered, invoicedQuantities([inv1]), [
      { lineNumber: 1, quantity: '4' },
    ]);
    expect(second.ok).toBe(true);
    expect(second.lines[0]).toEqual({
      lineNumber: 1,
      ordered: '10',
      invoiced: '6',
      available: '4',
      requested: '4',
      remainingAfter: '0',
    });
    const inv2 = computeInvoice(
      input({ invoiceNumber: 'INV-2', lines: [{ ...orderLines[0]!, quantity: '4' }] }),
    );

    const third = remainingQuantities(ordered, invoicedQuantities([inv1, inv2]), [
      { lineNumber: 1, quantity: '1' },
    ]);
    expect(third.errors.map((e) => [e.lineNumber, e.code])).toEqual([[1, 'exceedsOrdered']]);
    expect(third.lines.map((l) => l.available)).toEqual(['0', '0']);
  });

  it('counts a credit memo back into what may be invoiced', () => {
    const inv = computeInvoice(input({ lines: [{ ...orderLines[0]!, quantity: '10' }] }));
    const cm = computeInvoice(
      input({ invoiceNumber: 'CM-1', purpose: 'creditMemo', lines: [{ ...orderLines[0]!, quantity: '2' }] }),
    );
    expect(invoicedQuantities([inv, cm])).toEqual([{ lineNumber: 1, quantity: '8' }]);
    const r = remainingQuantities(ordered, invoicedQuantities([inv, cm]), [{ lineNumber: 1, quantity: '2' }]);
    expect(r.ok).toBe(true);
    expect(r.lines[0]!.available).toBe('2');
  });

  it('when shipment is required, never bills more than shipped (summed over shipments)', () => {
    const shipped = [
      { lineNumber: 1, quantity: '3' },
      { lineNumber: 1, quantity: '2' },
    ];
    const over = remainingQuantities(ordered, [], [{ lineNumber: 1, quantity: '6' }], shipped, true);
    expect(over.errors).toEqual([
      {
        lineNumber: 1,
        code: 'exceedsShipped',
        message:
          'order line 1: requested 6 exceeds the 5 shipped and not yet invoiced (shipped 5, invoiced 0)',
      },
    ]);
    const okay = remainingQuantities(ordered, [], [{ lineNumber: 1, quantity: '5' }], shipped, true);
    expect(okay.ok).toBe(true);
    expect(okay.lines[1]).toMatchObject({ lineNumber: 2, shipped: '0', available: '0' });
  });

  it('ignores shipments when shipment is not required, and caps an over-shipment at the ordered quantity', () => {
    const shipped = [{ lineNumber: 1, quantity: '12' }];
    expect(remainingQuantities(ordered, [], [{ lineNumber: 1, quantity: '7' }], [], false).ok).toBe(true);
    const r = remainingQuantities(ordered, [], [{ lineNumber: 1, quantity: '11' }], shipped, true);
    expect(r.errors.map((e) => e.code)).toEqual(['exceedsOrdered']);
    expect(r.lines[0]!.available).toBe('10');
  });

  it('treats a missing shipment list as nothing shipped when shipment is required', () => {
    const r = remainingQuantities(ordered, [], [{ lineNumber: 2, quantity: '1' }], undefined, true);
    expect(r.errors.map((e) => [e.lineNumber, e.code])).toEqual([[2, 'exceedsShipped']]);
  });

  it('reports unknown lines, repeated lines and bad quantities, each naming the line', () => {
    const r = remainingQuantities(
      ordered,
      [],
      [
        { lineNumber: 9, quantity: '1' },
        { lineNumber: 1, quantity: '1' },
        { lineNumber: 1, quantity: '1' },
        { lineNumber: 2, quantity: '0' },
      ],
    );
    expect(r.errors.map((e) => [e.lineNumber, e.code])).toEqual([
      [9, 'unknownLine'],
      [1, 'duplicateLine'],
      [2, 'invalidQuantity'],
    ]);
    expect(r.errors.every((e) => e.message.startsWith(`order line ${e.lineNumber}`))).toBe(true);
  });
});
