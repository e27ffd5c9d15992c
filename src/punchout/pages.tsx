/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * Shopping pages under /punchout. The start URL consumes the one-time start token and redirects to
 * /punchout/s/<browser token>/: the session travels in the path, not in a cookie, because the pages
 * run inside the buyer's iframe where third-party cookies are blocked (Safari, Firefox, Chrome). So
 * SameSite plays no part here: the CSRF token of the forms and the flash messages are keyed by the
 * browser token, which only the buyer's browser has. Rendered with the page kit (src/platform/pages).
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { ComponentChildren } from 'preact';
import { dec, isDecimalString } from '../model';
import type { AppContext } from '../platform/context';
import {
  csrfToken,
  flashUrl,
  pageErrors,
  pageNotFound,
  requireCsrf,
  sendErrorPage,
  sendPage,
  takeFlash,
  type Flash,
} from '../platform/pages';
import { chromeOfRequest, noSessionChrome, shopChrome, returnForm, type Shop, type ShopPage } from './chrome';
import { isExpired, QuantityRefused, type ReorderSkipReason } from './sessions';
import {
  addCartLine,
  cartLines,
  changeCartLine,
  removeCartLine,
  reorder,
  sessionOfToken,
  shopOrder,
  shopOrders,
} from './shop';
import { browseRoutes } from './catalog-pages';
import { finishRoutes, startRoutes } from './return-pages';
import * as ov from './order-views';
import * as v from './views';

const MAX_QTY_LEN = 15;
const ORDERS_PER_PAGE = 20;

function validQuantity(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (s.length === 0 || s.length > MAX_QTY_LEN || !isDecimalString(s)) return undefined;
  const d = dec(s);
  if (d.lte(0) || d.decimalPlaces() > 3) return undefined;
  return d.toFixed();
}

const shopOf = (req: Request): Shop => req.shop as Shop;
const field = (req: Request, name: string): string => {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
};

/** Everything the route groups share. */
export interface Kit {
  ctx: AppContext;
  form: express.RequestHandler;
  loadShop: express.RequestHandler;
  /** As loadShop, but an open session past its lifetime passes too (its way back, once). */
  loadReturnable: express.RequestHandler;
  checkCsrf: express.RequestHandler;
  writable: express.RequestHandler;
  show: (
    req: Request,
    res: Response,
    title: string,
    body: ComponentChildren,
    current?: ShopPage,
  ) => Promise<void>;
  fail: (res: Response, shop: Shop, status: number, title: string, message: string) => void;
  back: (req: Request, res: Response, path: string, flash: Flash) => Promise<void>;
}

// Every page of a session: the browser token names it; closed or expired sessions get a clear page.
// An expired session that never returned offers the way back (its cancel route takes it once).
function sessionLoader(ctx: AppContext, returnable: boolean) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const token = String(req.params.bt ?? '');
    const { session, partner } = await sessionOfToken(ctx, token);
    const known = partner && session ? { partner, returnUrl: session.return_url } : {};
    const chrome = noSessionChrome(ctx, known);
    if (!session || !partner) {
      const message = 'This catalog session does not exist.';
      return sendErrorPage(res, chrome, { status: 404, title: 'Unknown catalog session', message });
    }
    const ended = session.state !== 'open';
    if (ended || (isExpired(ctx, session) && !returnable)) {
      const [title, message] = ended
        ? ['Catalog session ended', `This catalog session has already been ${session.state}.`]
        : ['Catalog session expired', 'This catalog session has expired.'];
      return sendErrorPage(res, chrome, {
        status: 410,
        title,
        message: ended
          ? `${message} Please start a new one from your procurement system.`
          : `${message} Go back to your procurement system and start a new one from there.`,
        ...(ended
          ? {}
          : { backForm: returnForm(session, `/punchout/s/${token}/cancel`, csrfToken(ctx.config, token)) }),
      });
    }
    req.shop = {
      session,
      partner,
      token,
      base: `/punchout/s/${token}/`,
      csrf: csrfToken(ctx.config, token),
    };
    next();
  };
}

function kitFor(ctx: AppContext): Kit {
  const fail: Kit['fail'] = (res, shop, status, title, message) =>
    sendErrorPage(res, shopChrome(ctx, shop), { status, title, message });

  const loadShop = sessionLoader(ctx, false);

  const checkCsrf = requireCsrf(
    ctx.config,
    (req) => req.shop?.token,
    (req, res) =>
      fail(
        res,
        shopOf(req),
        403,
        'Form expired',
        'This form could not be accepted. Please reload the page and try again.',
      ),
  );

  const writable = (req: Request, res: Response, next: NextFunction): void => {
    if (shopOf(req).session.operation !== 'inspect') return next();
    fail(
      res,
      shopOf(req),
      403,
      'Read-only cart',
      'This cart was opened for inspection and cannot be changed.',
    );
  };

  return {
    ctx,
    form: express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 100 }),
    loadShop,
    loadReturnable: sessionLoader(ctx, true),
    checkCsrf,
    writable,
    fail,
    show: async (req, res, title, body, current) => {
      const shop = shopOf(req);
      const flash = await takeFlash(ctx, shop.token, req.query);
      sendPage(res, shopChrome(ctx, shop, current), { title, flash, body });
    },
    back: async (req, res, path, flash) => {
      const shop = shopOf(req);
      res.redirect(303, await flashUrl(ctx, shop.token, `${shop.base}${path}`, flash));
    },
  };
}

function cartRoutes(r: Router, k: Kit): void {
  const { ctx, form, loadShop, checkCsrf, writable } = k;
  // A refused quantity is said in the cart, above the lines, and changes nothing.
  const refuse = (req: Request, res: Response, message: string) =>
    k.back(req, res, 'cart', { kind: 'warning', message });
  const badQuantity = (req: Request, res: Response, given: string) =>
    refuse(
      req,
      res,
      `"${given.slice(0, 20)}" is not a quantity: give a number greater than 0 with at most 3 decimals.`,
    );
  const refusedOr = async <T,>(
    req: Request,
    res: Response,
    run: () => Promise<T>,
  ): Promise<T | undefined> => {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof QuantityRefused)) throw err;
      await refuse(req, res, `Not changed: ${err.message}`);
      return undefined;
    }
  };

  r.get('/punchout/s/:bt/cart', loadShop, async (req, res) => {
    const shop = shopOf(req);
    const lines = await cartLines(ctx, shop);
    const currency = lines[0]?.currency ?? shop.partner.currency;
    const notice = await reorderNotice(ctx, shop, req.query);
    await k.show(
      req,
      res,
      'Cart',
      <v.Cart shop={shop} lines={lines} currency={currency} notice={notice} />,
      'cart',
    );
  });

  r.post('/punchout/s/:bt/cart/add', form, loadShop, checkCsrf, writable, async (req, res) => {
    const shop = shopOf(req);
    const quantity = validQuantity(field(req, 'quantity'));
    if (!quantity) return badQuantity(req, res, field(req, 'quantity'));
    const sku = field(req, 'sku');
    const line = await refusedOr(req, res, () => addCartLine(ctx, shop, sku, quantity));
    if (res.headersSent) return;
    if (!line) return k.fail(res, shop, 404, 'Product not found', 'This product is not in your catalog.');
    await k.back(req, res, 'cart', { kind: 'success', message: `Added ${quantity} × ${sku} to your cart.` });
  });

  r.post('/punchout/s/:bt/cart/update', form, loadShop, checkCsrf, writable, async (req, res) => {
    const shop = shopOf(req);
    const quantity = validQuantity(field(req, 'quantity'));
    if (!quantity) return badQuantity(req, res, field(req, 'quantity'));
    const changed = await refusedOr(req, res, () => changeCartLine(ctx, shop, field(req, 'line'), quantity));
    if (res.headersSent) return;
    await k.back(req, res, 'cart', {
      kind: changed ? 'success' : 'warning',
      message: changed ? `Quantity changed to ${quantity}.` : 'That line is no longer in your cart.',
    });
  });

  r.post('/punchout/s/:bt/cart/remove', form, loadShop, checkCsrf, writable, async (req, res) => {
    const shop = shopOf(req);
    const removed = await removeCartLine(ctx, shop, field(req, 'line'));
    await k.back(req, res, 'cart', {
      kind: removed ? 'success' : 'warning',
      message: removed ? 'The line was removed from your cart.' : 'That line is no longer in your cart.',
    });
  });
}

/**
 * The notice above the cart after a reorder, from the redirect's query. Only the partner's own
 * order is named, and only its own lines with a known reason are listed, so an edited URL can
 * at most misstate the counts in the buyer's own session.
 */
async function reorderNotice(
  ctx: AppContext,
  shop: Shop,
  query: Request['query'],
): Promise<ComponentChildren> {
  if (typeof query.reordered !== 'string') return null;
  const found = await shopOrder(ctx, shop, query.reordered);
  if (!found) return null;
  const added = typeof query.added === 'string' && /^\d{1,4}$/.test(query.added) ? Number(query.added) : 0;
  const skipped = (typeof query.skipped === 'string' ? query.skipped.split(',') : []).flatMap((entry) => {
    const [n, reason] = entry.split('.');
    const line = found.lines.find((l) => String(l.lineNumber) === n);
    return line && reason && Object.hasOwn(ov.SKIP_REASONS, reason)
      ? [{ sku: line.sku, lineNumber: line.lineNumber, reason: reason as ReorderSkipReason }]
      : [];
  });
  return <ov.ReorderNotice orderNumber={found.order.buyerOrderNumber} added={added} skipped={skipped} />;
}

// Order history: the session's partner's orders only; another partner's order id is "not found".
function orderRoutes(r: Router, k: Kit): void {
  const { ctx, form, loadShop, checkCsrf, writable } = k;
  const orderNotFound = (res: Response, shop: Shop) =>
    k.fail(res, shop, 404, 'Order not found', 'This order does not exist.');

  r.get('/punchout/s/:bt/orders', loadShop, async (req, res) => {
    const shop = shopOf(req);
    const asked =
      typeof req.query.page === 'string' && /^\d{1,6}$/.test(req.query.page) ? Number(req.query.page) : 1;
    const page = Math.max(1, asked);
    const { orders, total } = await shopOrders(ctx, shop, {
      limit: ORDERS_PER_PAGE,
      offset: (page - 1) * ORDERS_PER_PAGE,
    });
    const body = <ov.Orders shop={shop} orders={orders} total={total} page={page} limit={ORDERS_PER_PAGE} />;
    await k.show(req, res, 'Orders', body, 'orders');
  });

  r.get('/punchout/s/:bt/orders/:id', loadShop, async (req, res) => {
    const shop = shopOf(req);
    const found = await shopOrder(ctx, shop, String(req.params.id));
    if (!found) return orderNotFound(res, shop);
    const title = `Order ${found.order.buyerOrderNumber}`;
    await k.show(req, res, title, <ov.Order shop={shop} order={found.order} lines={found.lines} />, 'orders');
  });

  // Reorder: every line of the order into this cart at today's prices, then POST/redirect/GET to
  // the cart, whose query says what happened (`reordered`, `added`, `skipped=line.reason,...`), so a
  // reload of the page does not add the lines again.
  r.post('/punchout/s/:bt/orders/:id/reorder', form, loadShop, checkCsrf, writable, async (req, res) => {
    const shop = shopOf(req);
    const outcome = await reorder(ctx, shop, String(req.params.id));
    if (!outcome) return orderNotFound(res, shop);
    const query = new URLSearchParams({ reordered: outcome.id, added: String(outcome.added) });
    if (outcome.skipped.length)
      query.set('skipped', outcome.skipped.map((s) => `${s.lineNumber}.${s.reason}`).join(','));
    res.redirect(303, `${shop.base}cart?${query}`);
  });
}

export function punchoutPages(ctx: AppContext): Router {
  const r = Router();
  const k = kitFor(ctx);
  startRoutes(r, ctx);
  browseRoutes(r, k);
  cartRoutes(r, k);
  orderRoutes(r, k);
  finishRoutes(r, k);
  // Anything else under a session's path: the layout's 404 inside the buyer's frame.
  r.use(
    '/punchout/s/:bt',
    k.loadShop,
    pageNotFound((req) => chromeOfRequest(ctx, req.shop)),
  );
  r.use(
    '/punchout',
    pageNotFound(() => noSessionChrome(ctx)),
  );
  r.use(
    '/punchout',
    pageErrors((req) => chromeOfRequest(ctx, req.shop)),
  );
  return r;
}
