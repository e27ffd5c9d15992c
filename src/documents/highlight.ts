/**
 * Simple syntax highlighting of a stored document for its console page, done on the server: the
 * text is cut into tokens with a class each (XML markup, X12 segment ids and separators, JSON keys
 * and values, form fields, masked credentials); the page renders each token as a text node, so
 * every byte is escaped by the renderer and nothing of the document is ever markup.
 */

export type TokenKind =
  'tag' | 'attr' | 'value' | 'comment' | 'seg' | 'sep' | 'key' | 'str' | 'num' | 'mask' | 'text';
export interface Token {
  k: TokenKind;
  t: string;
}

/** Bytes shown on the page at most; the download has them all. */
export const SHOWN_BYTES = 256 * 1024;

/** Splits plain text around runs of masked bytes (`****`) so they stand out. */
function withMasks(t: string, k: TokenKind, out: Token[]): void {
  const re = /\*{4,}/g;
  let last = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    if (m.index > last) out.push({ k, t: t.slice(last, m.index) });
    out.push({ k: 'mask', t: m[0] });
    last = m.index + m[0].length;
  }
  if (last < t.length) out.push({ k, t: t.slice(last) });
}

function xmlTokens(s: string): Token[] {
  const out: Token[] = [];
  // A comment, a CDATA section (text), or a tag whose quoted values may hold ">".
  const re = /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<(?:"[^"]*"|'[^']*'|[^'">])*>?/g;
  let last = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (m.index > last) withMasks(s.slice(last, m.index), 'text', out);
    const tag = m[0];
    if (tag.startsWith('<!--')) out.push({ k: 'comment', t: tag });
    else if (tag.startsWith('<![CDATA[')) withMasks(tag, 'text', out);
    else {
      const parts = /^(<[/?!]?[^\s>/]*)([\s\S]*)$/.exec(tag) ?? ['', tag, ''];
      out.push({ k: 'tag', t: parts[1] ?? '' });
      const attrs = /("[^"]*"?|'[^']*'?)|([^\s="'>/?]+)|([\s\S])/g;
      for (let a = attrs.exec(parts[2] ?? ''); a; a = attrs.exec(parts[2] ?? '')) {
        if (a[1]) out.push({ k: 'value', t: a[1] });
        else if (a[2]) out.push({ k: 'attr', t: a[2] });
        else out.push({ k: 'tag', t: a[3] ?? '' });
      }
    }
    last = m.index + tag.length;
  }
  if (last < s.length) withMasks(s.slice(last), 'text', out);
  return out;
}

/** X12: the element separator is ISA's 4th byte, the segment terminator its 106th. */
function x12Tokens(s: string): Token[] {
  const el = s.startsWith('ISA') && s.length > 3 ? s[3]! : '*';
  const seg = s.length > 105 ? s[105]! : '~';
  const out: Token[] = [];
  let atStart = true;
  let buf = '';
  const flush = (k: TokenKind) => {
    if (buf) withMasks(buf, k, out);
    buf = '';
  };
  for (const c of s) {
    if (c === el || c === seg) {
      flush(atStart ? 'seg' : 'text');
      out.push({ k: 'sep', t: c });
      atStart = c === seg;
    } else if (atStart && (c === '\r' || c === '\n')) {
      out.push({ k: 'text', t: c });
    } else buf += c;
  }
  flush(atStart ? 'seg' : 'text');
  return out;
}

function jsonTokens(s: string): Token[] {
  const out: Token[] = [];
  const re = /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/g;
  let last = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (m.index > last) out.push({ k: 'text', t: s.slice(last, m.index) });
    if (m[1]) {
      withMasks(m[1], m[2] ? 'key' : 'str', out);
      if (m[2]) out.push({ k: 'text', t: m[2] });
    } else out.push({ k: 'num', t: m[3] ?? '' });
    last = m.index + m[0].length;
  }
  if (last < s.length) out.push({ k: 'text', t: s.slice(last) });
  return out;
}

function formTokens(s: string): Token[] {
  const out: Token[] = [];
  s.split('&').forEach((pair, i) => {
    if (i > 0) out.push({ k: 'sep', t: '&' });
    const eq = pair.indexOf('=');
    if (eq < 0) return withMasks(pair, 'key', out);
    out.push({ k: 'key', t: pair.slice(0, eq) }, { k: 'sep', t: '=' });
    withMasks(pair.slice(eq + 1), 'str', out);
  });
  return out;
}

/** The tokens of a document's first SHOWN_BYTES bytes, by its protocol and content type. */
export function highlight(protocol: string, contentType: string, bytes: Buffer): Token[] {
  const s = bytes.subarray(0, SHOWN_BYTES).toString('utf8');
  const type = contentType.toLowerCase();
  if (type.includes('x-www-form-urlencoded')) return formTokens(s);
  if (type.includes('json') || protocol === 'json') return jsonTokens(s);
  if (protocol === 'x12' || type.includes('x12') || type.includes('edi')) return x12Tokens(s);
  if (type.includes('xml') || s.trimStart().startsWith('<')) return xmlTokens(s);
  const out: Token[] = [];
  withMasks(s, 'text', out);
  return out;
}
