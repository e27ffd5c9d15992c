/**
 * Every file of the shared corpora (as copied into fixtures/: X12 in fixtures/x12/corpus, EDIFACT in
 * fixtures/edifact/corpus, cXML in fixtures/cxml/corpus) posted to the gateway over HTTP gets a
 * protocol answer, never a 5xx: accepted, or refused with the segment/element (X12) or the XPath
 * (cXML) at fault.
 *
 * X12 files go to POST /edi/x12 with the ERP key of a partner registered under the file's ISA sender,
 * on a gateway configured as the supplier the file is addressed to (its ISA07/ISA08 and GS03): the
 * envelope rules themselves are tested in x12-envelope.test.ts. Partners flag unknown SKUs (the
 * samples' SKUs are not in the catalog) and take X12 documents back (855 rejections). cXML files go
 * to POST /cxml with the test partner's credentials in place of the sample's Header. EDIFACT files go
 * to POST /edi/x12, which does not read EDIFACT.
 *
 * The outcome of every file is kept in fixtures/conformance/results.json (rewrite with
 * UPDATE_CONFORMANCE=1 and review the diff); the README's conformance table is generated from it
 * (`npm run conformance`) and must match it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { parseFunctionalAck, parseX12 } from '../../../protocols/x12';
import { createApp } from '../../../src/app';
import { auth } from '../../helpers/env';
import { examplePartner, seedPartner } from '../../helpers/partners';
import { headerXml, postCxml, setupOrders, type OrdersEnv } from '../orders/helpers';
import {
  README,
  RESULTS,
  readResults,
  renderTable,
  withTable,
  type ConformanceRow,
} from '../../../scripts/conformance-table';

const FIXTURES = path.resolve(__dirname, '../../../fixtures');
const CORPORA: { dir: string; kind: 'x12' | 'cxml' }[] = [
  { dir: 'x12/corpus', kind: 'x12' },
  { dir: 'edifact/corpus', kind: 'x12' },
  { dir: 'cxml/corpus', kind: 'cxml' },
];

function list(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const f = path.join(dir, n);
      return statSync(f).isDirectory() ? list(f) : n === 'SOURCES.md' ? [] : [f];
    });
}

const FILES = CORPORA.flatMap((c) =>
  list(path.join(FIXTURES, c.dir)).map((f) => ({ file: path.relative(FIXTURES, f), full: f, kind: c.kind })),
);

let t: OrdersEnv;
const keys = new Map<string, string>();
const rows: ConformanceRow[] = [];

beforeAll(async () => {
  t = await setupOrders({ start: false, partner: { orders: { unknownSku: 'flag' } } });
});
afterAll(async () => {
  await t.env.close();
});

function binaryBody(res: request.Response): string {
  return Buffer.isBuffer(res.body) ? res.body.toString('utf8') : String(res.text ?? '');
}

/** What an X12 answer says: TA1 notes and each 997/999's AK9 (and AK5 codes of rejected sets). */
function answerSummary(text: string): string {
  if (text.length === 0) return 'no answer (acknowledgments are not acknowledged)';
  const doc = parseX12(text);
  const parts: string[] = [];
  for (const ic of doc.interchanges)
    for (const ta1 of ic.interchangeAcks) parts.push(`TA1 ${ta1.text(4)} ${ta1.text(5)}`);
  for (const set of doc.transactionSets) {
    const ack = parseFunctionalAck(set).ack;
    if (!ack) continue;
    const rejected = ack.sets
      .filter((s) => s.status !== 'A')
      .map((s) => `${s.id} ${s.status}${s.codes.length ? ` ${s.codes.join(',')}` : ''}`);
    const notes = ack.sets.flatMap((s) =>
      s.segments.flatMap((g) =>
        g.elements.length
          ? g.elements.map((e) => `${g.segmentId}${e.position.padStart(2, '0')}`)
          : [g.segmentId],
      ),
    );
    parts.push(
      `${set.id} AK9 ${ack.status}${ack.codes.length ? ` code ${ack.codes.join(',')}` : ''} ${ack.accepted ?? '?'}/${ack.received ?? '?'}${rejected.length ? ` (${rejected.join('; ')})` : ''}${notes.length ? ` at ${[...new Set(notes)].slice(0, 4).join(', ')}` : ''}`,
    );
  }
  return parts.join('; ');
}

async function postX12(file: string, raw: Buffer): Promise<ConformanceRow> {
  const doc = parseX12(raw);
  const h = doc.interchanges[0]?.header;
  const protocol = h
    ? `X12 ${h.version} ${[...new Set(doc.transactionSets.map((s) => s.id))].join('/') || (doc.interchanges[0]!.interchangeAcks.length ? 'TA1' : '-')}`
    : raw.subarray(0, 3).toString('latin1') === 'UNA' || raw.subarray(0, 3).toString('latin1') === 'UNB'
      ? 'EDIFACT'
      : 'not X12';
  let app = t.app;
  let key = t.erpKey;
  if (h) {
    const qualifier = /^[A-Z0-9]{2}$/.test(h.senderQualifier) ? h.senderQualifier : 'ZZ';
    const sk = `${h.senderQualifier}:${h.senderId}`;
    if (!keys.has(sk)) {
      const id = `c${keys.size + 1}`;
      const { erpKey } = await seedPartner(t.env.db, {
        id,
        name: `corpus sender ${sk}`,
        cxml: undefined,
        oci: undefined,
        orders: { unknownSku: 'flag' },
        outboundFormats: ['x12'],
        x12: {
          ...examplePartner().x12!,
          isaQualifier: qualifier,
          isaId: h.senderId.slice(0, 15) || 'EMPTY',
          gsId: h.senderId.slice(0, 15) || 'EMPTY',
          outboundUrl: undefined,
        },
      });
      keys.set(sk, erpKey);
    }
    key = keys.get(sk)!;
    const gs03 = doc.groups[0]?.header.applicationReceiver.trim();
    app = createApp({
      ...t.env.ctx,
      config: {
        ...t.env.ctx.config,
        SUPPLIER_X12_QUALIFIER: h.receiverQualifier,
        SUPPLIER_X12_ID: h.receiverId,
        ...(gs03 ? { SUPPLIER_X12_GS_ID: gs03 } : {}),
      },
    });
  }
  // Each file on its own, as on a gateway that has not seen the others: several samples share ISA
  // senders and control numbers (they would replay each other's answers) and order numbers.
  await t.env.db.raw('truncate table documents, orders, outbox, deliveries, x12_outbound_sets cascade');
  const before = 0;
  const res = await request(app)
    .post('/edi/x12')
    .set(auth(key))
    .set('Content-Type', 'application/edi-x12')
    .send(raw)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  const body = binaryBody(res);
  const created = Number((await t.env.db('orders').count({ n: '*' }))[0]!.n) - before;
  if (res.status >= 400) {
    const err = JSON.parse(body).error;
    const where = err.details?.[0]?.path;
    return {
      file,
      protocol,
      status: res.status,
      outcome: 'refused',
      reason: `${where ? `${where}: ` : ''}${err.message}`.slice(0, 300),
    };
  }
  const summary = answerSummary(body);
  const inbound = await t.env
    .db('documents')
    .where({ protocol: 'x12', direction: 'in' })
    .whereIn('doc_type', ['interchange', '997', '999', 'TA1'])
    .orderBy('created_at', 'desc')
    .first('status', 'error');
  const outcome =
    res.status === 204
      ? 'acknowledgment recorded'
      : created > 0
        ? inbound.status === 'acknowledged' && !inbound.error
          ? `accepted: ${created} order(s)`
          : `partly accepted: ${created} order(s)`
        : inbound.error && /test interchange/.test(inbound.error) && !/rejected|refused/.test(inbound.status)
          ? 'validated, not ordered (test interchange)'
          : 'refused';
  const reason = [summary, inbound.error].filter(Boolean).join(' — ');
  return { file, protocol, status: res.status, outcome, reason: reason.slice(0, 400) };
}

function xpathOf(text: string): string {
  const m = /<Status code="(\d+)"[^>]*?(?:\/>|>([\s\S]*?)<\/Status>)/.exec(text);
  return m ? `${m[1]} ${(m[2] ?? '').trim()}` : text.slice(0, 100);
}

async function postCxmlFile(file: string, raw: string): Promise<ConformanceRow> {
  const type = /<(\w+Request|\w+Message|Response)[\s>]/.exec(
    raw.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>/g, ''),
  );
  const xml = raw.replace(/<Header>[\s\S]*?<\/Header>/, headerXml());
  const res = await postCxml(t.app, xml);
  const status = xpathOf(res.text);
  const code = Number(status.split(' ')[0]);
  return {
    file,
    protocol: `cXML ${type?.[1] ?? '?'}`,
    status: res.status,
    outcome: code >= 200 && code < 300 ? 'accepted' : 'refused',
    reason: `Status ${status}`.slice(0, 300),
  };
}

describe('corpus over HTTP', () => {
  it('finds every corpus file in fixtures', () => {
    expect(FILES.filter((f) => f.file.startsWith('x12/')).length).toBe(41);
    expect(FILES.filter((f) => f.file.startsWith('edifact/')).length).toBe(10);
    expect(FILES.filter((f) => f.file.startsWith('cxml/')).length).toBe(38);
  });

  it.each(FILES.map((f) => [f.file, f] as const))(
    '%s gets a protocol answer, never a 5xx',
    async (_name, f) => {
      const raw = readFileSync(f.full);
      const row =
        f.kind === 'x12' ? await postX12(f.file, raw) : await postCxmlFile(f.file, raw.toString('utf8'));
      rows.push(row);
      expect(row.status).toBeLessThan(500);
      if (row.outcome.startsWith('refused')) {
        // A refusal names where: a segment/element (X12: "ISA16", "PO104", "ST (segment 1)") or a cXML
        // element path, or the TA1/997/999 codes that do.
        expect(row.reason).toMatch(
          f.kind === 'cxml'
            ? /\/|cXML|<|Request|Header|Status [45]\d\d \S/
            : /[A-Z][A-Z0-9]{1,2}\d\d|\(segment \d+\)|TA1 R|AK9 R|AK5 R|IK5 R/,
        );
      }
    },
  );

  it('matches the reviewed results, and the README table is generated from them', () => {
    const sorted = [...rows].sort((a, b) => (a.file < b.file ? -1 : 1));
    expect(sorted).toHaveLength(FILES.length);
    if (process.env.UPDATE_CONFORMANCE === '1' || !existsSync(RESULTS)) {
      if (process.env.UPDATE_CONFORMANCE !== '1')
        throw new Error(`no ${RESULTS} (run with UPDATE_CONFORMANCE=1, review, then npm run conformance)`);
      mkdirSync(path.dirname(RESULTS), { recursive: true });
      writeFileSync(RESULTS, `${JSON.stringify(sorted, null, 2)}\n`);
    }
    expect(sorted).toEqual(readResults());
    const readme = readFileSync(README, 'utf8');
    expect(withTable(readme, renderTable(readResults()))).toBe(readme);
  });
});
