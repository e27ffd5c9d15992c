import { nextState, type OrderEvent, type OrderState } from '../model/order-state';
import { statusUpdateJob } from './jobs';
import type { Q } from '../platform/db';
import { AppError } from '../platform/errors';
import { enqueueInTx } from '../platform/outbox';
import { statusUpdateStates } from '../partners/schema';

/** Job that sends a StatusUpdateRequest about an order that entered a state (src/orders/jobs.ts). */

export interface StatusUpdatePayload {
  orderId: string;
  state: OrderState;
  /** order_events id of the transition: one StatusUpdateRequest per transition, however often run. */
  eventId: number;
}

export interface Transition {
  orderId: string;
  from: OrderState;
  to: OrderState;
  event: OrderEvent;
}

/**
 * The one way an order changes state: locks the order row, checks the transition table, writes the
 * new state and an order_events row with who, when and why. Run it inside the transaction that makes
 * the change, so the event, the state and any outbox rows commit together. Entering a state the
 * partner asked to hear about (`cxml.statusUpdates`) queues its StatusUpdateRequest in the same
 * transaction (the outbox job statusUpdateJob, src/orders/jobs.ts).
 */
export async function transitionOrder(
  trx: Q,
  orderId: string,
  event: OrderEvent,
  actor: string,
  reason?: string | null,
): Promise<Transition> {
  const order = await trx('orders as o')
    .join('partners as p', 'p.id', 'o.partner_id')
    .where('o.id', orderId)
    .forUpdate('o')
    .first<{ state: string; status_updates: boolean | string[] | null } | undefined>(
      'o.state',
      trx.raw(`p.settings->'cxml'->'statusUpdates' as status_updates`),
    );
  if (!order) throw new AppError('not_found', 'order not found');
  const from = order.state as OrderState;
  let to: OrderState;
  try {
    to = nextState(from, event);
  } catch (err) {
    throw new AppError('conflict', (err as Error).message);
  }
  // The new state and its event in one statement (one round trip).
  const moved = await trx.raw<{ rows?: { id: number | string }[] }>(
    `with moved as (update orders set state = :to, updated_at = now() where id = :orderId)
     insert into order_events (order_id, event, from_state, to_state, actor, reason)
     values (:orderId, :event, :from, :to, :actor, :reason)
     returning id`,
    { orderId, event, from, to, actor, reason: reason ?? null },
  );
  const row = moved.rows?.[0];
  if (to !== from && statusUpdateStates(order.status_updates ?? undefined).includes(to)) {
    const payload: StatusUpdatePayload = { orderId, state: to, eventId: Number(row?.id) };
    await enqueueInTx(trx, statusUpdateJob, payload);
  }
  return { orderId, from, to, event };
}

/** The order_events row of a new order, for callers that insert it as part of a larger statement. */
export function createdEventRow(orderId: string, state: OrderState, actor: string, reason?: string) {
  return {
    order_id: orderId,
    event: 'create',
    from_state: null,
    to_state: state,
    actor,
    reason: reason ?? null,
  };
}
