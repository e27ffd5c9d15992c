/**
 * cXML dates are ISO 8601 with a time zone ("2021-01-08T23:00:06-08:00"), but partners send variants. Read
 * leniently, keep the raw string, and normalise only what is unambiguous:
 *   - date only ("2020-02-28"), date-time with or without seconds, fractional seconds;
 *   - a space instead of "T";
 *   - offsets "Z", "+01:00", "+0100", "+01", lower-case "t"/"z";
 *   - no offset: read as UTC (the Date), kept without offset (the normalised string);
 *   - Ruby's Time#to_s as some Coupa documents carry it: "Mon May 19 18:29:48 +0000 2008".
 * Anything else (including impossible dates like 2021-02-30) is not a date: undefined.
 */

export interface CxmlDate {
  /** ISO 8601: "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]"; the offset is kept as sent. */
  iso: string;
  /** The instant; a time without offset is read as UTC, a date without time as 00:00 UTC. */
  date: Date;
  hasOffset: boolean;
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

const RUBY_RE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-]\d{4}|UTC|GMT) (\d{4})$/;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

interface Parts {
  year: number;
  month: number;
  day: number;
  time?: { hour: number; minute: number; second: number; fraction?: string };
  /** minutes east of UTC; 'Z' for Zulu */
  offset?: number | 'Z';
}

function build(parts: Parts): CxmlDate | undefined {
  const { year, month, day, time, offset } = parts;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  const datePart = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
  if (!time) {
    return { iso: datePart, date: new Date(Date.UTC(year, month - 1, day)), hasOffset: false };
  }
  const { hour, minute, second, fraction } = time;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = fraction !== undefined ? Number(`0.${fraction}`) * 1000 : 0;
  const offsetMinutes = offset === undefined || offset === 'Z' ? 0 : offset;
  if (Math.abs(offsetMinutes) > 18 * 60) return undefined;
  const epoch = Date.UTC(year, month - 1, day, hour, minute, second, Math.floor(ms)) - offsetMinutes * 60_000;
  let iso = `${datePart}T${pad(hour)}:${pad(minute)}:${pad(second)}${fraction !== undefined ? `.${fraction}` : ''}`;
  if (offset === 'Z') iso += 'Z';
  else if (offset !== undefined) {
    const sign = offset < 0 ? '-' : '+';
    const abs = Math.abs(offset);
    iso += `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  }
  return { iso, date: new Date(epoch), hasOffset: offset !== undefined };
}

function parseOffset(raw: string | undefined): number | 'Z' | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'Z' || raw === 'z' || raw === 'UTC' || raw === 'GMT') return 'Z';
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(raw);
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? '0');
  return m[1] === '-' ? -minutes : minutes;
}

/** Lenient reading of a cXML date or timestamp; undefined when it is not one. */
export function parseCxmlDate(raw: string | undefined): CxmlDate | undefined {
  if (raw === undefined) return undefined;
  const value = raw.trim();
  const iso = ISO_RE.exec(value);
  if (iso) {
    const [, y, mo, d, h, mi, s, frac, off] = iso;
    const parts: Parts = { year: Number(y), month: Number(mo), day: Number(d) };
    if (h !== undefined) {
      parts.time = { hour: Number(h), minute: Number(mi), second: Number(s ?? '0') };
      if (frac !== undefined) parts.time.fraction = frac;
      const offset = parseOffset(off);
      if (offset !== undefined) parts.offset = offset;
    }
    return build(parts);
  }
  const ruby = RUBY_RE.exec(value);
  if (ruby) {
    const [, mon, d, h, mi, s, off, y] = ruby;
    const offset = parseOffset(off === 'UTC' || off === 'GMT' ? off : `${off?.slice(0, 3)}:${off?.slice(3)}`);
    return build({
      year: Number(y),
      month: MONTHS.indexOf(mon as string) + 1,
      day: Number(d),
      time: { hour: Number(h), minute: Number(mi), second: Number(s) },
      ...(offset !== undefined ? { offset: offset === 'Z' ? 0 : offset } : {}),
    });
  }
  return undefined;
}

/** Formats an instant for a cXML attribute: "2024-05-01T10:00:00+00:00" (UTC, no milliseconds). */
export function formatCxmlTimestamp(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('invalid Date');
  return `${date.toISOString().slice(0, 19)}+00:00`;
}
