import { computedTotal, totalMatches } from '../../../src/model';
import { CxmlError, parseCxmlDecimal, parseOrderRequest } from '../../../protocols/cxml';
import { fixture } from './helpers';

const BASE = fixture('order-request/v1.2.014-coupa-style.xml').toString('utf8');

function refusal(xml: string): { status: number; message: string; xpath?: string } {
  try {
    parseOrderRequest(xml);
  } catch (e) {
    if (e instanceof CxmlError) return e.toJSON();
    throw e;
  }
  throw new Error('expected a refusal');
}

/** The Coupa-style fixture with a second line, for XPath tests. */
const TWO_LINES = BASE.replace(
  '</OrderRequest>',
  `  <ItemOut quantity="1" lineNumber="2">
        <ItemID><SupplierPartID>CHR-2</SupplierPartID></ItemID>
        <ItemDetail>
          <UnitPrice><Money currency="USD">10.00</Money></UnitPrice>
          <Description xml:lang="en">Chair</Description>
          <UnitOfMeasure>EA</UnitOfMeasure>
          <Classification domain="UNSPSC">56101504</Classification>
        </ItemDetail>
      </ItemOut>
    </OrderRequest>`,
).replace(
  '<Money currency="USD">1,234.50</Money>\n        </Total>',
  '<Money currency="USD">1244.50</Money>\n        </Total>',
);

describe('OrderRequest -> Order', () => {
  it('maps type delete to cancel and keeps the replaced document reference and version', () => {
    const { order, documentReference } = parseOrderRequest(fixture('order-request/v1.2.063-delete.xml'));
    expect(order.type).toBe('cancel');
    expect(order.version).toBe(3);
    expect(documentReference).toBe('2024-06-01T07:59:58.123Z.54@network.example');
  });

  it('gives a total the model can check against its lines, tax and shipping', () => {
    const { order } = parseOrderRequest(fixture('order-request/v1.2.050-update-multi-credentials.xml'));
    expect(computedTotal(order)).toBe('1046.97');
    expect(totalMatches(order)).toBe(true);
  });

  it('numbers lines by position when lineNumber is absent and applies the header delivery date', () => {
    const { order } = parseOrderRequest(fixture('order-request/no-doctype.xml'));
    expect(order.lines.map((l) => [l.lineNumber, l.requestedDeliveryDate])).toEqual([
      [1, '2022-12-05T08:00:00+01:00'],
    ]);
    expect(order.orderDate).toBe('2022-11-30T17:04:00');
  });

  it('accepts thousands separators only with a decimal point ("1,234.50")', () => {
    expect(parseOrderRequest(BASE).order.total).toBe('1234.50');
  });

  it('refuses an ambiguous amount with the XPath of the Money', () => {
    const xml = BASE.replace('<Money currency="USD">411.50</Money>', '<Money currency="USD">1,234</Money>');
    expect(refusal(xml)).toEqual({
      status: 400,
      message: '"1,234" is not an amount (plain decimal expected, e.g. 1234.50)',
      xpath: '/cXML/Request/OrderRequest/ItemOut/ItemDetail/UnitPrice/Money',
    });
  });

  it('names the second ItemOut when its SupplierPartID is missing', () => {
    const xml = TWO_LINES.replace('<SupplierPartID>CHR-2</SupplierPartID>', '');
    expect(refusal(xml)).toEqual({
      status: 400,
      message: 'required element SupplierPartID is missing',
      xpath: '/cXML/Request/OrderRequest/ItemOut[2]/ItemID/SupplierPartID',
    });
  });

  it('refuses a line priced in another currency than the order total', () => {
    const xml = TWO_LINES.replace(
      '<Money currency="USD">10.00</Money>',
      '<Money currency="EUR">10.00</Money>',
    );
    expect(refusal(xml)).toEqual({
      status: 400,
      message: 'currency EUR differs from the document currency USD',
      xpath: '/cXML/Request/OrderRequest/ItemOut[2]/ItemDetail/UnitPrice/Money/@currency',
    });
  });

  it('refuses duplicate line numbers', () => {
    const xml = TWO_LINES.replace(
      '<ItemOut quantity="1" lineNumber="2">',
      '<ItemOut quantity="1" lineNumber="1">',
    );
    expect(refusal(xml)).toMatchObject({ xpath: '/cXML/Request/OrderRequest/ItemOut[2]/@lineNumber' });
  });

  it('refuses a quantity that is not a number, an unknown type and an unreadable order date', () => {
    expect(refusal(BASE.replace('<ItemOut quantity="3"', '<ItemOut quantity="three"'))).toMatchObject({
      xpath: '/cXML/Request/OrderRequest/ItemOut/@quantity',
    });
    expect(refusal(BASE.replace('type="new"', 'type="replace"'))).toMatchObject({
      xpath: '/cXML/Request/OrderRequest/OrderRequestHeader/@type',
    });
    expect(refusal(BASE.replace('orderDate="2020-04-08T14:19:05-07:00"', 'orderDate="soon"'))).toEqual({
      status: 400,
      message: '"soon" is not a date',
      xpath: '/cXML/Request/OrderRequest/OrderRequestHeader/@orderDate',
    });
  });

  it('refuses an OrderRequest without UnitOfMeasure', () => {
    expect(refusal(BASE.replace('<UnitOfMeasure>EA</UnitOfMeasure>', ''))).toMatchObject({
      xpath: '/cXML/Request/OrderRequest/ItemOut/ItemDetail/UnitOfMeasure',
    });
  });

  it('lists data it does not map instead of dropping it silently', () => {
    const { unmapped } = parseOrderRequest(
      fixture('corpus/FriendsOfCXML__cxml-php/tests/CXmlTest/Handling/fixtures/order_request.xml'),
    );
    expect(unmapped).toContain('/cXML/Request/OrderRequest/OrderRequestHeader/Payment');
  });

  it('refuses another document type with 406', () => {
    expect(() => parseOrderRequest(fixture('profile-request/v1.2.063.xml'))).toThrow(
      expect.objectContaining({
        status: 406,
        message: 'expected OrderRequest, the document carries ProfileRequest',
      }),
    );
  });
});

describe('parseCxmlDecimal', () => {
  it.each([
    ['12', '12'],
    ['12.50', '12.50'],
    [' -3.1 ', '-3.1'],
    ['+4', '4'],
    ['.5', '0.5'],
    ['5.', '5'],
    ['1,234.50', '1234.50'],
    ['12,345,678.9', '12345678.9'],
  ])('reads %j as %j', (raw, value) => {
    expect(parseCxmlDecimal(raw)).toBe(value);
  });

  it.each(['1,234', '1,5', '1.234,50', '1e3', '12 000', '', '.', '-', 'NaN', '1,23.4'])(
    'refuses %j',
    (raw) => {
      expect(parseCxmlDecimal(raw)).toBeUndefined();
    },
  );
});
