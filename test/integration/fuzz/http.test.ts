/**
 * Issue 12 point 10 (HTTP) and issue 13's "fuzzed variants": property-based tests with fast-check
 * over every HTTP entry point of a real gateway (createApp on a fresh Postgres database, on a real
 * port). Random input and corpus documents from fixtures/ mutated at random (test/helpers/fuzz.ts,
 * shared with the codec suite) are sent unauthenticated and with the seeded partner's credentials,
 * so mutations get past authentication; structure-aware mutations (one XML value, X12 element or
 * JSON leaf changed) get past the parsers into the handlers. For every request:
 *
 * - the status is below 500 (503 only where the gateway documents shedding: never here, the test
 *   sends one request at a time);
 * - the answer is in the protocol's dialect: a cXML Status for /cxml, a JSON error body for /api,
 *   an X12 interchange (TA1/997/999), 204 or a JSON error for /edi/x12, an HTML page (or redirect)
 *   for the pages;
 * - it is answered within a generous bound (boundMs: a hang or a quadratic path fails it);
 * - a refused request (4xx) changes nothing but refusal records: the rows of the business tables
 *   are counted before and after, and only `documents` rows with status `refused` may appear. An
 *   accepted mutated order is allowed only with a 2xx answer (for X12: no more orders than sets the
 *   997/999 accepted), and then once (no buyer order number of a partner twice, checked at the end).
 *
 * Runs per property: FUZZ_RUNS (default 25: the file takes a few seconds in CI); e.g.
 * FUZZ_RUNS=2000 for a longer search, FUZZ_STATS=1 prints the statuses each property reached. A
 * failure prints the seed and the shrunk request.
 */
import fc from 'fast-check';
import request from 'supertest';
import { parseFunctionalAck, parseX12 } from '../../../protocols/x12';
import { createApp } from '../../../src/app';
import { ADMIN_TOKEN, createTestEnv, type TestEnv } from '../../helpers/env';
import {
  boundMs,
  corpus,
  fuzzRuns,
  headerText,
  hostileText,
  inputs,
  jsonLeafMutated,
  mutated,
  OCI_FIELDS,
  urlText,
  x12ElementMutated,
  xmlValueMutated,
} from '../../helpers/fuzz';
import { csrfOf, signIn, SESSION_COOKIE } from '../../helpers/pages';
import { listenApp } from '../../helpers/server';
import { orderRequestXml } from '../orders/helpers';
import {
  adaptCredentials,
  itemOut,
  OCI_PASSWORD,
  OCI_USER,
  seedShop,
  setupRequest,
  startPath,
} from '../punchout/helpers';

const RUNS = fuzzRuns(25);
const BOUND_MS = boundMs();
// A property's runs must end before jest gives up on it: a timed-out property would go on sending
// in the background and its rows would be counted against the next one.
jest.setTimeout(30000 + RUNS * 400);

let t: TestEnv;
let url: string;
let close: () => Promise<void>;
let erpKey: string;
let financeKey: string;
/** A shopping session (its base path and form token) and signed-in page sessions. */
let shop: { base: string; csrf: string };
let approvals: { cookie: string; csrf: string };
let finance: { cookie: string; csrf: string };
const unhandled: unknown[] = [];
const onUnhandled = (err: unknown) => unhandled.push(err);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  t = await createTestEnv({ start: false });
  ({ erpKey, financeKey } = await seedShop(t.db, { orders: { unknownSku: 'flag' } }));
  const app = createApp(t.ctx);
  ({ url, close } = await listenApp(app));

  const setup = await request(url)
    .post('/cxml')
    .type('text/xml')
    .send(setupRequest({ buyerCookie: 'fuzz' }));
  const start = await request(url).get(startPath(setup.text));
  const base = start.headers.location as string;
  shop = { base, csrf: csrfOf((await request(url).get(`${base}cart`)).text) };

  const a = await signIn(app, 'approvals', ADMIN_TOKEN);
  const aCookie = `${SESSION_COOKIE.approvals}=${a.session}`;
  approvals = {
    cookie: aCookie,
    csrf: csrfOf((await request(url).get('/approvals').set('Cookie', aCookie)).text),
  };
  const f = await signIn(app, 'finance', financeKey);
  const fCookie = `${SESSION_COOKIE.finance}=${f.session}`;
  finance = {
    cookie: fCookie,
    csrf: csrfOf((await request(url).get('/finance').set('Cookie', fCookie)).text),
  };
}, 60000);

afterAll(async () => {
  if (process.env.FUZZ_STATS) console.log(JSON.stringify(stats, null, 1));
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
  await close?.();
  await t?.close();
});

afterEach(() => {
  expect(unhandled).toEqual([]);
});

// ---------------------------------------------------------------------------------------------
// The harness: one request, timed, with the rows it changed.

const TABLES = [
  'orders',
  'order_versions',
  'order_lines',
  'order_events',
  'approvals',
  'shipments',
  'invoices',
  'payments',
  'punchout_sessions',
  'punchout_cart_lines',
  'catalog_items',
  'price_list_entries',
  'partners',
  'api_keys',
  'outbox',
  'idempotency_keys',
] as const;
type Counts = Record<(typeof TABLES)[number] | 'documents_refused' | 'documents_other', number>;

async function counts(): Promise<Counts> {
  const parts = TABLES.map((n) => `(select count(*) from ${n})::int as ${n}`);
  const { rows } = await t.db.raw<{ rows: Counts[] }>(
    `select ${parts.join(', ')},
      (select count(*) from documents where status = 'refused')::int as documents_refused,
      (select count(*) from documents where status <> 'refused')::int as documents_other`,
  );
  return rows[0] as Counts;
}

function changed(before: Counts, after: Counts): Partial<Counts> {
  const d: Partial<Counts> = {};
  for (const k of Object.keys(after) as (keyof Counts)[])
    if (after[k] !== before[k]) d[k] = after[k] - before[k];
  return d;
}

interface Sent {
  status: number;
  text: string;
  type: string;
  headers: Record<string, string>;
  ms: number;
  delta: Partial<Counts>;
}

/** Statuses answered per test and the slowest answer (printed with FUZZ_STATS=1: what the runs reached). */
const stats: Record<string, Record<string, number>> = {};

/** Sends one request (built by `build`), answered as raw text within the bound. */
async function send(build: (agent: ReturnType<typeof request>) => request.Test): Promise<Sent> {
  const before = await counts();
  const started = performance.now();
  const res = await build(request(url))
    // Bodies go as given: superagent would otherwise JSON- or form-encode a Buffer (by Content-Type).
    .serialize((body: unknown) => body as string)
    .timeout(BOUND_MS * 3)
    .ok(() => true)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks).toString('utf8')));
    });
  const ms = performance.now() - started;
  const after = await counts();
  const seen = (stats[expect.getState().currentTestName ?? ''] ??= {});
  seen[res.status] = (seen[res.status] ?? 0) + 1;
  seen.slowestMs = Math.max(seen.slowestMs ?? 0, Math.round(ms));
  return {
    status: res.status,
    text: res.body as string,
    type: String(res.headers['content-type'] ?? ''),
    headers: res.headers,
    ms,
    delta: changed(before, after),
  };
}

function describeFailure(s: Sent, what: string): string {
  return `${what}: HTTP ${s.status} in ${Math.round(s.ms)} ms, changed ${JSON.stringify(s.delta)}\n${s.text.slice(0, 600)}`;
}

/** What holds for every answer: below 500, in time, and a refusal stores nothing but refusals. */
function expectSafe(s: Sent, what: string): void {
  if (s.status >= 500 || s.ms > BOUND_MS) throw new Error(describeFailure(s, what));
  if (s.status >= 400) {
    const stray = Object.keys(s.delta).filter((k) => k !== 'documents_refused');
    if (stray.length > 0)
      throw new Error(describeFailure(s, `${what}: a refusal changed ${stray.join(', ')}`));
  }
}

function expectCxmlStatus(s: Sent, what: string): void {
  if (!/xml/.test(s.type) || !/<cXML[\s>][\s\S]*<Status code="\d{3}"/.test(s.text))
    throw new Error(describeFailure(s, `${what}: not a cXML Status`));
}

/**
 * Issue 13: a fuzzed document that is refused is refused naming where: an XPath, a line, a byte
 * offset or a multipart part (cXML); a segment or element, or the 997/999/TA1 codes that name them
 * (X12). Refusals about who sent it (401, 403, 429) or what it is (406, 409) name no place.
 */
function expectWhere(s: Sent, what: string): void {
  if (/xml/.test(s.type)) {
    const m = /<Status code="(\d{3})"[^>]*>([^<]*)/.exec(s.text);
    const code = Number(m?.[1] ?? 0);
    if (code < 400 || code >= 500 || [401, 403, 406, 409, 429].includes(code)) return;
    // An XPath, a line, a byte offset, a multipart part, or an element by name (Foo/Bar, <Foo>).
    const where = /\(at [^)]+\)|at offset \d+|line \d+|part &lt;|[A-Z]\w+\/[A-Z]\w+|&lt;[A-Za-z]\w*&gt;/;
    // ... or the document as a whole (empty, no root element, not the declared encoding).
    const whole = /^(empty request body|empty document|(a |the )?document\b)/i;
    if (!where.test(m?.[2] ?? '') && !whole.test(m?.[2] ?? ''))
      throw new Error(describeFailure(s, `${what}: the refusal does not say where`));
    return;
  }
  if (s.status === 400 && /json/.test(s.type)) {
    const body = JSON.parse(s.text) as { error?: { message?: string; details?: { path?: string }[] } };
    const where = `${body.error?.message ?? ''} ${(body.error?.details ?? []).map((d) => d.path).join(' ')}`;
    if (!/[A-Z][A-Z0-9]{1,2}\d\d|\(segment \d+\)|ISA|segment/.test(where))
      throw new Error(describeFailure(s, `${what}: the refusal does not name a segment or element`));
  }
}

function expectJsonError(s: Sent, what: string): void {
  if (s.status < 400) return;
  let code: unknown;
  try {
    code = (JSON.parse(s.text) as { error?: { code?: unknown } }).error?.code;
  } catch {
    code = undefined;
  }
  if (!/json/.test(s.type) || typeof code !== 'string')
    throw new Error(describeFailure(s, `${what}: not a JSON error body`));
}

function expectPage(s: Sent, what: string): void {
  const ok = /html/.test(s.type) || (s.status >= 300 && s.status < 400 && !!s.headers.location);
  if (!ok) throw new Error(describeFailure(s, `${what}: not a page or redirect`));
}

const runs = () => ({ numRuns: RUNS });

// ---------------------------------------------------------------------------------------------
// Seeds: corpus documents, and the same with the seeded partner's credentials.

const CXML_RAW = corpus.cxml();
const CXML_AUTH = [
  ...CXML_RAW.map((b) => Buffer.from(adaptCredentials(b.toString('utf8')))),
  Buffer.from(orderRequestXml({ payloadId: 'fuzz-order@buyer.example', orderId: 'FUZZ-PO-1' })),
  Buffer.from(setupRequest({ payloadId: 'fuzz-setup@buyer.example', buyerCookie: 'fuzz-seed' })),
  // An edit setup restores a cart from ItemOut lines (SKU, quantity, SupplierPartAuxiliaryID).
  Buffer.from(
    setupRequest({
      payloadId: 'fuzz-edit@buyer.example',
      operation: 'edit',
      buyerCookie: 'fuzz-edit',
      itemsXml: itemOut(1, 'CHR-ERG-01', '2') + itemOut(2, 'PEN-BLU-12', '1', 'aux-1'),
    }),
  ),
  // The update of an order taken earlier by the same seed (FUZZ-PO-1), and an order of three lines.
  Buffer.from(
    orderRequestXml({
      payloadId: 'fuzz-upd@buyer.example',
      orderId: 'FUZZ-PO-1',
      type: 'update',
      version: 2,
    }),
  ),
  Buffer.from(
    orderRequestXml({
      payloadId: 'fuzz-3@buyer.example',
      orderId: 'FUZZ-PO-3',
      lines: [
        { sku: 'PEN-BLU-12', quantity: '10', price: '4.50' },
        { sku: 'CHR-ERG-01', quantity: '1', price: '259.00', aux: 'x' },
        { sku: 'NOT-IN-CATALOG', quantity: '2.5', price: '0.0001', uom: 'KGM' },
      ],
    }),
  ),
];

let counter = 0;

/** A unique payloadID per run, so a mutated document is read and not answered as a replay. */
function freshPayload(b: Buffer): Buffer {
  const id = `fuzz-${counter++}-${Date.now()}@x`;
  return Buffer.from(b.toString('latin1').replace(/payloadID="[^"]*"/, `payloadID="${id}"`), 'latin1');
}

function acmeInterchange(po: string): Buffer {
  const body = [
    'ST*850*0001',
    `BEG*00*SA*${po}**20261120`,
    'CUR*BY*USD',
    'N1*ST*Acme Receiving*92*DOCK-1',
    'N3*1 Main St',
    'N4*Springfield*IL*62701*US',
    'PO1*1*2*BX*4.50**VP*PEN-BLU-12',
    'PID*F****Widget',
    'PO1*2*1*EA*259.00**VP*CHR-ERG-01',
    'CTT*2',
  ];
  return Buffer.from(
    [
      'ISA*00*          *00*          *ZZ*ACMEBUYER      *ZZ*SUPPLIERDEMO   *261120*1200*U*00401*000000101*0*P*>',
      'GS*PO*ACMEBUYER*SUPPLIERDEMO*20261120*1200*101*X*004010',
      ...body,
      `SE*${body.length + 1}*0001`,
      'GE*1*101',
      'IEA*1*000000101',
    ]
      .map((s) => `${s}~\n`)
      .join(''),
  );
}
/** Acme's 997 for an 855 the gateway may have sent (matched to outbound sets, never answered). */
const ACME_997 = Buffer.from(
  [
    'ISA*00*          *00*          *ZZ*ACMEBUYER      *ZZ*SUPPLIERDEMO   *261120*1200*U*00401*000000101*0*P*>',
    'GS*FA*ACMEBUYER*SUPPLIERDEMO*20261120*1200*101*X*004010',
    'ST*997*0001',
    'AK1*PR*1',
    'AK2*855*0001',
    'AK5*A',
    'AK9*A*1*1*1',
    'SE*6*0001',
    'GE*1*101',
    'IEA*1*000000101',
  ]
    .map((s) => `${s}~\n`)
    .join(''),
);
const X12_SEEDS = [acmeInterchange('FUZZ-X12-1'), ACME_997, ...corpus.x12()];

/** Gives each run its own ISA13/GS06 and PO number, so it is not answered as a resent interchange. */
function freshControl(b: Buffer): Buffer {
  const n = 1000 + counter++;
  return Buffer.from(
    b
      .toString('latin1')
      .replaceAll('000000101', String(n).padStart(9, '0'))
      .replace('*101*X', `*${n}*X`)
      .replace('FUZZ-X12-1', `FUZZ-X12-${n}`),
    'latin1',
  );
}

const VALID_ORDER = {
  buyerOrderNumber: 'FUZZ-J-1',
  orderDate: '2026-11-23T09:00:00Z',
  currency: 'USD',
  total: '45.00',
  shipTo: { name: 'Acme HQ', address: { street: ['1 Main St'], city: 'Springfield', countryCode: 'US' } },
  lines: [
    { lineNumber: 1, supplierPartId: 'PEN-BLU-12', quantity: '10', unitOfMeasure: 'BX', unitPrice: '4.50' },
  ],
};

const CONTENT_TYPES = fc.oneof(
  fc.constantFrom(
    'text/xml',
    'application/xml; charset=utf-8',
    'text/plain',
    'application/json',
    'application/x-www-form-urlencoded',
    'multipart/related; boundary=b; type="text/xml"',
    'multipart/related',
    'application/edi-x12',
    'text/csv',
  ),
  headerText,
);

// ---------------------------------------------------------------------------------------------

describe('every HTTP entry point refuses random and mutated input cleanly', () => {
  it('the seeds, unmutated, are accepted (so mutations start from documents that get through)', async () => {
    for (const b of CXML_AUTH.slice(CXML_RAW.length)) {
      const s = await send((r) => r.post('/cxml').set('Content-Type', 'text/xml').send(freshPayload(b)));
      expect(s.text).toContain('<Status code="200"');
    }
    const x = await send((r) =>
      r
        .post('/edi/x12')
        .set('Authorization', `Bearer ${erpKey}`)
        .set('Content-Type', 'application/edi-x12')
        .send(freshControl(X12_SEEDS[0]!)),
    );
    expect(x.text).toContain('AK5*A~');
    expect(x.delta.orders).toBe(1);
    const ack = await send((r) =>
      r
        .post('/edi/x12')
        .set('Authorization', `Bearer ${erpKey}`)
        .set('Content-Type', 'application/edi-x12')
        .send(freshControl(ACME_997)),
    );
    expect(ack.status).toBe(204);
    const j = await send((r) =>
      r
        .post('/api/v1/orders')
        .set('Authorization', `Bearer ${erpKey}`)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(VALID_ORDER)),
    );
    expect(j.status).toBe(201);
  });

  it('POST /cxml, unauthenticated: cXML Status, < 500, only the refusal stored', async () => {
    await fc.assert(
      fc.asyncProperty(inputs(CXML_RAW), CONTENT_TYPES, async (body, type) => {
        const s = await send((r) => r.post('/cxml').set('Content-Type', type).send(body));
        expectSafe(s, 'POST /cxml');
        expectCxmlStatus(s, 'POST /cxml');
        if ((s.delta.orders ?? 0) > 0)
          throw new Error(describeFailure(s, 'an unauthenticated document made an order'));
      }),
      runs(),
    );
  });

  it('POST /cxml with valid credentials: mutated OrderRequest, PunchOutSetupRequest, corpus documents', async () => {
    const MULTIPART = 'multipart/related; boundary=b; type="text/xml"; start="<root>"';
    // cXML with attachments: the (mutated) document as the root part, and a base64 attachment.
    const multipart = (doc: Buffer, attachment: string) =>
      Buffer.concat([
        Buffer.from('--b\r\nContent-Type: text/xml\r\nContent-ID: <root>\r\n\r\n'),
        doc,
        Buffer.from(
          `\r\n--b\r\nContent-ID: <a1>\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n${attachment}\r\n--b--\r\n`,
        ),
      ]);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(mutated(CXML_AUTH), xmlValueMutated(CXML_AUTH), xmlValueMutated(CXML_AUTH)),
        fc.option(fc.oneof(fc.base64String({ maxLength: 200 }), headerText), { freq: 4 }),
        async (doc, attachment) => {
          const body = attachment === null ? freshPayload(doc) : multipart(freshPayload(doc), attachment);
          const s = await send((r) =>
            r
              .post('/cxml')
              .set('Content-Type', attachment === null ? 'text/xml' : MULTIPART)
              .send(body),
          );
          expectSafe(s, 'POST /cxml (authenticated)');
          expectCxmlStatus(s, 'POST /cxml (authenticated)');
          expectWhere(s, 'POST /cxml (authenticated)');
          if ((s.delta.orders ?? 0) > 1) throw new Error(describeFailure(s, 'one document, several orders'));
        },
      ),
      runs(),
    );
  });

  it('POST /edi/x12: TA1/997/999, 204 or a JSON error; orders only for accepted sets', async () => {
    const key = fc.constantFrom<string | undefined>(
      erpKey,
      erpKey,
      erpKey,
      financeKey,
      'gw_bogus',
      undefined,
    );
    const body = fc.oneof(
      inputs(X12_SEEDS),
      x12ElementMutated(X12_SEEDS),
      x12ElementMutated(X12_SEEDS.slice(0, 2)),
    );
    await fc.assert(
      fc.asyncProperty(body, key, CONTENT_TYPES, async (doc, k, type) => {
        const s = await send((r) => {
          const req = r.post('/edi/x12').set('Content-Type', type);
          return (k ? req.set('Authorization', `Bearer ${k}`) : req).send(freshControl(doc));
        });
        expectSafe(s, 'POST /edi/x12');
        if (s.status >= 400) {
          expectJsonError(s, 'POST /edi/x12');
          return expectWhere(s, 'POST /edi/x12');
        }
        if (s.status === 204) return;
        const answer = parseX12(s.text);
        if (answer.errors.length > 0 || answer.interchanges.length === 0)
          throw new Error(describeFailure(s, 'POST /edi/x12: the answer is not X12'));
        let accepted = 0;
        for (const set of answer.transactionSets) {
          const ack = parseFunctionalAck(set).ack;
          accepted += ack?.sets.filter((x) => x.status === 'A' || x.status === 'E').length ?? 0;
        }
        if ((s.delta.orders ?? 0) > accepted)
          throw new Error(
            describeFailure(s, `POST /edi/x12: ${s.delta.orders} orders for ${accepted} accepted sets`),
          );
      }),
      runs(),
    );
  });

  it('POST /oci (and GET): login forms with random and hostile fields', async () => {
    const field = fc.oneof(fc.constantFrom(...OCI_FIELDS), fc.string({ maxLength: 12 }));
    const value = fc.oneof(
      hostileText,
      fc.constantFrom(OCI_USER, OCI_PASSWORD, 'https://srm.acme.example/return', 'https://evil.example/'),
    );
    const fields = fc.oneof(
      fc.dictionary(field, value, { maxKeys: 8 }),
      // A valid login with some fields replaced or added: gets past the credential check.
      fc.dictionary(field, value, { maxKeys: 3 }).map((extra) => ({
        USERNAME: OCI_USER,
        PASSWORD: OCI_PASSWORD,
        HOOK_URL: 'https://srm.acme.example/return',
        ...extra,
      })),
    );
    await fc.assert(
      fc.asyncProperty(fields, fc.boolean(), async (f, get) => {
        const form = new URLSearchParams(f).toString();
        const s = await send((r) => (get ? r.get(`/oci?${form}`) : r.post('/oci').type('form').send(form)));
        expectSafe(s, 'OCI login');
        if (s.status >= 400 && !/html|text\/plain/.test(s.type))
          throw new Error(describeFailure(s, 'OCI login: refusal is not a page'));
      }),
      runs(),
    );
  });

  it('GET /oci and the punchout pages with NUL and bad %-encoding in query and path', async () => {
    const page = fc.oneof(
      urlText.map((q) => `/oci?USERNAME=${q}&PASSWORD=${q}&HOOK_URL=${q}`),
      urlText.map((q) => `${shop.base}search?q=${q}`),
      urlText.map((q) => `${shop.base}item/${q}`),
      urlText.map((q) => `${shop.base}orders/${q}`),
      urlText.map((q) => `${shop.base}orders?page=${q}&q=${q}`),
      urlText.map((q) => `${shop.base}cart?flash=${q}`),
      urlText.map((q) => `/punchout/start/${q}`),
      urlText.map((q) => `/punchout/s/${q}/cart`),
    );
    await fc.assert(
      fc.asyncProperty(page, async (p) => {
        const s = await send((r) => r.get(p));
        expectSafe(s, `GET ${p.slice(0, 120)}`);
        expectPage(s, `GET ${p.slice(0, 120)}`);
      }),
      runs(),
    );
  });

  it('approvals and finance pages, signed in: hostile ids, filters, flash ids and link tokens', async () => {
    const page = fc.oneof(
      urlText.map((q) => ({ path: `/approvals/${q}`, cookie: approvals.cookie })),
      urlText.map((q) => ({ path: `/approvals?flash=${q}&done=${q}`, cookie: approvals.cookie })),
      urlText.map((q) => ({ path: `/approvals/link?token=${q}`, cookie: undefined })),
      fc
        .array(
          fc.tuple(
            fc.constantFrom('status', 'order', 'from', 'to', 'page', 'cursor', 'limit', 'flash', 'q'),
            urlText,
          ),
          {
            maxLength: 4,
          },
        )
        .map((qs) => ({
          path: `/finance?${qs.map(([k, v]) => `${k}=${v}`).join('&')}`,
          cookie: finance.cookie,
        })),
      urlText.map((q) => ({ path: `/finance/export.csv?status=${q}&from=${q}`, cookie: finance.cookie })),
      fc
        .tuple(fc.uuid(), fc.constantFrom('pdf', 'csv', 'xml'))
        .map(([id, ext]) => ({ path: `/finance/invoices/${id}.${ext}`, cookie: finance.cookie })),
    );
    await fc.assert(
      fc.asyncProperty(page, async (p) => {
        const s = await send((r) => {
          const req = r.get(p.path);
          return p.cookie ? req.set('Cookie', p.cookie) : req;
        });
        expectSafe(s, `GET ${p.path.slice(0, 120)}`);
        if (!/csv/.test(s.type)) expectPage(s, `GET ${p.path.slice(0, 120)}`);
      }),
      runs(),
    );
  });

  it('punchout cart forms: random fields; a wrong form token is 403 and changes nothing', async () => {
    const op = fc.constantFrom(
      'cart/add',
      'cart/update',
      'cart/remove',
      'orders/x/reorder',
      'transfer',
      'cancel',
    );
    const field = fc.oneof(
      fc.constantFrom('sku', 'quantity', 'line', 'csrf', 'q'),
      fc.string({ maxLength: 8 }),
    );
    const value = fc.oneof(
      hostileText,
      fc.constantFrom('CHR-ERG-01', 'PEN-BLU-12', '1', '0', '-3', '1.5', '1e9'),
    );
    await fc.assert(
      fc.asyncProperty(
        op,
        fc.dictionary(field, value, { maxKeys: 5 }),
        fc.boolean(),
        async (o, fields, goodToken) => {
          // transfer/cancel end the session: they get a wrong token only, and must be refused.
          const withToken = goodToken && o !== 'transfer' && o !== 'cancel';
          const form = new URLSearchParams({ ...fields, ...(withToken ? { csrf: shop.csrf } : {}) });
          const s = await send((r) => r.post(`${shop.base}${o}`).type('form').send(form.toString()));
          expectSafe(s, `POST ${o}`);
          expectPage(s, `POST ${o}`);
          if (!withToken && s.status !== 403)
            throw new Error(describeFailure(s, `POST ${o} without its token`));
        },
      ),
      runs(),
    );
    // The session is still open and usable.
    expect((await request(url).get(`${shop.base}cart`)).status).toBe(200);
  });

  it('JSON API: hostile path ids and query values on every route, any credential', async () => {
    const key = fc.constantFrom<string | undefined>(
      ADMIN_TOKEN,
      erpKey,
      financeKey,
      'gw_bogus',
      '',
      undefined,
    );
    const queryName = fc.oneof(
      fc.constantFrom('from', 'to', 'state', 'status', 'limit', 'cursor', 'page', 'q', 'partner', 'protocol'),
      fc.constantFrom('orderId', 'sku', 'currency', 'role', 'direction', 'docType'),
      urlText,
    );
    const route = fc.oneof(
      ...[
        '/api/v1/orders/:id',
        '/api/v1/orders/:id/attachments/:id',
        '/api/v1/invoices/:id',
        '/api/v1/partners/:id',
        '/api/v1/partners/:id/api-keys',
        '/api/v1/partners/:id/sftp',
        '/api/v1/documents/:id/raw',
      ].map((p) => urlText.map((v) => ({ method: 'get' as const, path: p.replaceAll(':id', v) }))),
      ...[
        '/api/v1/orders',
        '/api/v1/invoices',
        '/api/v1/invoices/export.csv',
        '/api/v1/documents',
        '/api/v1/catalog/items',
        '/api/v1/approvals',
        '/api/v1/jobs/failed',
        '/api/v1/statement',
        '/api/v1/partners',
      ].map((p) =>
        fc.array(fc.tuple(queryName, urlText), { maxLength: 4 }).map((qs) => ({
          method: 'get' as const,
          path: `${p}?${qs.map(([k, v]) => `${k}=${v}`).join('&')}`,
        })),
      ),
      ...[
        '/api/v1/orders/:id/invoices',
        '/api/v1/orders/:id/shipments',
        '/api/v1/orders/:id/confirm',
        '/api/v1/orders/:id/reject',
        '/api/v1/invoices/:id/credit-memos',
        '/api/v1/invoices/:id/resend',
        '/api/v1/invoices/:id/payments',
        '/api/v1/approvals/:id/approve',
        '/api/v1/approvals/:id/reject',
        '/api/v1/jobs/:id/retry',
      ].map((p) => urlText.map((v) => ({ method: 'post' as const, path: p.replaceAll(':id', v) }))),
    );
    await fc.assert(
      fc.asyncProperty(route, key, async (q, k) => {
        const what = `${q.method.toUpperCase()} ${q.path.slice(0, 120)}`;
        const s = await send((r) => {
          const req = r[q.method](q.path);
          if (k !== undefined) req.set('Authorization', `Bearer ${k}`);
          return q.method === 'post' ? req.set('Content-Type', 'application/json').send('{}') : req;
        });
        expectSafe(s, what);
        expectJsonError(s, what);
      }),
      runs(),
    );
  });

  it('POST /api/v1/orders: mutated and random JSON bodies; an order only with 2xx, and once', async () => {
    const seeds = [
      Buffer.from(JSON.stringify(VALID_ORDER)),
      Buffer.from(JSON.stringify(VALID_ORDER, null, 2)),
    ];
    const body = fc.oneof(
      mutated(seeds),
      // One to three fields changed, under a fresh order number (else a resend of an earlier run).
      jsonLeafMutated(VALID_ORDER).map((b) =>
        Buffer.from(b.toString().replace('FUZZ-J-1', `FUZZ-J-${counter++}`)),
      ),
      jsonLeafMutated(VALID_ORDER),
      fc.jsonValue({ maxDepth: 6 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
    );
    const type = fc.oneof(fc.constant('application/json'), fc.constant('application/json'), CONTENT_TYPES);
    const idem = fc.option(fc.oneof(fc.uuid(), headerText));
    await fc.assert(
      fc.asyncProperty(body, type, idem, async (b, ct, key) => {
        const s = await send((r) => {
          const req = r
            .post('/api/v1/orders')
            .set('Authorization', `Bearer ${erpKey}`)
            .set('Content-Type', ct);
          return (key ? req.set('Idempotency-Key', key) : req).send(b);
        });
        expectSafe(s, 'POST /api/v1/orders');
        expectJsonError(s, 'POST /api/v1/orders');
        if ((s.delta.orders ?? 0) > (s.status < 300 ? 1 : 0))
          throw new Error(describeFailure(s, 'POST /api/v1/orders made an order it did not answer 2xx'));
      }),
      runs(),
    );
  });

  it('JSON bodies on a real order and invoice: shipments, invoices, payments, credit memos, decisions', async () => {
    const bodies = {
      shipments: {
        carrier: 'UPS',
        trackingNumber: '1Z999',
        shippedAt: '2026-11-24T10:00:00Z',
        lines: [{ lineNumber: 1, quantity: '4' }],
      },
      invoices: {},
      confirm: { reason: 'ok' },
      reject: { reason: 'no' },
      payments: { amount: '1.00', paidOn: '2026-12-01' },
      'credit-memos': { lines: [{ lineNumber: 1, quantity: '1' }], reason: 'damaged' },
    };
    const kind = fc.constantFrom(...(Object.keys(bodies) as (keyof typeof bodies)[]));
    const body = (k: keyof typeof bodies) =>
      fc.oneof(
        jsonLeafMutated(bodies[k]),
        fc.constant(Buffer.from(JSON.stringify(bodies[k]))),
        mutated([Buffer.from(JSON.stringify(bodies[k]))]),
      );
    const key = fc.constantFrom(ADMIN_TOKEN, ADMIN_TOKEN, erpKey, financeKey);
    await fc.assert(
      fc.asyncProperty(
        kind.chain((k) => fc.tuple(fc.constant(k), body(k))),
        key,
        fc.constantFrom('received', 'confirmed', 'invoiced'),
        async ([k, b], who, stage) => {
          const placed = await request(url)
            .post('/api/v1/orders')
            .set('Authorization', `Bearer ${erpKey}`)
            .send({ ...VALID_ORDER, buyerOrderNumber: `FUZZ-O-${counter++}` });
          const orderId = placed.body.orderId as string;
          const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };
          let invoiceId = '00000000-0000-4000-8000-000000000000';
          if (stage !== 'received')
            await request(url).post(`/api/v1/orders/${orderId}/confirm`).set(admin).send({});
          if (stage === 'invoiced') {
            const inv = await request(url).post(`/api/v1/orders/${orderId}/invoices`).set(admin).send({});
            invoiceId = (inv.body.invoice?.id as string | undefined) ?? invoiceId;
          }
          const path =
            k === 'payments' || k === 'credit-memos'
              ? `/api/v1/invoices/${invoiceId}/${k}`
              : `/api/v1/orders/${orderId}/${k}`;
          const s = await send((r) =>
            r
              .post(path)
              .set('Authorization', `Bearer ${who}`)
              .set('Content-Type', 'application/json')
              .send(b),
          );
          expectSafe(s, `POST ${k} (${stage}) ${b.toString().slice(0, 200)}`);
          expectJsonError(s, `POST ${k}`);
        },
      ),
      runs(),
    );
  });

  it('CSV imports (catalog, price lists): mutated corpus files', async () => {
    const target = fc.constantFrom('/api/v1/catalog/import', '/api/v1/price-lists/import');
    const type = fc.oneof(fc.constant('text/csv'), CONTENT_TYPES);
    await fc.assert(
      fc.asyncProperty(target, inputs(corpus.csv()), type, async (p, body, ct) => {
        const s = await send((r) =>
          r.post(p).set('Authorization', `Bearer ${ADMIN_TOKEN}`).set('Content-Type', ct).send(body),
        );
        expectSafe(s, `POST ${p}`);
        expectJsonError(s, `POST ${p}`);
      }),
      runs(),
    );
  });

  it('approvals and finance forms: sign-in and decide; no valid token is 403, never 500', async () => {
    const area = fc.constantFrom('approvals' as const, 'finance' as const);
    const field = fc.oneof(
      fc.constantFrom('token', 'key', 'csrf', 'decision', 'comment'),
      fc.string({ maxLength: 8 }),
    );
    const value = fc.oneof(hostileText, fc.constantFrom(ADMIN_TOKEN, financeKey, 'approve', 'reject'));
    const action = fc.oneof(
      fc.constantFrom('login', 'logout'),
      urlText.map((id) => `:${id}`),
    );
    const who = fc.constantFrom('none', 'session', 'session+token', 'garbage');
    await fc.assert(
      fc.asyncProperty(
        area,
        action,
        fc.dictionary(field, value, { maxKeys: 5 }),
        who,
        async (a, act, fields, w) => {
          const session = a === 'approvals' ? approvals : finance;
          const path = act.startsWith(':')
            ? a === 'approvals'
              ? `/approvals/${act.slice(1)}/decide`
              : `/finance/${act.slice(1)}`
            : `/${a}/${act}`;
          // Signing out would end the suite's session: sign-out only gets forms without the token.
          const withToken = w === 'session+token' && act !== 'logout' && act !== 'login';
          const form = new URLSearchParams({ ...fields, ...(withToken ? { csrf: session.csrf } : {}) });
          if (act === 'logout' && form.get('csrf') === session.csrf) form.delete('csrf');
          const cookie =
            w === 'none' ? undefined : w === 'garbage' ? `${SESSION_COOKIE[a]}=%zz%00; a=%` : session.cookie;
          const s = await send((r) => {
            const req = r.post(path).type('form');
            return (cookie ? req.set('Cookie', cookie) : req).send(form.toString());
          });
          const what = `POST ${path.slice(0, 120)} (${w})`;
          expectSafe(s, what);
          expectPage(s, what);
          if (!withToken && act !== 'login' && w === 'session' && s.status < 400)
            throw new Error(describeFailure(s, `${what}: a form without its token was taken`));
        },
      ),
      runs(),
    );
    // The suite's sessions are still signed in.
    expect((await request(url).get('/approvals').set('Cookie', approvals.cookie)).text).toContain(
      'Pending approvals',
    );
  });

  it('malformed Cookie, Authorization and Content-Type headers on pages, probes, metrics and the API', async () => {
    const target = fc.constantFrom(
      '/approvals',
      '/finance',
      '/finance/login',
      '/punchout/s/x/cart',
      '/api/v1/orders',
      '/oci',
      '/health',
      '/ready',
      '/metrics',
      '/api/v1/openapi.json',
      '/api/v1/documents',
    );
    const authorization = fc.option(
      fc.oneof(
        headerText,
        headerText.map((v) => `Bearer ${v}`),
        fc.constantFrom(`Bearer ${erpKey}`, `Basic ${ADMIN_TOKEN}`, `Bearer  ${ADMIN_TOKEN}`, 'Bearer'),
      ),
    );
    const cookie = fc.oneof(
      headerText,
      headerText.map((v) => `${SESSION_COOKIE.approvals}=${v}`),
      headerText.map((v) => `${SESSION_COOKIE.finance}=${v}`),
      headerText.map((v) => `gw_signin=${v}`),
      headerText.map((v) => `gw_signin=${v}; ${SESSION_COOKIE.approvals}=${v}`),
    );
    await fc.assert(
      fc.asyncProperty(
        target,
        cookie,
        CONTENT_TYPES,
        fc.boolean(),
        authorization,
        async (p, c, ct, post, a) => {
          const s = await send((r) => {
            const req = post ? r.post(p).set('Content-Type', ct) : r.get(p);
            req.set('Cookie', c);
            if (a !== null) req.set('Authorization', a);
            else if (p.startsWith('/api/')) req.set('Authorization', `Bearer ${erpKey}`);
            return post ? req.send('a=b') : req;
          });
          expectSafe(s, `${post ? 'POST' : 'GET'} ${p} Cookie: ${c.slice(0, 80)}`);
          if (p.startsWith('/api/')) expectJsonError(s, `${p} with a malformed cookie`);
        },
      ),
      runs(),
    );
  });

  it('no buyer order number of a partner was taken twice', async () => {
    const dup = await t
      .db('orders')
      .select('partner_id', 'buyer_order_number')
      .count('* as n')
      .groupBy('partner_id', 'buyer_order_number')
      .havingRaw('count(*) > 1');
    expect(dup).toEqual([]);
  });
});
