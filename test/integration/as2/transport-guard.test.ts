/**
 * Until the AS2 transport is wired (issue 18), a partner asking for x12.transport "as2" is refused
 * with a clear validation error instead of having its outbound X12 stored and never delivered.
 */
import { createTestDatabase } from '../../helpers/env';
import { examplePartner } from '../../helpers/partners';
import { createDb, migrateLatest, type Db } from '../../../src/platform/db';
import { upsertPartner } from '../../../src/partners/service';

let database: { url: string; drop: () => Promise<void> };
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb({ databaseUrl: database.url, poolMax: 2 });
  await migrateLatest(db);
});
afterAll(async () => {
  await db.destroy();
  await database.drop();
});

test('x12.transport "as2" is refused and no partner is created', async () => {
  const base = examplePartner();
  const input = examplePartner({ id: 'as2-guard', x12: { ...base.x12!, transport: 'as2' } });
  await expect(upsertPartner(db, input)).rejects.toMatchObject({ code: 'validation_failed' });
  expect(await db('partners').where({ id: 'as2-guard' }).first()).toBeUndefined();
});

test('x12.transport "http" is still accepted', async () => {
  const base = examplePartner();
  const input = examplePartner({ id: 'http-ok', x12: { ...base.x12!, transport: 'http' } });
  await expect(upsertPartner(db, input)).resolves.toMatchObject({ created: true });
});
