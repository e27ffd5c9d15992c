/**
 * The audit log of console actions: who (a console user, the admin token, the CLI, the system),
 * what (an action name and its subject), when, and the state before and after as JSON. Every
 * screen that changes something calls `writeAudit` in the transaction of the change, so the entry
 * exists exactly when the change does. Never pass a secret (password, hash, key) in before/after.
 */
import type { Request } from 'express';
import type { Q } from '../platform/db';
import type { PageSession } from '../platform/pages';

/** Who did it. `label` is what the log and the order history show ("user:alice", "admin token"). */
export interface Actor {
  label: string;
  /** The console user, when it was one. */
  userId?: string;
}

export const SYSTEM_ACTOR: Actor = { label: 'system' };
export const CLI_ACTOR: Actor = { label: 'cli' };
export const ADMIN_TOKEN_ACTOR: Actor = { label: 'admin token' };

export interface AuditEntry {
  actor: Actor;
  /** Dotted name: "session.sign_in", "user.create", "approval.decide". */
  action: string;
  /** What it was done to: "user:alice", "approval:<uuid>". */
  subject?: string | null;
  before?: unknown;
  after?: unknown;
  /** Client address and request id (auditContext). */
  ip?: string | null;
  requestId?: string | null;
}

/** The client address and request id of a request, for an entry. */
export function auditContext(req: Request): { ip: string | null; requestId: string | null } {
  return { ip: req.ip ?? null, requestId: req.id ?? null };
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

/** Writes one entry (in the caller's transaction when `q` is one). */
export async function writeAudit(q: Q, at: Date, e: AuditEntry): Promise<void> {
  await q('audit_log').insert({
    at,
    actor: e.actor.label.slice(0, 200),
    user_id: e.actor.userId ?? null,
    action: e.action,
    subject: e.subject ?? null,
    before: json(e.before),
    after: json(e.after),
    ip: e.ip ?? null,
    request_id: e.requestId ?? null,
  });
}

export interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  action: string;
  subject: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
  request_id: string | null;
}

export interface AuditFilter {
  actor?: string;
  /** An action, or a prefix ending in "." ("user." lists every user change). */
  action?: string;
  subject?: string;
  /** Inclusive dates (YYYY-MM-DD, UTC). */
  from?: string;
  to?: string;
}

function filtered(q: Q, f: AuditFilter) {
  const query = q<AuditRow>('audit_log');
  if (f.actor) query.where('actor', f.actor);
  if (f.action) {
    if (f.action.endsWith('.')) query.where('action', 'like', `${f.action.replace(/[\\%_]/g, '\\$&')}%`);
    else query.where('action', f.action);
  }
  if (f.subject) query.where('subject', f.subject);
  if (f.from) query.where('at', '>=', new Date(`${f.from}T00:00:00Z`));
  if (f.to) query.where('at', '<', new Date(new Date(`${f.to}T00:00:00Z`).getTime() + 86_400_000));
  return query;
}

/** A page of entries, newest first, and how many match. */
export async function auditPage(
  q: Q,
  f: AuditFilter,
  paging: { limit: number; offset: number },
): Promise<{ rows: AuditRow[]; total: number }> {
  const [rows, counted] = await Promise.all([
    filtered(q, f).orderBy('at', 'desc').orderBy('id', 'desc').limit(paging.limit).offset(paging.offset),
    filtered(q, f).count({ n: '*' }) as unknown as Promise<{ n: string | number }[]>,
  ]);
  return { rows: rows, total: Number(counted[0]?.n ?? 0) };
}

/** Who a page session stands for, as the audit log names them. */
export function sessionActor(s: PageSession): Actor {
  const sub = s.subject;
  if (sub.role === 'user') return { label: `user:${sub.username}`, userId: sub.userId };
  if (sub.role === 'admin') return ADMIN_TOKEN_ACTOR;
  return { label: `partner:${sub.partnerId} (${sub.role} key ${sub.apiKeyId.slice(0, 8)})` };
}

/** Writes `session.sign_in` or `session.sign_out` of a page session. */
export async function auditSession(
  ctx: { db: Q; now: () => Date },
  req: Request,
  s: PageSession,
  what: 'sign_in' | 'sign_out',
): Promise<void> {
  await writeAudit(ctx.db, ctx.now(), {
    actor: sessionActor(s),
    action: `session.${what}`,
    subject: `area:${s.area}`,
    ...(what === 'sign_in' ? { after: { expiresAt: s.expiresAt.toISOString() } } : {}),
    ...auditContext(req),
  });
}
