/**
 * The cXML envelope: secure parsing (see xml.ts), version, header credentials, sender authentication, and
 * which document it carries. Typed readers of the payload (order-request.ts, punchout.ts, ...) start from
 * the `ParsedCxml` this returns.
 */
import { CxmlError, badData } from './errors';
import { parseCxmlDate } from './dates';
import type { CxmlElement, XmlReadOptions } from './xml';
import { childElements, deepText, readXml } from './xml';

export type CxmlKind = 'Request' | 'Message' | 'Response';

export interface CredentialMac {
  type?: string;
  algorithm?: string;
  creationDate?: string;
  expirationDate?: string;
  value: string;
}

export interface CxmlCredential {
  domain: string;
  identity: string;
  /** Credential@type ("marketplace"). */
  type?: string;
  sharedSecret?: string;
  credentialMac?: CredentialMac;
  digitalSignature?: boolean;
}

export interface CxmlHeader {
  /** Every From/Credential, in document order (a buyer often sends several domains). */
  from: CxmlCredential[];
  to: CxmlCredential[];
  sender: CxmlCredential[];
  userAgent?: string;
}

/**
 * How the Sender authenticates. Only SharedSecret is supported: CredentialMac and DigitalSignature are
 * reported so the endpoint can refuse them (401) with a clear reason.
 */
export type CxmlSenderAuth =
  | { method: 'sharedSecret'; domain: string; identity: string; sharedSecret: string }
  | { method: 'credentialMac' | 'digitalSignature'; domain: string; identity: string; supported: false }
  | { method: 'none' };

export interface CxmlStatus {
  code: number;
  text: string;
  /** Text content of the Status element, trimmed ('' when empty). */
  message: string;
  lang?: string;
}

export interface ParsedCxml {
  payloadId: string;
  /** cXML@timestamp exactly as sent. */
  timestamp: string;
  /** The timestamp read leniently (see dates.ts); undefined when it is not a date. */
  timestampDate: Date | undefined;
  /** The DOCTYPE's version when there is one ("1.2.014"), else cXML@version. */
  version?: string;
  /** cXML@version as sent (Coupa sends "1.0" beside a 1.2.020 DOCTYPE). */
  versionAttribute?: string;
  /** The DTD named by the DOCTYPE (never read). */
  dtd?: { version: string; file: string; systemId: string };
  /** cXML@xml:lang */
  lang?: string;
  kind: CxmlKind;
  /**
   * Name of the request or message element ("OrderRequest", "PunchOutOrderMessage", ...), or "Response".
   * Unknown names come through as they are; compare with SUPPORTED_REQUEST_TYPES.
   */
  requestType: string;
  /** Request/Message@deploymentMode (DTD default "production"). Undefined for a Response. */
  deploymentMode?: 'production' | 'test';
  /** Message@inReplyTo */
  inReplyTo?: string;
  /** Absent only for a Response (which has no Header). */
  header?: CxmlHeader;
  senderAuth: CxmlSenderAuth;
  /** The Status of a Response (always) or of a Message (when present). */
  status?: CxmlStatus;
  /** For a Response: the element after Status, e.g. "PunchOutSetupResponse". */
  responseType?: string;
  /** The cXML element and the request/message/Response element, for readers of the payload. */
  root: CxmlElement;
  body: CxmlElement;
}

export type ParseCxmlOptions = XmlReadOptions;

/** Request types the gateway's codec reads into typed form (others: answer 406). */
export const SUPPORTED_REQUEST_TYPES = [
  'PunchOutSetupRequest',
  'ProfileRequest',
  'OrderRequest',
  'StatusUpdateRequest',
  'InvoiceDetailRequest',
] as const;

const DTD_RE = /\/schemas\/cXML\/(\d+(?:\.\d+)+)\/([A-Za-z]+)\.dtd\s*$/i;

function attr(el: CxmlElement, name: string): string | undefined {
  const v = el.attributes[name];
  return v === undefined ? undefined : v.trim();
}

function one(el: CxmlElement, name: string): CxmlElement | undefined {
  return childElements(el, name)[0];
}

function readCredential(el: CxmlElement): CxmlCredential {
  const domain = attr(el, 'domain');
  if (domain === undefined || domain === '') throw badData('Credential has no domain', `${el.path}/@domain`);
  const identityEl = one(el, 'Identity');
  const identity = identityEl ? deepText(identityEl).trim() : '';
  if (identity === '') throw badData('Credential has no Identity', `${el.path}/Identity`);
  const credential: CxmlCredential = { domain, identity };
  const type = attr(el, 'type');
  if (type !== undefined) credential.type = type;
  const secret = one(el, 'SharedSecret');
  if (secret) credential.sharedSecret = deepText(secret).trim();
  const mac = one(el, 'CredentialMac');
  if (mac) {
    const m: CredentialMac = { value: deepText(mac).trim() };
    for (const key of ['type', 'algorithm', 'creationDate', 'expirationDate'] as const) {
      const v = attr(mac, key);
      if (v !== undefined) m[key] = v;
    }
    credential.credentialMac = m;
  }
  if (one(el, 'DigitalSignature')) credential.digitalSignature = true;
  return credential;
}

function readParty(header: CxmlElement, name: 'From' | 'To' | 'Sender'): CxmlElement {
  const el = one(header, name);
  if (!el) throw badData(`Header has no ${name}`, `${header.path}/${name}`);
  const credentials = childElements(el, 'Credential');
  if (credentials.length === 0) throw badData(`${name} has no Credential`, `${el.path}/Credential`);
  return el;
}

function readHeader(root: CxmlElement): CxmlHeader {
  const headerEl = one(root, 'Header');
  if (!headerEl) throw badData('a Request or Message needs a Header', `${root.path}/Header`);
  const from = readParty(headerEl, 'From');
  const to = readParty(headerEl, 'To');
  const sender = readParty(headerEl, 'Sender');
  const header: CxmlHeader = {
    from: childElements(from, 'Credential').map(readCredential),
    to: childElements(to, 'Credential').map(readCredential),
    sender: childElements(sender, 'Credential').map(readCredential),
  };
  const ua = one(sender, 'UserAgent');
  if (ua) {
    const text = deepText(ua).trim();
    if (text !== '') header.userAgent = text;
  }
  return header;
}

function senderAuthOf(header: CxmlHeader | undefined): CxmlSenderAuth {
  for (const c of header?.sender ?? []) {
    if (c.sharedSecret !== undefined) {
      return { method: 'sharedSecret', domain: c.domain, identity: c.identity, sharedSecret: c.sharedSecret };
    }
    if (c.credentialMac !== undefined) {
      return { method: 'credentialMac', domain: c.domain, identity: c.identity, supported: false };
    }
    if (c.digitalSignature) {
      return { method: 'digitalSignature', domain: c.domain, identity: c.identity, supported: false };
    }
  }
  return { method: 'none' };
}

export function readStatus(el: CxmlElement): CxmlStatus {
  const raw = attr(el, 'code');
  if (raw === undefined || !/^\d{3}$/.test(raw)) {
    throw badData(
      `Status code ${raw === undefined ? 'is missing' : `"${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}" is not a 3-digit code`}`,
      `${el.path}/@code`,
    );
  }
  const status: CxmlStatus = {
    code: Number(raw),
    text: attr(el, 'text') ?? '',
    message: deepText(el).trim(),
  };
  const lang = attr(el, 'xml:lang');
  if (lang !== undefined) status.lang = lang;
  return status;
}

function deploymentModeOf(el: CxmlElement): 'production' | 'test' {
  const mode = attr(el, 'deploymentMode');
  if (mode === undefined || mode === '' || mode === 'production') return 'production';
  if (mode === 'test') return 'test';
  throw badData(`deploymentMode "${mode}" is neither production nor test`, `${el.path}/@deploymentMode`);
}

function onlyChild(el: CxmlElement, what: string, skip: readonly string[] = []): CxmlElement {
  const kids = childElements(el).filter((c) => !skip.includes(c.name) && !c.name.startsWith('ds:'));
  if (kids.length === 0) throw badData(`${el.name} carries no ${what}`, el.path);
  if (kids.length > 1) {
    throw badData(
      `${el.name} carries more than one element (${kids
        .slice(0, 5)
        .map((k) => k.name)
        .join(', ')}${kids.length > 5 ? `, and ${kids.length - 5} more` : ''})`,
      el.path,
    );
  }
  return kids[0] as CxmlElement;
}

/**
 * Parses a cXML document. Throws `CxmlError` (status 400, with `line` for syntax and security refusals and
 * `xpath` for envelope data) when the document is refused. Never reads a DTD, never expands an entity.
 */
export function parseCxml(input: Buffer | string, options: ParseCxmlOptions = {}): ParsedCxml {
  const { root, doctype } = readXml(input, options);
  if (root.name !== 'cXML') {
    const hint = root.name.toLowerCase() === 'cxml' ? ' (element names are case-sensitive)' : '';
    throw new CxmlError(400, `root element must be <cXML>, found <${root.name}>${hint}`, {
      xpath: `/${root.name}`,
    });
  }
  if (doctype !== undefined && doctype.name !== 'cXML') {
    throw new CxmlError(400, `DOCTYPE names <${doctype.name}> but the root element is <cXML>`, {
      line: doctype.line,
    });
  }
  const payloadId = attr(root, 'payloadID');
  if (payloadId === undefined || payloadId === '') throw badData('payloadID is missing', '/cXML/@payloadID');
  const timestamp = attr(root, 'timestamp');
  if (timestamp === undefined || timestamp === '') throw badData('timestamp is missing', '/cXML/@timestamp');

  const bodies = childElements(root).filter((c) => ['Request', 'Message', 'Response'].includes(c.name));
  if (bodies.length !== 1) {
    throw badData(
      bodies.length === 0
        ? 'cXML carries no Request, Message or Response'
        : 'cXML carries more than one body',
      '/cXML',
    );
  }
  const container = bodies[0] as CxmlElement;
  const kind = container.name as CxmlKind;

  let header: CxmlHeader | undefined;
  let body: CxmlElement;
  let requestType: string;
  let status: CxmlStatus | undefined;
  let responseType: string | undefined;
  let deploymentMode: 'production' | 'test' | undefined;
  let inReplyTo: string | undefined;
  if (kind === 'Response') {
    const statusEl = one(container, 'Status');
    if (!statusEl) throw badData('Response has no Status', `${container.path}/Status`);
    status = readStatus(statusEl);
    body = container;
    requestType = 'Response';
    const after = childElements(container).filter((c) => c.name !== 'Status' && !c.name.startsWith('ds:'));
    if (after[0]) responseType = after[0].name;
  } else {
    header = readHeader(root);
    deploymentMode = deploymentModeOf(container);
    if (kind === 'Message') {
      const statusEl = one(container, 'Status');
      if (statusEl) status = readStatus(statusEl);
      const reply = attr(container, 'inReplyTo');
      if (reply !== undefined) inReplyTo = reply;
    }
    body = onlyChild(container, kind === 'Request' ? 'request' : 'message', ['Status']);
    requestType = body.name;
  }

  const doc: ParsedCxml = {
    payloadId,
    timestamp,
    timestampDate: parseCxmlDate(timestamp)?.date,
    kind,
    requestType,
    senderAuth: senderAuthOf(header),
    root,
    body,
  };
  const dtdMatch = doctype?.systemId !== undefined ? DTD_RE.exec(doctype.systemId) : null;
  if (dtdMatch && doctype?.systemId !== undefined) {
    doc.dtd = { version: dtdMatch[1] as string, file: `${dtdMatch[2]}.dtd`, systemId: doctype.systemId };
  }
  const versionAttribute = attr(root, 'version');
  if (versionAttribute !== undefined) doc.versionAttribute = versionAttribute;
  const version = doc.dtd?.version ?? versionAttribute;
  if (version !== undefined) doc.version = version;
  const lang = attr(root, 'xml:lang');
  if (lang !== undefined) doc.lang = lang;
  if (deploymentMode !== undefined) doc.deploymentMode = deploymentMode;
  if (inReplyTo !== undefined) doc.inReplyTo = inReplyTo;
  if (header !== undefined) doc.header = header;
  if (status !== undefined) doc.status = status;
  if (responseType !== undefined) doc.responseType = responseType;
  return doc;
}

export type SafeParseResult = { ok: true; doc: ParsedCxml } | { ok: false; error: CxmlError };

/** parseCxml without throwing for refused documents (other exceptions still propagate). */
export function safeParseCxml(input: Buffer | string, options: ParseCxmlOptions = {}): SafeParseResult {
  try {
    return { ok: true, doc: parseCxml(input, options) };
  } catch (e) {
    if (e instanceof CxmlError) return { ok: false, error: e };
    throw e;
  }
}

/** The first credential of that domain; domains compare case-insensitively ("NetworkID" = "NetworkId"). */
export function findCredential(
  credentials: readonly CxmlCredential[],
  domain: string,
): CxmlCredential | undefined {
  const wanted = domain.toLowerCase();
  return credentials.find((c) => c.domain.toLowerCase() === wanted);
}

/** Accepts raw input or an already parsed document (typed readers take either). */
export function asParsed(input: ParsedCxml | Buffer | string): ParsedCxml {
  return typeof input === 'string' || Buffer.isBuffer(input) ? parseCxml(input) : input;
}

/** Throws 406 unless the document carries `expected`. */
export function expectType(doc: ParsedCxml, expected: string): void {
  if (doc.requestType !== expected) {
    throw new CxmlError(406, `expected ${expected}, the document carries ${doc.requestType}`);
  }
}
