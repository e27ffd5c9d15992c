import {
  CxmlBuildError,
  buildPunchOutOrderMessage,
  buildPunchOutSetupResponse,
  parseCxml,
  parsePunchOutSetupRequest,
  parseStatusResponse,
} from '../../../protocols/cxml';
import type { PunchOutCart } from '../../../protocols/cxml';
import { validateCxml } from '../../helpers/xmllint';
import { ENVELOPE, fixture } from './helpers';

describe('PunchOutSetupRequest', () => {
  it('reads an edit request: cookie, return URL, shopper, ship-to and the cart lines to edit', () => {
    const posr = parsePunchOutSetupRequest(fixture('punchout-setup-request/v1.2.063-edit.xml'));
    expect(posr.operation).toBe('edit');
    expect(posr.buyerCookie).toBe('0f9a7c44-ede4-4c13-9d3d-2b9c0a1e9e11');
    expect(posr.browserFormPostUrl).toBe('https://procure.example.se/punchout/return?session=a1b2&lang=sv');
    expect(posr.user).toEqual({
      email: 'asa.lindstrom@procure.example.se',
      uniqueName: 'alindstrom',
      name: 'Åsa Lindström',
      costCenter: 'KS-880 Lager & Logistik',
    });
    expect(posr.shipTo?.address?.city).toBe('Göteborg');
    expect(posr.items.map((i) => [i.supplierPartId, i.supplierAuxiliaryId, i.quantity, i.unitPrice])).toEqual(
      [
        ['GLV-NIT-L', 'cart-77/line-1', '3', '149.00'],
        ['HLM-01', 'cart-77/line-2', '1', undefined],
      ],
    );
  });

  it('trims whitespace around cookie and URLs', () => {
    const posr = parsePunchOutSetupRequest(
      fixture('corpus/officeluv__cxml/spec/fixtures/punch_out_setup_request_doc.xml'),
    );
    expect(posr.buyerCookie).toBe('demoSCAWIGP');
    expect(posr.supplierSetupUrl).toBe('http://localhost:3000');
  });

  it('derives the shopper name from FirstName/LastName extrinsics', () => {
    const posr = parsePunchOutSetupRequest(
      fixture('corpus/officeluv__cxml/spec/fixtures/punch_out_setup_request_doc_coupa.xml'),
    );
    expect(posr.user).toEqual({ email: 'noah+jim@coupa.com', uniqueName: 'jim', name: 'Jim Halpert' });
  });

  it('refuses a request without BuyerCookie or with an unknown operation', () => {
    const xml = fixture('punchout-setup-request/v1.1.009-create.xml').toString('utf8');
    expect(() => parsePunchOutSetupRequest(xml.replace(/<BuyerCookie>.*<\/BuyerCookie>/, ''))).toThrow(
      expect.objectContaining({
        status: 400,
        xpath: '/cXML/Request/PunchOutSetupRequest/BuyerCookie',
      }),
    );
    expect(() => parsePunchOutSetupRequest(xml.replace('operation="create"', 'operation="browse"'))).toThrow(
      expect.objectContaining({ xpath: '/cXML/Request/PunchOutSetupRequest/@operation' }),
    );
  });
});

describe('PunchOutSetupResponse', () => {
  it('carries status 200 and the start page, and validates against the DTD', () => {
    const xml = buildPunchOutSetupResponse({
      payloadId: 'resp-1@gateway.example',
      timestamp: '2024-05-01T10:00:00+02:00',
      startPageUrl: 'https://shop.example.com/punchout/start?s=abc&t=1',
    });
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(xml).toContain('<URL>https://shop.example.com/punchout/start?s=abc&amp;t=1</URL>');
    expect(parseStatusResponse(xml)).toMatchObject({
      code: 200,
      text: 'OK',
      responseType: 'PunchOutSetupResponse',
    });
  });
});

describe('PunchOutOrderMessage', () => {
  const cart: PunchOutCart = {
    buyerCookie: '0f9a7c44-ede4-4c13-9d3d-2b9c0a1e9e11',
    operationAllowed: 'edit',
    currency: 'SEK',
    total: '612.38',
    items: [
      {
        quantity: '3',
        supplierPartId: 'GLV-NIT-L',
        supplierAuxiliaryId: 'cart-77/line-1',
        unitPrice: '149.00',
        description: 'Nitrilhandskar, storlek L, 100 st/ask',
        shortName: 'Nitrilhandskar L',
        unitOfMeasure: 'BX',
        classification: '46181504',
        manufacturerPartId: 'N-100-L',
        manufacturerName: 'Skydd & Co',
        leadTimeDays: 2,
      },
      {
        quantity: '2',
        supplierPartId: 'HLM-01',
        supplierAuxiliaryId: 'cart-77/line-2',
        unitPrice: '82.6875',
        description: 'Skyddshjälm <EN 397>',
        unitOfMeasure: 'EA',
        classification: [
          { domain: 'UNSPSC', code: '46181701' },
          { domain: 'eCl@ss', code: '40-04-03-01' },
        ],
      },
    ],
  };

  it('validates against the DTD and reads back as the cart it was built from', () => {
    const xml = buildPunchOutOrderMessage(ENVELOPE, cart);
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    const doc = parseCxml(xml);
    expect(doc.kind).toBe('Message');
    expect(doc.requestType).toBe('PunchOutOrderMessage');
    expect(doc.header?.from.map((c) => c.domain)).toEqual(['DUNS', 'NetworkID']);
    expect(xml).toContain('<BuyerCookie>0f9a7c44-ede4-4c13-9d3d-2b9c0a1e9e11</BuyerCookie>');
    expect(xml).toContain('<PunchOutOrderMessageHeader operationAllowed="edit">');
    expect(xml).toContain('<Money currency="SEK">82.6875</Money>');
    expect(xml).toContain('Skyddshjälm &lt;EN 397&gt;');
    expect(xml).toContain('<ManufacturerName>Skydd &amp; Co</ManufacturerName>');
    expect(xml).toContain('<Classification domain="eCl@ss">40-04-03-01</Classification>');
    expect(xml).toContain('<LeadTime>2</LeadTime>');
  });

  it('writes the XML declaration and the 1.2.063 cXML DOCTYPE', () => {
    const xml = buildPunchOutOrderMessage(ENVELOPE, cart);
    expect(xml.split('\n').slice(0, 2)).toEqual([
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd">',
    ]);
  });

  it('refuses a total that does not match the items', () => {
    expect(() => buildPunchOutOrderMessage(ENVELOPE, { ...cart, total: '612.37' })).toThrow(CxmlBuildError);
  });

  it('refuses amounts given as JS numbers or in exponent notation', () => {
    const bad = { ...cart, items: [{ ...cart.items[0]!, unitPrice: 1.5 as unknown as string }] };
    expect(() => buildPunchOutOrderMessage(ENVELOPE, bad)).toThrow(/unitPrice must be a decimal string/);
    const exp = { ...cart, items: [{ ...cart.items[0]!, quantity: '1e2' }] };
    expect(() => buildPunchOutOrderMessage(ENVELOPE, exp)).toThrow(/quantity must be a decimal string/);
  });

  it('drops characters XML cannot carry from text instead of writing a broken document', () => {
    const dirty = {
      ...cart,
      items: [{ ...cart.items[0]!, description: 'Bell\u0007 gloves' }, cart.items[1]!],
    };
    const xml = buildPunchOutOrderMessage(ENVELOPE, dirty);
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(xml).toContain('Bell gloves');
  });

  it('refuses a timestamp without time zone', () => {
    expect(() => buildPunchOutOrderMessage({ ...ENVELOPE, timestamp: '2024-05-01T10:00:00' }, cart)).toThrow(
      /time zone/,
    );
  });
});
