/**
 * The lifecycles as data (issue 14 pt 5): each definition's allowed and refused moves, the targets
 * of the single guarded UPDATEs built on them, and the order's follow-ups by transition.
 */
import { APPROVAL_PROCESS } from '../../../src/model/approval-state';
import { DELIVERY_PROCESS, OUTCOME_EVENT } from '../../../src/model/delivery-state';
import { ORDER_PROCESS, orderEffects } from '../../../src/model/order-state';
import {
  canMove,
  defineProcess,
  effectsOf,
  eventsFrom,
  guardRefusal,
  moveTo,
  statesAllowing,
  targetOf,
  terminalStates,
} from '../../../src/model/process';
import { SESSION_PROCESS } from '../../../src/model/punchout-state';

describe('approval levels', () => {
  it('open from waiting, decided once from pending, and nothing leaves a decided level', () => {
    expect(moveTo(APPROVAL_PROCESS, 'waiting', 'open')).toBe('pending');
    const facts = { orderState: 'pending_approval', orderVersion: 1, levelVersion: 1 };
    expect(moveTo(APPROVAL_PROCESS, 'pending', 'approve', facts)).toBe('approved');
    expect(moveTo(APPROVAL_PROCESS, 'pending', 'reject', facts)).toBe('rejected');
    expect(() => moveTo(APPROVAL_PROCESS, 'waiting', 'approve')).toThrow(
      'an approval level in state "waiting" cannot "approve"',
    );
    expect(() => moveTo(APPROVAL_PROCESS, 'approved', 'reject')).toThrow(
      'an approval level in state "approved" cannot "reject"',
    );
    expect(terminalStates(APPROVAL_PROCESS)).toEqual([
      'approved',
      'rejected',
      'expired',
      'superseded',
      'cancelled',
    ]);
  });

  it('refuses a decision on a stale level, saying why', () => {
    const waiting = { orderState: 'pending_approval', orderVersion: 2, levelVersion: 2 };
    expect(moveTo(APPROVAL_PROCESS, 'pending', 'approve', waiting)).toBe('approved');
    expect(guardRefusal(APPROVAL_PROCESS, 'pending', 'reject', waiting)).toBeNull();
    expect(guardRefusal(APPROVAL_PROCESS, 'pending', 'approve', { ...waiting, levelVersion: 1 })).toBe(
      'order is pending_approval (version 2); this approval is stale',
    );
    expect(() =>
      moveTo(APPROVAL_PROCESS, 'pending', 'reject', { ...waiting, orderState: 'confirmed' }),
    ).toThrow(
      'an approval level in state "pending" cannot "reject": order is confirmed (version 2); this approval is stale',
    );
    // Moves that decide nothing have no guard.
    expect(
      guardRefusal(APPROVAL_PROCESS, 'pending', 'expire', { ...waiting, orderState: 'confirmed' }),
    ).toBeNull();
  });

  it('escalates only an open level, and keeps it open', () => {
    expect(statesAllowing(APPROVAL_PROCESS, 'escalate')).toEqual(['pending']);
    expect(targetOf(APPROVAL_PROCESS, 'escalate')).toBe('pending');
  });

  it('supersedes and expires every undecided level; a rejection cancels only the waiting ones', () => {
    expect(statesAllowing(APPROVAL_PROCESS, 'supersede')).toEqual(['waiting', 'pending']);
    expect(statesAllowing(APPROVAL_PROCESS, 'expire')).toEqual(['waiting', 'pending']);
    expect(statesAllowing(APPROVAL_PROCESS, 'cancel')).toEqual(['waiting']);
    expect(canMove(APPROVAL_PROCESS, 'pending', 'cancel')).toBe(false);
  });
});

describe('deliveries', () => {
  it('an attempt decides only a pending delivery', () => {
    for (const outcome of ['delivered', 'rejected', 'failed'] as const) {
      const event = OUTCOME_EVENT[outcome];
      expect(statesAllowing(DELIVERY_PROCESS, event)).toEqual(['pending']);
      expect(targetOf(DELIVERY_PROCESS, event)).toBe(outcome);
    }
    expect(() => moveTo(DELIVERY_PROCESS, 'delivered', 'fail')).toThrow(
      'a delivery in state "delivered" cannot "fail"',
    );
  });

  it('an operator retries any undelivered delivery and cancels only a pending or failed one', () => {
    expect(statesAllowing(DELIVERY_PROCESS, 'retry')).toEqual(['pending', 'rejected', 'failed', 'cancelled']);
    expect(statesAllowing(DELIVERY_PROCESS, 'cancel')).toEqual(['pending', 'failed']);
    expect(canMove(DELIVERY_PROCESS, 'delivered', 'retry')).toBe(false);
    expect(() => moveTo(DELIVERY_PROCESS, 'rejected', 'cancel')).toThrow(
      'a delivery in state "rejected" cannot "cancel"',
    );
  });

  it('a resend starts any delivery again, a delivered one too', () => {
    expect(statesAllowing(DELIVERY_PROCESS, 'resend')).toEqual([...DELIVERY_PROCESS.states]);
    expect(targetOf(DELIVERY_PROCESS, 'resend')).toBe('pending');
    expect(terminalStates(DELIVERY_PROCESS)).toEqual([]);
  });
});

describe('punchout sessions', () => {
  it('an open session is transferred or cancelled once', () => {
    expect(eventsFrom(SESSION_PROCESS, 'open')).toEqual(['transfer', 'cancel']);
    expect(moveTo(SESSION_PROCESS, 'open', 'transfer')).toBe('transferred');
    expect(() => moveTo(SESSION_PROCESS, 'transferred', 'cancel')).toThrow(
      'a punchout session in state "transferred" cannot "cancel"',
    );
    expect(() => moveTo(SESSION_PROCESS, 'cancelled', 'transfer')).toThrow(
      'a punchout session in state "cancelled" cannot "transfer"',
    );
    expect(statesAllowing(SESSION_PROCESS, 'transfer')).toEqual(['open']);
  });
});

describe('order follow-ups', () => {
  it('entering confirmed or rejected sends the confirmation once, after the status update', () => {
    expect(orderEffects('approved', 'confirm', 'confirmed')).toEqual([
      'status_update',
      'accept_confirmation',
    ]);
    expect(orderEffects('pending_approval', 'reject', 'rejected')).toEqual([
      'status_update',
      'reject_confirmation',
    ]);
    expect(orderEffects('received', 'approve', 'approved')).toEqual(['status_update']);
  });

  it('every shipment gets its ship notice, on an invoiced order (a self-loop) too', () => {
    expect(orderEffects('confirmed', 'ship_partial', 'partially_shipped')).toEqual([
      'status_update',
      'ship_notice',
    ]);
    expect(orderEffects('partially_shipped', 'ship_partial', 'partially_shipped')).toEqual(['ship_notice']);
    expect(orderEffects('invoiced', 'ship_complete', 'invoiced')).toEqual(['ship_notice']);
  });

  it('a self-loop enters nothing: a change of a received order or a second invoice tells nobody', () => {
    expect(orderEffects('received', 'change', 'received')).toEqual([]);
    expect(orderEffects('invoiced', 'invoice', 'invoiced')).toEqual([]);
    expect(orderEffects('confirmed', 'change', 'received')).toEqual(['status_update']);
  });

  it('names an effect only for states and events of the table', () => {
    for (const s of Object.keys(ORDER_PROCESS.onEnter ?? {})) expect(ORDER_PROCESS.states).toContain(s);
  });
});

describe('process effects and targets', () => {
  const p = defineProcess<'a' | 'b' | 'c', 'go' | 'stop', undefined, 'bell' | 'log'>({
    entity: 'thing',
    states: ['a', 'b', 'c'],
    transitions: { a: { go: 'b', stop: 'c' }, b: { go: 'b', stop: 'a' }, c: {} },
    onEnter: { b: ['bell', 'log'] },
    onEvent: { go: ['log'] },
  });

  it('runs each named effect once: entering first, then the event', () => {
    expect(effectsOf(p, 'a', 'go', 'b')).toEqual(['bell', 'log']);
    expect(effectsOf(p, 'b', 'go', 'b')).toEqual(['log']);
    expect(effectsOf(p, 'b', 'stop', 'a')).toEqual([]);
    expect(effectsOf(p, null, 'go', 'b')).toEqual(['bell', 'log']);
  });

  it('refuses a single-UPDATE target for an event whose target depends on the state', () => {
    expect(targetOf(p, 'go')).toBe('b');
    expect(() => targetOf(p, 'stop')).toThrow('thing: "stop" leads to c or a');
  });
});
