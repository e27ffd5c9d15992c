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

export const APPROVAL_PROCESS = defineProcess<ApprovalState, ApprovalEvent>({
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
});
