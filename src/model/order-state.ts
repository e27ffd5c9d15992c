import { canMove, defineProcess, IllegalTransitionError, moveTo } from './process';

/**
 * The order lifecycle as data (a process definition, src/model/process.ts). Every change of state goes
 * through `nextState`, and `orders/lifecycle.ts` persists it with who, when and why (order_events).
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

export const ORDER_PROCESS = defineProcess<OrderState, OrderEvent>({
  entity: 'order',
  states: ORDER_STATES,
  transitions: ORDER_TRANSITIONS,
});

export { IllegalTransitionError };

export function canTransition(from: OrderState, event: OrderEvent): boolean {
  return canMove(ORDER_PROCESS, from, event);
}

export function nextState(from: OrderState, event: OrderEvent): OrderState {
  return moveTo(ORDER_PROCESS, from, event);
}

/** States in which goods have left the warehouse: a buyer's cancel is refused. */
export const SHIPPED_STATES: readonly OrderState[] = ['partially_shipped', 'shipped', 'invoiced', 'closed'];
