import { OciCartError, buildOciCartFields, parseOciCart } from '../../../protocols/oci';
import type { OciCartItem, OciFieldList, OciParsedCart } from '../../../protocols/oci';

const toner: OciCartItem = {
  description: 'Toner cartridge, black, 12 000 pages, for LaserJet 4200 series printers',
  quantity: '3',
  unitOfMeasure: 'EA',
  unitPrice: '12.3450',
  currency: 'EUR',
  supplierPartId: 'TN-4200-BK',
  supplierAuxiliaryId: 'cart-7f3a/line-1',
  leadTimeDays: 5,
  matGroup: 'OFFICE',
  unspsc: '44103103',
  manufacturerCode: 'M1000',
  manufacturerPartId: 'Q1338A',
};

function asRecord(fields: OciFieldList): Record<string, string> {
  return Object.fromEntries(fields);
}

function parsed(fields: Record<string, string | string[]>): OciParsedCart {
  const r = parseOciCart(fields);
  if (!r.ok) throw new Error(`${r.error.field}: ${r.error.message}`);
  return r.value;
}

function buildError(item: OciCartItem): OciCartError {
  try {
    buildOciCartFields([item]);
  } catch (e) {
    if (e instanceof OciCartError) return e;
    throw e;
  }
  throw new Error('expected OciCartError');
}

describe('buildOciCartFields', () => {
  it('writes the OCI 4.0 NEW_ITEM fields indexed from 1, then ~OkCode, ~TARGET and ~CALLER', () => {
    const fields = buildOciCartFields([toner, { ...toner, description: 'Paper', supplierPartId: 'P-1' }], {
      okCode: 'ADDI',
      target: '_top',
      caller: 'CTLG',
      vendor: '100042',
    });
    const f = asRecord(fields);
    expect(f).toMatchObject({
      'NEW_ITEM-DESCRIPTION[1]': 'Toner cartridge, black, 12 000 pages, fo',
      'NEW_ITEM-QUANTITY[1]': '3',
      'NEW_ITEM-UNIT[1]': 'EA',
      'NEW_ITEM-PRICE[1]': '12.345',
      'NEW_ITEM-PRICEUNIT[1]': '1',
      'NEW_ITEM-CURRENCY[1]': 'EUR',
      'NEW_ITEM-LEADTIME[1]': '5',
      'NEW_ITEM-VENDORMAT[1]': 'TN-4200-BK',
      'NEW_ITEM-EXT_PRODUCT_ID[1]': 'TN-4200-BK',
      'NEW_ITEM-EXT_QUOTE_ID[1]': 'cart-7f3a/line-1',
      'NEW_ITEM-VENDOR[1]': '100042',
      'NEW_ITEM-MATGROUP[1]': 'OFFICE',
      'NEW_ITEM-MANUFACTCODE[1]': 'M1000',
      'NEW_ITEM-MANUFACTMAT[1]': 'Q1338A',
      'NEW_ITEM-EXT_SCHEMA_TYPE[1]': 'UNSPSC',
      'NEW_ITEM-EXT_CATEGORY_ID[1]': '44103103',
      'NEW_ITEM-LONGTEXT_1:132[]': toner.description,
      'NEW_ITEM-DESCRIPTION[2]': 'Paper',
      'NEW_ITEM-VENDORMAT[2]': 'P-1',
      '~OkCode': 'ADDI',
      '~TARGET': '_top',
      '~CALLER': 'CTLG',
    });
    expect(f['NEW_ITEM-LONGTEXT_2:132[]']).toBeUndefined();
    expect(fields.slice(-3).map(([n]) => n)).toEqual(['~OkCode', '~TARGET', '~CALLER']);
  });

  it('defaults ~OkCode to ADDI and leaves ~TARGET/~CALLER out when not given', () => {
    const f = asRecord(buildOciCartFields([toner]));
    expect(f['~OkCode']).toBe('ADDI');
    expect(f['~TARGET']).toBeUndefined();
    expect(f['~CALLER']).toBeUndefined();
  });

  it('cuts the description to 40 characters without splitting a character and keeps the full text in the long text', () => {
    const description = `${'é'.repeat(39)}😀 tail`;
    const f = asRecord(buildOciCartFields([{ ...toner, description, longText: undefined }]));
    expect(Array.from(f['NEW_ITEM-DESCRIPTION[1]']!)).toHaveLength(40);
    expect(f['NEW_ITEM-DESCRIPTION[1]']!.endsWith('😀')).toBe(true);
    expect(f['NEW_ITEM-LONGTEXT_1:132[]']).toBe(description);
  });

  it('puts line breaks of the description on one line, and an explicit long text in full', () => {
    const f = asRecord(buildOciCartFields([{ ...toner, description: 'A\r\nB', longText: 'Line 1\nLine 2' }]));
    expect(f['NEW_ITEM-DESCRIPTION[1]']).toBe('A B');
    expect(f['NEW_ITEM-LONGTEXT_1:132[]']).toBe('Line 1\nLine 2');
  });

  it.each([
    ['EUR', '10', '10.00', '1'],
    ['JPY', '1500', '1500', '1'],
    ['BHD', '1.25', '1.250', '1'],
    ['EUR', '0.12345', '12.345', '100'],
    ['EUR', '0.0001', '0.001', '10'],
    ['EUR', '0.0000005', '0.005', '10000'],
    ['USD', '99999999999.99', '99999999999.99', '1'],
  ])('writes a %s price of %s as PRICE %s per PRICEUNIT %s', (currency, unitPrice, price, priceUnit) => {
    const f = asRecord(buildOciCartFields([{ ...toner, currency, unitPrice }]));
    expect(f['NEW_ITEM-PRICE[1]']).toBe(price);
    expect(f['NEW_ITEM-PRICEUNIT[1]']).toBe(priceUnit);
  });

  it.each<[string, Partial<OciCartItem>, string]>([
    ['an empty description', { description: '  ' }, 'NEW_ITEM-DESCRIPTION[1]'],
    ['a zero quantity', { quantity: '0' }, 'NEW_ITEM-QUANTITY[1]'],
    ['a quantity with 4 decimals', { quantity: '1.0005' }, 'NEW_ITEM-QUANTITY[1]'],
    ['a quantity in exponent form', { quantity: '1e3' }, 'NEW_ITEM-QUANTITY[1]'],
    ['a negative price', { unitPrice: '-1' }, 'NEW_ITEM-PRICE[1]'],
    ['a price too precise even per 10000', { unitPrice: '0.00000001' }, 'NEW_ITEM-PRICE[1]'],
    ['a price longer than 15 characters', { unitPrice: '1234567890123.45' }, 'NEW_ITEM-PRICE[1]'],
    ['a unit code longer than 3', { unitOfMeasure: 'EACH' }, 'NEW_ITEM-UNIT[1]'],
    ['a currency that is not ISO', { currency: 'EURO' }, 'NEW_ITEM-CURRENCY[1]'],
    ['a fractional lead time', { leadTimeDays: 1.5 }, 'NEW_ITEM-LEADTIME[1]'],
    ['an empty supplier part id', { supplierPartId: '' }, 'NEW_ITEM-VENDORMAT[1]'],
    ['a supplier part id over 40', { supplierPartId: 'X'.repeat(41) }, 'NEW_ITEM-VENDORMAT[1]'],
    ['an auxiliary id over 35', { supplierAuxiliaryId: 'A'.repeat(36) }, 'NEW_ITEM-EXT_QUOTE_ID[1]'],
    ['a material group over 10', { matGroup: 'M'.repeat(11) }, 'NEW_ITEM-MATGROUP[1]'],
    ['an id with a line break', { manufacturerPartId: 'Q1\n338A' }, 'NEW_ITEM-MANUFACTMAT[1]'],
  ])('refuses %s, naming the field', (_why, change, field) => {
    const err = buildError({ ...toner, ...change });
    expect(err.field).toBe(field);
    expect(err.item).toBe(1);
  });

  it('accepts identifiers exactly at their length limit', () => {
    const f = asRecord(
      buildOciCartFields([{ ...toner, supplierPartId: 'X'.repeat(40), supplierAuxiliaryId: 'A'.repeat(35) }]),
    );
    expect(f['NEW_ITEM-VENDORMAT[1]']).toHaveLength(40);
    expect(f['NEW_ITEM-EXT_QUOTE_ID[1]']).toHaveLength(35);
  });
});

describe('parseOciCart', () => {
  it('reads back what buildOciCartFields wrote', () => {
    const items: OciCartItem[] = [
      toner,
      {
        description: 'Cable ties 200 mm',
        quantity: '2.5',
        unitOfMeasure: 'PK',
        unitPrice: '0.12345',
        currency: 'EUR',
        supplierPartId: 'CT-200',
        service: true,
        vendor: 'V9',
      },
    ];
    const cart = parsed(asRecord(buildOciCartFields(items, { target: '_top', caller: 'CTLG' })));
    expect(cart.okCode).toBe('ADDI');
    expect(cart.target).toBe('_top');
    expect(cart.caller).toBe('CTLG');
    expect(cart.items).toHaveLength(2);
    const [a, b] = cart.items;
    expect(a).toMatchObject({
      ...toner,
      index: 1,
      description: 'Toner cartridge, black, 12 000 pages, fo',
      longText: toner.description,
      unitPrice: '12.345',
      price: '12.345',
      priceUnit: '1',
    });
    expect(b).toMatchObject({
      ...items[1],
      index: 2,
      unitPrice: '0.12345',
      price: '12.345',
      priceUnit: '100',
    });
  });

  it('reads field names in any case, orders items by index and joins a long text sent in pieces', () => {
    const cart = parsed({
      'new_item-description[2]': 'Second',
      'new_item-quantity[2]': '1',
      'new_item-unit[2]': 'EA',
      'new_item-price[2]': '5',
      'new_item-currency[2]': 'USD',
      'new_item-vendormat[2]': 'S2',
      'NEW_ITEM-DESCRIPTION[1]': 'First',
      'NEW_ITEM-QUANTITY[1]': '1',
      'NEW_ITEM-UNIT[1]': 'EA',
      'NEW_ITEM-PRICE[1]': '7',
      'NEW_ITEM-CURRENCY[1]': 'USD',
      'NEW_ITEM-EXT_PRODUCT_ID[1]': 'S1',
      'NEW_ITEM-LONGTEXT_1:132[]': ['part one, ', 'part two'],
      '~okcode': 'ADDI',
    });
    expect(cart.items.map((i) => [i.index, i.supplierPartId, i.priceUnit])).toEqual([
      [1, 'S1', '1'],
      [2, 'S2', '1'],
    ]);
    expect(cart.items[0]!.longText).toBe('part one, part two');
    expect(cart.okCode).toBe('ADDI');
  });

  it.each([
    ['NEW_ITEM-QUANTITY[1]', 'missing'],
    ['NEW_ITEM-PRICE[1]', 'missing'],
    ['NEW_ITEM-VENDORMAT[1]', 'missing'],
  ])('refuses an item without %s', (field, code) => {
    const fields = asRecord(buildOciCartFields([{ ...toner }]));
    delete fields[field];
    if (field === 'NEW_ITEM-VENDORMAT[1]') delete fields['NEW_ITEM-EXT_PRODUCT_ID[1]'];
    const r = parseOciCart(fields);
    expect(r.ok ? undefined : [r.error.field, r.error.code]).toEqual([field, code]);
  });

  it('refuses a price with a comma as decimal separator', () => {
    const fields = { ...asRecord(buildOciCartFields([toner])), 'NEW_ITEM-PRICE[1]': '12,35' };
    const r = parseOciCart(fields);
    expect(r.ok ? undefined : [r.error.field, r.error.code]).toEqual(['NEW_ITEM-PRICE[1]', 'invalid']);
  });
});
