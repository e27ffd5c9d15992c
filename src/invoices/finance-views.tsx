/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The finance pages' bodies (the routes are in page.tsx): the sign-in, the filters and the invoice
 * list with the buyer's PO number, our order number, due date, open amount and state, money and
 * dates written for the reader's locale.
 */
import { z } from 'zod';
import { localDate, localMoney } from '../model';
import {
  Empty,
  FilterField,
  hrefWith,
  Pagination,
  SignInForm,
  type FilterFieldProps,
  type Paging,
} from '../platform/pages';
import type { InvoiceRow } from './service';

export const PER_PAGE = 50;
export const STATES = ['issued', 'delivered', 'rejected', 'paid', 'credited'] as const;

const day = z.union([z.literal(''), z.iso.date()]).default('');
const amount = z.union([z.literal(''), z.string().regex(/^\d{1,15}(\.\d{1,4})?$/)]).default('');
const text = z.string().trim().max(100).default('');

export const filters = z.object({
  status: z.enum(['', 'draft', ...STATES]).default(''),
  from: day,
  to: day,
  order: text,
  po: text,
  supplierOrder: text,
  dueFrom: day,
  dueTo: day,
  openMin: amount,
  openMax: amount,
});
export type Filters = z.infer<typeof filters>;

export function SignIn({ csrf }: { csrf: string | undefined }) {
  return (
    <SignInForm
      action="/finance/login"
      csrf={csrf}
      label="Finance key"
      field="key"
      hint="Sign in with your company's finance key to see and download your invoices."
      retry="/finance/login"
    />
  );
}

const Field = (p: FilterFieldProps<Filters>) => <FilterField {...p} />;

function FilterForm({ f }: { f: Filters }) {
  return (
    <form method="get" action="/finance" class="filters">
      <label>
        State
        <select name="status">
          {['', ...STATES].map((v) => (
            <option value={v} selected={f.status === v}>
              {v || 'any'}
            </option>
          ))}
        </select>
      </label>
      <Field label="PO number" name="po" f={f} size={12} />
      <Field label="Our order no." name="supplierOrder" f={f} size={11} hint="SO-000042" />
      <Field label="Invoiced from" name="from" f={f} type="date" />
      <Field label="Invoiced until" name="to" f={f} type="date" />
      <Field label="Due from" name="dueFrom" f={f} type="date" />
      <Field label="Due until" name="dueTo" f={f} type="date" />
      <Field label="Open at least" name="openMin" f={f} size={8} hint="0.01" />
      <Field label="Open up to" name="openMax" f={f} size={8} />
      <button type="submit" class="primary">
        Filter
      </button>
      <a href="/finance" class="button">
        Clear
      </a>
    </form>
  );
}

function InvoiceRowView({ i, locale }: { i: InvoiceRow; locale: string }) {
  const cur = i.currency.trim();
  const base = `/finance/invoices/${i.id}`;
  const open = i.open_amount ?? '0';
  return (
    <tr data-invoice={i.invoice_number}>
      <td class="nowrap">{i.invoice_number}</td>
      <td>{i.purpose === 'creditMemo' ? 'credit memo' : 'invoice'}</td>
      <td class="nowrap" data-col="po">
        {i.canonical.buyerOrderNumber}
      </td>
      <td class="nowrap supplier-order" data-col="supplier-order">
        {i.canonical.supplierOrderNumber ?? ''}
      </td>
      <td class="nowrap">{localDate(locale, i.invoice_date)}</td>
      <td class="nowrap" data-col="due">
        {i.due_date ? localDate(locale, i.due_date) : ''}
      </td>
      <td data-col="state">
        {i.state}
        {i.rejection_reason ? (
          <>
            {' '}
            <small>{i.rejection_reason}</small>
          </>
        ) : null}
      </td>
      <td class="n">{localMoney(locale, i.total, cur)}</td>
      <td class="n" data-col="open">
        {localMoney(locale, open, cur)}
      </td>
      <td class="downloads nowrap">
        <a href={`${base}.pdf`}>PDF</a> <a href={`${base}.csv`}>CSV</a> <a href={`${base}.xml`}>cXML</a>
      </td>
    </tr>
  );
}

export function InvoiceList(p: {
  f: Filters;
  rows: InvoiceRow[];
  total: number;
  paging: Paging;
  locale: string;
}) {
  const { f } = p;
  const exportHref = hrefWith('/finance/export.csv', { from: f.from, to: f.to });
  return (
    <>
      <h1>Invoices</h1>
      <FilterForm f={f} />
      <div class="actions">
        <a class="button" href={exportHref} id="export">
          Export CSV
        </a>
        <span class="muted">
          {f.from || f.to ? 'every invoice of the dates chosen, any state' : 'every invoice, any state'}
        </span>
      </div>
      {p.rows.length ? (
        <div class="scroll-x">
          <table>
            <thead>
              <tr>
                <th>Number</th>
                <th>Type</th>
                <th>PO number</th>
                <th>Our order no.</th>
                <th>Date</th>
                <th>Due</th>
                <th>State</th>
                <th class="num">Total</th>
                <th class="num">Open</th>
                <th>Download</th>
              </tr>
            </thead>
            <tbody>
              {p.rows.map((i) => (
                <InvoiceRowView i={i} locale={p.locale} />
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <Empty id="no-invoices">No invoices match.</Empty>
      )}
      <Pagination
        total={p.total}
        limit={p.paging.limit}
        offset={p.paging.offset}
        noun="invoices"
        href={(offset) =>
          hrefWith('/finance', {
            ...f,
            offset: offset || undefined,
            limit: p.paging.limit === PER_PAGE ? undefined : p.paging.limit,
          })
        }
      />
    </>
  );
}
