/**
 * Persisting a process definition's transition (src/model/process.ts) as one guarded UPDATE: the rows
 * `where` selects that are in a state the event leaves (statesAllowing) move to the state it leads to
 * (targetOf), in the same statement as the columns that go with the move. Of two concurrent movers of
 * a row only the first matches, so the statement is its own lock: the approval levels
 * (approvals/levels.ts), deliveries (delivery/lifecycle.ts) and punchout sessions
 * (punchout/sessions.ts) change state through it. (Orders read and lock their row first, since the
 * target of an order event depends on the state it leaves: orders/lifecycle.ts.)
 */
import type { Knex } from 'knex';
import { statesAllowing, targetOf, type ProcessDefinition } from '../model/process';
import type { Q } from './db';

export interface StateColumn {
  table: string;
  /** The column holding the state. */
  column: string;
}

/**
 * The UPDATE moving the rows `where` selects by `event`, setting `set` beside the state. Await it
 * for the number of rows moved, or add `.returning(...)`.
 */
export function guardedMove<S extends string, E extends string, G>(
  q: Q,
  p: ProcessDefinition<S, E, G>,
  at: StateColumn,
  where: Readonly<Record<string, unknown>>,
  event: E,
  set: Readonly<Record<string, unknown>> = {},
): Knex.QueryBuilder<Record<string, unknown>, number> {
  return q<Record<string, unknown>>(at.table)
    .where(where)
    .whereIn(at.column, statesAllowing(p, event))
    .update({ ...set, [at.column]: targetOf(p, event) });
}

/** A row of a lifecycle's history table (order_events, invoice_events): who moved it, when and why. */
export interface TransitionEventRow {
  event: string;
  from_state: string | null;
  to_state: string;
  actor: string;
  reason: string | null;
  created_at: Date;
}

/** A history row as the API and the console show it. */
export function transitionEventView(e: TransitionEventRow) {
  return {
    event: e.event,
    from: e.from_state,
    to: e.to_state,
    actor: e.actor,
    reason: e.reason,
    at: new Date(e.created_at).toISOString(),
  };
}
