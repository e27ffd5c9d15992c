/**
 * cXML with attachments (cXML User's Guide, "Attachments"): the document is the root part of a
 * `multipart/related` body (RFC 2387) and each attached file another part with a Content-ID; the
 * document refers to a file by `<Attachment><URL>cid:…</URL></Attachment>` (RFC 2392). Ariba sends
 * OrderRequests with attachments this way.
 *
 * The MIME reading is the AS2 codec's (protocols/as2/mime.ts): one linear pass, header bytes, header
 * fields, parts and total size bounded. Any MIME fault, a root that is not XML, a part without a
 * Content-ID, two parts with one Content-ID, or a cid: reference to no part is a CxmlError 400.
 */
import { As2Error } from '../as2/errors';
import {
  decodeBody,
  entityFromParts,
  headerValue,
  parseHeaderParams,
  parseMultipart,
  type MimeEntity,
} from '../as2/mime';
import { CxmlError } from './errors';

export interface CxmlAttachmentPart {
  /** The part's Content-ID without angle brackets ("part2.1234@buyer.example"). */
  contentId: string;
  /** Lower-case media type as sent, "application/octet-stream" when absent. */
  contentType: string;
  /** Content-Disposition filename, else Content-Type name, when given. */
  filename?: string;
  /** The file, transfer encoding (base64, quoted-printable) undone. */
  content: Buffer;
}

export interface CxmlMultipart {
  /** The cXML document: the root part's body, decoded. */
  root: Buffer;
  attachments: CxmlAttachmentPart[];
}

export interface MultipartLimits {
  /** Largest body, bytes (the endpoint's body limit). */
  maxBytes: number;
  /** Most attachments besides the document. */
  maxAttachments: number;
}

export const DEFAULT_MULTIPART_LIMITS: MultipartLimits = { maxBytes: 5 * 1024 * 1024, maxAttachments: 32 };

const XML_TYPES = new Set(['text/xml', 'application/xml']);

/** True for a Content-Type header that announces cXML with attachments. */
export function isMultipartRelated(contentType: string | undefined): boolean {
  return /^\s*multipart\/related\s*(;|$)/i.test(contentType ?? '');
}

function unbracket(id: string): string {
  const t = id.trim();
  return t.startsWith('<') && t.endsWith('>') ? t.slice(1, -1).trim() : t;
}

/** The Content-ID a `cid:` URL names (RFC 2392: the URL is %-encoded), or undefined for other URLs. */
export function contentIdOfUrl(url: string): string | undefined {
  const m = /^cid:(.+)$/i.exec(url.trim());
  if (!m) return undefined;
  try {
    return unbracket(decodeURIComponent(m[1] as string));
  } catch {
    return unbracket(m[1] as string);
  }
}

function filenameOf(part: MimeEntity): string | undefined {
  const disposition = headerValue(part.headers, 'content-disposition');
  const fromDisposition = disposition ? parseHeaderParams(disposition).params.filename : undefined;
  const name = fromDisposition ?? part.contentType.params.name;
  // No path separators or control characters in a name that ends up in a Content-Disposition.
  let clean = '';
  for (const ch of name ?? '') clean += ch === '/' || ch === '\\' || ch.charCodeAt(0) < 32 ? '_' : ch;
  clean = clean.trim();
  return clean ? clean.slice(0, 255) : undefined;
}

/**
 * Splits a `multipart/related` cXML body into the document and its attachments. The root is the part
 * named by the `start` parameter, else the first part (RFC 2387 3.2).
 */
export function readCxmlMultipart(
  contentType: string,
  body: Buffer,
  limits: MultipartLimits = DEFAULT_MULTIPART_LIMITS,
): CxmlMultipart {
  if (body.length > limits.maxBytes) {
    throw new CxmlError(
      413,
      `multipart body of ${body.length} bytes is over the limit of ${limits.maxBytes}`,
    );
  }
  let parts: MimeEntity[];
  try {
    const entity = entityFromParts([{ name: 'Content-Type', value: contentType }], body);
    parts = parseMultipart(entity, {
      maxBytes: limits.maxBytes,
      maxHeaderBytes: 16 * 1024,
      maxHeaders: 50,
      maxParts: limits.maxAttachments + 1,
    });
  } catch (err) {
    if (err instanceof As2Error) throw new CxmlError(400, `multipart/related body: ${err.detail}`);
    throw err;
  }
  const start = parseHeaderParams(contentType).params.start;
  const startId = start === undefined ? undefined : unbracket(start);
  const idOf = (p: MimeEntity): string | undefined => {
    const id = headerValue(p.headers, 'content-id');
    return id === undefined ? undefined : unbracket(id);
  };
  const rootIndex = startId === undefined ? 0 : parts.findIndex((p) => idOf(p) === startId);
  if (rootIndex < 0) {
    throw new CxmlError(400, `multipart/related: no part has the Content-ID <${startId}> named by start`);
  }
  const rootPart = parts[rootIndex] as MimeEntity;
  if (!XML_TYPES.has(rootPart.contentType.mediaType)) {
    throw new CxmlError(
      400,
      `multipart/related: the root part must be the cXML document (text/xml), not ${rootPart.contentType.mediaType}`,
    );
  }
  const decode = (p: MimeEntity, what: string): Buffer => {
    try {
      return decodeBody(p);
    } catch (err) {
      if (err instanceof As2Error) throw new CxmlError(400, `multipart/related ${what}: ${err.detail}`);
      throw err;
    }
  };
  const seen = new Set<string>();
  const attachments: CxmlAttachmentPart[] = [];
  parts.forEach((p, i) => {
    if (i === rootIndex) return;
    const contentId = idOf(p);
    if (contentId === undefined || contentId === '') {
      throw new CxmlError(
        400,
        `multipart/related: part ${i + 1} has no Content-ID, so nothing can refer to it`,
      );
    }
    if (seen.has(contentId)) {
      throw new CxmlError(400, `multipart/related: two parts have the Content-ID <${contentId}>`);
    }
    seen.add(contentId);
    const headerType = headerValue(p.headers, 'content-type');
    const part: CxmlAttachmentPart = {
      contentId,
      contentType: headerType === undefined ? 'application/octet-stream' : p.contentType.mediaType,
      content: decode(p, `part <${contentId}>`),
    };
    const filename = filenameOf(p);
    if (filename !== undefined) part.filename = filename;
    attachments.push(part);
  });
  return { root: decode(rootPart, 'root part'), attachments };
}

/**
 * Every `cid:` URL of the document must name a part that came with it: otherwise the file the buyer
 * attached would be lost. Other URLs (http: links) are not checked.
 */
export function checkAttachmentReferences(
  urls: readonly string[],
  parts: readonly CxmlAttachmentPart[],
): void {
  const ids = new Set(parts.map((p) => p.contentId));
  for (const url of urls) {
    const id = contentIdOfUrl(url);
    if (id !== undefined && !ids.has(id)) {
      throw new CxmlError(400, `Attachment ${url} names no part of the multipart/related body`, {
        xpath: '//Comments/Attachment/URL',
      });
    }
  }
}
