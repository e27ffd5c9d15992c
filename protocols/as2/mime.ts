/**
 * The MIME that AS2 needs (RFC 2045/2046, 1767, 3023, 5751, 3462/6522): entities with header
 * sections ending in CRLF CRLF or LF LF, multipart bodies (multipart/signed, multipart/report) whose
 * parts keep their exact received bytes (a detached signature and the MIC cover them), and the
 * binary, base64, quoted-printable, 7bit and 8bit transfer encodings. Every pass is linear in the
 * input; header bytes, header count, part count and size are bounded by MimeLimits.
 */
import { As2Error } from './errors';

export interface MimeLimits {
  /** Largest entity accepted, bytes. */
  maxBytes: number;
  /** Largest header section of one entity, bytes. */
  maxHeaderBytes: number;
  /** Most header fields in one entity. */
  maxHeaders: number;
  /** Most body parts in one multipart. */
  maxParts: number;
}

export const DEFAULT_MIME_LIMITS: MimeLimits = {
  maxBytes: 64 * 1024 * 1024,
  maxHeaderBytes: 64 * 1024,
  maxHeaders: 200,
  maxParts: 16,
};

export interface Header {
  /** As received (case kept); compare case-insensitively. */
  name: string;
  /** Unfolded, surrounding whitespace trimmed. */
  value: string;
}

export interface ContentType {
  /** Lower case `type/subtype`. */
  mediaType: string;
  /** Parameter names lower case; values unquoted. */
  params: Record<string, string>;
}

export interface MimeEntity {
  headers: Header[];
  /** The whole entity exactly as received: header section, blank line and body. */
  raw: Buffer;
  /** The body, still transfer-encoded. */
  body: Buffer;
  contentType: ContentType;
  /** Lower case, `7bit` when absent. */
  transferEncoding: string;
}

const CR = 13;
const LF = 10;

function malformed(detail: string): never {
  throw new As2Error('unexpected-processing-error', 'malformed', detail);
}

function limit(detail: string): never {
  throw new As2Error('unexpected-processing-error', 'limit', detail);
}

export function headerValue(headers: readonly Header[], name: string): string | undefined {
  const n = name.toLowerCase();
  for (const h of headers) if (h.name.toLowerCase() === n) return h.value;
  return undefined;
}

/** Header list from an HTTP-style record or pairs (multi-valued entries joined with ", "). */
export function toHeaders(
  input: Iterable<readonly [string, string]> | Record<string, string | string[] | undefined>,
): Header[] {
  const out: Header[] = [];
  const entries: Iterable<readonly [string, string | string[] | undefined]> =
    Symbol.iterator in Object(input) ? (input as Iterable<readonly [string, string]>) : Object.entries(input);
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    out.push({ name, value: (Array.isArray(value) ? value.join(', ') : String(value)).trim() });
  }
  return out;
}

/** Splits `value; a=b; c="d e"` into the leading value and lower-cased parameters. */
export function parseHeaderParams(value: string): { value: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  let i = value.indexOf(';');
  const head = (i < 0 ? value : value.slice(0, i)).trim();
  while (i >= 0 && i < value.length) {
    i++; // past ';'
    while (i < value.length && (value[i] === ' ' || value[i] === '\t')) i++;
    const eq = value.indexOf('=', i);
    const semi = value.indexOf(';', i);
    if (eq < 0 || (semi >= 0 && semi < eq)) {
      i = semi;
      continue;
    }
    const name = value.slice(i, eq).trim().toLowerCase();
    let j = eq + 1;
    while (j < value.length && (value[j] === ' ' || value[j] === '\t')) j++;
    let v = '';
    if (value[j] === '"') {
      j++;
      while (j < value.length && value[j] !== '"') {
        if (value[j] === '\\' && j + 1 < value.length) j++;
        v += value[j];
        j++;
      }
      j++; // closing quote
      const next = value.indexOf(';', j);
      i = next;
    } else {
      const next = value.indexOf(';', j);
      v = (next < 0 ? value.slice(j) : value.slice(j, next)).trim();
      i = next;
    }
    if (name && !(name in params)) params[name] = v;
  }
  return { value: head, params };
}

export function parseContentType(value: string | undefined): ContentType {
  if (value === undefined || value.trim() === '') return { mediaType: 'text/plain', params: {} };
  const p = parseHeaderParams(value);
  return { mediaType: p.value.toLowerCase(), params: p.params };
}

const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** `name=value` with the value quoted when it is not a token (RFC 2045 5.1). */
export function formatParam(name: string, value: string): string {
  return TOKEN_RE.test(value) ? `${name}=${value}` : `${name}="${value.replace(/(["\\])/g, '\\$1')}"`;
}

/** Position just past the line ending that starts at `i` (CRLF or LF), or -1. */
function lineEndLength(b: Buffer, i: number): number {
  if (b[i] === LF) return 1;
  if (b[i] === CR && b[i + 1] === LF) return 2;
  return 0;
}

/** Parses a MIME entity (header section, blank line, body). */
export function parseEntity(bytes: Buffer, limits: MimeLimits = DEFAULT_MIME_LIMITS): MimeEntity {
  if (bytes.length > limits.maxBytes)
    limit(`entity of ${bytes.length} bytes is over the limit of ${limits.maxBytes}`);
  const headers: Header[] = [];
  let pos = 0;
  let bodyStart = -1;
  let current: Header | undefined;
  // The header section is searched only within its limit, so a huge body without a blank line
  // costs no more than the limit.
  const window = bytes.subarray(0, Math.min(bytes.length, limits.maxHeaderBytes + 2));
  while (pos < bytes.length) {
    if (pos > limits.maxHeaderBytes) limit(`header section over ${limits.maxHeaderBytes} bytes`);
    const blank = lineEndLength(bytes, pos);
    if (blank > 0) {
      bodyStart = pos + blank;
      break;
    }
    let end = window.indexOf(LF, pos);
    if (end < 0) {
      if (bytes.length > window.length) limit(`header section over ${limits.maxHeaderBytes} bytes`);
      end = bytes.length;
    }
    const lineEnd = end > pos && bytes[end - 1] === CR ? end - 1 : end;
    const line = bytes.toString('latin1', pos, lineEnd);
    if (line[0] === ' ' || line[0] === '\t') {
      if (!current) malformed('a header section starts with a continuation line');
      current.value += ` ${line.trim()}`;
    } else {
      const colon = line.indexOf(':');
      if (colon <= 0 || !TOKEN_RE.test(line.slice(0, colon).trimEnd()))
        malformed(`not a header field: "${line.slice(0, 60)}"`);
      if (headers.length >= limits.maxHeaders) limit(`more than ${limits.maxHeaders} header fields`);
      current = { name: line.slice(0, colon).trimEnd(), value: line.slice(colon + 1).trim() };
      headers.push(current);
    }
    pos = end + 1;
  }
  if (bodyStart < 0) bodyStart = bytes.length; // headers only, no body
  for (const h of headers) h.value = h.value.trim();
  return {
    headers,
    raw: bytes,
    body: bytes.subarray(bodyStart),
    contentType: parseContentType(headerValue(headers, 'content-type')),
    transferEncoding: (headerValue(headers, 'content-transfer-encoding') ?? '7bit').toLowerCase(),
  };
}

/**
 * An entity whose headers arrived outside the body (the HTTP request or response of AS2). `raw` is
 * the headers written as a MIME header section followed by the body.
 */
export function entityFromParts(headers: Header[], body: Buffer): MimeEntity {
  const headerText = headers.map((h) => `${h.name}: ${h.value}\r\n`).join('') + '\r\n';
  return {
    headers,
    raw: Buffer.concat([Buffer.from(headerText, 'latin1'), body]),
    body,
    contentType: parseContentType(headerValue(headers, 'content-type')),
    transferEncoding: (headerValue(headers, 'content-transfer-encoding') ?? 'binary').toLowerCase(),
  };
}

/**
 * The body parts of a multipart entity. Each part's `raw` is exactly the bytes between the line
 * ending that ends one delimiter line and the line ending (CRLF or LF) that precedes the next
 * delimiter, as RFC 2046 5.1.1 assigns them; preamble and epilogue are dropped.
 */
export function parseMultipart(entity: MimeEntity, limits: MimeLimits = DEFAULT_MIME_LIMITS): MimeEntity[] {
  const boundary = entity.contentType.params.boundary;
  if (!boundary) malformed(`${entity.contentType.mediaType} without a boundary parameter`);
  if (boundary.length > 200) malformed('boundary longer than 200 characters');
  const body = entity.body;
  const dash = Buffer.from(`--${boundary}`, 'latin1');
  // Delimiter lines: "--boundary" at the start of a line, then "--" (close) or whitespace to the line end.
  const delimiters: { start: number; contentStart: number; close: boolean }[] = [];
  let from = 0;
  for (;;) {
    const at = body.indexOf(dash, from);
    if (at < 0) break;
    from = at + 1;
    if (at > 0 && body[at - 1] !== LF) continue;
    let p = at + dash.length;
    let close = false;
    if (body[p] === 45 && body[p + 1] === 45) {
      close = true;
      p += 2;
    }
    while (body[p] === 32 || body[p] === 9) p++;
    const le = lineEndLength(body, p);
    if (le === 0 && p < body.length) continue; // "--boundaryX": not a delimiter
    const start = at > 0 ? at - (at >= 2 && body[at - 2] === CR ? 2 : 1) : 0;
    delimiters.push({ start, contentStart: p + le, close });
    if (close) break;
    if (delimiters.length > limits.maxParts) limit(`more than ${limits.maxParts} body parts`);
    from = p + le;
  }
  if (delimiters.length < 2)
    malformed(`${entity.contentType.mediaType}: no complete body part (boundary not found)`);
  const parts: MimeEntity[] = [];
  for (let k = 0; k + 1 < delimiters.length; k++) {
    const bytes = body.subarray(
      delimiters[k]!.contentStart,
      Math.max(delimiters[k]!.contentStart, delimiters[k + 1]!.start),
    );
    parts.push(parseEntity(bytes, limits));
  }
  return parts;
}

const B64 = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=') B64[c.charCodeAt(0)] = 1;
for (const c of ' \t\r\n') B64[c.charCodeAt(0)] = 2;

/** The entity's body with its Content-Transfer-Encoding undone. */
export function decodeBody(entity: MimeEntity): Buffer {
  switch (entity.transferEncoding) {
    case '7bit':
    case '8bit':
    case 'binary':
      return entity.body;
    case 'base64':
      return decodeBase64(entity.body);
    case 'quoted-printable':
      return decodeQuotedPrintable(entity.body);
    default:
      throw new As2Error(
        'unexpected-processing-error',
        'unsupported-algorithm',
        `Content-Transfer-Encoding ${entity.transferEncoding}`,
      );
  }
}

export function decodeBase64(b: Buffer): Buffer {
  for (let i = 0; i < b.length; i++) {
    if (B64[b[i]!] === 0) malformed(`base64 body has an invalid byte 0x${b[i]!.toString(16)} at offset ${i}`);
  }
  return Buffer.from(b.toString('latin1'), 'base64');
}

const HEX = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;

/** RFC 2045 6.7: `=XX` octets, `=` soft line breaks; trailing blanks on a line dropped. */
export function decodeQuotedPrintable(b: Buffer): Buffer {
  const out = Buffer.alloc(b.length);
  let o = 0;
  let lineStart = 0; // output position where the current line's trailing blanks may start
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 61 /* = */) {
      const le = lineEndLength(b, i + 1);
      if (le > 0) {
        i += le;
        lineStart = o;
        continue;
      }
      const h = HEX(b[i + 1] ?? -1);
      const l = HEX(b[i + 2] ?? -1);
      if (h >= 0 && l >= 0) {
        out[o++] = h * 16 + l;
        i += 2;
        lineStart = o;
        continue;
      }
      out[o++] = c;
      lineStart = o;
      continue;
    }
    if (c === CR || c === LF) {
      // drop trailing whitespace of the line just ended
      while (o > lineStart && (out[o - 1] === 32 || out[o - 1] === 9)) o--;
      out[o++] = c;
      lineStart = o;
      continue;
    }
    out[o++] = c;
    if (c !== 32 && c !== 9) lineStart = o;
  }
  return out.subarray(0, o);
}

/** Quoted-printable encoding with CRLF line breaks kept as hard breaks (RFC 2045 6.7). */
export function encodeQuotedPrintable(b: Buffer): Buffer {
  let out = '';
  let line = 0;
  const push = (s: string): void => {
    if (line + s.length > 75) {
      out += '=\r\n';
      line = 0;
    }
    out += s;
    line += s.length;
  };
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === CR && b[i + 1] === LF) {
      out += '\r\n';
      line = 0;
      i++;
      continue;
    }
    const nextIsBreak = b[i + 1] === CR || b[i + 1] === undefined;
    if ((c >= 33 && c <= 126 && c !== 61) || ((c === 32 || c === 9) && !nextIsBreak))
      push(String.fromCharCode(c));
    else push(`=${c.toString(16).toUpperCase().padStart(2, '0')}`);
  }
  return Buffer.from(out, 'latin1');
}

/** Base64 in lines of 76 characters, CRLF-terminated (RFC 2045 6.8). */
export function encodeBase64Lines(b: Uint8Array): Buffer {
  const s = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < s.length; i += 76) lines.push(s.slice(i, i + 76));
  return Buffer.from(lines.join('\r\n') + (lines.length ? '\r\n' : ''), 'latin1');
}

/** Bare LF turned into CRLF (MIME canonical form); the same buffer when it has none. */
export function canonicalize(b: Buffer): Buffer {
  let i = b.indexOf(LF);
  let bare = 0;
  for (; i >= 0; i = b.indexOf(LF, i + 1)) if (i === 0 || b[i - 1] !== CR) bare++;
  if (bare === 0) return b;
  const out = Buffer.alloc(b.length + bare);
  let o = 0;
  let last = 0;
  for (i = b.indexOf(LF); i >= 0; i = b.indexOf(LF, i + 1)) {
    if (i > 0 && b[i - 1] === CR) continue;
    o += b.copy(out, o, last, i);
    out[o++] = CR;
    out[o++] = LF;
    last = i + 1;
  }
  b.copy(out, o, last);
  return out;
}

/** Writes a MIME entity: header fields with CRLF, a blank line, the body. */
export function buildEntity(headers: readonly (readonly [string, string])[], body: Uint8Array): Buffer {
  const head = headers.map(([n, v]) => `${n}: ${v}\r\n`).join('') + '\r\n';
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** Writes a multipart body (no header section) from complete part entities. */
export function buildMultipartBody(boundary: string, parts: readonly Uint8Array[]): Buffer {
  const chunks: Uint8Array[] = [];
  for (const p of parts)
    chunks.push(Buffer.from(`--${boundary}\r\n`, 'latin1'), p, Buffer.from('\r\n', 'latin1'));
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return Buffer.concat(chunks);
}
