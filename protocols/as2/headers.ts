/**
 * AS2 header fields (RFC 4130 6): AS2-From / AS2-To names, Message-ID, and the request for a receipt.
 */
import { As2Error } from './errors';
import { type Header, headerValue } from './mime';

const ATOMIC_RE = /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/;

/** An AS2 name for AS2-From/AS2-To: as is when atomic, else a quoted-string (spaces, quotes, backslashes). */
export function quoteAs2Name(name: string): string {
  if (!/^[\x20-\x7e]{1,128}$/.test(name))
    throw new RangeError(`AS2 name must be 1..128 printable ASCII: ${JSON.stringify(name)}`);
  if (ATOMIC_RE.test(name)) return name;
  return `"${name.replace(/(["\\])/g, '\\$1')}"`;
}

/** Reads an AS2-From/AS2-To value (quoted or atomic). Throws As2Error(malformed) on anything else. */
export function unquoteAs2Name(value: string): string {
  const v = value.trim();
  let name = v;
  if (v.startsWith('"')) {
    if (v.length < 2 || !v.endsWith('"')) malformedName(value);
    name = v.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  if (!/^[\x20-\x7e]{1,128}$/.test(name)) malformedName(value);
  return name;
}

function malformedName(value: string): never {
  throw new As2Error(
    'unexpected-processing-error',
    'malformed',
    `not an AS2 name: ${JSON.stringify(value.slice(0, 140))}`,
  );
}

/** `<id>` for the header; the id given with or without brackets. */
export function formatMessageId(id: string): string {
  const bare = id.replace(/^<|>$/g, '');
  if (!bare || /[\s<>]/.test(bare) || bare.length > 998)
    throw new RangeError(`bad Message-ID ${JSON.stringify(id)}`);
  return `<${bare}>`;
}

/** The id without angle brackets. */
export function parseMessageId(value: string): string {
  return value.trim().replace(/^<|>$/g, '');
}

export interface As2Headers {
  as2From: string;
  as2To: string;
  /** Without angle brackets. */
  messageId: string;
  as2Version?: string;
  subject?: string;
  /** Present: a receipt (MDN) is requested. */
  dispositionNotificationTo?: string;
  dispositionNotificationOptions?: string;
  /** Present: the MDN goes asynchronously to this URL; absent: it is the HTTP response. */
  receiptDeliveryOption?: string;
}

/**
 * Reads the AS2 header fields of a request. Throws As2Error(unexpected-processing-error, malformed)
 * when AS2-From, AS2-To or Message-ID is missing or unreadable: no MDN can be addressed without them.
 */
export function readAs2Headers(headers: readonly Header[]): As2Headers {
  const from = headerValue(headers, 'as2-from');
  const to = headerValue(headers, 'as2-to');
  const mid = headerValue(headers, 'message-id');
  if (from === undefined || to === undefined || mid === undefined)
    throw new As2Error(
      'unexpected-processing-error',
      'malformed',
      `missing ${[from === undefined && 'AS2-From', to === undefined && 'AS2-To', mid === undefined && 'Message-ID'].filter(Boolean).join(', ')}`,
    );
  const messageId = parseMessageId(mid);
  if (!messageId) throw new As2Error('unexpected-processing-error', 'malformed', 'empty Message-ID');
  const opt = (name: string): string | undefined => {
    const v = headerValue(headers, name);
    return v === undefined || v === '' ? undefined : v;
  };
  const out: As2Headers = { as2From: unquoteAs2Name(from), as2To: unquoteAs2Name(to), messageId };
  const version = opt('as2-version');
  const subject = opt('subject');
  const dnt = opt('disposition-notification-to');
  const dno = opt('disposition-notification-options');
  const rdo = opt('receipt-delivery-option');
  if (version) out.as2Version = version;
  if (subject) out.subject = subject;
  if (dnt) out.dispositionNotificationTo = dnt;
  if (dno) out.dispositionNotificationOptions = dno;
  if (rdo) out.receiptDeliveryOption = rdo;
  return out;
}

/** RFC 5322 date-time of `now` (UTC). */
export function formatDate(now: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${days[now.getUTCDay()]}, ${p(now.getUTCDate())} ${months[now.getUTCMonth()]} ${now.getUTCFullYear()} ${p(now.getUTCHours())}:${p(now.getUTCMinutes())}:${p(now.getUTCSeconds())} +0000`;
}
