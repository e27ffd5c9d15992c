/**
 * Order JSON API: intake for ERPs that do not speak cXML, order status, and the supplier's own actions
 * (shipments, manual confirm/reject). Importing this module also registers the cXML OrderRequest handler.
 */
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import type { Order } from '../model/order';
import { add, cmp, formatAmount, formatUnitPrice, toDecimalString } from '../model/money';
import type { Shipment } from '../model/shipment';
import { documentView, orderAttachment, orderAttachments, type DocumentRow } from '../documents/store';
import { acknowledgmentStates } from '../edi/acknowledgments';
import { apiRoute, pagingQuery } from '../platform/api';
import type { AppContext } from '../platform/context';
import { isUuid } from '../platform/db';
import { AppError, notFound } from '../platform/errors';
import { partnerScope, requireAuth } from '../partners/auth';
import { findPartnerCached } from '../partners/repository';
import { intakeOrder } from './intake';
import { transitionOrder } from './lifecycle';
import { sendOrderConfirmation, sendShipNotice } from './outbound';
import type { OrderState } from '../model/order-state';

const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string such as "12.50"');
const positive = z.string().regex(/^\d+(\.\d+)?$/, 'must be a non-negative decimal string');
const extrinsic = z.object({ name: z.string().min(1), value: z.string() });
const contact = z.object({
  role: z.string().optional(),
  name: z.string().optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
  fax: z.string().optional(),
});
const party = z.object({
  addressId: z.string().optional(),
  name: z.string().optional(),
  deliverTo: z.array(z.string()).optional(),
  address: z
    .object({
      name: z.string().optional(),
      street: z.array(z.string()).default([]),
      city: z.string().optional(),
      state: z.string().optional(),
      postalCode: z.string().optional(),
      countryCode: z.string().optional(),
      countryName: z.string().optional(),
    })
    .optional(),
  contacts: z.array(contact).optional(),
});
const tax = z.object({
  amount: decimal,
  description: z.string().optional(),
  rate: decimal.optional(),
  category: z.string().optional(),
  taxableAmount: decimal.optional(),
});

/** The canonical order (src/model/order.ts) as JSON. */
export const orderInputSchema = z.object({
  buyerOrderNumber: z.string().min(1).max(100),
  type: z.enum(['new', 'update', 'cancel']).default('new'),
  orderDate: z
    .string()
    .min(1)
    .default(() => new Date().toISOString()),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "USD"'),
  total: decimal.optional(),
  tax: tax.optional(),
  shipping: z.object({ amount: decimal, description: z.string().optional() }).optional(),
  shipTo: party.optional(),
  billTo: party.optional(),
  contacts: z.array(contact).default([]),
  comments: z.array(z.string()).default([]),
  extrinsics: z.array(extrinsic).default([]),
  paymentTerms: z
    .object({
      netDays: z.number().int().min(0).optional(),
      discountPercent: decimal.optional(),
      discountDays: z.number().int().min(0).optional(),
      text: z.string().optional(),
    })
    .optional(),
  lines: z
    .array(
      z.object({
        lineNumber: z.number().int().min(1),
        supplierPartId: z.string().min(1),
        supplierAuxiliaryId: z.string().optional(),
        buyerPartId: z.string().optional(),
        manufacturerName: z.string().optional(),
        manufacturerPartId: z.string().optional(),
        description: z.string().optional(),
        quantity: positive,
        unitOfMeasure: z.string().min(1).default('EA'),
        unitPrice: positive,
        classifications: z.array(z.object({ domain: z.string(), code: z.string() })).default([]),
        requestedDeliveryDate: z.string().optional(),
        distributions: z
          .array(
            z.object({
              accountingName: z.string().optional(),
              segments: z.array(
                z.object({ id: z.string(), type: z.string().optional(), description: z.string().optional() }),
              ),
              charge: decimal.optional(),
            }),
          )
          .default([]),
        tax: tax.optional(),
        shipTo: party.optional(),
        comments: z.array(z.string()).optional(),
        extrinsics: z.array(extrinsic).default([]),
      }),
    )
    .min(1),
});

export const shipmentInputSchema = z.object({
  shipmentId: z.string().min(1).max(100).optional(),
  /** SCAC ("UPSN") or, without one, the carrier's name. */
  carrier: z.string().min(1).optional(),
  /** The carrier's name beside its SCAC (cXML CarrierIdentifier domain companyName). */
  carrierName: z.string().min(1).max(200).optional(),
  trackingNumber: z.string().min(1).optional(),
  shippedAt: z.iso.datetime({ offset: true }),
  expectedDeliveryAt: z.iso.datetime({ offset: true }).optional(),
  lines: z.array(z.object({ lineNumber: z.number().int().min(1), quantity: positive })).min(1),
});

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

interface OrderDbRow {
  id: string;
  partner_id: string;
  buyer_order_number: string;
  supplier_order_number: string;
  version: number;
  state: OrderState;
  type: string;
  source_protocol: string;
  source_payload_id: string | null;
  currency: string;
  total: string;
  order_date: Date | null;
  canonical: Order;
  flags: string[];
  created_at: Date;
  updated_at: Date;
}

function orderSummary(r: OrderDbRow) {
  return {
    id: r.id,
    partnerId: r.partner_id,
    buyerOrderNumber: r.buyer_order_number,
    supplierOrderNumber: r.supplier_order_number,
    version: r.version,
    state: r.state,
    type: r.type,
    sourceProtocol: r.source_protocol,
    sourcePayloadId: r.source_payload_id,
    currency: String(r.currency).trim(),
    total: formatAmount(r.total, String(r.currency).trim()),
    orderDate: r.order_date ? new Date(r.order_date).toISOString() : null,
    flags: r.flags,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

export function orderRoutes(ctx: AppContext): Router {
  const r = Router();
  const anyone = requireAuth(ctx, 'admin', 'erp', 'finance');
  const admin = requireAuth(ctx, 'admin');

  async function visibleOrder(req: Parameters<typeof partnerScope>[0], id: string): Promise<OrderDbRow> {
    const scope = partnerScope(req);
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('order');
    const q = ctx.db<OrderDbRow>('orders').where({ id });
    if (scope) q.where({ partner_id: scope });
    const row = await q.first();
    if (!row) throw notFound('order');
    return row;
  }

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
      const partnerId = partnerScope(req);
      const partner = partnerId
        ? await findPartnerCached(ctx.db, ctx.config.PARTNER_CACHE_MS, partnerId)
        : undefined;
      if (!partner) throw new AppError('forbidden', 'a partner ERP key is needed to submit orders');
      const key = req.get('idempotency-key');
      if (key !== undefined && (key.length === 0 || key.length > 200))
        throw new AppError('bad_request', 'Idempotency-Key must be 1 to 200 characters');
      const order: Order = { ...body, version: 1 } as Order;
      const result = await intakeOrder(ctx, {
        partner,
        order,
        protocol: 'json',
        externalId: key ?? `auto-${randomUUID()}`,
        raw: JSON.stringify(req.body),
        contentType: 'application/json',
        docType: 'order',
        actor: actorOf(req),
        linePath: (i) => `lines.${i}.supplierPartId`,
        render: (x) => ({
          status: x.outcome === 'accepted' ? (order.type === 'new' ? 201 : 200) : (x.status ?? 400),
          contentType: 'application/json',
          body: JSON.stringify(
            x.outcome === 'accepted'
              ? {
                  orderId: x.orderId,
                  ...(x.supplierOrderNumber ? { supplierOrderNumber: x.supplierOrderNumber } : {}),
                  version: x.version,
                  state: x.state,
                  flags: x.flags,
                }
              : {
                  error: {
                    code:
                      x.status === 409 ? 'conflict' : x.status === 404 ? 'not_found' : 'validation_failed',
                    message: x.errors.map((e) => e.message).join('; '),
                    requestId: req.id ?? '',
                    details: x.errors,
                  },
                },
          ),
        }),
      });
      const answer = result.replay ?? result.answer;
      if (!answer) {
        // Only a reused key with a different body lands here without a stored answer.
        throw new AppError('unprocessable', result.errors.map((e) => e.message).join('; '));
      }
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
      const scope = partnerScope(req);
      const q = ctx.db<OrderDbRow>('orders');
      if (scope) q.where({ partner_id: scope });
      else if (query.partnerId) q.where({ partner_id: query.partnerId });
      if (query.status) q.whereIn('state', query.status.split(','));
      if (query.from) q.where('created_at', '>=', query.from);
      if (query.to) q.where('created_at', '<', query.to);
      if (query.buyerOrderNumber) q.where({ buyer_order_number: query.buyerOrderNumber });
      const [{ count }] = await q.clone().count<{ count: string }[]>({ count: '*' });
      const rows = await q
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(query.limit)
        .offset(query.offset);
      res.json({
        items: rows.map(orderSummary),
        total: Number(count),
        limit: query.limit,
        offset: query.offset,
      });
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
      const row = await visibleOrder(req, String(req.params.id));
      const [lines, versions, events, documents, shipments, attachments] = await Promise.all([
        ctx.db('order_lines').where({ order_id: row.id }).orderBy('line_number'),
        ctx.db('order_versions').where({ order_id: row.id }).orderBy('version'),
        ctx.db('order_events').where({ order_id: row.id }).orderBy('id'),
        ctx.db<DocumentRow>('documents').where({ order_id: row.id }).orderBy('created_at'),
        ctx.db('shipments').where({ order_id: row.id }).orderBy('created_at'),
        orderAttachments(ctx.db, row.id),
      ]);
      const acks = await acknowledgmentStates(
        ctx.db,
        documents.filter((d) => d.protocol === 'x12' && d.direction === 'out').map((d) => d.id),
        ctx.now(),
      );
      res.json({
        ...orderSummary(row),
        order: row.canonical,
        lines: lines.map((l) => ({
          lineNumber: l.line_number,
          sku: l.sku,
          supplierAuxiliaryId: l.supplier_aux_id,
          description: l.description,
          quantity: toDecimalString(l.quantity),
          unitOfMeasure: l.uom,
          unitPrice: formatUnitPrice(l.unit_price, String(row.currency).trim()),
          shippedQuantity: toDecimalString(l.shipped_quantity),
          invoicedQuantity: toDecimalString(l.invoiced_quantity),
          status: l.status,
        })),
        versions: versions.map((v) => ({
          version: v.version,
          type: v.type,
          documentId: v.document_id,
          createdAt: new Date(v.created_at).toISOString(),
          order: v.canonical,
        })),
        events: events.map((e) => ({
          event: e.event,
          from: e.from_state,
          to: e.to_state,
          actor: e.actor,
          reason: e.reason,
          at: new Date(e.created_at).toISOString(),
        })),
        shipments: shipments.map((s) => ({
          id: s.id,
          shipmentNumber: s.shipment_number,
          carrier: s.carrier,
          trackingNumber: s.tracking_number,
          shippedAt: new Date(s.shipped_at).toISOString(),
          lines: (s.canonical as Shipment).lines,
        })),
        documents: documents.map((d) => {
          const ack = acks.get(d.id);
          return ack ? { ...documentView(d), acknowledgment: ack } : documentView(d);
        }),
        // Files that came with the buyer's documents (cXML attachments), without their bytes.
        attachments: attachments.map((a) => ({
          id: a.id,
          documentId: a.document_id,
          contentId: a.content_id,
          contentType: a.content_type,
          filename: a.filename,
          size: a.size,
          sha256: a.sha256,
          createdAt: new Date(a.created_at).toISOString(),
          href: `/api/v1/orders/${row.id}/attachments/${a.id}`,
        })),
      });
    },
  );

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
      const row = await visibleOrder(req, String(req.params.id));
      const attachmentId = String(req.params.attachmentId);
      const file = isUuid(attachmentId) ? await orderAttachment(ctx.db, row.id, attachmentId) : undefined;
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
      const row = await visibleOrder(req, String(req.params.id));
      if (!!body.carrier !== !!body.trackingNumber)
        throw new AppError(
          'validation_failed',
          'carrier and trackingNumber go together (give both or neither)',
        );
      const out = await ctx.db.transaction(async (trx) => {
        const order = await trx<OrderDbRow>('orders').where({ id: row.id }).forUpdate().first();
        if (!order) throw notFound('order');
        const lines = await trx('order_lines').where({ order_id: row.id }).forUpdate().orderBy('line_number');
        const byNumber = new Map(lines.map((l) => [Number(l.line_number), l]));
        const seen = new Set<number>();
        const details: { path: string; message: string }[] = [];
        body.lines.forEach((s, i) => {
          const l = byNumber.get(s.lineNumber);
          if (seen.has(s.lineNumber))
            details.push({ path: `lines.${i}`, message: `line ${s.lineNumber} is listed twice` });
          seen.add(s.lineNumber);
          if (!l) {
            details.push({ path: `lines.${i}`, message: `the order has no line ${s.lineNumber}` });
            return;
          }
          if (cmp(s.quantity, '0') <= 0)
            details.push({
              path: `lines.${i}.quantity`,
              message: `line ${s.lineNumber}: quantity must be positive`,
            });
          const after = add(l.shipped_quantity, s.quantity);
          if (cmp(after, l.quantity) > 0)
            details.push({
              path: `lines.${i}.quantity`,
              message: `line ${s.lineNumber}: shipping ${s.quantity} would make ${after.toFixed()} shipped of ${toDecimalString(l.quantity)} ordered`,
            });
        });
        if (details.length)
          throw new AppError('unprocessable', details.map((d) => d.message).join('; '), { details });
        for (const s of body.lines) {
          const l = byNumber.get(s.lineNumber)!;
          const shipped = add(l.shipped_quantity, s.quantity);
          await trx('order_lines')
            .where({ id: l.id })
            .update({
              shipped_quantity: shipped.toFixed(),
              status: cmp(shipped, l.quantity) >= 0 ? 'shipped' : 'partially_shipped',
            });
          l.shipped_quantity = shipped.toFixed();
        }
        const complete = lines.every((l) => cmp(l.shipped_quantity, l.quantity) >= 0);
        await transitionOrder(
          trx,
          row.id,
          complete ? 'ship_complete' : 'ship_partial',
          actorOf(req),
          `shipment${body.carrier ? ` ${body.carrier} ${body.trackingNumber}` : ''}`,
        );
        const id = randomUUID();
        const shipmentNumber = body.shipmentId ?? `SHP-${id.slice(0, 8).toUpperCase()}`;
        const shipment: Shipment = {
          shipmentId: shipmentNumber,
          buyerOrderNumber: order.buyer_order_number,
          ...(body.carrier ? { carrier: body.carrier, trackingNumber: body.trackingNumber } : {}),
          ...(body.carrier && body.carrierName ? { carrierName: body.carrierName } : {}),
          shippedAt: body.shippedAt,
          ...(body.expectedDeliveryAt ? { expectedDeliveryAt: body.expectedDeliveryAt } : {}),
          ...(order.canonical.shipTo ? { shipTo: order.canonical.shipTo } : {}),
          lines: body.lines.map((s) => {
            const l = byNumber.get(s.lineNumber)!;
            return {
              lineNumber: s.lineNumber,
              quantity: s.quantity,
              supplierPartId: l.sku,
              unitOfMeasure: l.uom,
            };
          }),
        };
        try {
          await trx('shipments').insert({
            id,
            order_id: row.id,
            partner_id: order.partner_id,
            shipment_number: shipmentNumber,
            carrier: body.carrier ?? null,
            tracking_number: body.trackingNumber ?? null,
            shipped_at: body.shippedAt,
            canonical: JSON.stringify(shipment),
          });
        } catch (err) {
          if ((err as { code?: string }).code === '23505')
            throw new AppError('conflict', `shipment "${shipmentNumber}" already exists`);
          throw err;
        }
        await trx('shipment_lines').insert(
          body.lines.map((s) => ({ shipment_id: id, line_number: s.lineNumber, quantity: s.quantity })),
        );
        const sent = await sendShipNotice(trx, ctx, row.id, shipment);
        return { id, shipment, complete, sent };
      });
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
        const row = await visibleOrder(req, String(req.params.id));
        const reason = body.reason ?? (kind === 'confirm' ? 'confirmed by hand' : 'rejected by hand');
        const sent = await ctx.db.transaction(async (trx) => {
          const cur = await trx('orders').where({ id: row.id }).forUpdate().first('state');
          if (kind === 'confirm') {
            if (cur.state === 'received' || cur.state === 'pending_approval')
              await transitionOrder(trx, row.id, 'approve', 'admin', reason);
            await transitionOrder(trx, row.id, 'confirm', 'admin', reason);
            return sendOrderConfirmation(trx, ctx, row.id, { kind: 'accept', reason: body.reason });
          }
          await transitionOrder(trx, row.id, 'reject', 'admin', reason);
          return sendOrderConfirmation(trx, ctx, row.id, { kind: 'reject', reason });
        });
        const after = await ctx.db('orders').where({ id: row.id }).first('state');
        res.json({ id: row.id, state: after.state, confirmation: sent });
      },
    );
  }
  return r;
}
