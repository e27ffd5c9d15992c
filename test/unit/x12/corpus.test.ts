/**
 * Conformance over the X12 corpus (fixtures/x12/corpus): every file is either parsed with the
 * expected transaction sets, or rejected with errors that name the segment (and element); files
 * under fail/ or named invalid* / *_bad* are always rejected. The golden list was checked file by
 * file against the raw EDI (see the comments on the notable ones).
 */
import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  parse850,
  parseTransactionSet,
  parseX12,
  parseX12Chunks,
  readX12,
  type X12Document,
  type X12Error,
} from '../../../protocols/x12';
import { CORPUS, GOLDEN, chunk, corpusFiles, readCorpus, rng, sig } from './helpers';

// Notable expectations:
// - indice x12.810a-d / x12.850a / stupidedi pass files: ISA fields of the wrong width (ISA_FIELD_WIDTH)
//   yet the content is read; x12.*.edi from EDI.Net also have IEA02 != ISA13.
// - node-x12 856.edi declares "-" as repetition separator (ISA11, 00406) and then uses "-" in data.
// - x12.850.issue135.edi declares "~" as component separator with newline terminators, so every
//   trailing "~" makes the last element a composite; "~" in GS08 and ST02 (never composite) names
//   ISA16 as the fault (the interchange is refused, TA1 note 027).
// - SH856/fail/2.edi uses "$" as terminator but "~\n" after three segments: they merge into one N1.
// - simple810.edi's second invoice repeats the first one's TDS (total differs from its lines).
const EXPECTED: Record<string, { sets: Record<string, number>; errors: string[] }> = {
  'aaronhuggins__node-x12/test/test-data/850.edi': { sets: { '850': 1 }, errors: [] },
  'aaronhuggins__node-x12/test/test-data/850_2.edi': { sets: { '850': 1 }, errors: [] },
  'aaronhuggins__node-x12/test/test-data/850_3.edi': { sets: { '850': 1 }, errors: [] },
  'aaronhuggins__node-x12/test/test-data/850_fat.edi': { sets: { '850': 2 }, errors: [] },
  'aaronhuggins__node-x12/test/test-data/855.edi': { sets: { '855': 1 }, errors: [] },
  'aaronhuggins__node-x12/test/test-data/856.edi': {
    sets: { '856': 1 },
    errors: ['856:TOO_MANY_REPETITIONS@N43', '856:TOO_MANY_REPETITIONS@REF2'],
  },
  'indice-co__EDI.Net/test/indice.Edi.Tests/Samples/x12.810.mandatory-conditions.edi': {
    sets: { '850': 1 },
    errors: [
      '850:MISSING_SEGMENT@BEG',
      '850:SE_SEGMENT_COUNT@SE1',
      'IEA_CONTROL_MISMATCH@IEA2',
      'ISA_FIELD_WIDTH@ISA8',
      'ISA_LENGTH@ISA',
    ],
  },
  'indice-co__EDI.Net/test/indice.Edi.Tests/Samples/x12.810a.edi': {
    sets: { '810': 1 },
    errors: ['ISA_FIELD_WIDTH@ISA2', 'ISA_FIELD_WIDTH@ISA4', 'ISA_FIELD_WIDTH@ISA8', 'ISA_LENGTH@ISA'],
  },
  'indice-co__EDI.Net/test/indice.Edi.Tests/Samples/x12.810b.edi': {
    sets: { '810': 1 },
    errors: ['ISA_FIELD_WIDTH@ISA2', 'ISA_FIELD_WIDTH@ISA4', 'ISA_FIELD_WIDTH@ISA8', 'ISA_LENGTH@ISA'],
  },
  'indice-co__EDI.Net/test/indice.Edi.Tests/Samples/x12.810c.edi': {
    sets: { '810': 1 },
    errors: [
      '810:COUNT_MISMATCH@TDS1(app)',
      '810:MISSING_ELEMENT@IT16(app)',
      'ISA_FIELD_WIDTH@ISA2',
      'ISA_FIELD_WIDTH@ISA4',
      'ISA_FIELD_WIDTH@ISA8',
      'ISA_LENGTH@ISA',
    ],
  },
  'indice-co__EDI.Net/test/indice.Edi.Tests/Samples/x12.810d.edi': {
    sets: { '810': 1 },
    errors: [
      '810:COUNT_MISMATCH@TDS1(app)',
      '810:MISSING_ELEMENT@IT16(app)',
      'ISA_FIELD_WIDTH@ISA2',
      'ISA_FIELD_WIDTH@ISA4',
      'ISA_FIELD_WIDTH@ISA8',
      'ISA_LENGTH@ISA',
    ],
  },
  'indice-co__EDI.Net/test/indice.Edi.Tests/Samples/x12.850.edi': {
    sets: { '850': 1 },
    errors: ['IEA_CONTROL_MISMATCH@IEA2'],
  },
  'indice-co__EDI.Net/test/indice.Edi.Tests/Samples/x12.850.issue135.edi': {
    sets: { '850': 2 },
    errors: [
      '850:MISSING_ELEMENT@PO14(app)',
      '850:MISSING_ELEMENT@PO16(app)',
      '850:ST_INVALID@ST2',
      '850:TOO_MANY_COMPONENTS@BEG5',
      '850:TOO_MANY_COMPONENTS@CTT1',
      '850:TOO_MANY_COMPONENTS@CUR2',
      '850:TOO_MANY_COMPONENTS@DTM2',
      '850:TOO_MANY_COMPONENTS@N12',
      '850:TOO_MANY_COMPONENTS@PER2',
      '850:TOO_MANY_COMPONENTS@PID5',
      '850:TOO_MANY_COMPONENTS@PO17',
      '850:TOO_MANY_COMPONENTS@REF2',
      '850:TOO_MANY_COMPONENTS@TD54',
      'GE_CONTROL_MISMATCH@GE2',
      'IEA_CONTROL_MISMATCH@IEA2',
      'ISA_INVALID_DELIMITERS@ISA16',
    ],
  },
  'indice-co__EDI.Net/test/indice.Edi.Tests/Samples/x12.850a.edi': {
    sets: { '850': 1 },
    errors: [
      '850:ELEMENT_TOO_LONG@N42',
      'IEA_CONTROL_MISMATCH@IEA2',
      'ISA_FIELD_WIDTH@ISA8',
      'ISA_LENGTH@ISA',
    ],
  },
  'indice-co__EDI.Net/test/indice.Edi.Tests/Samples/x12.Issue101.edi': {
    sets: { '850': 1 },
    errors: [
      '850:MISSING_SEGMENT@BEG',
      '850:SE_SEGMENT_COUNT@SE1',
      'IEA_CONTROL_MISMATCH@IEA2',
      'ISA_FIELD_WIDTH@ISA8',
      'ISA_LENGTH@ISA',
    ],
  },
  'indice-co__EDI.Net/test/indice.Edi.Tests/Samples/x12.Issue172.edi': {
    sets: { '850': 1 },
    errors: [
      '850:MISSING_SEGMENT@BEG',
      '850:SE_SEGMENT_COUNT@SE1',
      'IEA_CONTROL_MISMATCH@IEA2',
      'ISA_FIELD_WIDTH@ISA8',
      'ISA_LENGTH@ISA',
    ],
  },
  'indice-co__EDI.Net/test/indice.Edi.Tests/Samples/x12.Issue88.edi': { sets: { '271': 1 }, errors: [] },
  'indice-co__EDI.Net/test/indice.Edi.Tests/Samples/x12.Issue91.edi': {
    sets: { '850': 1 },
    errors: [
      '850:MISSING_SEGMENT@BEG',
      '850:SE_SEGMENT_COUNT@SE1',
      'IEA_CONTROL_MISMATCH@IEA2',
      'ISA_FIELD_WIDTH@ISA8',
      'ISA_LENGTH@ISA',
    ],
  },
  'kputnam__stupidedi/spec/fixtures/002001/SH856/fail/1.edi': {
    sets: { '856': 2 },
    errors: [
      '856:MISSING_SEGMENT@PRF(app)',
      'ISA_FIELD_WIDTH@ISA2',
      'ISA_FIELD_WIDTH@ISA4',
      'ISA_FIELD_WIDTH@ISA6',
      'ISA_FIELD_WIDTH@ISA8',
      'ISA_LENGTH@ISA',
    ],
  },
  'kputnam__stupidedi/spec/fixtures/003010/PC860/fail/1.edi': {
    sets: { '860': 1 },
    errors: [
      'ISA_FIELD_WIDTH@ISA2',
      'ISA_FIELD_WIDTH@ISA4',
      'ISA_FIELD_WIDTH@ISA6',
      'ISA_FIELD_WIDTH@ISA8',
      'ISA_LENGTH@ISA',
    ],
  },
  'kputnam__stupidedi/spec/fixtures/003010/PO850/fail/1.edi': {
    sets: { '850': 1 },
    errors: [
      '850:COUNT_MISMATCH@CTT1',
      '850:MISSING_ELEMENT@PO16(app)',
      '850:SE_SEGMENT_COUNT@SE1',
      'ISA_FIELD_WIDTH@ISA2',
      'ISA_FIELD_WIDTH@ISA4',
      'ISA_FIELD_WIDTH@ISA6',
      'ISA_FIELD_WIDTH@ISA8',
      'ISA_LENGTH@ISA',
    ],
  },
  'kputnam__stupidedi/spec/fixtures/003050/PO850/fail/1.edi': {
    sets: { '850': 1 },
    errors: [
      '850:MISSING_ELEMENT@PO16(app)',
      'ISA_FIELD_WIDTH@ISA2',
      'ISA_FIELD_WIDTH@ISA4',
      'ISA_FIELD_WIDTH@ISA6',
      'ISA_FIELD_WIDTH@ISA8',
      'ISA_LENGTH@ISA',
    ],
  },
  'kputnam__stupidedi/spec/fixtures/004010/FA997/pass/1.edi': {
    sets: { '997': 1 },
    errors: ['ISA_FIELD_WIDTH@ISA6', 'ISA_LENGTH@ISA'],
  },
  'kputnam__stupidedi/spec/fixtures/004010/IN810/pass/1.edi': {
    sets: { '810': 1 },
    errors: ['810:CONDITIONAL_ELEMENT_MISSING@IT13', '810:MISSING_ELEMENT@IT16(app)'],
  },
  'kputnam__stupidedi/spec/fixtures/004010/PO850/pass/1.edi': {
    sets: { '850': 1 },
    errors: ['ISA_FIELD_WIDTH@ISA8', 'ISA_LENGTH@ISA'],
  },
  'kputnam__stupidedi/spec/fixtures/004010/PR855/fail/2.edi': {
    sets: { '855': 1 },
    errors: [
      '855:ELEMENT_TOO_LONG@PO13',
      'ISA_FIELD_WIDTH@ISA2',
      'ISA_FIELD_WIDTH@ISA4',
      'ISA_FIELD_WIDTH@ISA6',
      'ISA_FIELD_WIDTH@ISA8',
      'ISA_LENGTH@ISA',
    ],
  },
  'kputnam__stupidedi/spec/fixtures/004010/PR855/pass/1.edi': { sets: { '855': 1 }, errors: [] },
  'kputnam__stupidedi/spec/fixtures/004010/PS830/pass/1.edi': {
    sets: { '830': 1 },
    errors: ['ISA_FIELD_WIDTH@ISA8', 'ISA_LENGTH@ISA'],
  },
  'kputnam__stupidedi/spec/fixtures/004010/SH856/fail/2.edi': {
    sets: { '856': 1 },
    errors: [
      '856:COUNT_MISMATCH@CTT1(app)',
      '856:ELEMENT_TOO_LONG@N15',
      '856:ELEMENT_TOO_LONG@N16',
      '856:HIERARCHY_ERROR@HL2(app)',
      '856:SE_SEGMENT_COUNT@SE1',
      '856:TOO_MANY_ELEMENTS@N17',
    ],
  },
  'xlate__staedi/src/test/resources/wiki/x12_interchange_ack.txt': {
    sets: {},
    errors: ['IEA_GROUP_COUNT@IEA1'],
  },
  'xlate__staedi/src/test/resources/x12/empty997.edi': {
    sets: { '997': 1 },
    errors: ['997:MISSING_SEGMENT@AK1'],
  },
  'xlate__staedi/src/test/resources/x12/extraDelimiter997.edi': {
    sets: { '997': 1 },
    errors: [
      '997:TOO_MANY_REPETITIONS@AK32',
      '997:TOO_MANY_REPETITIONS@AK34',
      '997:TOO_MANY_REPETITIONS@AK44',
    ],
  },
  'xlate__staedi/src/test/resources/x12/invalid997.edi': {
    sets: { '997': 1 },
    errors: ['997:ELEMENT_TOO_LONG@AK11', '997:INVALID_NUMBER@AK42'],
  },
  'xlate__staedi/src/test/resources/x12/invalid999.edi': {
    sets: { '999': 1 },
    errors: [
      '999:ELEMENT_TOO_LONG@AK11',
      '999:INVALID_CODE@IK51',
      '999:INVALID_NUMBER@CTX6',
      '999:SE_SEGMENT_COUNT@SE1',
      '999:TOO_MANY_ELEMENTS@AK24',
      '999:UNEXPECTED_SEGMENT@IK5',
    ],
  },
  'xlate__staedi/src/test/resources/x12/invoice810_po850_dual.edi': {
    sets: { '810': 2, '850': 1 },
    errors: [
      '810:COUNT_MISMATCH@TDS1(app)',
      '810:MISSING_ELEMENT@IT16(app)',
      '850:MISSING_ELEMENT@PO14(app)',
      '850:MISSING_ELEMENT@PO16(app)',
    ],
  },
  'xlate__staedi/src/test/resources/x12/issue109/ts214_ellipses_segterm.edi': {
    sets: { '214': 1 },
    errors: [],
  },
  'xlate__staedi/src/test/resources/x12/issue128/ts210_80char.edi': { sets: { '210': 1 }, errors: [] },
  'xlate__staedi/src/test/resources/x12/simple810.edi': {
    sets: { '810': 2 },
    errors: ['810:COUNT_MISMATCH@TDS1(app)', '810:MISSING_ELEMENT@IT16(app)'],
  },
  'xlate__staedi/src/test/resources/x12/simple997-multiple-interchanges.edi': {
    sets: { '997': 3 },
    errors: [],
  },
  'xlate__staedi/src/test/resources/x12/simple997.edi': { sets: { '997': 1 }, errors: [] },
  'xlate__staedi/src/test/resources/x12/simple999.edi': { sets: { '999': 1 }, errors: [] },
};

function summary(doc: X12Document): { sets: Record<string, number>; errors: string[] } {
  const sets: Record<string, number> = {};
  const errors = doc.errors.filter((e) => !e.transactionSetId).map(sig);
  for (const s of doc.transactionSets) {
    sets[s.id] = (sets[s.id] ?? 0) + 1;
    for (const e of parseTransactionSet(s).errors)
      errors.push(`${s.id}:${sig(e)}${e.application ? '(app)' : ''}`);
  }
  return { sets, errors: [...new Set(errors)].sort() };
}

const mustFail = (f: string): boolean =>
  /\/fail\//.test(f) || /\/invalid[^/]*$/.test(f) || /_bad[^/]*$/.test(f);

describe('X12 corpus conformance', () => {
  const files = corpusFiles();

  it('has an expectation for every corpus file and no stale ones', () => {
    expect(files).toEqual(Object.keys(EXPECTED).sort());
    expect(files.length).toBe(41);
  });

  it.each(files)('%s gives the expected sets and errors', (f) => {
    expect(summary(parseX12(readCorpus(f)))).toEqual(EXPECTED[f]);
  });

  it.each(files.filter(mustFail))(
    '%s (negative test) is rejected with an error naming segment and element',
    (f) => {
      const doc = parseX12(readCorpus(f));
      const all: X12Error[] = [
        ...doc.errors,
        ...doc.transactionSets.flatMap((s) => parseTransactionSet(s).errors),
      ];
      const named = all.filter(
        (e) => !e.application && /^[A-Z][A-Z0-9]{1,2}$/.test(e.segmentId) && e.elementPosition !== undefined,
      );
      expect(named.length).toBeGreaterThan(0);
    },
  );

  it('never returns zero transaction sets without an error', () => {
    for (const f of files) {
      const doc = parseX12(readCorpus(f));
      if (doc.transactionSets.length === 0) expect(doc.errors.length).toBeGreaterThan(0);
    }
  });

  it('reads every file identically in chunks of 1, 7 and random sizes', () => {
    const r = rng(42);
    for (const f of files) {
      const buf = readCorpus(f);
      const whole = summary(parseX12(buf));
      for (const sizes of [() => 1, () => 7, () => 1 + Math.floor(r() * 200)]) {
        expect([f, summary(parseX12Chunks(chunk(buf, sizes)))]).toEqual([f, whole]);
      }
    }
  });

  it('streams every file from disk (64 KiB and 3-byte reads) with the same sets as the sync parser', async () => {
    for (const f of files) {
      const expected = parseX12(readCorpus(f)).transactionSets.map(
        (s) => `${s.id}/${s.controlNumber}/${s.segments.length}`,
      );
      for (const highWaterMark of [65536, 3]) {
        const got: string[] = [];
        for await (const e of readX12(createReadStream(path.join(CORPUS, f), { highWaterMark }))) {
          if (e.type === 'transactionSet')
            got.push(`${e.set.id}/${e.set.controlNumber}/${e.set.segments.length}`);
        }
        expect([f, got]).toEqual([f, expected]);
      }
    }
  });

  const goldens: [string, string][] = [
    ['aaronhuggins__node-x12/test/test-data/850.edi', 'node-x12-850.json'],
    ['aaronhuggins__node-x12/test/test-data/850_3.edi', 'node-x12-850_3.json'],
    ['indice-co__EDI.Net/test/indice.Edi.Tests/Samples/x12.850a.edi', 'edinet-x12.850a.json'],
    ['indice-co__EDI.Net/test/indice.Edi.Tests/Samples/x12.850.edi', 'edinet-x12.850.json'],
    ['kputnam__stupidedi/spec/fixtures/004010/PO850/pass/1.edi', 'stupidedi-004010-PO850-pass-1.json'],
  ];
  it.each(goldens)('%s maps to the canonical orders in golden/%s', (f, golden) => {
    const orders = parseX12(readCorpus(f))
      .transactionSets.filter((s) => s.id === '850')
      .map((s) => parse850(s).order);
    expect(orders).toEqual(JSON.parse(readFileSync(path.join(GOLDEN, golden), 'utf8')));
  });
});
