/**
 * Every transaction set the builders write (855, 856, 810, 997, 999) follows the segment table of its
 * transaction set (protocols/x12/tables.ts, written from the 004010 and 005010 tables): order, loops,
 * mandatory segments and maximum use. Each builder is run on documents that use every part it can
 * write, in both versions, and what it emits is read back and checked against the table.
 */
import type { Invoice, Order, Shipment } from '../../../src/model';
import {
  build810,
  build855,
  build856,
  buildFunctionalAck,
  checkSegmentOrder,
  parse850,
  parseX12,
  segmentTable,
  segmentTables,
  serializeInterchange,
  type OutSegment,
  type TransactionSet,
  type X12Version,
} from '../../../protocols/x12';

const VERSIONS: X12Version[] = ['004010', '005010'];
const D = { element: '*', component: '>', repetition: '^', segment: '~', suffix: '\n' as const };

function emitted(setId: string, segments: readonly OutSegment[], version: X12Version): TransactionSet {
  const text = serializeInterchange({
    delimiters: D,
    version,
    sender: { qualifier: 'ZZ', id: 'SUPPLIER' },
    receiver: { qualifier: 'ZZ', id: 'BUYER' },
    controlNumber: 7,
    date: new Date(Date.UTC(2026, 11, 2, 9, 30)),
    groups: [
      {
        applicationSender: 'SUPPLIER',
        applicationReceiver: 'BUYER',
        controlNumber: 7,
        transactionSets: [{ id: setId, controlNumber: 1, segments }],
      },
    ],
  });
  const doc = parseX12(text);
  expect(doc.errors).toEqual([]);
  return doc.transactionSets[0]!;
}

function problemsOf(set: TransactionSet, version: X12Version) {
  const table = segmentTable(set.id, version);
  if (!table) throw new Error(`no table for ${set.id} ${version}`);
  return checkSegmentOrder(
    table,
    set.segments.map((s) => s.id),
  );
}

const party = (name: string) => ({
  name,
  addressId: `${name.toUpperCase()}-1`,
  deliverTo: ['Attn Receiving', 'Building 2', 'Door 7'],
  address: {
    street: ['1 Main St', 'Suite 2', 'Floor 3', 'Room 4', 'Desk 5'],
    city: 'Springfield',
    state: 'IL',
    postalCode: '62701',
    countryCode: 'US',
  },
  contacts: [
    { role: 'deliveryContact', name: 'Sam', phone: '555-0100' },
    { role: 'buyer', name: 'Ann', email: 'ann@example.com' },
    { role: 'accountsPayable', name: 'Bo', fax: '555-0102' },
    { role: 'expeditor', name: 'Cy', phone: '555-0103' },
  ],
});

const ORDER: Order = {
  buyerOrderNumber: 'PO-2026-0001',
  version: 1,
  type: 'new',
  orderDate: '2026-11-30T18:41:29-08:00',
  currency: 'USD',
  total: '260.40',
  contacts: [],
  comments: [],
  extrinsics: [],
  lines: [1, 2, 3].map((n) => ({
    lineNumber: n,
    supplierPartId: `SKU-${n}`,
    buyerPartId: `BP-${n}`,
    description: `Item ${n} ${'d'.repeat(120)}`,
    quantity: String(n * 2),
    unitOfMeasure: 'EA',
    unitPrice: '4.20',
    classifications: [],
    distributions: [],
    extrinsics: [],
  })),
};

const SHIPMENT: Shipment = {
  shipmentId: 'SHP-1',
  buyerOrderNumber: 'PO-2026-0001',
  carrier: 'UPSN',
  trackingNumber: '1Z999AA10123456784',
  shippedAt: '2026-12-01T08:15:00Z',
  expectedDeliveryAt: '2026-12-04',
  shipFrom: party('Warehouse'),
  shipTo: party('Dock'),
  lines: [
    { lineNumber: 1, quantity: '2', supplierPartId: 'SKU-1', unitOfMeasure: 'EA' },
    { lineNumber: 3, quantity: '6', unitOfMeasure: 'EA' },
  ],
};

const INVOICE: Invoice = {
  invoiceNumber: 'INV-1',
  purpose: 'standard',
  invoiceDate: '2026-12-02',
  dueDate: '2027-01-01',
  currency: 'USD',
  buyerOrderNumber: 'PO-2026-0001',
  orderPayloadId: '1.2@buyer.example',
  orderDate: '2026-11-30',
  billTo: party('Payables'),
  remitTo: party('Supplier'),
  shipTo: party('Dock'),
  lines: [1, 2].map((n) => ({
    lineNumber: n,
    orderLineNumber: n,
    supplierPartId: `SKU-${n}`,
    description: `Widget ${n} ${'w'.repeat(200)}`,
    quantity: '2',
    unitOfMeasure: 'EA',
    unitPrice: '4.20',
    subtotal: '8.40',
    tax: { amount: '0.69', rate: '8.25', category: 'sales' },
  })),
  tax: { amount: '1.38', rate: '8.25', category: 'sales' },
  shipping: '12.50',
  discount: '2.00',
  subtotal: '16.80',
  taxTotal: '1.38',
  total: '28.68',
  paymentTermsNetDays: 30,
  comments: [
    'Thank you',
    `Two lines\n${'m'.repeat(700)}`,
    'Third',
    ...Array.from({ length: 12 }, (_, i) => `c${i}`),
  ],
};

describe('segment tables', () => {
  it('has 810, 855, 856 and 997 tables for 004010 and 005010, and the 999 table for 005010', () => {
    expect(segmentTables().map((t) => `${t.setId}/${t.version}`)).toEqual([
      '810/004010',
      '810/005010',
      '855/004010',
      '855/005010',
      '856/004010',
      '856/005010',
      '997/004010',
      '997/005010',
      '999/005010',
    ]);
  });

  it('finds the 810 finding: TXI after the PID loop inside IT1 is out of sequence', () => {
    // IT1 … PID … TXI, as the 810 used to be written.
    const ids = ['ST', 'BIG', 'CUR', 'IT1', 'PID', 'TXI', 'TDS', 'CTT', 'SE'];
    const problems = checkSegmentOrder(segmentTable('810', '004010')!, ids);
    expect(problems.map((p) => [p.code, p.segmentId, p.index])).toEqual([
      // TXI can only be the summary's TXI there, which TDS must precede; TDS then comes too late.
      ['MANDATORY_SEGMENT_MISSING', 'TDS', 6],
      ['SEGMENT_NOT_IN_PROPER_SEQUENCE', 'TDS', 7],
    ]);
    expect(
      checkSegmentOrder(segmentTable('810', '004010')!, [
        'ST',
        'BIG',
        'CUR',
        'IT1',
        'TXI',
        'PID',
        'TDS',
        'CTT',
        'SE',
      ]),
    ).toEqual([]);
  });

  it('reports a segment that fits nowhere, a missing mandatory segment and a segment used too often', () => {
    const t855 = segmentTable('855', '004010')!;
    expect(checkSegmentOrder(t855, ['ST', 'BAK', 'PO1', 'CUR', 'SE']).map((p) => p.code)).toEqual([]);
    expect(
      checkSegmentOrder(t855, ['ST', 'BAK', 'CTT', 'CUR', 'SE']).map((p) => [p.code, p.segmentId]),
    ).toEqual([['SEGMENT_NOT_IN_PROPER_SEQUENCE', 'CUR']]);
    expect(checkSegmentOrder(t855, ['ST', 'CUR', 'SE']).map((p) => [p.code, p.segmentId])).toEqual([
      ['MANDATORY_SEGMENT_MISSING', 'BAK'],
    ]);
    const t810 = segmentTable('810', '004010')!;
    const twoCur = checkSegmentOrder(t810, ['ST', 'BIG', 'CUR', 'CUR', 'TDS', 'SE']);
    expect(twoCur.map((p) => [p.code, p.segmentId, p.position])).toEqual([
      ['SEGMENT_EXCEEDS_MAXIMUM_USE', 'CUR', '040'],
    ]);
    const twoN9 = checkSegmentOrder(t810, ['ST', 'BIG', 'N9', 'MSG', 'N9', 'MSG', 'TDS', 'SE']);
    expect(twoN9.map((p) => [p.code, p.segmentId])).toEqual([['LOOP_EXCEEDS_MAXIMUM_REPEAT', 'N9']]);
    // N9 without its mandatory MSG, then the 997's AK2 loop without AK5.
    expect(checkSegmentOrder(t810, ['ST', 'BIG', 'N9', 'TDS', 'SE']).map((p) => p.segmentId)).toEqual([
      'MSG',
    ]);
    const t997 = segmentTable('997', '004010')!;
    expect(
      checkSegmentOrder(t997, ['ST', 'AK1', 'AK2', 'AK2', 'AK5', 'AK9', 'SE']).map((p) => [
        p.code,
        p.segmentId,
      ]),
    ).toEqual([['MANDATORY_SEGMENT_MISSING', 'AK5']]);
  });
});

describe.each(VERSIONS)('builders follow the %s tables', (version) => {
  it('855: accepted, changed and rejected lines with ship dates and an order number', () => {
    const segs = build855(
      ORDER,
      [
        { lineNumber: 1, status: 'accept', scheduledShipDate: '2026-12-03' },
        { lineNumber: 2, status: 'change', quantity: '1', unitPrice: '4.10' },
        { lineNumber: 3, status: 'reject' },
      ],
      { ackDate: '2026-12-01', supplierOrderNumber: 'SO-000042' },
    );
    expect(problemsOf(emitted('855', segs, version), version)).toEqual([]);
  });

  it('855: every line rejected', () => {
    const segs = build855(
      ORDER,
      ORDER.lines.map((l) => ({ lineNumber: l.lineNumber, status: 'reject' as const })),
      {
        ackDate: '2026-12-01',
      },
    );
    expect(problemsOf(emitted('855', segs, version), version)).toEqual([]);
  });

  it('856: shipment with lading quantity, carrier, tracking, dates, parties and items', () => {
    const segs = build856(SHIPMENT, ORDER, { ladingQuantity: 3 });
    expect(problemsOf(emitted('856', segs, version), version)).toEqual([]);
    const plain = build856(
      { ...SHIPMENT, carrier: 'Local courier', shipFrom: undefined, shipTo: undefined },
      undefined,
    );
    expect(problemsOf(emitted('856', plain, version), version)).toEqual([]);
  });

  it('810: invoice with parties, terms, many comments, line taxes, long descriptions, shipping and discount', () => {
    expect(problemsOf(emitted('810', build810(INVOICE), version), version)).toEqual([]);
  });

  it('810: credit memo with a header tax and no line taxes', () => {
    const credit: Invoice = {
      ...INVOICE,
      purpose: 'creditMemo',
      originalInvoiceNumber: 'INV-1',
      lines: INVOICE.lines.map(({ tax: _tax, ...l }) => l),
      comments: [],
      shipping: undefined,
      discount: undefined,
    };
    expect(problemsOf(emitted('810', build810(credit), version), version)).toEqual([]);
  });

  it(`${version === '005010' ? '999' : '997'}: accepted, partly accepted and rejected groups`, () => {
    const inbound = parseX12(
      [
        `ISA*00*          *00*          *ZZ*BUYER          *ZZ*SUPPLIER       *261202*0304*${version === '005010' ? '^' : 'U'}*${version === '005010' ? '00501' : '00401'}*000000321*0*P*>`,
        `GS*PO*BUYER*SUPPLIER*20261202*0304*12*X*${version}`,
        'ST*850*0001',
        'BEG*00*SA*PO1**20261202',
        'PO1*1*2*EA*3.5**VP*A',
        'SE*4*0001',
        'ST*850*0002',
        'BEG*00*SA*PO2**2026120X',
        'PO1*1*X*EA*3.5**VP*A',
        'ZZZ*1',
        'SE*9*0002',
        'GE*3*12',
        'IEA*1*000000321',
      ]
        .map((l) => `${l}~`)
        .join('\n'),
    );
    // Element syntax errors are found by the mapping, as intake does before acknowledging.
    for (const set of inbound.transactionSets)
      set.errors.push(...parse850(set).errors.filter((e) => !e.application));
    const group = inbound.groups[0]!;
    // The bad set has element and segment errors (AK3/AK4 or IK3/IK4), the group a count error.
    expect(group.sets[1]!.errors.length).toBeGreaterThan(0);
    const ack = buildFunctionalAck(group, { version, controlNumber: 1 });
    const set = emitted(ack.id, ack.segments, version);
    expect(set.segments.map((s) => s.id)).toContain(version === '005010' ? 'IK4' : 'AK4');
    expect(problemsOf(set, version)).toEqual([]);
  });
});
