import type { Express } from 'express';
import request from 'supertest';

export type PageArea = 'approvals' | 'finance';

const SIGN_IN_PAGE: Record<PageArea, string> = { approvals: '/approvals', finance: '/finance/login' };
const SIGN_IN_FIELD: Record<PageArea, string> = { approvals: 'token', finance: 'key' };
export const SESSION_COOKIE: Record<PageArea, string> = { approvals: 'gw_approvals', finance: 'gw_finance' };

/** The value of the `csrf` field of the first form on a page. */
export function csrfOf(html: string): string {
  const m = /name="csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error(`no CSRF field in the page:\n${html.slice(0, 2000)}`);
  return m[1] as string;
}

/** `name=value` of a cookie set by a response (undefined when it sets none). */
export function setCookie(res: request.Response, name: string): string | undefined {
  const all = ([] as string[]).concat((res.headers['set-cookie'] as string[] | string | undefined) ?? []);
  return all.find((c) => c.startsWith(`${name}=`));
}

export function cookieValueOf(header: string | undefined): string | undefined {
  return header ? header.split(';')[0]?.split('=').slice(1).join('=') : undefined;
}

/**
 * Signs in as a browser would: opens the sign-in form (which sets the sign-in nonce cookie), posts
 * it with its CSRF token and the credential. Returns the answer and the session cookie it set.
 */
export async function signIn(
  app: Express | import('node:http').Server,
  area: PageArea,
  credential: string,
  headers: Record<string, string> = {},
  /** Cookies the browser already holds (sent with the sign-in post). */
  cookies?: string,
): Promise<{ res: request.Response; session?: string; cookieHeader?: string }> {
  const form = await request(app).get(SIGN_IN_PAGE[area]).set(headers);
  const nonce = cookieValueOf(setCookie(form, 'gw_signin'));
  const res = await request(app)
    .post(area === 'approvals' ? '/approvals/login' : '/finance/login')
    .set(headers)
    .set('Cookie', `gw_signin=${nonce}${cookies ? `; ${cookies}` : ''}`)
    .type('form')
    .send({ csrf: csrfOf(form.text), [SIGN_IN_FIELD[area]]: credential });
  const cookieHeader = setCookie(res, SESSION_COOKIE[area]);
  return { res, session: cookieValueOf(cookieHeader), cookieHeader };
}

/**
 * Signs in to the console as a browser would: GET / (the form and its sign-in nonce), then POST
 * /console/login with username and password. Returns the answer and the `gw_console` cookie.
 */
export async function consoleSignIn(
  app: Parameters<typeof request>[0],
  username: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<{ res: request.Response; session?: string; cookieHeader?: string; cookie: string }> {
  const form = await request(app).get('/').set(headers);
  const nonce = cookieValueOf(setCookie(form, 'gw_signin'));
  const res = await request(app)
    .post('/console/login')
    .set(headers)
    .set('Cookie', `gw_signin=${nonce}`)
    .type('form')
    .send({ csrf: csrfOf(form.text), username, password, next: '/' });
  const cookieHeader = setCookie(res, 'gw_console');
  const session = cookieValueOf(cookieHeader);
  return { res, session, cookieHeader, cookie: `gw_console=${session}` };
}
