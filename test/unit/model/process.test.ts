import {
  canMove,
  defineProcess,
  eventsFrom,
  IllegalTransitionError,
  moveTo,
  statesAllowing,
  terminalStates,
} from '../../../src/model/process';
import { nextState } from '../../../src/model/order-state';

type S = 'draft' | 'sent' | 'paid' | 'void';
type E = 'send' | 'pay' | 'void';

const invoiceLike = defineProcess<S, E, { open: string }>({
  entity: 'invoice',
  states: ['draft', 'sent', 'paid', 'void'],
  transitions: {
    draft: { send: 'sent', void: 'void' },
    sent: { pay: 'paid', void: 'void' },
    paid: {},
    void: {},
  },
  guards: { pay: (facts) => (facts.open === '0.00' ? null : `${facts.open} still open`) },
});

describe('process definitions', () => {
  it('moves along the table and refuses what it does not list, naming the entity', () => {
    expect(moveTo(invoiceLike, 'draft', 'send')).toBe('sent');
    expect(canMove(invoiceLike, 'paid', 'void')).toBe(false);
    expect(() => moveTo(invoiceLike, 'paid', 'void')).toThrow('an invoice in state "paid" cannot "void"');
  });

  it('runs the guard of an allowed event and says why it refused', () => {
    expect(moveTo(invoiceLike, 'sent', 'pay', { open: '0.00' })).toBe('paid');
    let caught: unknown;
    try {
      moveTo(invoiceLike, 'sent', 'pay', { open: '12.50' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(IllegalTransitionError);
    expect((caught as Error).message).toBe('an invoice in state "sent" cannot "pay": 12.50 still open');
  });

  it('lists events out of a state, terminal states and the states allowing an event', () => {
    expect(eventsFrom(invoiceLike, 'draft')).toEqual(['send', 'void']);
    expect(terminalStates(invoiceLike)).toEqual(['paid', 'void']);
    expect(statesAllowing(invoiceLike, 'void')).toEqual(['draft', 'sent']);
  });

  it('refuses a definition whose table names a state it does not declare', () => {
    expect(() =>
      defineProcess<'a' | 'b', 'go'>({
        entity: 'thing',
        states: ['a'],
        transitions: { a: { go: 'b' }, b: {} },
      }),
    ).toThrow('thing: transition to unknown state b');
  });

  it('keeps the order lifecycle on it, with the message it always had', () => {
    expect(nextState('approved', 'confirm')).toBe('confirmed');
    expect(() => nextState('shipped', 'cancel')).toThrow('an order in state "shipped" cannot "cancel"');
  });
});
