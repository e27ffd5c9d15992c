/**
 * How a console screen plugs in: a screen names its tile (shown in the navigation and on the home
 * page to users its `may` admits) and adds its routes under `/console/…` with the kit below (the
 * session is already loaded there; guards, CSRF, chrome, audit and flash come from the kit, so a
 * screen holds only its own pages). The list of screens is given to `consolePages` by the
 * composition root (app.ts).
 */
import type { Request, RequestHandler, Response, Router } from 'express';
import type { AppContext } from '../platform/context';
import { AppError } from '../platform/errors';
import type { Chrome, ConsoleUser, Flash } from '../platform/pages';
import type { Actor } from './audit';

export interface ScreenKit {
  ctx: AppContext;
  /** Parses an urlencoded form body (16 kB, 30 fields); put it before `checkCsrf`. */
  form: RequestHandler;
  /** Admits signed-in users that `may` allows; sends others to sign in, or answers 403. */
  needs(may: (u: ConsoleUser) => boolean, what: string): RequestHandler;
  /** Refuses a form without the session's CSRF token (after `form`). */
  checkCsrf: RequestHandler;
  /** The page chrome (navigation, account, sign-out) of a request. */
  chrome(req: Request): Chrome;
  /** The signed-in user of a guarded request. */
  me(req: Request): ConsoleUser;
  /** The CSRF token for the forms of a page. */
  csrf(req: Request): string;
  /** The flash messages a redirect carried to this page. */
  flash(req: Request): Promise<Flash[]>;
  /** Redirects (303) to `to` with a success (or error) flash. */
  done(req: Request, res: Response, message: string, to: string, kind?: 'success' | 'error'): Promise<void>;
  /** The audit fields of a change made by the signed-in user. */
  audit(req: Request): { actor: Actor; now: Date; ip: string | null; requestId: string | null };
}

export interface ConsoleScreen {
  /** The navigation entry and home tile, for the users `may` admits. */
  tile?: { href: string; label: string; id: string; may: (u: ConsoleUser) => boolean };
  routes(r: Router, kit: ScreenKit): void;
}

/** The error codes a console action is refused with: the use case changed nothing. */
const REFUSALS = new Set<string>(['validation_failed', 'conflict', 'bad_request', 'unprocessable']);

/**
 * Wraps a screen's actions: a refused one goes back to `back(req)` (the page it was taken on) with
 * the reason as an error flash; nothing changed. Other errors go on to the error page.
 */
export function refusedGoesBack(kit: ScreenKit, back: (req: Request) => string) {
  return (fn: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    try {
      await fn(req, res);
    } catch (err) {
      if (!(err instanceof AppError) || !REFUSALS.has(err.code)) throw err;
      await kit.done(req, res, `Not done: ${err.message}`, back(req), 'error');
    }
  };
}
