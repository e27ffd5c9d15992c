import type { Q } from '../platform/db';
import { cmp } from '../model/money';

export interface PriceQuery {
  sku: string;
  quantity: string;
}

export interface ResolvedPrice {
  sku: string;
  unitPrice: string;
  currency: string;
  source: 'price_list' | 'list';
  /** The quantity break applied (price list), "1" for list price. */
  minQty: string;
}

export interface PriceBreak {
  minQty: string;
  unitPrice: string;
  currency: string;
  validFrom: string | null;
  validTo: string | null;
}

/**
 * The one price resolution: the partner's price list, best quantity break valid on `date`; else the
 * catalog list price. Returns a map by SKU; unknown or inactive SKUs are absent.
 */
export async function resolvePrices(
  q: Q,
  partner: { price_list: string | null },
  items: PriceQuery[],
  date: string,
  /** The catalog rows of these SKUs when the caller has read them already (inactive ones are skipped). */
  known?: ReadonlyMap<string, { unit_price: string; currency: string; active?: boolean }>,
  /** The partner's price breaks of these SKUs valid on `date`, when the caller has read them (priceBreakMap). */
  knownBreaks?: ReadonlyMap<string, PriceBreak[]>,
): Promise<Map<string, ResolvedPrice>> {
  const skus = [...new Set(items.map((i) => i.sku))];
  const out = new Map<string, ResolvedPrice>();
  if (skus.length === 0) return out;
  const catalogRows = known
    ? skus.flatMap((sku) => {
        const r = known.get(sku);
        return r && r.active !== false ? [{ sku, unit_price: r.unit_price, currency: r.currency }] : [];
      })
    : await q('catalog_items')
        .whereIn('sku', skus)
        .where('active', true)
        .select<{ sku: string; unit_price: string; currency: string }[]>('sku', 'unit_price', 'currency');
  const catalog = new Map<string, { unit_price: string; currency: string }>(
    catalogRows.map((r) => [r.sku, r]),
  );
  const breaks =
    knownBreaks ??
    (partner.price_list
      ? await priceBreaks(q, partner.price_list, skus, date)
      : new Map<string, PriceBreak[]>());
  for (const item of items) {
    const c = catalog.get(item.sku);
    if (!c) continue;
    // Breaks come sorted by min_qty descending: the first one the quantity reaches wins.
    const best = (breaks.get(item.sku) ?? []).find((b) => cmp(item.quantity, b.minQty) >= 0);
    out.set(
      item.sku,
      best
        ? {
            sku: item.sku,
            unitPrice: best.unitPrice,
            currency: best.currency,
            source: 'price_list',
            minQty: best.minQty,
          }
        : {
            sku: item.sku,
            unitPrice: c.unit_price,
            currency: c.currency.trim(),
            source: 'list',
            minQty: '1',
          },
    );
  }
  return out;
}

export async function resolvePrice(
  q: Q,
  partner: { price_list: string | null },
  sku: string,
  quantity: string,
  date: string,
): Promise<ResolvedPrice | undefined> {
  return (await resolvePrices(q, partner, [{ sku, quantity }], date)).get(sku);
}

/** The columns of price_list_entries a price break is made of (min_qty, unit_price as text). */
export interface PriceBreakRow {
  sku: string;
  unit_price: string;
  currency: string;
  min_qty: string;
  valid_from: string | null;
  valid_to: string | null;
}

/** Rows sorted by SKU and min_qty descending -> breaks by SKU (the order resolvePrices relies on). */
export function priceBreakMap(rows: readonly PriceBreakRow[]): Map<string, PriceBreak[]> {
  const out = new Map<string, PriceBreak[]>();
  for (const r of rows) {
    const list = out.get(r.sku) ?? [];
    list.push({
      minQty: r.min_qty,
      unitPrice: r.unit_price,
      currency: r.currency.trim(),
      validFrom: r.valid_from,
      validTo: r.valid_to,
    });
    out.set(r.sku, list);
  }
  return out;
}

/** The quantity breaks valid on `date` per SKU, highest minimum quantity first. */
export async function priceBreaks(
  q: Q,
  priceList: string,
  skus: string[],
  date: string,
): Promise<Map<string, PriceBreak[]>> {
  const rows = await q('price_list_entries')
    .where('price_list', priceList)
    .whereIn('sku', skus)
    .where((w) => {
      w.whereNull('valid_from').orWhere('valid_from', '<=', date);
    })
    .where((w) => {
      w.whereNull('valid_to').orWhere('valid_to', '>=', date);
    })
    .orderBy([{ column: 'sku' }, { column: 'min_qty', order: 'desc' }])
    .select('sku', 'unit_price', 'currency', 'min_qty', 'valid_from', 'valid_to');
  return priceBreakMap(rows);
}
