/**
 * The catalog use cases of the admin and partner API, bound to one context: imports (all or
 * nothing) and the search a partner key sees (its visible items at its prices).
 */
import { dec } from '../model';
import { findPartnerCached } from '../partners/repository';
import type { AppContext } from '../platform/context';
import { AppError } from '../platform/errors';
import { resolvePrices } from './pricing';
import { itemView, searchItems, updateStock, visibilityList, type SearchOptions } from './repository';
import { importCatalog, importPriceLists, type SourceRow } from './service';

type Where = 'line' | 'item';

export function catalogUseCases(ctx: Pick<AppContext, 'db' | 'config' | 'now'>) {
  const db = ctx.db;
  return {
    importItems: (rows: SourceRow[], where: Where) => importCatalog(db, rows, { where }),
    importPriceLists: (rows: SourceRow[], where: Where) => importPriceLists(db, rows, where),
    /** Stock (and lead time) of existing items, all or nothing: an unknown SKU changes nothing. */
    updateStock: async (
      rows: { sku: string; stockQuantity: string | null; leadTimeDays?: number | null | undefined }[],
    ) => {
      const seen = new Set<string>();
      const dup = rows.find((r) => seen.size === seen.add(r.sku).size);
      if (dup) throw new AppError('validation_failed', `sku ${dup.sku} is listed twice; nothing was changed`);
      const result = await db.transaction((trx) => updateStock(trx, rows));
      if (result.unknown.length) {
        const named = result.unknown.slice(0, 10).join(', ');
        const more = result.unknown.length > 10 ? ` and ${result.unknown.length - 10} more` : '';
        throw new AppError('not_found', `not in the catalog: ${named}${more}; nothing was changed`, {
          details: result.unknown
            .slice(0, 100)
            .map((sku) => ({ path: 'sku', message: `unknown sku ${sku}` })),
        });
      }
      return { updated: result.updated };
    },
    /** Every active item for the supplier's staff; for a partner, what it may see at its prices. */
    search: async (query: SearchOptions, scope: string | undefined) => {
      if (!scope) {
        const { items, total } = await searchItems(db, query);
        return { items: items.map(itemView), total };
      }
      const partner = await findPartnerCached(db, ctx.config.PARTNER_CACHE_MS, scope);
      if (!partner) throw new AppError('unauthorized', 'invalid token');
      const onlyPriceList = visibilityList(partner);
      const { items, total } = await searchItems(db, {
        ...query,
        ...(onlyPriceList ? { onlyPriceList } : {}),
      });
      // Priced for the minimum order quantity, as the buyer would first order it.
      const prices = await resolvePrices(
        db,
        partner,
        items.map((i) => ({ sku: i.sku, quantity: dec(i.min_order_qty ?? '1').toFixed() })),
        ctx.now().toISOString().slice(0, 10),
        new Map(items.map((i) => [i.sku, i])),
      );
      return {
        items: items.map((i) => {
          const p = prices.get(i.sku);
          return {
            ...itemView(i),
            ...(p ? { unitPrice: p.unitPrice, currency: p.currency, priceSource: p.source } : {}),
          };
        }),
        total,
      };
    },
  };
}
