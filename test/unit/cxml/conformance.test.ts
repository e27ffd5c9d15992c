/**
 * Conformance over every sample document: the shared corpus (fixtures/cxml/corpus, verbatim third-party
 * samples) and our own hand-written fixtures. Each document either parses or is refused for the reason
 * recorded here; typed readers match reviewed golden JSON (fixtures/cxml/golden; regenerate with
 * UPDATE_GOLDEN=1 and review the diff); invoices round-trip through the builder and the DTD.
 */
import { readFileSync } from 'fs';
import {
  buildInvoiceDetailRequest,
  parseCxml,
  parseInvoiceDetailRequest,
  parseOrderRequest,
  parsePunchOutSetupRequest,
  safeParseCxml,
} from '../../../protocols/cxml';
import type { InvoiceBuildOptions } from '../../../protocols/cxml';
import { formatAmount, isDecimalString } from '../../../src/model';
import { validateCxml } from '../../helpers/xmllint';
import { CORPUS, ENVELOPE, FIXTURES, golden, listXml, plain, rel } from './helpers';

type Outcome =
  { type: string; version?: string } | { refused: { status: number; message: string; xpath?: string } };

/** Every document of the shared corpus and what parseCxml makes of it. */
const CORPUS_OUTCOMES: Record<string, Outcome> = {
  'DPassarelli__6-mils/test/samples/OrderResponse-400.xml': { type: 'Response', version: '1.2.014' },
  'DPassarelli__6-mils/test/samples/OrderResponse.xml': { type: 'Response', version: '1.2.011' },
  'DPassarelli__6-mils/test/samples/PunchOutOrderMessage.xml': {
    type: 'PunchOutOrderMessage',
    version: '1.2.014',
  },
  'DPassarelli__6-mils/test/samples/PunchOutSetupResponse-400.xml': { type: 'Response', version: '1.2.014' },
  'DPassarelli__6-mils/test/samples/PunchOutSetupResponse.xml': { type: 'Response', version: '1.2.014' },
  'FriendsOfCXML__cxml-php/tests/CXmlTest/Builder/fixtures/order_request.xml': {
    type: 'OrderRequest',
    version: '1.2.050',
  },
  'FriendsOfCXML__cxml-php/tests/CXmlTest/Builder/fixtures/poom.xml': {
    type: 'PunchOutOrderMessage',
    version: '1.2.054',
  },
  'FriendsOfCXML__cxml-php/tests/CXmlTest/Handling/fixtures/order_request.xml': {
    type: 'OrderRequest',
    version: '1.2.060',
  },
  'FriendsOfCXML__cxml-php/tests/CXmlTest/Handling/fixtures/quote_request.xml': {
    type: 'QuoteMessage',
    version: '1.2.060',
  },
  'FriendsOfCXML__cxml-php/tests/metadata/cxml/samples/CatalogUploadRequest.xml': {
    type: 'CatalogUploadRequest',
    version: '1.2.063',
  },
  // A catalog index (Index.dtd content), not a cXML envelope.
  'FriendsOfCXML__cxml-php/tests/metadata/cxml/samples/Index.xml': {
    refused: { status: 400, message: 'root element must be <cXML>, found <Index>', xpath: '/Index' },
  },
  'FriendsOfCXML__cxml-php/tests/metadata/cxml/samples/OrderRequest.xml': {
    type: 'OrderRequest',
    version: '1.2.050',
  },
  'FriendsOfCXML__cxml-php/tests/metadata/cxml/samples/ProductActivityMessage.xml': {
    type: 'ProductActivityMessage',
    version: '1.2.050',
  },
  'FriendsOfCXML__cxml-php/tests/metadata/cxml/samples/PunchOutSetupRequest.xml': {
    type: 'PunchOutSetupRequest',
    version: '1.2.050',
  },
  'FriendsOfCXML__cxml-php/tests/metadata/cxml/samples/PunchoutOrderMessage.xml': {
    type: 'PunchOutOrderMessage',
    version: '1.2.050',
  },
  'FriendsOfCXML__cxml-php/tests/metadata/cxml/samples/PunchoutOrderMessageAdvancedPricing.xml': {
    type: 'PunchOutOrderMessage',
    version: '1.2.050',
  },
  'FriendsOfCXML__cxml-php/tests/metadata/cxml/samples/QuoteMessage.xml': {
    type: 'QuoteMessage',
    version: '1.2.060',
  },
  'FriendsOfCXML__cxml-php/tests/metadata/cxml/samples/ShipNoticeRequest.xml': {
    type: 'ShipNoticeRequest',
    version: '1.2.050',
  },
  'FriendsOfCXML__cxml-php/tests/metadata/cxml/samples/StatusUpdateRequest.xml': {
    type: 'StatusUpdateRequest',
    version: '1.2.050',
  },
  'FriendsOfCXML__cxml-php/tests/metadata/cxml/samples/simple-profile-request.xml': {
    type: 'ProfileRequest',
  },
  'officeluv__cxml/spec/fixtures/document_node_with_unknown_attribute.xml': {
    type: 'Response',
    version: '1.2.020',
  },
  'officeluv__cxml/spec/fixtures/envelope.xml': { type: 'CatalogUploadRequest', version: '1.2.014' },
  'officeluv__cxml/spec/fixtures/envelope2.xml': { type: 'CopyRequest', version: '1.2.014' },
  'officeluv__cxml/spec/fixtures/invoice_backed_and_unbacked_by_pos.xml': {
    type: 'InvoiceDetailRequest',
    version: '1.2.020',
  },
  'officeluv__cxml/spec/fixtures/invoice_backed_by_multiple_pos.xml': {
    type: 'InvoiceDetailRequest',
    version: '1.2.020',
  },
  'officeluv__cxml/spec/fixtures/invoice_taxes_at_line.xml': {
    type: 'InvoiceDetailRequest',
    version: '1.2.020',
  },
  'officeluv__cxml/spec/fixtures/invoice_taxes_at_line_multiple_taxes.xml': {
    type: 'InvoiceDetailRequest',
    version: '1.2.037',
  },
  'officeluv__cxml/spec/fixtures/invoice_taxes_at_total.xml': {
    type: 'InvoiceDetailRequest',
    version: '1.2.020',
  },
  // A bare ItemIn fragment, not a document.
  'officeluv__cxml/spec/fixtures/item_in.xml': {
    refused: { status: 400, message: 'root element must be <cXML>, found <ItemIn>', xpath: '/ItemIn' },
  },
  'officeluv__cxml/spec/fixtures/order_request.xml': { type: 'OrderRequest', version: '1.2.014' },
  // Root element spelled <cxml>: XML names are case-sensitive, and no cXML DTD declares it.
  'officeluv__cxml/spec/fixtures/punch_out_order_message_doc.xml': {
    refused: {
      status: 400,
      message: 'root element must be <cXML>, found <cxml> (element names are case-sensitive)',
      xpath: '/cxml',
    },
  },
  'officeluv__cxml/spec/fixtures/punch_out_setup_request_doc.xml': { type: 'PunchOutSetupRequest' },
  'officeluv__cxml/spec/fixtures/punch_out_setup_request_doc_coupa.xml': {
    type: 'PunchOutSetupRequest',
    version: '1.2.014',
  },
  'officeluv__cxml/spec/fixtures/punch_out_setup_request_doc_with_ship_to.xml': {
    type: 'PunchOutSetupRequest',
  },
  'officeluv__cxml/spec/fixtures/purchase_order_request_200.xml': {
    type: 'OrderRequest',
    version: '1.2.014',
  },
  'officeluv__cxml/spec/fixtures/request_doc.xml': { type: 'ConfirmationRequest', version: '1.2.011' },
  'officeluv__cxml/spec/fixtures/response_status_200.xml': { type: 'Response', version: '1.2.020' },
  'officeluv__cxml/spec/fixtures/response_status_400.xml': { type: 'Response', version: '1.2.020' },
};

/**
 * Invoices the canonical Invoice cannot hold, and why (the others must parse and round-trip).
 */
const INVOICE_REFUSALS: Record<string, { status: number; message: string; xpath: string }> = {
  'corpus/officeluv__cxml/spec/fixtures/invoice_backed_and_unbacked_by_pos.xml': {
    status: 406,
    message: 'an invoice for 2 orders cannot be held by one canonical Invoice (one buyerOrderNumber)',
    xpath: '/cXML/Request/InvoiceDetailRequest/InvoiceDetailOrder[2]',
  },
  'corpus/officeluv__cxml/spec/fixtures/invoice_backed_by_multiple_pos.xml': {
    status: 406,
    message: 'an invoice for 2 orders cannot be held by one canonical Invoice (one buyerOrderNumber)',
    xpath: '/cXML/Request/InvoiceDetailRequest/InvoiceDetailOrder[2]',
  },
  // A template with placeholders (invoiceDate="invoice_date", currency="currency_code").
  'corpus/officeluv__cxml/spec/fixtures/invoice_taxes_at_line_multiple_taxes.xml': {
    status: 400,
    message: '"invoice_date" is not a date',
    xpath: '/cXML/Request/InvoiceDetailRequest/InvoiceDetailRequestHeader/@invoiceDate',
  },
};

const ALL = listXml(FIXTURES);
const corpusFiles = listXml(CORPUS).map((f) => rel(f).replace(/^corpus\//, ''));
const parsedAll = ALL.map((file) => ({ name: rel(file), result: safeParseCxml(readFileSync(file)) }));
const ofType = (type: string): string[] =>
  parsedAll.filter((p) => p.result.ok && p.result.doc.requestType === type).map((p) => p.name);

describe('the shared cXML corpus', () => {
  it('has an expected outcome recorded for every document, and no stale entries', () => {
    expect(corpusFiles).toEqual(Object.keys(CORPUS_OUTCOMES).sort());
  });

  it.each(Object.entries(CORPUS_OUTCOMES))('%s: parses or is refused as recorded', (name, outcome) => {
    const result = safeParseCxml(readFileSync(`${CORPUS}/${name}`));
    if ('refused' in outcome) {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.toJSON()).toEqual(outcome.refused);
    } else {
      expect(result.ok).toBe(true);
      if (result.ok) {
        expect(result.doc.requestType).toBe(outcome.type);
        expect(result.doc.version).toBe(outcome.version);
      }
    }
  });
});

describe('our own fixtures', () => {
  const own = parsedAll.filter((p) => !p.name.startsWith('corpus/'));

  it('all parse', () => {
    const refused = own.filter((p) => !p.result.ok).map((p) => p.name);
    expect(refused).toEqual([]);
  });

  it.each(own.map((p) => p.name))('%s validates against its DTD when we hold that DTD', (name) => {
    const xml = readFileSync(`${FIXTURES}/${name}`, 'utf8');
    const result = validateCxml(xml);
    if (result.errors.startsWith('no local DTD')) {
      // cXML 1.1 and versions we hold no DTD for: only well-formedness (checked above).
      expect(name).toMatch(/v1\.1\.|no-doctype/);
    } else {
      expect(result).toEqual({ ok: true, errors: '' });
    }
  });
});

describe('PunchOutSetupRequest samples', () => {
  const names = ofType('PunchOutSetupRequest');

  it('include the corpus ones and ours', () => {
    expect(names.length).toBeGreaterThanOrEqual(6);
  });

  it.each(names)('%s reads into the typed form recorded in its golden', (name) => {
    const actual = plain(parsePunchOutSetupRequest(readFileSync(`${FIXTURES}/${name}`)));
    expect(actual).toEqual(golden(name, actual));
  });
});

describe('ProfileRequest samples', () => {
  it.each(ofType('ProfileRequest'))('%s is recognised, with its sender', (name) => {
    const doc = parseCxml(readFileSync(`${FIXTURES}/${name}`));
    expect(doc.kind).toBe('Request');
    expect(doc.body.children.filter((c) => typeof c !== 'string')).toEqual([]);
    expect(doc.header?.sender.length).toBeGreaterThan(0);
  });
});

describe('OrderRequest samples -> canonical Order', () => {
  const names = ofType('OrderRequest');

  it('include every corpus OrderRequest and ours', () => {
    expect(names.filter((n) => n.startsWith('corpus/'))).toHaveLength(5);
    expect(names.filter((n) => !n.startsWith('corpus/'))).toHaveLength(5);
  });

  it.each(names)('%s maps to the canonical order in its golden', (name) => {
    const actual = plain(parseOrderRequest(readFileSync(`${FIXTURES}/${name}`)));
    expect(actual).toEqual(golden(name, actual));
  });
});

describe('InvoiceDetailRequest samples <-> canonical Invoice', () => {
  const names = ofType('InvoiceDetailRequest');
  const readable = names.filter((n) => INVOICE_REFUSALS[n] === undefined);

  it('are all either readable or refused for a recorded reason', () => {
    expect(names.filter((n) => n.startsWith('corpus/'))).toHaveLength(5);
    expect(readable.length).toBeGreaterThanOrEqual(4);
  });

  it.each(Object.entries(INVOICE_REFUSALS))('%s is refused as recorded', (name, refusal) => {
    expect(() => parseInvoiceDetailRequest(readFileSync(`${FIXTURES}/${name}`))).toThrow(
      expect.objectContaining(refusal),
    );
  });

  it.each(readable)('%s reads into the canonical invoice in its golden', (name) => {
    const actual = plain(parseInvoiceDetailRequest(readFileSync(`${FIXTURES}/${name}`)));
    expect(actual).toEqual(golden(name, actual));
  });

  /** The invoice with every amount as the builder writes it: the currency's scale ("365" -> "365.00"). */
  const AMOUNT_KEYS = new Set([
    'unitPrice',
    'subtotal',
    'amount',
    'taxableAmount',
    'taxTotal',
    'total',
    'shipping',
    'discount',
  ]);
  function scaled(value: unknown, currency: string): unknown {
    if (Array.isArray(value)) return value.map((v) => scaled(v, currency));
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        AMOUNT_KEYS.has(k) && typeof v === 'string' && isDecimalString(v)
          ? formatAmount(v, currency)
          : scaled(v, currency),
      ]),
    );
  }

  it.each(readable)('%s round-trips: build -> DTD-valid -> parse -> same invoice', (name) => {
    const first = parseInvoiceDetailRequest(readFileSync(`${FIXTURES}/${name}`));
    const options: InvoiceBuildOptions = {};
    if (first.specialHandling !== undefined) options.specialHandling = first.specialHandling;
    if (first.shipFrom !== undefined) options.shipFrom = first.shipFrom;
    if (first.originalInvoicePayloadId !== undefined)
      options.originalInvoicePayloadId = first.originalInvoicePayloadId;
    const xml = buildInvoiceDetailRequest(ENVELOPE, first.invoice, options);
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    const second = parseInvoiceDetailRequest(xml);
    const currency = first.invoice.currency;
    expect(plain(second.invoice)).toEqual(scaled(plain(first.invoice), currency));
    expect(second.specialHandling).toEqual(
      first.specialHandling === undefined ? undefined : formatAmount(first.specialHandling, currency),
    );
    expect(plain(second.shipFrom)).toEqual(plain(first.shipFrom));
    expect(second.summary.due).toBe(formatAmount(first.invoice.total, currency));
  });
});
