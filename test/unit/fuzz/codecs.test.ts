/**
 * Issue 12 point 10 (codecs): property-based tests with fast-check. Random inputs and corpus
 * documents from fixtures/ mutated at random (bytes flipped, ranges cut, repeated or moved, random
 * text put in) never make a codec throw anything but its own refusal, and each call ends within a
 * generous bound (linear time: a hang or a quadratic path fails it).
 *
 * Runs per property: FUZZ_RUNS (default 60, a few seconds per codec in `npm test`); set e.g.
 * FUZZ_RUNS=2000 for a longer search. A failure prints the seed and path to replay it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { As2Error, parseDisposition, parseEntity, parseMultipart } from '../../../protocols/as2';
import { CxmlError, parseCxml, readCxmlMultipart } from '../../../protocols/cxml';
import { parseOciLogin } from '../../../protocols/oci';
import { parseX12 } from '../../../protocols/x12';
import { InterchangeSplitter } from '../../../protocols/x12/split';
import { csvObjects, CsvSyntaxError } from '../../../src/catalog/csv';

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const BOUND_MS = 2000 * Math.max(1, loadavg()[0] / cpus().length);
const FIXTURES = path.resolve(__dirname, '../../../fixtures');

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((n) => {
    const f = path.join(dir, n);
    return statSync(f).isDirectory() ? files(f, ext) : ext.test(n) ? [f] : [];
  });
}

const CXML = files(path.join(FIXTURES, 'cxml'), /\.xml$/).map((f) => readFileSync(f));
const X12 = files(path.join(FIXTURES, 'x12'), /\.(edi|x12|txt)$/).map((f) => readFileSync(f));
const CSV = files(path.join(FIXTURES, 'contracts'), /\.csv$/).map((f) => readFileSync(f));

/** One mutation of a byte string: what a fuzzer does to a real document. */
const mutation = fc.oneof(
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

function mutate(input: Buffer, ops: MutationOp[]): Buffer {
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
type MutationOp =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'cut'; at: number; length: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'repeat'; at: number; length: number; times: number }
  | { kind: 'truncate'; at: number };

/** Random bytes, random text, and mutated corpus documents. */
function inputs(corpus: Buffer[]): fc.Arbitrary<Buffer> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
    fc.string({ maxLength: 2000 }).map((s) => Buffer.from(s)),
    fc
      .tuple(
        fc.constantFrom(...corpus),
        fc.array(mutation as fc.Arbitrary<MutationOp>, { minLength: 1, maxLength: 4 }),
      )
      .map(([doc, ops]) => mutate(doc, ops)),
  );
}

/** Runs `f`, which may only throw one of `allowed`, within the bound. */
function refusesOnly(f: () => unknown, allowed: (new (...a: never[]) => Error)[]): void {
  const started = performance.now();
  try {
    f();
  } catch (err) {
    if (!allowed.some((E) => err instanceof E)) throw err;
  }
  const ms = performance.now() - started;
  if (ms > BOUND_MS) throw new Error(`took ${Math.round(ms)} ms`);
}

describe('codecs never throw anything but their own refusal, and end in time', () => {
  it('cXML: parseCxml', () => {
    fc.assert(
      fc.property(inputs(CXML), (b) => refusesOnly(() => parseCxml(b), [CxmlError])),
      { numRuns: RUNS },
    );
  });

  it('cXML: multipart/related bodies', () => {
    const part = (doc: Buffer) =>
      Buffer.concat([
        Buffer.from('--b\r\nContent-Type: text/xml\r\nContent-ID: <root>\r\n\r\n'),
        doc,
        Buffer.from(
          '\r\n--b\r\nContent-ID: <a1>\r\nContent-Transfer-Encoding: base64\r\n\r\nQUJD\r\n--b--\r\n',
        ),
      ]);
    fc.assert(
      fc.property(inputs(CXML.map(part)), (b) =>
        refusesOnly(
          () => readCxmlMultipart('multipart/related; boundary=b; type="text/xml"', b),
          [CxmlError],
        ),
      ),
      { numRuns: RUNS },
    );
  });

  it('X12: parseX12 (never throws: problems are values)', () => {
    fc.assert(
      fc.property(inputs(X12), (b) => refusesOnly(() => parseX12(b), [])),
      { numRuns: RUNS },
    );
  });

  it('X12: the interchange splitter gives the input back byte for byte, in any chunking', () => {
    fc.assert(
      fc.property(inputs(X12), fc.integer({ min: 1, max: 4096 }), (b, chunk) => {
        const s = new InterchangeSplitter();
        const pieces: { bytes: Buffer }[] = [];
        refusesOnly(() => {
          for (let i = 0; i < b.length; i += chunk) pieces.push(...s.push(b.subarray(i, i + chunk)));
          pieces.push(...s.end());
        }, []);
        expect(Buffer.concat(pieces.map((p) => p.bytes)).equals(b)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('OCI: parseOciLogin over random form fields', () => {
    const field = fc.oneof(
      fc.constantFrom(
        'USERNAME',
        'PASSWORD',
        'HOOK_URL',
        '~OkCode',
        '~TARGET',
        '~CALLER',
        'FUNCTION',
        'PRODUCTID',
      ),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(
        fc.dictionary(
          field,
          fc.oneof(fc.string({ maxLength: 300 }), fc.array(fc.string(), { maxLength: 3 })),
        ),
        (fields) => refusesOnly(() => parseOciLogin(fields), []),
      ),
      { numRuns: RUNS },
    );
  });

  it('CSV: csvObjects', () => {
    fc.assert(
      fc.property(inputs(CSV), (b) => refusesOnly(() => csvObjects(b.toString('utf8')), [CsvSyntaxError])),
      { numRuns: RUNS },
    );
  });

  it('AS2: MIME entities, multiparts and dispositions', () => {
    const mime = Buffer.from(
      'Content-Type: multipart/signed; boundary="x"; protocol="application/pkcs7-signature"\r\n\r\n--x\r\nContent-Type: application/edi-x12\r\n\r\nISA*00~\r\n--x\r\nContent-Type: application/pkcs7-signature\r\n\r\nMIIB\r\n--x--\r\n',
    );
    fc.assert(
      fc.property(inputs([mime]), fc.string({ maxLength: 300 }), (b, disposition) =>
        refusesOnly(() => {
          parseDisposition(disposition);
          parseMultipart(parseEntity(b));
        }, [As2Error]),
      ),
      { numRuns: RUNS },
    );
  });
});
