/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The built-in demo buyer (embedded mode / DEMO=1 only, see app.ts): GET /demo/buyer plays the
 * procurement system. Its pages may be framed only by themselves (the returned cart shows inside the
 * punchout frame); every form carries the token of the browser's demo cookie, and the cart return
 * (the BrowserFormPost URL) carries it in its path, since the supplier's form cannot know it.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { ComponentChildren } from 'preact';
import type { AppContext } from '../platform/context';
import { isUuid } from '../platform/db';
import {
  CSRF_CHECK,
  cookieValue,
  csrfToken,
  csrfValid,
  formField,
  sendErrorPage,
  sendPage,
  type Chrome,
  type Flash,
} from '../platform/pages';
import { randomToken } from '../platform/secrets';
import { DEMO_INBOX_KEY } from '../demo';
import { DEMO_BUYER, inbox, readCart, receive, refuseUnknown, startPunchout, submitOrder } from './buyer';
import { Answer, Cart, Inbox, Intro, PunchoutFrame, Received, StartPunchout } from './views';

const COOKIE = 'gw_demo_buyer';
const NONCE = /^[A-Za-z0-9_-]{32}$/;

/** A form field's text ('' when absent; a field the form sends once is a string). */
const textOf = (v: unknown): string => (typeof v === 'string' ? v : '');

function chromeOf(_ctx: AppContext): Chrome {
  return {
    supplier: 'Demo Buyer Corp.',
    area: 'Demo procurement system',
    home: DEMO_BUYER.page,
    nav: [
      { href: DEMO_BUYER.page, label: 'Demo buyer' },
      { href: '/', label: 'Gateway console' },
      { href: '/approvals', label: 'Approvals' },
      { href: '/finance', label: 'Finance pages' },
    ],
    security: { ancestors: ["'self'"], frameSources: ["'self'"] },
    back: { href: DEMO_BUYER.page, label: 'Back to the demo buyer' },
  };
}

/** The browser's demo key (set when it has none) and its form token. */
function demoKey(req: Request, res: Response): string {
  const have = cookieValue(req, COOKIE);
  if (have && NONCE.test(have)) return have;
  const nonce = randomToken(24);
  res.append('Set-Cookie', `${COOKIE}=${nonce}; Path=/demo/buyer; HttpOnly; SameSite=Strict`);
  return nonce;
}

/** Refuses a post whose token (form field, or the path's for the cart return) is not the cookie's. */
function checkToken(ctx: AppContext) {
  const check = (req: Request, res: Response, next: NextFunction) => {
    const key = cookieValue(req, COOKIE);
    const given = typeof req.params.token === 'string' ? req.params.token : formField(req, 'csrf');
    if (key && NONCE.test(key) && csrfValid(ctx.config, key, given)) return next();
    sendErrorPage(res, chromeOf(ctx), {
      status: 403,
      message: 'This form expired. Open the demo buyer again and start over.',
    });
  };
  return Object.assign(check, { [CSRF_CHECK]: true });
}

export function demoBuyerRoutes(ctx: AppContext): Router {
  const ours = new URL(ctx.config.publicBaseUrl);
  // The cart comes back to PUBLIC_BASE_URL with this browser's cookie: under another host name
  // (127.0.0.1 for localhost) the browser would not send it.
  const elsewhere = (req: Request): Flash[] =>
    req.get('host') === ours.host
      ? []
      : [
          {
            kind: 'warning',
            message: `Open the demo buyer at ${ctx.config.publicBaseUrl}${DEMO_BUYER.page} (PUBLIC_BASE_URL): the punchout returns the cart there, and a browser that opened it under another name cannot continue.`,
          },
        ];
  const r = Router();
  const form = express.urlencoded({ extended: false, limit: '512kb', parameterLimit: 10 });
  const checked = checkToken(ctx);
  const chrome = chromeOf(ctx);
  const token = (req: Request, res: Response) => csrfToken(ctx.config, demoKey(req, res));
  const home = async (req: Request, res: Response, extra?: ComponentChildren) => {
    const csrf = token(req, res);
    sendPage(res, chrome, {
      title: 'Demo buyer',
      flash: elsewhere(req),
      body: (
        <>
          <Intro />
          <StartPunchout csrf={csrf} />
          {extra}
          <Inbox rows={await inbox(ctx).list()} />
        </>
      ),
    });
  };

  r.get(DEMO_BUYER.page, (req, res) => home(req, res));

  r.post('/demo/buyer/punchout', form, checked, async (req, res) => {
    const returnUrl = `${ctx.config.publicBaseUrl}${DEMO_BUYER.cart}/${token(req, res)}`;
    const started = await startPunchout(ctx, returnUrl);
    if ('refused' in started) return home(req, res, <Answer answer={started.refused} />);
    await home(req, res, <PunchoutFrame url={started.startUrl} />);
  });

  r.post(`${DEMO_BUYER.cart}/:token`, form, checked, (req, res) => {
    const xml = textOf(formField(req, 'cxml-urlencoded') ?? formField(req, 'cXML-urlencoded'));
    const cart = readCart(xml);
    if (!cart) return sendErrorPage(res, chrome, { status: 400, message: 'No cXML cart came back.' });
    sendPage(res, chrome, {
      title: 'Returned cart',
      body: <Cart cart={cart} xml={xml} csrf={token(req, res)} />,
    });
  });

  r.post('/demo/buyer/order', form, checked, async (req, res) => {
    const cart = readCart(textOf(formField(req, 'cart')));
    if (!cart) return sendErrorPage(res, chrome, { status: 400, message: 'The cart could not be read.' });
    const { orderId, answer } = await submitOrder(ctx, cart);
    await home(req, res, <Answer answer={answer} orderId={orderId} />);
  });

  r.get(`${DEMO_BUYER.inbox}/:id`, async (req, res) => {
    const row = isUuid(req.params.id) ? await inbox(ctx).find(req.params.id) : undefined;
    if (!row) return sendErrorPage(res, chrome, { status: 404, message: 'No such document.' });
    sendPage(res, chrome, { title: row.request_type, body: <Received row={row} /> });
  });

  // The demo partner's cxml.outboundUrl: the gateway delivers its documents here.
  // Only the gateway knows the URL's last segment (src/demo.ts demoInboxUrl).
  r.post(
    `${DEMO_BUYER.inbox}/:token`,
    express.raw({ type: () => true, limit: ctx.config.MAX_BODY_BYTES }),
    async (req, res) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const known = csrfValid(ctx.config, DEMO_INBOX_KEY, req.params.token);
      const { status, xml } = known ? await receive(ctx, body) : refuseUnknown(ctx);
      res.status(status).type('text/xml').send(xml);
    },
  );
  return r;
}
