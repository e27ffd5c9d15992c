/**
 * What the console's Invoices screen does: the list and one invoice with its timeline, documents,
 * deliveries and credit memos, and the API's use cases for resending and crediting (resendInvoiceNow,
 * creditInvoice), each change written to the audit log under the signed-in user. Every read and
 * change is within the user's partner limit (`scope`, null: every partner); an invoice outside it is
 * not found.
 */
import { transitionEventView } from '../platform/lifecycle';
import { formatMoney, withCurrencyScale, type InvoiceLine } from '../model';
import type { AppContext } from '../platform/context';
import { notFound } from '../platform/errors';
import { writeAudit } from '../console/audit';
import type { ConsoleAudit } from '../orders/console-actions';
import { creditInvoice, resendInvoiceNow } from './actions';
import { invoiceEvents } from './lifecycle';
import { invoicePage, OPEN_AMOUNT_SQL, printFactsOf, type InvoiceFilter, type InvoiceSort } from './queries';
import { findInvoice, type InvoiceRow } from './service';
import { invoiceFile, invoiceView, type InvoiceFileFormat } from './views';
import { billTo, paymentTerms, shipTo, type PrintedParty } from './printed';

/** The partners a user may see invoices of: null for every one. */
export type InvoiceScope = readonly string[] | null;

interface DocumentRow {
  invoice_id: string;
  id: string;
  protocol: string;
  doc_type: string;
  direction: string;
  status: string;
  external_id: string | null;
  created_at: Date;
}
interface DeliveryRow {
  id: string;
  document_id: string;
  status: string;
  attempts: number;
  last_error: string | null;
  response_status: number | null;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
}
interface AttemptRow {
  delivery_id: string;
  attempt: number;
  status_code: number | null;
  error: string | null;
  at: Date;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export type InvoiceSummary = ReturnType<typeof invoiceView>;

export interface ConsoleInvoiceDetail {
  invoice: InvoiceSummary & { openAmount: string };
  partnerName: string;
  billTo: PrintedParty;
  shipTo: PrintedParty | null;
  /** "Net 30 days", as the PDF prints them. */
  terms: string;
  shipping: string | null;
  discount: string | null;
  lines: InvoiceLine[];
  events: {
    event: string;
    from: string | null;
    to: string;
    actor: string;
    reason: string | null;
    at: string;
  }[];
  documents: {
    id: string;
    protocol: string;
    type: string;
    direction: string;
    status: string;
    externalId: string | null;
    createdAt: string;
  }[];
  deliveries: {
    id: string;
    documentId: string;
    status: string;
    attempts: { attempt: number; statusCode: number | null; error: string | null; at: string }[];
    lastError: string | null;
    nextAttemptAt: string | null;
    deliveredAt: string | null;
  }[];
  creditMemos: InvoiceSummary[];
  original: InvoiceSummary | null;
  /** Whether a resend would send anything (a delivery rejected or given up). */
  resendable: boolean;
}

export function invoiceConsole(ctx: AppContext) {
  /** The invoice within the scope, or 404 (never a 403 that would tell it exists). */
  const visible = async (id: string, scope: InvoiceScope): Promise<InvoiceRow> => {
    const inv = await findInvoice(ctx.db, id);
    if (!inv || (scope !== null && !scope.includes(inv.partner_id))) throw notFound('invoice');
    return inv;
  };
  const audited = async (a: ConsoleAudit, action: string, invoiceId: string, after: unknown) =>
    writeAudit(ctx.db, a.now, {
      actor: a.actor,
      action,
      subject: `invoice:${invoiceId}`,
      after,
      ip: a.ip,
      requestId: a.requestId,
    });
  return {
    async list(
      scope: InvoiceScope,
      f: InvoiceFilter,
      paging: { limit: number; offset: number },
      sort: InvoiceSort,
    ) {
      const page = await invoicePage(ctx, scope ?? undefined, f, paging, sort);
      return { items: page.rows.map((r) => invoiceView(r)), total: page.total };
    },
    detail: async (id: string, scope: InvoiceScope) => detailOf(ctx, await visible(id, scope)),
    async file(id: string, scope: InvoiceScope, format: InvoiceFileFormat) {
      return invoiceFile(ctx, await visible(id, scope), format);
    },
    async resend(id: string, scope: InvoiceScope, a: ConsoleAudit) {
      const inv = await visible(id, scope);
      await resendInvoiceNow(ctx, inv.id, a.actor.label);
      await audited(a, 'invoice.resend', inv.id, { invoiceNumber: inv.invoice_number });
      return inv;
    },
    async credit(id: string, scope: InvoiceScope, reason: string, a: ConsoleAudit) {
      const inv = await visible(id, scope);
      const memo = await creditInvoice(ctx, inv.id, { reason }, a.actor.label);
      await audited(a, 'invoice.credit', inv.id, { creditMemo: memo.invoice_number, reason });
      return memo;
    },
  };
}

async function detailOf(ctx: AppContext, inv: InvoiceRow): Promise<ConsoleInvoiceDetail> {
  const db = ctx.db;
  const [open, partner, facts, events, documents, related] = await Promise.all([
    db('invoices')
      .where({ id: inv.id })
      .first(db.raw(`${OPEN_AMOUNT_SQL}::text as open_amount`)) as Promise<
      { open_amount: string } | undefined
    >,
    db('partners').where({ id: inv.partner_id }).first('name') as Promise<{ name: string } | undefined>,
    printFactsOf(ctx, [inv]),
    invoiceEvents(db, inv.id),
    db<DocumentRow>('documents')
      .where({ invoice_id: inv.id })
      .orderBy('created_at')
      .orderBy('protocol')
      .select('id', 'protocol', 'doc_type', 'direction', 'status', 'external_id', 'created_at'),
    db<InvoiceRow>('invoices')
      .where({ original_invoice_id: inv.id })
      .orWhere({ id: inv.original_invoice_id ?? inv.id })
      .whereNot({ id: inv.id })
      .orderBy('invoice_number'),
  ]);
  const { deliveries, attempts } = await deliveriesOf(
    ctx,
    documents.map((d) => d.id),
  );
  const currency = inv.currency.trim();
  const fact = facts[0] ?? { buyerName: inv.partner_id };
  return {
    invoice: { ...invoiceView(inv), openAmount: formatMoney(open?.open_amount ?? '0', currency) },
    partnerName: partner?.name ?? inv.partner_id,
    billTo: billTo(inv.canonical, fact),
    shipTo: shipTo(inv.canonical, fact),
    terms: paymentTerms(inv.canonical, fact),
    shipping: inv.canonical.shipping ? formatMoney(inv.canonical.shipping, currency) : null,
    discount: inv.canonical.discount ? formatMoney(inv.canonical.discount, currency) : null,
    lines: withCurrencyScale(inv.canonical).lines,
    events: events.map(transitionEventView),
    documents: documents.map((d) => ({
      id: d.id,
      protocol: d.protocol,
      type: d.doc_type,
      direction: d.direction,
      status: d.status,
      externalId: d.external_id,
      createdAt: new Date(d.created_at).toISOString(),
    })),
    deliveries: deliveries.map((v) => ({
      id: v.id,
      documentId: v.document_id,
      status: v.status,
      attempts: attempts
        .filter((t) => t.delivery_id === v.id)
        .map((t) => ({
          attempt: t.attempt,
          statusCode: t.status_code,
          error: t.error,
          at: new Date(t.at).toISOString(),
        })),
      lastError: v.last_error,
      nextAttemptAt: iso(v.next_attempt_at),
      deliveredAt: iso(v.delivered_at),
    })),
    creditMemos: related.filter((r) => r.original_invoice_id === inv.id).map((r) => invoiceView(r)),
    original: ((o) => (o ? invoiceView(o) : null))(related.find((r) => r.id === inv.original_invoice_id)),
    resendable: deliveries.some((v) => v.status === 'rejected' || v.status === 'failed'),
  };
}

/** The deliveries of the invoice's documents and their attempts. */
async function deliveriesOf(ctx: AppContext, documentIds: string[]) {
  const db = ctx.db;
  const deliveries = await db<DeliveryRow>('deliveries')
    .whereIn('document_id', documentIds)
    .orderBy('created_at')
    .select(
      'id',
      'document_id',
      'status',
      'attempts',
      'last_error',
      'response_status',
      'next_attempt_at',
      'delivered_at',
    );
  const attempts = await db<AttemptRow>('delivery_attempts')
    .whereIn(
      'delivery_id',
      deliveries.map((d) => d.id),
    )
    .orderBy('delivery_id')
    .orderBy('attempt')
    .select('delivery_id', 'attempt', 'status_code', 'error', 'at');
  return { deliveries, attempts };
}
