import {
  buildFunctionalAck,
  buildTA1,
  formatSegment,
  parse850,
  parseFunctionalAck,
  parseX12,
  serializeInterchange,
  type FunctionalGroupResult,
  type X12Document,
  type X12Version,
} from '../../../protocols/x12';
import { readCorpus } from './helpers';

const D = { element: '*', component: ':', repetition: '^', segment: '~' };

function inbound(
  sets: string[][],
  opts: { geCount?: number; ack?: '0' | '1'; iea?: string; version?: '004010' | '005010' } = {},
): X12Document {
  const v5 = opts.version === '005010';
  const lines = [
    `ISA*00*          *00*          *ZZ*BUYER          *ZZ*SUPPLIER       *240102*0304*${v5 ? '^' : 'U'}*${v5 ? '00501' : '00401'}*000000321*${opts.ack ?? '0'}*P*:`,
    `GS*PO*BUYER*SUPPLIER*20240102*0304*12*X*${opts.version ?? '004010'}`,
    ...sets.flat(),
    `GE*${opts.geCount ?? sets.length}*12`,
    `IEA*1*${opts.iea ?? '000000321'}`,
  ];
  return parseX12(lines.map((l) => `${l}~`).join('\n'));
}

function po(control: string, body: string[], seCount?: number): string[] {
  return [`ST*850*${control}`, ...body, `SE*${seCount ?? body.length + 2}*${control}`];
}

const GOOD = ['BEG*00*SA*PO1**20240102', 'PO1*1*2*EA*3.5**VP*A'];

function ackText(
  group: FunctionalGroupResult,
  version: X12Version,
  includeApplicationErrors = false,
): string[] {
  const ack = buildFunctionalAck(group, { version, controlNumber: 1, includeApplicationErrors });
  return ack.segments.map((s) => formatSegment(s, D, version).slice(0, -1));
}

describe('997 / 999 acknowledgments', () => {
  it('accepts a clean group with AK1 / AK2 / AK5*A / AK9*A', () => {
    const doc = inbound([po('0001', GOOD), po('0002', GOOD)]);
    expect(ackText(doc.groups[0]!, '004010')).toEqual([
      'AK1*PO*12',
      'AK2*850*0001',
      'AK5*A',
      'AK2*850*0002',
      'AK5*A',
      'AK9*A*2*2*2',
    ]);
  });

  it('rejects a set whose SE01 count is wrong (AK5 code 4) and marks the group partially accepted', () => {
    const doc = inbound([po('0001', GOOD), po('0002', GOOD, 7)]);
    expect(ackText(doc.groups[0]!, '004010')).toEqual([
      'AK1*PO*12',
      'AK2*850*0001',
      'AK5*A',
      'AK2*850*0002',
      'AK5*R*4',
      'AK9*P*2*2*1',
    ]);
  });

  it('reports element errors as AK3 (segment, position, loop, code 8) and AK4 (element, code, bad value)', () => {
    const doc = inbound([po('0001', ['BEG*00*SA*PO1**20240102', 'PO1*1*ten*EA*3.5**VP*A'])]);
    const set = doc.transactionSets[0]!;
    set.errors.push(...parse850(set).errors);
    expect(ackText(doc.groups[0]!, '004010')).toEqual([
      'AK1*PO*12',
      'AK2*850*0001',
      'AK3*PO1*3*PO1*8',
      'AK4*2**6*ten',
      'AK5*R*5',
      'AK9*R*1*1*0',
    ]);
  });

  it('leaves mapping (application) errors out of the 997 unless asked', () => {
    const doc = inbound([po('0001', ['BEG*00*SA*PO1**20240102', 'PO1*1**EA*3.5**VP*A'])]);
    const set = doc.transactionSets[0]!;
    set.errors.push(...parse850(set).errors);
    expect(ackText(doc.groups[0]!, '004010')).toEqual(['AK1*PO*12', 'AK2*850*0001', 'AK5*A', 'AK9*A*1*1*1']);
    expect(ackText(doc.groups[0]!, '004010', true)).toEqual([
      'AK1*PO*12',
      'AK2*850*0001',
      'AK3*PO1*3*PO1*8',
      'AK4*2**1',
      'AK5*R*5',
      'AK9*R*1*1*0',
    ]);
  });

  it('reports a GE01 count mismatch with AK9 code 5, with the count the sender declared', () => {
    const doc = inbound([po('0001', GOOD)], { geCount: 3 });
    expect(ackText(doc.groups[0]!, '004010')).toEqual([
      'AK1*PO*12',
      'AK2*850*0001',
      'AK5*A',
      'AK9*R*3*1*1*5',
    ]);
  });

  it('reports a missing SE (AK5 code 2) and an SE02 mismatch (code 3)', () => {
    const missing = inbound([['ST*850*0001', ...GOOD], po('0002', GOOD)]);
    expect(ackText(missing.groups[0]!, '004010')).toContain('AK5*R*2');
    const mismatch = inbound([['ST*850*0001', ...GOOD, 'SE*4*0009']]);
    expect(ackText(mismatch.groups[0]!, '004010')).toContain('AK5*R*3');
  });

  it('writes a 999 for 005010 with IK3 / IK4 / IK5, AK1 with the version and ST03 005010X231', () => {
    const doc = inbound([po('0001', ['BEG*00*SA*PO1**20240102', 'PO1*1*2*EA*3.5**VP*A:B'])], {
      version: '005010',
    });
    const set = doc.transactionSets[0]!;
    set.errors.push(...parse850(set).errors);
    const ack = buildFunctionalAck(doc.groups[0]!, { version: '005010', controlNumber: 9 });
    expect(ack.id).toBe('999');
    expect(ack.implementationReference).toBe('005010X231');
    expect(ack.segments.map((s) => formatSegment(s, D).slice(0, -1))).toEqual([
      'AK1*PO*12*005010',
      'AK2*850*0001',
      'IK3*PO1*3*PO1*8',
      'IK4*7**13',
      'IK5*R*5',
      'AK9*R*1*1*0',
    ]);
  });

  it.each(['004010', '005010'] as const)(
    'produces a %s acknowledgment that reads back with the same statuses',
    (version) => {
      const doc = inbound(
        [po('0001', GOOD), po('0002', ['BEG*00*SA*PO1**2024013X', 'PO1*1*2*EA*3.5**VP*A'])],
        { version },
      );
      for (const s of doc.transactionSets) s.errors.push(...parse850(s).errors);
      const ack = buildFunctionalAck(doc.groups[0]!, { version, controlNumber: 5 });
      const text = serializeInterchange({
        delimiters: { ...D, suffix: '\n' },
        version,
        sender: { qualifier: 'ZZ', id: 'SUPPLIER' },
        receiver: { qualifier: 'ZZ', id: 'BUYER' },
        controlNumber: 77,
        date: new Date(Date.UTC(2024, 0, 2)),
        groups: [
          {
            applicationSender: 'SUPPLIER',
            applicationReceiver: 'BUYER',
            controlNumber: 3,
            transactionSets: [ack],
          },
        ],
      });
      const back = parseX12(text);
      expect(back.errors).toEqual([]);
      const parsed = parseFunctionalAck(back.transactionSets[0]!);
      expect(parsed.errors).toEqual([]);
      expect(parsed.ack).toMatchObject({
        kind: version === '004010' ? '997' : '999',
        functionalId: 'PO',
        groupControlNumber: '12',
        status: 'P',
        included: 2,
        received: 2,
        accepted: 1,
        sets: [
          { controlNumber: '0001', status: 'A', segments: [] },
          {
            controlNumber: '0002',
            status: 'R',
            codes: ['5'],
            segments: [
              {
                segmentId: 'BEG',
                position: 2,
                code: '8',
                elements: [{ position: '5', code: '8', badValue: '2024013X' }],
              },
            ],
          },
        ],
      });
    },
  );
});

describe('997 / 999 for what the gateway does not take', () => {
  it('writes the 997 of x12.850.issue135.edi with "~" terminators: ST02 "0001~" is echoed as AK202 0001', () => {
    // Used to throw X12SerializeError: AK202 contains the delimiter "~": "0001~" (HTTP 500).
    const doc = parseX12(readCorpus('indice-co__EDI.Net/test/indice.Edi.Tests/Samples/x12.850.issue135.edi'));
    expect(doc.groups[0]!.sets[0]!.controlNumber).toBe('0001~');
    const ack = buildFunctionalAck(doc.groups[0]!, { version: '004010', controlNumber: 1, rejectAll: {} });
    const text = serializeInterchange({
      delimiters: { element: '*', component: '>', segment: '~', suffix: '\n' },
      version: '004010',
      sender: { qualifier: 'ZZ', id: 'BARSAN' },
      receiver: { qualifier: '01', id: '049351117' },
      controlNumber: 1,
      date: new Date(Date.UTC(2026, 11, 2)),
      groups: [
        {
          applicationSender: 'BARSAN',
          applicationReceiver: '049351117',
          controlNumber: 1,
          transactionSets: [ack],
        },
      ],
    });
    expect(text).toContain('AK1*PO*1~\nAK2*850*0001~\nAK5*R');
    expect(text).toContain('AK9*R*2*2*0');
  });

  it('rejects a set type the gateway does not take with AK5 code 1, and a whole group on request', () => {
    const doc = inbound([['ST*810*0001', 'BIG*20240102*INV1', 'TDS*100', 'SE*4*0001'], po('0002', GOOD)]);
    doc.transactionSets[0]!.errors.push({
      code: 'SET_NOT_SUPPORTED',
      message: 'no 810 taken',
      segmentPosition: 1,
      fileSegmentPosition: 3,
      segmentId: 'ST',
    });
    expect(ackText(doc.groups[0]!, '004010')).toEqual([
      'AK1*PO*12',
      'AK2*810*0001',
      'AK5*R*1',
      'AK2*850*0002',
      'AK5*A',
      'AK9*P*2*2*1',
    ]);
    const all = buildFunctionalAck(doc.groups[0]!, {
      version: '004010',
      controlNumber: 1,
      rejectAll: { groupCode: '1' },
    });
    expect(
      all.segments.map((x) => x.map((e) => (typeof e === 'object' ? JSON.stringify(e) : e)).join('*')),
    ).toEqual(['AK1*PO*12', 'AK2*810*0001', 'AK5*R*1', 'AK2*850*0002', 'AK5*R', 'AK9*R*2*2*0*1']);
  });
});

describe('TA1 interchange acknowledgment', () => {
  it('is written only when ISA14 asks for it (or on errors when told to)', () => {
    expect(buildTA1(inbound([po('0001', GOOD)]).interchanges[0]!)).toBeUndefined();
    expect(buildTA1(inbound([po('0001', GOOD)], { ack: '1' }).interchanges[0]!)).toEqual([
      'TA1',
      '000000321',
      '240102',
      '0304',
      'A',
      '000',
    ]);
    const bad = inbound([po('0001', GOOD)], { iea: '000000999' }).interchanges[0]!;
    expect(buildTA1(bad)).toBeUndefined();
    // IEA02 differs from ISA13: the content is still read, the TA1 says accepted with errors.
    expect(buildTA1(bad, { whenErrors: true })).toEqual(['TA1', '000000321', '240102', '0304', 'E', '001']);
  });

  it('notes an ISA of the wrong widths (E) and rejects a bad interchange header with the note code of the ISA element (R)', () => {
    const text = readCorpus('kputnam__stupidedi/spec/fixtures/004010/PR855/fail/2.edi');
    const ic = parseX12(text).interchanges[0]!;
    expect(buildTA1(ic, { whenErrors: true })).toEqual(['TA1', '702351422', '060814', '2135', 'E', '022']);
    // ISA16 "~" with line breaks as terminators: the "~" in GS08 and ST02 names ISA16 (note 027).
    const issue135 = parseX12(
      readCorpus('indice-co__EDI.Net/test/indice.Edi.Tests/Samples/x12.850.issue135.edi'),
    );
    expect(buildTA1(issue135.interchanges[0]!, { whenErrors: true })).toEqual([
      'TA1',
      '000000001',
      '190805',
      '1134',
      'R',
      '027',
    ]);
    const doc = inbound([po('0001', GOOD)], { ack: '1' });
    const ic2 = {
      ...doc.interchanges[0]!,
      errors: [
        {
          ...doc.interchanges[0]!.header,
          code: 'ISA_INVALID_VALUE' as const,
          message: '',
          segmentPosition: 1,
          fileSegmentPosition: 1,
          segmentId: 'ISA',
          elementPosition: 12,
        },
      ],
    };
    expect(buildTA1(ic2)?.[5]).toBe('017');
  });

  it('can be written into an interchange before the groups', () => {
    const ta1 = buildTA1(inbound([po('0001', GOOD)], { ack: '1' }).interchanges[0]!);
    const text = serializeInterchange({
      delimiters: { ...D, suffix: '\n' },
      version: '004010',
      sender: { qualifier: 'ZZ', id: 'SUPPLIER' },
      receiver: { qualifier: 'ZZ', id: 'BUYER' },
      controlNumber: 78,
      date: new Date(Date.UTC(2024, 0, 2)),
      interchangeAcks: ta1 ? [ta1] : [],
      groups: [],
    });
    const doc = parseX12(text);
    expect(doc.interchanges[0]!.interchangeAcks.map((s) => s.raw)).toEqual([
      'TA1*000000321*240102*0304*A*000',
    ]);
    expect(doc.errors).toEqual([]);
  });
});

describe('reading 997 / 999 from the corpus', () => {
  it('reads a 997 with AK3/AK4 detail', () => {
    const doc = parseX12(readCorpus('xlate__staedi/src/test/resources/x12/simple997.edi'));
    const r = parseFunctionalAck(doc.transactionSets[0]!);
    expect(r.errors).toEqual([]);
    expect(r.ack).toMatchObject({
      functionalId: 'HC',
      status: 'R',
      sets: [
        {
          id: '837',
          controlNumber: '0021',
          status: 'R',
          codes: ['5'],
          segments: [
            {
              segmentId: 'NM1',
              position: 8,
              code: '8',
              elements: [{ position: '8', code: '7', badValue: 'MI' }],
            },
          ],
        },
      ],
    });
  });

  it('rejects invalid997.edi at AK101 (too long) and AK402 (not numeric)', () => {
    const doc = parseX12(readCorpus('xlate__staedi/src/test/resources/x12/invalid997.edi'));
    const r = parseFunctionalAck(doc.transactionSets[0]!);
    expect(r.errors.map((e) => [e.code, e.segmentId, e.elementPosition, e.segmentPosition])).toEqual([
      ['ELEMENT_TOO_LONG', 'AK1', 1, 2],
      ['INVALID_NUMBER', 'AK4', 2, 5],
    ]);
  });

  it('rejects invalid999.edi for IK5 before AK1, AK2 with too many elements and an invalid IK5 code', () => {
    const doc = parseX12(readCorpus('xlate__staedi/src/test/resources/x12/invalid999.edi'));
    const codes = parseFunctionalAck(doc.transactionSets[0]!).errors.map(
      (e) => `${e.code}@${e.segmentId}${e.elementPosition ?? ''}#${e.segmentPosition}`,
    );
    expect(codes).toEqual(
      expect.arrayContaining([
        'UNEXPECTED_SEGMENT@IK5#2',
        'ELEMENT_TOO_LONG@AK11#3',
        'TOO_MANY_ELEMENTS@AK24#4',
        'INVALID_CODE@IK51#5',
      ]),
    );
  });
});
