/** Reading approvals for the API and the pages, with the context (routes never touch the database). */
import type { AppContext } from '../platform/context';
import { listApprovals, type ApprovalStatus } from './service';

export const approvalsList = (
  ctx: Pick<AppContext, 'db'>,
  filter: { status?: ApprovalStatus; limit: number; offset: number },
) => listApprovals(ctx.db, filter);
