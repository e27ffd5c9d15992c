import {
  INVOICE_NUMBERS,
  nextControlNumber,
  nextGapless,
  supplierOrderNumberOf,
} from '../../../src/platform/sequences';
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

describe('nextGapless', () => {
  it('numbers invoices with their prefix and padding, consecutive under concurrency', async () => {
    const issued = await Promise.all(
      Array.from({ length: 10 }, () => env.db.transaction((trx) => nextGapless(trx, INVOICE_NUMBERS))),
    );
    expect(issued.map((n) => n.text).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `INV-${String(i + 1).padStart(6, '0')}`),
    );
  });

  it('starts again at 1 after wrapAfter (X12 control numbers after 999999999)', async () => {
    await env
      .db('number_sequences')
      .insert({ name: 'x12:acme:out:gs', next_value: 999_999_999, prefix: '', pad: 0 })
      .onConflict('name')
      .merge();
    const last = await env.db.transaction((trx) => nextControlNumber(trx, 'acme', 'gs'));
    const first = await env.db.transaction((trx) => nextControlNumber(trx, 'acme', 'gs'));
    expect([last, first]).toEqual([999_999_999, 1]);
  });

  it('keeps the series in the one number_sequences table (no second counter table)', async () => {
    const names = (await env.db('number_sequences').select('name')).map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['invoice', 'x12:acme:out:isa', 'x12:globex:out:isa']));
    expect(await env.db.schema.hasTable('x12_control_numbers')).toBe(false);
  });
});

describe('supplier order numbers', () => {
  it('are the prefix and at least six digits', () => {
    expect(supplierOrderNumberOf('SO-', 42)).toBe('SO-000042');
    expect(supplierOrderNumberOf('', 1234567)).toBe('1234567');
  });
});
