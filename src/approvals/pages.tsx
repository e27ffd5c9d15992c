/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The approvals pages, rendered with the page kit. Staff with a console account (admin or approver
 * role) come in with their console session and decide under their own name, within their partner
 * limit; the admin token still signs in here too (a break-glass for a gateway without users yet;
 * its decisions are recorded as "admin (approvals page)"). The admin token signs in once (a page
 * session, src/platform/pages/sessions.ts: the HttpOnly, SameSite=Strict cookie carries a random
 * session id, never the token; not `?token=`, which ends up in browser history, proxy logs and
 * Referer headers), see the levels waiting for a decision and decide them; every form POST carries
 * the session's CSRF token, and sign-out ends the session on the server.
 *
 * Approvers who are sent a one-time link by e-mail need no session: GET shows what is decided (mail
 * scanners prefetch GETs, so only the POST decides) and POST consumes the link (its signed token is
 * the credential, see CSRF_EXEMPT).
 */
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { AppContext } from '../platform/context';
import { AppError } from '../platform/errors';
import {
  checkCsrfLater,
  consoleUserOf,
  CredentialForm,
  CSRF_EXEMPT,
  csrfToken,
  flashUrl,
  loadPageSession,
  NOT_FRAMED,
  pageErrors,
  pageNotFound,
  pagingFrom,
  requestLocale,
  requireCsrf,
  sendErrorPage,
  sendPage,
  signInCsrf,
  signInKey,
  signOutHandlers,
  signInPageSession,
  takeFlash,
  type Chrome,
} from '../platform/pages';
import { mayApprove, partnerLimit, userActor, withinLimit } from '../console/access';
import { auditContext, auditSession } from '../console/audit';
import { authenticateToken } from '../partners/auth';
import { decide } from './decide';
import { type ApprovalView } from './service';
import { approvalById, approvalOfLink, approvalPage, decidedLately, pendingApprovals } from './queries';
import { Lines, WhyApproval } from './detail-views';
import { Addresses, Facts, Levels, Neighbours, PreviousOrders } from './history-views';
import { verifyLink } from './tokens';
import { Decide, PER_PAGE, Pending, SignIn } from './views';

function chromeOf(ctx: AppContext, req: Request): Chrome {
  const s = req.pageSession;
  const u = consoleUserOf(s);
  const onList = req.path === '/approvals' || req.path === '/';
  return {
    supplier: ctx.config.SUPPLIER_NAME,
    area: 'Approvals',
    home: '/approvals',
    nav: s
      ? [
          ...(u ? [{ href: '/', label: 'Console', id: 'console-link' }] : []),
          { href: '/approvals', label: 'Pending approvals', id: 'pending-link', current: onList },
        ]
      : [],
    ...(s
      ? {
          account: {
            label: u ? u.username : 'Admin',
            signOut: {
              action: u ? '/console/logout' : '/approvals/logout',
              csrf: csrfToken(ctx.config, s.id),
            },
          },
        }
      : {}),
    security: NOT_FRAMED,
    back: { href: '/approvals', label: s ? 'Back to the approvals' : 'Sign in' },
  };
}

/** The chrome of an approver's e-mail link: no navigation, no way into the staff pages. */
function linkChrome(ctx: AppContext): Chrome {
  return {
    supplier: ctx.config.SUPPLIER_NAME,
    area: 'Approvals',
    home: '#main',
    nav: [],
    security: NOT_FRAMED,
  };
}

const field = (req: Request, name: string): string => {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
};

const outcome = (a: ApprovalView) => `Order ${a.buyerOrderNumber}: level ${a.level} ${a.status}`;

function linkRoutes(r: Router, ctx: AppContext, form: RequestHandler): void {
  const claimsOf = (token: string) => {
    const claims = verifyLink(ctx.config, token, ctx.now());
    if (!claims) throw new AppError('unauthorized', 'invalid or expired approval link');
    return claims;
  };
  r.get('/approvals/link', async (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    const claims = claimsOf(token);
    const found = await approvalOfLink(ctx, claims);
    if (!found) throw new AppError('not_found', 'approval not found');
    const { approval: a, page: d } = found;
    const locale = requestLocale(req);
    const verb = claims.decision === 'approve' ? 'Approve' : 'Reject';
    sendPage(res, linkChrome(ctx), {
      title: `${verb} order ${a.buyerOrderNumber}`,
      body: (
        <>
          <h1>{`${verb} order ${a.buyerOrderNumber}`}</h1>
          <Facts a={a} d={d} locale={locale} />
          <WhyApproval a={a} d={d} locale={locale} />
          <h2>Lines</h2>
          <Lines a={a} d={d} locale={locale} />
          <Addresses d={d} />
          <CredentialForm
            action="/approvals/link"
            exempt={CSRF_EXEMPT['POST /approvals/link'] as string}
            class="filters"
          >
            <input type="hidden" name="token" value={token} />
            <label>
              Comment
              <input name="comment" maxLength={2000} />
            </label>
            <button
              type="submit"
              name="go"
              value="1"
              class={claims.decision === 'approve' ? 'primary' : 'danger'}
            >
              {verb}
            </button>
          </CredentialForm>
        </>
      ),
    });
  });
  r.post('/approvals/link', form, async (req, res) => {
    const claims = claimsOf(field(req, 'token'));
    const decision = {
      approvalId: claims.approvalId,
      decision: claims.decision,
      actor: `approver:${claims.approver}`,
    };
    const a = await decide(
      ctx,
      { ...decision, comment: field(req, 'comment') || null },
      claims,
      auditContext(req),
    );
    sendPage(res, linkChrome(ctx), {
      title: 'Decision recorded',
      flash: [{ kind: a.status === 'approved' ? 'success' : 'info', message: `${outcome(a)}.` }],
      body: <p>Thank you. You can close this page.</p>,
    });
  });
}

function signInRoutes(r: Router, ctx: AppContext, form: RequestHandler): void {
  r.post('/approvals/login', form, checkCsrfLater(ctx.config), async (req, res) => {
    const token = field(req, 'token');
    const p = token ? await authenticateToken(ctx, token, req.ip ?? '', res).catch(refusal) : undefined;
    const refused = (status: number, message: string) =>
      sendPage(res, chromeOf(ctx, req), {
        status,
        title: 'Approvals sign-in',
        flash: [{ kind: 'error', message }],
        body: <SignIn csrf={signInCsrf(ctx, req, res, false)} />,
      });
    if (p?.kind !== 'admin') return refused(401, 'Wrong token.');
    if (!req.csrfOk) return refused(403, 'This sign-in form expired. Please sign in again.');
    const session = await signInPageSession(ctx, req, res, 'approvals', { role: 'admin' });
    await auditSession(ctx, req, session, 'sign_in');
    res.redirect(303, '/approvals');
  });
  r.post(
    '/approvals/logout',
    form,
    ...signOutHandlers(ctx, 'approvals', {
      signedOut: '/approvals',
      refuse: formExpired(ctx),
      onSignOut: (req, session) => auditSession(ctx, req, session, 'sign_out'),
    }),
  );
}

/** A wrong credential is no error here (the form says so); anything else (429) is. */
function refusal(err: unknown): undefined {
  if (err instanceof AppError && err.code === 'unauthorized') return undefined;
  throw err;
}

const formExpired = (ctx: AppContext) => (req: Request, res: Response) =>
  sendPage(res, chromeOf(ctx, req), {
    status: 403,
    title: 'Form expired',
    flash: [
      { kind: 'error', message: 'This form could not be accepted. Please reload the page and try again.' },
    ],
    body: <p>Nothing was changed.</p>,
  });

/** The partners whose approvals the session sees: null for every partner (admin, unlimited approver). */
function limitOf(req: Request): readonly string[] | null {
  const u = consoleUserOf(req.pageSession);
  return u ? partnerLimit(u) : null;
}

/** The approval level if the session may see it (its partner within the limit). */
async function visibleApproval(ctx: AppContext, req: Request, id: string) {
  const a = await approvalById(ctx, id);
  return a && withinLimit(limitOf(req), a.partnerId) ? a : undefined;
}

/** One level: the order, each flag's evidence, the decisions, the partner's orders, previous/next. */
function detailRoute(r: Router, ctx: AppContext): void {
  const sessionId = (req: Request) => (req.pageSession as { id: string }).id;
  r.get('/approvals/:id', async (req, res) => {
    if (!req.pageSession) return res.redirect(303, '/approvals');
    const a = await visibleApproval(ctx, req, String(req.params.id));
    if (!a) throw new AppError('not_found', 'approval not found');
    const limit = limitOf(req);
    const d = await approvalPage(ctx, a, limit ? { partnerIds: limit } : {});
    const locale = requestLocale(req);
    sendPage(res, chromeOf(ctx, req), {
      title: `Approval: order ${a.buyerOrderNumber}`,
      flash: await takeFlash(ctx, sessionId(req), req.query),
      body: (
        <>
          <Neighbours n={d.neighbours} />
          <h1>{`Approval: order ${a.buyerOrderNumber}`}</h1>
          <Facts a={a} d={d} locale={locale} />
          <WhyApproval a={a} d={d} locale={locale} />
          <h2>Lines</h2>
          <Lines a={a} d={d} locale={locale} />
          <Addresses d={d} />
          <h2>Decision</h2>
          <Decide a={a} csrf={csrfToken(ctx.config, sessionId(req))} locale={locale} />
          <Levels d={d} locale={locale} current={a.id} />
          <PreviousOrders rows={d.previous} d={d} locale={locale} />
        </>
      ),
    });
  });
}

function staffRoutes(r: Router, ctx: AppContext, form: RequestHandler): void {
  const sessionId = (req: Request) => (req.pageSession as { id: string }).id;
  r.get('/approvals', async (req, res) => {
    const other = consoleUserOf(req.consoleSession);
    if (!req.pageSession && other)
      return sendErrorPage(res, chromeOf(ctx, req), {
        status: 403,
        message: `Your account (${other.username}) has no approver role.`,
        back: { href: '/', label: 'Back to the console' },
      });
    if (!req.pageSession) {
      const nonce = signInKey(req, res, { secure: req.secure });
      return sendPage(res, chromeOf(ctx, req), {
        title: 'Approvals sign-in',
        flash: await takeFlash(ctx, nonce, req.query),
        body: <SignIn csrf={csrfToken(ctx.config, nonce)} />,
      });
    }
    const paging = pagingFrom(req.query, { limit: PER_PAGE });
    const limit = limitOf(req);
    const scope = limit ? { partnerIds: limit } : {};
    const [{ rows, total }, decided] = await Promise.all([
      pendingApprovals(ctx, paging, scope),
      decidedLately(ctx, scope),
    ]);
    sendPage(res, chromeOf(ctx, req), {
      title: 'Pending approvals',
      flash: await takeFlash(ctx, sessionId(req), req.query),
      body: (
        <Pending rows={rows} total={total} paging={paging} decided={decided} locale={requestLocale(req)} />
      ),
    });
  });

  detailRoute(r, ctx);

  const signedIn: RequestHandler = (req, _res, next) => {
    if (!req.pageSession) throw new AppError('unauthorized', 'please sign in first');
    next();
  };
  const checkCsrf = requireCsrf(ctx.config, (req) => req.pageSession?.id, formExpired(ctx));
  r.post('/approvals/:id/decide', form, signedIn, checkCsrf, async (req, res) => {
    const decision = field(req, 'decision');
    if (decision !== 'approve' && decision !== 'reject')
      throw new AppError('bad_request', 'decision must be approve or reject');
    const id = String(req.params.id);
    if (!(await visibleApproval(ctx, req, id))) throw new AppError('not_found', 'approval not found');
    const comment = field(req, 'comment') || null;
    const u = consoleUserOf(req.pageSession);
    const a = u
      ? await decide(ctx, { approvalId: id, decision, actor: userActor(u).label, comment }, undefined, {
          actor: userActor(u),
          ...auditContext(req),
        })
      : await decide(
          ctx,
          { approvalId: id, decision, actor: 'admin (approvals page)', comment },
          undefined,
          auditContext(req),
        );
    const kind = a.status === 'approved' ? 'success' : 'info';
    res.redirect(303, await flashUrl(ctx, sessionId(req), '/approvals', { kind, message: `${outcome(a)}.` }));
  });
}

export function approvalPages(ctx: AppContext): Router {
  const r = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });
  r.use('/approvals', loadPageSession(ctx, 'approvals', mayApprove));
  linkRoutes(r, ctx, form);
  signInRoutes(r, ctx, form);
  staffRoutes(r, ctx, form);
  r.use(
    '/approvals',
    pageNotFound((req) => chromeOf(ctx, req)),
  );
  r.use(
    '/approvals',
    pageErrors((req) => (req.path.startsWith('/link') ? linkChrome(ctx) : chromeOf(ctx, req))),
  );
  return r;
}
