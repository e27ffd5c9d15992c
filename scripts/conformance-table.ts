/**
 * Writes the README's corpus conformance table from the results of the HTTP conformance run
 * (test/integration/conformance/corpus-http.test.ts writes fixtures/conformance/results.json with
 * UPDATE_CONFORMANCE=1; that test also fails when the README table differs from these results).
 *
 *   npm run conformance        # rewrite the README section between the conformance markers
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface ConformanceRow {
  file: string;
  protocol: string;
  /** HTTP status of the answer. */
  status: number;
  outcome: string;
  reason: string;
}

export const ROOT = path.resolve(__dirname, '..');
export const RESULTS = path.join(ROOT, 'fixtures/conformance/results.json');
export const README = path.join(ROOT, 'README.md');
export const START = '<!-- conformance:start (npm run conformance writes this table) -->';
export const END = '<!-- conformance:end -->';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();

export function renderTable(rows: readonly ConformanceRow[]): string {
  const fiveHundreds = rows.filter((r) => r.status >= 500).length;
  const head = [
    START,
    `${rows.length} files (every file of the shared cXML and EDI corpora, as copied into fixtures/), each posted to the gateway's HTTP endpoint (\`POST /edi/x12\` with the sender's ERP key, \`POST /cxml\` with the test partner's credentials in the sample's Header); ${fiveHundreds} answered with a 5xx.`,
    '',
    '| file | protocol | HTTP | outcome | reason |',
    '|---|---|---|---|---|',
  ];
  const body = rows.map(
    (r) =>
      `| \`${cell(r.file)}\` | ${cell(r.protocol)} | ${r.status} | ${cell(r.outcome)} | ${cell(r.reason)} |`,
  );
  return [...head, ...body, END].join('\n');
}

/** The README with its conformance section replaced by `table` (appended when absent). */
export function withTable(readme: string, table: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a >= 0 && b > a) return readme.slice(0, a) + table + readme.slice(b + END.length);
  return `${readme.trimEnd()}\n\n## Corpus conformance\n\n${table}\n`;
}

export function readResults(): ConformanceRow[] {
  return JSON.parse(readFileSync(RESULTS, 'utf8')) as ConformanceRow[];
}

if (require.main === module) {
  const table = renderTable(readResults());
  writeFileSync(README, withTable(readFileSync(README, 'utf8'), table));
  console.log(`README.md: conformance table of ${readResults().length} files written`);
}
