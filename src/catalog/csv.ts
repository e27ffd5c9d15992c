/**
 * RFC 4180 CSV: quoted fields with "" escapes, CRLF or LF, a leading BOM. Each record carries the
 * line number it starts on, so an import can name the line of a bad row.
 */
export interface CsvRecord {
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/**
 * `headerCheck` sees the first record as soon as it is read and may throw: a header refused that
 * way costs its own length, not the parsing of every row after it.
 */
export function parseCsv(text: string, headerCheck?: (first: CsvRecord) => void): CsvRecord[] {
  const out: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    for (;;) {
      let value: string;
      if (text.charCodeAt(i) === 34 /* " */) {
        let j = i + 1;
        let buf = '';
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) throw new CsvSyntaxError(startLine, 'unterminated quoted field');
          buf += text.slice(j, q);
          if (text.charCodeAt(q + 1) === 34) {
            buf += '"';
            j = q + 2;
          } else {
            j = q + 1;
            break;
          }
        }
        for (let k = i; k < j; k++) if (text.charCodeAt(k) === 10) line++;
        value = buf;
        i = j;
        const c = text.charCodeAt(i);
        if (i < n && c !== 44 && c !== 10 && c !== 13)
          throw new CsvSyntaxError(line, 'text after a closing quote');
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === 44 || c === 10 || c === 13) break;
          j++;
        }
        value = text.slice(i, j);
        i = j;
      }
      fields.push(value);
      const c = text.charCodeAt(i);
      if (c === 44) {
        i++;
        continue;
      }
      if (c === 13) i++;
      if (text.charCodeAt(i) === 10) i++;
      line++;
      break;
    }
    if (!(fields.length === 1 && fields[0] === '')) {
      out.push({ line: startLine, fields });
      if (out.length === 1) headerCheck?.(out[0] as CsvRecord);
    }
  }
  return out;
}

/** Most header columns by default (CSV_MAX_COLUMNS): every row is read into one value per column. */
export const DEFAULT_MAX_COLUMNS = 200;

/**
 * Records as objects keyed by the header row (header names trimmed and lower-cased). A header of
 * more than `maxColumns` columns is refused: rows x columns was quadratic in the size (a 64 KB
 * header over 64 KB of one-letter rows took 25 s).
 */
export function csvObjects(
  text: string,
  maxColumns = DEFAULT_MAX_COLUMNS,
): {
  header: string[];
  rows: { line: number; values: Record<string, string> }[];
} {
  // The header's width is checked before any row is read.
  const records = parseCsv(text, (first) => {
    if (first.fields.length > maxColumns) {
      throw new CsvSyntaxError(
        first.line,
        `the header has ${first.fields.length} columns, more than ${maxColumns} (setting CSV_MAX_COLUMNS)`,
      );
    }
  });
  const [head] = records;
  if (head === undefined) return { header: [], rows: [] };
  const header = head.fields.map((h) => h.trim().toLowerCase());
  const rows = records.slice(1).map((r) => {
    const values: Record<string, string> = {};
    header.forEach((h, idx) => (values[h] = (r.fields[idx] ?? '').trim()));
    if (r.fields.length > header.length) values.__extra = String(r.fields.length - header.length);
    return { line: r.line, values };
  });
  return { header, rows };
}
