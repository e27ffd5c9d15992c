import {
  canTransition,
  computedTotal,
  formatMoney,
  nextState,
  roundMoney,
  totalMatches,
  dec,
} from '../../../src/model';
import type { Order } from '../../../src/model';

describe('money', () => {
  it('rounds half-up to the currency minor unit', () => {
    expect(formatMoney('37.035', 'USD')).toBe('37.04');
    expect(formatMoney('1234.5', 'JPY')).toBe('1235');
    expect(formatMoney('1.2345', 'KWD')).toBe('1.235');
    expect(roundMoney('0.1', 'USD').plus('0.2').toFixed()).toBe('0.3');
  });
  it('refuses anything that is not a plain decimal', () => {
    expect(() => dec('1e5')).toThrow(RangeError);
    expect(() => dec('12,50')).toThrow(RangeError);
    expect(() => dec('')).toThrow(RangeError);
  });
  it('totals lines, tax and shipping without floats', () => {
    const order = {
      currency: 'USD',
      lines: [
        { quantity: '3', unitPrice: '12.3450' },
        { quantity: '0.1', unitPrice: '0.2' },
      ],
      tax: { amount: '0.1' },
      shipping: { amount: '0.2' },
      total: '37.36',
    } as unknown as Order;
    expect(computedTotal(order)).toBe('37.36');
    expect(totalMatches(order)).toBe(true);
    expect(totalMatches({ ...order, total: '37.50' })).toBe(false);
  });
});

describe('order state table', () => {
  it('allows only the listed transitions', () => {
    expect(nextState('received', 'submit_for_approval')).toBe('pending_approval');
    expect(nextState('approved', 'confirm')).toBe('confirmed');
    expect(canTransition('shipped', 'cancel')).toBe(false);
    expect(() => nextState('rejected', 'approve')).toThrow(/cannot "approve"/);
  });
});
