/**
 * Signed tokens: one-time approve/reject links for e-mail (HMAC-SHA256 over the claims; single use
 * recorded in approval_link_uses). The approvals page's session is a page-kit session
 * (src/platform/pages/sessions.ts).
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Config } from '../platform/config';
import { safeEqual } from '../platform/secrets';

let processSecret: string | undefined;

/** APPROVAL_LINK_SECRET, else derived from ADMIN_TOKEN, else a per-process random secret. */
export function linkSecret(config: Config): string {
  if (config.APPROVAL_LINK_SECRET) return config.APPROVAL_LINK_SECRET;
  if (config.ADMIN_TOKEN)
    return createHmac('sha256', config.ADMIN_TOKEN).update('approval-links').digest('hex');
  processSecret ??= randomBytes(32).toString('hex');
  return processSecret;
}

const mac = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest('base64url');

export interface LinkClaims {
  /** Token id (recorded on use). */
  jti: string;
  approvalId: string;
  decision: 'approve' | 'reject';
  approver: string;
  /** Expiry, epoch seconds. */
  exp: number;
}

export function signLink(config: Config, claims: Omit<LinkClaims, 'jti'>): string {
  const body = Buffer.from(JSON.stringify({ ...claims, jti: randomBytes(16).toString('hex') })).toString(
    'base64url',
  );
  return `${body}.${mac(linkSecret(config), `link.${body}`)}`;
}

/** The claims of a well-signed, unexpired token; null otherwise (forged, altered, expired). */
export function verifyLink(config: Config, token: string, now: Date): LinkClaims | null {
  const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token);
  const [, body, signature] = m ?? [];
  if (body === undefined || signature === undefined) return null;
  if (!safeEqual(signature, mac(linkSecret(config), `link.${body}`))) return null;
  let c: LinkClaims;
  try {
    c = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as LinkClaims;
  } catch {
    return null;
  }
  if (typeof c.exp !== 'number' || c.exp * 1000 < now.getTime()) return null;
  if (c.decision !== 'approve' && c.decision !== 'reject') return null;
  return c;
}
