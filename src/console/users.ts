/**
 * Console users: a username, a password (scrypt, never stored or shown in clear), one or more roles,
 * and for approvers and finance users an optional list of partners they are limited to. Every
 * change is written to the audit log in its transaction; changing a password or disabling a user
 * ends that user's sessions at once.
 *
 * Roles: `admin` everything; `operator` the operator screens (partners, documents, deliveries,
 * queues); `approver` the approvals pages; `finance` the finance pages. `partners` (null: all) limits
 * what an approver and a finance user see.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { onlyRow, type Q } from '../platform/db';
import { AppError, isUniqueViolation } from '../platform/errors';
import { hashSecret, randomToken, verifySecret } from '../platform/secrets';
import { writeAudit, type Actor } from './audit';

export const USER_ROLES = ['admin', 'operator', 'approver', 'finance'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z0-9][a-z0-9._@-]{0,63}$/,
    'must be 1-64 letters, digits or . _ @ - (starting with a letter or digit)',
  );

export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN, `must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `must be at most ${PASSWORD_MAX} characters`);

export const userInputSchema = z.object({
  username: usernameSchema,
  name: z.string().trim().max(200).optional(),
  roles: z
    .array(z.enum(USER_ROLES))
    .min(1, 'at least one role')
    .transform((r) => [...new Set(r)]),
  /** Partner ids an approver or finance user is limited to; absent or null: every partner. */
  partners: z.array(z.string().min(1).max(100)).min(1).nullable().optional(),
});
export type UserInput = z.input<typeof userInputSchema>;

/** A user as shown by the CLI, the API and the console: never the password or its hash. */
export interface UserView {
  id: string;
  username: string;
  name: string | null;
  roles: UserRole[];
  partners: string[] | null;
  disabled: boolean;
  createdAt: string;
  lastSignInAt: string | null;
  passwordChangedAt: string;
}

interface UserRow {
  id: string;
  username: string;
  name: string | null;
  password_hash: string;
  roles: UserRole[];
  partner_ids: string[] | null;
  password_changed_at: Date;
  disabled_at: Date | null;
  last_sign_in_at: Date | null;
  created_at: Date;
}

const VIEW_COLUMNS = [
  'id',
  'username',
  'name',
  'roles',
  'partner_ids',
  'password_changed_at',
  'disabled_at',
  'last_sign_in_at',
  'created_at',
];

function view(r: Omit<UserRow, 'password_hash'>): UserView {
  return {
    id: r.id,
    username: r.username,
    name: r.name,
    roles: r.roles,
    partners: r.partner_ids,
    disabled: r.disabled_at !== null,
    createdAt: r.created_at.toISOString(),
    lastSignInAt: r.last_sign_in_at?.toISOString() ?? null,
    passwordChangedAt: r.password_changed_at.toISOString(),
  };
}

/** What the audit log keeps of a user (no secret). */
const audited = (u: UserView) => ({
  username: u.username,
  name: u.name,
  roles: u.roles,
  partners: u.partners,
  disabled: u.disabled,
});

/** A random password for a new user or a reset (24 characters, 144 bits). */
export function generatePassword(): string {
  return randomToken(18);
}

async function refuseUnknownPartners(q: Q, partners: string[] | null | undefined): Promise<void> {
  if (!partners?.length) return;
  const found = (await q('partners').whereIn('id', partners).whereNull('deleted_at').pluck('id')) as string[];
  const missing = partners.filter((p) => !found.includes(p));
  if (missing.length)
    throw new AppError('validation_failed', `unknown partner: ${missing.join(', ')}`, {
      details: missing.map((m) => ({ path: 'partners', message: `no partner ${m}` })),
    });
}

function parsePassword(password: string): string {
  const p = passwordSchema.safeParse(password);
  if (!p.success)
    throw new AppError('validation_failed', `password ${p.error.issues[0]?.message ?? 'is not valid'}`, {
      details: [{ path: 'password', message: p.error.issues[0]?.message ?? 'not valid' }],
    });
  return p.data;
}

export interface AuditOpts {
  actor: Actor;
  now: Date;
  ip?: string | null;
  requestId?: string | null;
}

/** Creates a user with this password (hashed here); refuses a taken username with 409. */
export async function createUser(
  db: Q,
  input: UserInput,
  password: string,
  opts: AuditOpts,
): Promise<UserView> {
  const u = userInputSchema.parse(input);
  const hash = await hashSecret(parsePassword(password));
  const run = async (trx: Q) => {
    await refuseUnknownPartners(trx, u.partners);
    let row: Omit<UserRow, 'password_hash'> | undefined;
    try {
      [row] = await trx('console_users')
        .insert({
          id: randomUUID(),
          username: u.username,
          name: u.name || null,
          password_hash: hash,
          roles: u.roles,
          partner_ids: u.partners ?? null,
          password_changed_at: opts.now,
          created_at: opts.now,
          updated_at: opts.now,
        })
        .returning(VIEW_COLUMNS);
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('conflict', `user ${u.username} already exists`);
      throw err;
    }
    if (!row) throw new Error('the insert returned no row');
    const v = view(row);
    await writeAudit(trx, opts.now, {
      ...opts,
      action: 'user.create',
      subject: `user:${v.username}`,
      after: audited(v),
    });
    return v;
  };
  return db.transaction(run);
}

async function lockUser(trx: Q, username: string): Promise<Omit<UserRow, 'password_hash'>> {
  const name = usernameSchema.safeParse(username);
  const row = name.success
    ? await trx('console_users')
        .where({ username: name.data })
        .forUpdate()
        .first<Omit<UserRow, 'password_hash'> | undefined>(VIEW_COLUMNS)
    : undefined;
  if (!row) throw new AppError('not_found', `user ${username} not found`);
  return row;
}

async function change(
  db: Q,
  username: string,
  opts: AuditOpts,
  action: string,
  patch: (row: Omit<UserRow, 'password_hash'>, trx: Q) => Promise<Record<string, unknown>>,
  endSessions: boolean,
): Promise<UserView> {
  const run = async (trx: Q) => {
    const locked = await lockUser(trx, username);
    const before = view(locked);
    const values = await patch(locked, trx);
    const rows = await trx('console_users')
      .where({ id: before.id })
      .update({ ...values, updated_at: opts.now })
      .returning<Omit<UserRow, 'password_hash'>[]>(VIEW_COLUMNS);
    if (endSessions) await trx('page_sessions').where({ user_id: before.id }).delete();
    const after = view(onlyRow(rows));
    await writeAudit(trx, opts.now, {
      ...opts,
      action,
      subject: `user:${after.username}`,
      before: action === 'user.password' ? { passwordChangedAt: before.passwordChangedAt } : audited(before),
      after: action === 'user.password' ? { passwordChangedAt: after.passwordChangedAt } : audited(after),
    });
    return after;
  };
  return db.transaction(run);
}

/** Sets a new password; the user's sessions end. */
export async function setPassword(db: Q, username: string, password: string, opts: AuditOpts) {
  const hash = await hashSecret(parsePassword(password));
  return change(
    db,
    username,
    opts,
    'user.password',
    () => Promise.resolve({ password_hash: hash, password_changed_at: opts.now }),
    true,
  );
}

/** Disables the user (kept for the audit log); its sessions end. */
export async function disableUser(db: Q, username: string, opts: AuditOpts) {
  return change(
    db,
    username,
    opts,
    'user.disable',
    (r) => Promise.resolve({ disabled_at: r.disabled_at ?? opts.now }),
    true,
  );
}

/** Enables a disabled user again. */
export async function enableUser(db: Q, username: string, opts: AuditOpts) {
  return change(db, username, opts, 'user.enable', () => Promise.resolve({ disabled_at: null }), false);
}

/** Replaces the roles and partner limits; takes effect at the user's next request. */
export async function setRoles(
  db: Q,
  username: string,
  input: Pick<UserInput, 'roles' | 'partners'>,
  opts: AuditOpts,
) {
  const u = userInputSchema.pick({ roles: true, partners: true }).parse(input);
  return change(
    db,
    username,
    opts,
    'user.roles',
    async (_row, trx) => {
      await refuseUnknownPartners(trx, u.partners);
      return { roles: u.roles, partner_ids: u.partners ?? null };
    },
    false,
  );
}

export async function listUsers(q: Q): Promise<UserView[]> {
  const rows = await q('console_users')
    .orderBy('username')
    .select<Omit<UserRow, 'password_hash'>[]>(VIEW_COLUMNS);
  return rows.map(view);
}

export async function countUsers(q: Q): Promise<number> {
  const [row] = await q('console_users').count<{ n: string | number }[]>({ n: '*' });
  return Number(row?.n ?? 0);
}

/** True once any console user has signed in (the embedded first-run notes stop showing then). */
export async function anyoneSignedIn(q: Q): Promise<boolean> {
  return !!(await q('console_users').whereNotNull('last_sign_in_at').first('id'));
}

/**
 * The enabled user with this username and password; undefined otherwise. An unknown username costs
 * the same scrypt work as a wrong password (verifySecret), so timing does not tell them apart.
 */
export async function checkPassword(q: Q, username: string, password: string): Promise<UserView | undefined> {
  const name = usernameSchema.safeParse(username);
  const row = name.success
    ? await q('console_users')
        .where({ username: name.data })
        .first<UserRow | undefined>([...VIEW_COLUMNS, 'password_hash'])
    : undefined;
  const ok = await verifySecret(password.slice(0, PASSWORD_MAX), row?.password_hash);
  if (!ok || !row || row.disabled_at) return undefined;
  return view(row);
}

/** Records a sign-in. */
export async function touchSignIn(q: Q, userId: string, now: Date): Promise<void> {
  await q('console_users').where({ id: userId }).update({ last_sign_in_at: now });
}
