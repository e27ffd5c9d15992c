/**
 * Invoice API (admin creates; finance keys read their own partner's invoices, admin reads all) and
 * the finance web page. A partner key asking for another partner's invoice gets 404, as for one that
 * does not exist.
 */
import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { add, D, dec, formatMoney, withCurrencyScale } from '../model';
import type { Invoice } from '../model';
import { partnerScope, requireAuth } from '../partners/auth';
import { findPartner } from '../partners/repository';
import { apiRoute } from '../platform/api';
import type { AppContext } from '../platform/context';
import { AppError, notFound } from '../platform/errors';
import { financePage } from './page';
import { invoicesForExport, listInvoices } from './queries';
import { renderInvoiceCsv, renderInvoicesCsv } from './render-csv';
import { renderInvoicePdf } from './render-pdf';
import {
  createCreditMemo,
  createInvoice,
  findInvoice,
  invoiceDocument,
  recordPayment,
  resendInvoice,
  type InvoiceRow,
} from './service';

const decimal = z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal string such as "2" or "12.50"');
const lineSchema = z.object({ lineNumber: z.number().int().min(1), quantity: decimal });
const invoiceBody = z.object({
  lines: z.array(lineSchema).min(1).optional(),
  shipping: decimal.optional(),
  discount: decimal.optional(),
  comments: z.array(z.string().max(2000)).optional(),
});
const creditBody = invoiceBody.extend({ reason: z.string().max(2000).optional() });
const day = z.iso.date();
const listQuery = z.object({
  status: z.enum(['draft', 'issued', 'delivered', 'rejected', 'paid', 'credited']).optional(),
  from: day.optional(),
  to: day.optional(),
  order: z.string().optional(),
  partner: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().optional(),
});
export type ListQuery = z.infer<typeof listQuery>;

export function invoiceView(r: InvoiceRow, extra: Record<string, unknown> = {}) {
  return {
    id: r.id,
    partnerId: r.partner_id,
    orderId: r.order_id,
    buyerOrderNumber: r.canonical.buyerOrderNumber,
    supplierOrderNumber: r.canonical.supplierOrderNumber ?? null,
    invoiceNumber: r.invoice_number,
    purpose: r.purpose,
    state: r.state,
    currency: r.currency.trim(),
    subtotal: formatMoney(r.subtotal, r.currency.trim()),
    taxTotal: formatMoney(r.tax_total, r.currency.trim()),
    total: formatMoney(r.total, r.currency.trim()),
    paidAmount: formatMoney(r.paid_amount, r.currency.trim()),
    invoiceDate: r.invoice_date,
    dueDate: r.due_date,
    originalInvoiceId: r.original_invoice_id,
    rejectionReason: r.rejection_reason,
    deliveredAt: r.delivered_at ? new Date(r.delivered_at).toISOString() : null,
    ...extra,
  };
}

async function pdfOf(ctx: AppContext, inv: InvoiceRow): Promise<Buffer> {
  const partner = await findPartner(ctx.db, inv.partner_id);
  return renderInvoicePdf(inv.canonical, {
    supplierName: ctx.config.SUPPLIER_NAME,
    buyerName: partner?.name ?? inv.partner_id,
  });
}

export async function sendInvoiceAs(
  ctx: AppContext,
  res: express.Response,
  inv: InvoiceRow,
  format: 'pdf' | 'csv' | 'cxml' | 'x12',
): Promise<void> {
  if (format === 'pdf') {
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `attachment; filename="${inv.invoice_number}.pdf"`);
    res.send(await pdfOf(ctx, inv));
  } else if (format === 'csv') {
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${inv.invoice_number}.csv"`);
    res.send(renderInvoiceCsv(inv.canonical));
  } else {
    // The bytes delivered in that format (cXML InvoiceDetailRequest or X12 810).
    const doc = await invoiceDocument(ctx.db, inv.id, format);
    if (!doc) throw notFound(`${format === 'x12' ? 'X12' : 'cXML'} invoice document`);
    res.setHeader('Content-Type', doc.content_type);
    res.send(doc.content);
  }
}

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
  ctx: AppContext,
  partnerId: string,
  q: { from: string; to: string; currency: string },
) {
  const cur = q.currency;
  const invBefore = await ctx
    .db('invoices')
    .where({ partner_id: partnerId, currency: cur })
    .where('invoice_date', '<', q.from)
    .sum({ s: 'total' })
    .first();
  const payBefore = await ctx
    .db('payments as p')
    .join('invoices as i', 'i.id', 'p.invoice_id')
    .where({ 'p.partner_id': partnerId, 'i.currency': cur })
    .where('p.paid_on', '<', q.from)
    .sum({ s: 'p.amount' })
    .first();
  const opening = dec(String(invBefore?.s ?? '0')).minus(dec(String(payBefore?.s ?? '0')));
  const invoices = (await ctx
    .db<InvoiceRow>('invoices')
    .where({ partner_id: partnerId, currency: cur })
    .whereBetween('invoice_date', [q.from, q.to])) as InvoiceRow[];
  const payments = await ctx
    .db('payments as p')
    .join('invoices as i', 'i.id', 'p.invoice_id')
    .where({ 'p.partner_id': partnerId, 'i.currency': cur })
    .whereBetween('p.paid_on', [q.from, q.to])
    .select(
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
      date: p.paid_on as string,
      seq: new Date(p.created_at).getTime(),
      kind: 'payment' as const,
      reference: (p.reference as string | null) ?? `payment for ${p.invoice_number}`,
      invoiceId: p.invoice_id as string,
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

function scopedPartner(req: Request, requested: string | undefined): string | undefined {
  const scope = partnerScope(req);
  return scope ?? requested;
}

export function invoiceRoutes(ctx: AppContext): Router {
  const r = Router();
  const admin = [requireAuth(ctx, 'admin')];
  const finance = [requireAuth(ctx, 'admin', 'finance')];
  const tag = 'invoices';
  const actor = (req: Request) => (req.principal?.kind === 'admin' ? 'admin' : `key:${req.principal?.keyId}`);

  apiRoute(
    r,
    {
      method: 'post',
      path: '/api/v1/orders/:id/invoices',
      summary: 'Invoice an order: an empty body bills everything not yet invoiced; lines bill part',
      tag,
      auth: 'admin',
      body: invoiceBody,
      status: 201,
      use: admin,
    },
    async (req, res, { body }) => {
      if (!/^[0-9a-f-]{36}$/i.test(String(req.params.id))) throw notFound('order');
      const inv = await createInvoice(ctx.db, ctx.config, {
        orderId: String(req.params.id),
        request: body,
        actor: actor(req),
        now: ctx.now(),
      });
      ctx.queue.nudge();
      res.status(201).json({ invoice: invoiceView(inv, { lines: withCurrencyScale(inv.canonical).lines }) });
    },
  );
  apiRoute(
    r,
    {
      method: 'post',
      path: '/api/v1/invoices/:id/credit-memos',
      summary: 'Credit memo against an invoice (all uncredited quantities, or the lines given)',
      tag,
      auth: 'admin',
      body: creditBody,
      status: 201,
      use: admin,
    },
    async (req, res, { body }) => {
      if (!(await findInvoice(ctx.db, String(req.params.id)))) throw notFound('invoice');
      const memo = await createCreditMemo(ctx.db, ctx.config, {
        invoiceId: String(req.params.id),
        request: body,
        actor: actor(req),
        now: ctx.now(),
      });
      ctx.queue.nudge();
      res
        .status(201)
        .json({ invoice: invoiceView(memo, { lines: withCurrencyScale(memo.canonical).lines }) });
    },
  );
  apiRoute(
    r,
    {
      method: 'post',
      path: '/api/v1/invoices/:id/resend',
      summary: 'Deliver the stored invoice document again (same bytes and payloadID)',
      tag,
      auth: 'admin',
      status: 202,
      use: admin,
    },
    async (req, res) => {
      await resendInvoice(ctx.db, String(req.params.id));
      ctx.queue.nudge();
      res.status(202).json({ status: 'queued' });
    },
  );
  apiRoute(
    r,
    {
      method: 'post',
      path: '/api/v1/invoices/:id/payments',
      summary: 'Record a payment received for an invoice',
      tag,
      auth: 'admin',
      body: z.object({ amount: decimal, paidOn: day, reference: z.string().max(200).optional() }),
      status: 201,
      use: admin,
    },
    async (req, res, { body }) => {
      if (!(await findInvoice(ctx.db, String(req.params.id)))) throw notFound('invoice');
      const p = await recordPayment(ctx.db, { invoiceId: String(req.params.id), ...body });
      const inv = (await findInvoice(ctx.db, String(req.params.id))) as InvoiceRow;
      res.status(201).json({ payment: { id: p.id, ...body }, invoice: invoiceView(inv) });
    },
  );
  apiRoute(
    r,
    {
      method: 'get',
      path: '/api/v1/invoices',
      summary: 'Invoices and credit memos, newest first, cursor paging (partner keys see their own)',
      tag,
      auth: 'admin or partner',
      query: listQuery,
      use: finance,
    },
    async (req, res, { query }) => {
      const { rows, nextCursor } = await listInvoices(ctx, partnerScope(req), query);
      res.json({ invoices: rows.map((x) => invoiceView(x)), nextCursor });
    },
  );
  apiRoute(
    r,
    {
      method: 'get',
      path: '/api/v1/invoices/export.csv',
      summary: 'Invoice lines as CSV for a date range',
      tag,
      auth: 'admin or partner',
      query: z.object({ from: day.optional(), to: day.optional(), partner: z.string().optional() }),
      responseContentType: 'text/csv',
      use: finance,
    },
    async (req, res, { query }) => {
      const scope = scopedPartner(req, query.partner);
      const rows = await invoicesForExport(ctx, scope, {
        ...(query.from ? { from: query.from } : {}),
        ...(query.to ? { to: query.to } : {}),
      });
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', 'attachment; filename="invoices.csv"');
      res.send(renderInvoicesCsv(rows.map((x) => x.canonical as Invoice)));
    },
  );
  apiRoute(
    r,
    {
      method: 'get',
      path: '/api/v1/invoices/:id',
      summary: 'One invoice: JSON, or ?format=cxml|x12 (the bytes delivered in that format), pdf or csv',
      tag,
      auth: 'admin or partner',
      query: z.object({ format: z.enum(['json', 'cxml', 'x12', 'pdf', 'csv']).default('json') }),
      use: finance,
    },
    async (req, res, { query }) => {
      const inv = await findInvoice(ctx.db, String(req.params.id), partnerScope(req));
      if (!inv) throw notFound('invoice');
      if (query.format !== 'json') return sendInvoiceAs(ctx, res, inv, query.format);
      const doc = await invoiceDocument(ctx.db, inv.id);
      const payments = await ctx.db('payments').where({ invoice_id: inv.id }).orderBy('paid_on');
      res.json({
        invoice: invoiceView(inv, {
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
        }),
      });
    },
  );
  apiRoute(
    r,
    {
      method: 'get',
      path: '/api/v1/statement',
      summary: 'Account statement: opening balance, invoices, credit memos, payments, closing balance',
      tag,
      auth: 'admin or partner',
      query: z.object({
        from: day,
        to: day,
        partner: z.string().optional(),
        currency: z
          .string()
          .regex(/^[A-Z]{3}$/)
          .optional(),
      }),
      use: finance,
    },
    async (req, res, { query }) => {
      const partnerId = scopedPartner(req, query.partner);
      if (!partnerId) throw new AppError('validation_failed', 'partner is required with the admin token');
      const partner = await findPartner(ctx.db, partnerId);
      if (!partner) throw notFound('partner');
      res.json({
        statement: await statement(ctx, partnerId, {
          from: query.from,
          to: query.to,
          currency: query.currency ?? partner.currency,
        }),
      });
    },
  );

  r.use('/finance', express.urlencoded({ extended: false, limit: '10kb' }));
  r.use(financePage(ctx));
  return r;
}
