import { defineProcess, moveTo, canMove } from './process';
import { INVOICE_STATES, type InvoiceState } from './invoice';

/**
 * The invoice lifecycle as data (a process definition, src/model/process.ts); `invoices/lifecycle.ts`
 * persists each move with who, when and why (invoice_events).
 *
 * An invoice (or credit memo) is issued when it is created (the number is only taken then: `draft`
 * exists for the model, nothing creates it). The buyer's answer to its delivery makes it delivered or
 * rejected; a resend makes it issued again (a paid or credited invoice keeps its state: sending the
 * same document again does not reopen it); payments reaching what is due make it paid; credit memos
 * cancelling its whole total make it credited.
 */
export const INVOICE_EVENTS = ['create', 'issue', 'deliver', 'reject', 'resend', 'pay', 'credit'] as const;
export type InvoiceEvent = (typeof INVOICE_EVENTS)[number];

export const INVOICE_PROCESS = defineProcess<InvoiceState, InvoiceEvent>({
  entity: 'invoice',
  states: INVOICE_STATES,
  transitions: {
    draft: { issue: 'issued' },
    issued: { deliver: 'delivered', reject: 'rejected', resend: 'issued', pay: 'paid', credit: 'credited' },
    delivered: { reject: 'rejected', resend: 'issued', pay: 'paid', credit: 'credited' },
    rejected: { deliver: 'delivered', resend: 'issued', pay: 'paid', credit: 'credited' },
    paid: { resend: 'paid', pay: 'paid', credit: 'credited' },
    credited: { resend: 'credited', credit: 'credited' },
  },
});

export const canInvoiceMove = (from: InvoiceState, event: InvoiceEvent): boolean =>
  canMove(INVOICE_PROCESS, from, event);

export const nextInvoiceState = (from: InvoiceState, event: InvoiceEvent): InvoiceState =>
  moveTo(INVOICE_PROCESS, from, event);
