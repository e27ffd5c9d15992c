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
  return a ? { approval: a, lines: await approvalLines(ctx, a) } : undefined;
}
