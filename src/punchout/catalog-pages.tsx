/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The catalog's browsing routes: the category tree, search and category results (sort, pages),
 * a product, and the comparison. Thin like ./pages: read the query, call a use case, render.
 */
import type { Request, Response, Router } from 'express';
import { trailTo } from '../catalog/category-tree';
import { SORT_ORDERS, type SortOrder } from '../catalog/repository';
import { sendPage, takeFlash } from '../platform/pages';
import {
  addToCompare,
  compareItems,
  MAX_COMPARE,
  removeFromCompare,
  RESULTS_PER_PAGE,
  searchPage,
  shopCategoryTree,
  type CompareOutcome,
} from './browse';
import { shopChrome, type Shop } from './chrome';
import * as cv from './catalog-views';
import { Compare } from './compare-views';
import type { Kit } from './pages';
import { shopItem } from './shop';
import * as v from './views';

const shopOf = (req: Request): Shop => req.shop as Shop;
const text = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '');
const skuOf = (req: Request) => text((req.body as Record<string, unknown> | undefined)?.sku, 100);
/** The list or product page a Compare button was on (relative to the session's base), else none. */
function backOf(req: Request): string | undefined {
  const back = text((req.body as Record<string, unknown> | undefined)?.back, 1000);
  return /^(search(\?[^#\s\\]*)?|item\/[^/?#\s\\]+)$/.test(back) ? back : undefined;
}

/** `?page=N` (1-based; `offset=` as the pager of other lists writes it also works). */
function pageOf(query: Request['query'], perPage: number): number {
  const n = (v: unknown) => (typeof v === 'string' && /^\d{1,6}$/.test(v) ? Number(v) : undefined);
  const page = n(query.page);
  if (page !== undefined) return Math.max(1, page);
  const offset = n(query.offset);
  return offset !== undefined ? Math.floor(offset / perPage) + 1 : 1;
}

const sortOf = (v: unknown): SortOrder =>
  typeof v === 'string' && (SORT_ORDERS as readonly string[]).includes(v) ? (v as SortOrder) : 'relevance';

export function browseRoutes(r: Router, k: Kit): void {
  const { ctx, loadShop } = k;
  r.get('/punchout/s/:bt/', loadShop, async (req, res) => {
    const shop = shopOf(req);
    const tree = await shopCategoryTree(ctx, shop);
    await k.show(req, res, 'Catalog', <cv.CategoryTree shop={shop} tree={tree} />, 'categories');
  });

  r.get('/punchout/s/:bt/search', loadShop, async (req, res) => {
    const shop = shopOf(req);
    const q = text(req.query.q, 200).trim();
    const category = text(req.query.category, 500);
    const sort = sortOf(req.query.sort);
    const [found, tree] = await Promise.all([
      searchPage(ctx, shop, { q, category, sort, page: pageOf(req.query, RESULTS_PER_PAGE) }),
      category ? shopCategoryTree(ctx, shop) : Promise.resolve([]),
    ]);
    const trail = category ? trailTo(tree, category) : [];
    const heading = category
      ? (trail[trail.length - 1]?.name ?? category)
      : q
        ? `Results for “${q}”`
        : 'All products';
    const title = found.page > 1 ? `${heading} (page ${found.page})` : heading;
    const body = (
      <cv.Results
        {...{ shop, heading, q, category, sort, trail, total: found.total, items: found.items }}
        page={found.page}
        perPage={RESULTS_PER_PAGE}
      />
    );
    const flash = await takeFlash(ctx, shop.token, req.query);
    sendPage(res, shopChrome(ctx, shop, category ? 'categories' : undefined, q), { title, flash, body });
  });

  r.get('/punchout/s/:bt/item/:sku', loadShop, async (req, res) => {
    const shop = shopOf(req);
    const found = await shopItem(ctx, shop, String(req.params.sku));
    if (!found) return k.fail(res, shop, 404, 'Product not found', 'This product is not in your catalog.');
    const { item, breaks, price } = found;
    const body = <v.Item shop={shop} item={item} breaks={breaks} {...(price ? { price } : {})} />;
    await k.show(req, res, item.name, body);
  });
  compareRoutes(r, k);
}

const COMPARE_SAID: Record<CompareOutcome, { kind: 'success' | 'warning' | 'info'; message: string }> = {
  added: { kind: 'success', message: 'Added to the comparison.' },
  already: { kind: 'info', message: 'This product is already in the comparison.' },
  full: {
    kind: 'warning',
    message: `You can compare at most ${MAX_COMPARE} products. Remove one from the comparison to add another.`,
  },
  unknown: { kind: 'warning', message: 'This product is not in your catalog.' },
};

function compareRoutes(r: Router, k: Kit): void {
  const { ctx, form, loadShop, checkCsrf } = k;
  r.get('/punchout/s/:bt/compare', loadShop, async (req, res) => {
    const shop = shopOf(req);
    const items = await compareItems(ctx, shop);
    await k.show(
      req,
      res,
      'Compare products',
      <Compare shop={shop} items={items} max={MAX_COMPARE} />,
      'compare',
    );
  });
  // Comparing changes no cart: inspect sessions may compare too.
  r.post('/punchout/s/:bt/compare/add', form, loadShop, checkCsrf, async (req: Request, res: Response) => {
    const sku = skuOf(req);
    const outcome = await addToCompare(ctx, shopOf(req), sku);
    const said = COMPARE_SAID[outcome];
    // Back to the list the buyer was on (the header's Compare link counts the products).
    await k.back(req, res, backOf(req) ?? 'compare', { ...said, message: `${sku}: ${said.message}` });
  });
  r.post('/punchout/s/:bt/compare/remove', form, loadShop, checkCsrf, async (req: Request, res: Response) => {
    const sku = skuOf(req);
    const removed = await removeFromCompare(ctx, shopOf(req), sku);
    await k.back(req, res, 'compare', {
      kind: removed ? 'success' : 'info',
      message: removed ? `${sku} was removed from the comparison.` : `${sku} was not in the comparison.`,
    });
  });
}
