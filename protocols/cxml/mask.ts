/**
 * Credentials out of stored copies of cXML documents: the content of every `<SharedSecret>` element
 * and of every `<Extrinsic>` whose name says password or secret is overwritten with `*`, one `*` per
 * byte (per UTF-16 code unit in a UTF-16 document), so the copy keeps its length, its offsets and
 * its well-formedness and every other byte as received. One forward pass over the bytes (no regular
 * expression, nothing rescanned): linear in the size. An element left open (a cut-off prefix) is
 * masked to the end. Works on the bytes as they are: UTF-8, ISO-8859-1 and windows-1252 share ASCII
 * markup; UTF-16 is read by its BOM.
 *
 * `secretElements` gives the places, so that our own outbound documents can be stored masked and
 * filled in again with the current secret when they are sent (`fillSharedSecret`).
 */

/** Code units of the document: 1-byte units (ASCII-compatible encodings) or UTF-16 with a BOM. */
interface Units {
  buf: Buffer;
  /** Bytes per unit. */
  width: 1 | 2;
  le: boolean;
  /** First unit after the BOM. */
  start: number;
  length: number;
}

function unitsOf(buf: Buffer): Units {
  if (buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff))) {
    return { buf, width: 2, le: buf[0] === 0xff, start: 1, length: buf.length >> 1 };
  }
  return { buf, width: 1, le: true, start: 0, length: buf.length };
}

function at(u: Units, i: number): number {
  if (u.width === 1) return u.buf[i] as number;
  const o = i * 2;
  return u.le
    ? (u.buf[o] as number) | ((u.buf[o + 1] as number) << 8)
    : ((u.buf[o] as number) << 8) | (u.buf[o + 1] as number);
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Does `text` (ASCII) stand at unit i, followed by a character that ends a name? */
function nameAt(u: Units, i: number, text: string): boolean {
  if (i + text.length > u.length) return false;
  for (let k = 0; k < text.length; k++) if (at(u, i + k) !== text.charCodeAt(k)) return false;
  const next = i + text.length < u.length ? at(u, i + text.length) : GT;
  return next === GT || next === SLASH || isSpace(next);
}

function startsWith(u: Units, i: number, text: string): boolean {
  if (i + text.length > u.length) return false;
  for (let k = 0; k < text.length; k++) if (at(u, i + k) !== text.charCodeAt(k)) return false;
  return true;
}

/** Index just after `text` at or after i, or the length when it does not occur. */
function after(u: Units, i: number, text: string): number {
  const first = text.charCodeAt(0);
  for (let k = i; k < u.length; k++) if (at(u, k) === first && startsWith(u, k, text)) return k + text.length;
  return u.length;
}

/** End of a start tag whose name ends before i: the index of its `>` (quotes respected), or the length. */
function tagEnd(u: Units, i: number): number {
  let quote = 0;
  for (let k = i; k < u.length; k++) {
    const c = at(u, k);
    if (quote) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) quote = c;
    else if (c === GT) return k;
    else if (c === LT) return k - 1; // malformed: a new tag begins; the start tag ends here
  }
  return u.length;
}

/** The value of attribute `name` in the start tag between units i and end (ASCII only), or null. */
function attribute(u: Units, i: number, end: number, name: string): string | null {
  let k = i;
  while (k < end) {
    while (k < end && isSpace(at(u, k))) k++;
    const nameStart = k;
    while (k < end && !isSpace(at(u, k)) && at(u, k) !== 0x3d && at(u, k) !== SLASH) k++;
    let attrName = '';
    for (let j = nameStart; j < k && j - nameStart <= name.length; j++)
      attrName += String.fromCharCode(at(u, j));
    while (k < end && isSpace(at(u, k))) k++;
    if (k >= end || at(u, k) !== 0x3d) {
      k++;
      continue;
    }
    k++;
    while (k < end && isSpace(at(u, k))) k++;
    const quote = at(u, k);
    if (quote !== 0x22 && quote !== 0x27) continue;
    const valueStart = ++k;
    while (k < end && at(u, k) !== quote) k++;
    if (attrName === name) {
      let value = '';
      for (let j = valueStart; j < k && j - valueStart < 200; j++) value += String.fromCharCode(at(u, j));
      return value;
    }
    k++;
  }
  return null;
}

/** Where an element's content ends: the `<` of its end tag (CDATA and comments skipped), or the length. */
function contentEnd(u: Units, i: number, name: string): number {
  let k = i;
  while (k < u.length) {
    if (at(u, k) !== LT) {
      k++;
      continue;
    }
    if (startsWith(u, k, '<![CDATA[')) k = after(u, k + 9, ']]>');
    else if (startsWith(u, k, '<!--')) k = after(u, k + 4, '-->');
    else if (at(u, k + 1) === SLASH && nameAt(u, k + 2, name)) return k;
    else k++;
  }
  return u.length;
}

const SECRET_EXTRINSIC = /pass(word|wd|phrase)?|secret|pwd/i;

export interface SecretElement {
  name: 'SharedSecret' | 'Extrinsic';
  /** Byte offsets: the element's `<`, its content, and just after its end tag (or the end). */
  elementStart: number;
  contentStart: number;
  contentEnd: number;
  elementEnd: number;
}

/** Every element whose content is a credential, in document order, as byte offsets. */
export function secretElements(buf: Buffer): SecretElement[] {
  const u = unitsOf(buf);
  const out: SecretElement[] = [];
  let i = u.start;
  while (i < u.length) {
    if (at(u, i) !== LT) {
      i++;
      continue;
    }
    let name: SecretElement['name'] | null = null;
    if (nameAt(u, i + 1, 'SharedSecret')) name = 'SharedSecret';
    else if (nameAt(u, i + 1, 'Extrinsic')) name = 'Extrinsic';
    if (!name) {
      i++;
      continue;
    }
    const nameEnd = i + 1 + name.length;
    const gt = tagEnd(u, nameEnd);
    if (gt >= u.length || at(u, gt) !== GT) {
      // A start tag that does not end (a stray quote, a cut-off copy): for a SharedSecret, whatever
      // follows may be the secret, so all of it is masked.
      if (name === 'SharedSecret')
        out.push({
          name,
          elementStart: i * u.width,
          contentStart: nameEnd * u.width,
          contentEnd: u.length * u.width,
          elementEnd: u.length * u.width,
        });
      if (name === 'SharedSecret') break;
      i = gt + 1;
      continue;
    }
    if (at(u, gt - 1) === SLASH) {
      i = gt + 1;
      continue;
    }
    if (name === 'Extrinsic' && !SECRET_EXTRINSIC.test(attribute(u, i + 10, gt, 'name') ?? '')) {
      i = gt + 1;
      continue;
    }
    const end = contentEnd(u, gt + 1, name);
    const close = end < u.length ? tagEnd(u, end + 2 + name.length) + 1 : u.length;
    out.push({
      name,
      elementStart: i * u.width,
      contentStart: (gt + 1) * u.width,
      contentEnd: end * u.width,
      elementEnd: Math.min(close, u.length) * u.width,
    });
    i = close;
  }
  return out;
}

/** A copy with every credential's content overwritten by `*` (same length); the input is untouched. */
export function maskCxmlSecrets(buf: Buffer): Buffer {
  const found = secretElements(buf);
  if (found.length === 0) return buf;
  const out = Buffer.from(buf);
  const utf16 = unitsOf(buf).width === 2;
  const le = buf[0] === 0xff;
  for (const e of found) {
    if (!utf16) out.fill(0x2a, e.contentStart, e.contentEnd);
    else for (let o = e.contentStart; o + 1 < e.contentEnd; o += 2) out.writeUInt16LE(le ? 0x2a : 0x2a00, o);
  }
  return out;
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Our own outbound document (UTF-8) as it is sent: each `<SharedSecret>` gets `secret`, or is left
 * out when there is none.
 */
export function fillSharedSecret(buf: Buffer, secret: string | null): Buffer {
  const found = secretElements(buf).filter((e) => e.name === 'SharedSecret');
  if (found.length === 0) return buf;
  const parts: Buffer[] = [];
  let pos = 0;
  for (const e of found) {
    if (secret === null) {
      parts.push(buf.subarray(pos, e.elementStart));
      pos = e.elementEnd;
    } else {
      parts.push(buf.subarray(pos, e.contentStart), Buffer.from(escapeText(secret), 'utf8'));
      pos = e.contentEnd;
    }
  }
  parts.push(buf.subarray(pos));
  return Buffer.concat(parts);
}
