import {
  CxmlBuildError,
  CxmlError,
  buildConfirmationRequest,
  buildErrorResponse,
  buildProfileResponse,
  buildResponse,
  buildShipNoticeRequest,
  buildStatusUpdateRequest,
  confirmationLinesFromOrder,
  parseCxml,
  parseOrderRequest,
  parseStatusResponse,
  parseStatusUpdateRequest,
  safeParseCxml,
} from '../../../protocols/cxml';
import type { Shipment } from '../../../src/model';
import { validateCxml } from '../../helpers/xmllint';
import { ENVELOPE, fixture } from './helpers';

const RESPONSE_ENVELOPE = { payloadId: 'resp-1@gateway.example', timestamp: '2024-05-01T10:00:00+02:00' };

describe('the DTD check itself', () => {
  it('fails a document that breaks its DTD (so the validity assertions can fail)', () => {
    const xml = buildResponse({ ...RESPONSE_ENVELOPE, code: 200 }).replace('<Status', '<Bogus/><Status');
    const result = validateCxml(xml);
    expect(result.ok).toBe(false);
    expect(result.errors).toMatch(/Bogus/);
  });

  it('fails a document whose DTD we do not hold', () => {
    expect(validateCxml('<?xml version="1.0"?>\n<cXML/>')).toEqual({
      ok: false,
      errors: expect.stringContaining('no local DTD'),
    });
  });
});

describe('Response', () => {
  it('answers with the code, its standard text and a message, valid against the DTD', () => {
    const xml = buildResponse({
      ...RESPONSE_ENVELOPE,
      code: 409,
      message: 'Order 4711 was already received',
    });
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(parseStatusResponse(xml)).toEqual({
      code: 409,
      text: 'Conflict',
      message: 'Order 4711 was already received',
      lang: 'en-US',
      payloadId: 'resp-1@gateway.example',
      timestamp: '2024-05-01T10:00:00+02:00',
      ok: false,
    });
  });

  it.each([200, 201, 400, 401, 406, 409, 500])('builds a valid Response for status %i', (code) => {
    const xml = buildResponse({ ...RESPONSE_ENVELOPE, code });
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(parseStatusResponse(xml).code).toBe(code);
  });

  it('turns a refused document into a Response carrying its status, message and location', () => {
    const result = safeParseCxml('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><cXML/>');
    if (result.ok) throw new Error('expected a refusal');
    const xml = buildErrorResponse(result.error, RESPONSE_ENVELOPE);
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(parseStatusResponse(xml)).toMatchObject({
      code: 400,
      text: 'Bad Request',
      message: 'entity declarations (<!ENTITY) are refused: no entity is ever expanded (at line 1)',
    });
  });

  it('accepts a Date timestamp and writes it in UTC', () => {
    const xml = buildResponse({
      payloadId: 'p',
      timestamp: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
      code: 200,
    });
    expect(parseCxml(xml).timestamp).toBe('2024-01-02T03:04:05+00:00');
  });
});

describe('parseStatusResponse', () => {
  it.each([
    ['corpus/DPassarelli__6-mils/test/samples/OrderResponse.xml', 200, 'OK', ''],
    [
      'corpus/DPassarelli__6-mils/test/samples/OrderResponse-400.xml',
      400,
      'Failure',
      'XML document contained a doctype but failed validation.',
    ],
    [
      'corpus/officeluv__cxml/spec/fixtures/response_status_400.xml',
      400,
      "java.lang.Exception: missing required parameter 'document'",
      '',
    ],
  ])('reads %s', (name, code, text, message) => {
    expect(parseStatusResponse(fixture(name))).toMatchObject({ code, text, message, ok: code < 300 });
  });

  it('refuses a document that is not a Response', () => {
    expect(() => parseStatusResponse(fixture('profile-request/v1.2.063.xml'))).toThrow(CxmlError);
    expect(() => parseStatusResponse('<html><body>502 Bad Gateway</body></html>')).toThrow(
      'root element must be <cXML>, found <html>',
    );
  });
});

describe('ProfileResponse', () => {
  it('lists the transactions and their URLs, valid against the DTD', () => {
    const xml = buildProfileResponse({
      ...RESPONSE_ENVELOPE,
      transactions: [
        { requestName: 'OrderRequest', url: 'https://gw.example.com/cxml/order' },
        { requestName: 'PunchOutSetupRequest', url: 'https://gw.example.com/cxml/punchout' },
      ],
      options: [{ name: 'Locale', value: 'en' }],
    });
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    const doc = parseCxml(xml);
    expect(doc.responseType).toBe('ProfileResponse');
    expect(xml).toContain('<ProfileResponse effectiveDate="2024-05-01T10:00:00+02:00">');
    expect(xml).toMatch(
      /<Transaction requestName="PunchOutSetupRequest">\s*<URL>https:\/\/gw\.example\.com\/cxml\/punchout<\/URL>/,
    );
  });

  it('refuses an empty transaction list', () => {
    expect(() => buildProfileResponse({ ...RESPONSE_ENVELOPE, transactions: [] })).toThrow(CxmlBuildError);
  });
});

describe('ConfirmationRequest', () => {
  const received = parseOrderRequest(fixture('order-request/v1.2.050-update-multi-credentials.xml'));
  const ref = {
    orderId: received.order.buyerOrderNumber,
    payloadId: received.payloadId,
    orderDate: received.order.orderDate,
  };

  it('accepts a whole order, referencing its orderID and payloadID', () => {
    const xml = buildConfirmationRequest(ENVELOPE, {
      type: 'accept',
      noticeDate: '2024-03-01T10:00:00+01:00',
      order: ref,
      items: confirmationLinesFromOrder(received.order, 'accept'),
    });
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(xml).toContain('<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/Fulfill.dtd">');
    expect(xml).toMatch(
      /<OrderReference orderID="4500012345" orderDate="2024-03-01T09:15:00\+01:00">\s*<DocumentReference payloadID="1709280000123\.8812\.77@einkauf\.example\.de"\/>/,
    );
    expect(xml).toContain('<ConfirmationItem quantity="2.5" lineNumber="2">');
  });

  it('rejects a whole order without listing lines', () => {
    const xml = buildConfirmationRequest(ENVELOPE, {
      type: 'reject',
      noticeDate: '2024-03-01T10:00:00+01:00',
      order: ref,
      comments: 'Artikel nicht mehr lieferbar',
    });
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(parseCxml(xml).requestType).toBe('ConfirmationRequest');
  });

  it('confirms line by line with split quantities, prices and dates', () => {
    const xml = buildConfirmationRequest(ENVELOPE, {
      type: 'detail',
      noticeDate: '2024-03-01T10:00:00+01:00',
      confirmId: 'AB-2024-0815',
      order: ref,
      currency: 'EUR',
      total: '1046.97',
      items: [
        {
          lineNumber: 1,
          quantity: '10',
          unitOfMeasure: 'PK',
          statuses: [
            { type: 'accept', quantity: '6', shipmentDate: '2024-03-04T08:00:00+01:00' },
            {
              type: 'backordered',
              quantity: '4',
              deliveryDate: '2024-03-20T08:00:00+01:00',
              comments: 'Nachlieferung',
            },
          ],
        },
        {
          lineNumber: 2,
          quantity: '2.5',
          unitOfMeasure: 'RO',
          statuses: [{ type: 'detail', quantity: '2.5', unitPrice: '289.00' }],
        },
      ],
    });
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(xml).toContain(
      '<ConfirmationStatus quantity="4" type="backordered" deliveryDate="2024-03-20T08:00:00+01:00">',
    );
  });

  it('refuses statuses that do not add up to the line quantity, and a detail confirmation without lines', () => {
    expect(() =>
      buildConfirmationRequest(ENVELOPE, {
        type: 'detail',
        noticeDate: '2024-03-01T10:00:00+01:00',
        order: ref,
        items: [
          {
            lineNumber: 1,
            quantity: '10',
            unitOfMeasure: 'PK',
            statuses: [{ type: 'accept', quantity: '9' }],
          },
        ],
      }),
    ).toThrow('status quantities add up to 9, not the line quantity 10');
    expect(() =>
      buildConfirmationRequest(ENVELOPE, {
        type: 'detail',
        noticeDate: '2024-03-01T10:00:00+01:00',
        order: ref,
      }),
    ).toThrow(CxmlBuildError);
  });
});

describe('ShipNoticeRequest', () => {
  const shipment: Shipment = {
    shipmentId: 'LS-2024-0099',
    buyerOrderNumber: '4500012345',
    carrier: 'DHL Freight',
    trackingNumber: 'JJD000390007771234',
    shippedAt: '2024-03-04T14:00:00+01:00',
    expectedDeliveryAt: '2024-03-06T12:00:00+01:00',
    shipFrom: {
      name: 'Lager Hamburg',
      address: { street: ['Hafenstraße 3'], city: 'Hamburg', postalCode: '20457', countryCode: 'DE' },
    },
    shipTo: {
      addressId: 'WERK-MUC',
      name: 'Werk München',
      deliverTo: ['Jürgen Weiß'],
      address: {
        street: ['Straße des 17. Juni 12'],
        city: 'München',
        countryCode: 'DE',
        countryName: 'Deutschland',
      },
    },
    lines: [
      { lineNumber: 1, quantity: '6', supplierPartId: 'SCHR-M8x40', unitOfMeasure: 'PK' },
      { lineNumber: 2, quantity: '2.5', unitOfMeasure: 'RO' },
    ],
  };
  const order = { payloadId: '1709280000123.8812.77@einkauf.example.de' };

  it('is valid against the DTD, with carrier, tracking and one item per shipped line', () => {
    const xml = buildShipNoticeRequest(ENVELOPE, {
      shipment,
      order,
      noticeDate: '2024-03-04T14:05:00+01:00',
    });
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(xml).toMatch(
      /<CarrierIdentifier domain="companyName">DHL Freight<\/CarrierIdentifier>\s*<ShipmentIdentifier>JJD000390007771234</,
    );
    expect(xml).toContain('<OrderReference orderID="4500012345">');
    expect(xml).toContain('<ShipNoticeItem quantity="2.5" lineNumber="2">');
    expect(xml).toContain('<Contact role="shipTo" addressID="WERK-MUC">');
  });

  it('refuses a carrier without tracking number (cXML ShipControl needs both)', () => {
    const { trackingNumber: _t, ...noTracking } = shipment;
    expect(() =>
      buildShipNoticeRequest(ENVELOPE, {
        shipment: noTracking,
        order,
        noticeDate: '2024-03-04T14:05:00+01:00',
      }),
    ).toThrow(/go together/);
  });

  it('refuses a line without unit of measure and an incomplete address', () => {
    const noUnit: Shipment = { ...shipment, lines: [{ lineNumber: 1, quantity: '1' }] };
    expect(() =>
      buildShipNoticeRequest(ENVELOPE, { shipment: noUnit, order, noticeDate: '2024-03-04T14:05:00+01:00' }),
    ).toThrow(/unitOfMeasure is required/);
    const noCity: Shipment = { ...shipment, shipTo: { name: 'X', address: { street: ['a'] } } };
    expect(() =>
      buildShipNoticeRequest(ENVELOPE, { shipment: noCity, order, noticeDate: '2024-03-04T14:05:00+01:00' }),
    ).toThrow(/needs street, city and countryCode/);
  });
});

describe('StatusUpdateRequest', () => {
  it('round-trips: build, DTD-valid, parse back the reference and status', () => {
    const xml = buildStatusUpdateRequest(ENVELOPE, {
      documentPayloadId: '1709280000123.8812.77@einkauf.example.de',
      code: 500,
      message: 'Lieferung nicht möglich',
    });
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(parseStatusUpdateRequest(xml)).toEqual({
      payloadId: ENVELOPE.payloadId,
      documentPayloadId: '1709280000123.8812.77@einkauf.example.de',
      status: { code: 500, text: 'Internal Server Error', message: 'Lieferung nicht möglich', lang: 'en-US' },
    });
  });

  it('reads the corpus sample', () => {
    expect(
      parseStatusUpdateRequest(
        fixture('corpus/FriendsOfCXML__cxml-php/tests/metadata/cxml/samples/StatusUpdateRequest.xml'),
      ),
    ).toEqual({
      payloadId: '0c30050@supplierorg.com',
      documentPayloadId: '0c300508b7863dcclb_14999',
      status: { code: 200, text: 'OK', message: 'Forwarded to supplier', lang: 'en-US' },
    });
  });
});
