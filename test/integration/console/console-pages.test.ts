/**
 * The console's sign-in and roles (issue 15 points 1 and 5) through HTTP: GET / is the sign-in;
 * a console session (gw_console: HttpOnly, SameSite=Lax, Path=/, Secure behind https) opens what
 * the user's roles allow, within its partner limit; sign-in is rate limited per username and per
 * address; every console action is in the audit log, which only admins may read.
 */
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../../src/app';
import { createUser } from '../../../src/console/users';
import { ADMIN_TOKEN, auth, createTestEnv, type TestEnv } from '../../helpers/env';
import { insertConfirmedOrder } from '../../helpers/orders';
import { consoleSignIn, csrfOf } from '../../helpers/pages';
import { seedPartner } from '../../helpers/partners';

jest.setTimeout(60000);

let env: TestEnv;
let app: Express;
const invoices: Record<string, string[]> = { acme: [], other: [] };
const opts = () => ({ actor: { label: 'test' }, now: new Date() });
const PW = 'a-long-password-1';
let acmeFinanceKey: string;

const cxmlOf = (identity: string, secret: string) => ({
  credentials: [{ domain: 'NetworkID', identity }],
  sharedSecret: secret,
  outboundUrl: 'http://127.0.0.1:9/cxml',
  cartReturn: 'cxml-urlencoded' as const,
  statusUpdates: false,
});

beforeAll(async () => {
  env = await createTestEnv({
    env: { CONSOLE_SIGNIN_FAILURES_PER_USER: '3', CONSOLE_SIGNIN_FAILURES_PER_ADDRESS: '6' },
  });
  app = createApp(env.ctx);
  acmeFinanceKey = (await seedPartner(env.db, { cxml: cxmlOf('AN-ACME', 'acme-secret-1') })).financeKey;
  await seedPartner(env.db, {
    id: 'other',
    name: 'Other',
    oci: undefined,
    x12: undefined,
    cxml: cxmlOf('AN-OTHER', 'other-secret-1'),
  });
  for (const partnerId of ['acme', 'other']) {
    const order = await insertConfirmedOrder(env.db, {
      partnerId,
      lines: [{ quantity: '1', unitPrice: '5' }],
    });
    const res = await request(app)
      .post(`/api/v1/orders/${order.id}/invoices`)
      .set(auth(ADMIN_TOKEN))
      .send({});
    expect(res.status).toBe(201);
    invoices[partnerId]!.push(res.body.invoice.invoiceNumber);
  }
  await createUser(env.db, { username: 'root', roles: ['admin'] }, PW, opts());
  await createUser(env.db, { username: 'fin', roles: ['finance'], partners: ['acme'] }, PW, opts());
  await createUser(env.db, { username: 'appr', roles: ['approver'], partners: ['other'] }, PW, opts());
});
afterAll(async () => {
  await env?.close();
});

it('GET / is the console sign-in in the page layout (no longer a JSON 404)', async () => {
  const res = await request(app).get('/');
  expect(res.status).toBe(200);
  expect(res.type).toBe('text/html');
  expect(res.text).toContain('action="/console/login"');
  expect(res.text).toContain('name="username"');
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.text).not.toContain('id="first-run"'); // DATABASE_URL: no embedded notes
});

it('signs in to a server-side session: a random id in an HttpOnly, SameSite=Lax cookie on /, Secure behind https', async () => {
  const { res, cookieHeader, session } = await consoleSignIn(app, 'Root', PW);
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/');
  expect(cookieHeader).toMatch(
    /^gw_console=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/,
  );
  const rows = await env.db('page_sessions').where({ area: 'console' });
  expect(rows).toHaveLength(1);
  expect(rows[0].id_hash).not.toContain(session);
  expect(rows[0].role).toBe('user');
  const home = await request(app).get('/').set('Cookie', `gw_console=${session}`);
  expect(home.text).toContain('Welcome, root');
  expect(home.text).toContain('href="/console/audit"');
  expect(home.text).not.toContain('href="/demo/buyer"'); // DEMO off: no demo buyer to link to
  const secure = await consoleSignIn(app, 'root', PW, { 'X-Forwarded-Proto': 'https' });
  expect(secure.cookieHeader).toContain('; Secure');
  const audit = await env.db('audit_log').where({ action: 'session.sign_in', actor: 'user:root' });
  expect(audit).toHaveLength(2);
  expect(audit[0]).toMatchObject({ subject: 'area:console', ip: '127.0.0.1' });
  expect(audit[0].user_id).toBe(rows[0].user_id);
});

it('refuses a wrong password and an unknown user alike (401), and a right one without the form token (403)', async () => {
  const wrong = await consoleSignIn(app, 'root', 'not-the-password', { 'X-Forwarded-For': '10.0.0.1' });
  expect(wrong.res.status).toBe(401);
  expect(wrong.res.text).toContain('Wrong username or password.');
  expect(wrong.session).toBeUndefined();
  const unknown = await consoleSignIn(app, 'nobody', PW, { 'X-Forwarded-For': '10.0.0.1' });
  expect(unknown.res.status).toBe(401);
  expect(unknown.res.text).toContain('Wrong username or password.');
  const noForm = await request(app)
    .post('/console/login')
    .type('form')
    .send({ username: 'root', password: PW });
  expect(noForm.status).toBe(403);
  expect(noForm.headers['set-cookie'] ?? []).not.toEqual(
    expect.arrayContaining([expect.stringMatching(/^gw_console=[^;]/)]),
  );
  const refused = await env.db('audit_log').where({ action: 'session.sign_in_refused' });
  expect(refused.map((r) => r.subject).sort()).toEqual(['user:nobody', 'user:root']);
  expect(JSON.stringify(refused)).not.toContain('not-the-password');
});

it('limits failed sign-ins per username (then even the right password waits) and per address', async () => {
  const from = (ip: string) => ({ 'X-Forwarded-For': ip });
  for (let i = 0; i < 3; i++)
    expect((await consoleSignIn(app, 'fin', `wrong-${i}-password`, from(`10.1.0.${i}`))).res.status).toBe(
      401,
    );
  const blocked = await consoleSignIn(app, 'fin', PW, from('10.1.0.9'));
  expect(blocked.res.status).toBe(429);
  expect(blocked.res.text).toContain('Too many failed sign-ins for fin. Try again in 15 minutes');
  expect(Number(blocked.res.headers['retry-after'])).toBeGreaterThan(800);
  expect(blocked.session).toBeUndefined();
  // Another user is not blocked by fin's failures.
  expect((await consoleSignIn(app, 'appr', PW, from('10.1.0.9'))).res.status).toBe(303);

  for (let i = 0; i < 6; i++) await consoleSignIn(app, `guess${i}`, 'wrong-password-x', from('10.2.0.1'));
  const address = await consoleSignIn(app, 'appr', PW, from('10.2.0.1'));
  expect(address.res.status).toBe(429);
  expect(address.res.text).toContain('Too many failed sign-ins from your address');
  expect((await consoleSignIn(app, 'appr', PW, from('10.2.0.2'))).res.status).toBe(303);
});

it('finance: its partners only on the finance page, no approvals, no admin pages', async () => {
  // fin was blocked above: a new user with the same role.
  await createUser(env.db, { username: 'fin2', roles: ['finance'], partners: ['acme'] }, PW, opts());
  const { cookie } = await consoleSignIn(app, 'fin2', PW, { 'X-Forwarded-For': '10.3.0.1' });
  const page = await request(app).get('/finance').set('Cookie', cookie);
  expect(page.status).toBe(200);
  expect(page.text).toContain('action="/console/logout"');
  for (const n of invoices.acme!) expect(page.text).toContain(n);
  for (const n of invoices.other!) expect(page.text).not.toContain(n);
  const audit = await request(app).get('/console/audit').set('Cookie', cookie);
  expect(audit.status).toBe(403);
  expect(audit.text).toContain('Your account (fin2) may not open this page');
  expect((await request(app).get('/console/users').set('Cookie', cookie)).status).toBe(403);
  const approvals = await request(app).get('/approvals').set('Cookie', cookie);
  expect(approvals.status).toBe(403);
  expect(approvals.text).toContain('has no approver role');
  // The admin API stays the admin token's: a console cookie is no bearer token.
  expect((await request(app).get('/api/v1/users').set('Cookie', cookie)).status).toBe(401);
  // Partner settings are the admin token's (the API); a console session opens none of them.
  expect((await request(app).get('/api/v1/partners/acme').set('Cookie', cookie)).status).toBe(401);
  expect((await request(app).get('/api/v1/partners').set('Cookie', cookie)).status).toBe(401);
});

it('an admin reads the audit log, filtered and paged', async () => {
  const { cookie } = await consoleSignIn(app, 'root', PW, { 'X-Forwarded-For': '10.4.0.1' });
  const all = await request(app).get('/console/audit?limit=2').set('Cookie', cookie);
  expect(all.status).toBe(200);
  expect(all.text).toMatch(/Showing 1–2 of \d+ entries/);
  const users = await request(app).get('/console/audit?action=user.').set('Cookie', cookie);
  expect((users.text.match(/<tr data-audit=/g) ?? []).length).toBe(4);
  expect(users.text).toContain('user:fin2');
  expect(users.text).not.toContain('<td class="nowrap">session.sign_in');
  const bad = await request(app).get('/console/audit?from=yesterday').set('Cookie', cookie);
  expect(bad.status).toBe(400);
});

it('an admin adds and disables users on the users screen (CSRF checked); a disabled user is signed out', async () => {
  const admin = await consoleSignIn(app, 'root', PW, { 'X-Forwarded-For': '10.5.0.1' });
  const screen = await request(app).get('/console/users').set('Cookie', admin.cookie);
  expect(screen.status).toBe(200);
  expect(screen.text).not.toMatch(/scrypt/);
  const csrf = csrfOf(screen.text);
  const forged = await request(app)
    .post('/console/users')
    .set('Cookie', admin.cookie)
    .type('form')
    .send({ csrf: 'forged', username: 'eve', roles: 'admin', password: 'eve-password-123' });
  expect(forged.status).toBe(403);
  expect(await env.db('console_users').where({ username: 'eve' }).first()).toBeUndefined();
  const added = await request(app)
    .post('/console/users')
    .set('Cookie', admin.cookie)
    .type('form')
    .send(
      `csrf=${encodeURIComponent(csrf)}&username=gina&roles=approver&roles=finance&partners=acme&password=gina-password-123`,
    );
  expect(added.status).toBe(303);
  const gina = await env.db('console_users').where({ username: 'gina' }).first();
  expect(gina).toMatchObject({ roles: ['approver', 'finance'], partner_ids: ['acme'] });
  const g = await consoleSignIn(app, 'gina', 'gina-password-123', { 'X-Forwarded-For': '10.5.0.2' });
  expect((await request(app).get('/').set('Cookie', g.cookie)).text).toContain('Welcome, gina');
  const disabled = await request(app)
    .post('/console/users/gina/disable')
    .set('Cookie', admin.cookie)
    .type('form')
    .send({ csrf });
  expect(disabled.status).toBe(303);
  const after = await request(app).get('/').set('Cookie', g.cookie);
  expect(after.text).toContain('action="/console/login"');
  const entries = await env
    .db('audit_log')
    .where({ subject: 'user:gina' })
    .orWhere({ actor: 'user:gina' })
    .orderBy('id');
  expect(entries.map((e) => [e.actor, e.action, e.subject])).toEqual([
    ['user:root', 'user.create', 'user:gina'],
    ['user:gina', 'session.sign_in', 'area:console'],
    ['user:root', 'user.disable', 'user:gina'],
  ]);
});

it('sign-out needs the session token, ends the session on the server and is audited', async () => {
  const s = await consoleSignIn(app, 'root', PW, { 'X-Forwarded-For': '10.6.0.1' });
  const home = await request(app).get('/').set('Cookie', s.cookie);
  const forged = await request(app)
    .post('/console/logout')
    .set('Cookie', s.cookie)
    .type('form')
    .send({ csrf: 'x' });
  expect(forged.status).toBe(403);
  const out = await request(app)
    .post('/console/logout')
    .set('Cookie', s.cookie)
    .type('form')
    .send({ csrf: csrfOf(home.text) });
  expect(out.status).toBe(303);
  expect(((out.headers['set-cookie'] as unknown as string[]) ?? []).join('\n')).toContain(
    'gw_console=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0',
  );
  expect((await request(app).get('/').set('Cookie', s.cookie)).text).toContain('action="/console/login"');
  expect(await env.db('audit_log').where({ action: 'session.sign_out', actor: 'user:root' })).toHaveLength(1);
});

it('sign-ins with the admin token or a finance key on the approvals and finance pages are audited too', async () => {
  const { signIn } = await import('../../helpers/pages');
  const root = await consoleSignIn(app, 'root', PW, { 'X-Forwarded-For': '10.9.0.1' });
  const a = await signIn(app, 'approvals', ADMIN_TOKEN, {}, root.cookie);
  expect(a.res.status).toBe(303);
  // Signing in to the approvals area with the token leaves the browser's console session alone.
  expect((await request(app).get('/').set('Cookie', root.cookie)).text).toContain('Welcome, root');
  const entry = await env
    .db('audit_log')
    .where({ action: 'session.sign_in', subject: 'area:approvals' })
    .first();
  expect(entry).toMatchObject({ actor: 'admin token', user_id: null });
  expect(JSON.stringify(entry)).not.toContain(ADMIN_TOKEN);
  const f = await signIn(app, 'finance', acmeFinanceKey);
  expect(f.res.status).toBe(303);
  const out = await request(app)
    .post('/finance/logout')
    .set('Cookie', `gw_finance=${f.session}`)
    .type('form')
    .send({
      csrf: csrfOf((await request(app).get('/finance').set('Cookie', `gw_finance=${f.session}`)).text),
    });
  expect(out.status).toBe(303);
  const finance = await env.db('audit_log').where({ subject: 'area:finance' }).orderBy('id');
  expect(finance.map((e) => e.action)).toEqual(['session.sign_in', 'session.sign_out']);
  expect(finance[0].actor).toMatch(/^partner:acme \(finance key [0-9a-f]{8}\)$/);
  expect(JSON.stringify(finance)).not.toContain(acmeFinanceKey);
});

it('goes back where it was asked for after sign-in, and never to another site', async () => {
  const { safeNext } = await import('../../../src/console/pages');
  expect(safeNext('/approvals?x=1')).toBe('/approvals?x=1');
  for (const bad of [
    '//evil.example',
    'https://evil.example',
    '/\\evil.example',
    'javascript:alert(1)',
    '/a\nb',
  ])
    expect(safeNext(bad)).toBe('/');
  const res = await request(app).get('/console/audit');
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/?next=%2Fconsole%2Faudit');
});

it("an admin changes a user's roles, partners and password on the user's page; nobody takes their own admin role", async () => {
  await createUser(env.db, { username: 'hank', roles: ['approver'] }, PW, opts());
  const admin = await consoleSignIn(app, 'root', PW, { 'X-Forwarded-For': '10.7.0.1' });
  const hank = await consoleSignIn(app, 'hank', PW, { 'X-Forwarded-For': '10.7.0.2' });
  const page = await request(app).get('/console/users/hank').set('Cookie', admin.cookie);
  expect(page.status).toBe(200);
  expect(page.text).toContain('<dd id="roles">approver</dd>');
  const csrf = csrfOf(page.text);
  const post = (path: string, body: string) =>
    request(app)
      .post(path)
      .set('Cookie', admin.cookie)
      .type('form')
      .send(`csrf=${encodeURIComponent(csrf)}&${body}`);
  expect(
    (await post('/console/users/hank/roles', 'roles=finance&roles=approver&partners=other')).status,
  ).toBe(303);
  expect(await env.db('console_users').where({ username: 'hank' }).first('roles', 'partner_ids')).toEqual({
    roles: ['finance', 'approver'],
    partner_ids: ['other'],
  });
  // Roles apply at the next request of hank's session.
  const fin = await request(app).get('/finance').set('Cookie', hank.cookie);
  expect(fin.status).toBe(200);
  for (const n of invoices.other!) expect(fin.text).toContain(n);
  for (const n of invoices.acme!) expect(fin.text).not.toContain(n);
  expect((await post('/console/users/hank/roles', 'roles=approver&partners=nope')).status).toBe(400);
  expect((await post('/console/users/root/roles', 'roles=finance')).status).toBe(409);
  expect((await post('/console/users/hank/password', 'password=hank-new-password')).status).toBe(303);
  expect((await request(app).get('/').set('Cookie', hank.cookie)).text).toContain('action="/console/login"');
  expect(
    (await consoleSignIn(app, 'hank', 'hank-new-password', { 'X-Forwarded-For': '10.7.0.3' })).res.status,
  ).toBe(303);
  const entries = await env.db('audit_log').where({ subject: 'user:hank', actor: 'user:root' }).orderBy('id');
  expect(entries.map((e) => e.action)).toEqual(['user.roles', 'user.password']);
  expect(entries[0]).toMatchObject({
    before: { roles: ['approver'], partners: null },
    after: { roles: ['finance', 'approver'], partners: ['other'] },
  });
  expect(JSON.stringify(entries)).not.toContain('hank-new-password');
});

it('every user changes their own password, giving the current one; then signs in again', async () => {
  await createUser(env.db, { username: 'ivy', roles: ['finance'] }, PW, opts());
  const ivy = await consoleSignIn(app, 'ivy', PW, { 'X-Forwarded-For': '10.8.0.1' });
  const page = await request(app).get('/console/password').set('Cookie', ivy.cookie);
  expect(page.status).toBe(200);
  const csrf = csrfOf(page.text);
  const change = (current: string, password: string, repeat = password) =>
    request(app)
      .post('/console/password')
      .set('Cookie', ivy.cookie)
      .set('X-Forwarded-For', '10.8.0.1')
      .type('form')
      .send({ csrf, current, password, repeat });
  const wrong = await change('not-my-password', 'ivy-new-password-1');
  expect(wrong.status).toBe(303);
  const shown = await request(app)
    .get(wrong.headers.location as string)
    .set('Cookie', ivy.cookie);
  expect(shown.text).toContain('The current password is not right.');
  expect((await change(PW, 'ivy-new-password-1', 'ivy-new-password-2')).status).toBe(303);
  const done = await change(PW, 'ivy-new-password-1');
  expect(done.status).toBe(303);
  expect(done.headers.location).toMatch(/^\/\?flash=/);
  expect((await request(app).get('/').set('Cookie', ivy.cookie)).text).toContain('action="/console/login"');
  expect(
    (await consoleSignIn(app, 'ivy', 'ivy-new-password-1', { 'X-Forwarded-For': '10.8.0.2' })).res.status,
  ).toBe(303);
  expect(
    await env.db('audit_log').where({ subject: 'user:ivy', action: 'user.password', actor: 'user:ivy' }),
  ).toHaveLength(1);
});
