/**
 * The approval workflow. Every step runs in one transaction with the order row locked, so a duplicate
 * or crashed job never approves twice and never leaves an order with neither an open level nor a
 * decision. Level rows for the whole plan are written at evaluation ("waiting" until their turn), so
 * the plan an order started with is the plan it finishes with.
 */
import { randomUUID } from 'node:crypto';
import { escalateJob, expireJob, notifyJob } from './jobs';
import { acceptOrder, transitionOrder } from '../orders/lifecycle';
import { findPartner, type PartnerRow } from '../partners/repository';
import type { AppContext } from '../platform/context';
import type { Q } from '../platform/db';
import { AppError } from '../platform/errors';
import { enqueueInTx } from '../platform/outbox';
import { planFor, rulesFor, type LevelRule } from './rules';
import { recordEvidence } from './evidence';
import { moveLevels } from './levels';
import { APPROVAL_PROCESS, type ApprovalState } from '../model/approval-state';
import { guardRefusal } from '../model/process';

export * from './listing';

export const SYSTEM_ACTOR = 'system:approvals';

/** What the workflow needs of the app context (a JobContext is one). */
export type WorkflowCtx = Pick<AppContext, 'config' | 'db' | 'log' | 'now'>;

/** The states of APPROVAL_PROCESS (src/model/approval-state.ts). */
export type ApprovalStatus = ApprovalState;

export interface ApprovalRow {
  id: string;
  order_id: string;
  order_version: number;
  level: number;
  status: ApprovalStatus;
  approvers: string[];
  escalate_at: Date | null;
  escalated_at: Date | null;
  decided_by: string | null;
  decided_at: Date | null;
  comment: string | null;
  created_at: Date;
}

export interface NotifyPayload {
  approvalId: string;
  kind: 'request' | 'escalation' | 'decided';
  recipients: string[];
}

interface LockedOrder {
  id: string;
  partner_id: string;
  version: number;
  state: string;
  total: string;
  currency: string;
  flags: string[];
}

const LOCKED_COLUMNS = ['id', 'partner_id', 'version', 'state', 'total', 'currency', 'flags'] as const;

async function lockOrder(trx: Q, orderId: string): Promise<LockedOrder | undefined> {
  const row = await trx('orders')
    .where({ id: orderId })
    .forUpdate()
    .first<Omit<EvaluateRow, 'evaluated' | 'status_updates'> | undefined>(...LOCKED_COLUMNS);
  if (!row) return undefined;
  return { ...row, total: String(row.total), currency: row.currency.trim(), flags: row.flags ?? [] };
}

/** The orders row lockOrderToEvaluate reads (numeric and char columns as pg gives them). */
interface EvaluateRow {
  id: string;
  partner_id: string;
  version: number;
  state: string;
  total: string | number;
  currency: string;
  flags: string[] | null;
  evaluated: boolean;
  /** The partner's `cxml.statusUpdates`, as the order's transitions read it (orders/lifecycle.ts). */
  status_updates: boolean | string[] | null;
}

/**
 * lockOrder, whether its current version was evaluated already (has approval rows) and what an
 * acceptance's transitions read under the lock (acceptOrder's lockedBefore): one read.
 */
async function lockOrderToEvaluate(
  trx: Q,
  orderId: string,
): Promise<(LockedOrder & Pick<EvaluateRow, 'evaluated' | 'status_updates'>) | undefined> {
  const row = await trx('orders')
    .where({ id: orderId })
    .forUpdate()
    .first<EvaluateRow | undefined>(
      ...LOCKED_COLUMNS,
      trx.raw(
        'exists (select 1 from approvals a where a.order_id = orders.id and a.order_version = orders.version) as evaluated',
      ),
      trx.raw(
        `(select p.settings->'cxml'->'statusUpdates' from partners p where p.id = orders.partner_id) as status_updates`,
      ),
    );
  if (!row) return undefined;
  return { ...row, total: String(row.total), currency: row.currency.trim(), flags: row.flags ?? [] };
}

/** Opens a level: pending, escalation job (delayed) and the approvers' e-mail. */
async function openLevel(
  trx: Q,
  ctx: WorkflowCtx,
  approvalId: string,
  orderId: string,
  rule: LevelRule | undefined,
  approvers: string[],
): Promise<void> {
  const hours = rule?.escalateAfterHours;
  const delayMs = hours ? Math.round(hours * 3600_000) : undefined;
  await moveLevels(trx, { id: approvalId }, 'open', {
    escalate_at: delayMs ? new Date(ctx.now().getTime() + delayMs) : null,
  });
  await enqueueInTx(trx, notifyJob, {
    approvalId,
    kind: 'request',
    recipients: approvers,
  } satisfies NotifyPayload);
  if (delayMs) {
    const recipients = rule?.escalationApprovers?.length ? rule.escalationApprovers : approvers;
    await enqueueInTx(trx, escalateJob, { approvalId, orderId, recipients }, { delayMs });
  }
}

/** The order approved and confirmed; its confirmation is the follow-up of entering confirmed. */
async function approveAndConfirm(
  trx: Q,
  ctx: WorkflowCtx,
  order: LockedOrder,
  actor: string,
  reason: string,
  evaluated?: { partner: PartnerRow; statusUpdates: boolean | string[] | null },
) {
  await acceptOrder(
    trx,
    { ctx, ...(evaluated ? { partner: evaluated.partner } : {}) },
    order,
    { actor, approveReason: reason, confirmReason: 'confirmed after approval' },
    // The order as evaluateOrder locked and read it: nothing moved it since.
    evaluated ? { state: order.state, status_updates: evaluated.statusUpdates } : undefined,
  );
}

/** The order rejected; its reject confirmation is the follow-up of entering rejected. */
async function rejectOrder(trx: Q, ctx: WorkflowCtx, orderId: string, actor: string, reason: string) {
  await transitionOrder(trx, orderId, 'reject', actor, reason, { ctx });
}

export type EvaluationOutcome = 'auto_approved' | 'opened' | 'noop';

/** The `approvals.evaluate` job body: auto-approve or open level 1. Idempotent. */
export async function evaluateOrder(
  ctx: WorkflowCtx,
  input: { orderId: string; version: number },
  trxIn?: Q,
): Promise<EvaluationOutcome> {
  const run = async (trx: Q): Promise<EvaluationOutcome> => {
    const order = await lockOrderToEvaluate(trx, input.orderId);
    if (!order || order.version !== input.version || order.state !== 'received') return 'noop';
    if (order.evaluated) return 'noop';
    // An older version's open levels no longer decide anything (the first version has none: its
    // own would have made it evaluated).
    if (order.version > 1)
      await moveLevels(trx, { order_id: order.id }, 'supersede', {
        decided_at: trx.fn.now(),
        decided_by: SYSTEM_ACTOR,
      });
    const partner = await findPartner(trx, order.partner_id);
    if (!partner) throw new AppError('not_found', 'partner of the order not found');
    const plan = planFor(rulesFor(partner.settings), order);
    if (plan.auto) {
      await approveAndConfirm(trx, ctx, order, SYSTEM_ACTOR, `auto-approved: ${plan.reason}`, {
        partner,
        statusUpdates: order.status_updates,
      });
      return 'auto_approved';
    }
    await transitionOrder(trx, order.id, 'submit_for_approval', SYSTEM_ACTOR, plan.reason);
    await recordEvidence(trx, partner, order.id, order.version);
    const ids = plan.levels.map(() => randomUUID());
    await trx('approvals').insert(
      plan.levels.map((l, i) => ({
        id: ids[i],
        order_id: order.id,
        order_version: order.version,
        level: i + 1,
        status: 'waiting',
        approvers: JSON.stringify(l.approvers),
      })),
    );
    // A plan that is not automatic has at least one level (planFor), and an id per level.
    const firstLevel = plan.levels[0]!;
    await openLevel(trx, ctx, ids[0]!, order.id, firstLevel, firstLevel.approvers);
    await enqueueInTx(
      trx,
      expireJob,
      { orderId: order.id, version: order.version },
      { delayMs: Math.round(ctx.config.APPROVAL_MAX_AGE_HOURS * 3600_000) },
    );
    return 'opened';
  };
  return trxIn ? run(trxIn) : ctx.db.transaction(run);
}

export interface Decision {
  approvalId: string;
  decision: 'approve' | 'reject';
  actor: string;
  comment?: string | null;
}

/**
 * Approves or rejects one open level. The order row lock serializes deciders and the conditional
 * update (status = 'pending') lets exactly one win; the loser gets 409 naming the winning decision.
 */
export async function decideInTx(trx: Q, ctx: WorkflowCtx, d: Decision): Promise<ApprovalRow> {
  const a = await trx<ApprovalRow>('approvals').where({ id: d.approvalId }).first();
  if (!a) throw new AppError('not_found', 'approval not found');
  const order = await lockOrder(trx, a.order_id);
  if (!order) throw new AppError('not_found', 'approval not found');
  const [won] = await moveLevels(trx, { id: a.id }, d.decision, {
    decided_by: d.actor,
    decided_at: ctx.now(),
    comment: d.comment ?? null,
  }).returning<ApprovalRow[]>('*');
  if (!won) {
    const cur = await trx<ApprovalRow>('approvals').where({ id: a.id }).first();
    const who = cur?.decided_by ? ` by ${cur.decided_by}` : '';
    throw new AppError(
      'conflict',
      cur?.status === 'waiting'
        ? `approval level ${a.level} is not open yet`
        : `approval already ${cur?.status ?? 'gone'}${who}`,
    );
  }
  // Checked after the UPDATE: a level decided already says so first (and this transaction rolls back).
  const stale = guardRefusal(APPROVAL_PROCESS, a.status, d.decision, {
    orderState: order.state,
    orderVersion: order.version,
    levelVersion: a.order_version,
  });
  if (stale) throw new AppError('conflict', stale);
  const why = d.comment ? `: ${d.comment}` : '';
  if (d.decision === 'reject') {
    await moveLevels(trx, { order_id: a.order_id, order_version: a.order_version }, 'cancel');
    await rejectOrder(trx, ctx, a.order_id, d.actor, `rejected at level ${a.level}${why}`);
  } else {
    const next = await trx<ApprovalRow>('approvals')
      .where({ order_id: a.order_id, order_version: a.order_version, level: a.level + 1, status: 'waiting' })
      .first();
    if (next) {
      const partner = await findPartner(trx, order.partner_id);
      const rule = partner ? planFor(rulesFor(partner.settings), order).levels[next.level - 1] : undefined;
      await openLevel(trx, ctx, next.id, a.order_id, rule, next.approvers);
    } else {
      await approveAndConfirm(trx, ctx, order, d.actor, `approved at level ${a.level}${why}`);
    }
  }
  await enqueueInTx(trx, notifyJob, {
    approvalId: a.id,
    kind: 'decided',
    recipients: [],
  } satisfies NotifyPayload);
  return won;
}

export async function decideApproval(ctx: WorkflowCtx, d: Decision): Promise<ApprovalRow> {
  return ctx.db.transaction((trx) => decideInTx(trx, ctx, d));
}

/** The delayed escalation: notifies the escalation approvers only if the level is still open. */
export async function escalateApproval(
  ctx: WorkflowCtx,
  input: { approvalId: string; orderId: string; recipients: string[] },
): Promise<boolean> {
  return ctx.db.transaction(async (trx) => {
    await lockOrder(trx, input.orderId);
    const [row] = await moveLevels(trx, { id: input.approvalId }, 'escalate', { escalated_at: ctx.now() })
      .whereNull('escalated_at')
      .returning<{ id: string }[]>('id');
    if (!row) return false;
    await enqueueInTx(trx, notifyJob, {
      approvalId: input.approvalId,
      kind: 'escalation',
      recipients: input.recipients,
    } satisfies NotifyPayload);
    return true;
  });
}

/** The delayed expiry: an order still waiting for approval after APPROVAL_MAX_AGE_HOURS is rejected. */
export async function expireOrder(
  ctx: WorkflowCtx,
  input: { orderId: string; version: number },
): Promise<boolean> {
  return ctx.db.transaction(async (trx) => {
    const order = await lockOrder(trx, input.orderId);
    if (!order || order.version !== input.version || order.state !== 'pending_approval') return false;
    await moveLevels(trx, { order_id: order.id, order_version: order.version }, 'expire', {
      decided_by: SYSTEM_ACTOR,
      decided_at: ctx.now(),
    });
    await rejectOrder(
      trx,
      ctx,
      order.id,
      SYSTEM_ACTOR,
      `approval expired: open longer than ${ctx.config.APPROVAL_MAX_AGE_HOURS} hours`,
    );
    return true;
  });
}
