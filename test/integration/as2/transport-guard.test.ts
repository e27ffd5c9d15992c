/**
 * x12.transport "as2" needs the partner's as2 settings with an AS2 URL: otherwise its outbound X12
 * would be stored and never delivered. With them, the partner is accepted and outbound X12 goes by AS2.
 */
import { readFileSync } from 'node:fs';
import { createTestDatabase } from '../../helpers/env';
import { examplePartner } from '../../helpers/partners';
import { createDb, migrateLatest, type Db } from '../../../src/platform/db';
import { upsertPartner } from '../../../src/partners/service';
import { x12DeliveryTarget } from '../../../src/edi/outbound';
import { OpensslLab } from '../../unit/as2/openssl';

let database: { url: string; drop: () => Promise<void> };
let db: Db;
let lab: OpensslLab;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb({ databaseUrl: database.url, poolMax: 2 });
  await migrateLatest(db);
  lab = new OpensslLab();
});
afterAll(async () => {
  await db.destroy();
  await database.drop();
  lab.cleanup();
});

test('x12.transport "as2" without as2 settings, or without as2.url, is refused and no partner is created', async () => {
  const base = examplePartner();
  const bare = examplePartner({ id: 'as2-guard', x12: { ...base.x12!, transport: 'as2' } });
  await expect(upsertPartner(db, bare)).rejects.toMatchObject({ code: 'validation_failed' });
  const cert = readFileSync(lab.identity('p').certPath, 'utf8');
  const noUrl = examplePartner({
    id: 'as2-guard',
    x12: { ...base.x12!, transport: 'as2' },
    as2: { id: 'GUARD', certificates: [cert] } as never,
  });
  await expect(upsertPartner(db, noUrl)).rejects.toMatchObject({ code: 'validation_failed' });
  expect(await db('partners').where({ id: 'as2-guard' }).first()).toBeUndefined();
});

test('with as2 settings and as2.url the partner is accepted and its X12 goes by AS2', async () => {
  const base = examplePartner();
  const cert = readFileSync(lab.identity('q').certPath, 'utf8');
  const input = examplePartner({
    id: 'as2-ok',
    cxml: undefined,
    oci: undefined,
    x12: { ...base.x12!, isaId: 'AS2OK', transport: 'as2' },
    as2: { id: 'OK', url: 'https://as2.acme.example/as2', certificates: [cert] } as never,
  });
  const { partner } = await upsertPartner(db, input);
  expect(x12DeliveryTarget(partner)).toEqual({ transport: 'as2', url: 'https://as2.acme.example/as2' });
});

test('x12.transport "http" is still accepted', async () => {
  const base = examplePartner();
  const input = examplePartner({ id: 'http-ok', x12: { ...base.x12!, transport: 'http' } });
  await expect(upsertPartner(db, input)).resolves.toMatchObject({ created: true });
});
