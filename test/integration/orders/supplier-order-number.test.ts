/**
 * The supplier order number: the migration numbers the orders that exist, intake takes the next
 * number with its read and the configured prefix, and the orders API shows it. (PGlite runs the same
 * statements in test/e2e/embedded/start.test.ts: it cannot load inside jest's VM.)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../../src/app';
import { csvObjects } from '../../../src/catalog/csv';
import { importCatalog } from '../../../src/catalog/service';
import { closeContext, createContext, type AppContext } from '../../../src/platform/context';
import { createDb, type Db } from '../../../src/platform/db';
import { createLogger } from '../../../src/platform/log';
import { migrationSource } from '../../../migrations';
import { auth, createTestDatabase, testConfig } from '../../helpers/env';
import { seedPartner } from '../../helpers/partners';

let db: Db;
let ctx: AppContext;
let drop: () => Promise<void>;
beforeAll(async () => {
  const database = await createTestDatabase();
  drop = database.drop;
  db = createDb({ databaseUrl: database.url });
  // Migrate up to the migration before the supplier order number, with one order already there.
  for (;;) {
    const [, pending] = (await db.migrate.list({ migrationSource })) as [unknown, [string][]];
    if (!pending[0] || pending[0][0] === '20261202040000_supplier_order_number') break;
    await db.migrate.up({ migrationSource });
  }
  const config = testConfig({ DATABASE_URL: database.url, SUPPLIER_ORDER_PREFIX: 'ACME-' });
  // The partner row in the schema of that time (the partner service writes today's columns).
  await db('partners').insert({ id: 'acme', name: 'Acme Corp', currency: 'USD' });
  await db('orders').insert({
    id: '00000000-0000-4000-8000-000000000001',
    partner_id: 'acme',
    buyer_order_number: 'BEFORE-1',
    state: 'received',
    type: 'new',
    source_protocol: 'json',
    currency: 'USD',
    total: '1',
    canonical: '{}',
  });
  ctx = await createContext(config, { db, log: createLogger('silent') });
  await importCatalog(
    db,
    csvObjects(
      readFileSync(path.resolve(__dirname, '../../../fixtures/contracts/catalog.example.csv'), 'utf8'),
    ).rows,
  );
}, 60_000);
afterAll(async () => {
  await closeContext(ctx);
  await drop();
});

it('numbers existing orders in the migration and new ones with the configured prefix ', async () => {
  const before = await db('orders').where({ buyer_order_number: 'BEFORE-1' }).first();
  expect(before.supplier_order_number).toBe('SO-000001');
  const { erpKey } = await seedPartner(db);
  const res = await request(createApp(ctx))
    .post('/api/v1/orders')
    .set(auth(erpKey))
    .set('Idempotency-Key', 'pglite-1')
    .send({
      buyerOrderNumber: 'PGL-1',
      currency: 'USD',
      lines: [
        {
          lineNumber: 1,
          supplierPartId: 'PEN-BLU-12',
          quantity: '1',
          unitOfMeasure: 'BX',
          unitPrice: '4.50',
        },
      ],
    })
    .expect(201);
  expect(res.body.supplierOrderNumber).toBe('ACME-000002');
  const shown = await request(createApp(ctx)).get(`/api/v1/orders/${res.body.orderId}`).set(auth(erpKey));
  expect(shown.body.supplierOrderNumber).toBe('ACME-000002');
});
