/**
 * X12 envelope rules and acknowledgment reconciliation, through POST /edi/x12 on real Postgres:
 * what is created, what is answered and what is recorded for an 850 addressed to another ISA08, a
 * test interchange, a TA1-rejected interchange, an inbound 997 for an outbound 855, a set that intake
 * refuses (855 RJ), a PO1 without unit price (both partner settings), and an interchange of many
 * orders stored once.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { parse855, parseFunctionalAck, parseX12, type X12Document } from '../../../protocols/x12';
import { createApp } from '../../../src/app';
import { csvObjects } from '../../../src/catalog/csv';
import { importCatalog, importPriceLists } from '../../../src/catalog/service';
import { x12AckMetrics } from '../../../src/edi/acknowledgments';
import { sendOrderAck855, sendShipNotice856 } from '../../../src/edi/outbound';
import { ADMIN_TOKEN, auth, createTestEnv, type TestEnv } from '../../helpers/env';
import { examplePartner, seedPartner } from '../../helpers/partners';

let env: TestEnv;
let app: Express;
let erpKey: string;

interface Opts {
  isa13: string;
  receiver?: string;
  gs03?: string;
  usage?: 'P' | 'T';
  ackRequested?: boolean;
  isaDate?: string;
  sets: string[][];
  functionalId?: string;
}

/** An interchange from ACMEBUYER, by default to the supplier (ZZ:SUPPLIERDEMO), production. */
function interchange(o: Opts): string {
  const receiver = (o.receiver ?? 'SUPPLIERDEMO').padEnd(15, ' ');
  const sets = o.sets.flatMap((body, i) => {
    const st = String(i + 1).padStart(4, '0');
    return [`ST*${body[0]}*${st}`, ...body.slice(1), `SE*${body.length + 1}*${st}`];
  });
  return [
    `ISA*00*          *00*          *ZZ*ACMEBUYER      *ZZ*${receiver}*${o.isaDate ?? '261120'}*1200*U*00401*${o.isa13}*${o.ackRequested ? '1' : '0'}*${o.usage ?? 'P'}*>`,
    `GS*${o.functionalId ?? 'PO'}*ACMEBUYER*${o.gs03 ?? 'SUPPLIERDEMO'}*20261120*1200*77*X*004010`,
    ...sets,
    `GE*${o.sets.length}*77`,
    `IEA*1*${o.isa13}`,
  ]
    .map((s) => `${s}~\n`)
    .join('');
}

const po850 = (po: string, lines = ['PO1*1*2*BX*4.50**VP*PEN-BLU-12']): string[] => [
  '850',
  `BEG*00*SA*${po}**20261120`,
  'CUR*BY*USD',
  ...lines,
  `CTT*${lines.length}`,
];

function post(body: string, key = erpKey) {
  return request(app)
    .post('/edi/x12')
    .set(auth(key))
    .set('Content-Type', 'application/edi-x12')
    .send(Buffer.from(body))
    .buffer(true)
    .parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks).toString('utf8')));
    });
}

function answerOf(text: string): {
  doc: X12Document;
  ta1s: string[][];
  acks: ReturnType<typeof parseFunctionalAck>['ack'][];
} {
  const doc = parseX12(text);
  expect(doc.errors).toEqual([]);
  return {
    doc,
    ta1s: doc.interchanges.flatMap((i) =>
      i.interchangeAcks.map((s) => [1, 2, 3, 4, 5].map((n) => s.text(n))),
    ),
    acks: doc.transactionSets.filter((s) => s.id === '997').map((s) => parseFunctionalAck(s).ack),
  };
}

const ordersOf = (po: string) => env.db('orders').where({ partner_id: 'acme', buyer_order_number: po });
const inboundOf = (isa13: string) =>
  env
    .db('documents')
    .where({ partner_id: 'acme', protocol: 'x12', direction: 'in' })
    .whereLike('external_id', `%|${isa13}`)
    .first();

beforeAll(async () => {
  env = await createTestEnv({ start: false });
  app = createApp(env.ctx);
  const contracts = path.resolve(__dirname, '../../../fixtures/contracts');
  const csv = (f: string) => csvObjects(readFileSync(path.join(contracts, f), 'utf8')).rows;
  await importCatalog(env.db, csv('catalog.example.csv'));
  await importPriceLists(env.db, csv('price-list.example.csv'));
  const base = examplePartner();
  ({ erpKey } = await seedPartner(env.db, {
    x12: { ...base.x12!, outboundUrl: undefined, ta1: false },
    outboundFormats: ['x12'],
  }));
});
afterAll(async () => {
  await env.close();
});

async function setX12(settings: Record<string, unknown>): Promise<void> {
  const row = await env.db('partners').where({ id: 'acme' }).first('settings');
  await env
    .db('partners')
    .where({ id: 'acme' })
    .update({ settings: JSON.stringify({ ...row.settings, x12: { ...row.settings.x12, ...settings } }) });
}

describe('ISA07/ISA08 and GS03 must name the supplier', () => {
  it('an 850 to another ISA08 creates nothing and is answered with TA1 R 008 when a TA1 is asked for', async () => {
    const res = await post(
      interchange({
        isa13: '000000501',
        receiver: 'SOMEONEELSE',
        ackRequested: true,
        sets: [po850('PO-ENV-1')],
      }),
    );
    expect(res.status).toBe(200);
    const a = answerOf(res.body);
    expect(a.ta1s).toEqual([['000000501', '261120', '1200', 'R', '008']]);
    expect(a.acks).toEqual([]); // a TA1 rejection is the whole answer
    expect(await ordersOf('PO-ENV-1')).toEqual([]);
    const inbound = await inboundOf('000000501');
    expect(inbound.status).toBe('rejected');
    expect(inbound.error).toContain('ISA08 "SOMEONEELSE" does not name this supplier');
    // Only the refusal is recorded: the interchange and the answer, no 850 set, no order document.
    const docs = await env.db('documents').where({ partner_id: 'acme' }).whereNot({ id: inbound.id });
    expect(docs.filter((d: { doc_type: string }) => d.doc_type === '850')).toEqual([]);
  });

  it('without a TA1 asked for, the 997 rejects every set (AK5 R, AK9 R) and nothing is created', async () => {
    const res = await post(
      interchange({ isa13: '000000502', receiver: 'SOMEONEELSE', sets: [po850('PO-ENV-2')] }),
    );
    const a = answerOf(res.body);
    expect(a.ta1s).toEqual([]);
    expect(a.acks[0]).toMatchObject({
      status: 'R',
      accepted: 0,
      sets: [expect.objectContaining({ status: 'R' })],
    });
    expect(await ordersOf('PO-ENV-2')).toEqual([]);
  });

  it('a group whose GS03 names someone else is rejected with AK9 code 1', async () => {
    const res = await post(interchange({ isa13: '000000503', gs03: 'OTHERAPP', sets: [po850('PO-ENV-3')] }));
    const a = answerOf(res.body);
    expect(a.acks[0]).toMatchObject({ status: 'R', codes: ['1'] });
    expect(await ordersOf('PO-ENV-3')).toEqual([]);
    expect((await inboundOf('000000503')).error).toContain('GS03 "OTHERAPP" does not name this supplier');
  });
});

describe('test interchanges (ISA15 T)', () => {
  it('are acknowledged and validated but create no order', async () => {
    const res = await post(
      interchange({ isa13: '000000511', usage: 'T', sets: [po850('PO-TEST-1'), ['850', 'BEG*00*SA']] }),
    );
    const a = answerOf(res.body);
    expect(a.doc.interchanges[0]!.header.usage).toBe('T');
    // Validated: the good set accepted, the bad one (BEG without date) rejected.
    expect(a.acks[0]!.sets.map((s) => s.status)).toEqual(['A', 'R']);
    expect(await ordersOf('PO-TEST-1')).toEqual([]);
    expect((await inboundOf('000000511')).error).toContain('test interchange (ISA15 T)');
  });

  it('become test orders for a partner with x12.acceptTestInterchanges, answered as test interchanges', async () => {
    await setX12({ acceptTestInterchanges: true });
    try {
      await post(interchange({ isa13: '000000512', usage: 'T', sets: [po850('PO-TEST-2')] })).expect(200);
      const [order] = await ordersOf('PO-TEST-2');
      expect(order.deployment_mode).toBe('test');
      const sent = await env.db.transaction((trx) => sendOrderAck855(trx, env.ctx, order.id, 'accept'));
      expect(parseX12(sent.content).interchanges[0]!.header.usage).toBe('T');
    } finally {
      await setX12({ acceptTestInterchanges: false });
    }
  });
});

describe('a TA1 rejection', () => {
  it('means nothing in the interchange is processed: TA1 R alone, no AK9 A, no order', async () => {
    // ISA09 is not a date (month 13): the interchange header is invalid.
    const res = await post(
      interchange({ isa13: '000000521', isaDate: '261320', ackRequested: true, sets: [po850('PO-TA1-1')] }),
    );
    const a = answerOf(res.body);
    expect(a.ta1s).toEqual([['000000521', '261320', '1200', 'R', '014']]);
    expect(a.acks).toEqual([]);
    expect(await ordersOf('PO-TA1-1')).toEqual([]);
  });

  it('of x12.850.issue135.edi names ISA16 ("~" declared as component separator, used as terminator)', async () => {
    const file = readFileSync(
      path.resolve(
        __dirname,
        '../../../fixtures/x12/corpus/indice-co__EDI.Net/test/indice.Edi.Tests/Samples/x12.850.issue135.edi',
      ),
      'utf8',
    );
    // The sample's envelope, sent by this partner to this supplier with a TA1 asked for.
    const text = file
      .replace('*01*049351117      *ZZ*BARSAN         *', '*ZZ*ACMEBUYER      *ZZ*SUPPLIERDEMO   *')
      .replace('*0*T*~', '*1*P*~');
    const res = await post(text);
    expect(res.status).toBe(200); // was 500: AK202 contains the delimiter "~"
    expect(answerOf(res.body).ta1s).toEqual([['000000001', '190805', '1134', 'R', '027']]);
    expect(await ordersOf('740150')).toEqual([]);
  });
});

describe('acknowledgments the partner sends', () => {
  it('an inbound 997 for an outbound 855 is not answered and shows on the 855 in the documents API', async () => {
    await post(interchange({ isa13: '000000531', sets: [po850('PO-ACK-1')] })).expect(200);
    const [order] = await ordersOf('PO-ACK-1');
    const sent = await env.db.transaction((trx) => sendOrderAck855(trx, env.ctx, order.id, 'accept'));
    const list = async () =>
      (
        await request(app)
          .get(`/api/v1/documents?order=${order.id}&direction=out`)
          .set(auth(ADMIN_TOKEN))
          .expect(200)
      ).body.documents.find((d: { id: string }) => d.id === sent.documentId);
    expect((await list()).acknowledgment).toMatchObject({ state: 'pending', setId: '855' });

    const { gs, st } = sent.controlNumbers;
    const stText = String(st).padStart(4, '0');
    const outboundBefore = await env
      .db('documents')
      .where({ partner_id: 'acme', direction: 'out' })
      .count({ n: '*' });
    const ack997 = interchange({
      isa13: '000000532',
      functionalId: 'FA',
      sets: [['997', `AK1*PR*${gs}`, `AK2*855*${stText}`, 'AK5*A', 'AK9*A*1*1*1']],
    });
    const res = await post(ack997);
    expect(res.status).toBe(204); // an acknowledgment is never acknowledged
    expect(res.body).toBe('');
    const outboundAfter = await env
      .db('documents')
      .where({ partner_id: 'acme', direction: 'out' })
      .count({ n: '*' });
    expect(outboundAfter).toEqual(outboundBefore);
    const inbound = await inboundOf('000000532');
    expect(inbound).toMatchObject({ doc_type: '997', status: 'recorded', error: null });
    const shown = await list();
    expect(shown.acknowledgment).toMatchObject({
      state: 'accepted',
      acknowledgmentDocumentId: inbound.id,
      controlNumbers: { group: gs, set: stText },
    });

    // The same order's 856, rejected by the partner's 997 with the segment and element at fault.
    const shipped = await env.db.transaction((trx) =>
      sendShipNotice856(trx, env.ctx, order.id, {
        shipmentId: 'SHP-ACK-1',
        buyerOrderNumber: 'PO-ACK-1',
        shippedAt: '2026-11-21T10:00:00Z',
        lines: [{ lineNumber: 1, quantity: '2', unitOfMeasure: 'BX' }],
      }),
    );
    await post(
      interchange({
        isa13: '000000533',
        functionalId: 'FA',
        sets: [
          [
            '997',
            `AK1*SH*${shipped.controlNumbers.gs}`,
            `AK2*856*${String(shipped.controlNumbers.st).padStart(4, '0')}`,
            'AK3*TD5*4**8',
            'AK4*3**7*XX',
            'AK5*R*5',
            'AK9*R*1*1*0',
          ],
        ],
      }),
    ).expect(204);
    const rejected = (
      await request(app)
        .get(`/api/v1/documents?order=${order.id}&type=856`)
        .set(auth(ADMIN_TOKEN))
        .expect(200)
    ).body.documents[0];
    expect(rejected.acknowledgment).toMatchObject({
      state: 'rejected',
      detail: {
        kind: '997',
        setStatus: 'R',
        setCodes: ['5'],
        segments: [
          {
            segmentId: 'TD5',
            position: 4,
            code: '8',
            elements: [{ position: '3', code: '7', badValue: 'XX' }],
          },
        ],
      },
    });
    // The order page lists the same states.
    const page = await request(app).get(`/api/v1/orders/${order.id}`).set(auth(ADMIN_TOKEN)).expect(200);
    const states = page.body.documents
      .filter((d: { acknowledgment?: unknown }) => d.acknowledgment)
      .map((d: { type: string; acknowledgment: { state: string } }) => `${d.type}:${d.acknowledgment.state}`);
    expect(states.sort()).toEqual(['855:accepted', '856:rejected']);
  });

  it('counts outbound sets per state for the metrics endpoint, overdue after x12.ackWithinHours', async () => {
    const [order] = await ordersOf('PO-ACK-1');
    const late = await env.db.transaction((trx) => sendOrderAck855(trx, env.ctx, order.id, 'accept'));
    await env
      .db('x12_outbound_sets')
      .where({ document_id: late.documentId })
      .update({
        created_at: env.db.raw(`now() - interval '25 hours'`),
      });
    const metrics = await x12AckMetrics(env.db, new Date());
    const acme = Object.fromEntries(
      metrics.filter((m) => m.partnerId === 'acme').map((m) => [m.state, m.count]),
    );
    expect(acme).toMatchObject({ accepted: 1, rejected: 1, overdue: 1 });
    await setX12({ ackWithinHours: 48 });
    const relaxed = await x12AckMetrics(env.db, new Date());
    expect(relaxed.find((m) => m.partnerId === 'acme' && m.state === 'overdue')).toBeUndefined();
    await setX12({ ackWithinHours: undefined });
  });

  it('a TA1 R from the partner rejects the sets of our interchange it names', async () => {
    const [order] = await ordersOf('PO-ACK-1');
    const sent = await env.db.transaction((trx) => sendOrderAck855(trx, env.ctx, order.id, 'accept'));
    const ta1Only = [
      `ISA*00*          *00*          *ZZ*ACMEBUYER      *ZZ*SUPPLIERDEMO   *261120*1200*U*00401*000000541*0*P*>`,
      `TA1*${String(sent.controlNumbers.isa).padStart(9, '0')}*261120*1200*R*008`,
      'IEA*0*000000541',
    ]
      .map((s) => `${s}~\n`)
      .join('');
    await post(ta1Only).expect(204);
    const row = await env.db('x12_outbound_sets').where({ document_id: sent.documentId }).first();
    expect(row).toMatchObject({ ack_status: 'rejected', interchange_ack: 'R' });
  });
});

describe('a set intake refuses', () => {
  it('stays accepted in the 997 (syntax) and is answered with an 855 rejection (BAK02 RJ) with the reason', async () => {
    await post(interchange({ isa13: '000000551', sets: [po850('PO-DUP-1')] })).expect(200);
    // Another interchange with the same order number: a new order cannot have it.
    const res = await post(interchange({ isa13: '000000552', sets: [po850('PO-DUP-1')] }));
    const a = answerOf(res.body);
    expect(a.acks[0]!.sets.map((s) => s.status)).toEqual(['A']);
    expect(await ordersOf('PO-DUP-1')).toHaveLength(1);
    const rj = await env
      .db('documents')
      .where({ partner_id: 'acme', direction: 'out', doc_type: '855' })
      .orderBy('created_at', 'desc')
      .first();
    const set = parseX12(rj.content.toString('utf8')).transactionSets[0]!;
    expect(parse855(set).ack).toMatchObject({ ackType: 'RJ', buyerOrderNumber: 'PO-DUP-1' });
    const msg = set.segments
      .filter((s) => s.id === 'MSG')
      .map((s) => s.text(1))
      .join('');
    expect(msg).toContain('order "PO-DUP-1" already exists');
    expect((await inboundOf('000000552')).error).toContain('already exists');
  });
});

describe('a PO1 without unit price', () => {
  // From invoice810_po850_dual.edi: PO1*1*150*EA***IN*02006 (no PO104) gave a 500 (RangeError).
  it('is refused in the 997 with AK3 PO1 / AK4 04 by default (x12.missingUnitPrice "reject")', async () => {
    const res = await post(
      interchange({ isa13: '000000561', sets: [po850('PO-NOPRICE-1', ['PO1*1*150*EA***IN*02006'])] }),
    );
    expect(res.status).toBe(200);
    const ack = answerOf(res.body).acks[0]!;
    expect(ack.sets[0]).toMatchObject({
      status: 'R',
      segments: [expect.objectContaining({ segmentId: 'PO1', elements: [{ position: '4', code: '1' }] })],
    });
    expect(await ordersOf('PO-NOPRICE-1')).toEqual([]);
  });

  it('is priced from the contract and flagged with x12.missingUnitPrice "price-from-catalog"', async () => {
    await setX12({ missingUnitPrice: 'price-from-catalog' });
    try {
      await post(
        interchange({ isa13: '000000562', sets: [po850('PO-NOPRICE-2', ['PO1*1*60*BX***VP*PEN-BLU-12'])] }),
      ).expect(200);
      const [order] = await ordersOf('PO-NOPRICE-2');
      expect(order.flags).toContain('price_from_catalog');
      const [line] = await env.db('order_lines').where({ order_id: order.id });
      expect(line.unit_price).toBe('4.2000'); // the contract's break at 50
      // Without a supplier part id there is nothing to price: refused, 855 RJ naming the PO1.
      const res = await post(
        interchange({ isa13: '000000563', sets: [po850('PO-NOPRICE-3', ['PO1*1*150*EA***IN*02006'])] }),
      );
      expect(answerOf(res.body).acks[0]!.sets[0]!.status).toBe('A');
      expect(await ordersOf('PO-NOPRICE-3')).toEqual([]);
      expect((await inboundOf('000000563')).error).toContain('PO1 (segment 4): line 1: no supplier part id');
    } finally {
      await setX12({ missingUnitPrice: undefined });
    }
  });
});

describe('storage', () => {
  it('keeps an interchange of many 850s once, each order linked to its own set in its own envelope', async () => {
    const sets = Array.from({ length: 20 }, (_, i) => po850(`PO-MANY-${i}`));
    const text = interchange({ isa13: '000000571', sets });
    await post(text).expect(200);
    const inbound = await inboundOf('000000571');
    expect(inbound.content.toString('utf8')).toBe(text);
    const setDocs = await env
      .db('documents')
      .where({ partner_id: 'acme', direction: 'in', doc_type: '850' })
      .whereLike('external_id', '%|000000571|%');
    expect(setDocs).toHaveLength(20);
    const total = setDocs.reduce((n: number, d: { content: Buffer }) => n + d.content.length, 0);
    // Not 20 copies of the interchange: each set with its envelope (ISA, GS, GE, IEA) only.
    expect(total).toBeLessThan(text.length * 3); // 20 copies would be 20 times its size
    for (const d of setDocs) expect(d.content.length).toBeLessThan(text.length / 5);
    for (const d of setDocs) {
      const doc = parseX12(d.content);
      expect(doc.errors).toEqual([]);
      expect(doc.transactionSets).toHaveLength(1);
      const po = doc.transactionSets[0]!.segments[1]!.text(3);
      const [order] = await ordersOf(po);
      expect(d.order_id).toBe(order.id);
    }
  });
});

describe('a reused ISA13 on other content', () => {
  it('is refused as a whole with TA1 R 025 (or, without a TA1, a 997 rejecting its sets); the first stays, resends replay each answer', async () => {
    const first = interchange({ isa13: '000000701', ackRequested: true, sets: [po850('PO-REUSE-1')] });
    const a = await post(first);
    expect(answerOf(a.body as string).ta1s[0]?.[3]).toBe('A');
    expect(await ordersOf('PO-REUSE-1')).toHaveLength(1);

    // A corrected interchange that kept the control number: before, it got the first answer and its
    // order was never read.
    const corrected = interchange({ isa13: '000000701', ackRequested: true, sets: [po850('PO-REUSE-2')] });
    const b = await post(corrected);
    expect(b.status).toBe(200);
    expect(b.body).not.toBe(a.body);
    const refusal = answerOf(b.body as string);
    expect(refusal.ta1s).toEqual([['000000701', '261120', '1200', 'R', '025']]);
    expect(refusal.acks).toEqual([]);
    expect(await ordersOf('PO-REUSE-2')).toHaveLength(0);
    const stored = await env
      .db('documents')
      .where({ partner_id: 'acme', protocol: 'x12', direction: 'in' })
      .where({ doc_type: 'interchange' })
      .whereLike('external_id', '%|000000701%')
      .orderBy('created_at');
    expect(stored).toHaveLength(2);
    expect(stored[1].error).toMatch(/ISA13 "000000701" was already used by this sender on .* other content/);

    // Resends: each gets its own first answer, byte for byte; line breaks do not make it new.
    expect((await post(corrected)).body).toBe(b.body);
    expect((await post(first.replace(/\n/g, '\r\n'))).body).toBe(a.body);
    expect(await ordersOf('PO-REUSE-1')).toHaveLength(1);
    expect(await ordersOf('PO-REUSE-2')).toHaveLength(0);
  });

  it('without a TA1 asked for, the 997 rejects every set of the reused interchange', async () => {
    await post(interchange({ isa13: '000000702', sets: [po850('PO-REUSE-3')] }));
    const b = await post(interchange({ isa13: '000000702', sets: [po850('PO-REUSE-4')] }));
    const refusal = answerOf(b.body as string);
    expect(refusal.ta1s).toEqual([]);
    expect(refusal.acks[0]).toMatchObject({ status: 'R' });
    expect(refusal.acks[0]!.sets.map((x) => x.status)).toEqual(['R']);
    expect(await ordersOf('PO-REUSE-4')).toHaveLength(0);
    expect(await ordersOf('PO-REUSE-3')).toHaveLength(1);
  });
});

describe('control characters in the ISA identities', () => {
  it('a NUL in ISA06 or ISA08 is refused naming the element, before any lookup (not a database error)', async () => {
    const good = interchange({ isa13: '000000801', sets: [po850('PO-NUL-1')] });
    for (const [bad, element] of [
      [good.replace('ZZ*ACMEBUYER      *', 'ZZ*ACME\u0000BUYER     *'), 'ISA06'],
      [good.replace('ZZ*SUPPLIERDEMO   *', 'ZZ*SUPPLIER\u0000DEMO  *'), 'ISA08'],
    ] as const) {
      const res = await post(bad);
      expect(res.status).toBe(400);
      const body = JSON.parse(res.body as string);
      expect(body.error.message).toBe(`${element} holds a control character`);
      expect(body.error.details).toEqual([
        { path: `${element} (segment 1)`, message: 'a control character' },
      ]);
    }
    expect(await ordersOf('PO-NUL-1')).toHaveLength(0);
  });
});
