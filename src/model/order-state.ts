import { canMove, defineProcess, effectsOf, IllegalTransitionError, moveTo } from './process';

/**
 * The order lifecycle as data (a process definition, src/model/process.ts). Every change of state goes
 * through `nextState`, and `orders/lifecycle.ts` persists it with who, when and why (order_events) and
 * runs its follow-ups (ORDER_PROCESS's onEnter and onEvent) in the same transaction.
 */
export const ORDER_STATES = [
  'received',
  'pending_approval',
  'approved',
  'rejected',
  'confirmed',
  'partially_shipped',
  'shipped',
  'invoiced',
  'closed',
  'cancelled',
] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export const ORDER_EVENTS = [
  'submit_for_approval',
  'approve',
  'reject',
  'confirm',
  'ship_partial',
  'ship_complete',
  'invoice',
  'close',
  'cancel',
  'change',
] as const;
export type OrderEvent = (typeof ORDER_EVENTS)[number];

type Table = Record<OrderState, Partial<Record<OrderEvent, OrderState>>>;

export const ORDER_TRANSITIONS: Readonly<Table> = {
  received: {
    submit_for_approval: 'pending_approval',
    approve: 'approved',
    reject: 'rejected',
    cancel: 'cancelled',
    change: 'received',
  },
  pending_approval: { approve: 'approved', reject: 'rejected', cancel: 'cancelled', change: 'received' },
  approved: { confirm: 'confirmed', cancel: 'cancelled', change: 'received' },
  rejected: {},
  confirmed: {
    ship_partial: 'partially_shipped',
    ship_complete: 'shipped',
    invoice: 'invoiced',
    cancel: 'cancelled',
    change: 'received',
  },
  partially_shipped: {
    ship_partial: 'partially_shipped',
    ship_complete: 'shipped',
    invoice: 'partially_shipped',
  },
  shipped: { invoice: 'invoiced', close: 'closed' },
  invoiced: { invoice: 'invoiced', ship_partial: 'invoiced', ship_complete: 'invoiced', close: 'closed' },
  closed: {},
  cancelled: {},
};

/**
 * The follow-up documents of the order lifecycle, by name (orders/lifecycle.ts runs them in the
 * transition's transaction): a StatusUpdateRequest on entering any state the partner asked to hear
 * about (`cxml.statusUpdates`), the ConfirmationRequest / 855 accepting or rejecting the order on
 * entering confirmed or rejected, the ShipNoticeRequest / 856 of each shipment.
 */
export const ORDER_EFFECTS = [
  'status_update',
  'accept_confirmation',
  'reject_confirmation',
  'ship_notice',
] as const;
export type OrderEffect = (typeof ORDER_EFFECTS)[number];

const told = (...more: OrderEffect[]): readonly OrderEffect[] => ['status_update', ...more];

export const ORDER_PROCESS = defineProcess<OrderState, OrderEvent, undefined, OrderEffect>({
  entity: 'order',
  states: ORDER_STATES,
  transitions: ORDER_TRANSITIONS,
  onEnter: {
    received: told(),
    pending_approval: told(),
    approved: told(),
    rejected: told('reject_confirmation'),
    confirmed: told('accept_confirmation'),
    partially_shipped: told(),
    shipped: told(),
    invoiced: told(),
    closed: told(),
    cancelled: told(),
  },
  // A shipment recorded on an invoiced order leaves it invoiced and still gets its ship notice.
  onEvent: { ship_partial: ['ship_notice'], ship_complete: ['ship_notice'] },
});

export { IllegalTransitionError };

export function canTransition(from: OrderState, event: OrderEvent): boolean {
  return canMove(ORDER_PROCESS, from, event);
}

export function nextState(from: OrderState, event: OrderEvent): OrderState {
  return moveTo(ORDER_PROCESS, from, event);
}

/** The follow-ups of a transition, in the order they run (see ORDER_PROCESS). */
export function orderEffects(from: OrderState, event: OrderEvent, to: OrderState): OrderEffect[] {
  return effectsOf(ORDER_PROCESS, from, event, to);
}

/** States in which goods have left the warehouse: a buyer's cancel is refused. */
export const SHIPPED_STATES: readonly OrderState[] = ['partially_shipped', 'shipped', 'invoiced', 'closed'];
