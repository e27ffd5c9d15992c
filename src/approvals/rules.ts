/**
 * Approval rules: the partner's `approval` block, else the global defaults. Intake flags always
 * require a person: an order with any flag gets at least level 1 even below the auto-approve amount.
 */
import { cmp } from '../model/money';
import type { PartnerSettings } from '../partners/schema';

export type ApprovalRules = NonNullable<PartnerSettings['approval']>;
export type LevelRule = ApprovalRules['levels'][number];

/** Without partner rules nothing is auto-approved and one level, decided by an admin, applies. */
export const DEFAULT_RULES: ApprovalRules = {
  levels: [
    {
      above: { amount: '0', currency: 'USD' },
      approvers: ['approvals@supplier.example'],
      escalateAfterHours: 24,
    },
  ],
};

export function rulesFor(settings: Pick<PartnerSettings, 'approval'>): ApprovalRules {
  const r = settings.approval;
  if (!r) return DEFAULT_RULES;
  return { ...r, levels: r.levels.length ? r.levels : DEFAULT_RULES.levels };
}

export interface Plan {
  auto: boolean;
  /** Levels in order (level number = index + 1); empty when auto. */
  levels: LevelRule[];
  reason: string;
}

/**
 * Which levels an order needs. Amounts are compared only in the same currency; a rule in another
 * currency than the order counts as exceeded (a person looks rather than a wrong conversion approving).
 */
export function planFor(
  rules: ApprovalRules,
  order: { total: string; currency: string; flags: string[] },
): Plan {
  const exceeds = (m: { amount: string; currency: string }) =>
    m.currency !== order.currency || cmp(order.total, m.amount) > 0;
  const below = rules.autoApproveBelow;
  const belowAuto =
    below !== undefined && below.currency === order.currency && cmp(order.total, below.amount) < 0;
  if (belowAuto && order.flags.length === 0) {
    return { auto: true, levels: [], reason: `total below ${below.amount} ${below.currency}` };
  }
  const levels = rules.levels.filter((l) => exceeds(l.above));
  if (levels.length === 0) {
    return {
      auto: false,
      levels: [rules.levels[0]!], // rulesFor never leaves the levels empty
      reason: order.flags.length ? `flags: ${order.flags.join(', ')}` : 'no auto-approval rule applies',
    };
  }
  return {
    auto: false,
    levels,
    reason: order.flags.length
      ? `amount and flags: ${order.flags.join(', ')}`
      : 'amount above approval threshold',
  };
}
