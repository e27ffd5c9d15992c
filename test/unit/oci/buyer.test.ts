import {
  buildOciCartFields,
  buildOciLoginFields,
  parseOciLogin,
  readOciReturn,
} from '../../../protocols/oci';
import type { OciFields, OciReturnedCart } from '../../../protocols/oci';

function read(fields: OciFields, okCode?: string): OciReturnedCart {
  const r = readOciReturn(fields, okCode === undefined ? {} : { okCode });
  if (!r.ok) throw new Error(`${r.error.field}: ${r.error.message}`);
  return r.value;
}

function refusal(fields: OciFields, okCode?: string) {
  const r = readOciReturn(fields, okCode === undefined ? {} : { okCode });
  if (r.ok) throw new Error('expected a refusal');
  return r.error;
}

const line = (n: number, over: Record<string, string> = {}): Record<string, string> => {
  const base: Record<string, string> = {
    DESCRIPTION: `Item ${n}`,
    QUANTITY: '1',
    UNIT: 'EA',
    PRICE: '1.00',
    CURRENCY: 'USD',
    VENDORMAT: `SKU-${n}`,
    ...over,
  };
  return Object.fromEntries(Object.entries(base).map(([k, v]) => [`NEW_ITEM-${k}[${n}]`, v]));
};

describe('buildOciLoginFields', () => {
  it('writes the catalog call an SRM sends, which the gateway reads back as the same login', () => {
    const fields = buildOciLoginFields({
      username: 'demo-buyer',
      password: 'p&ss w=rd',
      hookUrl: 'http://gw.example:8080/demo/buyer/oci-cart/tok',
      target: '_top',
      extra: [['VENDOR', '100042']],
    });
    expect(fields.map(([k]) => k)).toEqual([
      'USERNAME',
      'PASSWORD',
      'HOOK_URL',
      '~OkCode',
      '~CALLER',
      '~TARGET',
      'VENDOR',
    ]);
    const login = parseOciLogin(Object.fromEntries(fields));
    expect(login).toEqual({
      ok: true,
      value: {
        username: 'demo-buyer',
        password: 'p&ss w=rd',
        hookUrl: 'http://gw.example:8080/demo/buyer/oci-cart/tok',
        okCode: 'ADDI',
        caller: 'CTLG',
        target: '_top',
        vendor: '100042',
        extra: {},
      },
    });
  });

  it('refuses an empty USERNAME, PASSWORD or HOOK_URL', () => {
    const ok = { username: 'u', password: 'p', hookUrl: 'http://h.example/' };
    expect(() => buildOciLoginFields({ ...ok, username: ' ' })).toThrow('USERNAME is empty');
    expect(() => buildOciLoginFields({ ...ok, password: '' })).toThrow('PASSWORD is empty');
    expect(() => buildOciLoginFields({ ...ok, hookUrl: '' })).toThrow('HOOK_URL is empty');
  });
});

describe('readOciReturn', () => {
  it('reads the cart the gateway writes: unit prices kept to the last decimal, amounts and total as decimal strings', () => {
    const fields = buildOciCartFields(
      [
        {
          description: 'Nitrile gloves size M (100)',
          longText: 'Powder-free, 4 mil, food safe',
          quantity: '3',
          unitOfMeasure: 'BX',
          unitPrice: '12.3450',
          currency: 'USD',
          supplierPartId: 'GLV-NIT-M',
          supplierAuxiliaryId: '0f6a4c1e2b3d4e5f8a9b0c1d2e3f4a5b',
          leadTimeDays: 1,
          unspsc: '46181504',
          manufacturerPartId: 'SH-NIT-M',
        },
        {
          description: 'Ergonomic office chair',
          quantity: '2',
          unitOfMeasure: 'EA',
          unitPrice: '259',
          currency: 'USD',
          supplierPartId: 'CHR-ERG-01',
        },
      ],
      { target: '_top', caller: 'CTLG' },
    );
    const cart = read(Object.fromEntries(fields), 'ADDI');
    expect(cart).toEqual({
      currency: 'USD',
      // 3 × 12.345 = 37.035 -> 37.04 (half up); 2 × 259 = 518.00
      total: '555.04',
      okCode: 'ADDI',
      target: '_top',
      caller: 'CTLG',
      items: [
        {
          index: 1,
          supplierPartId: 'GLV-NIT-M',
          supplierAuxiliaryId: '0f6a4c1e2b3d4e5f8a9b0c1d2e3f4a5b',
          description: 'Nitrile gloves size M (100)',
          longText: 'Powder-free, 4 mil, food safe',
          quantity: '3',
          unitOfMeasure: 'BX',
          unitPrice: '12.345',
          amount: '37.04',
          unspsc: '46181504',
          leadTimeDays: 1,
          manufacturerPartId: 'SH-NIT-M',
        },
        {
          index: 2,
          supplierPartId: 'CHR-ERG-01',
          description: 'Ergonomic office chair',
          quantity: '2',
          unitOfMeasure: 'EA',
          unitPrice: '259',
          amount: '518.00',
        },
      ],
    });
    expect(typeof cart.total).toBe('string');
  });

  it('orders lines by their index, not by the order their fields came in, gaps and two digits included', () => {
    const fields: Record<string, string> = {
      ...line(10, { QUANTITY: '2', PRICE: '0.10' }),
      '~OkCode': 'ADDI',
      ...line(2, { PRICE: '3.333', QUANTITY: '3' }),
      ...line(1),
    };
    // Shuffle the field order within and across lines.
    const shuffled = Object.fromEntries(Object.entries(fields).reverse());
    const cart = read(shuffled);
    expect(cart.items.map((i) => [i.index, i.supplierPartId, i.amount])).toEqual([
      [1, 'SKU-1', '1.00'],
      [2, 'SKU-2', '10.00'],
      [10, 'SKU-10', '0.20'],
    ]);
    // 1.00 + 9.999 -> 10.00 + 0.20: amounts rounded per line, then summed.
    expect(cart.total).toBe('11.20');
  });

  it('takes the price of PRICEUNIT units and never goes through a float', () => {
    const cart = read(line(1, { PRICE: '1234.5', PRICEUNIT: '1000', QUANTITY: '3000' }));
    expect(cart.items[0]).toMatchObject({ unitPrice: '1.2345', amount: '3703.50' });
    // 0.1 + 0.2 as floats is 0.30000000000000004.
    const sum = read({ ...line(1, { PRICE: '0.1' }), ...line(2, { PRICE: '0.2' }) });
    expect(sum.total).toBe('0.30');
    // JPY has no minor unit.
    const yen = read(line(1, { PRICE: '1500', CURRENCY: 'JPY', QUANTITY: '1.5' }));
    expect(yen).toMatchObject({ currency: 'JPY', total: '2250' });
  });

  it('refuses, naming the field, what cannot become one purchase order', () => {
    expect(refusal({ '~OkCode': 'ADDI' })).toMatchObject({
      code: 'missing',
      field: 'NEW_ITEM-DESCRIPTION[1]',
    });
    expect(refusal({ ...line(1), ...line(3, { CURRENCY: 'EUR' }) })).toMatchObject({
      code: 'invalid',
      field: 'NEW_ITEM-CURRENCY[3]',
    });
    const { 'NEW_ITEM-PRICE[2]': _drop, ...noPrice } = line(2);
    expect(refusal({ ...line(1), ...noPrice })).toMatchObject({
      code: 'missing',
      field: 'NEW_ITEM-PRICE[2]',
    });
    expect(refusal(line(4, { PRICE: '1,50' }))).toMatchObject({
      code: 'invalid',
      field: 'NEW_ITEM-PRICE[4]',
    });
    expect(refusal(line(1, { QUANTITY: '0.000' }))).toMatchObject({
      code: 'invalid',
      field: 'NEW_ITEM-QUANTITY[1]',
    });
    expect(refusal(line(1, { CURRENCY: 'US' }))).toMatchObject({ field: 'NEW_ITEM-CURRENCY[1]' });
    expect(refusal({ ...line(1), '~OkCode': 'OTHER' }, 'ADDI')).toMatchObject({ field: '~OkCode' });
  });
});
