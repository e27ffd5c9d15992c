/**
 * Embedded mode's first run (issue 15 point 5): `npm start` creates the console account `admin`
 * with a generated password printed once; `GET /` is the console sign-in with the first-run notes
 * and the demo links; `gateway users passwd admin` beside the running server changes it (through
 * its admin API); a restart prints no password again.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import {
  cleanEnv,
  freePort,
  ROOT,
  startGateway,
  stopGateway,
  waitHealthy,
} from '../../helpers/gateway-process';
import { consoleSignIn } from '../../helpers/pages';

const dataDir = mkdtempSync(path.join(tmpdir(), 'gw-first-admin-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('creates the first admin once, prints its password once, and lets it be changed beside the server', async () => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const first = startGateway(dataDir, port);
  let second: ReturnType<typeof startGateway> | undefined;
  try {
    await waitHealthy(port, first);
    const printed =
      /account "admin" created with the password \(shown once, only its hash is stored\):\n(\S+)\n/.exec(
        first.output(),
      );
    expect(printed).not.toBeNull();
    const password = printed![1]!;

    const landing = await request(base).get('/');
    expect(landing.status).toBe(200);
    expect(landing.text).toContain('action="/console/login"');
    expect(landing.text).toContain('id="first-run"');
    expect(landing.text).toContain('First run');
    expect(landing.text).toContain('users passwd admin');
    expect(landing.text).toMatch(/id="demo-links"[\s\S]*href="\/approvals"[\s\S]*href="\/finance\/login"/);
    expect(landing.text).not.toContain(password);

    const signedIn = await consoleSignIn(base, 'admin', password);
    expect(signedIn.res.status).toBe(303);
    const home = await request(base).get('/').set('Cookie', signedIn.cookie);
    expect(home.text).toContain('Welcome, admin');

    const passwd = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'users', 'passwd', 'admin', '--password-stdin'],
      { cwd: ROOT, env: cleanEnv({ DATA_DIR: dataDir }), encoding: 'utf8', input: 'a-new-admin-password\n' },
    );
    expect(passwd.stderr).toBe('');
    expect(passwd.status).toBe(0);
    expect(passwd.stdout).toContain('sending this to it');
    expect(passwd.stdout).toContain('new password for user admin');
    // The new password ended the admin's sessions; the old password no longer signs in.
    expect((await request(base).get('/').set('Cookie', signedIn.cookie)).text).toContain(
      'action="/console/login"',
    );
    expect((await consoleSignIn(base, 'admin', password)).res.status).toBe(401);
    expect((await consoleSignIn(base, 'admin', 'a-new-admin-password')).res.status).toBe(303);
    const landingAfter = await request(base).get('/');
    expect(landingAfter.text).toContain('Embedded mode');
    expect(await stopGateway(first)).toBe(0);

    second = startGateway(dataDir, port);
    await waitHealthy(port, second);
    expect(second.output()).not.toContain('created with the password');
    expect(second.output()).toContain(`Console: http://localhost:${port}/`);
    expect(await stopGateway(second)).toBe(0);
  } finally {
    if (first.child.exitCode === null) await stopGateway(first);
    if (second && second.child.exitCode === null) await stopGateway(second);
  }
}, 240000);
