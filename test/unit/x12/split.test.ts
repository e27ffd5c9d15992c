import { parseX12 } from '../../../protocols/x12';
import { InterchangeSplitter, type InterchangeBytes } from '../../../protocols/x12/split';
import { chunk, corpusFiles, readCorpus, rng } from './helpers';

const ISA4010 =
  'ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240102*0304*U*00401*000000001*0*P*>';
const ISA5010 =
  'ISA|00|          |00|          |ZZ|SENDER         |ZZ|RECEIVER       |240102|0304|^|00501|000000002|1|T|:';

function interchange4010(po: string, term = '~', suffix = '\n'): string {
  return [
    ISA4010,
    'GS*PO*SENDER*RECEIVER*20240102*0304*1*X*004010',
    'ST*850*0001',
    `BEG*00*SA*${po}**20240102`,
    // "ISA" inside element data, also right after a separator: never a boundary.
    'N1*ST*LISA*92*ISA*X',
    'PO1*1*2*EA*3.5**VP*A>B*BP*X^Y',
    'SE*5*0001',
    'GE*1*1',
    'IEA*1*000000001',
  ]
    .map((s) => s + term + suffix)
    .join('');
}

function interchange5010(po: string): string {
  return [
    ISA5010,
    'GS|PO|SENDER|RECEIVER|20240102|0304|2|X|005010',
    'ST|850|0002',
    `BEG|00|SA|${po}||20240102`,
    'N1|ST|Müller Straße 5|92|1',
    'SE|4|0002',
    'GE|1|2',
    'IEA|1|000000002',
  ]
    .map((s) => `${s}\r\n`)
    .join('');
}

function split(chunks: Buffer[]): InterchangeBytes[] {
  const s = new InterchangeSplitter();
  const out: InterchangeBytes[] = [];
  for (const c of chunks) out.push(...s.push(c));
  out.push(...s.end());
  return out;
}

const text = (pieces: InterchangeBytes[]) => pieces.map((p) => p.bytes.toString('utf8'));

describe('InterchangeSplitter', () => {
  const parts = [
    `\uFEFF${interchange4010('PO1')}`,
    interchange5010('PO2'),
    interchange4010('PO3', '\n', ''),
    interchange4010('PO4', '\u2026', '\r\n'),
    interchange4010('PO5', '~', ''),
  ];
  const input = Buffer.from(parts.join(''));

  it('cuts before each ISA, whatever the delimiters, and gives the input back byte for byte', () => {
    const pieces = split([input]);
    expect(text(pieces)).toEqual(parts);
    expect(pieces.map((p) => p.offset)).toEqual(
      parts.map((_, i) => Buffer.byteLength(parts.slice(0, i).join(''))),
    );
  });

  it('cuts at the same places for chunks of 1 byte, 7 bytes and random sizes (inside ISAs, terminators, UTF-8)', () => {
    const r = rng(11);
    for (const sizes of [() => 1, () => 7, () => 1 + Math.floor(r() * 120)]) {
      expect(text(split(chunk(input, sizes)))).toEqual(parts);
    }
  });

  it('each piece parses to the transaction sets the whole input has, in order', () => {
    const whole = parseX12(input).transactionSets.map((s) => s.segments.map((g) => g.raw));
    const pieces = split(chunk(input, () => 5)).flatMap((p) =>
      parseX12(p.bytes).transactionSets.map((s) => s.segments.map((g) => g.raw)),
    );
    expect(pieces).toEqual(whole);
    expect(whole).toHaveLength(5);
  });

  it('starts a new piece at an ISA that follows an interchange without IEA', () => {
    const noIea = interchange4010('PO1').replace('IEA*1*000000001~\n', '');
    const pieces = split(chunk(Buffer.from(noIea + interchange4010('PO2')), () => 3));
    expect(text(pieces)).toEqual([noIea, interchange4010('PO2')]);
  });

  it('keeps leading garbage and content after IEA in the piece the codec then reports them in', () => {
    const pieces = split([Buffer.from(`junk\n${interchange4010('PO1')}GARBAGE~${interchange4010('PO2')}`)]);
    expect(text(pieces)).toEqual([`junk\n${interchange4010('PO1')}GARBAGE~`, interchange4010('PO2')]);
    expect(parseX12(pieces[0]!.bytes).errors.map((e) => e.code)).toEqual([
      'NOT_X12',
      'SEGMENT_OUTSIDE_ENVELOPE',
    ]);
  });

  it('after an unreadable ISA, cuts at the next ISA', () => {
    const broken = 'ISA*00*short~GS*PO~';
    const pieces = split(chunk(Buffer.from(broken + interchange4010('PO1')), () => 4));
    expect(text(pieces)).toEqual([broken, interchange4010('PO1')]);
  });

  it('returns one piece for empty, whitespace-only and non-X12 input', () => {
    for (const s of ['', '\n\n', 'not an interchange']) expect(text(split([Buffer.from(s)]))).toEqual([s]);
  });

  it('every corpus file: pieces join to the file and hold the same transaction sets as the whole', () => {
    const r = rng(3);
    for (const f of corpusFiles()) {
      const buf = readCorpus(f);
      const pieces = split(chunk(buf, () => 1 + Math.floor(r() * 64)));
      expect(Buffer.concat(pieces.map((p) => p.bytes)).equals(buf)).toBe(true);
      const sets = (b: Buffer) =>
        parseX12(b).transactionSets.map((s) => `${s.id}:${s.controlNumber}:${s.segments.length}`);
      expect([f, pieces.flatMap((p) => sets(p.bytes))]).toEqual([f, sets(buf)]);
    }
  });
});
