import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptUnbounded = promisify(scryptCb) as (
  pw: string,
  salt: Buffer,
  keylen: number,
  opts: object,
) => Promise<Buffer>;

/** Thrown when more secret checks wait than SECRET_VERIFY_QUEUE allows: answer 503, retry later. */
export class SecretCheckBusyError extends Error {
  constructor() {
    super('too many secret checks are waiting; try again shortly');
    this.name = 'SecretCheckBusyError';
  }
}

/**
 * scrypt runs on libuv's thread pool (4 threads, shared with file and DNS work). At most
 * `concurrency` hashes run at once and at most `queue` wait; more are refused at once, so a flood of
 * bad credentials cannot occupy every thread or grow a queue without end. A secret verified before
 * is recognised without hashing (below), so good partners do not wait behind the flood.
 */
const hashing = { concurrency: 2, queue: 64, running: 0, waiting: [] as (() => void)[] };

export function configureSecretHashing(opts: { concurrency: number; queue: number }): void {
  hashing.concurrency = Math.max(1, opts.concurrency);
  hashing.queue = Math.max(0, opts.queue);
}

/** Secret checks running and waiting now (for tests and metrics). */
export function secretHashingLoad(): { running: number; waiting: number } {
  return { running: hashing.running, waiting: hashing.waiting.length };
}

async function scrypt(pw: string, salt: Buffer, keylen: number, opts: object): Promise<Buffer> {
  if (hashing.running >= hashing.concurrency) {
    if (hashing.waiting.length >= hashing.queue) throw new SecretCheckBusyError();
    await new Promise<void>((resolve) => hashing.waiting.push(resolve));
  } else hashing.running++;
  try {
    return await scryptUnbounded(pw, salt, keylen, opts);
  } finally {
    // Hand the slot straight to the next waiter (running stays the same), or free it.
    const next = hashing.waiting.shift();
    if (next) next();
    else hashing.running--;
  }
}
const N = 16384;
const R = 8;
const P = 1;
const KEYLEN = 32;

/** scrypt hash in the form `scrypt$N$r$p$salt$hash` (base64url). */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptUnbounded(secret, salt, KEYLEN, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', N, R, P, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

// Positive verifications are remembered by a digest of (stored hash, candidate): a hit proves the
// candidate was verified against exactly this stored hash before. No secret is kept in memory.
const verified = new Map<string, true>();
const VERIFIED_MAX = 10000;

/** Whether the candidate was verified against this stored hash before (no hashing, no waiting). */
export function verifiedBefore(candidate: string, stored: string | null | undefined): boolean {
  if (!stored) return false;
  return verified.has(createHash('sha256').update(stored).update('\0').update(candidate).digest('base64url'));
}

/** Constant-time check of a candidate secret against a stored scrypt hash. */
export async function verifySecret(candidate: string, stored: string | null | undefined): Promise<boolean> {
  if (!stored) {
    // Same work as a real check, so a missing partner is not faster to detect than a wrong secret.
    await scrypt(candidate, Buffer.alloc(16), KEYLEN, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 });
    return false;
  }
  const cacheKey = createHash('sha256').update(stored).update('\0').update(candidate).digest('base64url');
  if (verified.has(cacheKey)) return true;
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64 = '', hashB64 = ''] = parts; // six parts: checked above
  const expected = Buffer.from(hashB64, 'base64url');
  const actual = await scrypt(candidate, Buffer.from(saltB64, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  const ok = actual.length === expected.length && timingSafeEqual(actual, expected);
  if (ok) {
    if (verified.size >= VERIFIED_MAX) verified.clear();
    verified.set(cacheKey, true);
  }
  return ok;
}

/** Constant-time comparison of two strings (lengths may differ). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/** Random high-entropy token, url-safe. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Tokens and API keys are high-entropy, so a plain SHA-256 is a sound, indexable hash. */
export function sha256Hex(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}
