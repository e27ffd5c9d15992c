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

const REDACTED = '[redacted]';
/** Longest path an access line keeps (a path is the client's to choose). */
const MAX_LOGGED_PATH = 1000;

/**
 * The path of a request as the access log may show it: the query string is dropped (approval link
 * tokens, OCI logins by GET, a key pasted as ?key=), the segment after /punchout/start/ and
 * /punchout/s/ (start and browser session tokens) is replaced, and so is any segment holding an API
 * key (gwk_). Express matches routes ignoring case, so the comparison does too; one pass, no regex.
 */
export function loggablePath(url: string): string {
  const q = url.indexOf('?');
  const parts = (q < 0 ? url : url.slice(0, q)).split('/');
  let before = '';
  let last = '';
  for (let i = 0; i < parts.length; i++) {
    const segment = parts[i] as string;
    if (segment === '') continue;
    const lower = segment.toLowerCase();
    if ((before === 'punchout' && (last === 'start' || last === 's')) || lower.includes('gwk_'))
      parts[i] = REDACTED;
    before = last;
    last = lower;
  }
  const path = parts.join('/');
  return path.length > MAX_LOGGED_PATH ? `${path.slice(0, MAX_LOGGED_PATH)}…` : path;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { svc: 'gateway' } },
    destination,
  );
}
