import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { apiRoute, pagingQuery } from '../platform/api';
import type { AppContext } from '../platform/context';
import { AppError } from '../platform/errors';
import { partnerScope, requireAuth } from '../partners/auth';
import { csvObjects, CsvSyntaxError } from './csv';
import { SORT_ORDERS } from './repository';
import {
  bulkStockSchema,
  catalogItemOutput,
  catalogItemSchema,
  priceListEntrySchema,
  stockUpdateSchema,
} from './schema';
import type { SourceRow } from './service';
import { catalogUseCases } from './use-cases';

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
  const catalog = catalogUseCases(ctx);
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
      res.json(await catalog.importItems(rows, where));
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
      res.json(await catalog.importPriceLists(rows, where));
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
      query: z.object({
        q: z.string().optional(),
        category: z.string().optional(),
        sort: z.enum(SORT_ORDERS).optional(),
        ...pagingQuery,
      }),
      response: z.object({
        items: z.array(catalogItemOutput),
        total: z.number(),
        limit: z.number(),
        offset: z.number(),
      }),
      use: [requireAuth(ctx, 'admin', 'erp', 'finance')],
    },
    async (req, res, { query }) => {
      const { items, total } = await catalog.search(query, partnerScope(req));
      res.json({ items, total, limit: query.limit, offset: query.offset });
    },
  );
  stockRoutes(r, ctx);
  return r;
}

/** Stock of one item or of many at once (a warehouse feed); admin only, all or nothing. */
function stockRoutes(r: Router, ctx: AppContext): void {
  const catalog = catalogUseCases(ctx);
  const tag = 'catalog';
  const use = [requireAuth(ctx, 'admin')];
  apiRoute(
    r,
    {
      method: 'put',
      path: '/api/v1/catalog/items/:sku/stock',
      summary:
        'Set the stock quantity of one item (null: not tracked) and, when given, its lead time in days',
      tag,
      auth: 'admin',
      body: stockUpdateSchema,
      response: z.object({ updated: z.number() }),
      use,
    },
    async (req, res, { body }) => {
      res.json(await catalog.updateStock([{ sku: String(req.params.sku), ...body }]));
    },
  );
  apiRoute(
    r,
    {
      method: 'post',
      path: '/api/v1/catalog/stock',
      summary: 'Set the stock (and lead time) of many items; an unknown SKU changes nothing',
      tag,
      auth: 'admin',
      body: bulkStockSchema,
      response: z.object({ updated: z.number() }),
      use,
    },
    async (_req, res, { body }) => {
      res.json(await catalog.updateStock(body));
    },
  );
}
