/**
 * Secure XML reading for cXML. Order of work:
 *   1. bytes -> text (UTF-8 unless a BOM or the XML declaration says otherwise; invalid bytes refused);
 *   2. refuse any `<!ENTITY` and any DOCTYPE with an internal subset; read the DOCTYPE's system id;
 *      refuse characters XML forbids;
 *   3. one pass of a small non-validating reader that checks well-formedness (tags, attributes,
 *      references: only the five predefined entities and character references exist; anything else is
 *      refused, never expanded) and builds an element tree with XPaths; errors name the line. The
 *      tree is read-only by its types, not frozen (freezing cost a quarter of the reading time).
 * No DTD is ever read or fetched.
 *
 * Every step is linear in the size of the input: no regular expression that can backtrack and no
 * rescan (the prolog is walked once with indexOf from where the last markup ended). Limits hold while
 * reading (so before any authentication): elements, attributes per element, name length, length of one
 * text or attribute value, nesting depth (XmlLimits). A document over a limit is refused (400) with a
 * message that names the limit and its setting.
 */
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

/**
 * What one document may hold. Each limit is named in the refusal by the setting that changes it
 * (platform/config.ts), so an operator can tell which one a partner hit.
 */
export interface XmlLimits {
  /** Elements in the whole document (XML_MAX_ELEMENTS). */
  maxElements: number;
  /** Attributes of one element (XML_MAX_ATTRIBUTES). */
  maxAttributes: number;
  /** Characters of an element or attribute name (XML_MAX_NAME_LENGTH). */
  maxNameLength: number;
  /** Characters of one text node, CDATA section or attribute value (XML_MAX_TEXT_LENGTH). */
  maxTextLength: number;
  /** Nesting depth, the root counting as 1 (XML_MAX_DEPTH). */
  maxDepth: number;
}

export const DEFAULT_XML_LIMITS: Readonly<XmlLimits> = {
  maxElements: 100_000,
  maxAttributes: 64,
  maxNameLength: 256,
  maxTextLength: 1024 * 1024,
  maxDepth: 100,
};

export interface XmlReadOptions {
  /** Refuse larger input (bytes for a Buffer, UTF-16 code units for a string). Default 10 MiB. */
  maxBytes?: number;
  /** Limits of the document's structure; each one not given is its DEFAULT_XML_LIMITS value. */
  limits?: Partial<XmlLimits>;
}

export interface XmlDocument {
  root: CxmlElement;
  doctype?: Doctype;
}

export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

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
      throw refuse(
        `document is not valid ${encoding.toUpperCase()}: the code unit at offset ${2 + invalidUtf16At(input.subarray(2), encoding === 'utf-16le')} is a lone surrogate or cut short`,
      );
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
        const at = invalidUtf8At(bytes);
        const line = bytes.subarray(0, Math.max(at, 0)).filter((c) => c === 0x0a).length + 1;
        throw refuse(
          `document is not valid UTF-8: the bytes at offset ${at + (hasBom ? 3 : 0)} (line ${line}) are not a UTF-8 character`,
        );
      }
    } else if (encoding === 'iso-8859-1' || encoding === 'latin1' || encoding === 'latin-1') {
      text = bytes.toString('latin1');
    } else if (encoding === 'windows-1252' || encoding === 'cp1252') {
      text = new TextDecoder('windows-1252').decode(bytes);
    } else {
      throw refuse(
        `unsupported character encoding "${encoding}" (the encoding of the XML declaration, at line 1)`,
      );
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // XML end-of-line handling: CRLF and lone CR become LF (line numbers stay the same).
  return text.replace(/\r\n?/g, '\n');
}

// ---------------------------------------------------------------------------------------------- 2. security

const DOCTYPE_WORD = 'doctype';

/** Offset of the first `<!DOCTYPE` (any case) at or after `from`, or -1: one indexOf pass over "<!". */
function findDoctype(xml: string, from: number): number {
  let i = xml.indexOf('<!', from);
  while (i >= 0) {
    let k = 0;
    while (k < 7 && (xml.charCodeAt(i + 2 + k) | 0x20) === DOCTYPE_WORD.charCodeAt(k)) k++;
    if (k === 7) return i;
    i = xml.indexOf('<!', i + 2);
  }
  return -1;
}

/**
 * Whether only white space, comments and processing instructions come before `end`: one forward
 * walk, each piece of markup ended by one indexOf from where it starts (a `<?` or `<!--` that is not
 * closed before `end` ends the walk: nothing is searched twice).
 */
function onlyMiscBefore(xml: string, end: number): boolean {
  let i = 0;
  while (i < end) {
    const c = xml.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9 || c === 13) {
      i++;
      continue;
    }
    if (c !== 60) return false;
    let close: number;
    if (xml.startsWith('<?', i)) {
      close = xml.indexOf('?>', i + 2);
      if (close < 0 || close + 2 > end) return false;
      i = close + 2;
    } else if (xml.startsWith('<!--', i)) {
      close = xml.indexOf('-->', i + 4);
      if (close < 0 || close + 3 > end) return false;
      i = close + 3;
    } else return false;
  }
  return true;
}

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58 || c >= 0xc0;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 0xb7;
}

/**
 * Reads `<!DOCTYPE name [SYSTEM "id" | PUBLIC "id" "id"] >` at `at` with a cursor (no regular
 * expression): each character is looked at once. Returns the parts, or where and why it is not one.
 */
function readDoctype(
  xml: string,
  at: number,
): { name: string; systemId?: string; publicId?: string; subset: boolean } | undefined {
  if (!xml.startsWith('<!DOCTYPE', at)) return undefined;
  let i = at + 9;
  const space = (): boolean => {
    const start = i;
    for (;;) {
      const c = xml.charCodeAt(i);
      if (c === 32 || c === 10 || c === 9 || c === 13) i++;
      else return i > start;
    }
  };
  const quoted = (): string | undefined => {
    const q = xml.charCodeAt(i);
    if (q !== 34 && q !== 39) return undefined;
    const close = xml.indexOf(q === 34 ? '"' : "'", i + 1);
    if (close < 0) return undefined;
    const v = xml.slice(i + 1, close);
    i = close + 1;
    return v;
  };
  if (!space()) return undefined;
  const nameStart = i;
  if (!isNameStart(xml.charCodeAt(i))) return undefined;
  while (i < xml.length && isNameChar(xml.charCodeAt(i))) i++;
  const name = xml.slice(nameStart, i);
  const out: { name: string; systemId?: string; publicId?: string; subset: boolean } = {
    name,
    subset: false,
  };
  const spaced = space();
  if (spaced && xml.startsWith('SYSTEM', i)) {
    i += 6;
    if (!space()) return undefined;
    const id = quoted();
    if (id === undefined) return undefined;
    out.systemId = id;
    space();
  } else if (spaced && xml.startsWith('PUBLIC', i)) {
    i += 6;
    if (!space()) return undefined;
    const pub = quoted();
    if (pub === undefined || !space()) return undefined;
    const sys = quoted();
    if (sys === undefined) return undefined;
    out.publicId = pub;
    out.systemId = sys;
    space();
  }
  const c = xml.charCodeAt(i);
  if (c === 91 /* [ */) out.subset = true;
  else if (c !== 62 /* > */) return undefined;
  return out;
}

/** Refuses entity declarations and internal subsets; returns the DOCTYPE when there is one. */
export function checkXmlSecurity(xml: string): Doctype | undefined {
  const entity = /<!ENTITY/i.exec(xml);
  if (entity) {
    throw refuse(
      'entity declarations (<!ENTITY) are refused: no entity is ever expanded',
      lineAt(xml, entity.index),
    );
  }
  const first = findDoctype(xml, 0);
  if (first < 0) return undefined;
  const line = lineAt(xml, first);
  if (findDoctype(xml, first + 9) >= 0) throw refuse('more than one DOCTYPE', line);
  // The DOCTYPE must sit in the prolog: only the XML declaration, comments, PIs and whitespace before it.
  if (!onlyMiscBefore(xml, first)) throw refuse('DOCTYPE is only allowed before the root element', line);
  const read = readDoctype(xml, first);
  if (!read) {
    // A "[" before the first ">" is an internal subset however the rest is written.
    const gt = xml.indexOf('>', first);
    const bracket = xml.indexOf('[', first);
    if (bracket >= 0 && (gt < 0 || bracket < gt)) {
      throw refuse('DOCTYPE with an internal subset is refused: no DTD or entity is ever read', line);
    }
    throw refuse('malformed DOCTYPE (expected <!DOCTYPE cXML SYSTEM "...">)', line);
  }
  if (read.subset) {
    throw refuse('DOCTYPE with an internal subset is refused: no DTD or entity is ever read', line);
  }
  const doctype: Doctype = { name: read.name, line };
  if (read.systemId !== undefined) doctype.systemId = read.systemId;
  if (read.publicId !== undefined) doctype.publicId = read.publicId;
  return doctype;
}

// ---------------------------------------------------------------------------------------------- 3. reader

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

function checkCharacters(xml: string): void {
  // eslint-disable-next-line no-control-regex
  const badChar = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.exec(xml);
  if (badChar) {
    const code = (badChar[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
    throw refuse(`character U+${code} is not allowed in XML`, lineAt(xml, badChar.index));
  }
}

/** Names as XML 1.0 allows them (ASCII letters, digits and punctuation, and any non-ASCII letter). */
const NAME = /[A-Za-z_:\u00C0-\uFFFF][\w.:\u00B7\u00C0-\uFFFF-]*/y;
const REFERENCE = /&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z_:][\w.:-]*);/y;
/** Names that would be dangerous as keys of plain objects downstream. */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

const NO_ATTRIBUTES: Record<string, string> = Object.freeze(Object.create(null) as Record<string, string>);
const NO_CHILDREN: readonly (CxmlElement | string)[] = Object.freeze([]);

function normaliseAttributeText(t: string): string {
  return t.indexOf('\t') >= 0 || t.indexOf('\n') >= 0 ? t.replace(/[\t\n]/g, ' ') : t;
}

interface Building {
  name: string;
  attributes: Record<string, string>;
  children: (Building | string)[];
  /** Where the start tag begins, for "not closed" errors. */
  start: number;
}

class Reader {
  private pos = 0;
  private elements = 0;

  constructor(
    private readonly xml: string,
    private readonly limits: XmlLimits,
  ) {}

  private fail(message: string, at = this.pos): never {
    throw refuse(message, lineAt(this.xml, at));
  }

  private overLimit(what: string, setting: string, limit: number, at = this.pos): never {
    this.fail(`${what} (the limit is ${limit}, setting ${setting})`, at);
  }

  private checkText(length: number, at: number): void {
    if (length > this.limits.maxTextLength) {
      this.overLimit(
        `a text or attribute value of more than ${this.limits.maxTextLength} characters`,
        'XML_MAX_TEXT_LENGTH',
        this.limits.maxTextLength,
        at,
      );
    }
  }

  private name(what: string): string {
    NAME.lastIndex = this.pos;
    const m = NAME.exec(this.xml);
    if (!m) this.fail(`malformed XML: expected ${what} at "${this.xml.slice(this.pos, this.pos + 10)}"`);
    const name = m[0];
    if (name.length > this.limits.maxNameLength) {
      this.overLimit(
        `a name of more than ${this.limits.maxNameLength} characters`,
        'XML_MAX_NAME_LENGTH',
        this.limits.maxNameLength,
      );
    }
    if (RESERVED_NAMES.has(name)) this.fail(`malformed XML: "${name}" is not allowed as a name`);
    this.pos += name.length;
    return name;
  }

  private skipSpace(): boolean {
    const start = this.pos;
    const xml = this.xml;
    for (;;) {
      const c = xml.charCodeAt(this.pos);
      if (c === 32 || c === 10 || c === 9 || c === 13) this.pos++;
      else return this.pos > start;
    }
  }

  /** Text with references decoded and checked; stops at `<` (or `quote` for attribute values). */
  private text(end: number, stop: number): string {
    const xml = this.xml;
    // Attribute-value normalisation: literal tabs and line ends become spaces (references stay).
    const literal = stop === 60 ? (t: string) => t : normaliseAttributeText;
    let out = '';
    let from = this.pos;
    let i = this.pos;
    while (i < end) {
      const c = xml.charCodeAt(i);
      if (c === stop) break;
      if (c === 38 /* & */) {
        out += literal(xml.slice(from, i));
        REFERENCE.lastIndex = i;
        const ref = REFERENCE.exec(xml);
        if (!ref) this.fail('"&" must start a reference (write &amp; for a literal ampersand)', i);
        const body = ref[1] as string;
        if (body.charCodeAt(0) === 35 /* # */) {
          const cp = body.charCodeAt(1) === 120 ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
          if (!isXmlChar(cp)) this.fail(`character reference &${body}; is not an XML character`, i);
          out += String.fromCodePoint(cp);
        } else {
          const v = PREDEFINED.get(body);
          if (v === undefined) this.fail(`undefined entity &${body}; (entities are never expanded)`, i);
          out += v;
        }
        i += ref[0].length;
        from = i;
        continue;
      }
      if (c === 60 /* < */ && stop !== 60)
        this.fail('malformed XML: "<" is not allowed in an attribute value', i);
      i++;
    }
    this.pos = i;
    const value = out + literal(xml.slice(from, i));
    this.checkText(value.length, i);
    return value;
  }

  /** Skips a comment, PI or DOCTYPE starting at pos; false when none starts here. */
  private skipMarkup(): boolean {
    const xml = this.xml;
    if (xml.startsWith('<!--', this.pos)) {
      const end = xml.indexOf('-->', this.pos + 4);
      if (end < 0) this.fail('malformed XML: comment is not closed (truncated?)');
      this.pos = end + 3;
      return true;
    }
    if (xml.startsWith('<?', this.pos)) {
      const end = xml.indexOf('?>', this.pos + 2);
      if (end < 0) this.fail('malformed XML: processing instruction is not closed (truncated?)');
      this.pos = end + 2;
      return true;
    }
    return false;
  }

  private startTag(): Building {
    const start = this.pos;
    if (++this.elements > this.limits.maxElements) {
      this.overLimit(
        `more than ${this.limits.maxElements} elements`,
        'XML_MAX_ELEMENTS',
        this.limits.maxElements,
      );
    }
    this.pos++; // <
    const name = this.name('an element name');
    // Most elements have no attribute: they share one empty record (made on the first attribute).
    let attributes: Record<string, string> | undefined;
    let attributeCount = 0;
    const xml = this.xml;
    for (;;) {
      const spaced = this.skipSpace();
      const c = xml.charCodeAt(this.pos);
      if (c === 62 /* > */ || (c === 47 /* / */ && xml.charCodeAt(this.pos + 1) === 62)) break;
      if (Number.isNaN(c)) this.fail(`malformed XML: document ends inside the tag <${name}> (truncated?)`);
      if (!spaced) this.fail(`malformed XML: attributes of <${name}> must be separated by white space`);
      const attr = this.name(`an attribute name in <${name}>`);
      this.skipSpace();
      if (xml.charCodeAt(this.pos) !== 61 /* = */)
        this.fail(`malformed XML: attribute ${attr} of <${name}> has no value`);
      this.pos++;
      this.skipSpace();
      const quote = xml.charCodeAt(this.pos);
      if (quote !== 34 && quote !== 39)
        this.fail(`malformed XML: the value of attribute ${attr} of <${name}> must be quoted`);
      this.pos++;
      const close = xml.indexOf(quote === 34 ? '"' : "'", this.pos);
      if (close < 0) this.fail(`malformed XML: document ends inside the tag <${name}> (truncated?)`);
      attributes ??= Object.create(null) as Record<string, string>;
      if (attr in attributes) this.fail(`malformed XML: attribute ${attr} appears twice in <${name}>`);
      if (++attributeCount > this.limits.maxAttributes) {
        this.overLimit(
          `<${name}> has more than ${this.limits.maxAttributes} attributes`,
          'XML_MAX_ATTRIBUTES',
          this.limits.maxAttributes,
        );
      }
      attributes[attr] = this.text(close, quote);
      this.pos = close + 1;
    }
    return { name, attributes: attributes ?? NO_ATTRIBUTES, children: [], start };
  }

  read(): CxmlElement {
    const xml = this.xml;
    const len = xml.length;
    if (xml.trim() === '') throw refuse('empty document');
    let root: Building | undefined;
    let roots = 0;
    // Prolog and epilog: white space, comments, PIs and the DOCTYPE around exactly one root element.
    while (this.pos < len) {
      this.skipSpace();
      if (this.pos >= len) break;
      if (xml.charCodeAt(this.pos) !== 60) {
        this.fail(
          root
            ? 'malformed XML: text after the root element'
            : 'malformed XML: text before the root element (not an XML document?)',
        );
      }
      if (this.skipMarkup()) continue;
      if (xml.startsWith('<!DOCTYPE', this.pos)) {
        // Checked (no internal subset) and read by checkXmlSecurity.
        const end = xml.indexOf('>', this.pos);
        this.pos = end < 0 ? len : end + 1;
        continue;
      }
      roots++;
      if (root) {
        this.element(); // only to count it
        continue;
      }
      root = this.element();
    }
    if (roots !== 1) throw refuse(`a document has exactly one root element (found ${roots})`);
    return finish(root as Building, `/${(root as Building).name}`);
  }

  /** One element and everything inside it. */
  private element(): Building {
    const xml = this.xml;
    const len = xml.length;
    const stack: Building[] = [];
    let current = this.startTag();
    if (xml.charCodeAt(this.pos) === 47) {
      this.pos += 2;
      return current;
    }
    this.pos++;
    for (;;) {
      if (this.pos >= len) {
        this.fail(`malformed XML: document ends before <${current.name}> is closed (truncated?)`, len);
      }
      if (xml.charCodeAt(this.pos) !== 60) {
        const t = this.text(len, 60);
        current.children.push(t);
        continue;
      }
      const next = xml.charCodeAt(this.pos + 1);
      if (next === 47 /* / */) {
        const at = this.pos;
        this.pos += 2;
        const name = this.name('an element name');
        this.skipSpace();
        if (xml.charCodeAt(this.pos) !== 62) this.fail(`malformed XML: closing tag </${name}> is not closed`);
        this.pos++;
        if (name !== current.name) {
          this.fail(
            `malformed XML: closing tag </${name}> does not match the open element <${current.name}>`,
            at,
          );
        }
        const parent = stack.pop();
        if (!parent) return current;
        current = parent;
        continue;
      }
      if (next === 33 /* ! */) {
        if (xml.startsWith('<![CDATA[', this.pos)) {
          const end = xml.indexOf(']]>', this.pos + 9);
          if (end < 0) this.fail('malformed XML: CDATA section is not closed (truncated?)');
          this.checkText(end - this.pos - 9, this.pos);
          current.children.push(xml.slice(this.pos + 9, end));
          this.pos = end + 3;
          continue;
        }
        if (this.skipMarkup()) continue;
        if (xml.startsWith('<!DOCTYPE', this.pos))
          this.fail('DOCTYPE is only allowed before the root element');
        this.fail('malformed XML: unexpected "<!"');
      }
      if (next === 63 /* ? */) {
        this.skipMarkup();
        continue;
      }
      // The child's level is stack.length + 2 (current is at stack.length + 1), empty or not.
      if (stack.length + 2 > this.limits.maxDepth) {
        this.overLimit(
          `elements nested deeper than ${this.limits.maxDepth} levels`,
          'XML_MAX_DEPTH',
          this.limits.maxDepth,
        );
      }
      const child = this.startTag();
      current.children.push(child);
      if (xml.charCodeAt(this.pos) === 47) {
        this.pos += 2;
        continue;
      }
      this.pos++;
      stack.push(current);
      current = child;
    }
  }
}

/** Gives each element its XPath (`[n]` only where siblings share the name). */
function finish(node: Building, path: string): CxmlElement {
  const built = node.children;
  const n = built.length;
  if (n === 0) return { name: node.name, attributes: node.attributes, children: NO_CHILDREN, path };
  const children = new Array<CxmlElement | string>(n);
  // Siblings sharing a name get `[n]`: count them only when there are several elements.
  let counts: Map<string, number> | undefined;
  let first: string | undefined;
  for (let i = 0; i < n; i++) {
    const c = built[i] as Building | string;
    if (typeof c === 'string') continue;
    if (first === undefined) first = c.name;
    else if (counts === undefined) {
      counts = new Map([[first, 1]]);
      counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
    } else counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
  }
  const seen = counts ? new Map<string, number>() : undefined;
  for (let i = 0; i < n; i++) {
    const c = built[i] as Building | string;
    if (typeof c === 'string') {
      children[i] = c;
      continue;
    }
    let childPath = `${path}/${c.name}`;
    if (seen && (counts as Map<string, number>).get(c.name)! > 1) {
      const k = (seen.get(c.name) ?? 0) + 1;
      seen.set(c.name, k);
      childPath += `[${k}]`;
    }
    children[i] = finish(c, childPath);
  }
  return { name: node.name, attributes: node.attributes, children, path };
}

/** Reads text or bytes into an element tree, refusing everything unsafe or malformed (CxmlError 400). */
export function readXml(input: Buffer | string, options: XmlReadOptions = {}): XmlDocument {
  const xml = decodeXmlInput(input, options.maxBytes ?? DEFAULT_MAX_BYTES);
  const doctype = checkXmlSecurity(xml);
  checkCharacters(xml);
  const root = new Reader(xml, { ...DEFAULT_XML_LIMITS, ...options.limits }).read();
  return doctype !== undefined ? { root, doctype } : { root };
}

// ---------------------------------------------------------------------------------------------- helpers

export function childElements(el: CxmlElement, name?: string): CxmlElement[] {
  const out: CxmlElement[] = [];
  const children = el.children;
  for (let i = 0; i < children.length; i++) {
    const c = children[i] as CxmlElement | string;
    if (typeof c !== 'string' && (name === undefined || c.name === name)) out.push(c);
  }
  return out;
}

/** The first child element of that name. */
export function firstChildElement(el: CxmlElement, name: string): CxmlElement | undefined {
  const children = el.children;
  for (let i = 0; i < children.length; i++) {
    const c = children[i] as CxmlElement | string;
    if (typeof c !== 'string' && c.name === name) return c;
  }
  return undefined;
}

/** Text directly inside the element (not in child elements). */
export function ownText(el: CxmlElement): string {
  let out = '';
  for (const c of el.children) if (typeof c === 'string') out += c;
  return out;
}

/** All text inside the element, in document order. */
export function deepText(el: CxmlElement): string {
  let out = '';
  for (const c of el.children) out += typeof c === 'string' ? c : deepText(c);
  return out;
}

/**
 * Where the first byte sequence that is not UTF-8 starts (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or -1. One pass; run only once decoding has failed.
 */
export function invalidUtf8At(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c === 0xe0) [n, lo] = [2, 0xa0];
    else if (c === 0xed) [n, hi] = [2, 0x9f];
    else if (c >= 0xe1 && c <= 0xef) n = 2;
    else if (c === 0xf0) [n, lo] = [3, 0x90];
    else if (c === 0xf4) [n, hi] = [3, 0x8f];
    else if (c >= 0xf1 && c <= 0xf3) n = 3;
    else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return -1;
}

/** Where the first UTF-16 code unit that does not make a character starts (bytes), or -1. */
export function invalidUtf16At(b: Uint8Array, littleEndian: boolean): number {
  const unit = (i: number) => (littleEndian ? b[i]! | (b[i + 1]! << 8) : (b[i]! << 8) | b[i + 1]!);
  let i = 0;
  while (i < b.length) {
    if (i + 1 >= b.length) return i;
    const u = unit(i);
    if (u >= 0xd800 && u <= 0xdbff) {
      if (i + 3 >= b.length) return i;
      const next = unit(i + 2);
      if (next < 0xdc00 || next > 0xdfff) return i;
      i += 4;
    } else if (u >= 0xdc00 && u <= 0xdfff) return i;
    else i += 2;
  }
  return -1;
}
