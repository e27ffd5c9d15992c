/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The ends of a punchout session: the start link (opens the session once; its refusals), the cart
 * transfer and the way back without a new cart (cancel). The way back is offered wherever the buyer
 * is, as long as the session never returned anything: in the header of every page of a live
 * session, on the page of a session past its lifetime, and on the refusal page of a used or expired
 * start link. Its safety rests on three things:
 * - where it posts is the return URL the setup gave (BrowserFormPost, HOOK_URL, checked then),
 *   never an address a request names;
 * - which session it ends is the one the request's own capability names (the browser token of the
 *   pages, the start token of the start link), hashed and looked up, never an id from a form;
 * - it happens once per session: the return is the UPDATE from state open, in one transaction with
 *   the stored document, so after any return (transfer or cancel) nothing more is posted, and a used
 *   start token goes back at most once. What it posts is an empty cart (create) or the buyer's own
 *   cart as it came (edit, inspect): nothing anyone chose in between.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { AppContext } from '../platform/context';
import { csrfToken, requireCsrf, sendErrorPage, setPageHeaders } from '../platform/pages';
import type { ReturnPage } from './cart-return';
import { noSessionChrome, returnForm, shopSecurity, type Shop } from './chrome';
import type { Kit } from './pages';
import { consumeStartToken, type SessionRow } from './sessions';
import { finishSession, partnerOfSession, sessionOfStartToken } from './shop';
import type { PartnerRow } from '../partners/repository';

const START_ERRORS = {
  unknown: [
    404,
    'Unknown punchout link',
    'This catalog link is not valid. Please start again from your procurement system.',
  ],
  used: [
    410,
    'Punchout link already used',
    'This catalog link has already been opened once. Please start a new catalog session from your procurement system.',
  ],
  expired: [
    410,
    'Punchout link expired',
    'This catalog link has expired. Please start a new catalog session from your procurement system.',
  ],
  closed: [
    410,
    'Punchout session closed',
    'This catalog session has already ended. Please start a new one from your procurement system.',
  ],
} as const;

/** The CSRF key of a start link's way back: the start token, which only its holder has. */
const startKey = (token: string): string => `start:${token}`;

/** The auto-submitting form of a return (rendered by the OCI/cXML codec, escaped there). */
function sendReturn(res: Response, s: { session: SessionRow; partner: PartnerRow }, page: ReturnPage): void {
  setPageHeaders(res, shopSecurity(s, { formActions: [page.actionOrigin], scriptNonce: page.nonce }));
  res.type('html').send(page.html);
}

const nothingToReturn = (
  ctx: AppContext,
  known: { partner?: PartnerRow; returnUrl?: string },
  res: Response,
) =>
  sendErrorPage(res, noSessionChrome(ctx, known), {
    status: 410,
    title: 'Catalog session ended',
    message:
      'This catalog session has already ended, and what it had went back to your procurement system. Please continue there.',
  });

export function startRoutes(r: Router, ctx: AppContext): void {
  r.get('/punchout/start/:token', async (req, res) => {
    const token = req.params.token;
    const outcome = await consumeStartToken(ctx, token);
    if (!outcome.ok) {
      const [status, title, message] = START_ERRORS[outcome.reason];
      const s = outcome.reason === 'unknown' ? undefined : outcome.session;
      const partner = s ? await partnerOfSession(ctx, s) : undefined;
      const known = partner && s ? { partner, returnUrl: s.return_url } : {};
      // A session that never returned may still go back, once, by this link.
      const back =
        partner && s?.state === 'open'
          ? {
              backForm: returnForm(
                s,
                `/punchout/start/${encodeURIComponent(token)}/cancel`,
                csrfToken(ctx.config, startKey(token)),
              ),
            }
          : {};
      return sendErrorPage(res, noSessionChrome(ctx, known), { status, title, message, ...back });
    }
    const base = `/punchout/s/${outcome.browserToken}/`;
    const detail = (outcome.session.return_fields as { detailSku?: string }).detailSku;
    res.redirect(303, detail ? `${base}item/${encodeURIComponent(detail)}` : base);
  });

  const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 });
  const checkCsrf = requireCsrf(
    ctx.config,
    (req) => startKey(String(req.params.token ?? '')),
    (_req, res) =>
      sendErrorPage(res, noSessionChrome(ctx), {
        status: 403,
        title: 'Form expired',
        message: 'This form could not be accepted. Please go back to your procurement system.',
      }),
  );
  r.post('/punchout/start/:token/cancel', form, checkCsrf, async (req, res) => {
    const found = await sessionOfStartToken(ctx, String(req.params.token));
    if (!found) {
      const [status, title, message] = START_ERRORS.unknown;
      return sendErrorPage(res, noSessionChrome(ctx), { status, title, message });
    }
    const known = { partner: found.partner, returnUrl: found.session.return_url };
    const page = await finishSession(ctx, found, 'cancel');
    if (!page) return nothingToReturn(ctx, known, res);
    req.log?.info({ session: found.session.id, via: 'start link' }, 'punchout session cancelled');
    sendReturn(res, found, page);
  });
}

export function finishRoutes(r: Router, k: Kit): void {
  const finish = async (req: Request, res: Response, kind: 'transfer' | 'cancel'): Promise<void> => {
    const shop = req.shop as Shop;
    const page = await finishSession(k.ctx, shop, kind);
    if (!page)
      return nothingToReturn(k.ctx, { partner: shop.partner, returnUrl: shop.session.return_url }, res);
    if (kind === 'cancel') req.log?.info({ session: shop.session.id }, 'punchout session cancelled');
    sendReturn(res, shop, page);
  };
  // Transfer needs a live session; the way back also takes one past its lifetime that never returned.
  r.post('/punchout/s/:bt/transfer', k.form, k.loadShop, k.checkCsrf, (req, res) =>
    finish(req, res, 'transfer'),
  );
  r.post('/punchout/s/:bt/cancel', k.form, k.loadReturnable, k.checkCsrf, (req, res) =>
    finish(req, res, 'cancel'),
  );
}
