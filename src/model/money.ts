import Decimal from 'decimal.js';

/**
 * Money and quantities are decimal strings in the model ("12.3450"), `numeric` in Postgres and
 * decimal.js for arithmetic. A JS number never carries an amount.
 */
export type DecimalString = string;

export const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Dec = InstanceType<typeof D>;

const DECIMAL_RE = /^-?(?:\d+)(?:\.\d+)?$/;

export function isDecimalString(value: string): boolean {
  return DECIMAL_RE.test(value);
}

/** Parses a decimal string; throws RangeError on anything else (including exponent notation). */
export function dec(value: DecimalString | Dec): Dec {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (!isDecimalString(trimmed)) throw new RangeError(`not a decimal number: "${value}"`);
  return new D(trimmed);
}

export function add(...values: (DecimalString | Dec)[]): Dec {
  return values.reduce<Dec>((sum, v) => sum.plus(dec(v)), new D(0));
}

export function mul(a: DecimalString | Dec, b: DecimalString | Dec): Dec {
  return dec(a).times(dec(b));
}

export function cmp(a: DecimalString | Dec, b: DecimalString | Dec): number {
  return dec(a).comparedTo(dec(b));
}

export function eq(a: DecimalString | Dec, b: DecimalString | Dec): boolean {
  return cmp(a, b) === 0;
}

/** ISO 4217 minor units for the currencies that differ from 2. */
const MINOR_UNITS: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

export function minorUnits(currency: string): number {
  return MINOR_UNITS[currency.toUpperCase()] ?? 2;
}

/** Rounds an amount to the currency's minor unit, half-up (commercial rounding). */
export function roundMoney(value: DecimalString | Dec, currency: string): Dec {
  return dec(value).toDecimalPlaces(minorUnits(currency), D.ROUND_HALF_UP);
}

/** Formats an amount with exactly the currency's minor-unit digits. */
export function formatMoney(value: DecimalString | Dec, currency: string): DecimalString {
  return roundMoney(value, currency).toFixed(minorUnits(currency));
}

/**
 * An amount as every document, page and API answer writes it: with the currency's scale ("13.5" USD
 * -> "13.50", "259.00" JPY -> "259", "4.2000" USD -> "4.20"). Never rounds: digits beyond the scale
 * that are not zeros are kept, since rounding is the calculation's business (totals come rounded by
 * formatMoney/roundMoney), not the writer's.
 */
export function formatAmount(value: DecimalString | Dec, currency: string): DecimalString {
  const d = dec(value);
  return d.toFixed(Math.max(minorUnits(currency), d.decimalPlaces()));
}

/**
 * A unit price as written everywhere: at least the currency's scale, and the decimals the price has
 * beyond it as stored, without trailing zeros ("4.2000" USD -> "4.20", "0.125" -> "0.125",
 * "3.14159" -> "3.14159"). Catalog and contract prices carry up to 4 decimals; a price with more is
 * written as it is rather than rounded, so that quantity x price still gives the amounts billed.
 */
export function formatUnitPrice(value: DecimalString | Dec, currency: string): DecimalString {
  return formatAmount(value, currency);
}

/** Normalises a decimal string for storage/comparison without losing digits ("4.50" stays "4.50"). */
export function toDecimalString(value: Dec | DecimalString): DecimalString {
  return typeof value === 'string' ? dec(value).toFixed() : value.toFixed();
}

export interface Money {
  amount: DecimalString;
  currency: string;
}
