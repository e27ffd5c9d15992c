import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Request, Response } from 'express';
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { loadConfig } from '../../../src/platform/config';
import { AppError } from '../../../src/platform/errors';
import {
  checkCsrfLater,
  cookieValue,
  SIGN_IN_COOKIE,
  signInKey,
  CSRF_CHECK,
  csrfToken,
  csrfValid,
  ErrorBody,
  hrefWith,
  pageErrors,
  pageLinks,
  pagingFrom,
  Pagination,
  PostForm,
  renderPage,
  requireCsrf,
  setPageHeaders,
  withFlash,
  type Chrome,
} from '../../../src/platform/pages';
import { renderToString } from 'preact-render-to-string';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pagesRules = require('../../../eslint-rules/pages.cjs') as { rules: Record<string, never> };

/** A value that breaks out of text and of a quoted attribute when not escaped, tagged by its slot. */
const evil = (slot: string) => `"><script>alert('${slot}')</script><img src=x onerror="${slot}">&amp;`;
/** How Preact writes it: &, < and " escaped (> and ' need no escape in text or quoted attributes). */
const escaped = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

function fakeRes() {
  const headers: Record<string, string> = { 'x-frame-options': 'DENY' };
  const res = {
    statusCode: 200,
    body: '',
    headersSent: false,
    headers,
    setHeader(k: string, v: string) {
      headers[k.toLowerCase()] = v;
      return res;
    },
    removeHeader(k: string) {
      delete headers[k.toLowerCase()];
    },
    status(n: number) {
      res.statusCode = n;
      return res;
    },
    type(t: string) {
      headers['content-type'] = t;
      return res;
    },
    send(b: string) {
      res.body = b;
      return res;
    },
  };
  return res;
}

const config = loadConfig({ ADMIN_TOKEN: 'unit-admin-token-0123456789' });

function chrome(over: Partial<Chrome> = {}): Chrome {
  return {
    supplier: 'ACME Supply',
    area: 'Catalog',
    home: '/x/',
    nav: [],
    security: { ancestors: 'none' },
    ...over,
  };
}

describe('escaping', () => {
  it('escapes every interpolation of the layout, forms, flash, pagination and error page, attributes included', () => {
    const slots = [
      'title',
      'supplier',
      'area',
      'context',
      'navLabel',
      'navId',
      'account',
      'flash',
      'detail',
      'action',
      'csrf',
      'hidden',
      'errTitle',
      'errMessage',
      'backLabel',
    ] as const;
    const v = Object.fromEntries(slots.map((s) => [s, evil(s)])) as Record<(typeof slots)[number], string>;
    const html = renderPage({
      title: v.title,
      chrome: chrome({
        supplier: v.supplier,
        area: v.area,
        home: v.action,
        context: v.context,
        nav: [{ href: v.action, label: v.navLabel, id: v.navId, current: true }],
        account: { label: v.account, signOut: { action: v.action, csrf: v.csrf } },
      }),
      flash: [{ kind: 'success', message: v.flash, details: [v.detail] }],
      children: (
        <>
          <PostForm action={v.action} csrf={v.csrf}>
            <input type="hidden" name="x" value={v.hidden} />
          </PostForm>
          <ErrorBody
            e={{ status: 404, title: v.errTitle, message: v.errMessage }}
            back={{ href: v.action, label: v.backLabel }}
          />
        </>
      ),
    });
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    for (const s of slots) {
      expect(html).toContain(escaped(v[s]));
      expect(html).not.toContain(v[s]);
    }
    // Nothing of any value became markup.
    expect(html).not.toMatch(/<script|<img/);
    const rest = slots.reduce((h, s) => h.split(escaped(v[s])).join(''), html);
    expect(rest).not.toContain('alert(');
  });

  it('keeps the CSRF token as the first field of every POST form, with the form attributes in order', () => {
    const html = renderToString(
      <PostForm action="/a?b=1&c=2" csrf="tok" class="inline">
        <button type="submit">Go</button>
      </PostForm>,
    );
    expect(html).toBe(
      '<form method="post" action="/a?b=1&amp;c=2" class="inline"><input type="hidden" name="csrf" value="tok"/><button type="submit">Go</button></form>',
    );
  });
});

describe('CSRF tokens', () => {
  it('are the same for a session in every process of one deployment and differ per session and secret', () => {
    const again = loadConfig({ ADMIN_TOKEN: 'unit-admin-token-0123456789' });
    const other = loadConfig({ ADMIN_TOKEN: 'another-admin-token-0123456789' });
    const t = csrfToken(config, 'session-a');
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(csrfToken(again, 'session-a')).toBe(t);
    expect(csrfToken(config, 'session-b')).not.toBe(t);
    expect(csrfToken(other, 'session-a')).not.toBe(t);
  });

  it('accept only the token of the same session', () => {
    const t = csrfToken(config, 'session-a');
    expect(csrfValid(config, 'session-a', t)).toBe(true);
    for (const bad of [undefined, '', 123, [t], `${t}x`, t.slice(1), csrfToken(config, 'session-b')])
      expect(csrfValid(config, 'session-a', bad)).toBe(false);
  });

  it('requireCsrf passes a form with the token and refuses one without, a wrong one, or no session', () => {
    const refused: string[] = [];
    const mw = requireCsrf(
      config,
      (req) => (req as unknown as { key?: string }).key,
      (req) => refused.push(String((req.body as { csrf?: string } | undefined)?.csrf)),
    );
    expect((mw as unknown as Record<symbol, unknown>)[CSRF_CHECK]).toBe(true);
    const run = (key: string | undefined, body: unknown) => {
      let passed = false;
      mw({ key, body } as unknown as Request, {} as Response, () => (passed = true));
      return passed;
    };
    const t = csrfToken(config, 'k');
    expect(run('k', { csrf: t })).toBe(true);
    expect(run('k', {})).toBe(false);
    expect(run('k', undefined)).toBe(false);
    expect(run('k', { csrf: 'forged' })).toBe(false);
    expect(run('other', { csrf: t })).toBe(false);
    expect(run(undefined, { csrf: t })).toBe(false);
    expect(refused).toHaveLength(5);
  });
});

describe('sign-in forms (no session yet)', () => {
  const reqWith = (cookie: string | undefined, body?: unknown) =>
    ({ get: (h: string) => (h.toLowerCase() === 'cookie' ? cookie : undefined), body }) as unknown as Request;
  const resCollecting = () => {
    const set: string[] = [];
    return {
      set,
      res: { append: (k: string, v: string) => k === 'Set-Cookie' && set.push(v) } as unknown as Response,
    };
  };

  it('key the form by a nonce cookie, set once (HttpOnly, SameSite=Strict, Secure over https)', () => {
    const first = resCollecting();
    const nonce = signInKey(reqWith(undefined), first.res, { secure: true });
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(first.set).toEqual([
      `${SIGN_IN_COOKIE}=${nonce}; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600; Secure`,
    ]);
    const again = resCollecting();
    expect(signInKey(reqWith(`a=1; ${SIGN_IN_COOKIE}=${nonce}`), again.res, { secure: false })).toBe(nonce);
    expect(again.set).toEqual([]);
    // A malformed cookie is replaced, never trusted.
    const bad = resCollecting();
    expect(signInKey(reqWith(`${SIGN_IN_COOKIE}=short`), bad.res, { secure: false })).not.toBe('short');
    expect(bad.set).toHaveLength(1);
  });

  it('check the token without answering, so the handler can refuse wrong credentials (401) before a missing token (403)', () => {
    const mw = checkCsrfLater(config);
    expect((mw as unknown as Record<symbol, unknown>)[CSRF_CHECK]).toBe(true);
    const nonce = 'n'.repeat(32);
    const run = (cookie: string | undefined, body: unknown) => {
      const req = reqWith(cookie, body);
      let called = false;
      mw(req, {} as Response, () => (called = true));
      expect(called).toBe(true);
      return req.csrfOk;
    };
    const cookie = `${SIGN_IN_COOKIE}=${nonce}`;
    expect(run(cookie, { csrf: csrfToken(config, nonce) })).toBe(true);
    expect(run(cookie, {})).toBe(false);
    expect(run(cookie, { csrf: csrfToken(config, 'm'.repeat(32)) })).toBe(false);
    expect(run(undefined, { csrf: csrfToken(config, nonce) })).toBe(false);
  });

  it('read cookies without throwing on bad percent-encoding', () => {
    expect(cookieValue(reqWith('a=%E0%A4%A; b=x%20y'), 'a')).toBeUndefined();
    expect(cookieValue(reqWith('a=%E0%A4%A; b=x%20y'), 'b')).toBe('x y');
    expect(cookieValue(reqWith(undefined), 'b')).toBeUndefined();
  });
});

describe('pagination', () => {
  const kinds = (links: ReturnType<typeof pageLinks>) =>
    links.map((l) =>
      l.kind === 'page'
        ? l.current
          ? `[${l.number}]`
          : String(l.number)
        : l.kind === 'gap'
          ? '…'
          : `${l.kind}:${l.offset}`,
    );

  it('links previous, pages around the current one with gaps, first, last and next', () => {
    expect(kinds(pageLinks(0, 20, 0))).toEqual(['prev:null', '[1]', 'next:null']);
    expect(kinds(pageLinks(93, 20, 20))).toEqual(['prev:0', '1', '[2]', '3', '4', '5', 'next:40']);
    expect(kinds(pageLinks(1000, 10, 500))).toEqual([
      'prev:490',
      '1',
      '…',
      '49',
      '50',
      '[51]',
      '52',
      '53',
      '…',
      '100',
      'next:510',
    ]);
    // An offset past the end shows the last page.
    expect(kinds(pageLinks(45, 20, 400))).toEqual(['prev:20', '1', '2', '[3]', 'next:null']);
  });

  it('renders shareable links that keep the filters, and nothing when all fits on one page', () => {
    const href = (offset: number) => hrefWith('/finance', { status: 'issued', from: '', offset, limit: 20 });
    const html = renderToString(<Pagination total={93} limit={20} offset={20} href={href} noun="invoices" />);
    expect(html).toContain('Showing 21–40 of 93 invoices');
    expect(html).toContain('<a href="/finance?status=issued&amp;offset=0&amp;limit=20" rel="prev">');
    expect(html).toContain('<a href="/finance?status=issued&amp;offset=40&amp;limit=20" rel="next">');
    expect(html).toContain('<span class="page" aria-current="page">2</span>');
    expect(html).toContain('aria-label="Page 5"');
    expect(html).not.toContain('from=');
    expect(renderToString(<Pagination total={20} limit={20} offset={0} href={href} />)).toBe('');
  });

  it('reads limit and offset from the query within bounds', () => {
    expect(pagingFrom({}, { limit: 20, maxLimit: 100 })).toEqual({ limit: 20, offset: 0 });
    expect(pagingFrom({ limit: '50', offset: '40' }, { limit: 20, maxLimit: 100 })).toEqual({
      limit: 50,
      offset: 40,
    });
    expect(pagingFrom({ limit: '5000', offset: '-1' }, { limit: 20, maxLimit: 100 })).toEqual({
      limit: 100,
      offset: 0,
    });
    expect(pagingFrom({ limit: '0', offset: '1e3' }, { limit: 20 })).toEqual({ limit: 1, offset: 0 });
    expect(pagingFrom({ limit: ['10'], offset: { a: 1 } }, { limit: 20 })).toEqual({ limit: 20, offset: 0 });
  });
});

describe('flash URLs', () => {
  it('carry the message id and keep the other parameters', () => {
    const id = '0b6a7c1e-3c1d-4f51-9a54-62c2b8b0f111';
    expect(withFlash('/punchout/s/abc/cart', id)).toBe(`/punchout/s/abc/cart?flash=${id}`);
    expect(withFlash('/approvals?status=pending&flash=old', id)).toBe(
      `/approvals?status=pending&flash=${id}`,
    );
  });
});

describe('page headers and error pages', () => {
  it('frame-ancestors: none (with X-Frame-Options), a list, or any', () => {
    const none = fakeRes();
    setPageHeaders(none as unknown as Response, { ancestors: 'none' });
    expect(none.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(none.headers['content-security-policy']).toContain("style-src 'self'");
    expect(none.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(none.headers['x-frame-options']).toBe('DENY');
    const list = fakeRes();
    setPageHeaders(list as unknown as Response, { ancestors: ["'self'", 'https://srm.example'] });
    expect(list.headers['content-security-policy']).toContain("frame-ancestors 'self' https://srm.example");
    expect(list.headers['x-frame-options']).toBeUndefined();
    const any = fakeRes();
    setPageHeaders(any as unknown as Response, {
      ancestors: 'any',
      formActions: ['https://srm.example'],
      scriptNonce: 'n0',
    });
    expect(any.headers['content-security-policy']).toMatch(/frame-ancestors \*(;|$)/);
    expect(any.headers['content-security-policy']).toContain("form-action 'self' https://srm.example");
    expect(any.headers['content-security-policy']).toContain("script-src 'nonce-n0'");
  });

  it('an unexpected error is a 500 page in the layout with the request id, never its message or stack', () => {
    const handler = pageErrors(() => chrome({ back: { href: '/x/', label: 'Back to the catalog' } }));
    const res = fakeRes();
    const logged: unknown[] = [];
    const req = { id: 'req-42', log: { error: (o: unknown) => logged.push(o), debug: () => undefined } };
    handler(
      new Error('secret detail at x.ts:1'),
      req as unknown as Request,
      res as unknown as Response,
      () => {},
    );
    expect(res.statusCode).toBe(500);
    expect(res.body).toContain('<h1>Something went wrong</h1>');
    expect(res.body).toContain('Reference: req-42');
    expect(res.body).toContain('<a class="button primary" href="/x/" id="back">Back to the catalog</a>');
    expect(res.body).not.toContain('secret detail');
    expect(logged).toHaveLength(1);
  });

  it('an AppError keeps its status and message', () => {
    const res = fakeRes();
    const req = { id: 'r', log: { error: () => undefined, debug: () => undefined } };
    pageErrors(() => chrome())(
      new AppError('gone', 'this approval link was already used'),
      req as unknown as Request,
      res as unknown as Response,
      () => {},
    );
    expect(res.statusCode).toBe(410);
    expect(res.body).toContain('This approval link was already used.');
    expect(res.body).not.toContain('Reference:');
  });
});

describe('lint rule pages/no-html-strings', () => {
  const tester = new RuleTester({
    languageOptions: { parser: tseslint.parser, parserOptions: { ecmaFeatures: { jsx: true } } },
  });
  tester.run('no-html-strings', pagesRules.rules['no-html-strings']!, {
    valid: [
      'const el = <p>{name}</p>;',
      'const xml = `<Status code="200">${text}</Status>`;',
      "const usage = 'usage: gateway <command>';",
      'const h = Math.max(1, 2);',
    ],
    invalid: [
      { code: 'const s = `<p>${name}</p>`;', errors: [{ messageId: 'html' }, { messageId: 'html' }] },
      {
        code: "const s = '<td class=\"n\">' + x + '</td>';",
        errors: [{ messageId: 'html' }, { messageId: 'html' }],
      },
      { code: "import { escapeHtml as h } from '../../protocols/oci';", errors: [{ messageId: 'escaper' }] },
      { code: 'function esc(v) { return v; }', errors: [{ messageId: 'escaper' }] },
      { code: 'const h = (v) => v;', errors: [{ messageId: 'escaper' }] },
      { code: 'const el = <div dangerouslySetInnerHTML={{ __html: x }} />;', errors: [{ messageId: 'raw' }] },
    ],
  });
});

describe('JSX runtime', () => {
  const PRAGMA = '/** @jsxRuntime automatic @jsxImportSource preact */';
  const tester = new RuleTester({
    languageOptions: { parser: tseslint.parser, parserOptions: { ecmaFeatures: { jsx: true } } },
  });
  tester.run('jsx-pragma', pagesRules.rules['jsx-pragma']!, {
    valid: [
      { code: `${PRAGMA}\nexport const P = () => <p>x</p>;`, filename: 'src/x/views.tsx' },
      { code: 'export const n = 1;', filename: 'src/x/plain.ts' },
    ],
    invalid: [
      {
        code: 'export const P = () => <p>x</p>;',
        filename: 'src/x/views.tsx',
        errors: [{ messageId: 'missing' }],
        output: `${PRAGMA}\nexport const P = () => <p>x</p>;`,
      },
    ],
  });

  it('renders pages when the gateway runs from another working directory (no tsconfig.json there)', () => {
    const root = path.resolve(__dirname, '../../..');
    const script = `const { renderPage } = require(${JSON.stringify(path.join(root, 'src/platform/pages'))});
      process.stdout.write(renderPage({ title: 'T', chrome: { supplier: 'S', area: 'A', home: '/', nav: [], security: { ancestors: 'none' } } }));`;
    const out = execFileSync(process.execPath, ['--import', require.resolve('tsx'), '-e', script], {
      cwd: tmpdir(),
      encoding: 'utf8',
    });
    expect(out).toContain('<title>T · S</title>');
  });
});
