import { defineProcess } from './process';

/**
 * The lifecycle of one approval level (a row of `approvals`) as data. The rows of a plan are written
 * "waiting" when the order is evaluated; the level whose turn it is opens ("pending"), one decider
 * approves or rejects it. A rejected level cancels the levels still waiting; a newer order version
 * supersedes, and the approval's age limit expires, every level not yet decided. Persisted by
 * `approvals/levels.ts` (`moveLevels`: one guarded UPDATE each, the row's decided_by/decided_at say
 * who and when).
 */
export const APPROVAL_STATES = [
  'waiting',
  'pending',
  'approved',
  'rejected',
  'expired',
  'superseded',
  'cancelled',
] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

export const APPROVAL_EVENTS = [
  'open',
  'escalate',
  'approve',
  'reject',
  'cancel',
  'supersede',
  'expire',
] as const;
export type ApprovalEvent = (typeof APPROVAL_EVENTS)[number];

/** What deciding a level rests on: the order it approves, as locked, and the version the level is of. */
export interface LevelFacts {
  orderState: string;
  orderVersion: number;
  levelVersion: number;
}

/** A decision counts only while the order waits for approval in the version the level was planned for. */
function stale(f: LevelFacts): string | null {
  return f.orderState === 'pending_approval' && f.orderVersion === f.levelVersion
    ? null
    : `order is ${f.orderState} (version ${f.orderVersion}); this approval is stale`;
}

export const APPROVAL_PROCESS = defineProcess<ApprovalState, ApprovalEvent, LevelFacts>({
  entity: 'approval level',
  states: APPROVAL_STATES,
  transitions: {
    waiting: { open: 'pending', cancel: 'cancelled', supersede: 'superseded', expire: 'expired' },
    // Escalating tells more approvers; the level stays open.
    pending: {
      escalate: 'pending',
      approve: 'approved',
      reject: 'rejected',
      supersede: 'superseded',
      expire: 'expired',
    },
    approved: {},
    rejected: {},
    expired: {},
    superseded: {},
    cancelled: {},
  },
  guards: { approve: stale, reject: stale },
});
