/**
 * Deciding an approval level from outside the workflow: a console user (approvals page), the admin
 * token (API, approvals page) or an approver's one-time e-mail link, which is consumed in the
 * deciding transaction. Every decision is written to the audit log in that transaction.
 */
import { writeAudit, type AuditEntry } from '../console/audit';
import type { OrderDbRow } from '../orders/repository';
import type { AppContext } from '../platform/context';
import { isUuid, type Q } from '../platform/db';
import { AppError, isUniqueViolation } from '../platform/errors';
import { decideInTx, listApprovals, type ApprovalView, type Decision } from './service';
import type { LinkClaims } from './tokens';

/** Consumes a one-time link in the deciding transaction: a reused link is refused (410). */
async function useLink(trx: Q, claims: LinkClaims): Promise<void> {
  try {
    await trx('approval_link_uses').insert({ token_id: claims.jti });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('gone', 'this approval link was already used');
    throw err;
  }
}

/**
 * Decides the level (and consumes `link` with it); the level as it is afterwards. The audit log
 * entry is written in the same transaction: by `audit.actor` (a console user, with its id) or the
 * decision's actor label (the admin token, an e-mail link's approver).
 */
export async function decide(
  ctx: AppContext,
  d: Decision,
  link?: LinkClaims,
  audit: Partial<Omit<AuditEntry, 'action' | 'subject' | 'before' | 'after'>> = {},
): Promise<ApprovalView> {
  await ctx.db.transaction(async (trx) => {
    if (link) await useLink(trx, link);
    const row = await decideInTx(trx, ctx, d);
    const order = await trx<OrderDbRow>('orders')
      .where({ id: row.order_id })
      .first('state', 'buyer_order_number');
    await writeAudit(trx, ctx.now(), {
      ...audit,
      actor: audit.actor ?? { label: d.actor },
      action: `approval.${d.decision}`,
      subject: `approval:${row.id}`,
      before: { status: 'pending', level: row.level },
      after: {
        status: row.status,
        level: row.level,
        comment: row.comment,
        order: order?.buyer_order_number,
        orderState: order?.state,
      },
    });
  });
  const view = await findApproval(ctx.db, d.approvalId);
  if (!view) throw new AppError('not_found', 'approval not found');
  return view;
}

/** Refuses a link used before (410), so that its page says so before anyone clicks. */
export async function refuseUsedLink(q: Q, claims: LinkClaims): Promise<void> {
  const used = await q<{ token_id: string; used_at: Date }>('approval_link_uses')
    .where({ token_id: claims.jti })
    .first();
  if (used) throw new AppError('gone', 'this approval link was already used');
}

/** The approval level with this id; undefined for an unknown one or an id that is no UUID. */
export async function findApproval(q: Q, id: string): Promise<ApprovalView | undefined> {
  if (!isUuid(id)) return undefined;
  const [view] = await listApprovals(q, { id });
  return view;
}
