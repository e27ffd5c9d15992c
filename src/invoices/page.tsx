/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The finance pages: a buyer's finance team (or the admin) lists, filters and downloads invoices.
 * Server-rendered with the page kit, no script. The finance key (or the admin token) is typed into
 * the sign-in form once and starts a page session (src/platform/pages/sessions.ts): the cookie
 * carries a random session id, never the key, so plain links (PDF, CSV, cXML downloads) work without
 * putting the key in a URL or a cookie. A session sees exactly what its key may: one partner's
 * invoices, or every partner's for the admin. Sign-out ends the session on the server. The supplier's
 * staff come in with their console session instead (a console user with the finance or admin role,
 * src/console): they see the partners of their limit, and sign out of the console.
 */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../platform/context';
import { AppError, notFound } from '../platform/errors';
import {
  checkCsrfLater,
  consoleUserOf,
  csrfToken,
  loadPageSession,
  NOT_FRAMED,
  pageErrors,
  pageNotFound,
  pagingFrom,
  requestLocale,
  sendErrorPage,
  sendPage,
  signInCsrf,
  signInKey,
  signOutHandlers,
  signInPageSession,
  takeFlash,
  type Chrome,
  type SessionSubject,
} from '../platform/pages';
import { mayFinance, partnerLimit } from '../console/access';
import { auditSession } from '../console/audit';
import { authenticateToken, type Principal } from '../partners/auth';
import { partnerUseCases } from '../partners/use-cases';
import { invoicePage, invoicesForExport, type InvoiceFilter, type PartnerScope } from './queries';
import { filters, InvoiceList, PER_PAGE, SignIn, type Filters } from './finance-views';
import { invoicesCsv, sendInvoiceAs } from './views';
import { visibleInvoice } from './actions';

/** The admin token or a live finance key of a live partner; undefined for anything else. */
async function financeSubject(
  ctx: AppContext,
  req: Request,
  res: Response,
  key: string,
): Promise<SessionSubject | undefined> {
  let p: Principal;
  try {
    p = await authenticateToken(ctx, key, req.ip ?? '', res);
  } catch (err) {
    if (err instanceof AppError && err.code === 'unauthorized') return undefined;
    throw err;
  }
  if (p.kind === 'admin') return { role: 'admin' };
  return p.role === 'finance' ? { role: 'finance', partnerId: p.partnerId, apiKeyId: p.keyId } : undefined;
}

const chromes = new WeakMap<Request, Chrome>();

/** The chrome of the request (set by rememberChrome once the session is known). */
function chromeFor(ctx: AppContext, req: Request): Chrome {
  return chromes.get(req) ?? baseChrome(ctx);
}

const rememberChrome =
  (ctx: AppContext): RequestHandler =>
  async (req, _res, next) => {
    chromes.set(req, await chromeOf(ctx, req));
    next();
  };

async function chromeOf(ctx: AppContext, req: Request): Promise<Chrome> {
  const s = req.pageSession;
  let label = 'Admin (all partners)';
  const u = consoleUserOf(s);
  if (u) label = u.username;
  else if (s && (s.subject.role === 'finance' || s.subject.role === 'erp')) {
    const partner = await partnerUseCases(ctx).cached(s.subject.partnerId);
    label = partner?.name ?? s.subject.partnerId;
  }
  return baseChrome(ctx, s ? { label, csrf: csrfToken(ctx.config, s.id), console: !!u } : undefined);
}

function baseChrome(ctx: AppContext, account?: { label: string; csrf: string; console?: boolean }): Chrome {
  const signOut = account?.console ? '/console/logout' : '/finance/logout';
  return {
    supplier: ctx.config.SUPPLIER_NAME,
    area: 'Finance',
    home: '/finance',
    nav: account
      ? [
          ...(account.console ? [{ href: '/', label: 'Console', id: 'console-link' }] : []),
          { href: '/finance', label: 'Invoices', current: true },
        ]
      : [],
    ...(account
      ? { account: { label: account.label, signOut: { action: signOut, csrf: account.csrf } } }
      : {}),
    security: NOT_FRAMED,
    back: account
      ? { href: '/finance', label: 'Back to the invoices' }
      : { href: '/finance/login', label: 'Sign in' },
  };
}

/** The filters of the list; a malformed one is a 400 page naming it. */
function filtersOf(query: unknown): Filters {
  const parsed = filters.safeParse(query);
  if (!parsed.success)
    throw new AppError(
      'bad_request',
      `invalid filter: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  return parsed.data;
}

/** The filters given (an empty field filters nothing). */
const only = (f: Filters): InvoiceFilter => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== ''));

/** The invoices a session sees: its key's partner, a console user's partner limit, or every one. */
function scopeOf(req: Request): PartnerScope {
  const s = req.pageSession;
  if (!s) throw new AppError('unauthorized', 'not signed in');
  if (s.subject.role === 'admin') return undefined;
  if (s.subject.role === 'user') return partnerLimit(s.subject) ?? undefined;
  return s.subject.partnerId;
}

function signInRoutes(r: Router, ctx: AppContext): void {
  r.get('/finance/login', async (req, res) => {
    if (req.pageSession) return res.redirect(303, '/finance');
    const nonce = signInKey(req, res, { secure: req.secure });
    sendPage(res, chromeFor(ctx, req), {
      title: 'Finance sign-in',
      flash: await takeFlash(ctx, nonce, req.query),
      body: <SignIn csrf={csrfToken(ctx.config, nonce)} />,
    });
  });
  r.post('/finance/login', checkCsrfLater(ctx.config), async (req, res) => {
    const body = req.body as { key?: unknown } | undefined;
    const key = typeof body?.key === 'string' ? body.key.trim() : '';
    const subject = key === '' ? undefined : await financeSubject(ctx, req, res, key);
    const refused = (status: number, message: string) =>
      sendPage(res, baseChrome(ctx), {
        status,
        title: 'Finance sign-in',
        flash: [{ kind: 'error', message }],
        body: <SignIn csrf={signInCsrf(ctx, req, res, false)} />,
      });
    if (!subject) return refused(401, 'That key is not valid.');
    if (!req.csrfOk) return refused(403, 'This sign-in form expired. Please sign in again.');
    const session = await signInPageSession(ctx, req, res, 'finance', subject);
    await auditSession(ctx, req, session, 'sign_in');
    res.redirect(303, '/finance');
  });
  r.post(
    '/finance/logout',
    ...signOutHandlers(ctx, 'finance', {
      signedOut: '/finance/login',
      onSignOut: (req, session) => auditSession(ctx, req, session, 'sign_out'),
      refuse: (req, res) =>
        sendPage(res, chromeFor(ctx, req), {
          status: 403,
          title: 'Form expired',
          flash: [{ kind: 'error', message: 'This form expired. Please reload the page and try again.' }],
          body: <p>You are still signed in.</p>,
        }),
    }),
  );
}

export function financePage(ctx: AppContext): Router {
  const r = Router();
  r.use('/finance', loadPageSession(ctx, 'finance', mayFinance), rememberChrome(ctx));
  /**
   * Pages need a live session: it stands for the key it was made with (the same scope applies), or
   * for a console user with the finance (or admin) role, within the user's partner limit.
   */
  const signedIn: RequestHandler = (req, res, next) => {
    const s = req.pageSession;
    const other = consoleUserOf(req.consoleSession);
    if (!s && other)
      return sendErrorPage(res, chromeFor(ctx, req), {
        status: 403,
        message: `Your account (${other.username}) has no finance role.`,
        back: { href: '/', label: 'Back to the console' },
      });
    if (!s) return res.redirect(303, '/finance/login');
    next();
  };
  signInRoutes(r, ctx);

  r.get('/finance', signedIn, async (req, res) => {
    const f = filtersOf(req.query);
    const paging = pagingFrom(req.query, { limit: PER_PAGE });
    const { rows, total } = await invoicePage(ctx, scopeOf(req), only(f), paging);
    sendPage(res, chromeFor(ctx, req), {
      title: 'Invoices',
      flash: await takeFlash(ctx, (req.pageSession as { id: string }).id, req.query),
      body: <InvoiceList f={f} rows={rows} total={total} paging={paging} locale={requestLocale(req)} />,
    });
  });
  r.get('/finance/export.csv', signedIn, async (req, res) => {
    const from = z.iso.date().safeParse(req.query.from);
    const to = z.iso.date().safeParse(req.query.to);
    const rows = await invoicesForExport(ctx, scopeOf(req), {
      ...(from.success ? { from: from.data } : {}),
      ...(to.success ? { to: to.data } : {}),
    });
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="invoices.csv"');
    res.send(await invoicesCsv(ctx, rows));
  });
  r.get(/^\/finance\/invoices\/([0-9a-f-]{36})\.(pdf|csv|xml)$/, signedIn, async (req, res) => {
    const params = req.params as unknown as Record<string, string>;
    const scope = scopeOf(req);
    const inv = await visibleInvoice(ctx, params[0] as string, typeof scope === 'string' ? scope : undefined);
    if (Array.isArray(scope) && !scope.includes(inv.partner_id)) throw notFound('invoice');
    const ext = params[1];
    await sendInvoiceAs(ctx, res, inv, ext === 'xml' ? 'cxml' : (ext as 'pdf' | 'csv'));
  });
  r.use(
    '/finance',
    pageNotFound((req) => chromeFor(ctx, req)),
  );
  r.use(
    '/finance',
    pageErrors((req) => chromeFor(ctx, req)),
  );
  return r;
}
