/**
 * Console users (issue 15 point 1): created, changed and disabled through the service, the admin
 * API and `gateway users …`; passwords stored as scrypt hashes and never answered or printed back
 * by the server; every change in the audit log without a secret.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../../src/app';
import { checkPassword, createUser, disableUser, setPassword } from '../../../src/console/users';
import { ADMIN_TOKEN, auth, createTestEnv, SECRETS_KEY, type TestEnv } from '../../helpers/env';
import { seedPartner } from '../../helpers/partners';

const ROOT = path.resolve(__dirname, '../../..');
jest.setTimeout(60000);

let env: TestEnv;
let app: Express;
const opts = () => ({ actor: { label: 'test' }, now: new Date() });

beforeAll(async () => {
  env = await createTestEnv({ start: false });
  app = createApp(env.ctx);
  await seedPartner(env.db, {});
});
afterAll(async () => {
  await env?.close();
});

it('stores a scrypt hash, checks the password in constant time, refuses a disabled user', async () => {
  const u = await createUser(
    env.db,
    { username: 'Alice', roles: ['approver', 'finance'], partners: ['acme'] },
    'alice-password-1',
    opts(),
  );
  expect(u).toMatchObject({
    username: 'alice',
    roles: ['approver', 'finance'],
    partners: ['acme'],
    disabled: false,
  });
  expect(JSON.stringify(u)).not.toMatch(/scrypt|alice-password-1/);
  const row = await env.db('console_users').where({ username: 'alice' }).first();
  expect(row.password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
  expect(row.password_hash).not.toContain('alice-password-1');
  expect(await checkPassword(env.db, 'ALICE', 'alice-password-1')).toMatchObject({ id: u.id });
  expect(await checkPassword(env.db, 'alice', 'alice-password-2')).toBeUndefined();
  expect(await checkPassword(env.db, 'nobody', 'alice-password-1')).toBeUndefined();
  await setPassword(env.db, 'alice', 'alice-password-2', opts());
  expect(await checkPassword(env.db, 'alice', 'alice-password-1')).toBeUndefined();
  expect(await checkPassword(env.db, 'alice', 'alice-password-2')).toMatchObject({ id: u.id });
  await disableUser(env.db, 'alice', opts());
  expect(await checkPassword(env.db, 'alice', 'alice-password-2')).toBeUndefined();
  await expect(
    createUser(env.db, { username: 'alice', roles: ['admin'] }, 'another-password', opts()),
  ).rejects.toThrow('user alice already exists');
  await expect(
    createUser(env.db, { username: 'bob', roles: ['finance'], partners: ['nope'] }, 'bob-password-1', opts()),
  ).rejects.toThrow('unknown partner: nope');
  await expect(createUser(env.db, { username: 'bob', roles: ['finance'] }, 'short', opts())).rejects.toThrow(
    'at least 12 characters',
  );
  const audit = await env.db('audit_log').where({ subject: 'user:alice' }).orderBy('id');
  expect(audit.map((a) => a.action)).toEqual(['user.create', 'user.password', 'user.disable']);
  expect(audit[2]).toMatchObject({ actor: 'test', before: { disabled: false }, after: { disabled: true } });
  expect(JSON.stringify(audit)).not.toMatch(/scrypt|password-1|password-2/);
});

it('the admin API creates, changes and disables users with the admin token only, never answering a password or hash', async () => {
  const created = await request(app)
    .post('/api/v1/users')
    .set(auth(ADMIN_TOKEN))
    .send({ username: 'carol', roles: ['finance'], partners: ['acme'], password: 'carol-password-1' });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ username: 'carol', roles: ['finance'], partners: ['acme'] });
  expect(created.text).not.toMatch(/scrypt|carol-password-1|password_hash/);
  const short = await request(app)
    .post('/api/v1/users')
    .set(auth(ADMIN_TOKEN))
    .send({ username: 'dave', roles: ['admin'], password: 'short' });
  expect(short.status).toBe(400);
  expect(short.text).not.toContain('"short"');
  expect((await request(app).get('/api/v1/users')).status).toBe(401);
  const roles = await request(app)
    .put('/api/v1/users/carol/roles')
    .set(auth(ADMIN_TOKEN))
    .send({ roles: ['finance', 'approver'], partners: null });
  expect(roles.body).toMatchObject({ roles: ['finance', 'approver'], partners: null });
  const pw = await request(app)
    .post('/api/v1/users/carol/password')
    .set(auth(ADMIN_TOKEN))
    .send({ password: 'carol-password-2' });
  expect(pw.status).toBe(200);
  expect(pw.text).not.toMatch(/scrypt|carol-password-2/);
  expect((await request(app).post('/api/v1/users/carol/disable').set(auth(ADMIN_TOKEN))).body.disabled).toBe(
    true,
  );
  expect((await request(app).post('/api/v1/users/nobody/disable').set(auth(ADMIN_TOKEN))).status).toBe(404);
  const list = await request(app).get('/api/v1/users').set(auth(ADMIN_TOKEN));
  expect(list.body.users.map((u: { username: string }) => u.username)).toEqual(['alice', 'carol']);
  expect(list.text).not.toMatch(/scrypt|hash/);
  const audit = await env.db('audit_log').where({ subject: 'user:carol' }).orderBy('id');
  expect(audit.map((a) => [a.actor, a.action])).toEqual([
    ['admin token', 'user.create'],
    ['admin token', 'user.roles'],
    ['admin token', 'user.password'],
    ['admin token', 'user.disable'],
  ]);
});

it('gateway users add|passwd|disable|list on the database: a generated password printed once, or one from stdin', () => {
  const cliEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: env.config.DATABASE_URL,
    ADMIN_TOKEN,
    SECRETS_KEY,
    LOG_LEVEL: 'warn',
  };
  const cli = (args: string[], input?: string) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'users', ...args], {
      cwd: ROOT,
      env: cliEnv,
      encoding: 'utf8',
      ...(input !== undefined ? { input } : {}),
    });
    return { out: r.stdout, err: r.stderr, status: r.status };
  };
  const add = cli(['add', 'erin', '--roles', 'approver', '--partners', 'acme']);
  expect(add.err).toBe('');
  expect(add.status).toBe(0);
  expect(add.out).toContain('created user erin (approver)');
  const generated = /shown once.*\n(\S+)/.exec(add.out)![1]!;
  expect(generated.length).toBeGreaterThanOrEqual(24);
  const passwd = cli(['passwd', 'erin', '--password-stdin'], 'erin-chosen-password\n');
  expect(passwd.status).toBe(0);
  expect(passwd.out).toContain('new password for user erin');
  expect(passwd.out).not.toContain('erin-chosen-password');
  const disable = cli(['disable', 'erin']);
  expect(disable.out).toContain('disabled user erin');
  const listed = cli(['list']);
  expect(listed.out).toMatch(/erin\s+approver\s+partners acme\s+DISABLED/);
  const bad = cli(['add', 'frank', '--roles', 'root']);
  expect(bad.status).toBe(1);
  return env
    .db('audit_log')
    .where({ subject: 'user:erin' })
    .orderBy('id')
    .then((rows) => {
      expect(rows.map((r) => r.action)).toEqual(['user.create', 'user.password', 'user.disable']);
      expect(rows[0].actor).toMatch(/^cli:/);
    });
});
