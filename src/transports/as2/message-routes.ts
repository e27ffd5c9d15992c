import { Router } from 'express';
import { z } from 'zod';
import { apiRoute, pagingQuery } from '../../platform/api';
import type { AppContext } from '../../platform/context';
import { isUuid } from '../../platform/db';
import { notFound } from '../../platform/errors';
import { requireAuth } from '../../partners/auth';
import { findPartner } from '../../partners/repository';
import type { As2MessageRow } from './messages';

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

const messageView = z.object({
  id: z.string(),
  direction: z.enum(['in', 'out']),
  messageId: z.string(),
  as2From: z.string(),
  as2To: z.string(),
  status: z.string(),
  error: z.string().nullable(),
  documentId: z.string().nullable(),
  deliveryId: z.string().nullable(),
  layers: z.unknown(),
  mic: z.string().nullable(),
  receiptUrl: z.string().nullable(),
  mdn: z
    .object({
      messageId: z.string().nullable(),
      disposition: z.string().nullable(),
      signed: z.boolean().nullable(),
      at: z.string().nullable(),
    })
    .nullable(),
  createdAt: z.string(),
});

function view(r: As2MessageRow): z.infer<typeof messageView> {
  return {
    id: r.id,
    direction: r.direction,
    messageId: r.message_id,
    as2From: r.as2_from,
    as2To: r.as2_to,
    status: r.status,
    error: r.error,
    documentId: r.document_id,
    deliveryId: r.delivery_id,
    layers: r.layers,
    mic: r.mic,
    receiptUrl: r.receipt_url,
    mdn: r.mdn_body
      ? {
          messageId: r.mdn_message_id,
          disposition: r.mdn_disposition,
          signed: r.mdn_signed,
          at: iso(r.mdn_at),
        }
      : null,
    createdAt: iso(r.created_at)!,
  };
}

/**
 * GET /api/v1/partners/:id/as2/messages (admin): the AS2 messages received from and sent to a
 * partner, newest first, with their MDN's disposition; GET …/messages/:messageRowId/mdn answers the
 * MDN itself byte for byte (its HTTP header fields as X-AS2-MDN-Header-* and the body with its
 * Content-Type): a partner's signed MDN is the evidence that it received what was sent.
 */
export function as2MessageRoutes(ctx: AppContext): Router {
  const r = Router();
  apiRoute(
    r,
    {
      method: 'get',
      path: '/api/v1/partners/:id/as2/messages',
      summary: 'AS2 messages of a partner (received and sent) with their MDNs',
      tag: 'as2',
      auth: 'admin',
      query: z.object({ ...pagingQuery }),
      response: z.object({ items: z.array(messageView) }),
      use: [requireAuth(ctx, 'admin')],
    },
    async (req, res, { query }) => {
      const partner = await findPartner(ctx.db, String(req.params.id));
      if (!partner) throw notFound('partner');
      const rows = await ctx
        .db<As2MessageRow>('as2_messages')
        .where({ partner_id: partner.id })
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(query.limit)
        .offset(query.offset);
      res.json({ items: rows.map(view) });
    },
  );
  apiRoute(
    r,
    {
      method: 'get',
      path: '/api/v1/partners/:id/as2/messages/:messageRowId/mdn',
      summary: 'The MDN of an AS2 message, byte for byte (the non-repudiation evidence)',
      tag: 'as2',
      auth: 'admin',
      responseContentType: 'multipart/signed',
      use: [requireAuth(ctx, 'admin')],
    },
    async (req, res) => {
      const id = String(req.params.messageRowId);
      const row = isUuid(id)
        ? await ctx
            .db<As2MessageRow>('as2_messages')
            .where({ id, partner_id: String(req.params.id) })
            .first()
        : undefined;
      if (!row?.mdn_body || !row.mdn_headers) throw notFound('MDN');
      let type = 'application/octet-stream';
      for (const [name, value] of row.mdn_headers) {
        if (name.toLowerCase() === 'content-type') type = value;
        else if (/^[A-Za-z0-9-]+$/.test(name)) res.setHeader(`X-AS2-MDN-Header-${name}`, value);
      }
      res.status(200).type(type).send(Buffer.from(row.mdn_body));
    },
  );
  return r;
}
