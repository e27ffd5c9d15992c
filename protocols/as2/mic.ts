/**
 * Message Integrity Check (RFC 4130 7.3.1, RFC 5402 4) and the Disposition-Notification-Options
 * header that negotiates its algorithm (RFC 4130 7.3).
 */
import { createHash } from 'node:crypto';
import { DIGESTS, digestFromName, micalgName, type DigestAlgorithm } from './algorithms';

export interface Mic {
  /** Base64 of the digest. */
  digest: string;
  algorithm: DigestAlgorithm;
}

export function computeMic(bytes: Uint8Array, algorithm: DigestAlgorithm): Mic {
  return { digest: createHash(algorithm).update(bytes).digest('base64'), algorithm };
}

/** `base64, sha-256`, the Received-Content-MIC field value. */
export function formatMic(mic: Mic): string {
  return `${mic.digest}, ${micalgName(mic.algorithm)}`;
}

/** Reads `digest, algorithm`; the algorithm in any spelling digestFromName knows. */
export function parseMic(
  value: string,
): { digest: string; algorithmName: string; algorithm?: DigestAlgorithm } | undefined {
  const comma = value.lastIndexOf(',');
  if (comma < 0) return undefined;
  const digest = value.slice(0, comma).replace(/\s+/g, '');
  const algorithmName = value.slice(comma + 1).trim();
  if (!digest) return undefined;
  const algorithm = digestFromName(algorithmName);
  return { digest, algorithmName, ...(algorithm ? { algorithm } : {}) };
}

export function micEquals(a: Mic, b: { digest: string; algorithm?: DigestAlgorithm }): boolean {
  return a.algorithm === b.algorithm && a.digest === b.digest;
}

export interface NotificationOption {
  importance: 'required' | 'optional';
  values: string[];
}

export interface DispositionNotificationOptions {
  signedReceiptProtocol?: NotificationOption;
  signedReceiptMicalg?: NotificationOption;
}

/**
 * Parses `signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-256, sha1`.
 * Names are case-insensitive; unknown parameters are ignored; an importance other than
 * required/optional counts as optional.
 */
export function parseDispositionNotificationOptions(
  value: string | undefined,
): DispositionNotificationOptions {
  const out: DispositionNotificationOptions = {};
  if (!value) return out;
  for (const param of value.split(';')) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    const name = param.slice(0, eq).trim().toLowerCase();
    const items = param
      .slice(eq + 1)
      .split(',')
      .map((s) => s.trim().replace(/^"(.*)"$/, '$1'))
      .filter(Boolean);
    if (items.length === 0) continue;
    const first = items[0]!.toLowerCase();
    const option: NotificationOption = {
      importance: first === 'required' ? 'required' : 'optional',
      values: first === 'required' || first === 'optional' ? items.slice(1) : items,
    };
    if (name === 'signed-receipt-protocol') out.signedReceiptProtocol = option;
    else if (name === 'signed-receipt-micalg') out.signedReceiptMicalg = option;
  }
  return out;
}

export function formatDispositionNotificationOptions(opts: {
  signed: boolean;
  micAlgorithms: readonly DigestAlgorithm[];
  importance?: 'required' | 'optional';
}): string {
  const imp = opts.importance ?? 'optional';
  const algs = opts.micAlgorithms.map(micalgName).join(', ');
  const parts = [];
  if (opts.signed) parts.push(`signed-receipt-protocol=${imp}, pkcs7-signature`);
  parts.push(`signed-receipt-micalg=${imp}, ${algs}`);
  return parts.join('; ');
}

export interface ReceiptRequest {
  /** The sender asked for a signed receipt (pkcs7-signature). */
  signed: boolean;
  /** ... and said it is required (RFC 4130: answer unsigned with a warning or fail when we cannot). */
  signedRequired: boolean;
  /** MIC algorithm for Received-Content-MIC: the first requested one we implement. */
  micAlgorithm: DigestAlgorithm;
  /** The sender required its algorithms and we implement none of them. */
  micAlgorithmUnsupported: boolean;
}

/**
 * What the sender of a message asked for. Without a usable signed-receipt-micalg the MIC uses
 * `fallback` (the digest the message was signed with, else SHA-256).
 */
export function negotiateReceipt(
  options: DispositionNotificationOptions | string | undefined,
  fallback: DigestAlgorithm = 'sha256',
): ReceiptRequest {
  const o =
    typeof options === 'string' || options === undefined
      ? parseDispositionNotificationOptions(options)
      : options;
  const protocols = (o.signedReceiptProtocol?.values ?? []).map((v) => v.toLowerCase());
  const signed = protocols.includes('pkcs7-signature');
  let micAlgorithm: DigestAlgorithm | undefined;
  for (const v of o.signedReceiptMicalg?.values ?? []) {
    const d = digestFromName(v);
    if (d && DIGESTS.includes(d)) {
      micAlgorithm = d;
      break;
    }
  }
  return {
    signed,
    signedRequired: signed && o.signedReceiptProtocol?.importance === 'required',
    micAlgorithm: micAlgorithm ?? fallback,
    micAlgorithmUnsupported:
      micAlgorithm === undefined &&
      o.signedReceiptMicalg?.importance === 'required' &&
      (o.signedReceiptMicalg?.values.length ?? 0) > 0,
  };
}
