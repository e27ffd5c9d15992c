import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse850, parse855, parseX12 } from '../../../protocols/x12';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { csvObjects } from '../../../src/catalog/csv';
import { importCatalog, importPriceLists } from '../../../src/catalog/service';
import { ingestX12 } from '../../../src/edi/intake';
import { sendOrderAck855, sendX12Document } from '../../../src/edi/outbound';
import { sendOrderConfirmation } from '../../../src/orders/outbound';
import { findPartner } from '../../../src/partners/repository';
import { createTestEnv, waitFor, type TestEnv } from '../../helpers/env';
import { examplePartner, seedPartner } from '../../helpers/partners';

let env: TestEnv;
let server: Server;
const received: { contentType: string; body: string }[] = [];

const PO = [
  'ISA*00*          *00*          *ZZ*ACMEBUYER      *ZZ*SUPPLIERDEMO   *261120*1200*U*00401*000000301*0*P*>',
  'GS*PO*ACMEBUYER*SUPPLIERDEMO*20261120*1200*9*X*004010',
  'ST*850*0001',
  'BEG*00*SA*PO-OUT-1**20261120',
  'PO1*1*3*BX*4.50**VP*PEN-BLU-12',
  'PO1*2*1*RM*5.20**VP*PAP-A4-500',
  'CTT*2',
  'SE*6*0001',
  'GE*1*9',
  'IEA*1*000000301',
].join('~');

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        contentType: req.headers['content-type'] ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  env = await createTestEnv();
  const base = examplePartner();
  await seedPartner(env.db, {
    x12: {
      ...base.x12!,
      version: '005010',
      delimiters: { element: '|', component: ':', segment: '\n' },
      outboundUrl: `http://127.0.0.1:${port}/x12`,
    },
  });
});
afterAll(async () => {
  await env.close();
  await new Promise((resolve) => server.close(resolve));
});

describe('sendX12Document', () => {
  it("delivers an 855 in the partner's version and delimiters with consecutive control numbers", async () => {
    const order = parse850(parseX12(PO).transactionSets[0]!).order!;
    const partner = (await findPartner(env.db, 'acme'))!;
    const send = () =>
      env.db.transaction((trx) =>
        sendX12Document(trx, env.ctx, partner, {
          kind: '855',
          order,
          statuses: [
            { lineNumber: 1, status: 'accept' },
            { lineNumber: 2, status: 'reject' },
          ],
          options: { ackDate: '2026-11-21' },
        }),
      );
    const first = await send();
    const second = await send();
    expect(second.controlNumbers).toEqual({
      isa: first.controlNumbers.isa + 1,
      gs: first.controlNumbers.gs + 1,
      st: first.controlNumbers.st + 1,
    });

    await waitFor(() => Promise.resolve(received.length >= 2 ? received : undefined));
    const bodies = received.map((r) => r.body).sort();
    expect(bodies).toEqual([first.content, second.content].sort());

    const doc = parseX12(first.content);
    expect(doc.errors).toEqual([]);
    const isa = doc.interchanges[0]!.header;
    expect(isa.version).toBe('00501');
    expect(isa.delimiters.element).toBe('|');
    expect(`${isa.receiverQualifier}:${isa.receiverId}`).toBe('ZZ:ACMEBUYER');
    const ack = parse855(doc.transactionSets[0]!).ack!;
    expect(ack.buyerOrderNumber).toBe('PO-OUT-1');
    expect(ack.lines.map((l) => l.status)).toEqual(['accept', 'reject']);

    const stored = await env.db('documents').where({ id: first.documentId }).first();
    expect(stored.content.toString('utf8')).toBe(first.content);
    expect(stored.doc_type).toBe('855');
  });

  it('sends an 855 accepting every line of an order taken from an 850', async () => {
    const contracts = path.resolve(__dirname, '../../../fixtures/contracts');
    const csv = (f: string) => csvObjects(readFileSync(path.join(contracts, f), 'utf8')).rows;
    await importCatalog(env.db, csv('catalog.example.csv'));
    await importPriceLists(env.db, csv('price-list.example.csv'));
    const taken = await ingestX12(env.ctx, Buffer.from(PO), { actor: 'test' });
    const orderId = taken.sets[0]!.order?.orderId;
    expect(orderId).toBeDefined();

    const sent = await env.db.transaction((trx) => sendOrderAck855(trx, env.ctx, orderId!, 'accept'));
    const ack = parse855(parseX12(sent.content).transactionSets[0]!).ack!;
    expect(ack.buyerOrderNumber).toBe('PO-OUT-1');
    // BAK08 is the order's short supplier order number, not a cut UUID.
    const { supplier_order_number } = await env.db('orders').where({ id: orderId }).first();
    expect(supplier_order_number).toMatch(/^SO-\d{6}$/);
    expect(ack.supplierOrderNumber).toBe(supplier_order_number);
    expect(ack.lines.map((l) => [l.lineNumber, l.status])).toEqual([
      [1, 'accept'],
      [2, 'accept'],
    ]);
    const stored = await env.db('documents').where({ id: sent.documentId }).first();
    expect(stored.order_id).toBe(orderId);
    await waitFor(() => Promise.resolve(received.some((r) => r.body === sent.content) ? true : undefined));
  });

  it('a partner whose outboundFormats is x12 gets an 855, not a ConfirmationRequest, when an order is rejected', async () => {
    const order = await env.db('orders').where({ buyer_order_number: 'PO-OUT-1' }).first();
    // Let the order's own jobs (approval, its confirmation) finish, so only this call adds documents.
    await waitFor(async () => {
      const open = await env
        .db('outbox')
        .whereNull('completed_at')
        .whereNull('failed_at')
        .count<{ c: string }[]>({ c: '*' });
      return Number(open[0]!.c) === 0;
    });
    await env
      .db('partners')
      .where({ id: order.partner_id })
      .update({ settings: env.db.raw(`settings || '{"outboundFormats":["x12"]}'::jsonb`) });
    const before = await env
      .db('documents')
      .where({ order_id: order.id, direction: 'out' })
      .count<{ c: string }[]>({ c: '*' });
    const cxml = await env.db.transaction((trx) =>
      sendOrderConfirmation(trx, env.ctx, order.id, { kind: 'reject', reason: 'out of stock' }),
    );
    expect(cxml).toBeNull();
    const docs = await env
      .db('documents')
      .where({ order_id: order.id, direction: 'out' })
      .orderBy('created_at');
    expect(docs.length).toBe(Number(before[0]!.c) + 1);
    const last = docs[docs.length - 1];
    expect(last.protocol).toBe('x12');
    const ack = parse855(parseX12(last.content.toString('utf8')).transactionSets[0]!).ack!;
    expect(ack.lines.every((l) => l.status === 'reject')).toBe(true);
  });
});
