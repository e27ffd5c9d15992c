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

    expect(outcomes[0]!.error).toMatch(/segment 1/);
    expect(outcomes[1]!.result?.duplicate).toBe(false);
    expect(outcomes[1]!.result?.sets[0]!.order?.outcome).toBe('accepted');
    expect(outcomes[2]!.result?.duplicate).toBe(true);
    expect(outcomes[2]!.result?.ack.equals(outcomes[1]!.result!.ack)).toBe(true);
    expect(parseX12(outcomes[1]!.result!.ack).transactionSets[0]!.id).toBe('997');
    expect(describeOutcome(outcomes[1]!)).toMatch(/1 order\(s\) accepted/);

    const orders = await env.db('orders').where({ partner_id: 'acme', buyer_order_number: 'PO-FILE-1' });
    expect(orders).toHaveLength(1);
  });

  it('streams a file of several interchanges read in small chunks: each taken on its own, verbatim, before the file is read to the end', async () => {
    // Three delimiter sets; 64-byte reads cut ISAs, segments and terminators anywhere.
    const styles = [
      { e: '*', t: '~', nl: '\r\n' },
      { e: '|', t: '\n', nl: '' },
      { e: '*', t: '~', nl: '' },
    ];
    const interchanges = Array.from({ length: 12 }, (_, i) => {
      const { e, t, nl } = styles[i % styles.length]!;
      const isa13 = String(500 + i).padStart(9, '0');
      return [
        `ISA*00*          *00*          *ZZ*ACMEBUYER      *ZZ*SUPPLIERDEMO   *261120*1200*U*00401*${isa13}*0*P*>`,
        `GS*PO*ACMEBUYER*SUPPLIERDEMO*20261120*1200*${i + 1}*X*004010`,
        `ST*850*${String(i + 1).padStart(4, '0')}`,
        `BEG*00*SA*PO-STREAM-${i + 1}**20261120`,
        'PO1*1*3*BX*4.50**VP*PEN-BLU-12',
        'CTT*1',
        `SE*5*${String(i + 1).padStart(4, '0')}`,
        `GE*1*${i + 1}`,
        `IEA*1*${isa13}`,
      ]
        .map((seg) => seg.replaceAll('*', e) + t + nl)
        .join('');
    });
    const file = path.join(dir, 'batch.x12');
    const content = interchanges.join('');
    writeFileSync(file, content);
    const readWhenTaken: number[] = [];
    const outcome = (
      await ingestX12Files(env.ctx, [file], {
        highWaterMark: 64,
        onInterchange: (_r, done) => readWhenTaken.push(done),
      })
    )[0]!;

    expect(outcome.error).toBeUndefined();
    expect(outcome.interchanges).toHaveLength(12);
    expect(outcome.interchanges.every((r) => !r.duplicate && r.sets[0]!.order?.outcome === 'accepted')).toBe(
      true,
    );
    // Streaming: the first interchange was taken while most of the file was still unread.
    expect(readWhenTaken[0]).toBeLessThan(content.length / 2);
    expect(readWhenTaken).toEqual([...readWhenTaken].sort((a, b) => a - b));

    const orders = await env
      .db('orders')
      .where({ partner_id: 'acme' })
      .whereLike('buyer_order_number', 'PO-STREAM-%');
    expect(orders).toHaveLength(12);
    // Each interchange stored verbatim as its own inbound document.
    const stored = await env
      .db('documents')
      .whereIn(
        'id',
        outcome.interchanges.map((r) => r.inboundDocumentId),
      )
      .select('id', 'content');
    const byId = new Map(
      stored.map((d: { id: string; content: Buffer }) => [d.id, d.content.toString('utf8')]),
    );
    expect(outcome.interchanges.map((r) => byId.get(r.inboundDocumentId))).toEqual(interchanges);
    // One 997 per interchange, each for its own group.
    const acks = parseX12(outcome.result!.ack);
    expect(acks.errors).toEqual([]);
    expect(acks.transactionSets.map((t) => [t.id, t.segments[1]!.text(2)])).toEqual(
      interchanges.map((_, i) => ['997', String(i + 1)]),
    );
    expect(describeOutcome(outcome)).toMatch(
      /12 interchange\(s\), 12 set\(s\), 0 rejected, 12 order\(s\) accepted/,
    );

    // The same file again: every interchange replays its first acknowledgment, nothing new.
    const again = (await ingestX12Files(env.ctx, [file], { highWaterMark: 100 }))[0]!;
    expect(again.interchanges.map((r) => r.duplicate)).toEqual(interchanges.map(() => true));
    expect(again.result!.ack.equals(outcome.result!.ack)).toBe(true);
    const after = await env.db('orders').whereLike('buyer_order_number', 'PO-STREAM-%');
    expect(after).toHaveLength(12);
  });

  it('a bad interchange in a file is reported with its byte offset and the others are taken', async () => {
    const good = X12.replaceAll('000000201', '000000601').replace('PO-FILE-1', 'PO-FILE-601');
    const unknown = X12.replaceAll('000000201', '000000602').replace('ACMEBUYER      ', 'NOBODY         ');
    const file = path.join(dir, 'mixed.x12');
    writeFileSync(file, unknown + good);
    const outcome = (await ingestX12Files(env.ctx, [file], { highWaterMark: 50 }))[0]!;
    expect(outcome.error).toMatch(/^at byte 0: .*NOBODY/);
    expect(outcome.interchanges).toHaveLength(1);
    expect(outcome.result?.sets[0]!.order?.outcome).toBe('accepted');
    expect(await env.db('orders').where({ buyer_order_number: 'PO-FILE-601' })).toHaveLength(1);
  });
});
