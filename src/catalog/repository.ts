import type { Knex } from 'knex';
import { onlyRow, type Q } from '../platform/db';
import { availabilityOf } from './availability';

export interface CatalogItemRow {
  sku: string;
  name: string;
  description: string;
  unit_price: string;
  currency: string;
  uom: string;
  unspsc: string | null;
  category: string | null;
  manufacturer: string | null;
  manufacturer_part_id: string | null;
  lead_time_days: number | null;
  min_order_qty: string;
  order_multiple: string | null;
  image_url: string | null;
  /** Units on hand; null when stock is not tracked. */
  stock_quantity: string | null;
  stock_updated_at?: Date | null;
  /** Specifications as [name, text] pairs in the supplier's order; null when none were imported. */
  attributes: [string, string][] | null;
  /** False once the item is withdrawn (rows read with every column carry it). */
  active?: boolean;
}

export function itemView(r: CatalogItemRow) {
  return {
    sku: r.sku,
    name: r.name,
    description: r.description,
    unitPrice: r.unit_price,
    currency: r.currency.trim(),
    uom: r.uom,
    unspsc: r.unspsc,
    category: r.category,
    manufacturer: r.manufacturer,
    manufacturerPartId: r.manufacturer_part_id,
    leadTimeDays: r.lead_time_days,
    minOrderQty: r.min_order_qty,
    orderMultiple: r.order_multiple ?? null,
    imageUrl: r.image_url,
    stockQuantity: r.stock_quantity,
    availability: availabilityOf(r),
    attributes: Object.fromEntries(r.attributes ?? []),
  };
}

/** Items a partner may see: all, or only its price list's (catalogVisibility "priceList"). */
export function visibilityList(partner: {
  catalog_visibility: 'all' | 'priceList';
  price_list: string | null;
}): string | undefined {
  return partner.catalog_visibility === 'priceList' ? (partner.price_list ?? '__none__') : undefined;
}

export interface SearchOptions {
  q?: string;
  /** Category path or a prefix of it ("Office supplies" matches "Office supplies/Paper"). */
  category?: string;
  /** Only items of this price list (a partner with catalogVisibility "priceList"). */
  onlyPriceList?: string;
  /** relevance (default; by name without a query), name, price_asc, price_desc. */
  sort?: SortOrder;
  /** The price list and day whose price `price_asc`/`price_desc` order by (else the list price). */
  pricing?: { priceList: string | null; date: string };
  limit: number;
  offset: number;
}

export const SORT_ORDERS = ['relevance', 'name', 'price_asc', 'price_desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function searchItems(
  q: Q,
  opts: SearchOptions,
): Promise<{ items: CatalogItemRow[]; total: number }> {
  const base = q<CatalogItemRow>('catalog_items').where('active', true);
  if (opts.q) {
    for (const word of opts.q.trim().split(/\s+/).slice(0, 8)) {
      const pattern = `%${escapeLike(word)}%`;
      base.where((w) => {
        w.whereILike('sku', pattern).orWhereILike('name', pattern).orWhereILike('description', pattern);
      });
    }
  }
  if (opts.category) {
    const c = opts.category;
    base.where((w) => {
      w.where('category', c).orWhereILike('category', `${escapeLike(c)}/%`);
    });
  }
  if (opts.onlyPriceList) {
    base.whereIn('sku', q('price_list_entries').where('price_list', opts.onlyPriceList).select('sku'));
  }
  const { count } = onlyRow(await base.clone().count<{ count: string | number }[]>({ count: '*' }));
  orderSearch(base, opts);
  const items = await base.orderBy('name').orderBy('sku').limit(opts.limit).offset(opts.offset);
  return { items, total: Number(count) };
}

/**
 * Relevance: the whole query as the SKU, then names starting with it, then names holding every
 * word, then the rest (a description match); by name within each. Price: the partner's price for
 * the minimum order quantity (the one the lists show), else the list price.
 */
function orderSearch(base: Knex.QueryBuilder<CatalogItemRow>, opts: SearchOptions): void {
  const sort = opts.sort ?? 'relevance';
  const words = opts.q?.trim() ?? '';
  if (sort === 'relevance' && words) {
    const like = escapeLike(words);
    base.orderByRaw(
      `case when lower(sku) = lower(?) then 0 when name ilike ? then 1 when name ilike ? then 2 else 3 end`,
      [words, `${like}%`, `%${like}%`],
    );
  }
  if (sort === 'price_asc' || sort === 'price_desc') {
    const list = opts.pricing?.priceList ?? null;
    const date = opts.pricing?.date ?? new Date().toISOString().slice(0, 10);
    base.orderByRaw(
      `coalesce((select e.unit_price from price_list_entries e where e.price_list = ? and e.sku = catalog_items.sku
         and e.min_qty <= catalog_items.min_order_qty and (e.valid_from is null or e.valid_from <= ?)
         and (e.valid_to is null or e.valid_to >= ?) order by e.min_qty desc limit 1), unit_price) ${
           sort === 'price_asc' ? 'asc' : 'desc'
         }`,
      [list, date, date],
    );
  }
}

export async function findItems(q: Q, skus: string[]): Promise<Map<string, CatalogItemRow>> {
  const rows = skus.length ? await q<CatalogItemRow>('catalog_items').whereIn('sku', skus) : [];
  return new Map(rows.map((r) => [r.sku, r]));
}

/** Active items per category path (the tree adds each path's count to its ancestors). */
export async function categoryCounts(
  q: Q,
  onlyPriceList?: string,
): Promise<{ category: string; count: number }[]> {
  const base = q('catalog_items')
    .where('active', true)
    .whereNotNull('category')
    .groupBy('category')
    .select('category')
    .count<{ category: string; count: string | number }[]>({ count: '*' });
  if (onlyPriceList)
    base.whereIn('sku', q('price_list_entries').where('price_list', onlyPriceList).select('sku'));
  return (await base).map((r) => ({ category: r.category, count: Number(r.count) }));
}

/**
 * Sets stock (and the lead time when given) of existing items; returns the SKUs not in the
 * catalog, changing nothing then.
 */
export async function updateStock(
  q: Q,
  rows: { sku: string; stockQuantity: string | null; leadTimeDays?: number | null | undefined }[],
): Promise<{ updated: number; unknown: string[] }> {
  const skus = rows.map((r) => r.sku);
  const known = new Set<string>();
  for (let i = 0; i < skus.length; i += 5000)
    (
      await q('catalog_items')
        .whereIn('sku', skus.slice(i, i + 5000))
        .pluck('sku')
    ).forEach((s: string) => known.add(s));
  const unknown = skus.filter((s) => !known.has(s));
  if (unknown.length) return { updated: 0, unknown };
  await q.raw(
    `update catalog_items c set stock_quantity = u.stock, stock_updated_at = now(), updated_at = now(),
       lead_time_days = case when u.set_lead then u.lead else c.lead_time_days end
     from unnest(?::text[], ?::numeric[], ?::boolean[], ?::int[]) as u(sku, stock, set_lead, lead)
     where c.sku = u.sku`,
    [
      skus,
      rows.map((r) => r.stockQuantity),
      rows.map((r) => r.leadTimeDays !== undefined),
      rows.map((r) => r.leadTimeDays ?? null),
    ] as unknown as readonly string[],
  );
  return { updated: rows.length, unknown: [] };
}

export async function listCategories(q: Q, onlyPriceList?: string): Promise<string[]> {
  const base = q('catalog_items')
    .where('active', true)
    .whereNotNull('category')
    .distinct('category')
    .orderBy('category');
  if (onlyPriceList)
    base.whereIn('sku', q('price_list_entries').where('price_list', onlyPriceList).select('sku'));
  return (await base).map((r: { category: string }) => r.category);
}
