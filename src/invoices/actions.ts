/**
 * The invoice use cases the API and the pages call: invoice an order, credit an invoice, resend,
 * record a payment, and one invoice with its delivery and payments. Each takes the context, so the
 * routes never touch the database.
 */
import { formatMoney, withCurrencyScale } from '../model';
import type { DecimalString } from '../model';
import type { AppContext } from '../platform/context';
import { isUuid } from '../platform/db';
import { notFound } from '../platform/errors';
import { createInvoice } from './create';
import { createCreditMemo } from './credit-memo';
import {
  findInvoice,
  invoiceDocument,
  recordPayment,
  resendInvoice,
  type InvoiceRequest,
  type InvoiceRow,
  type PaymentRow,
} from './service';
import { OPEN_AMOUNT_SQL } from './queries';
import { invoiceView } from './views';

type Ctx = Pick<AppContext, 'db' | 'config' | 'queue' | 'now'>;

/** The invoice `id` within `scope` (a partner id; undefined for the supplier's staff), or 404. */
export async function visibleInvoice(
  ctx: Pick<AppContext, 'db'>,
  id: string,
  scope?: string,
): Promise<InvoiceRow> {
  const inv = await findInvoice(ctx.db, id, scope);
  if (!inv) throw notFound('invoice');
  return inv;
}

export async function invoiceOrder(ctx: Ctx, orderId: string, request: InvoiceRequest, actor: string) {
  if (!isUuid(orderId)) throw notFound('order');
  const inv = await createInvoice(ctx.db, ctx.config, { orderId, request, actor, now: ctx.now() });
  ctx.queue.nudge();
  return inv;
}

export async function creditInvoice(
  ctx: Ctx,
  invoiceId: string,
  request: InvoiceRequest & { reason?: string },
  actor: string,
) {
  await visibleInvoice(ctx, invoiceId);
  const memo = await createCreditMemo(ctx.db, ctx.config, { invoiceId, request, actor, now: ctx.now() });
  ctx.queue.nudge();
  return memo;
}

export async function resendInvoiceNow(ctx: Ctx, invoiceId: string, actor: string): Promise<void> {
  await resendInvoice(ctx.db, invoiceId, actor);
  ctx.queue.nudge();
}

export async function recordInvoicePayment(
  ctx: Ctx,
  invoiceId: string,
  payment: { amount: DecimalString; paidOn: string; reference?: string },
  actor: string,
) {
  await visibleInvoice(ctx, invoiceId);
  const p = await recordPayment(ctx.db, { invoiceId, ...payment, actor });
  return { payment: p, invoice: await visibleInvoice(ctx, invoiceId) };
}

/** One invoice as the API shows it: the canonical invoice, its delivery and its payments. */
export async function invoiceDetail(ctx: Pick<AppContext, 'db'>, inv: InvoiceRow) {
  const doc = await invoiceDocument(ctx.db, inv.id);
  const payments = await ctx.db<PaymentRow>('payments').where({ invoice_id: inv.id }).orderBy('paid_on');
  const open = await ctx
    .db('invoices')
    .where({ id: inv.id })
    .first<{ open_amount: string } | undefined>(ctx.db.raw(`${OPEN_AMOUNT_SQL}::text as open_amount`));
  return invoiceView(
    { ...inv, open_amount: String(open?.open_amount ?? '0') },
    {
      canonical: withCurrencyScale(inv.canonical),
      delivery: doc
        ? {
            documentId: doc.id,
            payloadId: doc.external_id,
            status: doc.delivery_status,
            attempts: doc.attempts,
            lastError: doc.last_error,
          }
        : null,
      payments: payments.map((p) => ({
        id: p.id,
        amount: formatMoney(p.amount, inv.currency.trim()),
        paidOn: p.paid_on,
        reference: p.reference,
      })),
    },
  );
}
