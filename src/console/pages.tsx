/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The console: `GET /` is its sign-in (username and password) and, signed in, its home with the
 * screens the user's roles open; `POST /console/login` and `/console/logout`; the audit log and
 * the users screen (admin only). A console session (cookie `gw_console`: HttpOnly, SameSite=Lax,
 * Path=/, Secure over https; idle and absolute expiry of the page sessions) also opens the approvals
 * and finance pages when the user's roles allow. Every form carries the session's CSRF token
 * (the sign-in form the pre-session nonce's), every action is in the audit log.
 */
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { DEMO_KEYS } from '../demo';
import type { AppContext } from '../platform/context';
import { consoleUseCases } from './use-cases';
import { AppError } from '../platform/errors';
import {
  checkCsrfLater,
  consoleUserOf,
  csrfToken,
  flashUrl,
  loadPageSession,
  NOT_FRAMED,
  pageErrors,
  pageNotFound,
  pagingFrom,
  requireCsrf,
  sendErrorPage,
  sendPage,
  signInCsrf,
  signInKey,
  signInPageSession,
  signOutHandlers,
  takeFlash,
  type Chrome,
  type ConsoleUser,
  type NavLink,
} from '../platform/pages';
import { isAdmin, mayApprove, mayFinance, userActor } from './access';
import { auditContext, auditSession, type AuditFilter } from './audit';
import { FIRST_ADMIN } from './first-run';
import type { ConsoleScreen, ScreenKit } from './screens';
import { commaList, field, formList, safeNext } from './form';
export { safeNext } from './form';
import { attemptSignIn } from './sign-in';
import { AUDIT_PER_PAGE, AuditList } from './audit-views';
import { UserDetail, UserList } from './user-views';
import { Embedded, Home, SignIn, OwnPassword, type DemoInfo, type Tile } from './views';

/** The screens a user's roles open, in the navigation and as the home page's tiles. */
export function consoleTiles(u: ConsoleUser, screens: readonly ConsoleScreen[] = []): Tile[] {
  const t: Tile[] = [];
  for (const s of screens) {
    if (s.tile?.may(u)) t.push({ href: s.tile.href, label: s.tile.label, id: s.tile.id });
  }
  if (mayApprove(u)) t.push({ href: '/approvals', label: 'Approvals', id: 'to-approvals' });
  if (mayFinance(u)) t.push({ href: '/finance', label: 'Finance', id: 'to-finance' });
  if (isAdmin(u)) {
    t.push({ href: '/console/users', label: 'Users', id: 'to-users' });
    t.push({ href: '/console/audit', label: 'Audit log', id: 'to-audit' });
  }
  return t;
}

/** The screens of the console, as consolePages was given them (for the navigation). */
const screensOf = new WeakMap<AppContext, readonly ConsoleScreen[]>();

function chromeOf(ctx: AppContext, req: Request): Chrome {
  const s = req.pageSession;
  const u = consoleUserOf(s);
  const nav: NavLink[] = u
    ? [
        { href: '/', label: 'Home', current: req.originalUrl.split('?')[0] === '/' },
        ...consoleTiles(u, screensOf.get(ctx)).map((t) => ({
          href: t.href,
          label: t.label,
          current: req.originalUrl.startsWith(t.href),
        })),
        {
          href: '/console/password',
          label: 'My password',
          current: req.originalUrl.startsWith('/console/password'),
        },
      ]
    : [];
  return {
    supplier: ctx.config.SUPPLIER_NAME,
    area: 'Console',
    home: '/',
    nav,
    ...(s && u
      ? {
          account: {
            label: u.username,
            signOut: { action: '/console/logout', csrf: csrfToken(ctx.config, s.id) },
          },
        }
      : {}),
    security: NOT_FRAMED,
    back: { href: '/', label: u ? 'Back to the console' : 'Sign in' },
  };
}

async function demoInfo(ctx: AppContext): Promise<DemoInfo | undefined> {
  if (ctx.config.DATABASE_URL) return undefined;
  const signedInBefore = await consoleUseCases(ctx).anyoneSignedIn();
  return {
    firstRun: !signedInBefore,
    adminUsername: FIRST_ADMIN,
    dataDir: ctx.config.DATA_DIR,
    demo: ctx.config.DEMO,
    financeKey: DEMO_KEYS.finance,
  };
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

/** Pages of signed-in users that `may` admits: others are sent to sign in, or refused with 403. */
function needs(ctx: AppContext, may: (u: ConsoleUser) => boolean, what: string): RequestHandler {
  return (req, res, next) => {
    const u = consoleUserOf(req.pageSession);
    if (!u) return res.redirect(303, `/?next=${encodeURIComponent(req.originalUrl)}`);
    if (!may(u))
      return sendErrorPage(res, chromeOf(ctx, req), {
        status: 403,
        message: `Your account (${u.username}) may not open this page: ${what}.`,
      });
    next();
  };
}

function signInRoutes(r: Router, ctx: AppContext, form: RequestHandler, load: RequestHandler): void {
  r.get('/', load, async (req, res) => {
    const s = req.pageSession;
    const u = consoleUserOf(s);
    if (s && u) {
      return sendPage(res, chromeOf(ctx, req), {
        title: 'Console',
        flash: await takeFlash(ctx, s.id, req.query),
        body: (
          <Home
            username={u.username}
            roles={u.roles}
            tiles={consoleTiles(u, screensOf.get(ctx))}
            demo={ctx.config.DEMO}
          />
        ),
      });
    }
    const nonce = signInKey(req, res, { secure: req.secure });
    const info = await demoInfo(ctx);
    sendPage(res, chromeOf(ctx, req), {
      title: 'Sign in',
      flash: await takeFlash(ctx, nonce, req.query),
      body: (
        <>
          <SignIn csrf={csrfToken(ctx.config, nonce)} next={safeNext(req.query.next)} />
          {info ? <Embedded info={info} /> : null}
        </>
      ),
    });
  });

  r.post('/console/login', form, checkCsrfLater(ctx.config), async (req, res) => {
    const username = field(req, 'username').slice(0, 100);
    const next = safeNext(field(req, 'next'));
    const refused = (status: number, message: string) =>
      sendPage(res, chromeOf(ctx, req), {
        status,
        title: 'Sign in',
        flash: [{ kind: 'error', message }],
        body: <SignIn csrf={signInCsrf(ctx, req, res, false)} next={next} username={username} />,
      });
    const outcome = await attemptSignIn(ctx, req, username, field(req, 'password'));
    if (outcome.kind === 'blocked') {
      res.setHeader('Retry-After', String(outcome.seconds));
      return refused(429, outcome.message);
    }
    if (outcome.kind === 'refused') return refused(401, 'Wrong username or password.');
    if (!req.csrfOk) return refused(403, 'This sign-in form expired. Please sign in again.');
    const u = outcome.user;
    const session = await signInPageSession(ctx, req, res, 'console', {
      role: 'user',
      userId: u.id,
      username: u.username,
      roles: u.roles,
      partnerIds: u.partners,
    });
    await auditSession(ctx, req, session, 'sign_in');
    res.redirect(303, next);
  });

  r.post(
    '/console/logout',
    form,
    ...signOutHandlers(ctx, 'console', {
      signedOut: '/',
      refuse: formExpired(ctx),
      onSignOut: (req, session) => auditSession(ctx, req, session, 'sign_out'),
    }),
  );
}

const auditFilters = z.object({
  actor: z.string().trim().max(200).optional(),
  action: z.string().trim().max(100).optional(),
  subject: z.string().trim().max(300).optional(),
  from: z.union([z.literal(''), z.iso.date()]).optional(),
  to: z.union([z.literal(''), z.iso.date()]).optional(),
});

/** Every signed-in user changes their own password (the current one is asked again). */
function passwordRoutes(r: Router, ctx: AppContext, form: RequestHandler): void {
  const uc = consoleUseCases(ctx);
  const signedIn = needs(ctx, () => true, 'sign in first');
  const checkCsrf = requireCsrf(ctx.config, (req) => req.pageSession?.id, formExpired(ctx));
  r.get('/console/password', signedIn, async (req, res) => {
    const s = req.pageSession as { id: string };
    sendPage(res, chromeOf(ctx, req), {
      title: 'My password',
      flash: await takeFlash(ctx, s.id, req.query),
      body: <OwnPassword csrf={csrfToken(ctx.config, s.id)} />,
    });
  });
  r.post('/console/password', form, signedIn, checkCsrf, async (req, res) => {
    const s = req.pageSession as { id: string };
    const u = consoleUserOf(req.pageSession) as ConsoleUser;
    const again = async (message: string) =>
      res.redirect(303, await flashUrl(ctx, s.id, '/console/password', { kind: 'error', message }));
    const outcome = await attemptSignIn(ctx, req, u.username, field(req, 'current'));
    if (outcome.kind === 'blocked') return again(outcome.message);
    if (outcome.kind === 'refused') return again('The current password is not right.');
    if (field(req, 'password') !== field(req, 'repeat')) return again('The new passwords differ.');
    await uc.setPassword(u.username, field(req, 'password'), {
      actor: userActor(u),
      now: ctx.now(),
      ...auditContext(req),
    });
    // Every session of the user ended with the change, this one too: sign in with the new password.
    const nonce = signInKey(req, res, { secure: req.secure });
    res.redirect(
      303,
      await flashUrl(ctx, nonce, '/', {
        kind: 'success',
        message: 'Password changed. Sign in with the new one.',
      }),
    );
  });
}

/** The session id of a signed-in page request. */
const sessionId = (req: Request) => (req.pageSession as { id: string }).id;

/** The console user of a signed-in page request. */
const me = (req: Request) => consoleUserOf(req.pageSession) as ConsoleUser;

/** The admin pages: the audit log, the users and the changes to a user. */
function adminRoutes(r: Router, ctx: AppContext, form: RequestHandler): void {
  auditRoutes(r, ctx);
  userPageRoutes(r, ctx, form);
  userChangeRoutes(r, ctx, form);
}

/** The guards of an admin page: an admin signed in, and for forms the CSRF token. */
function adminGuards(ctx: AppContext) {
  return {
    admin: needs(ctx, isAdmin, 'it is for admins'),
    checkCsrf: requireCsrf(ctx.config, (req) => req.pageSession?.id, formExpired(ctx)),
  };
}

/** The audit fields of a change made by the signed-in user. */
const auditOf = (ctx: AppContext, req: Request) => ({
  actor: userActor(me(req)),
  now: ctx.now(),
  ...auditContext(req),
});

/** Redirects to a page with a success flash. */
const doneOf =
  (ctx: AppContext) =>
  async (req: Request, res: Response, message: string, to = '/console/users') =>
    res.redirect(303, await flashUrl(ctx, sessionId(req), to, { kind: 'success', message }));

/** The audit log page with its filters. */
function auditRoutes(r: Router, ctx: AppContext): void {
  const uc = consoleUseCases(ctx);
  const { admin } = adminGuards(ctx);
  r.get('/console/audit', admin, async (req, res) => {
    const parsed = auditFilters.safeParse(req.query);
    if (!parsed.success)
      throw new AppError(
        'bad_request',
        `invalid filter: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
      );
    const f: AuditFilter = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v));
    const paging = pagingFrom(req.query, { limit: AUDIT_PER_PAGE, maxLimit: 200 });
    const { rows, total } = await uc.auditPage(f, paging);
    sendPage(res, chromeOf(ctx, req), {
      title: 'Audit log',
      body: <AuditList f={f} rows={rows} total={total} paging={paging} />,
    });
  });
}

/** The users list, adding a user and one user's page. */
function userPageRoutes(r: Router, ctx: AppContext, form: RequestHandler): void {
  const uc = consoleUseCases(ctx);
  const { admin, checkCsrf } = adminGuards(ctx);
  const audit = (req: Request) => auditOf(ctx, req);
  const done = doneOf(ctx);
  r.get('/console/users', admin, async (req, res) => {
    sendPage(res, chromeOf(ctx, req), {
      title: 'Users',
      flash: await takeFlash(ctx, sessionId(req), req.query),
      body: (
        <UserList
          users={await uc.listUsers()}
          csrf={csrfToken(ctx.config, sessionId(req))}
          self={me(req).username}
        />
      ),
    });
  });
  r.post('/console/users', form, admin, checkCsrf, async (req, res) => {
    const roles = formList(req, 'roles');
    const partners = commaList(field(req, 'partners'));
    const u = await uc.createUser(
      {
        username: field(req, 'username'),
        ...(field(req, 'name') ? { name: field(req, 'name') } : {}),
        roles: roles as never,
        ...(partners.length ? { partners } : {}),
      },
      field(req, 'password'),
      audit(req),
    );
    await done(req, res, `User ${u.username} added (${u.roles.join(', ')}).`);
  });
  r.get('/console/users/:username', admin, async (req, res) => {
    const u = (await uc.listUsers()).find((x) => x.username === String(req.params.username));
    if (!u) throw new AppError('not_found', 'user not found');
    sendPage(res, chromeOf(ctx, req), {
      title: `User ${u.username}`,
      flash: await takeFlash(ctx, sessionId(req), req.query),
      body: <UserDetail u={u} csrf={csrfToken(ctx.config, sessionId(req))} self={me(req).username} />,
    });
  });
}

/** The changes to one user from its page: disable or enable, roles, password. */
function userChangeRoutes(r: Router, ctx: AppContext, form: RequestHandler): void {
  const uc = consoleUseCases(ctx);
  const { admin, checkCsrf } = adminGuards(ctx);
  const audit = (req: Request) => auditOf(ctx, req);
  const done = doneOf(ctx);
  r.post('/console/users/:username/:change', form, admin, checkCsrf, async (req, res) => {
    const name = String(req.params.username);
    const change = String(req.params.change);
    const self = name === me(req).username;
    const page = `/console/users/${encodeURIComponent(name)}`;
    if (change === 'disable' || change === 'enable') {
      if (self) throw new AppError('conflict', 'you cannot disable your own account');
      const u = await (change === 'disable' ? uc.disableUser : uc.enableUser)(name, audit(req));
      return done(req, res, `User ${u.username} ${change}d.`);
    }
    if (change === 'roles') {
      const roles = formList(req, 'roles');
      if (self && !roles.includes('admin'))
        throw new AppError('conflict', 'you cannot take the admin role from your own account');
      const partners = commaList(field(req, 'partners'));
      const u = await uc.setRoles(
        name,
        { roles: roles as never, partners: partners.length ? partners : null },
        audit(req),
      );
      return done(
        req,
        res,
        `User ${u.username}: ${u.roles.join(', ')}; partners ${u.partners?.join(', ') ?? 'all'}.`,
        page,
      );
    }
    if (change === 'password') {
      if (self) throw new AppError('conflict', 'change your own password on the My password page');
      const u = await uc.setPassword(name, field(req, 'password'), audit(req));
      return done(req, res, `New password set for ${u.username}; their sessions ended.`, page);
    }
    throw new AppError('not_found', 'no such change');
  });
}

/** The console's pages: sign-in, home, password, the admin pages and the `screens` given. */
export function consolePages(ctx: AppContext, screens: readonly ConsoleScreen[] = []): Router {
  const r = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 30 });
  const load = loadPageSession(ctx, 'console');
  screensOf.set(ctx, screens);
  r.use('/console', load);
  signInRoutes(r, ctx, form, load);
  passwordRoutes(r, ctx, form);
  adminRoutes(r, ctx, form);
  const kit = screenKit(ctx, form);
  for (const s of screens) s.routes(r, kit);
  r.use(
    '/console',
    pageNotFound((req) => chromeOf(ctx, req)),
  );
  r.use(['/', '/console'], pageErrorsOnly(pageErrors((req) => chromeOf(ctx, req))));
  return r;
}

/** What a screen is given to build its pages with (see screens.ts). */
function screenKit(ctx: AppContext, form: RequestHandler): ScreenKit {
  return {
    ctx,
    form,
    needs: (may, what) => needs(ctx, may, what),
    checkCsrf: adminGuards(ctx).checkCsrf,
    chrome: (req) => chromeOf(ctx, req),
    me,
    csrf: (req) => csrfToken(ctx.config, sessionId(req)),
    flash: (req) => takeFlash(ctx, sessionId(req), req.query),
    done: async (req, res, message, to, kind = 'success') => {
      res.redirect(303, await flashUrl(ctx, sessionId(req), to, { kind, message }));
    },
    audit: (req) => auditOf(ctx, req),
  };
}

/** The console's error pages for its own paths only (`/` and `/console/…`), not the whole app's. */
function pageErrorsOnly(
  handler: import('express').ErrorRequestHandler,
): import('express').ErrorRequestHandler {
  return (err, req, res, next) => {
    const path = req.originalUrl.split('?')[0] ?? '';
    if (path === '/' || path.startsWith('/console')) return handler(err, req, res, next);
    next(err);
  };
}
