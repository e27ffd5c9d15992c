/**
 * X12 control numbers are taken in one order everywhere (ISA13, then GS06, then ST02): the 997/999
 * answer of an inbound interchange (a server) and an outbound 855/856/810 (a worker) for the same
 * partner at the same time queue behind each other instead of deadlocking. The soak found it: with
 * the answer taking ST02 first, Postgres broke the tie by failing one of them ("deadlock detected"),
 * a 500 to the partner's resends for as long as the worker kept sending.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { csvObjects } from '../../../src/catalog/csv';
import { importCatalog, importPriceLists } from '../../../src/catalog/service';
import { ingestX12 } from '../../../src/edi/intake';
import { nextControlNumber } from '../../../src/platform/sequences';
import { createTestEnv, type TestEnv } from '../../helpers/env';
import { seedPartner } from '../../helpers/partners';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv({ start: false });
  const contracts = path.resolve(__dirname, '../../../fixtures/contracts');
  const csv = (f: string) => csvObjects(readFileSync(path.join(contracts, f), 'utf8')).rows;
  await importCatalog(env.db, csv('catalog.example.csv'));
  await importPriceLists(env.db, csv('price-list.example.csv'));
  await seedPartner(env.db, {
    id: 'initech',
    name: 'Initech',
    cxml: undefined,
    oci: undefined,
    outboundFormats: ['x12'],
    x12: { isaQualifier: 'ZZ', isaId: 'INITECH', gsId: 'INITECH', version: '004010', ta1: false },
  });
});
afterAll(() => env.close());

function interchange(isa13: string, po = 'PO-ORDER-1'): Buffer {
  const body = [`BEG*00*SA*${po}**20261120`, 'CUR*BY*USD', 'PO1*1*3*BX*4.50**VP*PEN-BLU-12', 'CTT*1'];
  return Buffer.from(
    [
      `ISA*00*          *00*          *ZZ*INITECH        *ZZ*SUPPLIERDEMO   *261120*1200*U*00401*${isa13}*0*P*>`,
      `GS*PO*INITECH*SUPPLIERDEMO*20261120*1200*${Number(isa13)}*X*004010`,
      'ST*850*0001',
      ...body,
      `SE*${body.length + 2}*0001`,
      `GE*1*${Number(isa13)}`,
      `IEA*1*${isa13}`,
    ]
      .map((s) => `${s}~\n`)
      .join(''),
  );
}

it('an inbound answer and an outbound document for one partner at once: both get their numbers, neither deadlocks', async () => {
  // Every series exists (the first answer creates them); the order is accepted (no 855 at intake).
  const first = await ingestX12(env.ctx, interchange('000000001'), {
    scopePartnerId: 'initech',
    actor: 'test',
  });
  expect(first.sets.map((s) => s.result)).toEqual(['ordered']);

  // An outbound document's transaction, as src/edi/outbound.ts takes them: ISA13 first...
  const outbound = await env.db.transaction();
  try {
    const isa = await nextControlNumber(outbound, 'initech', 'isa');
    // ...meanwhile the answer to an inbound interchange wants numbers of the same partner...
    const inbound = ingestX12(env.ctx, interchange('000000002', 'PO-ORDER-2'), {
      scopePartnerId: 'initech',
      actor: 'test',
    });
    await new Promise((r) => setTimeout(r, 300));
    // ...and the outbound one goes on to GS06 and ST02 (Postgres checks for deadlocks after 1 s).
    const gs = await nextControlNumber(outbound, 'initech', 'gs');
    const st = await nextControlNumber(outbound, 'initech', 'st');
    await outbound.commit();
    expect([isa, gs, st]).toEqual([2, 2, 2]);
    // The answer waited for the outbound transaction and took the numbers after it.
    const answer = (await inbound).ack.toString('utf8');
    expect(answer).toMatch(/^ISA(\*[^*]*){12}\*000000003\*/);
    expect(answer).toContain('*3*X*004010~');
    expect(answer).toContain('ST*997*0003~');
  } finally {
    if (!outbound.isCompleted()) await outbound.rollback();
  }
});
