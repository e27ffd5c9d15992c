import { Router, type Request } from 'express';
import { z } from 'zod';
import { apiRoute, pagingQuery } from '../platform/api';
import type { AppContext } from '../platform/context';
import { partnerScope, requireAuth } from '../partners/auth';
import { readableDocument, searchDocuments, type DocumentReader } from './queries';

function readerOf(req: Request): DocumentReader {
  const scope = partnerScope(req);
  const p = req.principal;
  return scope && p?.kind === 'partner' ? { partnerId: scope, role: p.role } : undefined;
}

export function documentRoutes(ctx: AppContext): Router {
  const r = Router();
  const anyone = [requireAuth(ctx, 'admin', 'erp', 'finance')];
  const tag = 'documents';
  apiRoute(
    r,
    {
      method: 'get',
      path: '/api/v1/documents',
      summary:
        'Stored documents (partner keys: their own, ERP keys the order side, finance keys the invoice side; stored copies have credentials masked); outbound X12 sets with their acknowledgment state',
      tag,
      auth: 'admin or partner',
      query: z.object({
        partner: z.string().optional(),
        type: z.string().optional(),
        direction: z.enum(['in', 'out']).optional(),
        from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
        to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
        order: z.uuid().optional(),
        invoice: z.uuid().optional(),
        ...pagingQuery,
      }),
      use: anyone,
    },
    async (req, res, { query }) => {
      res.json({
        documents: await searchDocuments(ctx, readerOf(req), query),
        limit: query.limit,
        offset: query.offset,
      });
    },
  );
  apiRoute(
    r,
    {
      method: 'get',
      path: '/api/v1/documents/:id/raw',
      summary:
        'The stored bytes of a document: as received or sent, credentials masked byte for byte (X-Content-SHA256: digest of the exact bytes)',
      tag,
      auth: 'admin or partner',
      responseContentType: 'application/octet-stream',
      use: anyone,
    },
    async (req, res) => {
      const doc = await readableDocument(ctx, readerOf(req), String(req.params.id));
      res.setHeader('Content-Type', doc.content_type);
      res.setHeader('X-Content-SHA256', doc.sha256);
      res.send(doc.content);
    },
  );
  return r;
}
