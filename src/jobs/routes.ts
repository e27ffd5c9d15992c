import { Router } from 'express';
import { z } from 'zod';
import { apiRoute } from '../platform/api';
import type { AppContext } from '../platform/context';
import { notFound } from '../platform/errors';
import { requireAuth } from '../partners/auth';

export function jobRoutes(ctx: AppContext): Router {
  const r = Router();
  const admin = [requireAuth(ctx, 'admin')];
  apiRoute(
    r,
    {
      method: 'get',
      path: '/api/v1/jobs/failed',
      summary: 'Jobs that exhausted their attempts (dead letters)',
      tag: 'jobs',
      auth: 'admin',
      response: z.object({
        jobs: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            data: z.unknown(),
            attempts: z.number(),
            error: z.string(),
            failedAt: z.string().nullable(),
          }),
        ),
      }),
      use: admin,
    },
    async (_req, res) => {
      res.json({ jobs: await ctx.queue.listFailed() });
    },
  );
  apiRoute(
    r,
    {
      method: 'post',
      path: '/api/v1/jobs/:id/retry',
      summary: 'Run a failed job again',
      tag: 'jobs',
      auth: 'admin',
      status: 202,
      use: admin,
    },
    async (req, res) => {
      if (!(await ctx.queue.retryFailed(String(req.params.id)))) throw notFound('failed job');
      res.status(202).json({ retried: req.params.id });
    },
  );
  return r;
}
