import { Router, type Request } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { apiRoute, pagingQuery } from '../platform/api';
import type { AppContext } from '../platform/context';
import { notFound } from '../platform/errors';
import { partnerScope, requireAuth } from '../partners/auth';
import { acknowledgmentStates } from '../edi/acknowledgments';
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
  'size',
  'created_at',
];

/**
 * The document types a partner key reads, by role (anything else, punchout setup documents and
 * cart returns included, only the admin token reads): ERP keys the order side (orders as cXML, JSON
 * or X12 with their stored answers and acknowledgments, and what we sent about them), finance keys
 * the invoice side. A type not listed here is not readable by partner keys.
 */
export const DOCUMENT_TYPES_BY_ROLE: Readonly<Record<'erp' | 'finance', readonly string[]>> = {
  erp: [
    'OrderRequest',
    'order',
    'interchange',
    '850',
    '997',
    '999',
    'TA1',
    'ConfirmationRequest',
    'ShipNoticeRequest',
    'StatusUpdateRequest',
    '855',
    '856',
  ],
  finance: ['InvoiceDetailRequest', '810'],
};

/** Restricts a documents query to what the request's principal may read. */
function scoped<T extends object>(req: Request, q: Knex.QueryBuilder<T>): Knex.QueryBuilder<T> {
  const scope = partnerScope(req);
  const p = req.principal;
  if (scope && p?.kind === 'partner') {
    q.where('partner_id', scope).whereIn('doc_type', [...DOCUMENT_TYPES_BY_ROLE[p.role]]);
  }
  return q;
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
      const q = scoped(req, ctx.db<DocumentRow>('documents').select(META));
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
      const docs = rows as unknown as DocumentRow[];
      // Outbound X12 sets carry their acknowledgment state (997/999/TA1 from the partner, or none yet).
      const acks = await acknowledgmentStates(
        ctx.db,
        docs.filter((d) => d.protocol === 'x12' && d.direction === 'out').map((d) => d.id),
        ctx.now(),
      );
      res.json({
        documents: docs.map((d) => {
          const ack = acks.get(d.id);
          return ack ? { ...documentView(d), acknowledgment: ack } : documentView(d);
        }),
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
      const id = z.uuid().safeParse(req.params.id);
      if (!id.success) throw notFound('document');
      const doc = await scoped(req, ctx.db<DocumentRow>('documents').where({ id: id.data })).first();
      if (!doc) throw notFound('document');
      res.setHeader('Content-Type', doc.content_type);
      res.setHeader('X-Content-SHA256', doc.sha256);
      res.send(doc.content);
    },
  );
  return r;
}
