/**
 * Money, quantities and dates written for people in a locale ("1.234,50 €", "$1,234.50",
 * "4 Dec 2026"). Amounts stay decimal strings: decimal.js rounds them (half-up, to the currency's
 * minor unit) and Intl.NumberFormat formats the resulting string, which it reads as an exact
 * decimal (ECMA-402 NumberFormat v3), so no amount ever passes through a JS float.
 */
import { dec, minorUnits, type DecimalString } from './money';

export const DEFAULT_LOCALE = 'en-US';

export interface MoneyStyle {
  /** A unit price: the decimals it has as stored (at least the currency's), not rounded. */
  unitPrice?: boolean;
  /** The currency as symbol ("$", default), ISO code ("USD"), or not written (a plain number). */
  currency?: 'symbol' | 'code' | 'none';
}

const formatters = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: string, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(opts)}`;
  let nf = formatters.get(key);
  if (!nf) {
    nf = new Intl.NumberFormat(locale, opts);
    if (formatters.size > 500) formatters.clear();
    formatters.set(key, nf);
  }
  return nf;
}

/** Intl reads a decimal string exactly (NumberFormat v3); the lib typings only know numbers. */
const exact = (nf: Intl.NumberFormat, s: string): string => nf.format(s as unknown as number);

/** The digits an amount is written with: the currency's, or for a unit price those it has (up to 20). */
function fractionDigits(value: DecimalString, currency: string, unitPrice: boolean): number {
  const minor = minorUnits(currency);
  return unitPrice ? Math.min(20, Math.max(minor, dec(value).decimalPlaces())) : minor;
}

/** An amount of `currency` for a reader in `locale`: "$1,234.50", "1.234,50 €", "12.345 USD". */
export function localMoney(
  locale: string,
  value: DecimalString,
  currency: string,
  style: MoneyStyle = {},
): string {
  const cur = currency.trim().toUpperCase();
  const digits = fractionDigits(value, cur, style.unitPrice ?? false);
  const rounded = dec(value).toDecimalPlaces(digits).toFixed(digits);
  const display = style.currency ?? 'symbol';
  const opts: Intl.NumberFormatOptions = {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
    ...(display === 'none' ? {} : { style: 'currency', currency: cur, currencyDisplay: display }),
  };
  return exact(numberFormat(locale, opts), rounded);
}

/** A quantity as stored ("1.5", "40"), grouped for the locale ("1,000.5"), never rounded. */
export function localQuantity(locale: string, value: DecimalString): string {
  const d = dec(value);
  const digits = Math.min(20, d.decimalPlaces());
  return exact(
    numberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }),
    d.toFixed(digits),
  );
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(locale: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `${locale}|${withTime}`;
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      dateStyle: 'medium',
      ...(withTime ? { timeStyle: 'short' } : {}),
      timeZone: 'UTC',
    });
    if (dateFormats.size > 500) dateFormats.clear();
    dateFormats.set(key, f);
  }
  return f;
}

/** A calendar day ("2026-12-04", or the day of an ISO timestamp as written) in the locale: "Dec 4, 2026". */
export function localDate(locale: string, day: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(day);
  if (!m) return day;
  return dateFormat(locale, false).format(new Date(`${m[1]}T00:00:00Z`));
}

/** A moment in the locale, in UTC and saying so: "Dec 4, 2026, 1:30 AM UTC". */
export function localDateTime(locale: string, at: string | Date): string {
  const d = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(d.getTime())) return String(at);
  return `${dateFormat(locale, true).format(d)} UTC`;
}

/** Whether Intl has this locale (a well-formed tag it can format for). */
export function knownLocale(tag: string): boolean {
  try {
    return Intl.NumberFormat.supportedLocalesOf([tag]).length === 1;
  } catch {
    return false;
  }
}
