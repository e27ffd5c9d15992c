/**
 * Round trips: canonical -> X12 -> canonical keeps every field the model holds that X12 carries,
 * for 850, 855, 856 and 810, in 004010 and 005010, with several delimiter sets, a BOM and CRLF.
 */
import type { Extrinsic, Invoice, Order, Shipment } from '../../../src/model';
import {
  build810,
  build850,
  build855,
  build856,
  parse810,
  parse850,
  parse855,
  parse856,
  parseX12,
  serializeInterchange,
  type OutSegment,
  type TransactionSet,
  type WriteDelimiters,
  type X12Version,
} from '../../../protocols/x12';
import { corpusFiles, readCorpus } from './helpers';

const DELIMITERS: [string, WriteDelimiters][] = [
  ['* > ^ ~ + LF', { element: '*', component: '>', repetition: '^', segment: '~', suffix: '\n' }],
  ['| ^ { newline', { element: '|', component: '^', repetition: '{', segment: '\n' }],
  ['{ } ^ ~ (no suffix)', { element: '{', component: '}', repetition: '^', segment: '~' }],
  ['* : ^ ~ + CRLF', { element: '*', component: ':', repetition: '^', segment: '~', suffix: '\r\n' }],
];
const VERSIONS: X12Version[] = ['004010', '005010'];
const CASES = VERSIONS.flatMap((v) =>
  DELIMITERS.flatMap(([name, d]) => [false, true].map((bom) => [v, name, d, bom] as const)),
);

function envelope(
  setId: string,
  segments: OutSegment[],
  version: X12Version,
  delimiters: WriteDelimiters,
  bom: boolean,
): TransactionSet {
  const text = serializeInterchange({
    delimiters,
    version,
    sender: { qualifier: 'ZZ', id: 'SENDER' },
    receiver: { qualifier: 'ZZ', id: 'RECEIVER' },
    controlNumber: 1001,
    date: new Date(Date.UTC(2024, 4, 2, 9, 30)),
    groups: [
      {
        applicationSender: 'S',
        applicationReceiver: 'R',
        controlNumber: 55,
        transactionSets: [{ id: setId, controlNumber: 1, segments }],
      },
    ],
  });
  const doc = parseX12(bom ? `\uFEFF${text}` : text);
  expect(doc.errors).toEqual([]);
  expect(doc.transactionSets).toHaveLength(1);
  return doc.transactionSets[0]!;
}

const byName = (a: Extrinsic, b: Extrinsic): number => (a.name + a.value < b.name + b.value ? -1 : 1);

/** Extrinsic order carries no meaning (X12 puts them in segment order). */
function normalize(o: Order): Order {
  return {
    ...o,
    extrinsics: [...o.extrinsics].sort(byName),
    lines: o.lines.map((l) => ({ ...l, extrinsics: [...l.extrinsics].sort(byName) })),
  };
}

const ORDER: Order = {
  buyerOrderNumber: 'PO-2024-0001',
  version: 2,
  type: 'update',
  orderDate: '2024-05-01T14:30:00Z',
  currency: 'EUR',
  total: '1234.56',
  tax: { amount: '19.00', rate: '19', category: 'vat' },
  shipping: { amount: '12.50', description: 'Express' },
  shipTo: {
    name: 'Dock 4',
    addressId: 'DC4',
    deliverTo: ['Attn Receiving', 'Building 2'],
    address: {
      street: ['1 Main St', 'Suite 2'],
      city: 'Springfield',
      state: 'IL',
      postalCode: '62701',
      countryCode: 'US',
    },
    contacts: [{ role: 'deliveryContact', name: 'Sam', phone: '555-0100' }],
  },
  billTo: {
    name: 'Accounts Payable',
    addressId: 'AP1',
    address: { street: ['PO Box 9'], city: 'Chicago', state: 'IL', postalCode: '60601', countryCode: 'US' },
  },
  contacts: [
    { role: 'buyer', name: 'Ann Buyer', email: 'ann@example.com', phone: '555-0101', fax: '555-0102' },
  ],
  comments: ['Deliver between 8 and 16h', `Line one\nLine two ${'x'.repeat(300)}`],
  extrinsics: [
    { name: 'BEG02', value: 'NE' },
    { name: 'REF*DP', value: '038' },
    { name: 'CostCenter', value: 'CC-4711' },
    { name: 'DTM*010', value: '2024-05-20' },
    { name: 'TD505', value: 'UPS GROUND' },
    { name: 'N1*BY', value: 'Buyer Corp' },
    { name: 'N1*BY*92', value: 'B-1' },
    { name: 'SAC*A*C310', value: '5.00' },
    { name: 'AMT*1', value: '1200.00' },
  ],
  paymentTerms: { netDays: 30, discountPercent: '2', discountDays: 10, text: '2/10 NET 30' },
  lines: [
    {
      lineNumber: 1,
      supplierPartId: 'SKU-1',
      supplierAuxiliaryId: 'AUX-1',
      buyerPartId: 'BP-1',
      manufacturerName: 'Acme',
      manufacturerPartId: 'MPN-1',
      description: `A long description ${'y'.repeat(100)}`,
      quantity: '12.5',
      unitOfMeasure: 'KGM',
      unitPrice: '3.9900',
      classifications: [{ domain: 'UNSPSC', code: '44121700' }],
      requestedDeliveryDate: '2024-05-10',
      distributions: [],
      tax: { amount: '9.48', rate: '19', category: 'vat' },
      shipTo: {
        name: 'Lab 2',
        addressId: 'L2',
        address: {
          street: ['2 Side St'],
          city: 'Springfield',
          state: 'IL',
          postalCode: '62702',
          countryCode: 'US',
        },
      },
      comments: ['Fragile'],
      extrinsics: [
        { name: 'PO1*UP', value: '012345678905' },
        { name: 'PO401', value: '6' },
        { name: 'REF*19', value: 'DIV' },
        { name: 'DTM*018', value: '2024-05-08' },
      ],
    },
    {
      lineNumber: 2,
      supplierPartId: 'SKU-2',
      quantity: '1',
      unitOfMeasure: 'EA',
      unitPrice: '100',
      classifications: [],
      distributions: [],
      extrinsics: [],
    },
  ],
};

const SHIPMENT: Shipment = {
  shipmentId: 'SHP-77',
  buyerOrderNumber: 'PO-2024-0001',
  carrier: 'UPSN',
  trackingNumber: '1Z999AA10123456784',
  shippedAt: '2024-05-03T08:15:00Z',
  expectedDeliveryAt: '2024-05-06',
  shipFrom: {
    name: 'Warehouse East',
    addressId: 'WH1',
    address: { street: ['9 Depot Rd'], city: 'Newark', state: 'NJ', postalCode: '07101', countryCode: 'US' },
  },
  shipTo: {
    name: 'Dock 4',
    addressId: 'DC4',
    address: {
      street: ['1 Main St'],
      city: 'Springfield',
      state: 'IL',
      postalCode: '62701',
      countryCode: 'US',
    },
  },
  lines: [
    { lineNumber: 1, quantity: '12.5', supplierPartId: 'SKU-1', unitOfMeasure: 'KGM' },
    { lineNumber: 2, quantity: '1', supplierPartId: 'SKU-2', unitOfMeasure: 'EA' },
  ],
};

const INVOICE: Invoice = {
  invoiceNumber: 'INV-500',
  purpose: 'standard',
  invoiceDate: '2024-05-04',
  dueDate: '2024-06-03',
  currency: 'USD',
  buyerOrderNumber: 'PO-2024-0001',
  orderPayloadId: '1714552200.123@buyer.example.com',
  supplierOrderNumber: 'SO-000042',
  orderDate: '2024-05-01',
  billTo: {
    name: 'Accounts Payable',
    addressId: 'AP1',
    address: { street: ['PO Box 9'], city: 'Chicago', state: 'IL', postalCode: '60601', countryCode: 'US' },
  },
  remitTo: {
    name: 'Supplier Inc',
    address: { street: ['5 Bank St'], city: 'New York', state: 'NY', postalCode: '10001', countryCode: 'US' },
  },
  shipTo: { name: 'Dock 4', addressId: 'DC4' },
  lines: [
    {
      lineNumber: 1,
      orderLineNumber: 1,
      supplierPartId: 'SKU-1',
      description: 'Widget',
      quantity: '12.5',
      unitOfMeasure: 'KGM',
      unitPrice: '3.99',
      subtotal: '49.88',
      tax: { amount: '4.99', rate: '10', category: 'sales' },
    },
    {
      lineNumber: 2,
      orderLineNumber: 2,
      supplierPartId: 'SKU-2',
      quantity: '1',
      unitOfMeasure: 'EA',
      unitPrice: '100.00',
      subtotal: '100',
    },
  ],
  shipping: '12.50',
  discount: '2.00',
  subtotal: '149.88',
  taxTotal: '4.99',
  total: '165.37',
  paymentTermsNetDays: 30,
  comments: ['Thank you for your order'],
};

const CREDIT: Invoice = {
  invoiceNumber: 'CM-9',
  purpose: 'creditMemo',
  invoiceDate: '2024-05-20',
  currency: 'USD',
  buyerOrderNumber: 'PO-2024-0001',
  originalInvoiceNumber: 'INV-500',
  lines: [
    {
      lineNumber: 1,
      orderLineNumber: 2,
      supplierPartId: 'SKU-2',
      quantity: '1',
      unitOfMeasure: 'EA',
      unitPrice: '100.00',
      subtotal: '100',
    },
  ],
  tax: { amount: '-10.00', rate: '10', category: 'sales' },
  subtotal: '-100.00',
  taxTotal: '-10.00',
  total: '-110.00',
};

describe('X12 round trips', () => {
  it.each(CASES)('850 %s %s bom=%s: Order -> 850 -> Order keeps every field', (version, _name, d, bom) => {
    const r = parse850(envelope('850', build850(ORDER, { version }), version, d, bom));
    expect(r.errors).toEqual([]);
    expect(normalize(r.order as Order)).toEqual(normalize(ORDER));
  });

  it.each(CASES)(
    '855 %s %s bom=%s: Order + line statuses -> 855 -> acknowledgment',
    (version, _name, d, bom) => {
      const segs = build855(
        ORDER,
        [
          {
            lineNumber: 1,
            status: 'change',
            quantity: '10',
            unitPrice: '4.10',
            scheduledShipDate: '2024-05-09',
          },
          { lineNumber: 2, status: 'reject' },
        ],
        { ackDate: '2024-05-02', supplierOrderNumber: 'SO-1' },
      );
      const r = parse855(envelope('855', segs, version, d, bom));
      expect(r.errors).toEqual([]);
      expect(r.ack).toEqual({
        buyerOrderNumber: 'PO-2024-0001',
        orderDate: '2024-05-01',
        ackType: 'AC',
        ackDate: '2024-05-02',
        supplierOrderNumber: 'SO-1',
        currency: 'EUR',
        lines: [
          {
            lineNumber: 1,
            status: 'change',
            statusCode: 'IC',
            supplierPartId: 'SKU-1',
            buyerPartId: 'BP-1',
            description: ORDER.lines[0]!.description?.slice(0, 80),
            orderedQuantity: '12.5',
            quantity: '10',
            unitOfMeasure: 'KGM',
            unitPrice: '4.10',
            scheduledShipDate: '2024-05-09',
          },
          {
            lineNumber: 2,
            status: 'reject',
            statusCode: 'IR',
            supplierPartId: 'SKU-2',
            orderedQuantity: '1',
            quantity: '0',
            unitOfMeasure: 'EA',
            unitPrice: '100.00',
          },
        ],
      });
    },
  );

  it('855 with every line accepted is an AD acknowledgment; a status for an unknown line is refused', () => {
    const segs = build855(
      ORDER,
      [
        { lineNumber: 1, status: 'accept' },
        { lineNumber: 2, status: 'accept' },
      ],
      { ackDate: '2024-05-02' },
    );
    expect(segs[0]![2]).toBe('AD');
    expect(() => build855(ORDER, [{ lineNumber: 3, status: 'accept' }], { ackDate: '2024-05-02' })).toThrow(
      /line 3/,
    );
    expect(() => build855(ORDER, [{ lineNumber: 1, status: 'accept' }], { ackDate: '2024-05-02' })).toThrow(
      /line 2/,
    );
  });

  it.each(CASES)(
    '856 %s %s bom=%s: Shipment -> 856 -> Shipment keeps every field',
    (version, _name, d, bom) => {
      const r = parse856(envelope('856', build856(SHIPMENT, ORDER, { ladingQuantity: 3 }), version, d, bom));
      expect(r.errors).toEqual([]);
      expect(r.shipment).toEqual(SHIPMENT);
      expect(r.details).toEqual({
        purpose: '00',
        structureCode: '0004',
        ladingQuantity: 3,
        orderDate: '2024-05-01',
      });
    },
  );

  it('856 takes units and part ids from the order and writes the carrier as routing text when it is not a SCAC', () => {
    const s: Shipment = { ...SHIPMENT, carrier: 'Local Courier', lines: [{ lineNumber: 1, quantity: '2' }] };
    const r = parse856(
      envelope('856', build856(s, ORDER, { trackingQualifier: 'CN' }), '004010', DELIMITERS[0]![1], false),
    );
    expect(r.shipment?.carrier).toBe('Local Courier');
    expect(r.shipment?.trackingNumber).toBe(SHIPMENT.trackingNumber);
    expect(r.shipment?.lines).toEqual([
      { lineNumber: 1, quantity: '2', supplierPartId: 'SKU-1', unitOfMeasure: 'KGM' },
    ]);
  });

  it.each(CASES)(
    '810 %s %s bom=%s: Invoice and credit memo -> 810 -> Invoice keep every field',
    (version, _name, d, bom) => {
      for (const inv of [INVOICE, CREDIT]) {
        const r = parse810(envelope('810', build810(inv), version, d, bom));
        expect(r.errors).toEqual([]);
        expect(r.invoice).toEqual(inv);
      }
    },
  );

  it('810 writes TDS in implied cents computed with decimals and BIG07 CR for credit memos', () => {
    const segs = build810(CREDIT);
    expect(segs.find((s) => s[0] === 'TDS')).toEqual(['TDS', '-11000', '-10000']);
    expect(segs[0]![7]).toBe('CR');
    const big = build810({ ...INVOICE, total: '12345678901234.565' }).find((s) => s[0] === 'TDS');
    expect(big?.[1]).toBe('1234567890123457');
  });

  describe('corpus files survive parse -> canonical -> serialize -> parse', () => {
    const files = corpusFiles();
    for (const f of files) {
      const doc = parseX12(readCorpus(f));
      doc.transactionSets.forEach((set, i) => {
        if (set.id === '850') {
          const first = parse850(set);
          if (!first.order || first.errors.some((e) => e.application)) return;
          it.each(VERSIONS)(`${f} 850 #${i + 1} in %s`, (version) => {
            const again = parse850(
              envelope('850', build850(first.order as Order, { version }), version, DELIMITERS[1]![1], false),
            );
            expect(normalize(again.order as Order)).toEqual(normalize(first.order as Order));
          });
        } else if (set.id === '856') {
          const first = parse856(set);
          if (!first.shipment || first.errors.some((e) => e.application)) return;
          it.each(VERSIONS)(`${f} 856 #${i + 1} in %s`, (version) => {
            const again = parse856(
              envelope('856', build856(first.shipment as Shipment), version, DELIMITERS[0]![1], true),
            );
            expect(again.shipment).toEqual(first.shipment);
          });
        } else if (set.id === '810') {
          const first = parse810(set);
          if (!first.invoice || first.errors.some((e) => e.application)) return;
          it.each(VERSIONS)(`${f} 810 #${i + 1} in %s`, (version) => {
            const again = parse810(
              envelope('810', build810(first.invoice as Invoice), version, DELIMITERS[3]![1], false),
            );
            expect(again.invoice).toEqual(first.invoice);
          });
        }
      });
    }
  });
});
