import pino from 'pino';

/** Paths that may carry secrets; pino replaces them before anything is written. */
export const REDACT_PATHS = [
  'password',
  'sharedSecret',
  'secret',
  'token',
  'key',
  'authorization',
  '*.password',
  '*.sharedSecret',
  '*.secret',
  '*.token',
  '*.key',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'cxml.sharedSecret',
  'oci.password',
  'body.cxml.sharedSecret',
  'body.oci.password',
];

export type Logger = pino.Logger;

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { svc: 'gateway' } },
    destination,
  );
}
