import {
  X12SerializeError,
  findDelimiterConflicts,
  formatSegment,
  parseX12,
  serializeInterchange,
  type InterchangeInput,
} from '../../../protocols/x12';

function input(overrides: Partial<InterchangeInput> = {}): InterchangeInput {
  return {
    delimiters: { element: '*', component: '>', repetition: '^', segment: '~', suffix: '\n' },
    version: '004010',
    sender: { qualifier: 'ZZ', id: 'BUYER' },
    receiver: { qualifier: '01', id: '123456789' },
    controlNumber: 42,
    date: new Date(Date.UTC(2024, 0, 2, 3, 4, 59)),
    groups: [
      {
        applicationSender: 'BUYERAPP',
        applicationReceiver: 'SUPAPP',
        controlNumber: 7,
        transactionSets: [
          { id: '850', controlNumber: 1, segments: [['BEG', '00', 'SA', 'PO1', undefined, '20240102']] },
          {
            id: '850',
            controlNumber: '0002',
            segments: [
              ['BEG', '00', 'SA', 'PO2', undefined, '20240102'],
              ['REF', 'DP', '1'],
            ],
          },
        ],
      },
    ],
    ...overrides,
  };
}

describe('X12 serializer', () => {
  it('writes a 106-character ISA with padded ids, the date/time passed in, and counted trailers', () => {
    const text = serializeInterchange(input());
    const lines = text.split('\n');
    expect(lines[0]).toBe(
      'ISA*00*          *00*          *ZZ*BUYER          *01*123456789      *240102*0304*U*00401*000000042*0*P*>~',
    );
    expect(lines[0]).toHaveLength(106);
    expect(lines.slice(1)).toEqual([
      'GS*PO*BUYERAPP*SUPAPP*20240102*0304*7*X*004010~',
      'ST*850*0001~',
      'BEG*00*SA*PO1**20240102~',
      'SE*3*0001~',
      'ST*850*0002~',
      'BEG*00*SA*PO2**20240102~',
      'REF*DP*1~',
      'SE*4*0002~',
      'GE*2*7~',
      'IEA*1*000000042~',
      '',
    ]);
    const doc = parseX12(text);
    expect(doc.errors).toEqual([]);
    expect(doc.transactionSets).toHaveLength(2);
  });

  it('writes ISA11 / ISA12 / GS08 for 005010 and ST03 when given', () => {
    const base = input();
    const text = serializeInterchange({
      ...base,
      version: '005010',
      ackRequested: true,
      usage: 'T',
      delimiters: { element: '|', component: ':', repetition: '^', segment: '\n' },
      groups: [
        {
          ...base.groups[0]!,
          transactionSets: [{ ...base.groups[0]!.transactionSets[0]!, implementationReference: 'X1' }],
        },
      ],
    });
    expect(text.split('\n')[0]).toBe(
      'ISA|00|          |00|          |ZZ|BUYER          |01|123456789      |240102|0304|^|00501|000000042|1|T|:',
    );
    expect(text).toContain('|005010\nST|850|0001|X1\n');
    const doc = parseX12(text);
    expect(doc.errors).toEqual([]);
    expect(doc.transactionSets[0]!.interchange).toMatchObject({
      version: '00501',
      ackRequested: true,
      usage: 'T',
    });
  });

  it('drops trailing empty elements and components, writes composites and repetitions (005010)', () => {
    const d = { element: '*', component: ':', repetition: '^', segment: '~' };
    expect(formatSegment(['REF', 'ZZ', 'A', undefined, ''], d)).toBe('REF*ZZ*A~');
    expect(formatSegment(['AK4', ['1', '2', undefined], undefined, '7'], d)).toBe('AK4*1:2**7~');
    expect(formatSegment(['CTX', { repeat: ['A', ['B', 'C']] }], d)).toBe('CTX*A^B:C~');
    expect(() => formatSegment(['CTX', { repeat: ['A'] }], d, '004010')).toThrow(X12SerializeError);
  });

  it.each([
    ['element separator', 'A*B'],
    ['component separator', 'A>B'],
    ['repetition separator', 'A^B'],
    ['segment terminator', 'A~B'],
    ['line break', 'A\nB'],
  ])('refuses data containing a %s, naming segment and element', (_what, value) => {
    try {
      serializeInterchange(
        input({
          version: '005010',
          groups: [
            {
              ...input().groups[0]!,
              transactionSets: [{ id: '850', controlNumber: 1, segments: [['REF', 'ZZ', value]] }],
            },
          ],
        }),
      );
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(X12SerializeError);
      expect(e).toMatchObject({ segmentId: 'REF', elementPosition: 2, value });
    }
  });

  it('refuses unusable delimiter sets and ids that do not fit the ISA', () => {
    expect(() =>
      serializeInterchange(input({ delimiters: { element: '*', component: '*', segment: '~' } })),
    ).toThrow(/differ/);
    expect(() =>
      serializeInterchange(input({ delimiters: { element: 'A', component: '>', segment: '~' } })),
    ).toThrow(/invalid delimiter/);
    expect(() => serializeInterchange(input({ sender: { qualifier: 'ZZ', id: 'X'.repeat(16) } }))).toThrow(
      /ISA06/,
    );
    expect(() => serializeInterchange(input({ controlNumber: 1e10 }))).toThrow(/ISA13/);
  });

  it('lists the delimiters that occur in some text', () => {
    expect(findDelimiterConflicts('a*b~c', { element: '*', component: '>', segment: '~' })).toEqual([
      '*',
      '~',
    ]);
  });
});
