/**
 * Message Disposition Notifications for AS2 (RFC 4130 7.4-7.5 on RFC 3798/8098 and RFC 3462/6522):
 * building one (positive or negative, signed when asked) and reading one received (signature, the
 * disposition, Received-Content-MIC checked against what we sent).
 */
import { randomBytes } from 'node:crypto';
import { OID, describeOid, micalgName } from './algorithms';
import type { As2Certificate } from './certificates';
import { readContentInfo, signData, verifySignedData } from './cms';
import { As2Error, type As2ErrorCode } from './errors';
import { formatDate, formatMessageId, parseMessageId, quoteAs2Name, unquoteAs2Name } from './headers';
import { type SigningKey, type As2Limits, DEFAULT_AS2_LIMITS } from './message';
import { type Mic, formatMic, micEquals, parseMic } from './mic';
import {
  type Header,
  type MimeEntity,
  buildEntity,
  buildMultipartBody,
  canonicalize,
  decodeBody,
  encodeBase64Lines,
  entityFromParts,
  headerValue,
  parseEntity,
  parseMultipart,
  toHeaders,
} from './mime';

export interface DispositionModifier {
  kind: 'error' | 'warning' | 'failure';
  /** e.g. authentication-failed, decryption-failed, integrity-check-failed, unexpected-processing-error. */
  text: string;
}

export interface Disposition {
  actionMode: string;
  sendingMode: string;
  /** `processed` or `failed`. */
  type: string;
  modifier?: DispositionModifier;
}

/** `automatic-action/MDN-sent-automatically; processed[/error: x]`. */
export function formatDisposition(d: Disposition): string {
  const mod = d.modifier ? `/${d.modifier.kind}: ${d.modifier.text}` : '';
  return `${d.actionMode}/${d.sendingMode}; ${d.type}${mod}`;
}

export function parseDisposition(value: string): Disposition | undefined {
  // Trimmed first, so the modifier's text is taken greedily to the end: no lazy match before `\s*$`,
  // which backtracks quadratically over a value with long inner runs of white space.
  const m = /^([\w-]+)\s*\/\s*([\w-]+)\s*;\s*([\w-]+)\s*(?:\/\s*([\w-]+)\s*:\s*(.*))?$/s.exec(value.trim());
  if (!m) return undefined;
  const d: Disposition = { actionMode: m[1]!, sendingMode: m[2]!, type: m[3]!.toLowerCase() };
  if (m[4]) {
    const kind = m[4].toLowerCase();
    d.modifier = {
      kind: kind === 'warning' ? 'warning' : kind === 'failure' ? 'failure' : 'error',
      text: m[5]!.replace(/\s+/g, ' '),
    };
  }
  return d;
}

/** The disposition for a message processed (no error) or refused with an As2Error / code. */
export function dispositionFor(outcome: 'processed' | As2Error | As2ErrorCode): Disposition {
  const base = { actionMode: 'automatic-action', sendingMode: 'MDN-sent-automatically', type: 'processed' };
  if (outcome === 'processed') return base;
  const code = outcome instanceof As2Error ? outcome.code : outcome;
  return { ...base, modifier: { kind: 'error', text: code } };
}

export interface BuildMdnOptions {
  /** The AS2 headers of the message this answers. */
  original: { messageId: string; as2From: string; as2To: string };
  /** `processed`, an As2Error (its code is the modifier), a code, or a full disposition. */
  outcome: 'processed' | As2Error | As2ErrorCode | Disposition;
  /** Received-Content-MIC; give it whenever it was computed (always for `processed`). */
  mic?: Mic;
  /** Message-ID of the MDN itself. */
  messageId: string;
  now: Date;
  reportingUa?: string;
  /** Human-readable part; a default sentence otherwise. Never put secrets here. */
  text?: string;
  /** Sign the MDN (when the request asked for signed-receipt-protocol pkcs7-signature). */
  sign?: SigningKey;
  extraHeaders?: readonly (readonly [string, string])[];
}

export interface BuiltMdn {
  /** HTTP headers: the response headers of a sync MDN, or the request headers of an async one. */
  headers: [string, string][];
  body: Buffer;
}

/** CR, LF and other control characters become spaces (no header injection through partner values). */
function oneLine(s: string): string {
  let out = '';
  for (const ch of s) out += ch < ' ' || ch === '\x7f' ? ' ' : ch;
  return out.replace(/ {2,}/g, ' ').trim();
}

function boundary(): string {
  return `----=_MDN_${randomBytes(12).toString('hex')}`;
}

/**
 * Builds an MDN as a multipart/report (report-type=disposition-notification) with the human part
 * and the message/disposition-notification part, wrapped in multipart/signed when `sign` is given.
 * AS2-From/AS2-To are the original's, swapped.
 */
export function buildMdn(o: BuildMdnOptions): BuiltMdn {
  const disposition =
    typeof o.outcome === 'object' && !(o.outcome instanceof As2Error) ? o.outcome : dispositionFor(o.outcome);
  const ua = oneLine(o.reportingUa ?? 'procurement-gateway AS2');
  // The original's values come from the partner: kept on one line, never refused (a negative MDN
  // must still be written for a message with an odd Message-ID).
  const originalId = `<${oneLine(parseMessageId(o.original.messageId))}>`;
  const recipient = oneLine(o.original.as2To);
  const ok =
    disposition.type === 'processed' && (!disposition.modifier || disposition.modifier.kind === 'warning');
  const text =
    o.text ??
    (ok
      ? `The AS2 message ${originalId} to ${recipient} was received and its integrity was verified as requested.\r\nThis is no guarantee that the message was processed or accepted by the application.\r\n`
      : `The AS2 message ${originalId} to ${recipient} was received but could not be processed: ${disposition.modifier?.text ?? disposition.type}.\r\n` +
        (o.outcome instanceof As2Error ? `${o.outcome.detail}\r\n` : ''));
  const fields: string[] = [
    `Reporting-UA: ${ua}`,
    `Original-Recipient: rfc822; ${recipient}`,
    `Final-Recipient: rfc822; ${recipient}`,
    `Original-Message-ID: ${originalId}`,
    `Disposition: ${formatDisposition(disposition)}`,
  ];
  if (o.mic) fields.push(`Received-Content-MIC: ${formatMic(o.mic)}`);
  const human = buildEntity(
    [
      ['Content-Type', 'text/plain; charset=us-ascii'],
      ['Content-Transfer-Encoding', '7bit'],
    ],
    Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'latin1'),
  );
  const machine = buildEntity(
    [
      ['Content-Type', 'message/disposition-notification'],
      ['Content-Transfer-Encoding', '7bit'],
    ],
    Buffer.from(fields.join('\r\n') + '\r\n', 'latin1'),
  );
  const rb = boundary();
  let entity = buildEntity(
    [['Content-Type', `multipart/report; report-type=disposition-notification; boundary="${rb}"`]],
    buildMultipartBody(rb, [human, machine]),
  );
  if (o.sign) {
    const der = signData(entity, {
      certificate: o.sign.certificate,
      privateKey: o.sign.privateKey,
      digest: o.sign.digest,
      ...(o.sign.scheme ? { scheme: o.sign.scheme } : {}),
      ...(o.sign.chain ? { chain: o.sign.chain } : {}),
      signingTime: o.now,
      detached: true,
    });
    const sig = buildEntity(
      [
        ['Content-Type', 'application/pkcs7-signature; name=smime.p7s; smime-type=signed-data'],
        ['Content-Transfer-Encoding', 'base64'],
        ['Content-Disposition', 'attachment; filename=smime.p7s'],
      ],
      encodeBase64Lines(der),
    );
    const sb = boundary();
    entity = buildEntity(
      [
        [
          'Content-Type',
          `multipart/signed; protocol="application/pkcs7-signature"; micalg=${micalgName(o.sign.digest)}; boundary="${sb}"`,
        ],
      ],
      buildMultipartBody(sb, [entity, sig]),
    );
  }
  const top = parseEntity(entity, { ...DEFAULT_AS2_LIMITS, maxBytes: Number.MAX_SAFE_INTEGER });
  const headers: [string, string][] = [
    ['AS2-Version', '1.2'],
    ['AS2-From', quoteAs2Name(o.original.as2To)],
    ['AS2-To', quoteAs2Name(o.original.as2From)],
    ['Message-ID', formatMessageId(o.messageId)],
    ['Date', formatDate(o.now)],
    ['Subject', `Message Disposition Notification`],
    ['MIME-Version', '1.0'],
    ...top.headers.map((h): [string, string] => [h.name, h.value]),
    ...(o.extraHeaders ?? []).map((h): [string, string] => [h[0], h[1]]),
  ];
  return { headers, body: top.body };
}

export interface ParsedMdn {
  signed: boolean;
  signer?: As2Certificate;
  /** The MDN's own Message-ID and AS2 names, when present. */
  messageId?: string;
  as2From?: string;
  as2To?: string;
  originalMessageId?: string;
  finalRecipient?: string;
  reportingUa?: string;
  disposition: Disposition;
  /** Processed without error or failure (warnings allowed). */
  processed: boolean;
  receivedContentMic?: { digest: string; algorithmName: string; algorithm?: Mic['algorithm'] };
  /** The human-readable part. */
  text: string;
  /** All fields of the message/disposition-notification part. */
  fields: Header[];
}

export interface ParseMdnOptions {
  /** The partner's certificates (those valid at `now` verify the MDN's signature). */
  partnerCertificates: readonly As2Certificate[];
  now: Date;
  /** Refuse an unsigned MDN (when we asked for a signed one). */
  requireSigned?: boolean;
  limits?: Partial<As2Limits>;
}

/**
 * Reads an MDN (sync: the HTTP response; async: the POST we received). A signature is verified
 * against the partner's certificates; errors are As2Error (authentication-failed,
 * integrity-check-failed, insufficient-message-security when unsigned but required,
 * unexpected-processing-error when malformed).
 */
export function parseMdn(
  http: { headers: Header[] | Record<string, string | string[] | undefined>; body: Uint8Array },
  opts: ParseMdnOptions,
): ParsedMdn {
  const limits: As2Limits = { ...DEFAULT_AS2_LIMITS, ...opts.limits };
  const headers = Array.isArray(http.headers) ? http.headers : toHeaders(http.headers);
  let entity: MimeEntity = entityFromParts(headers, Buffer.from(http.body));
  let signed = false;
  let signer: As2Certificate | undefined;
  const mt = entity.contentType.mediaType;
  if (mt === 'multipart/signed') {
    const parts = parseMultipart(entity, limits);
    if (parts.length !== 2)
      throw new As2Error('unexpected-processing-error', 'malformed', 'signed MDN without two parts');
    const [content, sig] = parts as [MimeEntity, MimeEntity];
    const canonical = canonicalize(content.raw);
    const r = verifySignedData(decodeBody(sig), {
      trusted: opts.partnerCertificates,
      now: opts.now,
      detachedCandidates: canonical === content.raw ? [content.raw] : [content.raw, canonical],
      limits,
    });
    signed = true;
    signer = r.signer.certificate;
    entity = r.candidate === 1 ? parseEntity(canonical, limits) : content;
  } else if (mt === 'application/pkcs7-mime' || mt === 'application/x-pkcs7-mime') {
    const der = decodeBody(entity);
    const type = readContentInfo(der, limits).type;
    if (type !== OID.signedData)
      throw new As2Error('unexpected-processing-error', 'malformed', `MDN in CMS ${describeOid(type)}`);
    const r = verifySignedData(der, { trusted: opts.partnerCertificates, now: opts.now, limits });
    signed = true;
    signer = r.signer.certificate;
    entity = parseEntity(r.content, limits);
  }
  if (!signed && opts.requireSigned)
    throw new As2Error(
      'insufficient-message-security',
      'policy',
      'a signed MDN was requested; this one is unsigned',
    );
  if (entity.contentType.mediaType !== 'multipart/report')
    throw new As2Error(
      'unexpected-processing-error',
      'malformed',
      `MDN of type ${entity.contentType.mediaType}`,
    );
  const parts = parseMultipart(entity, limits);
  const report = parts.find((p) => p.contentType.mediaType === 'message/disposition-notification');
  if (!report)
    throw new As2Error(
      'unexpected-processing-error',
      'malformed',
      'no message/disposition-notification part',
    );
  const humanPart = parts.find((p) => p !== report && p.contentType.mediaType.startsWith('text/'));
  let reportBody = decodeBody(report);
  // The fields form a header section; make sure it is terminated so parseEntity reads them all.
  reportBody = Buffer.concat([reportBody, Buffer.from('\r\n\r\n')]);
  const fields = parseEntity(reportBody, limits).headers;
  const f = (name: string): string | undefined => headerValue(fields, name);
  const dispValue = f('disposition');
  const disposition = dispValue ? parseDisposition(dispValue) : undefined;
  if (!disposition)
    throw new As2Error('unexpected-processing-error', 'malformed', 'MDN without a readable Disposition');
  const micValue = f('received-content-mic');
  const receivedContentMic = micValue ? parseMic(micValue) : undefined;
  const finalRecipient = f('final-recipient')?.replace(/^\s*rfc822\s*;\s*/i, '');
  const originalMessageId = f('original-message-id');
  const mdnId = headerValue(headers, 'message-id');
  const from = headerValue(headers, 'as2-from');
  const to = headerValue(headers, 'as2-to');
  const ua = f('reporting-ua');
  return {
    signed,
    ...(signer ? { signer } : {}),
    ...(mdnId ? { messageId: parseMessageId(mdnId) } : {}),
    ...(from ? { as2From: unquoteAs2Name(from) } : {}),
    ...(to ? { as2To: unquoteAs2Name(to) } : {}),
    ...(originalMessageId ? { originalMessageId: parseMessageId(originalMessageId) } : {}),
    ...(finalRecipient ? { finalRecipient } : {}),
    ...(ua ? { reportingUa: ua } : {}),
    disposition,
    processed:
      disposition.type === 'processed' && (!disposition.modifier || disposition.modifier.kind === 'warning'),
    ...(receivedContentMic ? { receivedContentMic } : {}),
    text: humanPart ? decodeBody(humanPart).toString('utf8') : '',
    fields,
  };
}

export interface MdnCheck {
  /** The MDN answers our message, says processed, and returns our MIC. */
  ok: boolean;
  problems: string[];
}

/** Holds a parsed MDN against what we sent (Message-ID and the MIC buildAs2Message returned). */
export function checkMdn(mdn: ParsedMdn, sent: { messageId: string; mic: Mic }): MdnCheck {
  const problems: string[] = [];
  if (mdn.originalMessageId !== parseMessageId(sent.messageId))
    problems.push(
      `answers Original-Message-ID <${mdn.originalMessageId ?? ''}>, not <${parseMessageId(sent.messageId)}>`,
    );
  if (!mdn.processed) problems.push(`disposition: ${formatDisposition(mdn.disposition)}`);
  if (mdn.processed) {
    if (!mdn.receivedContentMic) problems.push('no Received-Content-MIC');
    else if (!micEquals(sent.mic, mdn.receivedContentMic))
      problems.push(
        `Received-Content-MIC ${mdn.receivedContentMic.digest}, ${mdn.receivedContentMic.algorithmName} differs from ours ${formatMic(sent.mic)}`,
      );
  }
  return { ok: problems.length === 0, problems };
}
