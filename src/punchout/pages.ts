/**
 * Shopping pages under /punchout. The start URL consumes the one-time start token and redirects to
 * /punchout/s/<browser token>/: the session travels in the path, not in a cookie, because the pages
 * run inside the buyer's iframe where third-party cookies are blocked (Safari, Firefox, Chrome).
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { dec, formatMoney, formatUnitPrice, isDecimalString, mul } from '../model';
import { priceBreaks, resolvePrices } from '../catalog/pricing';
import { listCategories, searchItems, type CatalogItemRow } from '../catalog/repository';
import type { AppContext } from '../platform/context';
import { safeEqual } from '../platform/secrets';
import { findPartner, type PartnerRow } from '../partners/repository';
import { findPartnerOrder, listPartnerOrders, type OrderHistoryRow } from '../orders/history';
import { buildReturn, currentLines, originalLines, type ReturnLine } from './cart-return';
import { frameAncestors, h, layout, sendErrorPage, setPageHeaders } from './html';
import {
  addOrderLinesToCart,
  addToCart,
  consumeStartToken,
  csrfToken,
  isExpired,
  removeLine,
  sessionByBrowserToken,
  setLineQuantity,
  setState,
  today,
  visibilityList,
  visibleItem,
  type ReorderSkipReason,
  type SessionRow,
} from './sessions';

interface Shop {
  session: SessionRow;
  partner: PartnerRow;
  token: string;
  base: string;
  csrf: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    shop?: Shop;
  }
}

const MAX_QTY_LEN = 15;
const ORDERS_PER_PAGE = 20;

const SKIP_REASONS: Record<ReorderSkipReason, string> = {
  unknown: 'this product is no longer in the catalog',
  not_visible: 'this product is not in your catalog',
};

function validQuantity(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (s.length === 0 || s.length > MAX_QTY_LEN || !isDecimalString(s)) return undefined;
  const d = dec(s);
  if (d.lte(0) || d.decimalPlaces() > 3) return undefined;
  return d.toFixed();
}

function secFor(shop: Shop, extra: { formActions?: string[]; scriptNonce?: string } = {}) {
  return { ancestors: frameAncestors(shop.partner, shop.session.return_url), ...extra };
}

function send(res: Response, shop: Shop, title: string, body: string): void {
  setPageHeaders(res, secFor(shop));
  const s = shop.session;
  const readOnly = s.operation === 'inspect';
  const nav = `<header><strong>${h(shop.partner.name)}</strong>
<form method="get" action="${shop.base}search" class="inline"><input type="search" name="q" aria-label="Search" placeholder="Search products"> <button type="submit">Search</button></form>
<a href="${shop.base}">Categories</a> <a href="${shop.base}orders" id="orders-link">Orders</a> <a href="${shop.base}cart" id="cart-link">Cart</a>${readOnly ? ' <em>(read only)</em>' : ''}</header>`;
  res.type('html').send(layout(title, body, nav));
}

function hidden(shop: Shop): string {
  return `<input type="hidden" name="csrf" value="${h(shop.csrf)}">`;
}

/** A total (rounded to the currency's minor unit). */
function money(amount: string, currency: string): string {
  return `${h(formatMoney(amount, currency))} ${h(currency)}`;
}

/** A unit price as every document writes it: as stored, at least the currency's scale (never rounded). */
function unitPrice(amount: string, currency: string): string {
  return `${h(formatUnitPrice(amount, currency))} ${h(currency)}`;
}

function addForm(shop: Shop, item: CatalogItemRow): string {
  if (shop.session.operation === 'inspect') return '';
  return `<form method="post" action="${shop.base}cart/add" class="inline">${hidden(shop)}<input type="hidden" name="sku" value="${h(item.sku)}">
<input type="text" name="quantity" value="${h(dec(item.min_order_qty ?? '1').toFixed())}" size="5" aria-label="Quantity for ${h(item.sku)}">
<button type="submit" name="add" value="${h(item.sku)}" data-sku="${h(item.sku)}">Add to cart</button></form>`;
}

async function itemTable(ctx: AppContext, shop: Shop, items: CatalogItemRow[]): Promise<string> {
  if (items.length === 0) return '<p id="no-results">No products found.</p>';
  const prices = await resolvePrices(
    ctx.db,
    shop.partner,
    items.map((i) => ({ sku: i.sku, quantity: dec(i.min_order_qty ?? '1').toFixed() })),
    today(ctx),
  );
  const rows = items.map((i) => {
    const p = prices.get(i.sku);
    return `<tr data-sku="${h(i.sku)}"><td><a href="${shop.base}item/${encodeURIComponent(i.sku)}">${h(i.name)}</a></td><td>${h(i.sku)}</td>
<td class="num price">${p ? unitPrice(p.unitPrice, p.currency) : ''}</td><td>${h(i.uom)}</td><td>${addForm(shop, i)}</td></tr>`;
  });
  return `<table id="results"><tr><th>Product</th><th>SKU</th><th>Price</th><th>Unit</th><th></th></tr>${rows.join('\n')}</table>`;
}

export function punchoutPages(ctx: AppContext): Router {
  const r = Router();
  const form = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 100 });

  r.get('/punchout/start/:token', async (req, res) => {
    const outcome = await consumeStartToken(ctx, req.params.token);
    if (!outcome.ok) {
      const messages = {
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
      const [status, title, message] = messages[outcome.reason];
      sendErrorPage(res, status, title, message);
      return;
    }
    const base = `/punchout/s/${outcome.browserToken}/`;
    const detail = (outcome.session.return_fields as { detailSku?: string }).detailSku;
    res.redirect(303, detail ? `${base}item/${encodeURIComponent(detail)}` : base);
  });

  // Every page of a session: the browser token names it; closed or expired sessions get a clear page.
  const loadShop = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const token = String(req.params.bt ?? '');
    const session = token.length >= 20 ? await sessionByBrowserToken(ctx.db, token) : undefined;
    if (!session) {
      sendErrorPage(res, 404, 'Unknown catalog session', 'This catalog session does not exist.');
      return;
    }
    const partner = await findPartner(ctx.db, session.partner_id);
    const sec = { ancestors: frameAncestors(partner, session.return_url) };
    if (!partner) {
      sendErrorPage(res, 404, 'Unknown catalog session', 'This catalog session does not exist.', sec);
      return;
    }
    if (session.state !== 'open') {
      sendErrorPage(
        res,
        410,
        'Catalog session ended',
        `This catalog session has already been ${session.state}. Please start a new one from your procurement system.`,
        sec,
      );
      return;
    }
    if (isExpired(ctx, session)) {
      sendErrorPage(
        res,
        410,
        'Catalog session expired',
        'This catalog session has expired. Please start a new one from your procurement system.',
        sec,
      );
      return;
    }
    req.shop = { session, partner, token, base: `/punchout/s/${token}/`, csrf: csrfToken(token) };
    next();
  };

  const checkCsrf = (req: Request, res: Response, next: NextFunction): void => {
    const shop = req.shop as Shop;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const given = typeof body.csrf === 'string' ? body.csrf : '';
    if (!safeEqual(given, shop.csrf)) {
      sendErrorPage(
        res,
        403,
        'Form expired',
        'This form could not be accepted. Please reload the page and try again.',
        secFor(shop),
      );
      return;
    }
    next();
  };

  const writable = (req: Request, res: Response, next: NextFunction): void => {
    const shop = req.shop as Shop;
    if (shop.session.operation === 'inspect') {
      sendErrorPage(
        res,
        403,
        'Read-only cart',
        'This cart was opened for inspection and cannot be changed.',
        secFor(shop),
      );
      return;
    }
    next();
  };

  r.get('/punchout/s/:bt/', loadShop, async (req, res) => {
    const shop = req.shop as Shop;
    const cats = await listCategories(ctx.db, visibilityList(shop.partner));
    const list = cats
      .map((c) => `<li><a href="${shop.base}search?category=${encodeURIComponent(c)}">${h(c)}</a></li>`)
      .join('\n');
    send(res, shop, 'Catalog', `<h1>Catalog</h1><h2>Categories</h2><ul id="categories">${list}</ul>`);
  });

  r.get('/punchout/s/:bt/search', loadShop, async (req, res) => {
    const shop = req.shop as Shop;
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '';
    const category = typeof req.query.category === 'string' ? req.query.category.slice(0, 500) : '';
    const onlyPriceList = visibilityList(shop.partner);
    const { items, total } = await searchItems(ctx.db, {
      ...(q ? { q } : {}),
      ...(category ? { category } : {}),
      ...(onlyPriceList ? { onlyPriceList } : {}),
      limit: 50,
      offset: 0,
    });
    const heading = category ? `Category ${category}` : `Search: ${q}`;
    send(
      res,
      shop,
      heading,
      `<h1>${h(heading)}</h1><p>${total} product(s)</p>${await itemTable(ctx, shop, items)}`,
    );
  });

  r.get('/punchout/s/:bt/item/:sku', loadShop, async (req, res) => {
    const shop = req.shop as Shop;
    const item = await visibleItem(ctx.db, shop.partner, String(req.params.sku));
    if (!item) {
      sendErrorPage(res, 404, 'Product not found', 'This product is not in your catalog.', secFor(shop));
      return;
    }
    const price = (
      await resolvePrices(
        ctx.db,
        shop.partner,
        [{ sku: item.sku, quantity: dec(item.min_order_qty).toFixed() }],
        today(ctx),
      )
    ).get(item.sku);
    const breaks = shop.partner.price_list
      ? ((await priceBreaks(ctx.db, shop.partner.price_list, [item.sku], today(ctx))).get(item.sku) ?? [])
      : [];
    const breakRows = [...breaks]
      .reverse()
      .map(
        (b) =>
          `<tr><td class="num">${h(dec(b.minQty).toFixed())}</td><td class="num">${unitPrice(b.unitPrice, b.currency)}</td></tr>`,
      )
      .join('');
    const body = `<h1 id="product-name">${h(item.name)}</h1>
<p>${h(item.description)}</p>
<dl><dt>SKU</dt><dd>${h(item.sku)}</dd>
<dt>Price</dt><dd id="price">${price ? unitPrice(price.unitPrice, price.currency) : ''} per ${h(item.uom)}</dd>
${item.manufacturer ? `<dt>Manufacturer</dt><dd>${h(item.manufacturer)} ${h(item.manufacturer_part_id ?? '')}</dd>` : ''}
${item.lead_time_days !== null ? `<dt>Lead time</dt><dd>${item.lead_time_days} day(s)</dd>` : ''}
${item.unspsc ? `<dt>UNSPSC</dt><dd>${h(item.unspsc)}</dd>` : ''}</dl>
${breakRows ? `<h2>Your contract prices</h2><table id="price-breaks"><tr><th>From quantity</th><th>Unit price</th></tr>${breakRows}</table>` : ''}
${addForm(shop, item)}`;
    send(res, shop, item.name, body);
  });

  /** The cart page; `notice` (HTML) goes above the cart (the outcome of a reorder). */
  const sendCart = async (res: Response, shop: Shop, notice = ''): Promise<void> => {
    const lines = await currentLines(ctx.db, shop.session);
    const readOnly = shop.session.operation === 'inspect';
    const currency = lines[0]?.currency ?? shop.partner.currency;
    let total = dec('0');
    const rows = lines.map((l) => {
      const lineTotal = mul(l.quantity, l.unitPrice);
      total = total.plus(lineTotal);
      const qty = readOnly
        ? h(dec(l.quantity).toFixed())
        : `<form method="post" action="${shop.base}cart/update" class="inline">${hidden(shop)}<input type="hidden" name="line" value="${h(l.lineId)}">
<input type="text" name="quantity" value="${h(dec(l.quantity).toFixed())}" size="5" aria-label="Quantity of ${h(l.sku)}"> <button type="submit">Update</button></form>`;
      const remove = readOnly
        ? ''
        : `<form method="post" action="${shop.base}cart/remove" class="inline">${hidden(shop)}<input type="hidden" name="line" value="${h(l.lineId)}"><button type="submit">Remove</button></form>`;
      return `<tr data-sku="${h(l.sku)}"><td>${h(l.item?.name ?? l.sku)}</td><td>${h(l.sku)}</td><td>${qty}</td>
<td class="num unit-price">${unitPrice(l.unitPrice, l.currency)}</td><td class="num line-total">${money(lineTotal.toFixed(), l.currency)}</td><td>${remove}</td></tr>`;
    });
    const actions = `<form method="post" action="${shop.base}transfer" class="inline">${hidden(shop)}<button type="submit" id="transfer">${readOnly ? 'Return' : 'Transfer cart'}</button></form>
<form method="post" action="${shop.base}cancel" class="inline">${hidden(shop)}<button type="submit" id="cancel">Cancel</button></form>`;
    const body = `<h1>Cart</h1>${notice}${
      lines.length === 0
        ? '<p id="empty-cart">Your cart is empty.</p>'
        : `<table id="cart"><tr><th>Product</th><th>SKU</th><th>Quantity</th><th>Unit price</th><th>Total</th><th></th></tr>${rows.join('\n')}
<tr><th colspan="4">Total</th><td class="num" id="cart-total">${money(total.toFixed(), currency)}</td><td></td></tr></table>`
    }<p>${actions}</p>`;
    send(res, shop, 'Cart', body);
  };

  r.get('/punchout/s/:bt/cart', loadShop, async (req, res) => {
    const shop = req.shop as Shop;
    await sendCart(res, shop, await reorderNotice(shop, req.query));
  });

  const badQuantity = (res: Response, shop: Shop) =>
    sendErrorPage(
      res,
      400,
      'Invalid quantity',
      'The quantity must be a number greater than 0 with at most 3 decimals.',
      secFor(shop),
    );

  r.post('/punchout/s/:bt/cart/add', form, loadShop, checkCsrf, writable, async (req, res) => {
    const shop = req.shop as Shop;
    const body = req.body as Record<string, unknown>;
    const quantity = validQuantity(body.quantity);
    if (!quantity) return badQuantity(res, shop);
    const line = await ctx.db.transaction((trx) =>
      addToCart(trx, ctx, shop.partner, shop.session, String(body.sku ?? ''), quantity),
    );
    if (!line) {
      sendErrorPage(res, 404, 'Product not found', 'This product is not in your catalog.', secFor(shop));
      return;
    }
    res.redirect(303, `${shop.base}cart`);
  });

  r.post('/punchout/s/:bt/cart/update', form, loadShop, checkCsrf, writable, async (req, res) => {
    const shop = req.shop as Shop;
    const body = req.body as Record<string, unknown>;
    const quantity = validQuantity(body.quantity);
    if (!quantity) return badQuantity(res, shop);
    await ctx.db.transaction((trx) =>
      setLineQuantity(trx, ctx, shop.partner, shop.session, String(body.line ?? ''), quantity),
    );
    res.redirect(303, `${shop.base}cart`);
  });

  r.post('/punchout/s/:bt/cart/remove', form, loadShop, checkCsrf, writable, async (req, res) => {
    const shop = req.shop as Shop;
    await removeLine(ctx.db, shop.session, String((req.body as Record<string, unknown>).line ?? ''));
    res.redirect(303, `${shop.base}cart`);
  });

  // Order history: the session's partner's orders only; another partner's order id is "not found".
  const orderNotFound = (res: Response, shop: Shop) =>
    sendErrorPage(res, 404, 'Order not found', 'This order does not exist.', secFor(shop));

  const reorderForm = (shop: Shop, o: OrderHistoryRow): string =>
    shop.session.operation === 'inspect'
      ? ''
      : `<form method="post" action="${shop.base}orders/${h(o.id)}/reorder" class="inline">${hidden(shop)}<button type="submit" data-order="${h(o.buyerOrderNumber)}">Reorder</button></form>`;

  const status = (state: string) => h(state.replace(/_/g, ' '));

  r.get('/punchout/s/:bt/orders', loadShop, async (req, res) => {
    const shop = req.shop as Shop;
    const asked =
      typeof req.query.page === 'string' && /^\d{1,6}$/.test(req.query.page) ? Number(req.query.page) : 1;
    const page = Math.max(1, asked);
    const { orders, total } = await listPartnerOrders(ctx.db, shop.partner.id, {
      limit: ORDERS_PER_PAGE,
      offset: (page - 1) * ORDERS_PER_PAGE,
    });
    const pages = Math.max(1, Math.ceil(total / ORDERS_PER_PAGE));
    const rows = orders.map(
      (o) =>
        `<tr data-order="${h(o.buyerOrderNumber)}"><td><a href="${shop.base}orders/${h(o.id)}">${h(o.buyerOrderNumber)}</a></td><td>${h(o.date.slice(0, 10))}</td>
<td class="status">${status(o.state)}</td><td class="num total">${money(o.total, o.currency)}</td><td>${h(o.currency)}</td><td class="num lines">${o.lineCount}</td><td>${reorderForm(shop, o)}</td></tr>`,
    );
    const nav = [
      page > 1 ? `<a href="${shop.base}orders?page=${page - 1}" id="newer">Newer orders</a>` : '',
      page < pages ? `<a href="${shop.base}orders?page=${page + 1}" id="older">Older orders</a>` : '',
    ]
      .filter(Boolean)
      .join(' ');
    const body = `<h1>Orders</h1>${
      orders.length === 0
        ? '<p id="no-orders">No orders found.</p>'
        : `<p>${total} order(s), page ${page} of ${pages}</p>
<table id="orders"><tr><th>Order number</th><th>Date</th><th>Status</th><th>Total</th><th>Currency</th><th>Lines</th><th></th></tr>${rows.join('\n')}</table>`
    }${nav ? `<p>${nav}</p>` : ''}`;
    send(res, shop, 'Orders', body);
  });

  r.get('/punchout/s/:bt/orders/:id', loadShop, async (req, res) => {
    const shop = req.shop as Shop;
    const found = await findPartnerOrder(ctx.db, shop.partner.id, String(req.params.id));
    if (!found) return orderNotFound(res, shop);
    const { order: o, lines } = found;
    const rows = lines.map(
      (l) =>
        `<tr data-sku="${h(l.sku)}"><td class="num">${l.lineNumber}</td><td>${h(l.sku)}</td><td>${h(l.description ?? '')}</td>
<td class="num quantity">${h(l.quantity)} ${h(l.uom)}</td><td class="num unit-price">${unitPrice(l.unitPrice, o.currency)}</td></tr>`,
    );
    const body = `<h1>Order ${h(o.buyerOrderNumber)}</h1>
<dl><dt>Date</dt><dd>${h(o.date.slice(0, 10))}</dd>${o.supplierOrderNumber ? `<dt>Our order no.</dt><dd id="supplier-order">${h(o.supplierOrderNumber)}</dd>` : ''}<dt>Status</dt><dd id="order-status">${status(o.state)}</dd>
<dt>Total</dt><dd id="order-total">${money(o.total, o.currency)}</dd></dl>
<table id="order-lines"><tr><th>Line</th><th>SKU</th><th>Description</th><th>Quantity</th><th>Unit price (at order)</th></tr>${rows.join('\n')}</table>
<p>${reorderForm(shop, o)} <a href="${shop.base}orders">All orders</a></p>`;
    send(res, shop, `Order ${o.buyerOrderNumber}`, body);
  });

  // Reorder: every line of the order into this cart at today's prices, then POST/redirect/GET to
  // the cart, whose query says what happened (`reordered`, `added`, `skipped=line.reason,...`), so a
  // reload of the page does not add the lines again.
  r.post('/punchout/s/:bt/orders/:id/reorder', form, loadShop, checkCsrf, writable, async (req, res) => {
    const shop = req.shop as Shop;
    const outcome = await ctx.db.transaction(async (trx) => {
      const found = await findPartnerOrder(trx, shop.partner.id, String(req.params.id));
      if (!found) return undefined;
      return {
        id: found.order.id,
        ...(await addOrderLinesToCart(trx, ctx, shop.partner, shop.session, found.lines)),
      };
    });
    if (!outcome) return orderNotFound(res, shop);
    const query = new URLSearchParams({ reordered: outcome.id, added: String(outcome.added) });
    if (outcome.skipped.length)
      query.set('skipped', outcome.skipped.map((s) => `${s.lineNumber}.${s.reason}`).join(','));
    res.redirect(303, `${shop.base}cart?${query}`);
  });

  /**
   * The notice above the cart after a reorder, from the redirect's query. Only the partner's own
   * order is named, and only its own lines with a known reason are listed, so an edited URL can
   * at most misstate the counts in the buyer's own session.
   */
  const reorderNotice = async (shop: Shop, query: Request['query']): Promise<string> => {
    if (typeof query.reordered !== 'string') return '';
    const found = await findPartnerOrder(ctx.db, shop.partner.id, query.reordered);
    if (!found) return '';
    const added = /^\d{1,4}$/.test(String(query.added)) ? Number(query.added) : 0;
    const skipped = (typeof query.skipped === 'string' ? query.skipped.split(',') : []).flatMap((entry) => {
      const [n, reason] = entry.split('.');
      const line = found.lines.find((l) => String(l.lineNumber) === n);
      return line && reason && Object.hasOwn(SKIP_REASONS, reason)
        ? [
            `<li data-sku="${h(line.sku)}" data-reason="${h(reason)}">${h(line.sku)} (line ${line.lineNumber}): ${h(SKIP_REASONS[reason as ReorderSkipReason])}</li>`,
          ]
        : [];
    });
    return `<div id="reorder-result"><p>${added} line(s) of order ${h(found.order.buyerOrderNumber)} added to your cart at today's prices.</p>${
      skipped.length ? `<p>Not added:</p><ul id="skipped">${skipped.join('')}</ul>` : ''
    }</div>`;
  };

  const finish = async (req: Request, res: Response, kind: 'transfer' | 'cancel'): Promise<void> => {
    const shop = req.shop as Shop;
    const s = shop.session;
    const page = await ctx.db.transaction(async (trx) => {
      // Only one finish per session: the state change is the lock.
      const changed = await setState(trx, s.id, kind === 'transfer' ? 'transferred' : 'cancelled');
      if (!changed) return undefined;
      let lines: ReturnLine[];
      if (kind === 'cancel')
        lines = s.operation === 'create' ? [] : await originalLines(trx, s, shop.partner);
      else if (s.operation === 'inspect') lines = await originalLines(trx, s, shop.partner);
      else lines = await currentLines(trx, s);
      return buildReturn(
        trx,
        ctx,
        shop.partner,
        s,
        lines,
        kind === 'transfer' ? 'Returning your cart' : 'Returning to your procurement system',
      );
    });
    if (!page) {
      sendErrorPage(
        res,
        410,
        'Catalog session ended',
        'This catalog session has already ended.',
        secFor(shop),
      );
      return;
    }
    setPageHeaders(res, secFor(shop, { formActions: [page.actionOrigin], scriptNonce: page.nonce }));
    res.type('html').send(page.html);
  };

  r.post('/punchout/s/:bt/transfer', form, loadShop, checkCsrf, (req, res) => finish(req, res, 'transfer'));
  r.post('/punchout/s/:bt/cancel', form, loadShop, checkCsrf, (req, res) => finish(req, res, 'cancel'));

  return r;
}
