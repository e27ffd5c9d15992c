/**
 * Segment tables of the transaction sets the gateway writes (810, 855, 856, 997, 999), written from
 * the ASC X12 004010 and 005010 transaction set tables: for each segment its position, id,
 * requirement (M mandatory / O optional), maximum use, and the loop it belongs to (loop id and loop
 * repeat). 005010 numbers positions with four digits (0100 for 004010's 010); its tables for these
 * sets keep 004010's segment order and add a few segments the builders never write (noted below).
 *
 * `checkSegmentOrder` walks a set's segment ids through a table the way an X12 validator does: a
 * segment belongs to the innermost open loop in which it can still come (a loop's first segment
 * starts a new repetition of the loop), else to an enclosing level; a segment that fits nowhere after
 * the current position is out of sequence; a mandatory segment passed over is missing; a segment or
 * loop used more often than its maximum use is reported. The checker is what the tests hold every
 * emitted set to (test/unit/x12/segment-order.test.ts). Pure and linear in the number of segments
 * times the table's width.
 */

export type Requirement = 'M' | 'O';

export interface TableSegment {
  kind: 'segment';
  /** Position in the table, e.g. "040" (004010) or "0400" (005010). */
  position: string;
  id: string;
  requirement: Requirement;
  /** Maximum use; Infinity for ">1". */
  maxUse: number;
}

export interface TableLoop {
  kind: 'loop';
  /** Loop id: the id of its first segment, e.g. "IT1", "N1". */
  id: string;
  /** Loop repeat; Infinity for ">1". */
  repeat: number;
  /** The loop's segments and inner loops; the first one is the segment that starts the loop. */
  entries: [TableSegment, ...TableEntry[]];
}

export type TableEntry = TableSegment | TableLoop;

export interface SetTable {
  /** ST01, e.g. "810". */
  setId: string;
  /** "004010" or "005010". */
  version: string;
  entries: TableEntry[];
}

const MANY = Infinity;

function s(position: string, id: string, requirement: Requirement, maxUse: number): TableSegment {
  return { kind: 'segment', position, id, requirement, maxUse };
}

function loop(repeat: number, entries: TableEntry[]): TableLoop {
  const first = entries[0];
  if (!first || first.kind !== 'segment') throw new Error('a loop starts with a segment');
  return { kind: 'loop', id: first.id, repeat, entries: [first, ...entries.slice(1)] };
}

/** A loop is required when its first segment is (X12 states the loop's requirement there). */
function required(e: TableEntry): boolean {
  return e.kind === 'segment' ? e.requirement === 'M' : required(e.entries[0]);
}

function firstId(e: TableEntry): string {
  return e.kind === 'segment' ? e.id : firstId(e.entries[0]);
}

function positionOf(e: TableEntry): string {
  return e.kind === 'segment' ? e.position : positionOf(e.entries[0]);
}

// ---------------------------------------------------------------- 810 Invoice (004010)

const N1_LOOP_810 = (p: number): TableLoop =>
  loop(200, [
    s(String(p).padStart(3, '0'), 'N1', 'O', 1),
    s(String(p + 10).padStart(3, '0'), 'N2', 'O', 2),
    s(String(p + 20).padStart(3, '0'), 'N3', 'O', 2),
    s(String(p + 30).padStart(3, '0'), 'N4', 'O', 1),
    s(String(p + 40).padStart(3, '0'), 'REF', 'O', 12),
    s(String(p + 50).padStart(3, '0'), 'PER', 'O', 3),
    s(String(p + 55).padStart(3, '0'), 'DMG', 'O', 1),
  ]);

const T810_4010: TableEntry[] = [
  // Heading
  s('010', 'ST', 'M', 1),
  s('020', 'BIG', 'M', 1),
  s('030', 'NTE', 'O', 100),
  s('040', 'CUR', 'O', 1),
  s('050', 'REF', 'O', 12),
  s('053', 'YNQ', 'O', 10),
  s('060', 'PER', 'O', 3),
  N1_LOOP_810(70),
  s('130', 'ITD', 'O', MANY),
  s('140', 'DTM', 'O', 10),
  s('150', 'FOB', 'O', 1),
  s('160', 'PID', 'O', 200),
  s('170', 'MEA', 'O', 40),
  s('180', 'PWK', 'O', 25),
  s('190', 'PKG', 'O', 25),
  s('200', 'L7', 'O', 1),
  s('212', 'BAL', 'O', MANY),
  s('215', 'INC', 'O', 1),
  s('220', 'PAM', 'O', MANY),
  loop(10, [s('230', 'LM', 'O', 1), loop(100, [s('240', 'LQ', 'M', 1)])]),
  loop(1, [s('250', 'N9', 'O', 1), s('260', 'MSG', 'M', 10)]),
  loop(MANY, [s('270', 'V1', 'O', 1), s('280', 'R4', 'O', MANY), s('290', 'DTM', 'O', MANY)]),
  loop(MANY, [s('300', 'FA1', 'O', 1), s('310', 'FA2', 'M', MANY)]),
  // Detail
  loop(200000, [
    s('010', 'IT1', 'O', 1),
    s('012', 'CRC', 'O', 1),
    s('015', 'QTY', 'O', 5),
    s('020', 'CUR', 'O', 1),
    s('030', 'IT3', 'O', 5),
    s('040', 'TXI', 'O', 10),
    s('050', 'CTP', 'O', 25),
    s('055', 'PAM', 'O', 10),
    s('059', 'MEA', 'O', 40),
    loop(1000, [s('060', 'PID', 'O', 1), s('070', 'MEA', 'O', 10)]),
    s('080', 'PWK', 'O', 25),
    s('090', 'PKG', 'O', 25),
    s('100', 'PO4', 'O', 1),
    s('110', 'ITD', 'O', 2),
    s('120', 'REF', 'O', MANY),
    s('125', 'YNQ', 'O', 10),
    s('130', 'PER', 'O', 5),
    s('140', 'SDQ', 'O', 500),
    s('150', 'DTM', 'O', 10),
    s('160', 'CAD', 'O', MANY),
    s('170', 'L7', 'O', MANY),
    s('175', 'SR', 'O', 1),
    loop(25, [s('180', 'SAC', 'O', 1), s('190', 'TXI', 'O', 10)]),
    loop(1000, [
      s('200', 'SLN', 'O', 1),
      s('205', 'DTM', 'O', 1),
      s('210', 'REF', 'O', MANY),
      s('220', 'PID', 'O', 1000),
      s('230', 'SAC', 'O', 25),
      s('235', 'TC2', 'O', 2),
      s('237', 'TXI', 'O', 10),
    ]),
    N1_LOOP_810(240),
    loop(10, [s('310', 'LM', 'O', 1), loop(100, [s('320', 'LQ', 'M', 1)])]),
    loop(MANY, [s('330', 'V1', 'O', 1), s('340', 'R4', 'O', MANY), s('350', 'DTM', 'O', MANY)]),
    loop(MANY, [s('360', 'FA1', 'O', 1), s('370', 'FA2', 'M', MANY)]),
  ]),
  // Summary
  s('010', 'TDS', 'M', 1),
  s('020', 'TXI', 'O', 10),
  s('030', 'CAD', 'O', 1),
  s('035', 'AMT', 'O', MANY),
  loop(25, [s('040', 'SAC', 'O', 1), s('050', 'TXI', 'O', 10)]),
  loop(MANY, [s('060', 'ISS', 'O', 1), s('065', 'PID', 'O', 1)]),
  s('070', 'CTT', 'O', 1),
  s('080', 'SE', 'M', 1),
];

// ---------------------------------------------------------------- 855 Purchase Order Acknowledgment (004010)

const T855_4010: TableEntry[] = [
  // Heading
  s('010', 'ST', 'M', 1),
  s('020', 'BAK', 'M', 1),
  s('040', 'CUR', 'O', 1),
  s('050', 'REF', 'O', MANY),
  s('060', 'PER', 'O', 3),
  s('070', 'TAX', 'O', MANY),
  s('080', 'FOB', 'O', MANY),
  s('090', 'CTP', 'O', MANY),
  s('095', 'PAM', 'O', 10),
  s('110', 'CSH', 'O', 1),
  loop(25, [s('120', 'SAC', 'O', 1), s('125', 'CUR', 'O', 1)]),
  s('130', 'ITD', 'O', 5),
  s('140', 'DIS', 'O', 20),
  s('145', 'INC', 'O', 1),
  s('150', 'DTM', 'O', 10),
  s('160', 'LDT', 'O', 12),
  s('180', 'LIN', 'O', 5),
  s('185', 'SI', 'O', MANY),
  s('190', 'PID', 'O', 200),
  s('200', 'MEA', 'O', 40),
  s('210', 'PWK', 'O', 25),
  s('220', 'PKG', 'O', 25),
  s('230', 'TD1', 'O', 2),
  s('240', 'TD5', 'O', 12),
  s('250', 'TD3', 'O', 12),
  s('260', 'TD4', 'O', 5),
  s('270', 'MAN', 'O', 10),
  s('280', 'TXI', 'O', MANY),
  s('283', 'CTB', 'O', MANY),
  loop(1000, [s('285', 'N9', 'O', 1), s('287', 'DTM', 'O', MANY), s('290', 'MSG', 'O', 1000)]),
  loop(200, [
    s('300', 'N1', 'O', 1),
    s('310', 'N2', 'O', 2),
    s('320', 'N3', 'O', 2),
    s('330', 'N4', 'O', 1),
    s('335', 'NX2', 'O', MANY),
    s('340', 'REF', 'O', 12),
    s('350', 'PER', 'O', MANY),
    s('355', 'SI', 'O', MANY),
    s('360', 'FOB', 'O', 1),
    s('370', 'TD1', 'O', 2),
    s('380', 'TD5', 'O', 12),
    s('390', 'TD3', 'O', 12),
    s('400', 'TD4', 'O', 5),
    s('410', 'PKG', 'O', 25),
  ]),
  loop(MANY, [s('420', 'ADV', 'O', 1), s('430', 'DTM', 'O', MANY), s('440', 'MTX', 'O', MANY)]),
  // Detail
  loop(100000, [
    s('010', 'PO1', 'O', 1),
    s('015', 'LIN', 'O', MANY),
    s('018', 'SI', 'O', MANY),
    s('020', 'CUR', 'O', 1),
    s('025', 'PO3', 'O', 25),
    s('040', 'CTP', 'O', MANY),
    s('045', 'PAM', 'O', 10),
    s('049', 'MEA', 'O', 40),
    loop(1000, [s('050', 'PID', 'O', 1), s('060', 'MEA', 'O', 10)]),
    s('070', 'PWK', 'O', 25),
    s('090', 'PO4', 'O', MANY),
    s('100', 'REF', 'O', MANY),
    s('110', 'PER', 'O', 3),
    loop(25, [s('130', 'SAC', 'O', 1), s('135', 'CUR', 'O', 1)]),
    s('137', 'IT8', 'O', 1),
    s('138', 'CSH', 'O', MANY),
    s('140', 'ITD', 'O', 2),
    s('150', 'DIS', 'O', 20),
    s('155', 'INC', 'O', 1),
    s('160', 'TAX', 'O', MANY),
    s('170', 'FOB', 'O', MANY),
    s('180', 'SDQ', 'O', 500),
    s('190', 'DTM', 'O', 10),
    s('200', 'LDT', 'O', 12),
    s('210', 'TD1', 'O', 1),
    s('220', 'TD5', 'O', 12),
    s('230', 'TD3', 'O', 12),
    s('240', 'TD4', 'O', 5),
    loop(104, [s('270', 'ACK', 'O', 1), s('275', 'DTM', 'O', 1)]),
    s('280', 'MAN', 'O', 10),
    s('285', 'AMT', 'O', 1),
    s('290', 'CTB', 'O', MANY),
    s('291', 'TXI', 'O', MANY),
    loop(MANY, [s('292', 'QTY', 'O', 1), s('293', 'SI', 'O', MANY)]),
    loop(200, [s('294', 'PKG', 'O', 1), s('295', 'MEA', 'O', MANY)]),
    loop(200, [
      s('296', 'SCH', 'O', 1),
      s('297', 'TD1', 'O', 2),
      s('298', 'TD5', 'O', 12),
      s('299', 'TD3', 'O', 12),
      s('300', 'TD4', 'O', 5),
      s('305', 'REF', 'O', MANY),
    ]),
    loop(1000, [s('310', 'N9', 'O', 1), s('320', 'DTM', 'O', MANY), s('330', 'MSG', 'O', 1000)]),
    loop(200, [
      s('340', 'N1', 'O', 1),
      s('350', 'N2', 'O', 2),
      s('360', 'N3', 'O', 2),
      s('370', 'N4', 'O', 1),
      s('375', 'NX2', 'O', MANY),
      s('380', 'REF', 'O', 12),
      s('390', 'PER', 'O', 3),
      s('395', 'SI', 'O', MANY),
      s('397', 'DTM', 'O', 1),
      s('400', 'FOB', 'O', 1),
      s('405', 'SCH', 'O', 200),
      s('410', 'TD1', 'O', 2),
      s('420', 'TD5', 'O', 12),
      s('430', 'TD3', 'O', 12),
      s('440', 'TD4', 'O', 5),
      s('442', 'QTY', 'O', MANY),
      s('445', 'PKG', 'O', 25),
    ]),
    loop(1000, [
      s('450', 'SLN', 'O', 1),
      s('460', 'MSG', 'O', MANY),
      s('470', 'SI', 'O', MANY),
      s('480', 'PID', 'O', 1000),
      s('490', 'PO3', 'O', 25),
      s('500', 'CTP', 'O', 25),
      s('505', 'PAM', 'O', 10),
      s('510', 'ACK', 'O', 104),
      loop(10, [s('520', 'SAC', 'O', 1), s('525', 'CUR', 'O', 1)]),
      s('530', 'DTM', 'O', 10),
      s('540', 'PO4', 'O', 1),
      s('550', 'TAX', 'O', 3),
      s('555', 'ADV', 'O', MANY),
      loop(MANY, [s('560', 'QTY', 'O', 1), s('565', 'SI', 'O', MANY)]),
      loop(MANY, [s('570', 'N9', 'O', 1), s('575', 'DTM', 'O', MANY), s('580', 'MSG', 'O', MANY)]),
      loop(10, [
        s('590', 'N1', 'O', 1),
        s('600', 'N2', 'O', 2),
        s('610', 'N3', 'O', 2),
        s('620', 'N4', 'O', 1),
        s('630', 'NX2', 'O', MANY),
        s('640', 'REF', 'O', 12),
        s('650', 'PER', 'O', 3),
        s('660', 'SI', 'O', MANY),
      ]),
    ]),
  ]),
  // Summary
  loop(1, [s('010', 'CTT', 'O', 1), s('020', 'AMT', 'O', 1)]),
  s('030', 'SE', 'M', 1),
];

// ---------------------------------------------------------------- 856 Ship Notice/Manifest (004010)

const T856_4010: TableEntry[] = [
  // Heading
  s('010', 'ST', 'M', 1),
  s('020', 'BSN', 'M', 1),
  s('040', 'DTM', 'O', 10),
  // Detail
  loop(200000, [
    s('010', 'HL', 'M', 1),
    s('020', 'LIN', 'O', 1),
    s('030', 'SN1', 'O', 1),
    s('040', 'SLN', 'O', 1000),
    s('050', 'PRF', 'O', 1),
    s('060', 'PO4', 'O', 1),
    s('070', 'PID', 'O', 200),
    s('080', 'MEA', 'O', 40),
    s('085', 'PWK', 'O', 25),
    s('090', 'PKG', 'O', 25),
    s('110', 'TD1', 'O', 20),
    s('120', 'TD5', 'O', 12),
    s('130', 'TD3', 'O', 12),
    s('140', 'TD4', 'O', 5),
    s('145', 'TSD', 'O', 1),
    s('150', 'REF', 'O', MANY),
    s('152', 'PER', 'O', 3),
    loop(100, [
      s('155', 'LH1', 'O', 1),
      s('160', 'LH2', 'O', 4),
      s('165', 'LH3', 'O', 12),
      s('170', 'LFH', 'O', 20),
      s('172', 'LEP', 'O', MANY),
      s('175', 'LH4', 'O', 1),
      s('178', 'LHT', 'O', 3),
      s('180', 'LHR', 'O', 10),
      s('182', 'PER', 'O', 5),
      s('185', 'LHE', 'O', 1),
    ]),
    loop(200, [s('186', 'CLD', 'O', 1), s('187', 'REF', 'O', 200), s('188', 'DTP', 'O', 1)]),
    s('190', 'MAN', 'O', MANY),
    s('200', 'DTM', 'O', 10),
    s('210', 'FOB', 'O', 1),
    s('215', 'PAL', 'O', 1),
    loop(200, [
      s('220', 'N1', 'O', 1),
      s('230', 'N2', 'O', 2),
      s('240', 'N3', 'O', 2),
      s('250', 'N4', 'O', 1),
      s('260', 'REF', 'O', 12),
      s('270', 'PER', 'O', 3),
      s('280', 'FOB', 'O', 1),
    ]),
    s('290', 'SDQ', 'O', 50),
    s('300', 'ETD', 'O', 1),
    s('310', 'CUR', 'O', 1),
    loop(MANY, [s('320', 'SAC', 'O', 1), s('325', 'CUR', 'O', 1)]),
    s('330', 'GF', 'O', 1),
    s('335', 'YNQ', 'O', 10),
    loop(10, [s('340', 'LM', 'O', 1), s('350', 'LQ', 'M', 100)]),
    loop(MANY, [s('360', 'V1', 'O', 1), s('370', 'R4', 'O', MANY), s('380', 'DTM', 'O', MANY)]),
  ]),
  // Summary
  s('010', 'CTT', 'O', 1),
  s('020', 'SE', 'M', 1),
];

// ---------------------------------------------------------------- 997 / 999

const T997_4010: TableEntry[] = [
  s('010', 'ST', 'M', 1),
  s('020', 'AK1', 'M', 1),
  loop(999999, [
    s('030', 'AK2', 'O', 1),
    loop(999999, [s('040', 'AK3', 'O', 1), s('050', 'AK4', 'O', 99)]),
    s('060', 'AK5', 'M', 1),
  ]),
  s('070', 'AK9', 'M', 1),
  s('080', 'SE', 'M', 1),
];

const T999_5010: TableEntry[] = [
  s('0100', 'ST', 'M', 1),
  s('0200', 'AK1', 'M', 1),
  loop(MANY, [
    s('0300', 'AK2', 'O', 1),
    loop(MANY, [
      s('0400', 'IK3', 'O', 1),
      s('0500', 'CTX', 'O', 10),
      loop(MANY, [s('0600', 'IK4', 'O', 1), s('0700', 'CTX', 'O', 10)]),
    ]),
    s('0800', 'IK5', 'M', 1),
  ]),
  s('0900', 'AK9', 'M', 1),
  s('1000', 'SE', 'M', 1),
];

// ---------------------------------------------------------------- 005010 from 004010

/** 004010's three-digit position as 005010 writes it ("040" -> "0400"). */
function to5010(entries: TableEntry[]): TableEntry[] {
  return entries.map((e) => (e.kind === 'segment' ? segment5010(e) : loop5010(e)));
}

function segment5010(e: TableSegment): TableSegment {
  return { ...e, position: `${e.position}0` };
}

function loop5010(e: TableLoop): TableLoop {
  const [first, ...rest] = e.entries;
  return { ...e, entries: [segment5010(first), ...to5010(rest)] };
}

/** Inserts `add` after the top-level entry whose first segment has `afterPosition`. */
function insertAfter(entries: TableEntry[], afterPosition: string, add: TableEntry): TableEntry[] {
  const i = entries.findIndex((e) => positionOf(e) === afterPosition);
  if (i < 0) throw new Error(`no entry at ${afterPosition}`);
  return [...entries.slice(0, i + 1), add, ...entries.slice(i + 1)];
}

// 005010 810: CRC (conditions indicator) in the heading after PAM; the TXI of the summary may repeat.
const T810_5010: TableEntry[] = insertAfter(to5010(T810_4010), '2200', s('2250', 'CRC', 'O', 1)).map((e) =>
  e.kind === 'segment' && e.id === 'TXI' ? { ...e, maxUse: MANY } : e,
);

const TABLES: SetTable[] = [
  { setId: '810', version: '004010', entries: T810_4010 },
  { setId: '810', version: '005010', entries: T810_5010 },
  { setId: '855', version: '004010', entries: T855_4010 },
  { setId: '855', version: '005010', entries: to5010(T855_4010) },
  { setId: '856', version: '004010', entries: T856_4010 },
  { setId: '856', version: '005010', entries: to5010(T856_4010) },
  { setId: '997', version: '004010', entries: T997_4010 },
  { setId: '997', version: '005010', entries: to5010(T997_4010) },
  { setId: '999', version: '005010', entries: T999_5010 },
];

/** The table of a transaction set in a version ("004010", "005010"; GS08 suffixes are ignored). */
export function segmentTable(setId: string, version: string): SetTable | undefined {
  const v = version.slice(0, 6);
  return TABLES.find((t) => t.setId === setId && t.version === v);
}

export function segmentTables(): readonly SetTable[] {
  return TABLES;
}

// ---------------------------------------------------------------- checking a set against its table

export interface SequenceProblem {
  code:
    | 'MANDATORY_SEGMENT_MISSING'
    | 'SEGMENT_NOT_IN_PROPER_SEQUENCE'
    | 'SEGMENT_EXCEEDS_MAXIMUM_USE'
    | 'LOOP_EXCEEDS_MAXIMUM_REPEAT';
  /** 1-based position of the segment in the set (ST = 1) where the problem was seen. */
  index: number;
  segmentId: string;
  /** Table position of the segment or loop at fault. */
  position?: string;
  message: string;
}

interface Level {
  entries: TableEntry[];
  /** Index of the entry last used at this level (-1 before the first). */
  cursor: number;
  /** Uses of each entry in the current repetition of this level. */
  uses: number[];
  /** The loop this level is a repetition of (undefined for the top level). */
  loop?: TableLoop;
}

function newLevel(entries: TableEntry[], owner?: TableLoop): Level {
  return { entries, cursor: -1, uses: entries.map(() => 0), ...(owner ? { loop: owner } : {}) };
}

function describe(e: TableEntry): string {
  return e.kind === 'segment'
    ? `${e.id} (position ${e.position})`
    : `loop ${e.id} (position ${positionOf(e)})`;
}

/**
 * Checks segment ids (ST first, SE last) against a table; returns every problem found (none: the
 * set follows the table).
 */
export function checkSegmentOrder(table: SetTable, ids: readonly string[]): SequenceProblem[] {
  const problems: SequenceProblem[] = [];
  const stack: Level[] = [newLevel(table.entries)];
  /** Mandatory entries of `level` after its cursor and before `until` that were never used. */
  const missingBetween = (level: Level, until: number, index: number, segmentId: string): void => {
    for (let k = level.cursor + 1; k < until; k++) {
      const entry = level.entries[k]!; // until <= entries.length
      if (level.uses[k] === 0 && required(entry)) {
        problems.push({
          code: 'MANDATORY_SEGMENT_MISSING',
          index,
          segmentId: firstId(entry),
          position: positionOf(entry),
          message: `mandatory ${describe(entry)} is missing before ${segmentId}`,
        });
      }
    }
  };
  ids.forEach((id, i) => {
    const index = i + 1;
    for (let depth = stack.length - 1; depth >= 0; depth--) {
      const level = stack[depth]!; // 0 <= depth < stack.length
      // Inside a loop, the loop's own first segment is found one level up (a new repetition).
      const from = Math.max(level.cursor, level.loop ? 1 : 0);
      let found = -1;
      for (let k = from; k < level.entries.length; k++) {
        if (firstId(level.entries[k]!) === id) {
          // k < entries.length
          found = k;
          break;
        }
      }
      if (found < 0) continue;
      // Close the levels above this one: their remaining mandatory entries are missing.
      while (stack.length - 1 > depth) {
        const inner = stack.pop() as Level;
        missingBetween(inner, inner.entries.length, index, id);
      }
      missingBetween(level, found, index, id);
      const entry = level.entries[found]!; // found above
      level.cursor = found;
      const used = (level.uses[found] ?? 0) + 1; // uses has an entry per entry
      level.uses[found] = used;
      if (entry.kind === 'segment') {
        if (used > entry.maxUse) {
          problems.push({
            code: 'SEGMENT_EXCEEDS_MAXIMUM_USE',
            index,
            segmentId: id,
            position: entry.position,
            message: `${describe(entry)} is used ${used} times, at most ${entry.maxUse}`,
          });
        }
      } else {
        if (used > entry.repeat) {
          problems.push({
            code: 'LOOP_EXCEEDS_MAXIMUM_REPEAT',
            index,
            segmentId: id,
            position: positionOf(entry),
            message: `${describe(entry)} repeats ${used} times, at most ${entry.repeat}`,
          });
        }
        // A new repetition of the loop, at its first segment.
        const inner = newLevel(entry.entries, entry);
        inner.cursor = 0;
        inner.uses[0] = 1;
        stack.push(inner);
      }
      return;
    }
    problems.push({
      code: 'SEGMENT_NOT_IN_PROPER_SEQUENCE',
      index,
      segmentId: id,
      message: `${id} (segment ${index}) is not in proper sequence: it cannot follow ${ids[i - 1] ?? 'the start'} in the ${table.setId} table`,
    });
  });
  while (stack.length > 0) {
    const level = stack.pop() as Level;
    missingBetween(level, level.entries.length, ids.length + 1, 'the end of the set');
  }
  return problems;
}
