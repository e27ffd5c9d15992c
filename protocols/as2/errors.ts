/**
 * One error type for the AS2 codec. `code` is the RFC 4130 / RFC 5402 disposition modifier a negative
 * MDN carries for it (`Disposition: automatic-action/MDN-sent-automatically; processed/error: <code>`),
 * so a receiver answers `mdnFor(error)` without a second mapping. `reason` says more precisely what
 * went wrong, for logs and tests; `detail` is a human sentence (never secret material).
 */
export type As2ErrorCode =
  /** The signer is not one of the partner's certificates valid now, or its signature does not verify. */
  | 'authentication-failed'
  /** Not encrypted for any of our certificates, or the content could not be decrypted. */
  | 'decryption-failed'
  /** The signature verifies over the signed attributes but the content digest differs (tampering). */
  | 'integrity-check-failed'
  /** RFC 5402: the compressed layer could not be inflated (corrupt, or over the size limit). */
  | 'decompression-failed'
  /** The message lacks a protection the partner's policy requires (unsigned, unencrypted, weak algorithm). */
  | 'insufficient-message-security'
  /** Malformed MIME or CMS structure, a size/part limit, an algorithm we do not implement. */
  | 'unexpected-processing-error';

export type As2ErrorReason =
  | 'unknown-signer'
  | 'certificate-not-valid'
  | 'signature-invalid'
  | 'digest-mismatch'
  | 'no-signer-info'
  | 'no-recipient'
  | 'key-unwrap-failed'
  | 'content-decryption-failed'
  | 'inflate-failed'
  | 'policy'
  | 'malformed'
  | 'limit'
  | 'unsupported-algorithm'
  | 'bad-password'
  | 'key-mismatch';

export class As2Error extends Error {
  override readonly name = 'As2Error';
  constructor(
    readonly code: As2ErrorCode,
    readonly reason: As2ErrorReason,
    readonly detail: string,
  ) {
    super(`${code} (${reason}): ${detail}`);
  }
}

/** Wraps anything thrown inside a layer into an As2Error of that layer's code (As2Errors pass through). */
export function asAs2Error(err: unknown, code: As2ErrorCode, reason: As2ErrorReason, what: string): As2Error {
  if (err instanceof As2Error) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new As2Error(code, reason, `${what}: ${msg}`);
}
