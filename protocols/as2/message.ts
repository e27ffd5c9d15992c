/**
 * AS2 messages: building an outbound one (payload entity, optional compression before or after
 * signing, detached signature, encryption, AS2 headers) and unwrapping an inbound one layer by
 * layer, reporting every layer so the caller can hold it against the partner's policy.
 */
import { randomBytes } from 'node:crypto';
import {
  type ContentEncryption,
  type DigestAlgorithm,
  type KeyTransport,
  type SignatureScheme,
  OID,
  describeOid,
  micalgName,
} from './algorithms';
import type { As2Certificate } from './certificates';
import {
  type DecryptionKey,
  compressData,
  decompressData,
  decryptData,
  encryptData,
  readContentInfo,
  signData,
  verifySignedData,
} from './cms';
import { As2Error } from './errors';
import { formatDate, formatMessageId, quoteAs2Name } from './headers';
import { type Mic, computeMic, formatDispositionNotificationOptions, negotiateReceipt } from './mic';
import {
  type ContentType,
  type Header,
  type MimeEntity,
  type MimeLimits,
  DEFAULT_MIME_LIMITS,
  buildEntity,
  buildMultipartBody,
  canonicalize,
  decodeBody,
  encodeBase64Lines,
  encodeQuotedPrintable,
  entityFromParts,
  formatParam,
  headerValue,
  parseEntity,
  parseHeaderParams,
  parseMultipart,
  toHeaders,
} from './mime';

export type TransferEncoding = 'binary' | 'base64' | 'quoted-printable' | '7bit' | '8bit';

export interface As2Limits extends MimeLimits {
  /** Most bytes a compressed layer may inflate to. */
  maxDecompressedBytes: number;
}

export const DEFAULT_AS2_LIMITS: As2Limits = {
  ...DEFAULT_MIME_LIMITS,
  maxDecompressedBytes: 64 * 1024 * 1024,
};

// ---------------------------------------------------------------------------------------------
// Outbound

export interface SigningKey {
  certificate: As2Certificate;
  privateKey: import('node:crypto').KeyObject;
  digest: DigestAlgorithm;
  scheme?: SignatureScheme;
  chain?: readonly As2Certificate[];
}

export interface OutboundOptions {
  payload: Uint8Array;
  /** e.g. application/edi-x12, application/edifact, application/xml, application/octet-stream. */
  contentType: string;
  fileName?: string;
  /** Of the payload entity; default binary. */
  transferEncoding?: TransferEncoding;
  as2From: string;
  as2To: string;
  /** With or without angle brackets. */
  messageId: string;
  /** For the Date header and the signingTime attribute (codecs read no clock). */
  now: Date;
  subject?: string;
  sign?: SigningKey;
  encrypt?: {
    certificates: readonly As2Certificate[];
    algorithm: ContentEncryption;
    keyTransport?: KeyTransport;
  };
  /** RFC 5402: compress the payload before signing (the signature covers the compressed entity) or after. */
  compress?: 'before-signing' | 'after-signing';
  /** Transfer encoding of CMS entities nested inside others (compressed inside signed, ...); default base64. */
  innerTransferEncoding?: 'binary' | 'base64';
  /** Ask for an MDN. */
  receipt?: {
    signed: boolean;
    /** Preference order; default [sha256]. The first is the one the MIC below is computed with. */
    micAlgorithms?: readonly DigestAlgorithm[];
    /** Asynchronous MDN to this URL (Receipt-Delivery-Option); absent: synchronous. */
    asyncUrl?: string;
    /** Disposition-Notification-To value; default the AS2-From name. */
    to?: string;
  };
  /** More header fields (User-Agent, EDIINT-Features, ...). */
  extraHeaders?: readonly (readonly [string, string])[];
}

export interface OutboundMessage {
  /** HTTP request headers (Content-Type included). */
  headers: [string, string][];
  body: Buffer;
  /** The Received-Content-MIC a correct MDN returns (over the first requested MIC algorithm). */
  mic: Mic;
  messageId: string;
}

function contentDisposition(name: string): string {
  return `attachment; ${formatParam('filename', name)}`;
}

function encodeBody(data: Uint8Array, te: TransferEncoding): Buffer {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (te === 'base64') return encodeBase64Lines(b);
  if (te === 'quoted-printable') return encodeQuotedPrintable(b);
  return b;
}

function cmsEntity(der: Buffer, smimeType: string, name: string, te: 'binary' | 'base64'): Buffer {
  return buildEntity(
    [
      ['Content-Type', `application/pkcs7-mime; smime-type=${smimeType}; name=${name}`],
      ['Content-Transfer-Encoding', te],
      ['Content-Disposition', contentDisposition(name)],
    ],
    te === 'base64' ? encodeBase64Lines(der) : der,
  );
}

function splitEntity(entity: Buffer): { headers: [string, string][]; body: Buffer } {
  const e = parseEntity(entity, { ...DEFAULT_MIME_LIMITS, maxBytes: Number.MAX_SAFE_INTEGER });
  return { headers: e.headers.map((h) => [h.name, h.value]), body: e.body };
}

/**
 * Builds an AS2 message. Layers, inside out: payload entity; CompressedData when
 * compress = before-signing (or compress without signing); multipart/signed; CompressedData when
 * compress = after-signing; EnvelopedData / AuthEnvelopedData. The returned `mic` is what RFC 4130
 * 7.3.1 makes the receiver compute: over the signed entity when signed, over the payload entity
 * (MIME headers and content) when only encrypted and/or compressed, over the content alone when
 * neither.
 */
export function buildAs2Message(o: OutboundOptions): OutboundMessage {
  const te = o.transferEncoding ?? 'binary';
  const inner = o.innerTransferEncoding ?? 'base64';
  const micAlgorithm = o.receipt?.micAlgorithms?.[0] ?? o.sign?.digest ?? 'sha256';
  const payloadHeaders: [string, string][] = [
    ['Content-Type', o.contentType],
    ['Content-Transfer-Encoding', te],
  ];
  if (o.fileName) payloadHeaders.push(['Content-Disposition', contentDisposition(o.fileName)]);
  const payloadBody = encodeBody(o.payload, te);
  const payloadEntity = buildEntity(payloadHeaders, payloadBody);
  let current = payloadEntity;
  let mic: Mic | undefined;

  const compress = (): void => {
    current = cmsEntity(compressData(current), 'compressed-data', 'smime.p7z', inner);
  };
  if (o.compress && (o.compress === 'before-signing' || !o.sign)) compress();
  if (o.sign) {
    mic = computeMic(current, micAlgorithm);
    const der = signData(current, {
      certificate: o.sign.certificate,
      privateKey: o.sign.privateKey,
      digest: o.sign.digest,
      ...(o.sign.scheme ? { scheme: o.sign.scheme } : {}),
      ...(o.sign.chain ? { chain: o.sign.chain } : {}),
      signingTime: o.now,
      detached: true,
    });
    const sigEntity = buildEntity(
      [
        ['Content-Type', 'application/pkcs7-signature; name=smime.p7s; smime-type=signed-data'],
        ['Content-Transfer-Encoding', 'base64'],
        ['Content-Disposition', contentDisposition('smime.p7s')],
      ],
      encodeBase64Lines(der),
    );
    const boundary = `----=_Part_${randomBytes(12).toString('hex')}`;
    current = buildEntity(
      [
        [
          'Content-Type',
          `multipart/signed; protocol="application/pkcs7-signature"; micalg=${micalgName(o.sign.digest)}; boundary="${boundary}"`,
        ],
      ],
      buildMultipartBody(boundary, [current, sigEntity]),
    );
    if (o.compress === 'after-signing') compress();
  }
  if (o.encrypt) {
    const der = encryptData(current, {
      recipients: o.encrypt.certificates,
      algorithm: o.encrypt.algorithm,
      ...(o.encrypt.keyTransport ? { keyTransport: o.encrypt.keyTransport } : {}),
    });
    const smime = o.encrypt.algorithm.endsWith('-gcm') ? 'authEnveloped-data' : 'enveloped-data';
    current = cmsEntity(der, smime, 'smime.p7m', 'binary');
  }
  if (!mic) mic = computeMic(o.encrypt || o.compress ? payloadEntity : payloadBody, micAlgorithm);

  const top = splitEntity(current);
  const messageId = formatMessageId(o.messageId);
  const headers: [string, string][] = [
    ['AS2-Version', '1.2'],
    ['AS2-From', quoteAs2Name(o.as2From)],
    ['AS2-To', quoteAs2Name(o.as2To)],
    ['Message-ID', messageId],
    ['Date', formatDate(o.now)],
    ['Subject', o.subject ?? 'AS2 message'],
    ['MIME-Version', '1.0'],
    ...top.headers,
  ];
  if (o.receipt) {
    headers.push(['Disposition-Notification-To', o.receipt.to ?? o.as2From]);
    headers.push([
      'Disposition-Notification-Options',
      formatDispositionNotificationOptions({
        signed: o.receipt.signed,
        micAlgorithms: o.receipt.micAlgorithms ?? [micAlgorithm],
      }),
    ]);
    if (o.receipt.asyncUrl) headers.push(['Receipt-Delivery-Option', o.receipt.asyncUrl]);
  }
  for (const h of o.extraHeaders ?? []) headers.push([h[0], h[1]]);
  return { headers, body: top.body, mic, messageId: messageId.slice(1, -1) };
}

// ---------------------------------------------------------------------------------------------
// Inbound

export type Layer =
  | {
      kind: 'encrypted';
      /** EnvelopedData or AuthEnvelopedData. */
      structure: 'enveloped-data' | 'auth-enveloped-data';
      algorithm: ContentEncryption;
      keyTransport: KeyTransport;
      /** Our certificate it was encrypted for. */
      recipient: As2Certificate;
    }
  | {
      kind: 'signed';
      /** multipart/signed (detached) or application/pkcs7-mime signed-data (enveloping). */
      detached: boolean;
      digest: DigestAlgorithm;
      scheme: SignatureScheme;
      signer: As2Certificate;
      signingTime?: Date;
      /** The micalg parameter of multipart/signed, as sent. */
      micalg?: string;
      /** The signed entity verified only after bare LF was turned into CRLF. */
      canonicalized: boolean;
    }
  | { kind: 'compressed'; algorithm: 'zlib'; compressedBytes: number; uncompressedBytes: number };

export interface UnwrapOptions {
  /** Our certificates with their keys (several during our own key rollover). */
  decryptionKeys: readonly DecryptionKey[];
  /** The partner's certificates; those valid at `now` verify. */
  partnerCertificates: readonly As2Certificate[];
  now: Date;
  limits?: Partial<As2Limits>;
  /**
   * The MIC algorithm; default: negotiated from the request's Disposition-Notification-Options
   * (falling back to the signature's digest, else SHA-256).
   */
  micAlgorithm?: DigestAlgorithm;
}

export interface As2Payload {
  contentType: ContentType;
  /** The payload entity's header fields (empty when the innermost content had no MIME headers). */
  headers: Header[];
  /** Transfer-decoded content. */
  content: Buffer;
  fileName?: string;
}

export interface UnwrapResult {
  /** Outermost first. */
  layers: Layer[];
  encrypted: boolean;
  signed: boolean;
  compressed: boolean;
  signer?: As2Certificate;
  payload: As2Payload;
  /** The Received-Content-MIC for the MDN. */
  mic: Mic;
  /** What the MIC covers (RFC 4130 7.3.1 / RFC 5402 4). */
  micCovers: 'signed-entity' | 'payload-entity' | 'content';
}

const PKCS7_MIME = new Set(['application/pkcs7-mime', 'application/x-pkcs7-mime']);
const PKCS7_SIGNATURE = new Set(['application/pkcs7-signature', 'application/x-pkcs7-signature']);

/**
 * Unwraps an inbound AS2 message given its HTTP headers and body: decrypts, verifies, inflates in
 * whatever order the layers come (each at most once), then returns the payload, every layer and
 * the MIC to return. Throws As2Error whose `code` is the MDN disposition modifier.
 */
export function unwrapAs2Message(
  http: {
    headers: Iterable<readonly [string, string]> | Record<string, string | string[] | undefined> | Header[];
    body: Uint8Array;
  },
  opts: UnwrapOptions,
): UnwrapResult {
  const limits: As2Limits = { ...DEFAULT_AS2_LIMITS, ...opts.limits };
  const headers =
    Array.isArray(http.headers) && http.headers.every((h) => h && typeof h === 'object' && 'name' in h)
      ? http.headers
      : toHeaders(http.headers as Record<string, string>);
  const body = Buffer.from(http.body.buffer, http.body.byteOffset, http.body.byteLength);
  if (body.length > limits.maxBytes)
    throw new As2Error(
      'unexpected-processing-error',
      'limit',
      `body of ${body.length} bytes is over ${limits.maxBytes}`,
    );
  let entity: MimeEntity = entityFromParts(headers, body);
  const layers: Layer[] = [];
  const seen = new Set<Layer['kind']>();
  let signedEntity: Buffer | undefined;
  let headerless = false;

  const enter = (kind: Layer['kind']): void => {
    if (seen.has(kind))
      throw new As2Error(
        'unexpected-processing-error',
        'malformed',
        `a second ${kind} layer (each may appear once)`,
      );
    seen.add(kind);
  };
  const innerEntity = (content: Buffer): MimeEntity => {
    try {
      return parseEntity(content, limits);
    } catch (err) {
      if (err instanceof As2Error && err.reason === 'malformed') {
        // Some products put the bare payload inside the CMS layer, without MIME headers.
        headerless = true;
        return {
          headers: [],
          raw: content,
          body: content,
          contentType: { mediaType: 'application/octet-stream', params: {} },
          transferEncoding: 'binary',
        };
      }
      throw err;
    }
  };

  for (;;) {
    const mediaType = entity.contentType.mediaType;
    if (PKCS7_MIME.has(mediaType)) {
      const der = decodeBody(entity);
      let type: string;
      try {
        type = readContentInfo(der, limits).type;
      } catch (err) {
        throw new As2Error(
          'unexpected-processing-error',
          'malformed',
          `${mediaType}: ${(err as Error).message}`,
        );
      }
      if (type === OID.envelopedData || type === OID.authEnvelopedData) {
        enter('encrypted');
        const r = decryptData(der, opts.decryptionKeys, limits);
        layers.push({
          kind: 'encrypted',
          structure: type === OID.authEnvelopedData ? 'auth-enveloped-data' : 'enveloped-data',
          algorithm: r.algorithm,
          keyTransport: r.keyTransport,
          recipient: r.recipient,
        });
        entity = innerEntity(r.content);
      } else if (type === OID.signedData) {
        enter('signed');
        const r = verifySignedData(der, { trusted: opts.partnerCertificates, now: opts.now, limits });
        layers.push({
          kind: 'signed',
          detached: false,
          digest: r.signer.digest,
          scheme: r.signer.scheme,
          signer: r.signer.certificate,
          ...(r.signer.signingTime ? { signingTime: r.signer.signingTime } : {}),
          canonicalized: false,
        });
        signedEntity = r.content;
        entity = innerEntity(r.content);
      } else if (type === OID.compressedData) {
        enter('compressed');
        const out = decompressData(der, limits.maxDecompressedBytes, limits);
        layers.push({
          kind: 'compressed',
          algorithm: 'zlib',
          compressedBytes: der.length,
          uncompressedBytes: out.length,
        });
        entity = innerEntity(out);
      } else {
        throw new As2Error(
          'unexpected-processing-error',
          'unsupported-algorithm',
          `CMS content type ${describeOid(type)}`,
        );
      }
      continue;
    }
    if (mediaType === 'multipart/signed') {
      enter('signed');
      const parts = parseMultipart(entity, limits);
      if (parts.length !== 2)
        throw new As2Error(
          'unexpected-processing-error',
          'malformed',
          `multipart/signed with ${parts.length} parts`,
        );
      const [content, sig] = parts as [MimeEntity, MimeEntity];
      if (!PKCS7_SIGNATURE.has(sig.contentType.mediaType))
        throw new As2Error(
          'unexpected-processing-error',
          'unsupported-algorithm',
          `signature part of type ${sig.contentType.mediaType}`,
        );
      const asReceived = content.raw;
      const canonical = canonicalize(asReceived);
      const candidates = canonical === asReceived ? [asReceived] : [asReceived, canonical];
      const r = verifySignedData(decodeBody(sig), {
        trusted: opts.partnerCertificates,
        now: opts.now,
        detachedCandidates: candidates,
        limits,
      });
      const micalg = entity.contentType.params.micalg;
      layers.push({
        kind: 'signed',
        detached: true,
        digest: r.signer.digest,
        scheme: r.signer.scheme,
        signer: r.signer.certificate,
        ...(r.signer.signingTime ? { signingTime: r.signer.signingTime } : {}),
        ...(micalg ? { micalg } : {}),
        canonicalized: r.candidate === 1,
      });
      signedEntity = r.content;
      entity = r.candidate === 1 ? parseEntity(canonical, limits) : content;
      continue;
    }
    break;
  }

  const signedLayer = layers.find((l): l is Extract<Layer, { kind: 'signed' }> => l.kind === 'signed');
  const micAlgorithm =
    opts.micAlgorithm ??
    negotiateReceipt(
      headerValue(headers, 'disposition-notification-options'),
      signedLayer?.digest ?? 'sha256',
    ).micAlgorithm;
  let micCovers: UnwrapResult['micCovers'];
  let micBytes: Buffer;
  if (signedEntity) {
    micCovers = 'signed-entity';
    micBytes = signedEntity;
  } else if (layers.length > 0) {
    micCovers = headerless ? 'content' : 'payload-entity';
    micBytes = entity.raw;
  } else {
    micCovers = 'content';
    micBytes = entity.body;
  }
  const disposition = headerValue(entity.headers, 'content-disposition');
  const fileName = disposition ? parseHeaderParams(disposition).params.filename : undefined;
  return {
    layers,
    encrypted: seen.has('encrypted'),
    signed: seen.has('signed'),
    compressed: seen.has('compressed'),
    ...(signedLayer ? { signer: signedLayer.signer } : {}),
    payload: {
      contentType: entity.contentType,
      headers: headerless ? [] : entity.headers,
      content: decodeBody(entity),
      ...(fileName ? { fileName } : {}),
    },
    mic: computeMic(micBytes, micAlgorithm),
    micCovers,
  };
}

export interface As2Policy {
  requireSigned?: boolean;
  requireEncrypted?: boolean;
  /** Signature digests accepted (e.g. no sha1 for a modern partner). */
  allowedDigests?: readonly DigestAlgorithm[];
  allowedCiphers?: readonly ContentEncryption[];
}

/** Holds an unwrapped message against a partner's policy; throws As2Error(insufficient-message-security). */
export function checkPolicy(result: UnwrapResult, policy: As2Policy): void {
  const refuse = (detail: string): never => {
    throw new As2Error('insufficient-message-security', 'policy', detail);
  };
  if (policy.requireSigned && !result.signed)
    refuse('the partner must sign its messages; this one is unsigned');
  if (policy.requireEncrypted && !result.encrypted)
    refuse('the partner must encrypt its messages; this one is not');
  for (const l of result.layers) {
    if (l.kind === 'signed' && policy.allowedDigests && !policy.allowedDigests.includes(l.digest))
      refuse(`signature digest ${l.digest} is not allowed for this partner`);
    if (l.kind === 'encrypted' && policy.allowedCiphers && !policy.allowedCiphers.includes(l.algorithm))
      refuse(`encryption ${l.algorithm} is not allowed for this partner`);
  }
}
