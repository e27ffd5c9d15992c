/**
 * Shared by the fast-check suites (test/unit/fuzz for the codecs, test/integration/fuzz for the HTTP
 * entry points): the corpus from fixtures/, the mutations a fuzzer applies to a real document, and
 * the run count and time bound.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';

/** Runs per property: FUZZ_RUNS, or `fallback` (what keeps `npm test` short). */
export function fuzzRuns(fallback: number): number {
  return Number(process.env.FUZZ_RUNS ?? fallback);
}

/** A generous bound for one call (ms), widened when the machine is loaded: a hang or a quadratic path fails it. */
export function boundMs(base = 2000): number {
  return base * Math.max(1, loadavg()[0]! / cpus().length);
}

export const FIXTURES = path.resolve(__dirname, '../../fixtures');

export function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const f = path.join(dir, n);
      return statSync(f).isDirectory() ? files(f, ext) : ext.test(n) ? [f] : [];
    });
}

export const corpus = {
  cxml: () => files(path.join(FIXTURES, 'cxml'), /\.xml$/).map((f) => readFileSync(f)),
  x12: () => files(path.join(FIXTURES, 'x12'), /\.(edi|x12|txt)$/).map((f) => readFileSync(f)),
  csv: () => files(path.join(FIXTURES, 'contracts'), /\.csv$/).map((f) => readFileSync(f)),
};

export type MutationOp =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'cut'; at: number; length: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'repeat'; at: number; length: number; times: number }
  | { kind: 'truncate'; at: number };

/** One mutation of a byte string: what a fuzzer does to a real document. */
export const mutation: fc.Arbitrary<MutationOp> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), length: fc.nat({ max: 200 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ maxLength: 40 }) }),
  fc.record({
    kind: fc.constant('repeat' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 16 }),
    times: fc.integer({ min: 2, max: 5000 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

export function mutate(input: Buffer, ops: MutationOp[]): Buffer {
  let b = input;
  for (const op of ops) {
    const at = b.length === 0 ? 0 : op.at % b.length;
    switch (op.kind) {
      case 'flip':
        b = Buffer.from(b);
        if (b.length > 0) b[at] = op.byte;
        break;
      case 'cut':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + op.length)]);
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(op.text), b.subarray(at)]);
        break;
      case 'repeat': {
        const piece = b.subarray(at, at + op.length);
        b = Buffer.concat([b.subarray(0, at), Buffer.alloc(piece.length * op.times, piece), b.subarray(at)]);
        break;
      }
      case 'truncate':
        b = b.subarray(0, at);
        break;
    }
  }
  return b;
}

/** A corpus document with one to four mutations. */
export function mutated(docs: Buffer[]): fc.Arbitrary<Buffer> {
  return fc
    .tuple(fc.constantFrom(...docs), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([doc, ops]) => mutate(doc, ops));
}

/** Random bytes, random text, and mutated corpus documents. */
export function inputs(docs: Buffer[]): fc.Arbitrary<Buffer> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
    fc.string({ maxLength: 2000 }).map((s) => Buffer.from(s)),
    mutated(docs),
  );
}

/** The fields of an OCI login form (SAP OCI 4.0 and 5.0), for random forms that get past the names. */
export const OCI_FIELDS = [
  'USERNAME',
  'PASSWORD',
  'HOOK_URL',
  '~OkCode',
  '~TARGET',
  '~CALLER',
  'FUNCTION',
  'PRODUCTID',
] as const;

/** NUL bytes, bad %-encodings and zero ids, as a URL carries them. */
const URL_EDGES = [
  '%00',
  'a%00b',
  '%',
  '%zz',
  '%E0%A4%A',
  '%C3%28',
  '%FF%FE',
  '0'.repeat(36),
  '00000000-0000-0000-0000-000000000000',
];

/** Text a hostile client puts in a query value, path segment, cookie or form field. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom(
    ...URL_EDGES,
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '-1',
    '1e309',
    'NaN',
    '9'.repeat(40),
    '2026-02-30',
    '[]',
    '{}',
    "'; drop table orders; --",
    'x'.repeat(5000),
    '\u0000',
    '\uD800',
  ),
);

/** Printable ASCII and the odd %-encodings: what fits in a header value (Cookie, Content-Type). */
export const headerText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.constantFrom('%', '%zz', '%00', '%E0%A4%A', '%C3%28', '%FF', '=', ';;;', '"', '\\', 'a=b=c'),
);

/**
 * A path segment or query value as it goes on the wire: random text %-encoded, or raw pieces with
 * NUL bytes, bad %-encoding, overlong, zero and out-of-range ids.
 */
export const urlText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc
    .string({ unit: 'binary', maxLength: 20 })
    .map((s) => encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, ''))),
  fc.constantFrom(...URL_EDGES, '-1', '1e309', 'NaN', '9'.repeat(40), '2026-02-30', 'x'.repeat(3000)),
);

/** Values a mutated field takes: hostile text and the edge cases of numbers, dates, codes and money. */
export const fieldValue: fc.Arbitrary<string> = fc.oneof(
  hostileText,
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '0.0000001',
    '1e9',
    '1E+400',
    '99999999999999999999999.99',
    '4,50',
    'Infinity',
    '2026-13-45T25:61:00+00:00',
    '0000-00-00',
    '9999-12-31T23:59:59+14:00',
    '20261399',
    'ZZZ',
    'usd',
    'EA ',
    'new',
    'update',
    'delete',
    'inspect',
  ),
);

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

/**
 * A well-formed mutation of an XML document: one text node or attribute value (picked at random)
 * gets a field value, escaped (so the document still parses and reaches the handlers) or, now and
 * then, raw.
 */
export function xmlValueMutated(docs: Buffer[]): fc.Arbitrary<Buffer> {
  return fc
    .tuple(
      fc.constantFrom(...docs),
      fc.array(fc.tuple(fc.nat(), fieldValue, fc.boolean(), fc.nat({ max: 9 })), {
        minLength: 1,
        maxLength: 3,
      }),
    )
    .map(([doc, edits]) => {
      let text = doc.toString('utf8');
      for (const [pick, value, attr, rawOdds] of edits) {
        const re = attr ? /="([^"]*)"/g : />([^<]*)</g;
        const spots = [...text.matchAll(re)];
        if (spots.length === 0) continue;
        const m = spots[pick % spots.length]!;
        const v = rawOdds === 0 ? value : xmlEscape(value);
        const start = m.index + (attr ? 2 : 1);
        text = `${text.slice(0, start)}${v}${text.slice(start + m[1]!.length)}`;
      }
      return Buffer.from(text);
    });
}

/** An X12 mutation that keeps the envelope readable: elements (between `*`) get field values. */
export function x12ElementMutated(docs: Buffer[]): fc.Arbitrary<Buffer> {
  return fc
    .tuple(fc.constantFrom(...docs), fc.array(fc.tuple(fc.nat(), fieldValue), { minLength: 1, maxLength: 3 }))
    .map(([doc, edits]) => {
      let text = doc.toString('latin1');
      for (const [pick, value] of edits) {
        const spots = [...text.matchAll(/\*([^*~\n]*)/g)];
        if (spots.length === 0) continue;
        const m = spots[pick % spots.length]!;
        const v = value.replace(/[*~>\n\r^:]/g, '');
        text = `${text.slice(0, m.index + 1)}${v}${text.slice(m.index + 1 + m[1]!.length)}`;
      }
      return Buffer.from(text, 'latin1');
    });
}

/** A JSON document with one to three leaves (or whole subtrees) replaced by random values. */
export function jsonLeafMutated(seed: unknown): fc.Arbitrary<Buffer> {
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, p: (string | number)[]) => {
    paths.push(p);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
  };
  walk(seed, []);
  const replacement = fc.oneof(
    fieldValue,
    fieldValue,
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom(null, 0, -1, 1e308, 0.1, true, [], {}),
  );
  return fc.array(fc.tuple(fc.nat(), replacement), { minLength: 1, maxLength: 3 }).map((edits) => {
    let doc = JSON.parse(JSON.stringify(seed)) as unknown;
    for (const [pick, shared] of edits) {
      // A copy per edit: constantFrom hands out one [] or {} each time, and an edit into a value
      // put in by an earlier one would otherwise make the document circular.
      const value = structuredClone(shared);
      const p = paths[pick % paths.length]!;
      if (p.length === 0) {
        doc = value;
        continue;
      }
      let at = doc as Record<string | number, unknown> | undefined;
      for (const k of p.slice(0, -1)) at = at && typeof at === 'object' ? (at[k] as typeof at) : undefined;
      if (at && typeof at === 'object') at[p[p.length - 1]!] = value;
    }
    return Buffer.from(JSON.stringify(doc) ?? 'null');
  });
}
