/**
 * Browsing use cases of the shopping pages: the category tree with counts, a page of search or
 * category results in the chosen order at the partner's prices, and the products the buyer
 * compares (at most MAX_COMPARE per session, kept on the session row: the pages run in the
 * buyer's iframe, where a cookie would be blocked).
 */
import { categoryTree } from '../catalog/category-tree';
import { categoryCounts, findItems, searchItems, type SortOrder } from '../catalog/repository';
import type { AppContext } from '../platform/context';
import type { Shop } from './chrome';
import { today, visibilityList, visibleItem } from './sessions';
import { pricedItems } from './shop';

export const MAX_COMPARE = 4;
export const RESULTS_PER_PAGE = 24;

export async function shopCategoryTree(ctx: AppContext, shop: Shop) {
  return categoryTree(await categoryCounts(ctx.db, visibilityList(shop.partner)));
}

export interface ResultsQuery {
  q: string;
  category: string;
  sort: SortOrder;
  page: number;
}

/** One page of results; a page past the end shows the last one. */
export async function searchPage(ctx: AppContext, shop: Shop, s: ResultsQuery) {
  const onlyPriceList = visibilityList(shop.partner);
  const run = (page: number) =>
    searchItems(ctx.db, {
      ...(s.q ? { q: s.q } : {}),
      ...(s.category ? { category: s.category } : {}),
      ...(onlyPriceList ? { onlyPriceList } : {}),
      sort: s.sort,
      pricing: { priceList: shop.partner.price_list, date: today(ctx) },
      limit: RESULTS_PER_PAGE,
      offset: (page - 1) * RESULTS_PER_PAGE,
    });
  let page = s.page;
  let found = await run(page);
  const last = Math.max(1, Math.ceil(found.total / RESULTS_PER_PAGE));
  if (page > last) {
    page = last;
    found = await run(page);
  }
  return { items: await pricedItems(ctx, shop, found.items), total: found.total, page };
}

export type CompareOutcome = 'added' | 'already' | 'full' | 'unknown';

/** Adds a visible product to the session's comparison; a fifth is refused ("full"). */
export async function addToCompare(ctx: AppContext, shop: Shop, sku: string): Promise<CompareOutcome> {
  if (!(await visibleItem(ctx.db, shop.partner, sku))) return 'unknown';
  // One statement: two tabs adding at once cannot get past the limit.
  const n = await ctx
    .db('punchout_sessions')
    .where({ id: shop.session.id })
    .whereRaw('not (compare_skus @> jsonb_build_array(?::text))', [sku])
    .whereRaw('jsonb_array_length(compare_skus) < ?', [MAX_COMPARE])
    .update({ compare_skus: ctx.db.raw('compare_skus || jsonb_build_array(?::text)', [sku]) });
  if (n > 0) return 'added';
  return (await compareSkus(ctx, shop)).includes(sku) ? 'already' : 'full';
}

export async function removeFromCompare(ctx: AppContext, shop: Shop, sku: string): Promise<boolean> {
  const n = await ctx
    .db('punchout_sessions')
    .where({ id: shop.session.id })
    .whereRaw('compare_skus @> jsonb_build_array(?::text)', [sku])
    .update({ compare_skus: ctx.db.raw('compare_skus - ?::text', [sku]) });
  return n > 0;
}

async function compareSkus(ctx: AppContext, shop: Shop): Promise<string[]> {
  const row = await ctx
    .db('punchout_sessions')
    .where({ id: shop.session.id })
    .first<{ compare_skus: unknown } | undefined>('compare_skus');
  return Array.isArray(row?.compare_skus) ? (row.compare_skus as string[]) : [];
}

/** The compared products still visible, in the order added, at the partner's prices. */
export async function compareItems(ctx: AppContext, shop: Shop) {
  const skus = await compareSkus(ctx, shop);
  const rows = await findItems(ctx.db, skus);
  const visible = [];
  for (const sku of skus) {
    const row = rows.get(sku);
    if (row && (await visibleItem(ctx.db, shop.partner, sku))) visible.push(row);
  }
  return pricedItems(ctx, shop, visible);
}
