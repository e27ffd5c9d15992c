import { onlyRow, type Q } from '../platform/db';

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
  limit: number;
  offset: number;
}

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
      base.where((w) =>
        w.whereILike('sku', pattern).orWhereILike('name', pattern).orWhereILike('description', pattern),
      );
    }
  }
  if (opts.category) {
    const c = opts.category;
    base.where((w) => w.where('category', c).orWhereILike('category', `${escapeLike(c)}/%`));
  }
  if (opts.onlyPriceList) {
    base.whereIn('sku', q('price_list_entries').where('price_list', opts.onlyPriceList).select('sku'));
  }
  const { count } = onlyRow(await base.clone().count<{ count: string | number }[]>({ count: '*' }));
  const items = await base.orderBy('name').orderBy('sku').limit(opts.limit).offset(opts.offset);
  return { items, total: Number(count) };
}

export async function findItems(q: Q, skus: string[]): Promise<Map<string, CatalogItemRow>> {
  const rows = skus.length ? await q<CatalogItemRow>('catalog_items').whereIn('sku', skus) : [];
  return new Map(rows.map((r) => [r.sku, r]));
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
