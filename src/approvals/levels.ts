/**
 * The one way an approval level changes state: APPROVAL_PROCESS (src/model/approval-state.ts) as one
 * guarded UPDATE (platform/lifecycle.ts), so a level already decided, superseded or expired is not
 * moved again, and of two deciders of one level only the first matches. Who and when are the row's
 * decided_by / decided_at (the order's side is in order_events, a person's decision in the audit log).
 */
import { APPROVAL_PROCESS, type ApprovalEvent } from '../model/approval-state';
import type { Q } from '../platform/db';
import { guardedMove } from '../platform/lifecycle';

/** Which levels: one by id, or an order version's. */
export type LevelKey = { id: string } | { order_id: string; order_version?: number };

/** Moves the levels `where` selects by `event` (only those in a state it leaves), with `set` beside. */
export function moveLevels(
  q: Q,
  where: LevelKey,
  event: ApprovalEvent,
  set: Readonly<Record<string, unknown>> = {},
) {
  return guardedMove(q, APPROVAL_PROCESS, { table: 'approvals', column: 'status' }, where, event, set);
}
