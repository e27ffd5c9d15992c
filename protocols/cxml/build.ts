/**
 * Internal: building cXML documents. Builders describe elements with `el(...)`; `serialize` writes them with
 * xmlbuilder2 (escaping, XML declaration, DOCTYPE). Envelopes take every volatile value (payloadID,
 * timestamp) from the caller: nothing here reads a clock or a random source.
 *
 * Invalid builder input is a programming error: it throws `CxmlBuildError` (a TypeError), not CxmlError.
 */
import { create } from 'xmlbuilder2';
import type { DecimalString } from '../../src/model';
import { isDecimalString } from '../../src/model';
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

export function serialize(root: El, version: string, file: DtdFile): string {
  const doc = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '' }).dtd({
    name: root.name,
    sysID: dtdUrl(version, file),
  });
  const write = (parent: ReturnType<typeof doc.ele>, node: El): void => {
    const child = parent.ele(node.name, node.attrs);
    for (const c of node.children) {
      if (typeof c === 'string') child.txt(c);
      else write(child, c);
    }
  };
  const top = doc.ele(root.name, root.attrs);
  for (const c of root.children) {
    if (typeof c === 'string') top.txt(c);
    else write(top, c);
  }
  return doc.end({ prettyPrint: true }) + '\n';
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

export function money(amount: DecimalString, currency: string, what: string): El {
  return el('Money', { currency: currencyCode(currency) }, decimal(amount, what));
}

/** A cXML datetime attribute: a Date (written in UTC) or a string that is a date with a time zone. */
export function timestampValue(value: string | Date, what: string): string {
  if (value instanceof Date) return formatCxmlTimestamp(value);
  const parsed = parseCxmlDate(value);
  if (parsed === undefined) throw new CxmlBuildError(`${what} is not a date: ${JSON.stringify(value)}`);
  if (!parsed.hasOffset && value.includes('T')) {
    throw new CxmlBuildError(`${what} needs a time zone (cXML datetime.tz): ${JSON.stringify(value)}`);
  }
  return parsed.iso;
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
