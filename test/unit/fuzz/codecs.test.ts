/**
 * Issue 12 point 10 (codecs): property-based tests with fast-check. Random inputs and corpus
 * documents from fixtures/ mutated at random (bytes flipped, ranges cut, repeated or moved, random
 * text put in) never make a codec throw anything but its own refusal, and each call ends within a
 * generous bound (linear time: a hang or a quadratic path fails it).
 *
 * Runs per property: FUZZ_RUNS (default 60, a few seconds per codec in `npm test`); set e.g.
 * FUZZ_RUNS=2000 for a longer search. A failure prints the seed and path to replay it.
 */
import fc from 'fast-check';
import { As2Error, parseDisposition, parseEntity, parseMultipart } from '../../../protocols/as2';
import { CxmlError, parseCxml, readCxmlMultipart } from '../../../protocols/cxml';
import { parseOciLogin } from '../../../protocols/oci';
import { parseX12 } from '../../../protocols/x12';
import { InterchangeSplitter } from '../../../protocols/x12/split';
import { csvObjects, CsvSyntaxError } from '../../../src/catalog/csv';
import { boundMs, corpus, fuzzRuns, inputs, OCI_FIELDS } from '../../helpers/fuzz';

const RUNS = fuzzRuns(60);
const BOUND_MS = boundMs();

const CXML = corpus.cxml();
const X12 = corpus.x12();
const CSV = corpus.csv();

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
    const field = fc.oneof(fc.constantFrom(...OCI_FIELDS), fc.string({ maxLength: 20 }));
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
