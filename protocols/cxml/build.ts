/**
 * Internal: building cXML documents. Builders describe elements with `el(...)`; `serialize` writes them
 * (escaping, XML declaration, DOCTYPE). Envelopes take every volatile value (payloadID,
 * timestamp) from the caller: nothing here reads a clock or a random source.
 *
 * Invalid builder input is a programming error: it throws `CxmlBuildError` (a TypeError), not CxmlError.
 */
import type { DecimalString } from '../../src/model';
import { formatAmount, isDecimalString } from '../../src/model';
import { cxmlStatusText } from './errors';
import { formatCxmlTimestamp, parseCxmlDate } from './dates';

/** Version and DTDs of what the gateway emits. */
export const CXML_VERSION = '1.2.063';
/** InvoiceDetail.dtd 1.2.037 is the newest InvoiceDetail DTD we hold, so invoices are emitted as 1.2.037. */
export const INVOICE_CXML_VERSION = '1.2.037';
export const DTD_BASE_URL = 'http://xml.cxml.org/schemas/cXML';

export type DtdFile = 'cXML.dtd' | 'Fulfill.dtd' | 'InvoiceDetail.dtd';

export function dtdUrl(version: string, file: DtdFile): string {
  return `${DTD_BASE_URL}/${version}/${file}`;
}

export class CxmlBuildError extends TypeError {
  constructor(message: string) {
    super(`cXML builder: ${message}`);
    this.name = 'CxmlBuildError';
  }
}

type Child = El | string | undefined | null | false;
export interface El {
  name: string;
  attrs: Record<string, string>;
  children: (El | string)[];
}

/** Element; undefined attributes and falsy children are left out, arrays of children are flattened. */
export function el(
  name: string,
  attrs: Record<string, string | number | undefined> = {},
  ...children: (Child | Child[])[]
): El {
  const a: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) a[k] = String(v);
  const kids: (El | string)[] = [];
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) kids.push(c);
  return { name, attrs: a, children: kids };
}

/** Element with text content, or undefined when the text is undefined (for optional elements). */
export function textEl(
  name: string,
  text: string | undefined,
  attrs: Record<string, string | number | undefined> = {},
): El | undefined {
  return text === undefined ? undefined : el(name, attrs, text);
}

/** Characters XML 1.0 does not allow, dropped from text and attribute values. */
const INVALID_XML_CHARS = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const TEXT_SPECIAL = /[&<>]/;
const ATTR_SPECIAL = /[&<>"]/;

function clean(s: string): string {
  INVALID_XML_CHARS.lastIndex = 0;
  return INVALID_XML_CHARS.test(s) ? s.replace(INVALID_XML_CHARS, '') : s;
}

export function escapeText(s: string): string {
  const c = clean(s);
  return TEXT_SPECIAL.test(c) ? c.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : c;
}

export function escapeAttr(s: string): string {
  const c = clean(s);
  return ATTR_SPECIAL.test(c)
    ? c.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
    : c;
}

/** Adjacent text children are one text node; empty text is none. */
function mergeText(children: (El | string)[]): (El | string)[] {
  if (!children.some((c) => typeof c === 'string')) return children;
  const out: (El | string)[] = [];
  for (const c of children) {
    if (c === '') continue;
    const last = out.length - 1;
    if (typeof c === 'string' && typeof out[last] === 'string') out[last] = out[last] + c;
    else out.push(c);
  }
  return out;
}

/** Writes one element, pretty-printed with two-space indentation (text-only elements on one line). */
function writeElement(out: string[], node: El, indent: string): void {
  let open = `${indent}<${node.name}`;
  for (const [k, v] of Object.entries(node.attrs)) open += ` ${k}="${escapeAttr(v)}"`;
  const kids = mergeText(node.children);
  const onlyText = kids.length === 1 && typeof kids[0] === 'string' ? escapeText(kids[0]) : undefined;
  if (kids.length === 0 || onlyText === '') {
    out.push(`${open}/>`);
    return;
  }
  if (onlyText !== undefined) {
    out.push(`${open}>${onlyText}</${node.name}>`);
    return;
  }
  out.push(`${open}>`);
  const inner = indent + '  ';
  for (const c of kids) {
    if (typeof c === 'string') out.push(inner + escapeText(c));
    else writeElement(out, c, inner);
  }
  out.push(`${indent}</${node.name}>`);
}

/** The document: XML declaration, DOCTYPE naming the DTD of `version`, the element tree. */
export function serialize(root: El, version: string, file: DtdFile): string {
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<!DOCTYPE ${root.name} SYSTEM "${dtdUrl(version, file)}">`,
  ];
  writeElement(out, root, '');
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------- values

export function requireText(value: string | undefined, what: string): string {
  if (value === undefined || value.trim() === '') throw new CxmlBuildError(`${what} is required`);
  return value;
}

export function decimal(value: DecimalString | undefined, what: string): string {
  if (typeof value !== 'string' || !isDecimalString(value.trim())) {
    throw new CxmlBuildError(`${what} must be a decimal string, got ${JSON.stringify(value)}`);
  }
  return value.trim();
}

export function currencyCode(value: string | undefined, what = 'currency'): string {
  if (value === undefined || !/^[A-Z]{3}$/.test(value)) {
    throw new CxmlBuildError(`${what} must be an ISO 4217 code, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * `<Money currency>`: the amount with the currency's scale (totals "13.50" USD, "259" JPY; unit prices
 * as stored, at least that scale: formatAmount), the same way in every document.
 */
export function money(amount: DecimalString, currency: string, what: string): El {
  const code = currencyCode(currency);
  return el('Money', { currency: code }, formatAmount(decimal(amount, what), code));
}

/**
 * A cXML datetime attribute (the DTD's datetime.tz: a time zone is required), always in one form,
 * `YYYY-MM-DDThh:mm:ss[.fff]±hh:mm`: a Date is written in UTC (`+00:00`); a string keeps its own
 * wall time and offset (the buyer's `2000-10-12T18:41:29-08:00` goes back as it came), with `Z`
 * written `+00:00`; a calendar date alone (an invoice date, an X12 PO date) is that day at
 * 00:00:00+00:00. A time without a zone is refused: which instant it means is not known.
 */
export function timestampValue(value: string | Date, what: string): string {
  if (value instanceof Date) return formatCxmlTimestamp(value);
  const parsed = parseCxmlDate(value);
  if (parsed === undefined) throw new CxmlBuildError(`${what} is not a date: ${JSON.stringify(value)}`);
  if (!parsed.hasOffset) {
    if (parsed.iso.includes('T')) {
      throw new CxmlBuildError(`${what} needs a time zone (cXML datetime.tz): ${JSON.stringify(value)}`);
    }
    return `${parsed.iso}T00:00:00+00:00`;
  }
  return parsed.iso.endsWith('Z') ? `${parsed.iso.slice(0, -1)}+00:00` : parsed.iso;
}

// ---------------------------------------------------------------------------------------------- envelope

export interface CredentialInput {
  domain: string;
  identity: string;
  /** Only meaningful in the Sender. */
  sharedSecret?: string;
}

export interface HeaderInput {
  /** One or several From credentials (e.g. NetworkID and DUNS). */
  from: CredentialInput | CredentialInput[];
  to: CredentialInput | CredentialInput[];
  sender: { credentials: CredentialInput | CredentialInput[]; userAgent: string };
}

export interface EnvelopeInput {
  payloadId: string;
  /** cXML@timestamp: a Date (written in UTC) or an ISO 8601 string with time zone. */
  timestamp: string | Date;
  /** cXML@xml:lang; default "en-US". */
  lang?: string;
}

export interface RequestEnvelopeInput extends EnvelopeInput {
  header: HeaderInput;
  /** Request/Message@deploymentMode; default "production". */
  deploymentMode?: 'production' | 'test';
}

function credentials(list: CredentialInput | CredentialInput[], role: string, withSecret: boolean): El[] {
  const all = Array.isArray(list) ? list : [list];
  if (all.length === 0) throw new CxmlBuildError(`${role} needs at least one credential`);
  return all.map((c) =>
    el(
      'Credential',
      { domain: requireText(c.domain, `${role} credential domain`) },
      el('Identity', {}, requireText(c.identity, `${role} credential identity`)),
      withSecret && c.sharedSecret !== undefined ? el('SharedSecret', {}, c.sharedSecret) : undefined,
    ),
  );
}

function rootAttrs(env: EnvelopeInput, version: string): Record<string, string> {
  return {
    payloadID: requireText(env.payloadId, 'payloadId'),
    timestamp: timestampValue(env.timestamp, 'timestamp'),
    version,
    'xml:lang': env.lang ?? 'en-US',
  };
}

export function header(input: HeaderInput): El {
  return el(
    'Header',
    {},
    el('From', {}, credentials(input.from, 'From', false)),
    el('To', {}, credentials(input.to, 'To', false)),
    el(
      'Sender',
      {},
      credentials(input.sender.credentials, 'Sender', true),
      el('UserAgent', {}, requireText(input.sender.userAgent, 'sender.userAgent')),
    ),
  );
}

/** `<cXML><Header/><Request deploymentMode>…</Request></cXML>` serialised with the DOCTYPE. */
export function requestDocument(
  env: RequestEnvelopeInput,
  request: El,
  version: string,
  file: DtdFile,
): string {
  const root = el(
    'cXML',
    rootAttrs(env, version),
    header(env.header),
    el('Request', { deploymentMode: env.deploymentMode ?? 'production' }, request),
  );
  return serialize(root, version, file);
}

export function messageDocument(env: RequestEnvelopeInput, message: El): string {
  const root = el(
    'cXML',
    rootAttrs(env, CXML_VERSION),
    header(env.header),
    el('Message', { deploymentMode: env.deploymentMode ?? 'production' }, message),
  );
  return serialize(root, CXML_VERSION, 'cXML.dtd');
}

export interface StatusInput {
  code: number;
  /** Status@text; default: the standard text of the code ("OK", "Bad Request", ...). */
  text?: string;
  /** Text content of Status (the human-readable detail). */
  message?: string;
  /** Status@xml:lang (set when there is a message); default "en-US". */
  lang?: string;
}

export function statusEl(status: StatusInput): El {
  if (!Number.isInteger(status.code) || status.code < 100 || status.code > 999) {
    throw new CxmlBuildError(`status code must be a 3-digit number, got ${status.code}`);
  }
  const hasMessage = status.message !== undefined && status.message !== '';
  return el(
    'Status',
    {
      code: status.code,
      text: status.text ?? cxmlStatusText(status.code),
      'xml:lang': hasMessage ? (status.lang ?? 'en-US') : undefined,
    },
    hasMessage ? status.message : undefined,
  );
}

/** `<cXML><Response><Status/>[body]</Response></cXML>` (a Response has no Header). */
export function responseDocument(env: EnvelopeInput, status: StatusInput, body?: El): string {
  const root = el('cXML', rootAttrs(env, CXML_VERSION), el('Response', {}, statusEl(status), body));
  return serialize(root, CXML_VERSION, 'cXML.dtd');
}
