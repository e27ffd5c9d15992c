/**
 * Persisting the order lifecycle (ORDER_PROCESS, src/model/order-state.ts): every change of state goes
 * through `transitionOrder`, which writes it with who, when and why (order_events) and runs the
 * follow-ups the definition names for it, each implemented once in EFFECTS below, in the same
 * transaction. Callers never send a confirmation, ship notice or status update themselves.
 */
import {
  canTransition,
  nextState,
  orderEffects,
  type OrderEffect,
  type OrderEvent,
  type OrderState,
} from '../model/order-state';
import type { Shipment } from '../model/shipment';
import { statusUpdateJob } from './jobs';
import { sendOrderConfirmation, sendShipNotice, type OutboundContext, type SentDocument } from './outbound';
import type { AppContext } from '../platform/context';
import type { Q } from '../platform/db';
import { AppError } from '../platform/errors';
import { enqueueInTx } from '../platform/outbox';
import type { PartnerRow } from '../partners/repository';
import { statusUpdateStates } from '../partners/schema';

/** Job that sends a StatusUpdateRequest about an order that entered a state (src/orders/jobs.ts). */

export interface StatusUpdatePayload {
  orderId: string;
  state: OrderState;
  /** order_events id of the transition: one StatusUpdateRequest per transition, however often run. */
  eventId: number;
}

/**
 * What a transition's follow-up documents need besides the order: the context that renders them and
 * what only the caller knows. A transition whose follow-ups render a document (entering confirmed or
 * rejected, a shipment) is refused without it; queuing a status update needs nothing.
 */
export interface FollowUp {
  ctx: OutboundContext;
  /** The Comments of an accepting confirmation (a rejection's are the transition's reason). */
  comments?: string | undefined;
  /** The shipment a ship_partial / ship_complete records: what its ship notice says. */
  shipment?: Shipment;
  /** The order's partner as the caller read it in this transaction (saves reading it again). */
  partner?: PartnerRow;
}

export interface Transition {
  orderId: string;
  from: OrderState;
  to: OrderState;
  event: OrderEvent;
  /** What the follow-ups sent as cXML, by effect (null: not sent as cXML, say an X12-only partner). */
  sent: Partial<Record<OrderEffect, SentDocument | null>>;
}

/** A transition just written, as its follow-ups see it. */
interface Entered {
  orderId: string;
  from: OrderState;
  to: OrderState;
  event: OrderEvent;
  eventId: number;
  reason: string | null;
  /** The partner's `cxml.statusUpdates`. */
  statusUpdates: boolean | string[] | null;
}

export interface LockedOrder {
  state: string;
  status_updates: boolean | string[] | null;
}

type Effect = (trx: Q, t: Entered, follow: FollowUp | undefined) => Promise<SentDocument | null>;

function contextFor(effect: OrderEffect, t: Entered, follow: FollowUp | undefined): FollowUp {
  if (!follow)
    throw new Error(
      `an order's "${t.event}" to ${t.to} sends its ${effect}: transitionOrder needs a FollowUp`,
    );
  return follow;
}

/** The senders take an AppContext and read only its config and clock (an OutboundContext). */
const sendingCtx = (follow: FollowUp) => follow.ctx as AppContext;

/** The one implementation of each follow-up ORDER_PROCESS names (model/order-state.ts). */
const EFFECTS: Record<OrderEffect, Effect> = {
  // Queued in the transaction (the outbox job statusUpdateJob, src/orders/jobs.ts) when the partner
  // asked to hear about the state (`cxml.statusUpdates`).
  status_update: async (trx, t) => {
    if (!statusUpdateStates(t.statusUpdates ?? undefined).includes(t.to)) return null;
    const payload: StatusUpdatePayload = { orderId: t.orderId, state: t.to, eventId: t.eventId };
    await enqueueInTx(trx, statusUpdateJob, payload);
    return null;
  },
  accept_confirmation: (trx, t, follow) => {
    const f = contextFor('accept_confirmation', t, follow);
    return sendOrderConfirmation(
      trx,
      sendingCtx(f),
      t.orderId,
      { kind: 'accept', ...(f.comments ? { reason: f.comments } : {}) },
      f.partner,
    );
  },
  reject_confirmation: (trx, t, follow) => {
    const f = contextFor('reject_confirmation', t, follow);
    return sendOrderConfirmation(
      trx,
      sendingCtx(f),
      t.orderId,
      { kind: 'reject', ...(t.reason ? { reason: t.reason } : {}) },
      f.partner,
    );
  },
  ship_notice: (trx, t, follow) => {
    const f = contextFor('ship_notice', t, follow);
    if (!f.shipment)
      throw new Error(`an order's "${t.event}" sends a ship notice: the FollowUp needs the shipment`);
    return sendShipNotice(trx, sendingCtx(f), t.orderId, f.shipment);
  },
};

/**
 * The one way an order changes state: locks the order row, checks the transition table, writes the
 * new state and an order_events row with who, when and why, then runs the transition's follow-ups
 * (ORDER_PROCESS onEnter / onEvent: the status update, the confirmation, the ship notice). Run it
 * inside the transaction that makes the change, so the event, the state, the documents and their
 * outbox rows commit together; a refused transition changes and sends nothing.
 */
export async function transitionOrder(
  trx: Q,
  orderId: string,
  event: OrderEvent,
  actor: string,
  reason?: string | null,
  follow?: FollowUp,
): Promise<Transition> {
  return moveLocked(trx, orderId, await lockOrder(trx, orderId), event, actor, reason, follow);
}

/**
 * Locks the order row (to the commit) and reads what a transition needs: its state, its partner's
 * wishes. With transitionLocked, for a caller that wants the read done before a later lock it takes
 * (an invoice: before the gapless number's).
 */
export async function lockOrder(trx: Q, orderId: string): Promise<LockedOrder> {
  const order = await trx('orders as o')
    .join('partners as p', 'p.id', 'o.partner_id')
    .where('o.id', orderId)
    .forUpdate('o')
    .first<LockedOrder | undefined>(
      'o.state',
      trx.raw(`p.settings->'cxml'->'statusUpdates' as status_updates`),
    );
  if (!order) throw new AppError('not_found', 'order not found');
  return order;
}

/** transitionOrder on an order this transaction has locked (`order` as it stands now). */
export async function moveLocked(
  trx: Q,
  orderId: string,
  order: LockedOrder,
  event: OrderEvent,
  actor: string,
  reason: string | null | undefined,
  follow: FollowUp | undefined,
): Promise<Transition> {
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
  const entered: Entered = {
    orderId,
    from,
    to,
    event,
    eventId: Number(moved.rows?.[0]?.id),
    reason: reason ?? null,
    statusUpdates: order.status_updates,
  };
  const sent: Transition['sent'] = {};
  for (const effect of orderEffects(from, event, to)) {
    const doc = await EFFECTS[effect](trx, entered, follow);
    if (effect !== 'status_update') sent[effect] = doc;
  }
  return { orderId, from, to, event, sent };
}

/**
 * Accepts an order: approves it first when it still waits (received, pending approval), then
 * confirms it, which sends the buyer its confirmation (entering confirmed). The one way an order is
 * accepted: by hand (orders/decide.ts: the API and the console) and by the approvals workflow
 * (auto-approval, the last level's approval). Returns the cXML ConfirmationRequest (null: not cXML).
 */
export async function acceptOrder(
  trx: Q,
  follow: FollowUp,
  order: { id: string; state: string },
  by: { actor: string; approveReason: string; confirmReason: string },
  lockedBefore?: LockedOrder,
): Promise<SentDocument | null> {
  // Locked and read once (or by the caller, earlier in this transaction: `lockedBefore`, as it
  // stands now): the confirmation follows the approval in the same transaction.
  const locked = lockedBefore ?? (await lockOrder(trx, order.id));
  let state = locked.state;
  if (canTransition(order.state as OrderState, 'approve'))
    state = (await moveLocked(trx, order.id, locked, 'approve', by.actor, by.approveReason, follow)).to;
  const confirmed = await moveLocked(
    trx,
    order.id,
    { ...locked, state },
    'confirm',
    by.actor,
    by.confirmReason,
    follow,
  );
  return confirmed.sent.accept_confirmation ?? null;
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
