/**
 * Issue 13 (cXML follow-ups as buyers expect): one regression test per finding, each fed the excerpt of
 * the document that showed it. Every emitted document is also checked against its DTD.
 */
import {
  buildConfirmationRequest,
  buildInvoiceDetailRequest,
  buildPunchOutOrderMessage,
  buildShipNoticeRequest,
  buildStatusUpdateRequest,
  parseOrderRequest,
} from '../../../protocols/cxml';
import { build810, build855, build856 } from '../../../protocols/x12';
import { formatAmount, formatUnitPrice, type Invoice, type Shipment } from '../../../src/model';
import { validateCxml } from '../../helpers/xmllint';
import { ENVELOPE } from './helpers';

/** The OrderRequest header of the finding: a buyer in UTC-8 ordering at 18:41 local time. */
const ORDER_REQUEST = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">
<cXML payloadID="po-1@buyer.example" timestamp="2000-10-12T18:41:30-08:00" xml:lang="en-US">
  <Header>
    <From><Credential domain="NetworkID"><Identity>AN-BUYER</Identity></Credential></From>
    <To><Credential domain="NetworkID"><Identity>AN-SUPPLIER</Identity></Credential></To>
    <Sender><Credential domain="NetworkID"><Identity>AN-BUYER</Identity><SharedSecret>s</SharedSecret></Credential><UserAgent>Buyer</UserAgent></Sender>
  </Header>
  <Request deploymentMode="test">
    <OrderRequest>
      <OrderRequestHeader orderID="DO1234" orderDate="2000-10-12T18:41:29-08:00" type="new">
        <Total><Money currency="USD">12.60</Money></Total>
      </OrderRequestHeader>
      <ItemOut quantity="3" lineNumber="1">
        <ItemID><SupplierPartID>PEN-BLU-12</SupplierPartID></ItemID>
        <ItemDetail>
          <UnitPrice><Money currency="USD">4.2</Money></UnitPrice>
          <Description xml:lang="en">Pens</Description>
          <UnitOfMeasure>BX</UnitOfMeasure>
        </ItemDetail>
      </ItemOut>
    </OrderRequest>
  </Request>
</cXML>`;

const doc = parseOrderRequest(ORDER_REQUEST);

describe('issue 13: the buyer’s own orderDate and dates with a time zone', () => {
  it('reads the buyer’s lexical orderDate and deploymentMode from the OrderRequest', () => {
    expect(doc.order.orderDate).toBe('2000-10-12T18:41:29-08:00');
  });

  it('echoes orderDate="2000-10-12T18:41:29-08:00" in the ConfirmationRequest as the buyer wrote it', () => {
    const xml = buildConfirmationRequest(
      { ...ENVELOPE, deploymentMode: 'test' },
      {
        type: 'accept',
        noticeDate: new Date(Date.UTC(2000, 9, 13, 3, 0, 0)),
        order: { orderId: 'DO1234', payloadId: doc.payloadId, orderDate: doc.order.orderDate },
      },
    );
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(xml).toContain('<OrderReference orderID="DO1234" orderDate="2000-10-12T18:41:29-08:00">');
    expect(xml).toContain('noticeDate="2000-10-13T03:00:00+00:00"');
    expect(xml).toContain('<Request deploymentMode="test">');
  });

  it('writes the PO date 20001012 in 855 BAK04, 810 BIG03 and 856 PRF04 (not the UTC date 20001013)', () => {
    const bak = build855(doc.order, [{ lineNumber: 1, status: 'accept' }], { ackDate: '2000-10-13' })[0];
    expect(bak?.slice(0, 5)).toEqual(['BAK', '00', 'AD', 'DO1234', '20001012']);
    const invoice: Invoice = {
      invoiceNumber: 'INV-1',
      purpose: 'standard',
      invoiceDate: '2000-10-20',
      currency: 'USD',
      buyerOrderNumber: 'DO1234',
      orderDate: doc.order.orderDate,
      lines: [
        {
          lineNumber: 1,
          orderLineNumber: 1,
          supplierPartId: 'PEN-BLU-12',
          quantity: '3',
          unitOfMeasure: 'BX',
          unitPrice: '4.2',
          subtotal: '12.6',
        },
      ],
      subtotal: '12.6',
      taxTotal: '0',
      total: '12.6',
    };
    expect(build810(invoice)[0]?.slice(0, 4)).toEqual(['BIG', '20001020', 'INV-1', '20001012']);
    const shipment: Shipment = {
      shipmentId: 'S-1',
      buyerOrderNumber: 'DO1234',
      shippedAt: '2000-10-14T09:00:00Z',
      lines: [{ lineNumber: 1, quantity: '3' }],
    };
    expect(build856(shipment, doc.order).find((s) => s[0] === 'PRF')).toEqual([
      'PRF',
      'DO1234',
      undefined,
      undefined,
      '20001012',
    ]);
  });

  const invoice: Invoice = {
    invoiceNumber: 'INV-2',
    purpose: 'standard',
    invoiceDate: '2026-12-02',
    currency: 'USD',
    buyerOrderNumber: 'X12-PO-1',
    orderDate: '2026-12-01',
    lines: [
      {
        lineNumber: 1,
        orderLineNumber: 1,
        supplierPartId: 'PEN-BLU-12',
        quantity: '3',
        unitOfMeasure: 'BX',
        unitPrice: '4.2',
        subtotal: '12.6',
        tax: { amount: '1.04', rate: '8.25', category: 'sales', description: 'Texas sales tax' },
      },
    ],
    taxSummary: [
      {
        amount: '1.04',
        rate: '8.25',
        category: 'sales',
        taxableAmount: '12.6',
        description: 'Texas sales tax',
      },
    ],
    subtotal: '12.6',
    taxTotal: '1.04',
    total: '13.64',
  };

  it('writes invoiceDate="2026-12-02" and OrderIDInfo orderDate with a time and zone', () => {
    const xml = buildInvoiceDetailRequest(ENVELOPE, invoice);
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(xml).toContain('invoiceDate="2026-12-02T00:00:00+00:00"');
    expect(xml).toContain('<OrderIDInfo orderID="X12-PO-1" orderDate="2026-12-01T00:00:00+00:00"/>');
    expect(xml).not.toMatch(/Date="\d{4}-\d{2}-\d{2}"/);
  });

  it('writes shipmentDate and deliveryDate with +00:00 like every other date, not Z', () => {
    const xml = buildShipNoticeRequest(ENVELOPE, {
      shipment: {
        shipmentId: 'S-1',
        buyerOrderNumber: 'DO1234',
        shippedAt: '2026-12-02T10:00:00Z',
        expectedDeliveryAt: '2026-12-04T17:00:00Z',
        carrier: 'UPSN',
        trackingNumber: '1Z999',
        lines: [{ lineNumber: 1, quantity: '3', unitOfMeasure: 'BX' }],
      },
      order: { payloadId: doc.payloadId, orderDate: doc.order.orderDate },
      noticeDate: new Date(Date.UTC(2026, 11, 2, 10, 5)),
    });
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(xml).toContain('shipmentDate="2026-12-02T10:00:00+00:00"');
    expect(xml).toContain('deliveryDate="2026-12-04T17:00:00+00:00"');
    expect(xml).not.toMatch(/="[^"]*\d{2}:\d{2}Z"/);
  });
});

describe('issue 13: carriers, taxes and references', () => {
  const shipment: Shipment = {
    shipmentId: 'S-2',
    buyerOrderNumber: 'DO1234',
    shippedAt: '2026-12-02T10:00:00+00:00',
    carrier: 'UPSN',
    carrierName: 'United Parcel Service',
    trackingNumber: '1Z999AA10123456784',
    lines: [{ lineNumber: 1, quantity: '3', unitOfMeasure: 'BX' }],
  };

  it('sends the carrier code UPSN as CarrierIdentifier domain="SCAC" and its name as companyName', () => {
    const xml = buildShipNoticeRequest(ENVELOPE, {
      shipment,
      order: { payloadId: doc.payloadId },
      noticeDate: '2026-12-02T10:05:00+00:00',
    });
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(xml).toContain('<CarrierIdentifier domain="SCAC">UPSN</CarrierIdentifier>');
    expect(xml).toContain(
      '<CarrierIdentifier domain="companyName">United Parcel Service</CarrierIdentifier>',
    );
    expect(xml).not.toContain('domain="companyName">UPSN');
  });

  it('keeps a carrier known only by name in companyName', () => {
    const { carrierName: _n, ...byName } = { ...shipment, carrier: 'DHL Freight' };
    const xml = buildShipNoticeRequest(ENVELOPE, {
      shipment: byName,
      order: { payloadId: doc.payloadId },
      noticeDate: '2026-12-02T10:05:00+00:00',
    });
    expect(xml).toContain('<CarrierIdentifier domain="companyName">DHL Freight</CarrierIdentifier>');
    expect(xml).not.toContain('SCAC');
  });

  it('writes US sales tax as category "sales" with its Description, and TXI01 ST in the 810', () => {
    const inv: Invoice = {
      invoiceNumber: 'INV-3',
      purpose: 'standard',
      invoiceDate: '2026-12-02',
      currency: 'USD',
      buyerOrderNumber: 'DO1234',
      orderPayloadId: doc.payloadId,
      lines: [
        {
          lineNumber: 1,
          orderLineNumber: 1,
          supplierPartId: 'PEN-BLU-12',
          quantity: '3',
          unitOfMeasure: 'BX',
          unitPrice: '4.50',
          subtotal: '13.50',
          tax: { amount: '1.11', rate: '8.25', category: 'sales', description: 'Texas sales tax' },
        },
      ],
      taxSummary: [
        {
          amount: '1.11',
          rate: '8.25',
          category: 'sales',
          taxableAmount: '13.50',
          description: 'Texas sales tax',
        },
      ],
      subtotal: '13.50',
      taxTotal: '1.11',
      total: '14.61',
    };
    const xml = buildInvoiceDetailRequest(ENVELOPE, inv);
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(xml).toContain('<TaxDetail purpose="tax" category="sales" percentageRate="8.25">');
    expect(xml).not.toContain('category="vat"');
    expect(xml).not.toContain('<Description xml:lang="en"/>');
    expect(xml.match(/<Description xml:lang="en">Texas sales tax<\/Description>/g)?.length).toBe(3);
    const txi = build810(inv).filter((s) => s[0] === 'TXI');
    expect(txi).toEqual([['TXI', 'ST', '1.11', '8.25']]);
  });

  it('names an order that came as X12 by orderID and orderDate, with no payloadID of ours', () => {
    const xml = buildConfirmationRequest(ENVELOPE, {
      type: 'accept',
      noticeDate: '2026-12-02T10:05:00+00:00',
      order: { orderId: 'X12-PO-1', orderDate: '2026-12-01' },
    });
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    // The DTD requires OrderReference/DocumentReference: its payloadID is empty.
    expect(xml).toMatch(
      /<OrderReference orderID="X12-PO-1" orderDate="2026-12-01T00:00:00\+00:00">\s*<DocumentReference payloadID=""\/>/,
    );
  });

  it('names such an order in a StatusUpdateRequest by DocumentInfo, without DocumentReference', () => {
    const xml = buildStatusUpdateRequest(
      { ...ENVELOPE, deploymentMode: 'test' },
      {
        code: 200,
        message: 'Order X12-PO-1 has shipped',
        document: {
          type: 'shipped',
          documentId: 'X12-PO-1',
          documentType: 'OrderRequest',
          documentDate: '2026-12-01',
        },
      },
    );
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(xml).not.toContain('DocumentReference');
    expect(xml).toContain(
      '<DocumentInfo documentID="X12-PO-1" documentType="OrderRequest" documentDate="2026-12-01T00:00:00+00:00"/>',
    );
  });
});

describe('issue 13: money with the currency’s scale', () => {
  it('formats totals with the currency scale and unit prices as stored, at least that scale', () => {
    expect(formatAmount('13.5', 'USD')).toBe('13.50');
    expect(formatAmount('259', 'USD')).toBe('259.00');
    expect(formatAmount('259.00', 'JPY')).toBe('259');
    expect(formatAmount('-129.7', 'EUR')).toBe('-129.70');
    expect(formatAmount('0.125', 'KWD')).toBe('0.125');
    expect(formatUnitPrice('4.2000', 'USD')).toBe('4.20');
    expect(formatUnitPrice('4.2', 'USD')).toBe('4.20');
    expect(formatUnitPrice('0.3333', 'USD')).toBe('0.3333');
    expect(formatUnitPrice('1200.0000', 'JPY')).toBe('1200');
  });

  it('writes 4.2, 259 and 13.5 as 4.20, 259.00 and 13.50 in the InvoiceDetailRequest and the 810', () => {
    const inv: Invoice = {
      invoiceNumber: 'INV-4',
      purpose: 'standard',
      invoiceDate: '2026-12-02',
      currency: 'USD',
      buyerOrderNumber: 'DO1234',
      lines: [
        {
          lineNumber: 1,
          orderLineNumber: 1,
          supplierPartId: 'A',
          quantity: '1',
          unitOfMeasure: 'EA',
          unitPrice: '259',
          subtotal: '259',
        },
        {
          lineNumber: 2,
          orderLineNumber: 2,
          supplierPartId: 'B',
          quantity: '3',
          unitOfMeasure: 'EA',
          unitPrice: '4.5',
          subtotal: '13.5',
          tax: { amount: '1.1', rate: '8.25', category: 'sales' },
        },
      ],
      subtotal: '272.5',
      taxTotal: '1.1',
      total: '273.6',
    };
    const xml = buildInvoiceDetailRequest(ENVELOPE, inv);
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    const amounts = [...xml.matchAll(/<Money currency="USD">([^<]*)<\/Money>/g)].map((m) => m[1]);
    expect(amounts.length).toBeGreaterThan(8);
    for (const a of amounts) expect(a).toMatch(/^-?\d+\.\d{2}$/);
    expect(amounts).toEqual(expect.arrayContaining(['259.00', '4.50', '13.50', '1.10', '272.50', '273.60']));
    const it1 = build810(inv).filter((s) => s[0] === 'IT1');
    expect(it1.map((s) => s[4])).toEqual(['259.00', '4.50']);
    expect(build810(inv).find((s) => s[0] === 'TXI')?.[2]).toBe('1.10');
  });

  it('writes yen without decimals: 1200 JPY stays 1200, not 1200.00', () => {
    const xml = buildInvoiceDetailRequest(ENVELOPE, {
      invoiceNumber: 'INV-5',
      purpose: 'standard',
      invoiceDate: '2026-12-02',
      currency: 'JPY',
      buyerOrderNumber: 'DO9',
      lines: [
        {
          lineNumber: 1,
          orderLineNumber: 1,
          supplierPartId: 'A',
          quantity: '2',
          unitOfMeasure: 'EA',
          unitPrice: '1200.0000',
          subtotal: '2400',
        },
      ],
      subtotal: '2400',
      taxTotal: '0',
      total: '2400',
    });
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(xml).toMatch(/<UnitPrice>\s*<Money currency="JPY">1200<\/Money>/);
    expect(xml).toMatch(/<DueAmount>\s*<Money currency="JPY">2400<\/Money>/);
  });

  it('writes the PunchOutOrderMessage unit price 4.2000 as 4.20, as every other document does', () => {
    const xml = buildPunchOutOrderMessage(
      { ...ENVELOPE, deploymentMode: 'test' },
      {
        buyerCookie: 'c1',
        operationAllowed: 'edit',
        currency: 'USD',
        total: '12.60',
        items: [
          {
            quantity: '3',
            supplierPartId: 'PEN-BLU-12',
            supplierAuxiliaryId: 'line-1',
            unitPrice: '4.2000',
            description: 'Pens',
            unitOfMeasure: 'BX',
            classification: '44121704',
          },
        ],
      },
    );
    expect(validateCxml(xml)).toEqual({ ok: true, errors: '' });
    expect(xml).toMatch(/<UnitPrice>\s*<Money currency="USD">4\.20<\/Money>/);
    expect(xml).toContain('<Message deploymentMode="test">');
  });
});
