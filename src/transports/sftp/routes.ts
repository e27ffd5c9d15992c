import { Router } from 'express';
import { z } from 'zod';
import { apiRoute, pagingQuery } from '../../platform/api';
import type { AppContext } from '../../platform/context';
import { notFound } from '../../platform/errors';
import { requireAuth } from '../../partners/auth';
import { findPartner } from '../../partners/repository';

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

const pickupView = z.object({
  id: z.number(),
  name: z.string(),
  size: z.number(),
  status: z.string(),
  sha256: z.string().nullable(),
  documentId: z.string().nullable(),
  error: z.string().nullable(),
  firstSeenAt: z.string(),
  storedAt: z.string().nullable(),
  disposedTo: z.string().nullable(),
  finishedAt: z.string().nullable(),
  claims: z.number(),
});

const uploadView = z.object({
  deliveryId: z.string(),
  documentId: z.string(),
  docType: z.string(),
  status: z.string(),
  attempts: z.number(),
  lastError: z.string().nullable(),
  result: z.string().nullable(),
  createdAt: z.string(),
});

/**
 * GET /api/v1/partners/:id/sftp (admin): the partner's SFTP mailbox as the gateway sees it: the last
 * poll and its error (a refused host key, a refused login, an unreachable server), the files picked up
 * (name, size, sha256, the document each became, where it went) and the uploads of outbound
 * documents with their outcome.
 */
export function sftpRoutes(ctx: AppContext): Router {
  const r = Router();
  apiRoute(
    r,
    {
      method: 'get',
      path: '/api/v1/partners/:id/sftp',
      summary: "A partner's SFTP mailbox: last poll and error, files picked up, uploads",
      tag: 'partners',
      auth: 'admin',
      query: z.object({ ...pagingQuery }),
      response: z.object({
        partnerId: z.string(),
        configured: z.boolean(),
        lastPollAt: z.string().nullable(),
        lastSuccessAt: z.string().nullable(),
        lastError: z.string().nullable(),
        lastErrorAt: z.string().nullable(),
        pickups: z.array(pickupView),
        uploads: z.array(uploadView),
      }),
      use: [requireAuth(ctx, 'admin')],
    },
    async (req, res, { query }) => {
      const partner = await findPartner(ctx.db, String(req.params.id));
      if (!partner) throw notFound('partner');
      const box = await ctx.db('sftp_mailboxes').where({ partner_id: partner.id }).first();
      const pickups = await ctx
        .db('sftp_pickups')
        .where({ partner_id: partner.id })
        .orderBy('first_seen_at', 'desc')
        .orderBy('id', 'desc')
        .limit(query.limit)
        .offset(query.offset);
      const uploads = await ctx
        .db('deliveries as v')
        .join('documents as d', 'd.id', 'v.document_id')
        .where({ 'v.partner_id': partner.id, 'v.transport': 'sftp' })
        .orderBy('v.created_at', 'desc')
        .limit(query.limit)
        .select(
          'v.id',
          'v.document_id',
          'd.doc_type',
          'v.status',
          'v.attempts',
          'v.last_error',
          'v.response_body',
          'v.created_at',
        );
      res.json({
        partnerId: partner.id,
        configured: !!partner.settings.sftp,
        lastPollAt: iso(box?.last_poll_at),
        lastSuccessAt: iso(box?.last_success_at),
        lastError: box?.last_error ?? null,
        lastErrorAt: iso(box?.last_error_at),
        pickups: pickups.map((p) => ({
          id: Number(p.id),
          name: p.name,
          size: Number(p.size),
          status: p.status,
          sha256: p.sha256,
          documentId: p.document_id,
          error: p.error,
          firstSeenAt: iso(p.first_seen_at)!,
          storedAt: iso(p.stored_at),
          disposedTo: p.disposed_to,
          finishedAt: iso(p.finished_at),
          claims: p.claims,
        })),
        uploads: uploads.map((u) => ({
          deliveryId: u.id,
          documentId: u.document_id,
          docType: u.doc_type,
          status: u.status,
          attempts: u.attempts,
          lastError: u.last_error,
          result: u.response_body,
          createdAt: iso(u.created_at)!,
        })),
      });
    },
  );
  return r;
}
