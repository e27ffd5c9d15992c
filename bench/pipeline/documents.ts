/**
 * The documents of `npm run bench pipeline`: Ariba-style cXML OrderRequests of 10 lines (the
 * shape Ariba Network sends: Sender sysadmin@ariba.com, BillTo, Contact, Comments, Extrinsics,
 * UNSPSC classifications, manufacturer data, a Distribution per line) and PunchOutSetupRequests,
 * for the partners `seedPipeline` creates (benchPartner).
 */

export const BUYER_IDENTITY = 'AN01000000001';
export const SHARED_SECRET = 'pipeline-secret-0123';

/**
 * The bench's buyers (`--partners N`): partner 0 is BUYER_IDENTITY / SHARED_SECRET (id "acme"), the
 * others the same contract under an identity and secret of their own.
 */
export function benchPartner(i: number): { id: string; identity: string; secret: string } {
  if (i === 0) return { id: 'acme', identity: BUYER_IDENTITY, secret: SHARED_SECRET };
  return {
    id: `acme-${i + 1}`,
    identity: `AN0200000${String(i + 1).padStart(4, '0')}`,
    secret: `${SHARED_SECRET}-${i + 1}`,
  };
}
export const SUPPLIER = { domain: 'NetworkID', identity: 'AN-SUPPLIER-TEST' };

export interface BenchLine {
  sku: string;
  quantity: string;
  price: string;
  unspsc: string;
}

/** The catalog rows the orders name (unit price as in the catalog: no price list). */
export const LINES: BenchLine[] = Array.from({ length: 10 }, (_, i) => ({
  sku: `PIPE-${String(i + 1).padStart(3, '0')}`,
  quantity: String(i + 1),
  price: `${i + 1}.25`,
  unspsc: String(44121700 + i),
}));

/** Sum of quantity x price in cents, exactly (integers only; money is never a float). */
function totalOf(lines: BenchLine[]): string {
  const cents = lines.reduce((s, l) => {
    const [whole, frac = ''] = l.price.split('.');
    return s + BigInt(l.quantity) * (BigInt(whole!) * 100n + BigInt(frac.padEnd(2, '0').slice(0, 2)));
  }, 0n);
  return `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
}

const TOTAL = totalOf(LINES);

function header(partner: number): string {
  const p = benchPartner(partner);
  return `<Header>
    <From><Credential domain="NetworkID"><Identity>${p.identity}</Identity></Credential></From>
    <To><Credential domain="${SUPPLIER.domain}"><Identity>${SUPPLIER.identity}</Identity></Credential></To>
    <Sender><Credential domain="AribaNetworkUserId"><Identity>sysadmin@ariba.com</Identity><SharedSecret>${p.secret}</SharedSecret></Credential><UserAgent>Ariba Network 1.1</UserAgent></Sender>
  </Header>`;
}

const address = (id: string, name: string) =>
  `<Address isoCountryCode="US" addressID="${id}"><Name xml:lang="en">${name}</Name><PostalAddress name="default"><DeliverTo>Jane Buyer</DeliverTo><DeliverTo>Receiving dock 4</DeliverTo><Street>1 Main St</Street><City>Springfield</City><State>IL</State><PostalCode>62701</PostalCode><Country isoCountryCode="US">United States</Country></PostalAddress><Email name="default">receiving@buyer.example</Email><Phone name="work"><TelephoneNumber><CountryCode isoCountryCode="US">1</CountryCode><AreaOrCityCode>217</AreaOrCityCode><Number>5550100</Number></TelephoneNumber></Phone></Address>`;

export function aribaOrderRequest(payloadId: string, orderId: string, partner = 0): string {
  const items = LINES.map(
    (
      l,
      i,
    ) => `      <ItemOut quantity="${l.quantity}" lineNumber="${i + 1}" requestedDeliveryDate="2026-12-01">
        <ItemID><SupplierPartID>${l.sku}</SupplierPartID><SupplierPartAuxiliaryID></SupplierPartAuxiliaryID></ItemID>
        <ItemDetail>
          <UnitPrice><Money currency="USD">${l.price}</Money></UnitPrice>
          <Description xml:lang="en">Office supply item ${i + 1}, as catalogued</Description>
          <UnitOfMeasure>EA</UnitOfMeasure>
          <Classification domain="UNSPSC">${l.unspsc}</Classification>
          <ManufacturerPartID>MFR-${l.sku}</ManufacturerPartID>
          <ManufacturerName>Acme Manufacturing</ManufacturerName>
          <Extrinsic name="Requester">jane@buyer.example</Extrinsic>
        </ItemDetail>
        <Distribution><Accounting name="DistributionCharge"><AccountingSegment id="4711"><Name xml:lang="en">Cost Center</Name><Description xml:lang="en">Office</Description></AccountingSegment><AccountingSegment id="6100"><Name xml:lang="en">General Ledger</Name><Description xml:lang="en">Supplies</Description></AccountingSegment></Accounting><Charge><Money currency="USD">${l.price}</Money></Charge></Distribution>
        <Comments xml:lang="en">Line ${i + 1}</Comments>
      </ItemOut>`,
  ).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">
<cXML payloadID="${payloadId}" timestamp="2026-11-23T10:00:00-08:00" version="1.2.014" xml:lang="en-US">
  ${header(partner)}
  <Request deploymentMode="production">
    <OrderRequest>
      <OrderRequestHeader orderID="${orderId}" orderDate="2026-11-23T09:00:00-08:00" type="new" orderType="regular" orderVersion="1">
        <Total><Money currency="USD">${TOTAL}</Money></Total>
        <ShipTo>${address('HQ', 'Acme HQ')}</ShipTo>
        <BillTo>${address('AP', 'Acme Accounts Payable')}</BillTo>
        <Contact role="endUser"><Name xml:lang="en">Jane Buyer</Name><Email>jane@buyer.example</Email></Contact>
        <Comments xml:lang="en">Please deliver to the receiving dock.</Comments>
        <Extrinsic name="CompanyCode">1000</Extrinsic>
        <Extrinsic name="PurchaseGroup">Office</Extrinsic>
      </OrderRequestHeader>
${items}
    </OrderRequest>
  </Request>
</cXML>`;
}

export function punchoutSetupRequest(payloadId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">
<cXML payloadID="${payloadId}" timestamp="2026-11-23T10:00:00-08:00" xml:lang="en-US">
  ${header(0)}
  <Request deploymentMode="production"><PunchOutSetupRequest operation="create"><BuyerCookie>${payloadId}</BuyerCookie>
    <Extrinsic name="UserEmail">jane@buyer.example</Extrinsic>
    <BrowserFormPost><URL>https://buyer.example/return</URL></BrowserFormPost>
    <Contact role="endUser"><Name xml:lang="en">Jane Buyer</Name><Email>jane@buyer.example</Email></Contact>
    <SupplierSetup><URL>https://supplier.example/cxml</URL></SupplierSetup>
  </PunchOutSetupRequest></Request>
</cXML>`;
}
