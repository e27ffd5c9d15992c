/** Shared by the order integration tests: a partner with catalog and prices, and OrderRequest documents. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../../src/app';
import { add, mul, roundMoney } from '../../../src/model/money';
import { csvObjects } from '../../../src/catalog/csv';
import { importCatalog, importPriceLists } from '../../../src/catalog/service';
import type { PartnerInput } from '../../../src/partners/schema';
import { ADMIN_TOKEN, createTestEnv, type TestEnv } from '../../helpers/env';
import { seedPartner } from '../../helpers/partners';

const CONTRACTS = path.resolve(__dirname, '../../../fixtures/contracts');
export const SECRET = 'change-me-acme';
export const BUYER = { domain: 'NetworkID', identity: 'AN01000000001' };

export interface OrdersEnv {
  env: TestEnv;
  app: Express;
  erpKey: string;
  /** Whether workers run jobs (approvals may then confirm orders on their own). */
  jobs: boolean;
}

export async function setupOrders(
  opts: {
    redis?: boolean;
    start?: boolean;
    partner?: Partial<PartnerInput>;
    cxml?: Partial<NonNullable<PartnerInput['cxml']>>;
    env?: Record<string, string>;
  } = {},
): Promise<OrdersEnv> {
  const env = await createTestEnv({
    redis: opts.redis ?? false,
    start: opts.start ?? true,
    ...(opts.env ? { env: opts.env } : {}),
  });
  await importCatalog(
    env.db,
    csvObjects(readFileSync(path.join(CONTRACTS, 'catalog.example.csv'), 'utf8')).rows,
  );
  await importPriceLists(
    env.db,
    csvObjects(readFileSync(path.join(CONTRACTS, 'price-list.example.csv'), 'utf8')).rows,
  );
  const { erpKey } = await seedPartner(env.db, {
    cxml: {
      credentials: [BUYER, { domain: 'DUNS', identity: '123456789' }],
      sharedSecret: SECRET,
      cartReturn: 'cxml-urlencoded',
      statusUpdates: false,
      ...opts.cxml,
    },
    ...opts.partner,
  });
  return { env, app: createApp(env.ctx), erpKey, jobs: opts.start ?? true };
}

export interface LineSpec {
  sku: string;
  quantity: string;
  price: string;
  aux?: string;
  uom?: string;
}

export function headerXml(): string {
  return `<Header>
    <From><Credential domain="${BUYER.domain}"><Identity>${BUYER.identity}</Identity></Credential></From>
    <To><Credential domain="NetworkID"><Identity>AN-SUPPLIER-TEST</Identity></Credential></To>
    <Sender><Credential domain="${BUYER.domain}"><Identity>${BUYER.identity}</Identity><SharedSecret>${SECRET}</SharedSecret></Credential><UserAgent>test buyer</UserAgent></Sender>
  </Header>`;
}

/** An OrderRequest in the shape procurement systems send (prices in USD, 2026 contract dates). */
export function orderRequestXml(o: {
  payloadId: string;
  orderId: string;
  type?: 'new' | 'update' | 'delete';
  lines?: LineSpec[];
  total?: string;
  street?: string;
  version?: number;
}): string {
  const lines = o.lines ?? [
    { sku: 'PEN-BLU-12', quantity: '10', price: '4.50' },
    { sku: 'CHR-ERG-01', quantity: '1', price: '259.00' },
  ];
  const total = o.total ?? roundMoney(add(...lines.map((l) => mul(l.quantity, l.price))), 'USD').toFixed(2);
  const items = lines
    .map(
      (l, i) => `<ItemOut quantity="${l.quantity}" lineNumber="${i + 1}">
        <ItemID><SupplierPartID>${l.sku}</SupplierPartID>${l.aux ? `<SupplierPartAuxiliaryID>${l.aux}</SupplierPartAuxiliaryID>` : ''}</ItemID>
        <ItemDetail><UnitPrice><Money currency="USD">${l.price}</Money></UnitPrice><Description xml:lang="en">${l.sku}</Description><UnitOfMeasure>${l.uom ?? 'EA'}</UnitOfMeasure></ItemDetail>
      </ItemOut>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd">
<cXML payloadID="${o.payloadId}" timestamp="2026-11-23T10:00:00+00:00" xml:lang="en-US">
  ${headerXml()}
  <Request deploymentMode="production">
    <OrderRequest>
      <OrderRequestHeader orderID="${o.orderId}" orderDate="2026-11-23T09:00:00+00:00" type="${o.type ?? 'new'}"${o.version ? ` orderVersion="${o.version}"` : ''}>
        <Total><Money currency="USD">${total}</Money></Total>
        <ShipTo><Address addressID="HQ"><Name xml:lang="en">Acme HQ</Name><PostalAddress><Street>${o.street ?? '1 Main St'}</Street><City>Springfield</City><PostalCode>12345</PostalCode><Country isoCountryCode="US">United States</Country></PostalAddress></Address></ShipTo>
      </OrderRequestHeader>
      ${items}
    </OrderRequest>
  </Request>
</cXML>`;
}

export function postCxml(app: Express, xml: string) {
  return request(app).post('/cxml').set('Content-Type', 'text/xml').send(xml);
}

export function statusOf(body: string): { code: number; message: string } {
  const m = /<Status code="(\d+)"[^>]*?(?:\/>|>([\s\S]*?)<\/Status>)/.exec(body);
  if (!m) throw new Error(`no Status in ${body}`);
  return { code: Number(m[1]), message: (m[2] ?? '').trim() };
}

/**
 * Brings an order to "confirmed": the approvals job auto-confirms small orders of the contract
 * partner; otherwise (or when it has not run) the admin's manual confirmation does.
 */
export async function confirmOrder(t: OrdersEnv, id: string): Promise<void> {
  const state = async () => (await t.env.db('orders').where({ id }).first('state')).state as string;
  const deadline = Date.now() + (t.jobs ? 5000 : 0);
  while ((await state()) === 'received' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if ((await state()) !== 'confirmed') {
    await request(t.app)
      .post(`/api/v1/orders/${id}/confirm`)
      .set({ Authorization: `Bearer ${ADMIN_TOKEN}` })
      .send({})
      .expect(200);
  }
}
