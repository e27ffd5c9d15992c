import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium, headless, with the flags this closed network needs (no background traffic). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Signs in to the console at `base` as a user would: the form at `/` (or `path`), then submit. */
export async function signInPage(
  page: Page,
  base: string,
  username: string,
  password: string,
  path = '/',
): Promise<void> {
  await page.goto(`${base}${path}`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('#sign-in button[type=submit]');
}
