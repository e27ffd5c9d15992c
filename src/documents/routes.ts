import { Router } from 'express';
import { z } from 'zod';
import { apiRoute, pagingQuery } from '../platform/api';
import type { AppContext } from '../platform/context';
import { notFound } from '../platform/errors';
import { partnerScope, requireAuth } from '../partners/auth';
import { documentView, type DocumentRow } from './store';

const META = [
  'id',
  'partner_id',
  'protocol',
  'doc_type',
  'direction',
  'external_id',
  'sha256',
  'status',
  'content_type',
  'order_id',
  'invoice_id',
  'error',
  'created_at',
];

export function documentRoutes(ctx: AppContext): Router {
  const r = Router();
  const anyone = [requireAuth(ctx, 'admin', 'erp', 'finance')];
  const tag = 'documents';
  apiRoute(
    r,
    {
      method: 'get',
      path: '/api/v1/documents',
      summary: 'Stored documents (partner keys see only their own)',
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
      const scope = partnerScope(req);
      const q = ctx.db<DocumentRow>('documents').select(META);
      if (scope) q.where('partner_id', scope);
      if (query.partner) q.where('partner_id', query.partner);
      if (query.type) q.where('doc_type', query.type);
      if (query.direction) q.where('direction', query.direction);
      if (query.from) q.where('created_at', '>=', query.from);
      if (query.to) q.where('created_at', '<=', query.to);
      if (query.order) q.where('order_id', query.order);
      if (query.invoice) q.where('invoice_id', query.invoice);
      const rows = await q
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(query.limit)
        .offset(query.offset);
      res.json({
        documents: (rows as unknown as DocumentRow[]).map(documentView),
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
      summary: 'The exact bytes of a stored document',
      tag,
      auth: 'admin or partner',
      responseContentType: 'application/octet-stream',
      use: anyone,
    },
    async (req, res) => {
      const scope = partnerScope(req);
      const id = z.uuid().safeParse(req.params.id);
      if (!id.success) throw notFound('document');
      const q = ctx.db<DocumentRow>('documents').where({ id: id.data });
      if (scope) q.where('partner_id', scope);
      const doc = await q.first();
      if (!doc) throw notFound('document');
      res.setHeader('Content-Type', doc.content_type);
      res.setHeader('X-Content-SHA256', doc.sha256);
      res.send(doc.content);
    },
  );
  return r;
}
