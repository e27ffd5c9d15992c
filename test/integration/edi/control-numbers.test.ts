import { nextControlNumber } from '../../../src/edi/control-numbers';
import { createTestEnv, type TestEnv } from '../../helpers/env';
import { seedPartner } from '../../helpers/partners';

let env: TestEnv;

beforeAll(async () => {
  env = await createTestEnv({ start: false });
  await seedPartner(env.db);
  await seedPartner(env.db, {
    id: 'globex',
    name: 'Globex',
    x12: undefined,
    cxml: undefined,
    oci: undefined,
  });
});
afterAll(async () => {
  await env.close();
});

describe('nextControlNumber', () => {
  it('hands 20 concurrent transactions 20 distinct consecutive numbers', async () => {
    const numbers = await Promise.all(
      Array.from({ length: 20 }, () => env.db.transaction((trx) => nextControlNumber(trx, 'acme', 'isa'))),
    );
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('keeps separate sequences per partner and envelope level', async () => {
    const gs = await env.db.transaction((trx) => nextControlNumber(trx, 'acme', 'gs'));
    const other = await env.db.transaction((trx) => nextControlNumber(trx, 'globex', 'isa'));
    const isa = await env.db.transaction((trx) => nextControlNumber(trx, 'acme', 'isa'));
    expect({ gs, other, isa }).toEqual({ gs: 1, other: 1, isa: 21 });
  });

  it('gives a number back when its transaction rolls back, leaving no gap', async () => {
    const before = await env.db.transaction((trx) => nextControlNumber(trx, 'acme', 'st'));
    await expect(
      env.db.transaction(async (trx) => {
        await nextControlNumber(trx, 'acme', 'st');
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const after = await env.db.transaction((trx) => nextControlNumber(trx, 'acme', 'st'));
    expect(after).toBe(before + 1);
  });
});
