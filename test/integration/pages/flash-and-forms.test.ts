/**
 * The page kit against the real database and the real app: flash messages are shown once, to their
 * own session only, and every POST route of a page area checks the CSRF token unless CSRF_EXEMPT
 * names it (so a new page form without the check fails here).
 */
import type { Express } from 'express';
import { createApp } from '../../../src/app';
import { CSRF_CHECK, CSRF_EXEMPT, FLASH_TTL_MS, flashUrl, takeFlash } from '../../../src/platform/pages';
import { createTestEnv, type TestEnv } from '../../helpers/env';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv({ start: false });
});
afterAll(async () => {
  await env?.close();
});

const idOf = (url: string) => new URL(url, 'http://x').searchParams.get('flash') as string;

describe('flash messages', () => {
  it('are shown once, by the page the redirect names, to the session that wrote them', async () => {
    const url = await flashUrl(env.ctx, 'session-a', '/punchout/s/abc/cart?x=1', {
      kind: 'success',
      message: 'Added 2 × PEN-BLU-12 to your cart.',
      details: ['one', 'two'],
    });
    expect(url).toMatch(/^\/punchout\/s\/abc\/cart\?x=1&flash=[0-9a-f-]{36}$/);
    const query = { flash: idOf(url) };
    // Another session's request with the same URL (a shared link) sees nothing and consumes nothing.
    expect(await takeFlash(env.ctx, 'session-b', query)).toEqual([]);
    expect(await takeFlash(env.ctx, 'session-a', query)).toEqual([
      { kind: 'success', message: 'Added 2 × PEN-BLU-12 to your cart.', details: ['one', 'two'] },
    ]);
    // A reload shows nothing.
    expect(await takeFlash(env.ctx, 'session-a', query)).toEqual([]);
    expect(await env.db('page_flashes').where({ id: query.flash })).toEqual([]);
  });

  it('ignore ids that are not ours or not UUIDs, without a database error', async () => {
    for (const flash of [
      'not-a-uuid',
      "'; drop table page_flashes; --",
      ['a', 'b'],
      '00000000-0000-0000-0000-000000000000',
    ])
      expect(await takeFlash(env.ctx, 'session-a', { flash })).toEqual([]);
    expect(await takeFlash(env.ctx, 'session-a', undefined)).toEqual([]);
  });

  it('expire when nobody followed the redirect, and are deleted by a later write', async () => {
    const realNow = env.ctx.now;
    const stale = await flashUrl(env.ctx, 'session-c', '/approvals', { kind: 'info', message: 'old' });
    try {
      env.ctx.now = () => new Date(Date.now() + FLASH_TTL_MS + 1000);
      expect(await takeFlash(env.ctx, 'session-c', { flash: idOf(stale) })).toEqual([]);
      await flashUrl(env.ctx, 'session-c', '/approvals', { kind: 'info', message: 'new' });
      expect(await env.db('page_flashes').where({ id: idOf(stale) })).toEqual([]);
    } finally {
      env.ctx.now = realNow;
    }
  });
});

interface RouteInfo {
  path: string;
  checked: boolean;
}

/** Every POST route of the app with whether a CSRF check runs among its handlers. */
function postRoutes(app: Express): RouteInfo[] {
  const out: RouteInfo[] = [];
  type Layer = {
    route?: { path: string; methods: Record<string, boolean>; stack: { handle: unknown }[] };
    handle?: { stack?: Layer[] };
  };
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        if (layer.route.methods.post)
          out.push({
            path: String(layer.route.path),
            checked: layer.route.stack.some(
              (l) => (l.handle as Record<symbol, unknown>)[CSRF_CHECK] === true,
            ),
          });
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}

describe('page forms', () => {
  // Every area of pages: their forms are the kit's.
  const PAGE_AREAS = ['/punchout', '/approvals', '/finance', '/console'];

  it('every POST route of a page area checks the CSRF token; the exemptions exist and are only the credentialed posts', () => {
    const routes = postRoutes(createApp(env.ctx));
    const pageRoutes = routes.filter((r) =>
      PAGE_AREAS.some((a) => r.path === a || r.path.startsWith(`${a}/`)),
    );
    expect(pageRoutes.length).toBeGreaterThanOrEqual(6);
    expect(pageRoutes.filter((r) => !r.checked && !CSRF_EXEMPT[`POST ${r.path}`])).toEqual([]);
    for (const exempt of Object.keys(CSRF_EXEMPT)) {
      const path = exempt.replace(/^POST /, '');
      expect(routes.some((r) => r.path === path && !r.checked)).toBe(true);
    }
  });
});
