/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * Signing in to and out of an area with page sessions (approvals, finance): the sign-in form with
 * its pre-session CSRF token, and the sign-out route (POST with the session's token; deletes the
 * session and clears the cookie). See sessions.ts.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { AppContext } from '../context';
import { csrfToken, requireCsrf, signInKey, signInNonce } from './csrf';
import { flashUrl } from './flash';
import { PostForm } from './layout';
import { clearSessionCookie, endPageSession, type PageArea, type PageSession } from './sessions';

export interface SignInProps {
  action: string;
  /** The form's CSRF token (signInCsrf). */
  csrf: string | undefined;
  /** What is asked for ("Admin token", "Finance key") and the field's name. */
  label: string;
  field: string;
  /** One line under the heading: who signs in here. */
  hint: string;
  /** Where to start again when the browser has no sign-in nonce (a refused post without a form). */
  retry: string;
}

/** The sign-in card; without a CSRF token (a post that came without the form) a link to the form. */
export function SignInForm(p: SignInProps) {
  return (
    <section class="card sign-in">
      <h1>Sign in</h1>
      <p class="muted">{p.hint}</p>
      {p.csrf ? (
        <PostForm action={p.action} csrf={p.csrf} class="stack">
          <label>
            {p.label}
            <input type="password" name={p.field} autocomplete="off" required />
          </label>
          <p>
            <button type="submit" class="primary">
              Sign in
            </button>
          </p>
        </PostForm>
      ) : (
        <p>
          <a class="button primary" href={p.retry} id="retry">
            Try again
          </a>
        </p>
      )}
    </section>
  );
}

/**
 * The CSRF token of a sign-in form: keyed by the browser's sign-in nonce, which is set now when
 * `set` and the browser has none; undefined when it has none and none may be set (re-showing a
 * refused post that came without the form: no cookie is handed out to a script).
 */
export function signInCsrf(
  ctx: Pick<AppContext, 'config'>,
  req: Request,
  res: Response,
  set: boolean,
): string | undefined {
  const nonce = set ? signInKey(req, res, { secure: req.secure }) : signInNonce(req);
  return nonce ? csrfToken(ctx.config, nonce) : undefined;
}

/**
 * The handlers of an area's `POST …/logout`: without a live session there is nothing to end (to the
 * sign-in page); with one, the session's CSRF token is required (`refuse` answers without it), then
 * the session is deleted, its cookie cleared, and the sign-in page says "You are signed out." (a
 * flash keyed by the browser's sign-in nonce, since the session is gone).
 */
export function signOutHandlers(
  ctx: Pick<AppContext, 'config' | 'db' | 'now'>,
  area: PageArea,
  opts: {
    signedOut: string;
    refuse: (req: Request, res: Response) => void;
    /** Runs before the session ends (the audit log's entry). */
    onSignOut?: (req: Request, session: PageSession) => Promise<void>;
  },
): RequestHandler[] {
  return [
    (req, res, next) => {
      if (req.pageSession) return next();
      clearSessionCookie(req, res, area);
      res.redirect(303, opts.signedOut);
    },
    requireCsrf(ctx.config, (req) => req.pageSession?.id, opts.refuse),
    async (req, res) => {
      if (req.pageSession) {
        await opts.onSignOut?.(req, req.pageSession);
        await endPageSession(ctx, req.pageSession.id);
      }
      clearSessionCookie(req, res, area);
      const nonce = signInKey(req, res, { secure: req.secure });
      res.redirect(
        303,
        await flashUrl(ctx, nonce, opts.signedOut, { kind: 'success', message: 'You are signed out.' }),
      );
    },
  ];
}
