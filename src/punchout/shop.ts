/**
 * The shopping use cases behind the punchout pages: the session a browser token opens, browsing
 * and search at the partner's prices, the cart, the partner's order history with reorder, and the
 * one finish (transfer or cancel) that builds the cart return. The pages only validate and render.
 */
import { dec } from '../model';
import { priceBreaks, resolvePrices } from '../catalog/pricing';
import type { CatalogItemRow } from '../catalog/repository';
import type { AppContext } from '../platform/context';
import { findPartner, type PartnerRow } from '../partners/repository';
import { findPartnerOrder, listPartnerOrders } from '../orders/history';
import { buildReturn, currentLines, originalLines, type ReturnLine } from './cart-return';
import type { Shop } from './chrome';
import {
  addOrderLinesToCart,
  addToCart,
  removeLine,
  sessionByBrowserToken,
  sessionByStartToken,
  setLineQuantity,
  moveSession,
  today,
  visibleItem,
  type SessionRow,
} from './sessions';
import type { PricedItem } from './views';

/** The session a browser token names and its partner (either may be missing). */
export async function sessionOfToken(
  ctx: AppContext,
  token: string,
): Promise<{ session?: SessionRow; partner?: PartnerRow }> {
  const session = token.length >= 20 ? await sessionByBrowserToken(ctx.db, token) : undefined;
  const partner = session ? await findPartner(ctx.db, session.partner_id) : undefined;
  return { ...(session ? { session } : {}), ...(partner ? { partner } : {}) };
}

export const partnerOfSession = (ctx: AppContext, session: SessionRow) =>
  findPartner(ctx.db, session.partner_id);

/** Items at the partner's prices for their minimum order quantity. */
export async function pricedItems(
  ctx: AppContext,
  shop: Shop,
  items: CatalogItemRow[],
): Promise<PricedItem[]> {
  if (items.length === 0) return [];
  const prices = await resolvePrices(
    ctx.db,
    shop.partner,
    items.map((i) => ({ sku: i.sku, quantity: dec(i.min_order_qty ?? '1').toFixed() })),
    today(ctx),
  );
  return items.map((item) => {
    const price = prices.get(item.sku);
    return { item, ...(price ? { price } : {}) };
  });
}

/** One product the partner may see, with its price and price breaks, or undefined. */
export async function shopItem(ctx: AppContext, shop: Shop, sku: string) {
  const item = await visibleItem(ctx.db, shop.partner, sku);
  if (!item) return undefined;
  const [priced] = await pricedItems(ctx, shop, [item]);
  const breaks = shop.partner.price_list
    ? ((await priceBreaks(ctx.db, shop.partner.price_list, [item.sku], today(ctx))).get(item.sku) ?? [])
    : [];
  return { item, breaks, ...(priced?.price ? { price: priced.price } : {}) };
}

export const cartLines = (ctx: AppContext, shop: Shop) => currentLines(ctx.db, shop.session);

export const addCartLine = (ctx: AppContext, shop: Shop, sku: string, quantity: string) =>
  ctx.db.transaction((trx) => addToCart(trx, ctx, shop.partner, shop.session, sku, quantity));

export const changeCartLine = (ctx: AppContext, shop: Shop, lineId: string, quantity: string) =>
  ctx.db.transaction((trx) => setLineQuantity(trx, ctx, shop.partner, shop.session, lineId, quantity));

export const removeCartLine = (ctx: AppContext, shop: Shop, lineId: string) =>
  removeLine(ctx.db, shop.session, lineId);

export const shopOrders = (ctx: AppContext, shop: Shop, paging: { limit: number; offset: number }) =>
  listPartnerOrders(ctx.db, shop.partner.id, paging);

/** One of the partner's orders; another partner's order id is "not found" (undefined). */
export const shopOrder = (ctx: AppContext, shop: Shop, id: string) =>
  findPartnerOrder(ctx.db, shop.partner.id, id);

/** Every line of the partner's order `id` into the cart at today's prices; undefined: no such order. */
export function reorder(ctx: AppContext, shop: Shop, id: string) {
  return ctx.db.transaction(async (trx) => {
    const found = await findPartnerOrder(trx, shop.partner.id, id);
    if (!found) return undefined;
    return {
      id: found.order.id,
      ...(await addOrderLinesToCart(trx, ctx, shop.partner, shop.session, found.lines)),
    };
  });
}

/**
 * Transfers or cancels the session once (the state change is the lock); undefined when it had ended.
 * Cancel is the way back without items: an empty cart on create, the buyer's own cart unchanged on
 * edit and inspect (a PunchOutOrderMessage replaces the cart it was opened with), posted to the
 * return URL the setup gave, never one a request names.
 */
export function finishSession(
  ctx: AppContext,
  shop: Pick<Shop, 'session' | 'partner'>,
  kind: 'transfer' | 'cancel',
) {
  const s = shop.session;
  return ctx.db.transaction(async (trx) => {
    const changed = await moveSession(trx, s.id, kind);
    if (!changed) return undefined;
    let lines: ReturnLine[];
    if (kind === 'cancel') lines = s.operation === 'create' ? [] : await originalLines(trx, s, shop.partner);
    else if (s.operation === 'inspect') lines = await originalLines(trx, s, shop.partner);
    else lines = await currentLines(trx, s);
    const title = kind === 'transfer' ? 'Returning your cart' : 'Returning to your procurement system';
    return buildReturn(trx, ctx, shop.partner, s, lines, title);
  });
}

/** The session a start token names (used or not) and its partner: the way back of a refused start link. */
export async function sessionOfStartToken(
  ctx: AppContext,
  token: string,
): Promise<{ session: SessionRow; partner: PartnerRow } | undefined> {
  if (token.length < 20) return undefined;
  const session = await sessionByStartToken(ctx.db, token);
  const partner = session ? await findPartner(ctx.db, session.partner_id) : undefined;
  return session && partner ? { session, partner } : undefined;
}
