/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * Answering with a page: the layout, the area's security headers, and error pages (400, 401, 403,
 * 404, 410, 413, 500) in the same layout with a way back, never a stack trace or a JSON body.
 */
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { ComponentChildren } from 'preact';
import { toAppError } from '../http';
import type { Flash } from './flash';
import { PostForm, renderPage, type Chrome } from './layout';
import { setPageHeaders, type PageSecurity } from './security';

export interface SendPage {
  title: string;
  status?: number;
  flash?: Flash[];
  /** Replaces the area's headers for this page (the cart return's form-action and script nonce). */
  security?: PageSecurity;
  body: ComponentChildren;
}

export function sendPage(res: Response, chrome: Chrome, page: SendPage): void {
  setPageHeaders(res, page.security ?? chrome.security);
  res
    .status(page.status ?? 200)
    .type('html')
    .send(
      renderPage({
        title: page.title,
        chrome,
        ...(page.flash ? { flash: page.flash } : {}),
        children: page.body,
      }),
    );
}

const TITLES: Record<number, string> = {
  400: 'Request not understood',
  401: 'Please sign in',
  403: 'Not allowed',
  404: 'Page not found',
  409: 'Already changed',
  410: 'No longer available',
  413: 'Too large',
  429: 'Too many requests',
  500: 'Something went wrong',
};

export interface ErrorPage {
  status: number;
  title?: string;
  message: string;
  /** The way back; the area's `back` link when not given. */
  back?: { href: string; label: string } | null;
  /**
   * A way back that is a POST (the catalog's return to the buyer's procurement system), in place of
   * the link: a form with the session's CSRF token and one button.
   */
  backForm?: BackForm;
  /** Shown on 500s so that support can find the log line. */
  requestId?: string;
}

export interface BackForm {
  action: string;
  csrf: string;
  label: string;
  /** What the button does, said beside it. */
  note?: string;
}

export function ErrorBody({ e, back }: { e: ErrorPage; back?: { href: string; label: string } | null }) {
  return (
    <section class="error-page">
      <p class="code">{String(e.status)}</p>
      <h1>{e.title ?? TITLES[e.status] ?? 'Error'}</h1>
      <p class="error" role="alert" id="error">
        {e.message}
      </p>
      {e.requestId ? <p class="ref">{`Reference: ${e.requestId}`}</p> : null}
      {e.backForm ? (
        <PostForm action={e.backForm.action} csrf={e.backForm.csrf} class="back-form">
          <button type="submit" class="primary" id="back">
            {e.backForm.label}
          </button>
          {e.backForm.note ? <p class="muted">{e.backForm.note}</p> : null}
        </PostForm>
      ) : back ? (
        <p>
          <a class="button primary" href={back.href} id="back">
            {back.label}
          </a>
        </p>
      ) : null}
    </section>
  );
}

export function sendErrorPage(res: Response, chrome: Chrome, e: ErrorPage): void {
  const back = e.back === undefined ? chrome.back : e.back;
  sendPage(res, chrome, {
    status: e.status,
    title: e.title ?? TITLES[e.status] ?? 'Error',
    body: <ErrorBody e={e} back={back} />,
  });
}

/**
 * The error handler of a page router: whatever a page handler throws becomes an error page in the
 * area's layout (an AppError's status and message; anything else a 500 with the request id,
 * logged with its stack). `chromeOf` gives the chrome for the request as far as it is known.
 */
export function pageErrors(chromeOf: (req: Request) => Chrome): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const e = toAppError(err);
    if (e.code === 'internal') req.log?.error({ err }, 'page failed');
    else req.log?.debug({ code: e.code, message: e.message }, 'page refused');
    sendErrorPage(res, chromeOf(req), {
      status: e.httpStatus,
      message:
        e.code === 'internal'
          ? 'This page could not be shown. Please try again in a moment.'
          : e.message.charAt(0).toUpperCase() + e.message.slice(1) + (/[.!?]$/.test(e.message) ? '' : '.'),
      ...(e.code === 'internal' && req.id ? { requestId: req.id } : {}),
    });
  };
}

/** The 404 page for paths of an area that no route takes. */
export function pageNotFound(chromeOf: (req: Request) => Chrome): RequestHandler {
  return (req, res) =>
    sendErrorPage(res, chromeOf(req), {
      status: 404,
      message: 'There is no page at this address. It may have moved, or the link may be mistyped.',
    });
}
