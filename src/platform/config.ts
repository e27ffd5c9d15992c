import { z } from 'zod';
import { supplierDocumentSettings } from './config-supplier';

const bool = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');
/** An absolute http(s) URL with a host: `localhost:3115` parses as a URL of scheme "localhost:". */
export const httpUrl = z.string().refine(
  (v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
    } catch {
      return false;
    }
  },
  { message: 'must be an absolute http(s) URL such as https://gateway.example.com or http://localhost:3000' },
);
/** A colour the pages' stylesheet takes, written #rrggbb (or #rgb). */
export const hexColor = z
  .string()
  .trim()
  .regex(/^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, 'must be a colour written #rrggbb, such as #1f3a5f');
const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

/** Every setting the gateway reads from the environment. Per-partner settings live in the database. */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .optional(),
  QUEUE_PREFIX: z.string().min(1).default('gw'),
  PORT: int(3000, 0).refine((p) => p <= 65535, 'must be a port number'),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_BASE_URL: httpUrl.optional(),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Bearer token of a Prometheus scraper for GET /metrics (the admin token works too). */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  SUPPLIER_NAME: z.string().default('Demo Supplier Inc.'),
  /** The supplier's logo in the catalog header (the buyer's browser loads it; http(s) only). */
  SUPPLIER_LOGO_URL: httpUrl.optional(),
  /** The catalog header's colour and the buttons' and links' colour, as #rrggbb. */
  SUPPLIER_BRAND_COLOR: hexColor.optional(),
  SUPPLIER_ACCENT_COLOR: hexColor.optional(),
  SUPPLIER_CXML_DOMAIN: z.string().min(1).default('NetworkID'),
  SUPPLIER_CXML_IDENTITY: z.string().min(1).default('AN-SUPPLIER-DEMO'),
  SUPPLIER_X12_QUALIFIER: z.string().length(2).default('ZZ'),
  SUPPLIER_X12_ID: z.string().min(1).max(15).default('SUPPLIERDEMO'),
  /** The supplier's GS02/GS03 application code (default: SUPPLIER_X12_ID). */
  SUPPLIER_X12_GS_ID: z.string().min(2).max(15).optional(),
  /**
   * The supplier's AS2 name: inbound AS2-To must be it, outbound AS2-From is it. Unset: POST /as2
   * answers 503 and no partner can use x12.transport "as2".
   */
  AS2_ID: z
    .string()
    .regex(/^[\x20-\x7e]{1,128}$/, 'must be 1 to 128 printable ASCII characters')
    .optional(),
  /**
   * How long an outbound AS2 message waits for the asynchronous MDN it asked for (as2.mdn.mode
   * "async") before the attempt counts as failed and the message is sent again.
   */
  AS2_MDN_WAIT_SECONDS: int(600, 1),
  /** AS2 certificates (partners' and the supplier's) ending within this many days are warned about daily. */
  AS2_CERT_WARN_DAYS: int(30, 1),
  /** Prefix of the supplier order number (X12 BAK08 is at most 22 characters; no X12 delimiters). */
  SUPPLIER_ORDER_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9./_-]{0,12}$/, 'must be at most 12 letters, digits or . / _ -')
    .default('SO-'),
  ...supplierDocumentSettings,
  MAX_BODY_BYTES: int(5 * 1024 * 1024, 1024),
  // Limits of an inbound document's structure, checked while it is read (before authentication).
  XML_MAX_ELEMENTS: int(100_000, 1),
  XML_MAX_ATTRIBUTES: int(64, 1),
  XML_MAX_NAME_LENGTH: int(256, 1),
  XML_MAX_TEXT_LENGTH: int(1024 * 1024, 1),
  XML_MAX_DEPTH: int(100, 2),
  /** Bytes of an unauthenticated refused body kept beside its sha256 and size. */
  REFUSAL_PREFIX_BYTES: int(1024, 0),
  JSON_MAX_DEPTH: int(32, 1),
  CSV_MAX_COLUMNS: int(200, 1),
  /** Failed authentications per client address and per credential within the window before 429. */
  AUTH_FAILURES_PER_ADDRESS: int(50, 1),
  AUTH_FAILURES_PER_CREDENTIAL: int(10, 1),
  AUTH_FAILURE_WINDOW_SECONDS: int(60, 1),
  /**
   * Graceful overload (src/platform/admission.ts): requests run at once, requests that may wait for
   * a turn, and how long; past that a 503 with Retry-After (cXML Status 503 on /cxml).
   */
  HTTP_MAX_ACTIVE: int(32, 1),
  HTTP_MAX_WAITING: int(256, 0),
  HTTP_MAX_WAIT_MS: int(5000, 1),
  HTTP_RETRY_AFTER_SECONDS: int(5, 1),
  /** A listener of its own for /health and /ready (see server.ts); unset: they answer on PORT only. */
  HEALTH_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** Connections the kernel may hold for accept (capped by net.core.somaxconn). */
  HTTP_BACKLOG: int(4096, 1),
  /** Idle keep-alive connections are closed after this; longer than a load balancer's idle timeout. */
  HTTP_KEEPALIVE_TIMEOUT_MS: int(65000, 1000),
  /** Secret hashes (scrypt) computed at once, and how many may wait for one before 503. */
  SECRET_VERIFY_CONCURRENCY: int(2, 1),
  SECRET_VERIFY_QUEUE: int(64, 0),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Seed the demo partner and catalog into an empty database; default on in embedded mode only. */
  DEMO: bool.optional(),
  /**
   * 32 bytes (base64 or hex) that encrypt the secrets the gateway must send (AES-256-GCM): generated
   * once in embedded mode; with DATABASE_URL needed as soon as a partner has such a secret.
   */
  SECRETS_KEY: z
    .string()
    .refine(
      (v) => secretsKeyBytes(v) !== null,
      'must be 32 random bytes, base64 or hex (openssl rand -base64 32)',
    )
    .optional(),
  /** How long a partner found by its credential is reused without asking the database (0: never). */
  PARTNER_CACHE_MS: int(1000, 0),
  PUNCHOUT_TOKEN_TTL_SECONDS: int(300, 1),
  PUNCHOUT_SESSION_TTL_MINUTES: int(120, 1),
  DELIVERY_RETRY_BASE_MS: int(30000, 1),
  DELIVERY_MAX_ATTEMPTS: int(13, 1),
  DELIVERY_TIMEOUT_MS: int(30000, 1),
  /**
   * Deliveries to one partner in flight at once, across every worker process: a partner whose
   * endpoint hangs or fails holds at most this many job slots, the others keep going.
   */
  DELIVERY_PARTNER_CONCURRENCY: int(4, 1),
  /**
   * A delivery slot's lease: the process holding it renews it every third of this, so the slots of
   * a worker that was killed are free again within this time.
   */
  DELIVERY_SLOT_LEASE_MS: int(15000, 300),
  /** Jobs one worker process runs at once (BullMQ worker, or the in-process runner). */
  JOB_CONCURRENCY: int(16, 1),
  /** Connecting to a partner's SFTP server, and each SFTP request, must finish within this. */
  SFTP_TIMEOUT_MS: int(30000, 1),
  /**
   * How long a worker holds a file it took from a partner's SFTP mailbox (and a mailbox it polls):
   * a worker that dies leaves it to the next poll after this long.
   */
  SFTP_LEASE_SECONDS: int(600, 1),
  /** Outbound calls (deliveries, webhooks) also refuse loopback and private addresses. */
  OUTBOUND_DENY_PRIVATE: bool.default(false),
  APPROVAL_MAX_AGE_HOURS: z.coerce
    .number()
    .positive()
    .default(24 * 14),
  /** Approvals and finance page sessions end after this long without a request (sign in again). */
  PAGE_SESSION_IDLE_MINUTES: int(30, 1),
  /** ...and this long after sign-in, however busy (the cookie's Max-Age). */
  PAGE_SESSION_MAX_HOURS: int(8, 1),
  /**
   * Console sign-in (username and password): failed attempts per username and per client address
   * within the window before the form refuses with 429 and says when to try again.
   */
  CONSOLE_SIGNIN_FAILURES_PER_USER: int(5, 1),
  CONSOLE_SIGNIN_FAILURES_PER_ADDRESS: int(20, 1),
  CONSOLE_SIGNIN_WINDOW_SECONDS: int(900, 1),
  APPROVAL_LINK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// URL')
    .optional(),
  MAIL_FROM: z.string().default('gateway@supplier.example'),
  /**
   * Alerts (src/alerts): how often the rules are evaluated (0: never), who is told (e-mail over
   * SMTP_URL to a comma-separated list, and a webhook POST signed with HMAC-SHA256 when a secret is
   * set) and the rules' thresholds.
   */
  ALERT_EVERY_SECONDS: int(60, 0),
  ALERT_EMAIL_TO: z
    .string()
    .regex(
      /^[^\s,@]+@[^\s,@]+(\s*,\s*[^\s,@]+@[^\s,@]+)*$/,
      'must be one e-mail address or several separated by commas',
    )
    .optional(),
  ALERT_WEBHOOK_URL: httpUrl.optional(),
  ALERT_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** A partner's last this many delivery attempts all failed. */
  ALERT_DELIVERY_FAILURES: int(3, 1),
  /** Refused authentications (every surface) within ALERT_REFUSAL_WINDOW_MINUTES. */
  ALERT_REFUSAL_SPIKE: int(50, 1),
  ALERT_REFUSAL_WINDOW_MINUTES: int(10, 1),
  /** A partner that sent nothing for 3 times its usual interval, and at least this long. */
  ALERT_SILENCE_MIN_HOURS: int(24, 1),
  OUTBOX_POLL_MS: int(500, 10),
  /**
   * How often the relay compares dispatched, unfinished outbox rows with Redis and hands over again
   * the jobs Redis no longer has (lost data, FLUSHALL, an empty replica promoted); BullMQ only.
   */
  OUTBOX_RECONCILE_MS: int(10000, 10),
  /** A dispatched row is compared with Redis only once it is this old. */
  OUTBOX_RECONCILE_GRACE_MS: int(60000, 0),
  /** `serve` also runs job workers (set 0 when separate `gateway worker` processes run them). */
  WORKERS: bool.default(true),
});

export type Config = Omit<z.infer<typeof configSchema>, 'DEMO'> & { DEMO: boolean; publicBaseUrl: string };

/** The 32 key bytes of a SECRETS_KEY value (64 hex digits, or base64/base64url of 32 bytes). */
export function secretsKeyBytes(value: string): Buffer | null {
  const v = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(v)) return Buffer.from(v, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(v)) {
    const b = Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (b.length === 32) return b;
  }
  return null;
}

/** Settings that no longer exist: setting one stops the start with what replaced it. */
const REMOVED: Record<string, string> = {
  SUPPLIER_CXML_SECRET:
    'removed: one outbound SharedSecret for every partner; set cxml.supplierSharedSecret per partner (encrypted with SECRETS_KEY)',
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads the environment once; every problem is listed, not only the first. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') input[key] = v;
  }
  const parsed = configSchema.safeParse(input);
  const removed = Object.keys(REMOVED)
    .filter((k) => env[k] !== undefined && env[k] !== '')
    .map((k) => `${k}: ${REMOVED[k]}`);
  if (!parsed.success || removed.length) {
    throw new ConfigError([
      ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)),
      ...removed,
    ]);
  }
  const c = parsed.data;
  if (c.DATABASE_URL && !c.ADMIN_TOKEN) {
    throw new ConfigError([
      'ADMIN_TOKEN: required when DATABASE_URL is set (it is generated only in embedded mode)',
    ]);
  }
  return {
    ...c,
    DEMO: c.DEMO ?? !c.DATABASE_URL,
    publicBaseUrl: (c.PUBLIC_BASE_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, ''),
  };
}
