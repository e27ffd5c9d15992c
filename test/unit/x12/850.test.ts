import { parse850, parseX12, type Parse850Result } from '../../../protocols/x12';
import { sig } from './helpers';

function po(body: string[], version = '004010'): Parse850Result {
  const isa = `ISA*00*          *00*          *ZZ*BUYER          *ZZ*SUPPLIER       *240102*0304*U*${version === '004010' ? '00401' : '00300'}*000000001*0*P*>~`;
  const segs = [
    `GS*PO*BUYER*SUPPLIER*${version === '004010' ? '20240102' : '240102'}*0304*1*X*${version}`,
    'ST*850*0001',
    ...body,
    `SE*${body.length + 2}*0001`,
    'GE*1*1',
    'IEA*1*000000001',
  ];
  const doc = parseX12(`${isa}\n${segs.join('~\n')}~\n`);
  expect(doc.errors).toEqual([]);
  return parse850(doc.transactionSets[0]!);
}

const LINE = 'PO1*1*10*EA*2.50**VP*SKU1';

describe('850 -> canonical Order', () => {
  it.each([
    ['00', 'new'],
    ['01', 'cancel'],
    ['03', 'cancel'],
    ['04', 'update'],
    ['05', 'update'],
  ])('maps BEG01 %s to order type %s', (code, type) => {
    const r = po([`BEG*${code}*SA*PO-1**20240102`, LINE]);
    expect(r.order?.type).toBe(type);
    expect(r.errors).toEqual([]);
  });

  it('rejects an unknown BEG01 purpose naming BEG01', () => {
    const r = po(['BEG*22*SA*PO-1**20240102', LINE]);
    expect(r.errors.map(sig)).toEqual(['INVALID_CODE@BEG1']);
  });

  it('reads PO number, date, currency, version (REF*PP), total (AMT*TT) and contacts', () => {
    const r = po([
      'BEG*00*NE*PO-9*R1*20240229*C-7',
      'CUR*BY*EUR',
      'REF*PP*3',
      'REF*DP*038',
      'PER*BD*Ann Buyer*TE*555-1234*EM*ann@example.com',
      LINE,
      'CTT*1*10',
      'AMT*TT*25.00',
    ]);
    expect(r.errors).toEqual([]);
    expect(r.order).toMatchObject({
      buyerOrderNumber: 'PO-9',
      orderDate: '2024-02-29',
      currency: 'EUR',
      version: 3,
      total: '25.00',
      contacts: [{ role: 'buyer', name: 'Ann Buyer', phone: '555-1234', email: 'ann@example.com' }],
      extrinsics: [
        { name: 'BEG02', value: 'NE' },
        { name: 'BEG04', value: 'R1' },
        { name: 'BEG06', value: 'C-7' },
        { name: 'REF*DP', value: '038' },
      ],
    });
  });

  it('reports a PO1 without quantity at PO102 with its position in the set', () => {
    const r = po(['BEG*00*SA*PO-1**20240102', 'PO1*1**EA*2.50**VP*SKU1']);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({
      code: 'MISSING_ELEMENT',
      segmentId: 'PO1',
      elementPosition: 2,
      segmentPosition: 3,
      loopId: 'PO1',
      application: true,
    });
  });

  it('reports a non-numeric quantity as an invalid number at PO102', () => {
    const r = po(['BEG*00*SA*PO-1**20240102', 'PO1*1*ten*EA*2.50**VP*SKU1']);
    expect(r.errors.map(sig)).toEqual(['INVALID_NUMBER@PO12']);
    expect(r.errors[0]!.application).toBeUndefined();
  });

  it('maps product id qualifiers, keeps unknown ones as extrinsics and converts the unit to Rec 20', () => {
    const r = po([
      'BEG*00*SA*PO-1**20240102',
      'PO1*7*3*CA*9.99**VN*SUP-1*VS*AUX*BP*BUY-1*MG*MFG-1*MF*Acme*C3*44121700*UP*012345678905*ZZ*X',
    ]);
    const line = r.order?.lines[0];
    expect(line).toMatchObject({
      lineNumber: 7,
      quantity: '3',
      unitOfMeasure: 'CS',
      unitPrice: '9.99',
      supplierPartId: 'SUP-1',
      supplierAuxiliaryId: 'AUX',
      buyerPartId: 'BUY-1',
      manufacturerPartId: 'MFG-1',
      manufacturerName: 'Acme',
      classifications: [{ domain: 'UNSPSC', code: '44121700' }],
      extrinsics: [
        { name: 'PO1*UP', value: '012345678905' },
        { name: 'PO1*ZZ', value: 'X' },
      ],
    });
  });

  it('numbers lines by ordinal when PO101 is absent and keeps a non-numeric PO101', () => {
    const r = po(['BEG*00*SA*PO-1**20240102', 'PO1**1*EA*1**VP*A', 'PO1*A-2*1*EA*1**VP*B']);
    expect(r.order?.lines.map((l) => l.lineNumber)).toEqual([1, 2]);
    expect(r.order?.lines[1]!.extrinsics).toEqual([{ name: 'PO101', value: 'A-2' }]);
  });

  it('converts SAC05 implied decimals with decimal arithmetic (no float rounding)', () => {
    const r = po([
      'BEG*00*SA*PO-1**20240102',
      'SAC*C*G830***900719925474099312**********Freight',
      'SAC*A*C310***-5',
      LINE,
    ]);
    expect(r.order?.shipping).toEqual({ amount: '9007199254740993.12', description: 'Freight' });
    expect(r.order?.extrinsics).toContainEqual({ name: 'SAC*A*C310', value: '-0.05' });
  });

  it('maps ship-to / bill-to N1 loops, other parties, ITD terms, TXI tax and comments', () => {
    const r = po([
      'BEG*00*SA*PO-1**20240102',
      'ITD*08*3*2**10**30*****2/10 NET 30',
      'TXI*ST*1.23*8.25',
      'N9*L1*NOTE1',
      'MSG*First line',
      'MSG* and its continuation*LC',
      'MSG*Second line',
      'N1*ST*Dock 4*92*DC4',
      'N2*Attn Receiving',
      'N3*1 Main St*Suite 2',
      'N4*Springfield*IL*62701*US',
      'PER*DC*Sam*TE*555',
      'N1*BT*Accounts*92*AP1',
      'N1*BY*Buyer Corp*1*123456789',
      LINE,
    ]);
    expect(r.errors).toEqual([]);
    const o = r.order;
    expect(o?.paymentTerms).toEqual({
      discountPercent: '2',
      discountDays: 10,
      netDays: 30,
      text: '2/10 NET 30',
    });
    expect(o?.tax).toEqual({ amount: '1.23', rate: '8.25', category: 'sales' });
    expect(o?.comments).toEqual(['First line and its continuation\nSecond line']);
    expect(o?.shipTo).toEqual({
      name: 'Dock 4',
      addressId: 'DC4',
      deliverTo: ['Attn Receiving'],
      address: {
        street: ['1 Main St', 'Suite 2'],
        city: 'Springfield',
        state: 'IL',
        postalCode: '62701',
        countryCode: 'US',
      },
      contacts: [{ role: 'deliveryContact', name: 'Sam', phone: '555' }],
    });
    expect(o?.billTo).toEqual({ name: 'Accounts', addressId: 'AP1' });
    expect(o?.extrinsics).toEqual(
      expect.arrayContaining([
        { name: 'N1*BY', value: 'Buyer Corp' },
        { name: 'N1*BY*1', value: '123456789' },
      ]),
    );
  });

  it('applies a header DTM*002 to lines without their own and keeps line dates', () => {
    const r = po([
      'BEG*00*SA*PO-1**20240102',
      'DTM*002*20240301',
      LINE,
      'PO1*2*1*EA*1**VP*B',
      'DTM*002*20240315',
    ]);
    expect(r.order?.lines.map((l) => l.requestedDeliveryDate)).toEqual(['2024-03-01', '2024-03-15']);
  });

  it('joins 80-character PID descriptions without a separator and shorter ones with a space', () => {
    const long = 'x'.repeat(80);
    const r = po([
      'BEG*00*SA*PO-1**20240102',
      LINE,
      `PID*F****${long}`,
      'PID*F****tail',
      'PO1*2*1*EA*1**VP*B',
      'PID*F****Blue',
      'PID*F****Widget',
    ]);
    expect(r.order?.lines.map((l) => l.description)).toEqual([`${long}tail`, 'Blue Widget']);
  });

  it('reports a control character in an element as an invalid character at that element', () => {
    const r = po(['BEG*00*SA*PO-1**20240102', 'REF*DP*A\u0001B', LINE]);
    expect(r.errors.map(sig)).toEqual(['INVALID_CHARACTER@REF2']);
    expect(po(['BEG*00*SA*PO-1**20240102', 'REF*DP*A B', LINE]).errors).toEqual([]);
  });

  it('checks CTT01 against the number of PO1 segments', () => {
    const r = po(['BEG*00*SA*PO-1**20240102', LINE, 'CTT*2']);
    expect(r.errors.map(sig)).toEqual(['COUNT_MISMATCH@CTT1']);
    expect(r.errors[0]!.segmentPosition).toBe(4);
  });

  it('returns no order when BEG is missing, with the error at the set end', () => {
    const r = po([LINE]);
    expect(r.order).toBeUndefined();
    expect(r.errors.map(sig)).toEqual(['MISSING_SEGMENT@BEG', 'MISSING_SEGMENT@BEG']);
  });

  it('accepts YYMMDD dates in pre-004010 versions and reports them in 004010', () => {
    expect(po(['BEG*00*SA*PO-1**970102', LINE], '003010').order?.orderDate).toBe('1997-01-02');
    expect(po(['BEG*00*SA*PO-1**970102', LINE]).errors.map(sig)).toEqual(['ELEMENT_TOO_SHORT@BEG5']);
  });

  it('uses DTM*004 with a time as order date-time', () => {
    const r = po(['BEG*00*SA*PO-1**20240102', 'DTM*004*20240102*1530*UT', LINE]);
    expect(r.order?.orderDate).toBe('2024-01-02T15:30Z');
  });
});
