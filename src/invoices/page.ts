/**
 * The finance web page: server-rendered HTML, no script. The finance key (or the admin token) is
 * typed into a form once and starts a page session (src/platform/pages/sessions.ts): the cookie
 * carries the random session id, never the key, so plain links (PDF, CSV, cXML downloads) work
 * without putting the key in a URL or a cookie. Sign-out ends the session on the server.
 */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { formatMoney } from '../model';
import type { AppContext } from '../platform/context';
import { AppError, notFound } from '../platform/errors';
import {
  checkCsrfLater,
  clearSessionCookie,
  csrfToken,
  endPageSession,
  loadPageSession,
  requireCsrf,
  setSessionCookie,
  signInKey,
  startPageSession,
  type SessionSubject,
} from '../platform/pages';
import { authenticateToken, partnerScope, type Principal } from '../partners/auth';
import { listInvoices, sendInvoiceAs } from './routes';
import { findInvoice } from './service';

/** The admin token or a live finance key of a live partner; undefined for anything else. */
async function financeSubject(
  ctx: AppContext,
  req: Request,
  res: Response,
  key: string,
): Promise<SessionSubject | undefined> {
  let p: Principal;
  try {
    p = await authenticateToken(ctx, key, req.ip ?? '', res);
  } catch (err) {
    if (err instanceof AppError && err.code === 'unauthorized') return undefined;
    throw err;
  }
  if (p.kind === 'admin') return { role: 'admin' };
  return p.role === 'finance' ? { role: 'finance', partnerId: p.partnerId, apiKeyId: p.keyId } : undefined;
}

function esc(v: unknown): string {
  return String(v ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}td.n{text-align:right}</style>
</head><body>${body}</body></html>`;
}

const filters = z.object({
  status: z.enum(['', 'draft', 'issued', 'delivered', 'rejected', 'paid', 'credited']).default(''),
  from: z.union([z.literal(''), z.iso.date()]).default(''),
  to: z.union([z.literal(''), z.iso.date()]).default(''),
  order: z.string().max(100).default(''),
  cursor: z.string().max(200).optional(),
});

export function financePage(ctx: AppContext): Router {
  const r = Router();
  r.use('/finance', loadPageSession(ctx, 'finance'));
  /** Pages need a live session: it stands for the key it was made with (the same scope applies). */
  const cookieAuth: RequestHandler = (req, res, next) => {
    const s = req.pageSession;
    if (!s) {
      res.redirect(303, '/finance/login');
      return;
    }
    req.principal =
      s.subject.role === 'admin'
        ? { kind: 'admin' }
        : { kind: 'partner', partnerId: s.subject.partnerId, role: 'finance', keyId: s.subject.apiKeyId };
    next();
  };
  const html = (res: Response, status: number, body: string) => {
    res.setHeader('Content-Security-Policy', PAGE_CSP);
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).type('html').send(body);
  };

  r.get('/finance/login', (req, res) => {
    const csrf = csrfToken(ctx.config, signInKey(req, res, { secure: req.secure }));
    html(
      res,
      200,
      page(
        'Finance sign-in',
        `<h1>Finance sign-in</h1><form method="post" action="/finance/login">
<input type="hidden" name="csrf" value="${esc(csrf)}">
<label>Finance key <input type="password" name="key" autocomplete="off" required></label>
<button type="submit">Sign in</button></form>`,
      ),
    );
  });
  r.post('/finance/login', checkCsrfLater(ctx.config), async (req, res) => {
    const key = typeof req.body?.key === 'string' ? req.body.key.trim() : '';
    const subject = key === '' ? undefined : await financeSubject(ctx, req, res, key);
    if (!subject) {
      html(
        res,
        401,
        page(
          'Finance sign-in',
          '<h1>Finance sign-in</h1><p role="alert">That key is not valid.</p><p><a href="/finance/login">Try again</a></p>',
        ),
      );
      return;
    }
    if (!req.csrfOk) {
      html(
        res,
        403,
        page(
          'Finance sign-in',
          '<h1>Finance sign-in</h1><p role="alert">This form expired.</p><p><a href="/finance/login">Try again</a></p>',
        ),
      );
      return;
    }
    setSessionCookie(req, res, await startPageSession(ctx, 'finance', subject));
    res.redirect(303, '/finance');
  });
  const signedOut = (req: Request, res: Response) => {
    clearSessionCookie(req, res, 'finance');
    res.redirect(303, '/finance/login');
  };
  r.post(
    '/finance/logout',
    (req, res, next) => (req.pageSession ? next() : signedOut(req, res)),
    requireCsrf(
      ctx.config,
      (req) => req.pageSession?.id,
      (_req, res) => html(res, 403, page('Finance', '<p role="alert">This form expired.</p>')),
    ),
    async (req, res) => {
      await endPageSession(ctx, (req.pageSession as { id: string }).id);
      signedOut(req, res);
    },
  );

  r.get('/finance', cookieAuth, async (req, res) => {
    const f = filters.parse(req.query);
    const { rows, nextCursor } = await listInvoices(ctx, partnerScope(req), {
      limit: 50,
      ...(f.status ? { status: f.status } : {}),
      ...(f.from ? { from: f.from } : {}),
      ...(f.to ? { to: f.to } : {}),
      ...(f.order ? { order: f.order } : {}),
      ...(f.cursor ? { cursor: f.cursor } : {}),
    });
    const opt = (v: string) =>
      `<option value="${v}"${f.status === v ? ' selected' : ''}>${v || 'any'}</option>`;
    const trs = rows
      .map((i) => {
        const cur = i.currency.trim();
        const base = `/finance/invoices/${i.id}`;
        return `<tr data-invoice="${esc(i.invoice_number)}"><td>${esc(i.invoice_number)}</td><td>${esc(i.purpose)}</td><td>${esc(i.canonical.buyerOrderNumber)}${i.canonical.supplierOrderNumber ? ` <small class="supplier-order">${esc(i.canonical.supplierOrderNumber)}</small>` : ''}</td><td>${esc(i.invoice_date)}</td><td>${esc(i.due_date)}</td><td>${esc(i.state)}</td><td class="n">${esc(formatMoney(i.total, cur))} ${esc(cur)}</td>
<td><a href="${base}.pdf">PDF</a> <a href="${base}.csv">CSV</a> <a href="${base}.xml">cXML</a>${i.rejection_reason ? ` <small>${esc(i.rejection_reason)}</small>` : ''}</td></tr>`;
      })
      .join('\n');
    const qs = new URLSearchParams({ status: f.status, from: f.from, to: f.to, order: f.order });
    const exportQs = new URLSearchParams({
      ...(f.from ? { from: f.from } : {}),
      ...(f.to ? { to: f.to } : {}),
    });
    html(
      res,
      200,
      page(
        'Invoices',
        `<h1>Invoices</h1>
<form method="get" action="/finance">
<label>Status <select name="status">${['', 'issued', 'delivered', 'rejected', 'paid', 'credited'].map(opt).join('')}</select></label>
<label>From <input type="date" name="from" value="${esc(f.from)}"></label>
<label>To <input type="date" name="to" value="${esc(f.to)}"></label>
<label>Order <input type="text" name="order" value="${esc(f.order)}"></label>
<button type="submit">Filter</button></form>
<p><a href="/finance/export.csv?${esc(exportQs.toString())}">Export CSV</a></p>
<table><thead><tr><th>Number</th><th>Type</th><th>Order</th><th>Date</th><th>Due</th><th>State</th><th>Total</th><th>Download</th></tr></thead>
<tbody>${trs || '<tr><td colspan="8">No invoices match.</td></tr>'}</tbody></table>
${nextCursor ? `<p><a href="/finance?${esc(qs.toString())}&amp;cursor=${esc(encodeURIComponent(nextCursor))}">Next page</a></p>` : ''}
<form method="post" action="/finance/logout"><input type="hidden" name="csrf" value="${esc(csrfToken(ctx.config, (req.pageSession as { id: string }).id))}"><button type="submit">Sign out</button></form>`,
      ),
    );
  });
  r.get('/finance/export.csv', cookieAuth, async (req, res) => {
    const { renderInvoicesCsv } = await import('./render-csv');
    const q = ctx.db('invoices');
    const scope = partnerScope(req);
    if (scope) q.where('partner_id', scope);
    const from = z.iso.date().safeParse(req.query.from);
    const to = z.iso.date().safeParse(req.query.to);
    if (from.success) q.where('invoice_date', '>=', from.data);
    if (to.success) q.where('invoice_date', '<=', to.data);
    const rows = await q.orderBy('invoice_date').orderBy('invoice_number');
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="invoices.csv"');
    res.send(renderInvoicesCsv(rows.map((x) => x.canonical)));
  });
  r.get(/^\/finance\/invoices\/([0-9a-f-]{36})\.(pdf|csv|xml)$/, cookieAuth, async (req, res) => {
    const params = req.params as unknown as Record<string, string>;
    const inv = await findInvoice(ctx.db, params[0], partnerScope(req));
    if (!inv) throw notFound('invoice');
    const ext = params[1];
    await sendInvoiceAs(ctx, res, inv, ext === 'xml' ? 'cxml' : (ext as 'pdf' | 'csv'));
  });
  return r;
}
