/**
 * The Alerts screen in Chromium: an operator signs in, follows the navigation to Alerts, has the
 * rules evaluated after a burst of refused API keys, sees the open alert and opens its evidence.
 * SCREENSHOTS=1 also writes docs/screenshots/console-alerts.png and console-alert.png.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { createApp } from '../../../src/app';
import { createUser } from '../../../src/console/users';
import { launchChromium, signInPage } from '../../helpers/browser';
import { auth, createTestEnv, type TestEnv } from '../../helpers/env';
import { seedPartner } from '../../helpers/partners';

const PW = 'operator-password-1';
let env: TestEnv;
let server: Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  env = await createTestEnv({ env: { ALERT_REFUSAL_SPIKE: '3' } });
  const app = createApp(env.ctx);
  server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await seedPartner(env.db);
  await createUser(env.db, { username: 'olga', name: 'Olga Operator', roles: ['operator'] }, PW, {
    actor: { label: 'test' },
    now: new Date(),
  });
  browser = await launchChromium();
}, 60000);
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => server?.close(() => r()));
  await env?.close();
});

it('an operator sees a spike of refused credentials as one open alert and reads its evidence', async () => {
  for (let i = 0; i < 4; i++)
    await request(server)
      .get('/api/v1/orders')
      .set(auth(`stolen-${i}`))
      .expect(401);
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  const page = await ctx.newPage();
  await signInPage(page, base, 'olga', PW);
  await page.click('nav >> text=Alerts');
  expect(await page.textContent('#open-alerts')).toBe('No alert is open.');
  await page.click('#evaluate-alerts');
  await page.waitForSelector('text=Rules evaluated: 1 opened, 0 resolved.');
  const row = page.locator('tr[data-rule="refusal_spike"]');
  expect(await row.getAttribute('data-state')).toBe('open');
  expect(await row.textContent()).toContain('4 refused authentications in the last 10 minutes (threshold 3)');
  expect(await page.textContent('#open-alerts')).toContain('Refused authentications spike 1');
  const shots = process.env.SCREENSHOTS ? path.resolve(__dirname, '../../../docs/screenshots') : undefined;
  if (shots) {
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, 'console-alerts.png'), fullPage: true });
  }
  await row.locator('a').click();
  await page.waitForSelector('#alert-facts');
  expect(await page.textContent('#alert-facts [data-detail=bySurface]')).toBe('api 4');
  expect(await page.textContent('#alert-facts')).toContain('By surface');
  if (shots) await page.screenshot({ path: path.join(shots, 'console-alert.png'), fullPage: true });
  await ctx.close();
}, 60000);
