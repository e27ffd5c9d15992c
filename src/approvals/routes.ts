/**
 * Deciding approvals: the JSON API (admin token, or an approver's signed link token as bearer).
 * The approvals pages are in ./pages.tsx.
 */
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { APPROVAL_STATES } from '../model/approval-state';
import { apiRoute, pagingQuery } from '../platform/api';
import type { AppContext } from '../platform/context';
import { AppError } from '../platform/errors';
import { safeEqual } from '../platform/secrets';
import { auditContext } from '../console/audit';
import { decide } from './decide';
import { approvalPages } from './pages';
import { approvalsList } from './queries';
import { verifyLink, type LinkClaims } from './tokens';

/** The states an approval level can be in (its process definition's). */
const STATUSES = APPROVAL_STATES;

const approvalSchema = z.object({
  id: z.string(),
  orderId: z.string(),
  orderVersion: z.number(),
  level: z.number(),
  status: z.enum(STATUSES),
  approvers: z.array(z.string()),
  escalateAt: z.string().nullable(),
  escalatedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  comment: z.string().nullable(),
  partnerId: z.string(),
  buyerOrderNumber: z.string(),
  supplierOrderNumber: z.string().nullable(),
  total: z.string(),
  currency: z.string(),
  flags: z.array(z.string()),
  createdAt: z.string(),
});

declare module 'express-serve-static-core' {
  interface Request {
    approvalLink?: LinkClaims;
  }
}

function linkClaimsFor(ctx: AppContext, token: string, approvalId: string, decision: 'approve' | 'reject') {
  const claims = verifyLink(ctx.config, token, ctx.now());
  if (!claims || claims.approvalId !== approvalId || claims.decision !== decision)
    throw new AppError('unauthorized', 'invalid or expired approval link');
  return claims;
}

/** Admin bearer token, or an approver's signed link token for exactly this approval and decision. */
function approverAuth(ctx: AppContext, decision: 'approve' | 'reject'): RequestHandler {
  // Express 5 passes what a handler throws to the error handler, as it does a rejected promise.
  return (req, _res, next) => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    if (!m) throw new AppError('unauthorized', 'missing bearer token (Authorization: Bearer <token>)');
    const token = m[1]!; // not an optional group
    const admin = ctx.config.ADMIN_TOKEN;
    if (admin && safeEqual(token, admin)) {
      req.principal = { kind: 'admin' };
    } else {
      req.approvalLink = linkClaimsFor(ctx, token, String(req.params.id), decision);
    }
    next();
  };
}

const adminOnly =
  (ctx: AppContext): RequestHandler =>
  (req, _res, next) => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    if (!m) throw new AppError('unauthorized', 'missing bearer token (Authorization: Bearer <token>)');
    const token = m[1]!; // not an optional group
    const admin = ctx.config.ADMIN_TOKEN;
    if (!admin || !safeEqual(token, admin))
      throw new AppError('forbidden', 'approvals are for the admin token');
    req.principal = { kind: 'admin' };
    next();
  };

const uuid = z.uuid();

export function approvalRoutes(ctx: AppContext): Router {
  const router = Router();

  apiRoute(
    router,
    {
      method: 'get',
      path: '/api/v1/approvals',
      summary: 'List approvals (status=pending for the ones waiting for a decision)',
      tag: 'approvals',
      auth: 'admin',
      query: z.object({ status: z.enum(STATUSES).optional(), ...pagingQuery }),
      response: z.object({ approvals: z.array(approvalSchema) }),
      use: [adminOnly(ctx)],
    },
    async (_req, res, { query }) => {
      const approvals = await approvalsList(ctx, {
        ...(query.status ? { status: query.status } : {}),
        limit: query.limit,
        offset: query.offset,
      });
      res.json({ approvals });
    },
  );

  for (const decision of ['approve', 'reject'] as const) {
    apiRoute(
      router,
      {
        method: 'post',
        path: `/api/v1/approvals/:id/${decision}`,
        summary: `${decision === 'approve' ? 'Approve' : 'Reject'} an open approval level (409 when it was decided already)`,
        tag: 'approvals',
        auth: 'admin',
        body: z.object({ comment: z.string().max(2000).optional() }),
        response: approvalSchema,
        use: [approverAuth(ctx, decision)],
      },
      async (req, res, { body }) => {
        const id = String(req.params.id);
        if (!uuid.safeParse(id).success) throw new AppError('not_found', 'approval not found');
        const link = req.approvalLink;
        const actor = link ? `approver:${link.approver}` : 'admin';
        res.json(
          await decide(
            ctx,
            { approvalId: id, decision, actor, comment: body.comment ?? null },
            link,
            auditContext(req),
          ),
        );
      },
    );
  }

  router.use(approvalPages(ctx));
  return router;
}
