import { Router } from 'express';
import { z } from 'zod';
import { apiRoute, pagingQuery } from '../../platform/api';
import type { AppContext } from '../../platform/context';
import { requireAuth } from '../../partners/auth';
import { mailboxStatus } from './status';

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
      res.json(await mailboxStatus(ctx, String(req.params.id), query));
    },
  );
  return r;
}
