import { INVOICE_PROCESS, nextInvoiceState } from '../../../src/model/invoice-state';
import { statesAllowing, terminalStates } from '../../../src/model/process';

describe('the invoice process', () => {
  it("lets the buyer's answer move an invoice only while it is open, as the delivery hook did", () => {
    expect(statesAllowing(INVOICE_PROCESS, 'deliver')).toEqual(['issued', 'rejected']);
    expect(statesAllowing(INVOICE_PROCESS, 'reject')).toEqual(['issued', 'delivered']);
    expect(() => nextInvoiceState('paid', 'deliver')).toThrow('an invoice in state "paid" cannot "deliver"');
  });

  it('a resend reopens a delivered or rejected invoice but leaves a paid or credited one as it is', () => {
    expect(nextInvoiceState('rejected', 'resend')).toBe('issued');
    expect(nextInvoiceState('delivered', 'resend')).toBe('issued');
    expect(nextInvoiceState('paid', 'resend')).toBe('paid');
    expect(nextInvoiceState('credited', 'resend')).toBe('credited');
  });

  it('a credited invoice cannot be paid; every open state can be credited; nothing is terminal', () => {
    expect(() => nextInvoiceState('credited', 'pay')).toThrow('cannot "pay"');
    expect(statesAllowing(INVOICE_PROCESS, 'credit')).toEqual([
      'issued',
      'delivered',
      'rejected',
      'paid',
      'credited',
    ]);
    expect(terminalStates(INVOICE_PROCESS)).toEqual([]);
  });
});
