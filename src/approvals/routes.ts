/**
 * Deciding approvals: the JSON API (admin token, or an approver's signed link token as bearer) and
 * the server-rendered approvals pages.
 *
 * Pages authenticate with a sign-in form that takes the admin token once and starts a page session
 * (src/platform/pages/sessions.ts): the HttpOnly, SameSite=Strict cookie carries a random session
 * id, never the token. Not `?token=`: a token in the URL ends up in browser history, proxy logs and
 * Referer headers. Every form POST carries a CSRF token derived from the session id; sign-out ends
 * the session on the server.
 */
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { escapeHtml as h } from '../../protocols/oci';
import { apiRoute, pagingQuery } from '../platform/api';
import type { AppContext } from '../platform/context';
import type { Q } from '../platform/db';
import { AppError, isUniqueViolation } from '../platform/errors';
import { toAppError } from '../platform/http';
import { safeEqual } from '../platform/secrets';
import {
  decideInTx,
  listApprovals,
  orderLinesForApproval,
  type ApprovalStatus,
  type ApprovalView,
  type Decision,
} from './service';
import {
  checkCsrfLater,
  clearSessionCookie,
  csrfToken,
  endPageSession,
  loadPageSession,
  requireCsrf,
  setSessionCookie,
  signInKey,
  signInNonce,
  startPageSession,
} from '../platform/pages';
import { verifyLink, type LinkClaims } from './tokens';

const STATUSES = [
  'waiting',
  'pending',
  'approved',
  'rejected',
  'expired',
  'superseded',
  'cancelled',
] as const;

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

/** Consumes a one-time link in the deciding transaction: a reused link is refused (410). */
async function useLink(trx: Q, claims: LinkClaims): Promise<void> {
  try {
    await trx('approval_link_uses').insert({ token_id: claims.jti });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('gone', 'this approval link was already used');
    throw err;
  }
}

async function decide(ctx: AppContext, d: Decision, link?: LinkClaims): Promise<ApprovalView> {
  await ctx.db.transaction(async (trx) => {
    if (link) await useLink(trx, link);
    await decideInTx(trx, ctx, d);
  });
  const [view] = await listApprovals(ctx.db, { id: d.approvalId });
  return view;
}

function linkClaimsFor(ctx: AppContext, token: string, approvalId: string, decision: 'approve' | 'reject') {
  const claims = verifyLink(ctx.config, token, ctx.now());
  if (!claims || claims.approvalId !== approvalId || claims.decision !== decision)
    throw new AppError('unauthorized', 'invalid or expired approval link');
  return claims;
}

/** Admin bearer token, or an approver's signed link token for exactly this approval and decision. */
function approverAuth(ctx: AppContext, decision: 'approve' | 'reject'): RequestHandler {
  return async (req, _res, next) => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    if (!m) throw new AppError('unauthorized', 'missing bearer token (Authorization: Bearer <token>)');
    const admin = ctx.config.ADMIN_TOKEN;
    if (admin && safeEqual(m[1], admin)) {
      req.principal = { kind: 'admin' };
    } else {
      req.approvalLink = linkClaimsFor(ctx, m[1], String(req.params.id), decision);
    }
    next();
  };
}

const adminOnly =
  (ctx: AppContext): RequestHandler =>
  async (req, _res, next) => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    if (!m) throw new AppError('unauthorized', 'missing bearer token (Authorization: Bearer <token>)');
    const admin = ctx.config.ADMIN_TOKEN;
    if (!admin || !safeEqual(m[1], admin))
      throw new AppError('forbidden', 'approvals are for the admin token');
    req.principal = { kind: 'admin' };
    next();
  };

const uuid = z.uuid();

function page(res: Response, status: number, title: string, body: string): void {
  res
    .status(status)
    .setHeader(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    )
    .setHeader('Cache-Control', 'no-store')
    .type('html')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${h(title)}</title>` +
        `<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}.flag{color:#b00;font-weight:bold}</style>` +
        `</head><body><h1>${h(title)}</h1>${body}</body></html>`,
    );
}

function errorPage(res: Response, err: unknown): void {
  const e = toAppError(err);
  page(
    res,
    e.httpStatus,
    'Approvals',
    `<p role="alert" class="error">${h(e.message)}</p><p><a href="/approvals">Back</a></p>`,
  );
}

async function orderDetail(ctx: AppContext, a: ApprovalView): Promise<string> {
  const lines = await orderLinesForApproval(ctx.db, a.orderId, a.partnerId, a.currency);
  const rows = lines
    .map(
      (l) =>
        `<tr><td>${l.lineNumber}</td><td>${h(l.sku)}</td><td>${h(l.description ?? '')}</td><td>${h(l.quantity)} ${h(l.uom)}</td>` +
        `<td>${h(l.unitPrice)}</td><td class="${l.buyerSawUnitPrice !== null && l.buyerSawUnitPrice !== l.unitPrice ? 'flag' : ''}">${h(l.buyerSawUnitPrice ?? '-')}</td></tr>`,
    )
    .join('');
  return (
    `<p>Order <strong>${h(a.buyerOrderNumber)}</strong>${a.supplierOrderNumber ? ` (our order no. <strong id="supplier-order">${h(a.supplierOrderNumber)}</strong>)` : ''} from ${h(a.partnerId)}, version ${a.orderVersion}, total <strong>${h(a.total)} ${h(a.currency)}</strong>, level ${a.level}.</p>` +
    `<p>Flags: ${a.flags.length ? a.flags.map((f) => `<span class="flag">${h(f)}</span>`).join(', ') : 'none'}</p>` +
    `<table><thead><tr><th>#</th><th>SKU</th><th>Description</th><th>Quantity</th><th>Unit price</th><th>Price the buyer saw</th></tr></thead><tbody>${rows}</tbody></table>`
  );
}

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
      const approvals = await listApprovals(ctx.db, {
        ...(query.status ? { status: query.status as ApprovalStatus } : {}),
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
        res.json(await decide(ctx, { approvalId: id, decision, actor, comment: body.comment ?? null }, link));
      },
    );
  }

  // ---- pages ----
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  router.use('/approvals', loadPageSession(ctx, 'approvals'));
  const session = (req: Request) => req.pageSession?.id;
  const loginForm = (nonce: string | undefined, msg = '') =>
    `${msg ? `<p role="alert">${h(msg)}</p>` : ''}` +
    (nonce
      ? `<form method="post" action="/approvals/login"><input type="hidden" name="csrf" value="${h(csrfToken(ctx.config, nonce))}"><label>Admin token <input type="password" name="token" autocomplete="off" required></label> <button type="submit">Sign in</button></form>`
      : '<p><a href="/approvals">Sign in</a></p>');

  router.post('/approvals/login', form, checkCsrfLater(ctx.config), async (req, res) => {
    const token = typeof req.body?.token === 'string' ? req.body.token : '';
    const admin = ctx.config.ADMIN_TOKEN;
    if (!admin || !safeEqual(token, admin))
      return page(res, 401, 'Approvals: sign in', loginForm(signInNonce(req), 'Wrong token.'));
    if (!req.csrfOk)
      return page(
        res,
        403,
        'Approvals: sign in',
        loginForm(signInNonce(req), 'This form expired. Please sign in again.'),
      );
    setSessionCookie(req, res, await startPageSession(ctx, 'approvals', { role: 'admin' }));
    res.redirect(303, '/approvals');
  });

  router.post(
    '/approvals/logout',
    form,
    (req, res, next) => (req.pageSession ? next() : res.redirect(303, '/approvals')),
    requireCsrf(
      ctx.config,
      (req) => req.pageSession?.id,
      (_req, res) => page(res, 403, 'Approvals', '<p role="alert">This form expired.</p>'),
    ),
    async (req, res) => {
      await endPageSession(ctx, (req.pageSession as { id: string }).id);
      clearSessionCookie(req, res, 'approvals');
      res.redirect(303, '/approvals');
    },
  );

  // One-time links from the approvers' e-mail: GET shows what is decided (mail scanners prefetch
  // GETs, so only the POST decides), POST consumes the link.
  router.get('/approvals/link', async (req, res) => {
    try {
      const token = typeof req.query.token === 'string' ? req.query.token : '';
      const claims = verifyLink(ctx.config, token, ctx.now());
      if (!claims) throw new AppError('unauthorized', 'invalid or expired approval link');
      const used = await ctx.db('approval_link_uses').where({ token_id: claims.jti }).first();
      if (used) throw new AppError('gone', 'this approval link was already used');
      const [a] = await listApprovals(ctx.db, { id: claims.approvalId });
      if (!a) throw new AppError('not_found', 'approval not found');
      page(
        res,
        200,
        `${claims.decision === 'approve' ? 'Approve' : 'Reject'} order ${a.buyerOrderNumber}`,
        (await orderDetail(ctx, a)) +
          `<form method="post" action="/approvals/link"><input type="hidden" name="token" value="${h(token)}">` +
          `<label>Comment <input name="comment"></label> <button type="submit" name="go" value="1">${claims.decision === 'approve' ? 'Approve' : 'Reject'}</button></form>`,
      );
    } catch (err) {
      errorPage(res, err);
    }
  });

  router.post('/approvals/link', form, async (req, res) => {
    try {
      const token = typeof req.body?.token === 'string' ? req.body.token : '';
      const claims = verifyLink(ctx.config, token, ctx.now());
      if (!claims) throw new AppError('unauthorized', 'invalid or expired approval link');
      const comment = typeof req.body?.comment === 'string' && req.body.comment ? req.body.comment : null;
      const a = await decide(
        ctx,
        {
          approvalId: claims.approvalId,
          decision: claims.decision,
          actor: `approver:${claims.approver}`,
          comment,
        },
        claims,
      );
      page(
        res,
        200,
        'Approvals',
        `<p role="status">Order ${h(a.buyerOrderNumber)}: level ${a.level} ${h(a.status)}.</p>`,
      );
    } catch (err) {
      errorPage(res, err);
    }
  });

  router.get('/approvals', async (req, res) => {
    try {
      if (!session(req))
        return page(res, 200, 'Approvals: sign in', loginForm(signInKey(req, res, { secure: req.secure })));
      const pending = await listApprovals(ctx.db, { status: 'pending', limit: 500 });
      const done = typeof req.query.done === 'string' ? `<p role="status">${h(req.query.done)}</p>` : '';
      const rows = pending
        .map(
          (a) =>
            `<tr><td><a href="/approvals/${a.id}">${h(a.buyerOrderNumber)}</a></td><td>${h(a.supplierOrderNumber ?? '')}</td><td>${h(a.partnerId)}</td><td>${h(a.total)} ${h(a.currency)}</td><td>${a.level}</td><td>${a.flags.map(h).join(', ')}</td><td>${h(a.createdAt)}</td></tr>`,
        )
        .join('');
      page(
        res,
        200,
        'Pending approvals',
        `<form method="post" action="/approvals/logout"><input type="hidden" name="csrf" value="${h(csrfToken(ctx.config, session(req) as string))}"><button type="submit" id="sign-out">Sign out</button></form>` +
          done +
          (pending.length
            ? `<table><thead><tr><th>Order</th><th>Our no.</th><th>Partner</th><th>Total</th><th>Level</th><th>Flags</th><th>Since</th></tr></thead><tbody>${rows}</tbody></table>`
            : '<p>Nothing waits for approval.</p>'),
      );
    } catch (err) {
      errorPage(res, err);
    }
  });

  router.get('/approvals/:id', async (req, res) => {
    try {
      const s = session(req);
      if (!s) return res.redirect(303, '/approvals');
      const id = String(req.params.id);
      const [a] = uuid.safeParse(id).success ? await listApprovals(ctx.db, { id }) : [];
      if (!a) throw new AppError('not_found', 'approval not found');
      const csrf = csrfToken(ctx.config, s);
      const actions =
        a.status === 'pending'
          ? `<form method="post" action="/approvals/${a.id}/decide"><input type="hidden" name="csrf" value="${h(csrf)}">` +
            `<label>Comment <input name="comment"></label> ` +
            `<button type="submit" name="decision" value="approve">Approve</button> <button type="submit" name="decision" value="reject">Reject</button></form>`
          : `<p>This level is ${h(a.status)}${a.decidedBy ? ` by ${h(a.decidedBy)}` : ''}.</p>`;
      page(res, 200, `Approval: order ${a.buyerOrderNumber}`, (await orderDetail(ctx, a)) + actions);
    } catch (err) {
      errorPage(res, err);
    }
  });

  router.post('/approvals/:id/decide', form, async (req, res) => {
    try {
      const s = session(req);
      if (!s) throw new AppError('unauthorized', 'sign in first');
      const csrf = typeof req.body?.csrf === 'string' ? req.body.csrf : '';
      if (!safeEqual(csrf, csrfToken(ctx.config, s))) throw new AppError('forbidden', 'invalid CSRF token');
      const decision = req.body?.decision;
      if (decision !== 'approve' && decision !== 'reject')
        throw new AppError('bad_request', 'decision must be approve or reject');
      const id = String(req.params.id);
      if (!uuid.safeParse(id).success) throw new AppError('not_found', 'approval not found');
      const comment = typeof req.body?.comment === 'string' && req.body.comment ? req.body.comment : null;
      const a = await decide(ctx, { approvalId: id, decision, actor: 'admin (approvals page)', comment });
      res.redirect(
        303,
        `/approvals?done=${encodeURIComponent(`Order ${a.buyerOrderNumber}: level ${a.level} ${a.status}`)}`,
      );
    } catch (err) {
      errorPage(res, err);
    }
  });

  return router;
}
