/**
 * The one way an invoice changes state (the process of src/model/invoice-state.ts), with who, when
 * and why written to invoice_events in the same statement as the state.
 */
import type { InvoiceState } from '../model/invoice';
import { canInvoiceMove, nextInvoiceState, type InvoiceEvent } from '../model/invoice-state';
import type { Q } from '../platform/db';
import type { TransitionEventRow } from '../platform/lifecycle';
import { AppError } from '../platform/errors';

export interface InvoiceTransition {
  invoiceId: string;
  from: InvoiceState;
  to: InvoiceState;
  event: InvoiceEvent;
}

/** Columns that change with a move: when it was delivered, why it was rejected. */
export interface InvoiceChanges {
  deliveredAt?: 'now';
  rejectionReason?: string | null;
}

interface Options {
  /** A move the process does not allow changes nothing and answers null (instead of a 409). */
  ifAllowed?: boolean;
  changes?: InvoiceChanges;
}

/**
 * Locks the invoice row, checks the process, writes the new state (and `changes`) and an
 * invoice_events row with the actor and reason. Run it inside the transaction that makes the
 * change. A move the process refuses is a conflict (409) naming the state, or with `ifAllowed` null
 * (the delivery outcome of an invoice paid in the meantime, say).
 */
export async function transitionInvoice(
  trx: Q,
  invoiceId: string,
  event: InvoiceEvent,
  actor: string,
  reason?: string | null,
  opts: Options = {},
): Promise<InvoiceTransition | null> {
  const row = await trx<{ id: string; state: InvoiceState }>('invoices')
    .where({ id: invoiceId })
    .forUpdate()
    .first('state');
  if (!row) throw new AppError('not_found', 'invoice not found');
  const from = row.state;
  if (opts.ifAllowed && !canInvoiceMove(from, event)) return null;
  let to: InvoiceState;
  try {
    to = nextInvoiceState(from, event);
  } catch (err) {
    throw new AppError('conflict', (err as Error).message);
  }
  const c = opts.changes ?? {};
  const sets = ['state = :to'];
  if (c.deliveredAt) sets.push('delivered_at = now()');
  if (c.rejectionReason !== undefined) sets.push('rejection_reason = :rejectionReason');
  await trx.raw(
    `with moved as (update invoices set ${sets.join(', ')} where id = :invoiceId)
     insert into invoice_events (invoice_id, event, from_state, to_state, actor, reason)
     values (:invoiceId, :event, :from, :to, :actor, :reason)`,
    {
      invoiceId,
      event,
      from,
      to,
      actor,
      reason: reason ?? null,
      rejectionReason: c.rejectionReason ?? null,
    },
  );
  return { invoiceId, from, to, event };
}

/** The invoice_events row of a new invoice (inserted with it). */
export function invoiceCreatedEvent(invoiceId: string, actor: string, reason?: string) {
  return {
    invoice_id: invoiceId,
    event: 'create',
    from_state: null,
    to_state: 'issued',
    actor,
    reason: reason ?? null,
  };
}

export interface InvoiceEventRow extends TransitionEventRow {
  invoice_id: string;
  id: number | string;
}

/** An invoice's timeline, oldest first. */
export async function invoiceEvents(q: Q, invoiceId: string): Promise<InvoiceEventRow[]> {
  return q<InvoiceEventRow>('invoice_events').where({ invoice_id: invoiceId }).orderBy('id');
}
