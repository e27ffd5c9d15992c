import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseX12 } from '../../../protocols/x12';
import { csvObjects } from '../../../src/catalog/csv';
import { importCatalog, importPriceLists } from '../../../src/catalog/service';
import { describeOutcome, ingestX12Files } from '../../../src/edi/ingest-files';
import { createTestEnv, type TestEnv } from '../../helpers/env';
import { seedPartner } from '../../helpers/partners';

let env: TestEnv;
let dir: string;

const X12 = [
  'ISA*00*          *00*          *ZZ*ACMEBUYER      *ZZ*SUPPLIERDEMO   *261120*1200*U*00401*000000201*0*P*>',
  'GS*PO*ACMEBUYER*SUPPLIERDEMO*20261120*1200*5*X*004010',
  'ST*850*0001',
  'BEG*00*SA*PO-FILE-1**20261120',
  'PO1*1*3*BX*4.50**VP*PEN-BLU-12',
  'CTT*1',
  'SE*5*0001',
  'GE*1*5',
  'IEA*1*000000201',
]
  .map((s) => `${s}~\r\n`)
  .join('');

beforeAll(async () => {
  env = await createTestEnv({ start: false });
  const contracts = path.resolve(__dirname, '../../../fixtures/contracts');
  const csv = (f: string) => csvObjects(readFileSync(path.join(contracts, f), 'utf8')).rows;
  await importCatalog(env.db, csv('catalog.example.csv'));
  await importPriceLists(env.db, csv('price-list.example.csv'));
  await seedPartner(env.db);
  dir = mkdtempSync(path.join(tmpdir(), 'edi-ingest-'));
});
afterAll(async () => {
  await env.close();
});

describe('ingestX12Files (gateway edi ingest)', () => {
  it('takes each file through the X12 intake, reports progress in bytes and keeps going after a bad file', async () => {
    const good = path.join(dir, 'po.x12');
    const bad = path.join(dir, 'junk.txt');
    writeFileSync(good, X12);
    writeFileSync(bad, 'not an interchange');
    const progress: number[] = [];
    let total = 0;
    const outcomes = await ingestX12Files(env.ctx, [bad, good, good], {
      onStart: (t) => (total = t),
      onBytes: (d) => progress.push(d),
    });
    expect(total).toBe(Buffer.byteLength(X12) * 2 + 'not an interchange'.length);
    expect(progress[progress.length - 1]).toBe(total);

    expect(outcomes[0].error).toMatch(/segment 1/);
    expect(outcomes[1].result?.duplicate).toBe(false);
    expect(outcomes[1].result?.sets[0].order?.outcome).toBe('accepted');
    expect(outcomes[2].result?.duplicate).toBe(true);
    expect(outcomes[2].result?.ack.equals(outcomes[1].result!.ack)).toBe(true);
    expect(parseX12(outcomes[1].result!.ack).transactionSets[0].id).toBe('997');
    expect(describeOutcome(outcomes[1])).toMatch(/1 order\(s\) accepted/);

    const orders = await env.db('orders').where({ partner_id: 'acme', buyer_order_number: 'PO-FILE-1' });
    expect(orders).toHaveLength(1);
  });
});
