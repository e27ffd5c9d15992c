/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The console's Invoices screen (admins, operators, and finance users within their partner limit):
 * the invoices and credit memos with filters, sorting and paging, one invoice with its header, lines,
 * state timeline, documents, deliveries and credit memos, its PDF and CSV, and the API's resend and
 * full credit memo. An invoice outside the user's limit is not found (404), on every route.
 */
import type { Request } from 'express';
import { invoiceLimit, mayInvoices } from '../console/access';
import { field } from '../console/form';
import { refusedGoesBack, type ConsoleScreen } from '../console/screens';
import { AppError } from '../platform/errors';
import { pagingFrom, sendPage } from '../platform/pages';
import { invoiceConsole } from './console-actions';
import { consoleFilters, InvoiceList, INVOICES_PER_PAGE, type ConsoleFilters } from './console-views';
import { InvoicePage } from './invoice-views';
import type { InvoiceFilter } from './queries';

/** Errors that refuse an action (the invoice is as it was): shown as a flash on the invoice. */

/** The use case's filter: the form's non-empty fields. */
function filterOf(f: ConsoleFilters): InvoiceFilter {
  const out: InvoiceFilter = {};
  if (f.partner) out.partner = f.partner;
  if (f.status) out.status = f.status;
  if (f.order) out.order = f.order;
  if (f.po) out.po = f.po;
  if (f.supplierOrder) out.supplierOrder = f.supplierOrder;
  if (f.from) out.from = f.from;
  if (f.to) out.to = f.to;
  if (f.dueFrom) out.dueFrom = f.dueFrom;
  if (f.dueTo) out.dueTo = f.dueTo;
  if (f.openMin) out.openMin = f.openMin;
  if (f.openMax) out.openMax = f.openMax;
  return out;
}

const back = (req: Request) => `/console/invoices/${String(req.params.id)}`;

export const invoiceScreen: ConsoleScreen = {
  tile: { href: '/console/invoices', label: 'Invoices', id: 'to-invoices', may: mayInvoices },
  routes(r, kit) {
    const uc = invoiceConsole(kit.ctx);
    const allowed = kit.needs(mayInvoices, 'it is for operators and finance users');
    const scope = (req: Request) => invoiceLimit(kit.me(req));
    r.get('/console/invoices', allowed, async (req, res) => {
      const parsed = consoleFilters.safeParse(req.query);
      if (!parsed.success)
        throw new AppError(
          'bad_request',
          `invalid filter: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
        );
      const f = parsed.data;
      const paging = pagingFrom(req.query, { limit: INVOICES_PER_PAGE, maxLimit: 200 });
      const page = await uc.list(scope(req), filterOf(f), paging, f.sort || '-date');
      sendPage(res, kit.chrome(req), {
        title: 'Invoices',
        body: <InvoiceList f={f} items={page.items} total={page.total} paging={paging} />,
      });
    });
    r.get(/^\/console\/invoices\/([0-9a-f-]{36})\.(pdf|csv)$/, allowed, async (req, res) => {
      const params = req.params as unknown as Record<string, string>;
      const format = params[1] === 'csv' ? 'csv' : 'pdf';
      const file = await uc.file(String(params[0]), scope(req), format);
      res.setHeader('Content-Type', file.contentType);
      if (file.filename) res.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`);
      res.send(file.body);
    });
    r.get('/console/invoices/:id', allowed, async (req, res) => {
      const d = await uc.detail(String(req.params.id), scope(req));
      sendPage(res, kit.chrome(req), {
        title: `${d.invoice.purpose === 'creditMemo' ? 'Credit memo' : 'Invoice'} ${d.invoice.invoiceNumber}`,
        flash: await kit.flash(req),
        body: <InvoicePage d={d} csrf={kit.csrf(req)} />,
      });
    });
    const guard = [kit.form, allowed, kit.checkCsrf];
    const act = refusedGoesBack(kit, back);
    r.post(
      '/console/invoices/:id/resend',
      ...guard,
      act(async (req, res) => {
        const inv = await uc.resend(String(req.params.id), scope(req), kit.audit(req));
        await kit.done(
          req,
          res,
          `Invoice ${inv.invoice_number} is on its way to the buyer again.`,
          back(req),
        );
      }),
    );
    r.post(
      '/console/invoices/:id/credit',
      ...guard,
      act(async (req, res) => {
        const reason = field(req, 'reason').trim();
        if (!reason) throw new AppError('validation_failed', 'a credit memo needs a reason');
        const memo = await uc.credit(String(req.params.id), scope(req), reason, kit.audit(req));
        await kit.done(
          req,
          res,
          `Credit memo ${memo.invoice_number} created and queued to the buyer.`,
          back(req),
        );
      }),
    );
  },
};
