import { Readable } from 'node:stream';
import {
  X12Tokenizer,
  parseX12,
  parseX12Chunks,
  readX12,
  type Segment,
  type X12Error,
} from '../../../protocols/x12';
import { chunk, rng, sig } from './helpers';

const ISA4010 =
  'ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240102*0304*U*00401*000000001*0*P*>';
const ISA5010 =
  'ISA|00|          |00|          |ZZ|SENDER         |ZZ|RECEIVER       |240102|0304|^|00501|000000002|1|T|:';

function interchange4010(term = '~', suffix = '\n'): string {
  const segs = [
    ISA4010,
    'GS*PO*SENDER*RECEIVER*20240102*0304*1*X*004010',
    'ST*850*0001',
    'BEG*00*SA*PO1**20240102',
    'PO1*1*2*EA*3.5**VP*A>B*BP*X^Y',
    'SE*4*0001',
    'GE*1*1',
    'IEA*1*000000001',
  ];
  return segs.map((s) => s + term + suffix).join('');
}

function interchange5010(): string {
  return [
    ISA5010,
    'GS|PO|SENDER|RECEIVER|20240102|0304|2|X|005010',
    'ST|850|0002',
    'BEG|00|SA|PO2||20240102',
    'REF|ZZ|A^B^C:D',
    'SE|4|0002',
    'GE|1|2',
    'IEA|1|000000002',
  ]
    .map((s) => `${s}\r\n`)
    .join('');
}

function tokens(input: string | Buffer | Buffer[]): { segments: Segment[]; errors: X12Error[]; isa: number } {
  const segments: Segment[] = [];
  const errors: X12Error[] = [];
  let isa = 0;
  const t = new X12Tokenizer({
    segment: (s, start) => {
      segments.push(s);
      if (start) isa++;
    },
    error: (e) => errors.push(e),
  });
  for (const c of Array.isArray(input) ? input : [input]) t.push(c);
  t.end();
  return { segments, errors, isa };
}

describe('X12 tokenizer', () => {
  it('reads the element separator, component separator and terminator from the ISA', () => {
    const { segments, errors } = tokens(interchange4010());
    expect(errors).toEqual([]);
    expect(segments.map((s) => s.id)).toEqual(['ISA', 'GS', 'ST', 'BEG', 'PO1', 'SE', 'GE', 'IEA']);
    const po1 = segments[4]!;
    expect(po1.text(7)).toBe('A>B');
    expect(po1.elements[7]).toEqual({ kind: 'composite', components: ['A', 'B'], raw: 'A>B' });
    // 00401: ISA11 is the standards id "U", "^" is data.
    expect(po1.elements[9]).toBe('X^Y');
    expect(segments[0]!.delimiters).toEqual({
      element: '*',
      component: '>',
      repetition: undefined,
      segment: '~',
    });
  });

  it('uses ISA11 as repetition separator from 00402 on and keeps ISA elements unsplit', () => {
    const { segments } = tokens(interchange5010());
    const isa = segments[0]!;
    expect(isa.delimiters).toEqual({ element: '|', component: ':', repetition: '^', segment: '\r' });
    expect(isa.text(11)).toBe('^');
    expect(isa.text(16)).toBe(':');
    const ref = segments[4]!;
    expect(ref.elements[2]).toEqual({
      kind: 'repeated',
      repeats: ['A', 'B', { kind: 'composite', components: ['C', 'D'], raw: 'C:D' }],
      raw: 'A^B^C:D',
    });
    expect(ref.repeats(2)).toHaveLength(3);
    expect(ref.component(2, 1)).toBe('A');
  });

  it('accepts a newline as segment terminator, CRLF after the terminator, a BOM and indentation', () => {
    const nl = interchange4010('', '\n').replace(ISA4010, ISA4010); // terminator = newline
    const variants = [
      nl,
      interchange4010('~', '\r\n'),
      `\uFEFF${interchange4010('~', '\n\t  ')}`,
      interchange4010('~', ''),
    ];
    for (const v of variants) {
      const doc = parseX12(v);
      expect(doc.errors).toEqual([]);
      expect(doc.transactionSets.map((s) => s.segments.map((g) => g.raw))).toEqual([
        ['ST*850*0001', 'BEG*00*SA*PO1**20240102', 'PO1*1*2*EA*3.5**VP*A>B*BP*X^Y', 'SE*4*0001'],
      ]);
    }
  });

  it('reads several interchanges with different delimiters from one input', () => {
    const doc = parseX12(interchange4010() + interchange5010() + interchange4010('\n', ''));
    expect(doc.errors).toEqual([]);
    expect(doc.transactionSets.map((s) => s.interchange.delimiters.element)).toEqual(['*', '|', '*']);
    expect(doc.transactionSets.map((s) => s.segments[1]!.text(3))).toEqual(['PO1', 'PO2', 'PO1']);
  });

  it('gives the same segments for chunk sizes 1, 7 and random, as Buffer and as string', () => {
    const text = `\uFEFF${interchange4010()}${interchange5010()}`;
    const buf = Buffer.from(text);
    const whole = tokens(buf).segments.map((s) => [s.filePosition, s.raw]);
    const r = rng(7);
    for (const sizes of [() => 1, () => 7, () => 1 + Math.floor(r() * 50)]) {
      expect(tokens(chunk(buf, sizes)).segments.map((s) => [s.filePosition, s.raw])).toEqual(whole);
    }
    const strChunks: string[] = [];
    for (let i = 0; i < text.length; i += 3) strChunks.push(text.slice(i, i + 3));
    expect(parseX12Chunks(strChunks).transactionSets).toHaveLength(2);
  });

  it('decodes a multi-byte terminator and data split across 1-byte chunks', () => {
    const text = interchange4010('\u2026', '\n').replace('BEG*00*SA*PO1', 'BEG*00*SA*PÖ1');
    const doc = parseX12Chunks(chunk(Buffer.from(text), () => 1));
    expect(doc.errors).toEqual([]);
    expect(doc.transactionSets[0]!.segments[1]!.text(3)).toBe('PÖ1');
    expect(doc.transactionSets[0]!.delimiters.segment).toBe('\u2026');
  });

  it('drops line breaks inside segments (files wrapped at 80 columns)', () => {
    const flat = interchange4010('~', '');
    const wrapped = flat.replace(/(.{80})/g, '$1\n');
    const doc = parseX12(wrapped);
    expect(doc.errors).toEqual([]);
    expect(doc.transactionSets[0]!.segments.map((s) => s.raw)).toEqual(
      parseX12(flat).transactionSets[0]!.segments.map((s) => s.raw),
    );
  });

  it('reports a short ISA with its length and the element of the wrong width, and still reads it', () => {
    const doc = parseX12(interchange4010().replace('*00*          *00*', '*00* *00*'));
    const isaErrors = doc.errors.filter((e) => e.segmentId === 'ISA');
    expect(isaErrors.map(sig)).toEqual(['ISA_LENGTH@ISA', 'ISA_FIELD_WIDTH@ISA2']);
    expect(isaErrors[1]).toMatchObject({
      badValue: ' ',
      segmentPosition: 1,
      fileSegmentPosition: 1,
      interchangeControl: '000000001',
    });
    expect(doc.transactionSets).toHaveLength(1);
  });

  it('reports invalid ISA values (date, control number, usage) with their element', () => {
    const bad = interchange4010().replace(
      '*240102*0304*U*00401*000000001*0*P*',
      '*241302*0304*U*00401*00000000A*0*X*',
    );
    expect(parseX12(bad).errors.map(sig)).toEqual([
      'ISA_INVALID_VALUE@ISA9',
      'ISA_INVALID_VALUE@ISA13',
      'ISA_INVALID_VALUE@ISA15',
      'IEA_CONTROL_MISMATCH@IEA2',
    ]);
  });

  it('rejects an ISA whose terminator equals the element separator', () => {
    const doc = parseX12(interchange4010('*', ''));
    expect(doc.errors.map(sig)).toContain('ISA_INVALID_DELIMITERS@ISA16');
    expect(doc.transactionSets).toEqual([]);
  });

  it('reports empty input, whitespace-only input, non-X12 input and a truncated ISA', () => {
    expect(parseX12('').errors.map((e) => e.code)).toEqual(['EMPTY_INPUT']);
    expect(parseX12(' \n\t\r\n').errors.map((e) => e.code)).toEqual(['EMPTY_INPUT']);
    expect(parseX12("UNA:+.? 'UNB+UNOA:1+X+Y+200101:0000+1'").errors.map((e) => e.code)).toContain('NOT_X12');
    expect(parseX12(ISA4010.slice(0, 60)).errors.map((e) => e.code)).toContain('ISA_TRUNCATED');
  });

  it('reports content after IEA as outside the envelope', () => {
    const doc = parseX12(`${interchange4010()}GS*PO*A*B*20240102*0304*9*X*004010~`);
    expect(doc.errors.map(sig)).toEqual(['SEGMENT_OUTSIDE_ENVELOPE@GS']);
    expect(doc.transactionSets).toHaveLength(1);
  });

  it('streams from a Readable', async () => {
    const events: string[] = [];
    for await (const e of readX12(
      Readable.from([Buffer.from(interchange4010()), Buffer.from(interchange5010())]),
    ))
      events.push(e.type);
    expect(events).toEqual([
      'transactionSet',
      'groupEnd',
      'interchangeEnd',
      'transactionSet',
      'groupEnd',
      'interchangeEnd',
    ]);
  });

  // Speed is measured by `npm run bench x12`, not here: this checks that many interchanges read cleanly.
  it('reads 2 MB of back-to-back interchanges, every one of them', () => {
    const one = interchange4010();
    const copies = Math.ceil(2e6 / one.length);
    const doc = parseX12(one.repeat(copies));
    expect(doc.errors).toEqual([]);
    expect(doc.interchanges).toHaveLength(copies);
  });
});
