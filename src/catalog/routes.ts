import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { apiRoute, pagingQuery } from '../platform/api';
import type { AppContext } from '../platform/context';
import { AppError } from '../platform/errors';
import { dec } from '../model';
import { partnerScope, requireAuth } from '../partners/auth';
import { findPartnerCached } from '../partners/repository';
import { resolvePrices } from './pricing';
import { csvObjects, CsvSyntaxError } from './csv';
import { catalogItemOutput, catalogItemSchema, priceListEntrySchema } from './schema';
import { importCatalog, importPriceLists, type SourceRow } from './service';
import { itemView, searchItems, visibilityList } from './repository';

/** A CSV body (text/csv) or a JSON array, as rows with their line (CSV) or item number (JSON). */
export function sourceRows(req: Request, maxColumns?: number): { rows: SourceRow[]; where: 'line' | 'item' } {
  if (req.is('text/csv') || req.is('text/plain')) {
    if (typeof req.body !== 'string') throw new AppError('bad_request', 'empty CSV body');
    try {
      const { header, rows } = csvObjects(req.body, maxColumns);
      if (header.length === 0) throw new AppError('validation_failed', 'the CSV has no header row');
      return { rows: rows.map((r) => ({ line: r.line, values: r.values })), where: 'line' };
    } catch (err) {
      if (err instanceof CsvSyntaxError)
        throw new AppError('validation_failed', `${err.message}; nothing was imported`, {
          details: [{ line: err.line, message: err.message }],
        });
      throw err;
    }
  }
  if (!Array.isArray(req.body)) throw new AppError('unsupported_media_type', 'send text/csv or a JSON array');
  return {
    rows: (req.body as unknown[]).map((v, idx) => ({
      line: idx + 1,
      values: typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {},
    })),
    where: 'item',
  };
}

export function catalogRoutes(ctx: AppContext): Router {
  const r = Router();
  const admin = [
    requireAuth(ctx, 'admin'),
    express.text({ type: ['text/csv', 'text/plain'], limit: ctx.config.MAX_BODY_BYTES }),
  ];
  const tag = 'catalog';
  const importResult = z.object({ imported: z.number() });

  apiRoute(
    r,
    {
      method: 'post',
      path: '/api/v1/catalog/import',
      summary: 'Import catalog items (CSV or JSON array); all or nothing',
      tag,
      auth: 'admin',
      body: z.array(catalogItemSchema),
      bodyContentTypes: ['text/csv'],
      bodyValidatedByHandler: true,
      response: importResult,
      use: admin,
    },
    async (req, res) => {
      const { rows, where } = sourceRows(req, ctx.config.CSV_MAX_COLUMNS);
      res.json(await importCatalog(ctx.db, rows, { where }));
    },
  );
  apiRoute(
    r,
    {
      method: 'post',
      path: '/api/v1/price-lists/import',
      summary: 'Import price lists (CSV or JSON array); each named list is replaced',
      tag,
      auth: 'admin',
      body: z.array(priceListEntrySchema),
      bodyContentTypes: ['text/csv'],
      bodyValidatedByHandler: true,
      response: importResult.extend({ priceLists: z.array(z.string()) }),
      use: admin,
    },
    async (req, res) => {
      const { rows, where } = sourceRows(req, ctx.config.CSV_MAX_COLUMNS);
      res.json(await importPriceLists(ctx.db, rows, where));
    },
  );
  apiRoute(
    r,
    {
      method: 'get',
      path: '/api/v1/catalog/items',
      summary:
        "Search the catalog (SKU, name, description) with paging; a partner key sees the items its partner may see, at the partner's prices (for the minimum order quantity)",
      tag,
      auth: 'admin or partner',
      query: z.object({ q: z.string().optional(), category: z.string().optional(), ...pagingQuery }),
      response: z.object({
        items: z.array(catalogItemOutput),
        total: z.number(),
        limit: z.number(),
        offset: z.number(),
      }),
      use: [requireAuth(ctx, 'admin', 'erp', 'finance')],
    },
    async (req, res, { query }) => {
      const scope = partnerScope(req);
      if (!scope) {
        const { items, total } = await searchItems(ctx.db, query);
        res.json({ items: items.map(itemView), total, limit: query.limit, offset: query.offset });
        return;
      }
      const partner = await findPartnerCached(ctx.db, ctx.config.PARTNER_CACHE_MS, scope);
      if (!partner) throw new AppError('unauthorized', 'invalid token');
      const onlyPriceList = visibilityList(partner);
      const { items, total } = await searchItems(ctx.db, {
        ...query,
        ...(onlyPriceList ? { onlyPriceList } : {}),
      });
      const prices = await resolvePrices(
        ctx.db,
        partner,
        items.map((i) => ({ sku: i.sku, quantity: dec(i.min_order_qty ?? '1').toFixed() })),
        ctx.now().toISOString().slice(0, 10),
        new Map(items.map((i) => [i.sku, i])),
      );
      res.json({
        items: items.map((i) => {
          const p = prices.get(i.sku);
          return {
            ...itemView(i),
            ...(p ? { unitPrice: p.unitPrice, currency: p.currency, priceSource: p.source } : {}),
          };
        }),
        total,
        limit: query.limit,
        offset: query.offset,
      });
    },
  );
  return r;
}
