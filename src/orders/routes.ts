/**
 * Order JSON API: intake for ERPs that do not speak cXML, order status, and the supplier's own actions
 * (shipments, manual confirm/reject). Each route validates, calls one use case and answers.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { apiRoute, pagingQuery } from '../platform/api';
import type { AppContext } from '../platform/context';
import { notFound } from '../platform/errors';
import { partnerScope, requireAuth } from '../partners/auth';
import { decideOrderByHand } from './decide';
import { submitJsonOrder } from './json-intake';
import { recordShipment } from './record-shipment';
import { findOrderAttachment, findVisibleOrder, listOrders, orderDetail } from './repository';
import { orderInputSchema, shipmentInputSchema } from './schema';

const listQuery = z.object({
  status: z.string().optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  buyerOrderNumber: z.string().optional(),
  partnerId: z.string().optional(),
  ...pagingQuery,
});

function actorOf(req: Parameters<typeof partnerScope>[0]): string {
  const p = req.principal;
  return p?.kind === 'partner' ? `partner:${p.partnerId}:${p.role}` : 'admin';
}

const visibleOrder = (ctx: AppContext, req: Request, id: string) =>
  findVisibleOrder(ctx, id, partnerScope(req));

export function orderRoutes(ctx: AppContext): Router {
  const r = Router();
  intakeRoutes(r, ctx);
  supplierRoutes(r, ctx);
  return r;
}

/** POST an order, list orders, one order. */
function intakeRoutes(r: Router, ctx: AppContext): void {
  const anyone = requireAuth(ctx, 'admin', 'erp', 'finance');
  apiRoute(
    r,
    {
      method: 'post',
      path: '/api/v1/orders',
      summary: 'Submit a purchase order (canonical JSON); Idempotency-Key header honoured',
      tag: 'orders',
      auth: 'partner',
      body: orderInputSchema,
      status: 201,
      use: [requireAuth(ctx, 'erp')],
    },
    async (req, res, { body }) => {
      const answer = await submitJsonOrder(ctx, {
        partnerId: partnerScope(req),
        order: body,
        raw: JSON.stringify(req.body),
        idempotencyKey: req.get('idempotency-key'),
        actor: actorOf(req),
        requestId: req.id ?? '',
      });
      res.status(answer.status).type('application/json').send(answer.body);
    },
  );

  apiRoute(
    r,
    {
      method: 'get',
      path: '/api/v1/orders',
      summary: 'List orders (own orders for a partner key; all for admin)',
      tag: 'orders',
      auth: 'admin or partner',
      query: listQuery,
      use: [anyone],
    },
    async (req, res, { query }) => {
      res.json(await listOrders(ctx, { ...query, scope: partnerScope(req) }));
    },
  );

  apiRoute(
    r,
    {
      method: 'get',
      path: '/api/v1/orders/:id',
      summary: 'One order with lines, versions, state history, shipments and linked documents',
      tag: 'orders',
      auth: 'admin or partner',
      use: [anyone],
    },
    async (req, res) => {
      res.json(await orderDetail(ctx, await visibleOrder(ctx, req, String(req.params.id))));
    },
  );
}

/** What the supplier's staff do with an order (and the buyer's files): attachments, shipments, confirm/reject. */
function supplierRoutes(r: Router, ctx: AppContext): void {
  const admin = requireAuth(ctx, 'admin');
  apiRoute(
    r,
    {
      method: 'get',
      path: '/api/v1/orders/:id/attachments/:attachmentId',
      summary: 'Download a file that came with the order (a cXML attachment), as received',
      tag: 'orders',
      auth: 'admin or partner',
      use: [requireAuth(ctx, 'admin', 'erp')],
    },
    async (req, res) => {
      const row = await visibleOrder(ctx, req, String(req.params.id));
      const file = await findOrderAttachment(ctx, row.id, String(req.params.attachmentId));
      if (!file) throw notFound('attachment');
      // Always a download, never rendered here: the bytes are the buyer's, the origin is ours.
      const name = (file.filename ?? file.content_id).replace(/["\\\r\n]/g, '_');
      res.setHeader('Content-Type', file.content_type);
      res.setHeader(
        'Content-Disposition',
        `attachment; filename="${name.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      );
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
      res.send(file.content);
    },
  );

  apiRoute(
    r,
    {
      method: 'post',
      path: '/api/v1/orders/:id/shipments',
      summary: 'Record a (partial) shipment and send the buyer a ShipNoticeRequest',
      tag: 'orders',
      auth: 'admin',
      body: shipmentInputSchema,
      status: 201,
      use: [admin],
    },
    async (req, res, { body }) => {
      const row = await visibleOrder(ctx, req, String(req.params.id));
      const out = await recordShipment(ctx, row.id, body, actorOf(req));
      res.status(201).json({
        id: out.id,
        shipmentNumber: out.shipment.shipmentId,
        state: out.complete ? 'shipped' : 'partially_shipped',
        lines: out.shipment.lines,
        shipNotice: out.sent ?? null,
      });
    },
  );

  const decision = z.object({ reason: z.string().max(2000).optional() });
  for (const kind of ['confirm', 'reject'] as const) {
    apiRoute(
      r,
      {
        method: 'post',
        path: `/api/v1/orders/:id/${kind}`,
        summary:
          kind === 'confirm'
            ? 'Confirm an order by hand (approve + confirm) and send a ConfirmationRequest "accept"'
            : 'Reject an order by hand and send a ConfirmationRequest "reject"',
        tag: 'orders',
        auth: 'admin',
        body: decision,
        use: [admin],
      },
      async (req, res, { body }) => {
        const row = await visibleOrder(ctx, req, String(req.params.id));
        const out = await decideOrderByHand(ctx, row.id, kind, { actor: 'admin', reason: body.reason });
        res.json({ id: row.id, state: out.state, confirmation: out.confirmation });
      },
    );
  }
}
