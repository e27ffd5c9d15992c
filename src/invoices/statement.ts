/**
 * A partner's account statement in one currency: opening balance, invoices (+), credit memos and
 * payments (-) in date order with the running balance, closing balance.
 */
import { add, D, dec, formatMoney } from '../model';
import { findPartner } from '../partners/repository';
import type { AppContext } from '../platform/context';
import { notFound } from '../platform/errors';
import type { InvoiceRow, PaymentRow } from './service';

type Ctx = Pick<AppContext, 'db'>;

interface StatementEntry {
  date: string;
  kind: 'invoice' | 'creditMemo' | 'payment';
  reference: string;
  invoiceId: string;
  amount: string;
  balance: string;
}

/** Opening balance, entries (invoices +, credit memos and payments -), closing balance, one currency. */
export async function statement(
  ctx: Ctx,
  partnerId: string,
  q: { from: string; to: string; currency: string },
) {
  const cur = q.currency;
  const db = ctx.db;
  const invBefore = await db('invoices')
    .where({ partner_id: partnerId, currency: cur })
    .where('invoice_date', '<', q.from)
    .sum({ s: 'total' })
    .first();
  const payBefore = await db('payments as p')
    .join('invoices as i', 'i.id', 'p.invoice_id')
    .where({ 'p.partner_id': partnerId, 'i.currency': cur })
    .where('p.paid_on', '<', q.from)
    .sum({ s: 'p.amount' })
    .first();
  const opening = dec(String(invBefore?.s ?? '0')).minus(dec(String(payBefore?.s ?? '0')));
  const invoices = await db<InvoiceRow>('invoices')
    .where({ partner_id: partnerId, currency: cur })
    .whereBetween('invoice_date', [q.from, q.to]);
  const payments = await db('payments as p')
    .join('invoices as i', 'i.id', 'p.invoice_id')
    .where({ 'p.partner_id': partnerId, 'i.currency': cur })
    .whereBetween('p.paid_on', [q.from, q.to])
    .select<(PaymentRow & { invoice_number: string })[]>(
      'p.id',
      'p.amount',
      'p.paid_on',
      'p.reference',
      'p.created_at',
      'i.id as invoice_id',
      'i.invoice_number',
    );
  const raw = [
    ...invoices.map((i) => ({
      date: i.invoice_date,
      seq: new Date(i.created_at).getTime(),
      kind: i.purpose === 'creditMemo' ? ('creditMemo' as const) : ('invoice' as const),
      reference: i.invoice_number,
      invoiceId: i.id,
      amount: dec(i.total),
    })),
    ...payments.map((p) => ({
      date: p.paid_on,
      seq: new Date(p.created_at).getTime(),
      kind: 'payment' as const,
      reference: p.reference ?? `payment for ${p.invoice_number}`,
      invoiceId: p.invoice_id,
      amount: dec(p.amount).negated(),
    })),
  ].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.seq - b.seq));
  let balance = opening;
  const entries: StatementEntry[] = raw.map((e) => {
    balance = balance.plus(e.amount);
    return {
      date: e.date,
      kind: e.kind,
      reference: e.reference,
      invoiceId: e.invoiceId,
      amount: formatMoney(e.amount, cur),
      balance: formatMoney(balance, cur),
    };
  });
  const sum = (kind: StatementEntry['kind']) =>
    formatMoney(add(new D(0), ...raw.filter((e) => e.kind === kind).map((e) => e.amount)), cur);
  return {
    partnerId,
    currency: cur,
    from: q.from,
    to: q.to,
    openingBalance: formatMoney(opening, cur),
    invoiced: sum('invoice'),
    credited: sum('creditMemo'),
    paid: sum('payment'),
    closingBalance: formatMoney(balance, cur),
    entries,
  };
}

/** The statement of `partnerId` (404 when there is no such partner), in its currency by default. */
export async function partnerStatement(
  ctx: Ctx,
  partnerId: string,
  q: { from: string; to: string; currency?: string },
) {
  const partner = await findPartner(ctx.db, partnerId);
  if (!partner) throw notFound('partner');
  return statement(ctx, partnerId, { from: q.from, to: q.to, currency: q.currency ?? partner.currency });
}
