/** Shared by the cXML unit tests: fixture paths, golden files, sample envelopes. */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';
import type { RequestEnvelopeInput } from '../../../protocols/cxml';

export const FIXTURES = resolve(__dirname, '../../../fixtures/cxml');
export const CORPUS = join(FIXTURES, 'corpus');
export const GOLDEN = join(FIXTURES, 'golden');

/** `UPDATE_GOLDEN=1 npx jest test/unit/cxml` rewrites the goldens (review the diff by eye before committing). */
export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

export function listXml(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listXml(full));
    else if (name.endsWith('.xml')) out.push(full);
  }
  return out;
}

/** Path relative to fixtures/cxml, e.g. "corpus/officeluv__cxml/spec/fixtures/order_request.xml". */
export function rel(file: string): string {
  return relative(FIXTURES, file);
}

export function fixture(relPath: string): Buffer {
  return readFileSync(join(FIXTURES, relPath));
}

function goldenPath(relPath: string, suffix = ''): string {
  return join(GOLDEN, relPath.replace(/\.xml$/, `${suffix}.json`));
}

/** The golden JSON for a fixture (written instead when UPDATE_GOLDEN=1). */
export function golden(relPath: string, actual: unknown, suffix = ''): unknown {
  const file = goldenPath(relPath, suffix);
  const json = `${JSON.stringify(actual, null, 2)}\n`;
  if (UPDATE_GOLDEN) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, json);
  }
  if (!existsSync(file))
    throw new Error(`no golden ${relative(FIXTURES, file)}: run with UPDATE_GOLDEN=1 and review it`);
  return JSON.parse(readFileSync(file, 'utf8')) as unknown;
}

/** Plain JSON form (drops undefined, as the golden files do). */
export function plain(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}

export const ENVELOPE: RequestEnvelopeInput = {
  payloadId: '1714557600000.42.7@gateway.example',
  timestamp: '2024-05-01T10:00:00+02:00',
  header: {
    from: [
      { domain: 'DUNS', identity: '354001122' },
      { domain: 'NetworkID', identity: 'AN01000067890' },
    ],
    to: { domain: 'NetworkID', identity: 'AN01000012345' },
    sender: {
      credentials: { domain: 'DUNS', identity: '354001122', sharedSecret: 'geheim' },
      userAgent: 'Procurement Gateway 0.1',
    },
  },
};
