/**
 * Issue 12 point 1, over real HTTP on a real port with real Postgres: the pathological inputs found by
 * trying the gateway as an attacker, each at 64 KB and 1 MB, are refused with the protocol's 4xx
 * (naming the limit where one was hit) in under 2 s (a generous bound: before the fix the 256 KB
 * '<?' flood took 11 s and grew with the square of the size), and GET /health answers meanwhile.
 */
import { cpus, loadavg } from 'node:os';
import { createApp } from '../../../src/app';
import { auth, createTestEnv, type TestEnv } from '../../helpers/env';
import { seedPartner } from '../../helpers/partners';
import { listenApp, withHealthProbe } from '../../helpers/server';

const KB = 1024;
const SIZES = [64 * KB, 1024 * KB];
/**
 * 2 s on an idle machine, stretched by how many runnable processes share each core (the load
 * average): on a shared 2-core machine at load 20 each process gets a tenth of a core. A quadratic
 * path still fails it by far (the 1 MB '<?' flood took minutes).
 */
const BOUND_MS = 2000 * Math.max(1, loadavg()[0]! / cpus().length);
const DOCTYPE = '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">';
const UNKNOWN_HEADER = `<Header><From><Credential domain="NetworkID"><Identity>NOBODY</Identity></Credential></From>
<To><Credential domain="NetworkID"><Identity>AN-SUPPLIER-TEST</Identity></Credential></To>
<Sender><Credential domain="NetworkID"><Identity>NOBODY</Identity><SharedSecret>guess</SharedSecret></Credential><UserAgent>x</UserAgent></Sender></Header>`;

/** `unit` repeated to `size` bytes between `head` and `tail`. */
function fill(size: number, head: string, unit: string, tail: string): string {
  return head + unit.repeat(Math.max(1, Math.floor((size - head.length - tail.length) / unit.length))) + tail;
}

const CXML_PATTERNS: { name: string; body: (size: number) => string; refusal: RegExp }[] = [
  {
    name: "'<?' repeated before a DOCTYPE",
    body: (n) => fill(n, '', '<?', `${DOCTYPE}<cXML/>`),
    refusal: /DOCTYPE is only allowed before the root element/,
  },
  {
    name: 'unclosed comments before a DOCTYPE',
    body: (n) => fill(n, '', '<!--', `${DOCTYPE}<cXML/>`),
    refusal: /DOCTYPE is only allowed before the root element/,
  },
  {
    name: '<a/> from an unknown sender',
    body: (n) =>
      fill(
        n,
        `<cXML payloadID="p" timestamp="2026-01-01T00:00:00Z">${UNKNOWN_HEADER}<Request>`,
        '<a/>',
        '</Request></cXML>',
      ),
    // 64 KB of <a/> is under the element limit: refused for the extra elements instead.
    refusal: /XML_MAX_ELEMENTS|Request carries more than one element \(a, a, a, a, a, and \d+ more\)/,
  },
  {
    name: 'deep nesting',
    body: (n) => fill(n, '<cXML>', '<a>', ''),
    refusal: /nested deeper than 100 levels .*XML_MAX_DEPTH/,
  },
  {
    name: 'attributes without end',
    body: (n) => fill(n, '<cXML ', 'a="" ', '/>').replace(/a=""/g, (_m, i: number) => `a${i}=""`),
    refusal: /XML_MAX_ATTRIBUTES/,
  },
  {
    name: 'one long name',
    body: (n) => fill(n, '<cXML><', 'a', '/></cXML>'),
    refusal: /XML_MAX_NAME_LENGTH/,
  },
];

const ISA =
  'ISA*00*          *00*          *ZZ*ACMEBUYER      *ZZ*SUPPLIERDEMO   *261120*1200*U*00401*000000001*0*P*>~';
const GS = 'GS*PO*ACMEBUYER*SUPPLIERDEMO*20261120*1200*77*X*004010~';

const X12_PATTERNS: { name: string; body: (size: number) => string }[] = [
  // 20,000 of these held one transaction for 30 s (three statements per control number).
  {
    name: 'empty functional groups',
    body: (n) =>
      fill(n, ISA, 'GS*PO*ACMEBUYER*SUPPLIERDEMO*20261120*1200*1*X*004010~GE*0*1~', 'IEA*1*000000001~'),
  },
  { name: "'ISA*' repeated", body: (n) => fill(n, '', 'ISA*', '') },
  { name: 'one-letter segments', body: (n) => fill(n, ISA, 'A~', 'IEA*1*000000001~') },
  {
    name: 'transaction sets without SE',
    body: (n) => fill(n, ISA + GS, 'ST*850*0001~', 'GE*1*77~IEA*1*000000001~'),
  },
  { name: 'one segment of separators', body: (n) => fill(n, ISA + 'GS', '*', '~IEA*1*000000001~') },
  { name: 'many small interchanges', body: (n) => fill(n, '', `${ISA}IEA*0*000000001~`, '') },
];

let t: TestEnv;
let server: Awaited<ReturnType<typeof listenApp>>;
let erpKey: string;

beforeAll(async () => {
  t = await createTestEnv({ start: false });
  ({ erpKey } = await seedPartner(t.db));
  server = await listenApp(createApp(t.ctx));
});
afterAll(async () => {
  await server?.close();
  await t?.close();
});

async function post(path: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', body, headers });
  return { status: res.status, text: await res.text() };
}

describe('POST /cxml: pathological documents are refused in linear time while /health answers', () => {
  for (const p of CXML_PATTERNS) {
    for (const size of SIZES) {
      it(`${p.name}, ${size / KB} KB`, async () => {
        const body = p.body(size);
        const run = await withHealthProbe(server.url, () =>
          post('/cxml', body, { 'Content-Type': 'text/xml' }),
        );
        // The answer is bounded (a Status message is cut at 2000 characters): short enough to show.
        expect(run.result.text.length).toBeLessThan(4000);
        expect(run.result.status).toBeGreaterThanOrEqual(400);
        expect(run.result.status).toBeLessThan(500);
        expect(run.result.text).toMatch(/<Status code="4\d\d"/);
        expect(run.result.text).toMatch(p.refusal);
        expect(run.ms).toBeLessThan(BOUND_MS);
        expect(run.health.answered).toBeGreaterThan(0);
        expect(run.health.failed).toBe(0);
        expect(run.health.slowestMs).toBeLessThan(BOUND_MS);
      });
    }
  }

  it('4.6 MB of <a/> from an unknown sender stops at the element limit', async () => {
    const body = CXML_PATTERNS[2]!.body(4.6 * 1024 * KB);
    const run = await withHealthProbe(server.url, () => post('/cxml', body, { 'Content-Type': 'text/xml' }));
    expect(run.result.status).toBe(400);
    expect(run.result.text).toMatch(
      /more than 100000 elements \(the limit is 100000, setting XML_MAX_ELEMENTS\)/,
    );
    // 4.6 times the 1 MB bound, as the size.
    expect(run.ms).toBeLessThan(BOUND_MS * 4.6);
    expect(run.health.failed).toBe(0);
  });
});

describe('POST /edi/x12: pathological interchanges get their TA1/997 or 400 in linear time while /health answers', () => {
  for (const p of X12_PATTERNS) {
    for (const size of SIZES) {
      it(`${p.name}, ${size / KB} KB`, async () => {
        const body = p.body(size);
        const run = await withHealthProbe(server.url, () =>
          post('/edi/x12', body, { ...auth(erpKey), 'Content-Type': 'application/edi-x12' }),
        );
        // An answer: an acknowledgment interchange (TA1 / 997 rejecting) or a 400 naming the segment.
        expect(run.result.status).toBeLessThan(500);
        // 204: an interchange with nothing to acknowledge gets no acknowledgment.
        if (run.result.status === 200) expect(run.result.text.startsWith('ISA')).toBe(true);
        else expect([204, 400]).toContain(run.result.status);
        expect(run.ms).toBeLessThan(BOUND_MS);
        expect(run.health.answered).toBeGreaterThan(0);
        expect(run.health.failed).toBe(0);
        expect(run.health.slowestMs).toBeLessThan(BOUND_MS);
      });
    }
  }
});
