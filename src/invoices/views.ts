/**
 * How the API and the finance pages show an invoice: the JSON view, and the invoice as a file in
 * each format (PDF and CSV rendered now; cXML and X12 the bytes that were delivered).
 */
import type express from 'express';
import { formatMoney, withCurrencyScale } from '../model';
import type { AppContext } from '../platform/context';
import { notFound } from '../platform/errors';
import { printFactsOf } from './queries';
import { supplierBlock, type PrintFacts } from './printed';
import { renderInvoiceCsv, renderInvoicesCsv } from './render-csv';
import { renderInvoicePdf } from './render-pdf';
import { invoiceDocument, type InvoiceRow } from './service';

type Ctx = Pick<AppContext, 'db' | 'config'>;

export function invoiceView(r: InvoiceRow, extra: Record<string, unknown> = {}) {
  const currency = r.currency.trim();
  return {
    id: r.id,
    partnerId: r.partner_id,
    orderId: r.order_id,
    buyerOrderNumber: r.canonical.buyerOrderNumber,
    supplierOrderNumber: r.canonical.supplierOrderNumber ?? null,
    invoiceNumber: r.invoice_number,
    purpose: r.purpose,
    state: r.state,
    currency,
    subtotal: formatMoney(r.subtotal, currency),
    taxTotal: formatMoney(r.tax_total, currency),
    total: formatMoney(r.total, currency),
    paidAmount: formatMoney(r.paid_amount, currency),
    ...(r.open_amount !== undefined ? { openAmount: formatMoney(r.open_amount, currency) } : {}),
    invoiceDate: r.invoice_date,
    dueDate: r.due_date,
    originalInvoiceId: r.original_invoice_id,
    rejectionReason: r.rejection_reason,
    deliveredAt: r.delivered_at ? new Date(r.delivered_at).toISOString() : null,
    ...extra,
  };
}

/** The invoice's JSON view with its lines (after creating an invoice or a credit memo). */
export const createdInvoiceView = (inv: InvoiceRow) => ({
  invoice: invoiceView(inv, { lines: withCurrencyScale(inv.canonical).lines }),
});

export type InvoiceFileFormat = 'pdf' | 'csv' | 'cxml' | 'x12';

export interface InvoiceFile {
  contentType: string;
  /** The download's file name (PDF and CSV); the delivered documents are shown as they are. */
  filename?: string;
  body: Buffer | string;
}

export async function invoiceFile(
  ctx: Ctx,
  inv: InvoiceRow,
  format: InvoiceFileFormat,
): Promise<InvoiceFile> {
  if (format === 'pdf' || format === 'csv') {
    const [facts = { buyerName: inv.partner_id }] = await printFactsOf(ctx, [inv]);
    if (format === 'csv')
      return {
        contentType: 'text/csv; charset=utf-8',
        filename: `${inv.invoice_number}.csv`,
        body: renderInvoiceCsv(inv.canonical, { facts }),
      };
    const body = await renderInvoicePdf(inv.canonical, {
      supplier: supplierBlock(ctx.config),
      locale: ctx.config.INVOICE_LOCALE,
      ...facts,
    });
    return { contentType: 'application/pdf', filename: `${inv.invoice_number}.pdf`, body };
  }
  // The bytes delivered in that format (cXML InvoiceDetailRequest or X12 810).
  const doc = await invoiceDocument(ctx.db, inv.id, format);
  if (!doc) throw notFound(`${format === 'x12' ? 'X12' : 'cXML'} invoice document`);
  return { contentType: doc.content_type, body: doc.content };
}

export async function sendInvoiceAs(
  ctx: Ctx,
  res: express.Response,
  inv: InvoiceRow,
  format: InvoiceFileFormat,
): Promise<void> {
  const file = await invoiceFile(ctx, inv, format);
  res.setHeader('Content-Type', file.contentType);
  if (file.filename) res.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`);
  res.send(file.body);
}

/** Many invoices as one CSV (a row each), with the bill-to, ship-to and terms their PDFs print. */
export async function invoicesCsv(ctx: Ctx, rows: readonly InvoiceRow[]): Promise<string> {
  const facts = await printFactsOf(ctx, rows);
  return renderInvoicesCsv(
    rows.map((r) => r.canonical),
    { factsOf: (_inv, i) => facts[i] as PrintFacts },
  );
}
