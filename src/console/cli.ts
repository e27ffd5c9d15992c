/**
 * `gateway users add|passwd|disable|enable|roles|list`: on the database, or through a running
 * gateway's admin API (cli-remote.ts) beside an embedded server or with --server. A password is
 * read from stdin with --password-stdin, else generated here and printed once; it is never sent
 * back by the server, never logged.
 */
import { userInfo } from 'node:os';
import { call, type Remote } from '../cli-remote';
import type { Db } from '../platform/db';
import { AppError } from '../platform/errors';
import type { Actor } from './audit';
import {
  createUser,
  disableUser,
  enableUser,
  generatePassword,
  listUsers,
  setPassword,
  setRoles,
  type UserInput,
  type UserView,
} from './users';

export const USERS_USAGE = `  users list                   console users (roles, partners, disabled, last sign-in)
  users add NAME --roles R[,R] [--partners P[,P]] [--name "Full Name"] [--password-stdin]
                               create a console user (roles: admin operator approver finance;
                               --partners limits an approver/finance user); password generated
                               and printed once unless --password-stdin
  users passwd NAME [--password-stdin]   set a new password (generated unless given); sessions end
  users disable NAME | users enable NAME
  users roles NAME --roles R[,R] [--partners P[,P] | --all-partners]`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new AppError('bad_request', `${name} needs a value`);
  return v;
}
const list = (v: string | undefined) =>
  v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text.split(/\r?\n/)[0] ?? '';
}

async function passwordOf(args: string[]): Promise<{ password: string; generated: boolean }> {
  if (args.includes('--password-stdin')) return { password: await readStdin(), generated: false };
  return { password: generatePassword(), generated: true };
}

export function userLine(u: UserView): string {
  return [
    u.username.padEnd(16),
    u.roles.join(',').padEnd(24),
    `partners ${u.partners ? u.partners.join(',') : 'all'}`,
    u.disabled ? 'DISABLED' : 'active',
    `last sign-in ${u.lastSignInAt ?? 'never'}`,
  ].join('  ');
}

function told(u: UserView, what: string, pw: { password: string; generated: boolean } | undefined) {
  console.log(`${what} user ${u.username} (${u.roles.join(', ')})`);
  if (pw?.generated) console.log(`password (shown once, give it to ${u.username} now):\n${pw.password}`);
}

/** The command; `withDb` opens the database when there is no remote. Returns the exit code. */
export async function usersCommand(
  argv: string[],
  remote: Remote | undefined,
  withDb: <T>(command: string, fn: (db: Db) => Promise<T>) => Promise<T>,
): Promise<number> {
  const [sub, name] = argv;
  const rest = argv.slice(2);
  const actor: Actor = { label: `cli:${userInfo().username}` };
  const opts = () => ({ actor, now: new Date() });
  const path = (suffix: string) => `/api/v1/users/${encodeURIComponent(name ?? '')}${suffix}`;
  const json = (v: unknown) => ({ type: 'application/json', data: JSON.stringify(v) });

  if (sub === 'list') {
    const users = remote
      ? (await call<{ users: UserView[] }>(remote, 'GET', '/api/v1/users')).json.users
      : await withDb('users list', (db) => listUsers(db));
    if (users.length === 0) console.log('no console users');
    for (const u of users) console.log(userLine(u));
    return 0;
  }
  if (!name) return 2;
  if (sub === 'add') {
    const roles = list(option(rest, '--roles'));
    if (!roles?.length)
      throw new AppError('bad_request', 'users add needs --roles (admin, operator, approver, finance)');
    const partners = list(option(rest, '--partners'));
    const fullName = option(rest, '--name');
    const input = {
      username: name,
      roles,
      ...(partners ? { partners } : {}),
      ...(fullName ? { name: fullName } : {}),
    };
    const pw = await passwordOf(rest);
    const u = remote
      ? (await call<UserView>(remote, 'POST', '/api/v1/users', json({ ...input, password: pw.password })))
          .json
      : await withDb('users add', (db) => createUser(db, input as UserInput, pw.password, opts()));
    told(u, 'created', pw);
    return 0;
  }
  if (sub === 'passwd') {
    const pw = await passwordOf(rest);
    const u = remote
      ? (await call<UserView>(remote, 'POST', path('/password'), json({ password: pw.password }))).json
      : await withDb('users passwd', (db) => setPassword(db, name, pw.password, opts()));
    told(u, 'new password for', pw);
    return 0;
  }
  if (sub === 'disable' || sub === 'enable') {
    const u = remote
      ? (await call<UserView>(remote, 'POST', path(`/${sub}`))).json
      : await withDb(`users ${sub}`, (db) =>
          (sub === 'disable' ? disableUser : enableUser)(db, name, opts()),
        );
    told(u, `${sub}d`, undefined);
    return 0;
  }
  if (sub === 'roles') {
    const roles = list(option(rest, '--roles'));
    if (!roles?.length) throw new AppError('bad_request', 'users roles needs --roles');
    const partners = rest.includes('--all-partners') ? null : (list(option(rest, '--partners')) ?? null);
    const input = { roles, partners } as Pick<UserInput, 'roles' | 'partners'>;
    const u = remote
      ? (await call<UserView>(remote, 'PUT', path('/roles'), json(input))).json
      : await withDb('users roles', (db) => setRoles(db, name, input, opts()));
    told(u, 'changed', undefined);
    console.log(`partners ${u.partners ? u.partners.join(', ') : 'all'}`);
    return 0;
  }
  return 2;
}
