/**
 * DTD validation of cXML documents for tests: `xmllint --noout --nonet --dtdvalid <dtd> -`, the DTD chosen
 * from the document's DOCTYPE (version + file name) among fixtures/cxml-dtd/ — `<version>/<file>` or
 * `<version>-<file>`. Nothing is fetched (--nonet). Requires xmllint (Debian: libxml2-utils).
 */
import { spawnSync } from 'child_process';
import { existsSync } from 'fs';
import { join, resolve } from 'path';

export const CXML_DTD_DIR = resolve(__dirname, '../../fixtures/cxml-dtd');

/** The local DTD for a document, from its DOCTYPE system id; undefined when there is no DOCTYPE or no copy. */
export function dtdPathFor(xml: string): string | undefined {
  const m =
    /<!DOCTYPE\s+\S+\s+SYSTEM\s+["'][^"']*\/schemas\/cXML\/(\d+(?:\.\d+)+)\/([A-Za-z]+\.dtd)["']/i.exec(xml);
  if (!m) return undefined;
  const [, version, file] = m as unknown as [string, string, string];
  const candidates = [join(CXML_DTD_DIR, version, file), join(CXML_DTD_DIR, `${version}-${file}`)];
  return candidates.find((p) => existsSync(p));
}

export function validateCxml(xml: string): { ok: boolean; errors: string } {
  const dtd = dtdPathFor(xml);
  if (dtd === undefined) {
    const doctype = /<!DOCTYPE[^>]*>/i.exec(xml)?.[0] ?? '(no DOCTYPE)';
    return { ok: false, errors: `no local DTD for ${doctype} in ${CXML_DTD_DIR}` };
  }
  // The DOCTYPE only chooses the DTD: blank it out (keeping line numbers) so xmllint does not try to load
  // its http:// system id; --dtdvalid then validates against the local copy.
  const input = xml.replace(/<!DOCTYPE[^>]*>/i, (decl) => decl.replace(/[^\n]/g, ' '));
  const run = spawnSync('xmllint', ['--noout', '--nonet', '--dtdvalid', dtd, '-'], {
    input,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (run.error) return { ok: false, errors: `xmllint could not run: ${run.error.message}` };
  const errors = `${run.stderr ?? ''}${run.stdout ?? ''}`.trim();
  return { ok: run.status === 0 && errors === '', errors };
}
