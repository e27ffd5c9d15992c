/**
 * Invoice API (admin creates; finance keys read their own partner's invoices, admin reads all) and
 * the finance web page. A partner key asking for another partner's invoice gets 404, as for one that
 * does not exist.
 */
import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { partnerScope, requireAuth } from '../partners/auth';
import { apiRoute } from '../platform/api';
import type { AppContext } from '../platform/context';
import { AppError } from '../platform/errors';
import {
  creditInvoice,
  invoiceDetail,
  invoiceOrder,
  recordInvoicePayment,
  resendInvoiceNow,
  visibleInvoice,
} from './actions';
import { financePage } from './page';
import { invoicesForExport, listInvoices } from './queries';
import { partnerStatement } from './statement';
import { createdInvoiceView, invoicesCsv, invoiceView, sendInvoiceAs } from './views';

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
  po: z.string().max(100).optional(),
  supplierOrder: z.string().max(100).optional(),
  dueFrom: day.optional(),
  dueTo: day.optional(),
  openMin: decimal.optional(),
  openMax: decimal.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().optional(),
});
export type ListQuery = z.infer<typeof listQuery>;

function scopedPartner(req: Request, requested: string | undefined): string | undefined {
  const scope = partnerScope(req);
  return scope ?? requested;
}

const tag = 'invoices';
const actor = (req: Request) => (req.principal?.kind === 'admin' ? 'admin' : `key:${req.principal?.keyId}`);

export function invoiceRoutes(ctx: AppContext): Router {
  const r = Router();
  supplierRoutes(r, ctx);
  financeRoutes(r, ctx);
  financeDocumentRoutes(r, ctx);
  r.use('/finance', express.urlencoded({ extended: false, limit: '10kb' }));
  r.use(financePage(ctx));
  return r;
}

/** The supplier's staff: invoice an order, credit an invoice, resend, record a payment. */
function supplierRoutes(r: Router, ctx: AppContext): void {
  const admin = [requireAuth(ctx, 'admin')];
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
      const inv = await invoiceOrder(ctx, String(req.params.id), body, actor(req));
      res.status(201).json(createdInvoiceView(inv));
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
      const memo = await creditInvoice(ctx, String(req.params.id), body, actor(req));
      res.status(201).json(createdInvoiceView(memo));
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
      await resendInvoiceNow(ctx, String(req.params.id), actor(req));
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
      const { payment, invoice } = await recordInvoicePayment(ctx, String(req.params.id), body, actor(req));
      res.status(201).json({ payment: { id: payment.id, ...body }, invoice: invoiceView(invoice) });
    },
  );
}

/** Finance keys (their partner's) and the admin: invoices and the CSV export. */
function financeRoutes(r: Router, ctx: AppContext): void {
  const finance = [requireAuth(ctx, 'admin', 'finance')];
  apiRoute(
    r,
    {
      method: 'get',
      path: '/api/v1/invoices',
      summary:
        'Invoices and credit memos, newest first, cursor paging (partner keys see their own); filters: status, invoice dates, order, PO number, our order number, due dates, open amount',
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
      res.send(await invoicesCsv(ctx, rows));
    },
  );
}

/** Finance keys and the admin: one invoice (JSON or a file), the account statement. */
function financeDocumentRoutes(r: Router, ctx: AppContext): void {
  const finance = [requireAuth(ctx, 'admin', 'finance')];
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
      const inv = await visibleInvoice(ctx, String(req.params.id), partnerScope(req));
      if (query.format !== 'json') return sendInvoiceAs(ctx, res, inv, query.format);
      res.json({ invoice: await invoiceDetail(ctx, inv) });
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
      res.json({ statement: await partnerStatement(ctx, partnerId, query) });
    },
  );
}
