import type { Db, Q } from '../platform/db';
import { AppError, type ErrorDetail } from '../platform/errors';
import {
  catalogItemSchema,
  priceListEntrySchema,
  type CatalogItemInput,
  type PriceListEntryInput,
} from './schema';

export interface SourceRow {
  /** Line in the CSV file, or 1-based index in a JSON array. */
  line: number;
  values: Record<string, unknown>;
}

const CHUNK = 5000;
/** Problems of an import kept in the error's details (all are counted). */
const MAX_DETAILS = 100;

function validate<T>(
  rows: SourceRow[],
  parse: (
    v: Record<string, unknown>,
  ) =>
    | { success: true; data: T }
    | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } },
  where: 'line' | 'item',
): { line: number; data: T }[] {
  const details: ErrorDetail[] = [];
  const ok: { line: number; data: T }[] = [];
  // Every row is checked (linear in the file); the first MAX_DETAILS problems are kept, all counted.
  let problems = 0;
  let badRows = 0;
  const note = (d: ErrorDetail) => {
    problems++;
    if (details.length < MAX_DETAILS) details.push(d);
  };
  for (const row of rows) {
    if (row.values.__extra) {
      badRows++;
      note({ line: row.line, message: `${where} ${row.line}: more fields than the header has` });
      continue;
    }
    const r = parse(row.values);
    if (r.success) {
      ok.push({ line: row.line, data: r.data });
      continue;
    }
    badRows++;
    for (const issue of r.error.issues) {
      const field = issue.path.map(String).join('.');
      const missing = /received undefined$/.test(issue.message);
      note({
        line: row.line,
        path: field,
        message: `${where} ${row.line}: ${field}: ${missing ? 'required (the column is missing or the cell is empty)' : issue.message}`,
      });
    }
  }
  const [firstDetail] = details;
  if (firstDetail) {
    throw new AppError(
      'validation_failed',
      `${firstDetail.message}${problems > 1 ? ` (and ${problems - 1} more)` : ''}; ${problems} problem(s) in ${badRows} ${where === 'line' ? 'line' : 'item'}(s), nothing was imported`,
      { details },
    );
  }
  return ok;
}

function rejectDuplicates<T>(rows: { line: number; data: T }[], key: (d: T) => string, what: string): void {
  const seen = new Map<string, number>();
  for (const r of rows) {
    const k = key(r.data);
    const first = seen.get(k);
    if (first !== undefined) {
      throw new AppError(
        'validation_failed',
        `line ${r.line}: duplicate ${what} (first on line ${first}); nothing was imported`,
        {
          details: [{ line: r.line, message: `duplicate ${what}` }],
        },
      );
    }
    seen.set(k, r.line);
  }
}

/**
 * Imports catalog items (create or update by SKU). Every row is checked first; one bad row names its
 * line and nothing is committed. Rows are written with one INSERT ... SELECT FROM unnest(...) per chunk.
 */
export async function importCatalog(
  db: Db,
  rows: SourceRow[],
  opts: { where?: 'line' | 'item'; onProgress?: (done: number, total: number) => void } = {},
): Promise<{ imported: number }> {
  const items = validate<CatalogItemInput>(rows, (v) => catalogItemSchema.safeParse(v), opts.where ?? 'line');
  rejectDuplicates(items, (d) => d.sku, 'sku');
  await db.transaction(async (trx) => {
    for (let i = 0; i < items.length; i += CHUNK) {
      const chunk = items.slice(i, i + CHUNK).map((r) => r.data);
      await upsertItems(trx, chunk);
      await setStockAndAttributes(trx, chunk);
      opts.onProgress?.(Math.min(i + CHUNK, items.length), items.length);
    }
  });
  return { imported: items.length };
}

async function upsertItems(trx: Q, items: CatalogItemInput[]): Promise<void> {
  const col = <K extends keyof CatalogItemInput>(
    k: K,
    f: (v: CatalogItemInput[K]) => unknown = (v) => v ?? null,
  ) => items.map((it) => f(it[k]));
  await trx.raw(
    `insert into catalog_items (sku, name, description, unit_price, currency, uom, unspsc, category, manufacturer,
       manufacturer_part_id, lead_time_days, min_order_qty, order_multiple, image_url, active, updated_at)
     select t.*, true, now() from unnest(?::text[], ?::text[], ?::text[], ?::numeric[], ?::text[], ?::text[], ?::text[],
       ?::text[], ?::text[], ?::text[], ?::int[], ?::numeric[], ?::numeric[], ?::text[])
       as t(sku, name, description, unit_price, currency, uom, unspsc, category, manufacturer, manufacturer_part_id,
            lead_time_days, min_order_qty, order_multiple, image_url)
     on conflict (sku) do update set name = excluded.name, description = excluded.description,
       unit_price = excluded.unit_price, currency = excluded.currency, uom = excluded.uom, unspsc = excluded.unspsc,
       category = excluded.category, manufacturer = excluded.manufacturer,
       manufacturer_part_id = excluded.manufacturer_part_id, lead_time_days = excluded.lead_time_days,
       min_order_qty = excluded.min_order_qty, order_multiple = excluded.order_multiple, image_url = excluded.image_url, active = true, updated_at = now()`,
    [
      col('sku'),
      col('name'),
      col('description', (v) => v ?? ''),
      col('unit_price'),
      col('currency'),
      col('uom'),
      col('unspsc', (v) => v || null),
      col('category'),
      col('manufacturer'),
      col('manufacturer_part_id'),
      col('lead_time_days', (v) => (v === undefined || v === '' ? null : Number(v))),
      col('min_order_qty', (v) => (v === undefined || v === '' ? '1' : v)),
      col('order_multiple', (v) => (v === undefined || v === '' ? null : v)),
      col('image_url'),
    ] as unknown as readonly string[],
  );
}

/**
 * Stock and specifications of the rows that carry them: a file without the stock_quantity (or
 * attributes) column leaves what the stock API (or an earlier import) set; an empty value clears it.
 */
async function setStockAndAttributes(trx: Q, items: CatalogItemInput[]): Promise<void> {
  const withStock = items.filter((it) => it.stock_quantity !== undefined);
  if (withStock.length) {
    await trx.raw(
      `update catalog_items c set stock_quantity = u.stock, stock_updated_at = now()
       from unnest(?::text[], ?::numeric[]) as u(sku, stock) where c.sku = u.sku`,
      [
        withStock.map((it) => it.sku),
        withStock.map((it) => it.stock_quantity || null),
      ] as unknown as string[],
    );
  }
  const withAttributes = items.filter((it) => it.attributes !== undefined);
  if (withAttributes.length) {
    await trx.raw(
      `update catalog_items c set attributes = nullif(u.attributes, '[]'::jsonb)
       from unnest(?::text[], ?::jsonb[]) as u(sku, attributes) where c.sku = u.sku`,
      [
        withAttributes.map((it) => it.sku),
        withAttributes.map((it) => JSON.stringify(it.attributes)),
      ] as unknown as string[],
    );
  }
}

/**
 * Imports price-list entries. Each price list named in the file is replaced as a whole (entries not
 * in the file are removed), in one transaction; SKUs must exist in the catalog.
 */
export async function importPriceLists(
  db: Db,
  rows: SourceRow[],
  where: 'line' | 'item' = 'line',
): Promise<{ imported: number; priceLists: string[] }> {
  const entries = validate<PriceListEntryInput>(rows, (v) => priceListEntrySchema.safeParse(v), where);
  rejectDuplicates(
    entries,
    (d) => `${d.price_list}|${d.sku}|${d.min_qty || '1'}|${d.valid_from || ''}`,
    'price list entry (price_list, sku, min_qty, valid_from)',
  );
  const lists = [...new Set(entries.map((e) => e.data.price_list))];
  await db.transaction(async (trx) => {
    const skus = [...new Set(entries.map((e) => e.data.sku))];
    const known = new Set<string>();
    for (let i = 0; i < skus.length; i += CHUNK) {
      const found = await trx('catalog_items')
        .whereIn('sku', skus.slice(i, i + CHUNK))
        .pluck('sku');
      found.forEach((s: string) => known.add(s));
    }
    const unknown = entries.find((e) => !known.has(e.data.sku));
    if (unknown) {
      throw new AppError(
        'validation_failed',
        `${where} ${unknown.line}: sku "${unknown.data.sku}" is not in the catalog; nothing was imported`,
        {
          details: [{ line: unknown.line, path: 'sku', message: 'unknown sku' }],
        },
      );
    }
    await trx('price_list_entries').whereIn('price_list', lists).delete();
    for (let i = 0; i < entries.length; i += CHUNK) {
      await trx('price_list_entries').insert(
        entries.slice(i, i + CHUNK).map(({ data: e }) => ({
          price_list: e.price_list,
          sku: e.sku,
          unit_price: e.unit_price,
          currency: e.currency,
          min_qty: e.min_qty || '1',
          valid_from: e.valid_from || null,
          valid_to: e.valid_to || null,
        })),
      );
    }
  });
  return { imported: entries.length, priceLists: lists };
}
