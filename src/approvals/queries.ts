/** Reading approvals for the API and the pages, with the context (routes never touch the database). */
import type { AppContext } from '../platform/context';
import { findApproval, refuseUsedLink } from './decide';
import {
  countApprovals,
  listApprovals,
  orderLinesForApproval,
  type ApprovalStatus,
  type ApprovalView,
} from './service';
import type { LinkClaims } from './tokens';
import type { OrderDbRow } from '../orders/repository';
import type { OrderEventRow } from '../orders/rows';
import { notFound } from '../platform/errors';
import { findPartner } from '../partners/repository';
import { orderLevels, pendingNeighbours, previousOrders, recentlyDecided } from './context-queries';
import { findEvidence, gatherEvidence } from './evidence';

type Ctx = Pick<AppContext, 'db'>;

export const approvalsList = (ctx: Ctx, filter: { status?: ApprovalStatus; limit: number; offset: number }) =>
  listApprovals(ctx.db, filter);

/** A page of pending approvals (within `partnerIds` when given) and how many there are. */
export async function pendingApprovals(
  ctx: Ctx,
  paging: { limit: number; offset: number },
  scope: { partnerIds?: readonly string[] },
) {
  const [rows, total] = await Promise.all([
    listApprovals(ctx.db, { status: 'pending', ...paging, ...scope }),
    countApprovals(ctx.db, { status: 'pending', ...scope }),
  ]);
  return { rows, total };
}

export const approvalById = (ctx: Ctx, id: string) => findApproval(ctx.db, id);

/** The order's lines as the approver sees them. */
export const approvalLines = (ctx: Ctx, a: ApprovalView) =>
  orderLinesForApproval(ctx.db, a.orderId, a.partnerId, a.currency);

/** The approval an e-mail link names, with its lines; a used link is refused (410). */
export async function approvalOfLink(ctx: Ctx, claims: LinkClaims) {
  await refuseUsedLink(ctx.db, claims);
  const a = await findApproval(ctx.db, claims.approvalId);
  return a ? { approval: a, page: await approvalPage(ctx, a, {}) } : undefined;
}

/** Everything the approval page shows about one level (see detail-views.tsx). */
export async function approvalPage(ctx: Ctx, a: ApprovalView, scope: { partnerIds?: readonly string[] }) {
  const order = await ctx
    .db<OrderDbRow>('orders')
    .where({ id: a.orderId })
    .first('canonical', 'version', 'created_at');
  if (!order) throw notFound('order');
  const canonical = order.canonical;
  const stored = await findEvidence(ctx.db, a.orderId, a.orderVersion);
  const partner = await findPartner(ctx.db, a.partnerId);
  // Orders evaluated before evidence was kept: read it now (the page says so).
  const evidence = stored ?? (partner ? await gatherEvidence(ctx.db, partner, a.orderId, canonical) : null);
  const [lines, levels, previous, neighbours, reason] = await Promise.all([
    approvalLines(ctx, a),
    orderLevels(ctx.db, a.orderId),
    previousOrders(ctx.db, a.partnerId, a.orderId),
    pendingNeighbours(ctx.db, a.id, scope),
    ctx
      .db<OrderEventRow>('order_events')
      .where({ order_id: a.orderId, event: 'submit_for_approval' })
      .orderBy('id', 'desc')
      .first('reason'),
  ]);
  return {
    lines,
    evidence,
    evidenceLive: !stored,
    order: canonical,
    receivedAt: new Date(order.created_at).toISOString(),
    partnerName: partner?.name ?? a.partnerId,
    levels,
    previous,
    neighbours,
    reason: reason?.reason ?? null,
  };
}

export type ApprovalPageData = Awaited<ReturnType<typeof approvalPage>>;

/** The levels decided lately (the pending list's second table). */
export const decidedLately = (ctx: Ctx, scope: { partnerIds?: readonly string[] }) =>
  recentlyDecided(ctx.db, scope);
