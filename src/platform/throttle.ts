/**
 * Failed authentications counted per client address and per credential in a fixed window. While a
 * key is over its limit, attempts with it are refused (429 or the protocol's equivalent) before any
 * secret is hashed or looked up, so a flood of bad credentials costs a map lookup each.
 *
 * Counts live in the process (each server counts its own). Memory is bounded: at most MAX_KEYS keys
 * are kept; when full, expired windows are dropped first, then the oldest keys.
 */
import type { Config } from './config';

const MAX_KEYS = 100_000;

interface Window {
  count: number;
  resetAt: number;
}

export class FailureCounter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until `key` may try again, or 0 when it is not over its limit. */
  blockedFor(key: string): number {
    const w = this.windows.get(key);
    if (!w) return 0;
    const t = this.now();
    if (w.resetAt <= t) {
      this.windows.delete(key);
      return 0;
    }
    return w.count >= this.limit ? Math.ceil((w.resetAt - t) / 1000) : 0;
  }

  /** Forgets the key's failures (a sign-in that succeeded). */
  clear(key: string): void {
    this.windows.delete(key);
  }

  fail(key: string): void {
    const t = this.now();
    const w = this.windows.get(key);
    if (w && w.resetAt > t) {
      w.count++;
      return;
    }
    if (w) this.windows.delete(key);
    if (this.windows.size >= MAX_KEYS) this.prune(t);
    this.windows.set(key, { count: 1, resetAt: t + this.windowMs });
  }

  private prune(t: number): void {
    for (const [k, w] of this.windows) if (w.resetAt <= t) this.windows.delete(k);
    // Still full: the oldest keys go (a Map iterates in insertion order).
    for (const k of this.windows.keys()) {
      if (this.windows.size < MAX_KEYS * 0.9) break;
      this.windows.delete(k);
    }
  }
}

export interface AuthThrottle {
  address: FailureCounter;
  credential: FailureCounter;
}

const throttles = new WeakMap<Config, AuthThrottle>();

/** The throttle of one configuration (one per process in production; one per test context). */
export function authThrottle(config: Config): AuthThrottle {
  let t = throttles.get(config);
  if (!t) {
    const windowMs = config.AUTH_FAILURE_WINDOW_SECONDS * 1000;
    t = {
      address: new FailureCounter(config.AUTH_FAILURES_PER_ADDRESS, windowMs),
      credential: new FailureCounter(config.AUTH_FAILURES_PER_CREDENTIAL, windowMs),
    };
    throttles.set(config, t);
  }
  return t;
}
