import { createDb, migrateLatest, migrateRollbackAll } from '../../../src/platform/db';
import { createTestDatabase } from '../../helpers/env';

describe('migrations on Postgres', () => {
  it('run up, down and up again', async () => {
    const database = await createTestDatabase();
    const db = createDb({ databaseUrl: database.url });
    try {
      const applied = await migrateLatest(db);
      expect(applied.length).toBeGreaterThanOrEqual(6);
      expect(await db.schema.hasTable('outbox')).toBe(true);
      await migrateRollbackAll(db);
      expect(await db.schema.hasTable('partners')).toBe(false);
      expect(await db.schema.hasTable('outbox')).toBe(false);
      expect(await migrateLatest(db)).toEqual(applied);
      expect(await db.schema.hasTable('invoices')).toBe(true);
    } finally {
      await db.destroy();
      await database.drop();
    }
  });
});
