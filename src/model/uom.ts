/**
 * Units of measure as UN/ECE Recommendation 20 codes (what cXML UnitOfMeasure carries).
 * X12 uses its own code list (element 355); the common ones are mapped here.
 */
export const REC20_COMMON: Readonly<Record<string, string>> = {
  EA: 'each',
  C62: 'one (unit)',
  H87: 'piece',
  PCE: 'piece',
  BX: 'box',
  CS: 'case',
  CT: 'carton',
  PK: 'pack',
  PA: 'packet',
  RM: 'ream',
  DZN: 'dozen',
  PR: 'pair',
  SET: 'set',
  KGM: 'kilogram',
  GRM: 'gram',
  LTR: 'litre',
  MTR: 'metre',
  CMT: 'centimetre',
  MTK: 'square metre',
  HUR: 'hour',
  DAY: 'day',
  MON: 'month',
  ANN: 'year',
  RO: 'roll',
  BG: 'bag',
  BO: 'bottle',
  CA: 'can',
  TNE: 'tonne',
  LBR: 'pound',
  ONZ: 'ounce',
  FOT: 'foot',
  INH: 'inch',
  YRD: 'yard',
  GLL: 'gallon',
  KT: 'kit',
  LO: 'lot',
  E48: 'service unit',
  ZZ: 'mutually defined',
};

/** X12 unit codes (element 355) whose Rec 20 code differs. Unlisted codes pass through unchanged. */
const X12_TO_REC20: Readonly<Record<string, string>> = {
  CA: 'CS',
  DZ: 'DZN',
  GA: 'GLL',
  KG: 'KGM',
  LB: 'LBR',
  FT: 'FOT',
  IN: 'INH',
  YD: 'YRD',
  HR: 'HUR',
  LT: 'LTR',
  MR: 'MTR',
  OZ: 'ONZ',
  PC: 'H87',
  RL: 'RO',
  BE: 'BG',
  BT: 'BO',
  DA: 'DAY',
  MO: 'MON',
  UN: 'C62',
  CN: 'CA',
  SF: 'FTK',
  SY: 'YDK',
  GR: 'GRM',
};

const REC20_TO_X12: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(X12_TO_REC20).map(([x12, rec20]) => [rec20, x12]),
);

export function x12UomToRec20(code: string): string {
  const upper = code.trim().toUpperCase();
  return X12_TO_REC20[upper] ?? upper;
}

export function rec20ToX12Uom(code: string): string {
  const upper = code.trim().toUpperCase();
  return REC20_TO_X12[upper] ?? upper;
}

export function isKnownRec20(code: string): boolean {
  return code.toUpperCase() in REC20_COMMON;
}
