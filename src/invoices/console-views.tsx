/** @jsxRuntime automatic @jsxImportSource preact */
/** The console's Invoices screen: the list with its filters and sorting (one invoice: invoice-views.tsx). */
import { z } from 'zod';
import {
  Empty,
  FilterButton,
  FilterField,
  hrefWith,
  Pagination,
  type FilterFieldProps,
  type Paging,
} from '../platform/pages';
import type { InvoiceSummary } from './console-actions';
import { filters as financeFilters, STATES } from './finance-views';
import { INVOICE_SORTS, type InvoiceSort } from './queries';

export const INVOICES_PER_PAGE = 50;

const sorts = INVOICE_SORTS.flatMap((s) => [s, `-${s}`]) as [InvoiceSort, ...InvoiceSort[]];

/** The list's query: the finance page's filters, a partner, and the sort. */
export const consoleFilters = financeFilters.extend({
  partner: z.string().trim().max(100).default(''),
  sort: z.union([z.literal(''), z.enum(sorts)]).default(''),
});
export type ConsoleFilters = z.infer<typeof consoleFilters>;

export const words = (s: string) => s.replace(/_/g, ' ');
export const kindOf = (purpose: string) => (purpose === 'creditMemo' ? 'credit memo' : 'invoice');

const Field = (p: FilterFieldProps<ConsoleFilters>) => <FilterField {...p} />;

function Filters({ f }: { f: ConsoleFilters }) {
  return (
    <form method="get" action="/console/invoices" class="filters">
      <Field label="Partner" name="partner" f={f} size={10} hint="acme" />
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
      <Field label="Number or PO" name="order" f={f} size={12} />
      <Field label="Buyer PO number" name="po" f={f} size={12} />
      <Field label="Our order no." name="supplierOrder" f={f} size={11} hint="SO-000042" />
      <Field label="Due from" name="dueFrom" f={f} type="date" />
      <Field label="Due until" name="dueTo" f={f} type="date" />
      <Field label="Open at least" name="openMin" f={f} size={8} hint="0.01" />
      <Field label="Open up to" name="openMax" f={f} size={8} />
      <input type="hidden" name="sort" value={f.sort} />
      <FilterButton />
      <a href="/console/invoices" class="button">
        Clear
      </a>
    </form>
  );
}

/** A column heading that sorts by `key` (descending first; again: ascending). */
function SortBy(p: { f: ConsoleFilters; key: (typeof INVOICE_SORTS)[number]; label: string; num?: boolean }) {
  const current = p.f.sort || '-date';
  const next = current === `-${p.key}` ? p.key : `-${p.key}`;
  const mark = current === p.key ? ' ▲' : current === `-${p.key}` ? ' ▼' : '';
  return (
    <th class={p.num ? 'num' : undefined}>
      <a href={hrefWith('/console/invoices', { ...p.f, sort: next })} data-sort={p.key}>
        {p.label}
        {mark}
      </a>
    </th>
  );
}

export function InvoiceList(p: {
  f: ConsoleFilters;
  items: InvoiceSummary[];
  total: number;
  paging: Paging;
}) {
  const { f } = p;
  return (
    <>
      <h1>Invoices</h1>
      <Filters f={f} />
      {p.items.length ? (
        <div class="scroll-x">
          <table id="invoices">
            <thead>
              <tr>
                <SortBy f={f} key="number" label="Number" />
                <th>Kind</th>
                <th>Partner</th>
                <th>Buyer PO</th>
                <th>Our order no.</th>
                <SortBy f={f} key="date" label="Date" />
                <SortBy f={f} key="due" label="Due" />
                <th>State</th>
                <SortBy f={f} key="total" label="Total" num />
                <SortBy f={f} key="open" label="Open" num />
              </tr>
            </thead>
            <tbody>
              {p.items.map((i) => (
                <tr data-invoice={i.invoiceNumber} data-state={i.state}>
                  <td class="nowrap">
                    <a href={`/console/invoices/${i.id}`}>{i.invoiceNumber}</a>
                  </td>
                  <td>{kindOf(i.purpose)}</td>
                  <td>{i.partnerId}</td>
                  <td class="nowrap">{i.buyerOrderNumber}</td>
                  <td class="nowrap">{i.supplierOrderNumber ?? ''}</td>
                  <td class="nowrap">{i.invoiceDate}</td>
                  <td class="nowrap">{i.dueDate ?? ''}</td>
                  <td>{words(i.state)}</td>
                  <td class="num nowrap">
                    {i.total} {i.currency}
                  </td>
                  <td class="num nowrap" data-col="open">
                    {i.openAmount} {i.currency}
                  </td>
                </tr>
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
        href={(offset) => hrefWith('/console/invoices', { ...f, offset: offset || undefined })}
      />
    </>
  );
}
