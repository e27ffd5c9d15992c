/**
 * Secure XML reading for cXML. Order of work, all before any tree is built:
 *   1. bytes -> text (UTF-8 unless a BOM or the XML declaration says otherwise; invalid bytes refused);
 *   2. refuse any `<!ENTITY` and any DOCTYPE with an internal subset; read the DOCTYPE's system id;
 *   3. well-formedness (fast-xml-parser's XMLValidator, for line numbers) and references: only the five
 *      predefined entities and character references exist; anything else is refused, never expanded;
 *   4. fast-xml-parser (ordered, no entity processing) -> a small immutable element tree with XPaths.
 * No DTD is ever read or fetched.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CxmlError } from './errors';

export interface CxmlElement {
  readonly name: string;
  /** Attribute values, references decoded and whitespace normalised as XML requires. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Child elements and text (CDATA included) in document order; comments and PIs are dropped. */
  readonly children: readonly (CxmlElement | string)[];
  /** XPath of the element; `[n]` only where the parent has several children of that name. */
  readonly path: string;
}

export interface Doctype {
  name: string;
  systemId?: string;
  publicId?: string;
  line: number;
}

export interface XmlReadOptions {
  /** Refuse larger input (bytes for a Buffer, UTF-16 code units for a string). Default 10 MiB. */
  maxBytes?: number;
}

export interface XmlDocument {
  root: CxmlElement;
  doctype?: Doctype;
}

export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
const MAX_DEPTH = 100;

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function refuse(message: string, line?: number): CxmlError {
  return new CxmlError(400, message, line !== undefined ? { line } : {});
}

// ---------------------------------------------------------------------------------------------- 1. bytes

function declaredEncoding(head: string): string | undefined {
  const decl = /^<\?xml\s[^?]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head);
  return decl?.[1]?.toLowerCase();
}

export function decodeXmlInput(input: Buffer | string, maxBytes = DEFAULT_MAX_BYTES): string {
  if (input.length > maxBytes) throw refuse(`document is larger than ${maxBytes} bytes`);
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else if (
    input.length >= 2 &&
    ((input[0] === 0xff && input[1] === 0xfe) || (input[0] === 0xfe && input[1] === 0xff))
  ) {
    const encoding = input[0] === 0xff ? 'utf-16le' : 'utf-16be';
    try {
      text = new TextDecoder(encoding, { fatal: true }).decode(input.subarray(2));
    } catch {
      throw refuse(`document is not valid ${encoding.toUpperCase()}`);
    }
  } else {
    const hasBom = input.length >= 3 && input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf;
    const bytes = hasBom ? input.subarray(3) : input;
    const encoding = hasBom
      ? 'utf-8'
      : (declaredEncoding(bytes.subarray(0, 200).toString('latin1')) ?? 'utf-8');
    if (encoding === 'utf-8' || encoding === 'utf8' || encoding === 'us-ascii' || encoding === 'ascii') {
      try {
        text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
      } catch {
        throw refuse('document is not valid UTF-8');
      }
    } else if (encoding === 'iso-8859-1' || encoding === 'latin1' || encoding === 'latin-1') {
      text = bytes.toString('latin1');
    } else if (encoding === 'windows-1252' || encoding === 'cp1252') {
      text = new TextDecoder('windows-1252').decode(bytes);
    } else {
      throw refuse(`unsupported character encoding "${encoding}"`);
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // XML end-of-line handling: CRLF and lone CR become LF (line numbers stay the same).
  return text.replace(/\r\n?/g, '\n');
}

// ---------------------------------------------------------------------------------------------- 2. security

const DOCTYPE_RE =
  /^<!DOCTYPE\s+([A-Za-z_:][\w.:-]*)(?:\s+(?:SYSTEM\s+("[^"]*"|'[^']*')|PUBLIC\s+("[^"]*"|'[^']*')\s+("[^"]*"|'[^']*')))?\s*(\[|>)/;

/** Refuses entity declarations and internal subsets; returns the DOCTYPE when there is one. */
export function checkXmlSecurity(xml: string): Doctype | undefined {
  const entity = /<!ENTITY/i.exec(xml);
  if (entity) {
    throw refuse(
      'entity declarations (<!ENTITY) are refused: no entity is ever expanded',
      lineAt(xml, entity.index),
    );
  }
  const first = xml.search(/<!DOCTYPE/i);
  if (first < 0) return undefined;
  const line = lineAt(xml, first);
  if (xml.slice(first + 9).search(/<!DOCTYPE/i) >= 0) throw refuse('more than one DOCTYPE', line);
  // The DOCTYPE must sit in the prolog: only the XML declaration, comments, PIs and whitespace before it.
  const prolog = xml
    .slice(0, first)
    .replace(/<\?[\s\S]*?\?>/g, '')
    .replace(/<!--[\s\S]*?-->/g, '');
  if (prolog.trim() !== '') throw refuse('DOCTYPE is only allowed before the root element', line);
  const match = DOCTYPE_RE.exec(xml.slice(first));
  if (!match) {
    if (/^<!DOCTYPE[^>]*\[/i.test(xml.slice(first))) {
      throw refuse('DOCTYPE with an internal subset is refused: no DTD or entity is ever read', line);
    }
    throw refuse('malformed DOCTYPE (expected <!DOCTYPE cXML SYSTEM "...">)', line);
  }
  if (match[5] === '[') {
    throw refuse('DOCTYPE with an internal subset is refused: no DTD or entity is ever read', line);
  }
  const unquote = (s: string | undefined): string | undefined =>
    s === undefined ? undefined : s.slice(1, -1);
  const doctype: Doctype = { name: match[1] as string, line };
  const systemId = unquote(match[2] ?? match[4]);
  const publicId = unquote(match[3]);
  if (systemId !== undefined) doctype.systemId = systemId;
  if (publicId !== undefined) doctype.publicId = publicId;
  return doctype;
}

// ---------------------------------------------------------------------------------------------- 3. syntax

const PREDEFINED: ReadonlyMap<string, string> = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
]);

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/**
 * Checks every `&...;` outside comments, CDATA and PIs: only the predefined entities and valid character
 * references. Also refuses characters XML forbids (control characters).
 */
function checkReferences(xml: string): void {
  // eslint-disable-next-line no-control-regex
  const badChar = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.exec(xml);
  if (badChar) {
    const code = (badChar[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
    throw refuse(`character U+${code} is not allowed in XML`, lineAt(xml, badChar.index));
  }
  let i = 0;
  while (i < xml.length) {
    const c = xml.charCodeAt(i);
    if (c === 60 /* < */) {
      if (xml.startsWith('<!--', i)) {
        const end = xml.indexOf('-->', i + 4);
        i = end < 0 ? xml.length : end + 3;
        continue;
      }
      if (xml.startsWith('<![CDATA[', i)) {
        const end = xml.indexOf(']]>', i + 9);
        i = end < 0 ? xml.length : end + 3;
        continue;
      }
      if (xml.startsWith('<!DOCTYPE', i)) {
        const end = xml.indexOf('>', i);
        i = end < 0 ? xml.length : end + 1;
        continue;
      }
      if (xml.startsWith('<?', i)) {
        const end = xml.indexOf('?>', i + 2);
        i = end < 0 ? xml.length : end + 2;
        continue;
      }
    } else if (c === 38 /* & */) {
      const ref = /^&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z_:][\w.:-]*);/.exec(xml.slice(i, i + 40));
      if (!ref)
        throw refuse('"&" must start a reference (write &amp; for a literal ampersand)', lineAt(xml, i));
      const body = ref[1] as string;
      if (body.startsWith('#')) {
        const cp = body.startsWith('#x') ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
        if (!isXmlChar(cp))
          throw refuse(`character reference &${body}; is not an XML character`, lineAt(xml, i));
      } else if (!PREDEFINED.has(body)) {
        throw refuse(`undefined entity &${body}; (entities are never expanded)`, lineAt(xml, i));
      }
      i += ref[0].length;
      continue;
    }
    i++;
  }
}

function checkWellFormed(xml: string): void {
  if (xml.trim() === '') throw refuse('empty document');
  const result = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  if (result === true) return;
  const { code, msg, line } = result.err;
  if (code === 'InvalidXml' && /^Invalid '\[/.test(msg)) {
    // The validator reports unclosed tags this way; say it plainly, at the end of the input.
    const open = msg
      .replace(/^Invalid '\[|\]' found\.$/g, '')
      .split(',')
      .map((t) => t.trim().replace(/^"|"$/g, ''))
      .filter((t) => t !== '');
    const last = open[open.length - 1];
    throw refuse(
      `malformed XML: document ends before <${last ?? '?'}> is closed (truncated?)`,
      lineAt(xml, xml.length),
    );
  }
  throw refuse(`malformed XML: ${msg}`, line);
}

// ---------------------------------------------------------------------------------------------- 4. tree

function decodeReferences(raw: string): string {
  return raw.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z]+);/g, (whole, body: string) => {
    if (body.startsWith('#x')) return String.fromCodePoint(parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(parseInt(body.slice(1), 10));
    return PREDEFINED.get(body) ?? whole;
  });
}

function decodeAttribute(raw: string): string {
  return decodeReferences(raw.replace(/[\t\n]/g, ' '));
}

type Ordered = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: false,
  htmlEntities: false,
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  cdataPropName: '#cdata',
  commentPropName: '#comment',
  ignoreDeclaration: true,
  ignorePiTags: true,
  allowBooleanAttributes: false,
  maxNestedTags: MAX_DEPTH,
});

function elementName(item: Ordered): string | undefined {
  return Object.keys(item).find((k) => k !== ':@' && k !== '#text' && k !== '#cdata' && k !== '#comment');
}

function cdataText(value: unknown): string {
  if (!Array.isArray(value)) return '';
  return value.map((part: Ordered) => (typeof part['#text'] === 'string' ? part['#text'] : '')).join('');
}

function buildElement(item: Ordered, name: string, path: string): CxmlElement {
  const rawAttrs = (item[':@'] ?? {}) as Record<string, string>;
  const attributes: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(rawAttrs)) attributes[k] = decodeAttribute(String(v));
  const rawChildren = (item[name] ?? []) as Ordered[];
  const counts = new Map<string, number>();
  for (const child of rawChildren) {
    const childName = elementName(child);
    if (childName !== undefined) counts.set(childName, (counts.get(childName) ?? 0) + 1);
  }
  const seen = new Map<string, number>();
  const children: (CxmlElement | string)[] = [];
  for (const child of rawChildren) {
    if (typeof child['#text'] === 'string') {
      children.push(decodeReferences(child['#text']));
    } else if (child['#cdata'] !== undefined) {
      children.push(cdataText(child['#cdata']));
    } else {
      const childName = elementName(child);
      if (childName === undefined) continue;
      const n = (seen.get(childName) ?? 0) + 1;
      seen.set(childName, n);
      const index = (counts.get(childName) ?? 0) > 1 ? `[${n}]` : '';
      children.push(buildElement(child, childName, `${path}/${childName}${index}`));
    }
  }
  return Object.freeze({
    name,
    attributes: Object.freeze(attributes),
    children: Object.freeze(children),
    path,
  });
}

/** Reads text or bytes into an element tree, refusing everything unsafe or malformed (CxmlError 400). */
export function readXml(input: Buffer | string, options: XmlReadOptions = {}): XmlDocument {
  const xml = decodeXmlInput(input, options.maxBytes ?? DEFAULT_MAX_BYTES);
  const doctype = checkXmlSecurity(xml);
  checkWellFormed(xml);
  checkReferences(xml);
  let ordered: Ordered[];
  try {
    ordered = parser.parse(xml) as Ordered[];
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/nested tags/i.test(message)) throw refuse(`elements nested deeper than ${MAX_DEPTH} levels`);
    throw refuse(`malformed XML: ${message}`);
  }
  const roots = ordered.filter((item) => elementName(item) !== undefined);
  if (roots.length !== 1) throw refuse(`a document has exactly one root element (found ${roots.length})`);
  const rootItem = roots[0] as Ordered;
  const rootName = elementName(rootItem) as string;
  const root = buildElement(rootItem, rootName, `/${rootName}`);
  return doctype !== undefined ? { root, doctype } : { root };
}

// ---------------------------------------------------------------------------------------------- helpers

export function childElements(el: CxmlElement, name?: string): CxmlElement[] {
  return el.children.filter(
    (c): c is CxmlElement => typeof c !== 'string' && (name === undefined || c.name === name),
  );
}

/** Text directly inside the element (not in child elements). */
export function ownText(el: CxmlElement): string {
  return el.children.filter((c): c is string => typeof c === 'string').join('');
}

/** All text inside the element, in document order. */
export function deepText(el: CxmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? c : deepText(c))).join('');
}
