import { readFileSync } from 'node:fs';
import path from 'node:path';
import { csvObjects } from '../../../src/catalog/csv';
import { importCatalog, importPriceLists } from '../../../src/catalog/service';
import type { Db } from '../../../src/platform/db';
import type { PartnerInput } from '../../../src/partners/schema';
import { seedPartner } from '../../helpers/partners';

const CONTRACTS = path.resolve(__dirname, '../../../fixtures/contracts');

export const PARTNER_SECRET = 'change-me-acme';
export const OCI_USER = 'acme-buyer';
export const OCI_PASSWORD = 'change-me-too';
export const SUPPLIER = { domain: 'NetworkID', identity: 'AN-SUPPLIER-TEST' };

/** The contract example partner, the example catalog and its price list. */
export async function seedShop(db: Db, overrides: Partial<PartnerInput> = {}) {
  await importCatalog(db, csvObjects(readFileSync(path.join(CONTRACTS, 'catalog.example.csv'), 'utf8')).rows);
  await importPriceLists(
    db,
    csvObjects(readFileSync(path.join(CONTRACTS, 'price-list.example.csv'), 'utf8')).rows,
  );
  return seedPartner(db, overrides);
}

export interface SetupOptions {
  operation?: 'create' | 'edit' | 'inspect';
  fromIdentity?: string;
  secret?: string;
  to?: { domain: string; identity: string };
  formPost?: string;
  buyerCookie?: string;
  itemsXml?: string;
  payloadId?: string;
}

export function itemOut(n: number, sku: string, qty: string, aux?: string, price = '1.00'): string {
  return `<ItemOut quantity="${qty}" lineNumber="${n}"><ItemID><SupplierPartID>${sku}</SupplierPartID>${
    aux ? `<SupplierPartAuxiliaryID>${aux}</SupplierPartAuxiliaryID>` : ''
  }</ItemID><ItemDetail><UnitPrice><Money currency="USD">${price}</Money></UnitPrice><Description xml:lang="en">Item ${sku}</Description><UnitOfMeasure>EA</UnitOfMeasure><Classification domain="UNSPSC">44121701</Classification></ItemDetail></ItemOut>`;
}

export function header(o: SetupOptions = {}): string {
  const to = o.to ?? SUPPLIER;
  return `<Header><From><Credential domain="NetworkID"><Identity>${o.fromIdentity ?? 'AN01000000001'}</Identity></Credential></From>
<To><Credential domain="${to.domain}"><Identity>${to.identity}</Identity></Credential></To>
<Sender><Credential domain="NetworkID"><Identity>${o.fromIdentity ?? 'AN01000000001'}</Identity><SharedSecret>${o.secret ?? PARTNER_SECRET}</SharedSecret></Credential><UserAgent>Test Buyer 1.0</UserAgent></Sender></Header>`;
}

export function setupRequest(o: SetupOptions = {}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd">
<cXML payloadID="${o.payloadId ?? `${Date.now()}.${Math.random()}@buyer.example`}" timestamp="2026-11-23T10:00:00+00:00" xml:lang="en-US">
${header(o)}
<Request><PunchOutSetupRequest operation="${o.operation ?? 'create'}"><BuyerCookie>${o.buyerCookie ?? 'cookie-123'}</BuyerCookie>
<Extrinsic name="UserEmail">jane@buyer.example</Extrinsic>
<BrowserFormPost><URL>${o.formPost ?? 'https://buyer.example/return'}</URL></BrowserFormPost>
<Contact role="endUser"><Name xml:lang="en">Jane Buyer</Name><Email>jane@buyer.example</Email></Contact>
<SupplierSetup><URL>https://supplier.example/cxml</URL></SupplierSetup>
<ShipTo><Address addressID="HQ"><Name xml:lang="en">Buyer HQ</Name></Address></ShipTo>
${o.itemsXml ?? ''}</PunchOutSetupRequest></Request></cXML>`;
}

/** Replaces From, To and Sender of a real-world document with the test partner's credentials. */
export function adaptCredentials(xml: string): string {
  return xml.replace(/<Header>[\s\S]*?<\/Header>/, header());
}

export function startPath(responseXml: string): string {
  const m = /<URL>([^<]+)<\/URL>/.exec(responseXml);
  if (!m) throw new Error(`no StartPage URL in ${responseXml}`);
  return new URL(m[1]!).pathname;
}
