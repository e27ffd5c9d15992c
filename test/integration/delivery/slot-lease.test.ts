/**
 * Delivery slots are leases (DELIVERY_SLOT_LEASE_MS): the process holding one renews it while its
 * attempt runs, however long that takes, and a worker that dies stops renewing, so its slots are free
 * again within one lease instead of after the attempt's timeout plus a minute (the soak found a
 * killed worker pausing a partner's deliveries for up to 90 s).
 */
import { randomUUID } from 'node:crypto';
import { createDb, migrateLatest, type Db } from '../../../src/platform/db';
import { releaseSlot, stopRenewingSlots, takeSlot } from '../../../src/delivery/slots';
import { createTestDatabase, testConfig } from '../../helpers/env';

const LEASE_MS = 600;
let database: { url: string; drop: () => Promise<void> };
let db: Db;
const config = testConfig({ DELIVERY_SLOT_LEASE_MS: String(LEASE_MS) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const slots = () => db('delivery_slots').where({ partner_id: 'lease-partner' }).select('id');

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb({ databaseUrl: database.url, poolMax: 2 });
  await migrateLatest(db);
});
afterAll(async () => {
  stopRenewingSlots();
  await db.destroy();
  await database.drop();
});

const take = () => takeSlot(db, config, { partnerId: 'lease-partner', deliveryId: randomUUID(), limit: 1 });

test('a held slot is renewed past its lease, and given back it is gone', async () => {
  const slot = await take();
  expect(slot).not.toBeNull();
  await sleep(LEASE_MS * 3);
  // Still held: the one slot of the partner is taken.
  expect(await take()).toBeNull();
  expect((await slots()).map((s) => s.id)).toEqual([slot]);
  await releaseSlot(db, slot!);
  expect(await slots()).toEqual([]);
});

test('a slot whose holder stopped renewing (a killed worker) is free again within one lease', async () => {
  const slot = await take();
  expect(slot).not.toBeNull();
  stopRenewingSlots();
  expect(await take()).toBeNull();
  await sleep(LEASE_MS + 300);
  const next = await take();
  expect(next).not.toBeNull();
  expect((await slots()).map((s) => s.id)).toEqual([next]);
  await releaseSlot(db, next!);
});
