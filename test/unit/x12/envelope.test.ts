import { parseX12, readTransactionSets, type X12Document } from '../../../protocols/x12';
import { corpusFiles, readCorpus, rng, sig } from './helpers';

const ISA = (control: string, ack = '0'): string =>
  `ISA*00*          *00*          *ZZ*BUYER          *01*SUPPLIER       *240102*0304*U*00401*${control}*${ack}*P*>~`;

function set(control: string, body: string[], seCount?: number, seControl?: string): string[] {
  return [`ST*850*${control}`, ...body, `SE*${seCount ?? body.length + 2}*${seControl ?? control}`];
}

const BODY = ['BEG*00*SA*PO1**20240102', 'PO1*1*2*EA*3.5**VP*A'];

function file(lines: string[]): string {
  return lines.map((l) => (l.endsWith('~') ? l : `${l}~`)).join('\n');
}

function group(control: string, sets: string[][], geCount?: number, geControl?: string): string[] {
  return [
    `GS*PO*BUYER*SUPPLIER*20240102*0304*${control}*X*004010`,
    ...sets.flat(),
    `GE*${geCount ?? sets.length}*${geControl ?? control}`,
  ];
}

const codes = (doc: X12Document): string[] => doc.errors.map(sig);

describe('X12 envelope reader', () => {
  it('returns each transaction set with its interchange and group context', () => {
    const doc = parseX12(
      file([
        ISA('000000123', '1'),
        ...group('77', [set('0001', BODY), set('0002', BODY)]),
        'IEA*1*000000123',
      ]),
    );
    expect(doc.errors).toEqual([]);
    expect(doc.transactionSets).toHaveLength(2);
    const s = doc.transactionSets[1]!;
    expect(s).toMatchObject({ id: '850', controlNumber: '0002' });
    expect(s.interchange).toMatchObject({
      senderQualifier: 'ZZ',
      senderId: 'BUYER',
      receiverQualifier: '01',
      receiverId: 'SUPPLIER',
      controlNumber: '000000123',
      version: '00401',
      ackRequested: true,
      usage: 'P',
    });
    expect(s.group).toMatchObject({
      functionalId: 'PO',
      applicationSender: 'BUYER',
      applicationReceiver: 'SUPPLIER',
      controlNumber: '77',
      version: '004010',
    });
    expect(s.segments.map((g) => g.id)).toEqual(['ST', 'BEG', 'PO1', 'SE']);
    expect(doc.groups[0]!.sets.map((x) => x.controlNumber)).toEqual(['0001', '0002']);
    expect(doc.interchanges[0]!.groupCount).toBe(1);
  });

  it('reports an SE01 count mismatch at the SE, by set and file position, and keeps the other sets', () => {
    const doc = parseX12(
      file([
        ISA('000000001'),
        ...group('1', [set('0001', BODY), set('0002', BODY, 9), set('0003', BODY)]),
        'IEA*1*000000001',
      ]),
    );
    expect(doc.transactionSets).toHaveLength(3);
    expect(doc.transactionSets.map((s) => s.errors.length)).toEqual([0, 1, 0]);
    expect(doc.transactionSets[1]!.errors[0]).toMatchObject({
      code: 'SE_SEGMENT_COUNT',
      segmentId: 'SE',
      elementPosition: 1,
      segmentPosition: 4,
      fileSegmentPosition: 10,
      transactionControl: '0002',
      groupControl: '1',
      interchangeControl: '000000001',
      badValue: '9',
    });
  });

  it('reports SE02 / GE01 / GE02 / IEA01 / IEA02 mismatches with their element', () => {
    const doc = parseX12(
      file([
        ISA('000000001'),
        ...group('5', [set('0001', BODY, undefined, '0009')], 3, '6'),
        'IEA*2*000000002',
      ]),
    );
    expect(codes(doc)).toEqual([
      'SE_CONTROL_MISMATCH@SE2',
      'GE_SET_COUNT@GE1',
      'GE_CONTROL_MISMATCH@GE2',
      'IEA_GROUP_COUNT@IEA1',
      'IEA_CONTROL_MISMATCH@IEA2',
    ]);
  });

  it('reports missing SE, GE and IEA trailers and still returns the set', () => {
    const doc = parseX12(
      file([ISA('000000001'), 'GS*PO*BUYER*SUPPLIER*20240102*0304*1*X*004010', 'ST*850*0001', ...BODY]),
    );
    expect(codes(doc)).toEqual(['SE_MISSING@SE', 'GE_MISSING@GE', 'IEA_MISSING@IEA']);
    expect(doc.transactionSets).toHaveLength(1);
    expect(doc.transactionSets[0]!.errors[0]).toMatchObject({ segmentPosition: 4, fileSegmentPosition: 6 });
  });

  it('closes a set without SE when the next ST starts', () => {
    const doc = parseX12(
      file([
        ISA('000000001'),
        'GS*PO*BUYER*SUPPLIER*20240102*0304*1*X*004010',
        'ST*850*0001',
        ...BODY,
        ...set('0002', BODY),
        'GE*2*1',
        'IEA*1*000000001',
      ]),
    );
    expect(doc.transactionSets.map((s) => [s.controlNumber, s.errors.map(sig)])).toEqual([
      ['0001', ['SE_MISSING@SE']],
      ['0002', []],
    ]);
  });

  it('reports segments outside a set or a group', () => {
    const doc = parseX12(
      file([
        ISA('000000001'),
        'REF*ZZ*X',
        ...group('1', [set('0001', BODY)]).flatMap((l, i) => (i === 1 ? ['N1*ST*X', l] : [l])),
        'IEA*1*000000001',
      ]),
    );
    expect(codes(doc)).toEqual(['SEGMENT_OUTSIDE_ENVELOPE@N1', 'SEGMENT_OUTSIDE_ENVELOPE@REF']);
    expect(doc.transactionSets).toHaveLength(1);
  });

  it('reports ST without GS and skips its segments', () => {
    const doc = parseX12(file([ISA('000000001'), ...set('0001', BODY), 'IEA*0*000000001']));
    expect(codes(doc)).toEqual(['SEGMENT_OUTSIDE_ENVELOPE@ST']);
    expect(doc.transactionSets).toEqual([]);
  });

  it('reports invalid ST and GS identifiers', () => {
    const doc = parseX12(
      file([
        ISA('000000001'),
        'GS*PO*BUYER*SUPPLIER*2024*0304*X1*X*004010',
        'ST*85*01',
        ...BODY,
        'SE*4*01',
        'GE*1*X1',
        'IEA*1*000000001',
      ]),
    );
    expect(codes(doc)).toEqual(['ST_INVALID@ST1', 'ST_INVALID@ST2', 'GS_INVALID@GS4', 'GS_INVALID@GS6']);
  });

  it('never throws and never returns zero sets silently, for truncations and random damage of real files', () => {
    const r = rng(1);
    const files = corpusFiles()
      .filter((f) => !f.includes('EDI.Net'))
      .slice(0, 12);
    for (const f of files) {
      const buf = readCorpus(f);
      const inputs: Buffer[] = [];
      for (let cut = 0; cut < buf.length; cut += 13) inputs.push(buf.subarray(0, cut));
      for (let k = 0; k < 40; k++) {
        const copy = Buffer.from(buf);
        for (let j = 0; j < 3; j++) copy[Math.floor(r() * copy.length)] = Math.floor(r() * 256);
        inputs.push(copy);
      }
      for (const input of inputs) {
        const doc = parseX12(input);
        if (doc.transactionSets.length === 0) expect(doc.errors.length).toBeGreaterThan(0);
      }
    }
  });

  it('never throws on random bytes', () => {
    const r = rng(3);
    for (let k = 0; k < 200; k++) {
      const len = Math.floor(r() * 400);
      const bytes = Buffer.alloc(len);
      for (let i = 0; i < len; i++) bytes[i] = Math.floor(r() * 256);
      const input = k % 2 === 0 ? Buffer.concat([Buffer.from(ISA('000000001')), bytes]) : bytes;
      const doc = parseX12(input);
      if (doc.transactionSets.length === 0) expect(doc.errors.length).toBeGreaterThan(0);
    }
  });

  it('yields only transaction sets through readTransactionSets and hands the rest to a callback', async () => {
    const text = file([ISA('000000001'), ...group('1', [set('0001', BODY)], 2), 'IEA*1*000000001']);
    const others: string[] = [];
    const ids: string[] = [];
    for await (const s of readTransactionSets([text], (e) => others.push(e.type))) ids.push(s.controlNumber);
    expect(ids).toEqual(['0001']);
    expect(others).toEqual(['groupEnd', 'interchangeEnd']);
  });
});
