/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * One invoice on the console's Invoices screen: header (numbers, parties, terms, due, totals and
 * open amount), lines, the state timeline (who, when, why), documents, deliveries with their
 * attempts, credit memos, downloads, and the resend and credit-memo actions.
 */
import { Empty, PostForm } from '../platform/pages';
import type { ConsoleInvoiceDetail } from './console-actions';
import { words } from './console-views';
import type { PrintedParty } from './printed';

const when = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '');

function Party({ p }: { p: PrintedParty | null }) {
  if (!p) return <>—</>;
  return (
    <>
      <strong>{p.name}</strong>
      {p.lines.map((l) => (
        <>
          <br />
          {l}
        </>
      ))}
    </>
  );
}

function Header({ d }: { d: ConsoleInvoiceDetail }) {
  const i = d.invoice;
  const money = (v: string) => `${v} ${i.currency}`;
  return (
    <dl class="facts" id="invoice-facts">
      <dt>Partner</dt>
      <dd>
        {d.partnerName} ({i.partnerId})
      </dd>
      <dt>State</dt>
      <dd id="invoice-state">
        {words(i.state)}
        {i.rejectionReason ? <small> — {i.rejectionReason}</small> : null}
      </dd>
      <dt>Order</dt>
      <dd>
        <a href={`/console/orders/${i.orderId}`}>{i.buyerOrderNumber}</a>
        {i.supplierOrderNumber ? ` (${i.supplierOrderNumber})` : ''}
      </dd>
      {d.original ? (
        <>
          <dt>Credits</dt>
          <dd>
            <a href={`/console/invoices/${d.original.id}`}>{d.original.invoiceNumber}</a>
          </dd>
        </>
      ) : null}
      <dt>Bill to</dt>
      <dd>
        <Party p={d.billTo} />
      </dd>
      <dt>Ship to</dt>
      <dd>
        <Party p={d.shipTo} />
      </dd>
      <dt>Date</dt>
      <dd>{i.invoiceDate}</dd>
      <dt>Terms</dt>
      <dd>{d.terms || '—'}</dd>
      <dt>Due</dt>
      <dd id="invoice-due">{i.dueDate ?? '—'}</dd>
      <dt>Subtotal</dt>
      <dd>{money(i.subtotal)}</dd>
      <dt>Tax</dt>
      <dd>{money(i.taxTotal)}</dd>
      {d.shipping ? (
        <>
          <dt>Shipping</dt>
          <dd>{money(d.shipping)}</dd>
        </>
      ) : null}
      {d.discount ? (
        <>
          <dt>Discount</dt>
          <dd>{money(d.discount)}</dd>
        </>
      ) : null}
      <dt>Total</dt>
      <dd id="invoice-total">{money(i.total)}</dd>
      <dt>Paid</dt>
      <dd>{money(i.paidAmount)}</dd>
      <dt>Open</dt>
      <dd id="invoice-open">{money(i.openAmount)}</dd>
    </dl>
  );
}

function Lines({ d }: { d: ConsoleInvoiceDetail }) {
  const c = d.invoice.currency;
  return (
    <div class="scroll-x">
      <table id="invoice-lines">
        <thead>
          <tr>
            <th>#</th>
            <th>Order line</th>
            <th>Part</th>
            <th>Description</th>
            <th class="num">Quantity</th>
            <th>Unit</th>
            <th class="num">Unit price</th>
            <th class="num">Tax</th>
            <th class="num">Amount</th>
          </tr>
        </thead>
        <tbody>
          {d.lines.map((l) => (
            <tr>
              <td>{l.lineNumber}</td>
              <td>{l.orderLineNumber}</td>
              <td class="nowrap">{l.supplierPartId}</td>
              <td>{l.description}</td>
              <td class="num">{l.quantity}</td>
              <td>{l.unitOfMeasure}</td>
              <td class="num nowrap">
                {l.unitPrice} {c}
              </td>
              <td class="num nowrap">{l.tax ? `${l.tax.amount} ${c}` : ''}</td>
              <td class="num nowrap">
                {l.subtotal} {c}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Timeline({ d }: { d: ConsoleInvoiceDetail }) {
  return (
    <ol id="invoice-timeline" class="timeline">
      {d.events.map((e) => (
        <li data-event={e.event}>
          <span class="nowrap">{when(e.at)}</span> · <strong>{words(e.event)}</strong>
          {e.from && e.from !== e.to ? ` (${words(e.from)} → ${words(e.to)})` : ` (${words(e.to)})`} by{' '}
          <span class="actor">{e.actor}</span>
          {e.reason ? <span> — {e.reason}</span> : null}
        </li>
      ))}
    </ol>
  );
}

function Deliveries({ d }: { d: ConsoleInvoiceDetail }) {
  if (!d.deliveries.length) return <Empty id="no-deliveries">Not sent anywhere.</Empty>;
  return (
    <ul id="invoice-deliveries">
      {d.deliveries.map((v) => (
        <li data-delivery={v.id} data-status={v.status}>
          <a href={`/console/deliveries/${v.id}`}>delivery {v.id.slice(0, 8)}</a> · {words(v.status)}
          {v.deliveredAt ? ` ${when(v.deliveredAt)} UTC` : ''}
          {v.nextAttemptAt && v.status === 'pending' ? ` · next attempt ${when(v.nextAttemptAt)} UTC` : ''}
          {v.lastError ? <span> · {v.lastError}</span> : null}
          {v.attempts.length ? (
            <ol class="attempts">
              {v.attempts.map((t) => (
                <li>
                  attempt {t.attempt} · {when(t.at)} · {t.statusCode ?? 'no answer'}
                  {t.error ? ` · ${t.error}` : ''}
                </li>
              ))}
            </ol>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

function Actions({ d, csrf }: { d: ConsoleInvoiceDetail; csrf: string }) {
  const i = d.invoice;
  const creditable = i.purpose === 'standard' && i.state !== 'credited';
  if (!d.resendable && !creditable) return null;
  return (
    <section aria-labelledby="invoice-actions-h">
      <h2 id="invoice-actions-h">Actions</h2>
      {d.resendable ? (
        <PostForm action={`/console/invoices/${i.id}/resend`} csrf={csrf} class="inline" id="resend">
          <button type="submit" class="primary" id="resend-invoice">
            Resend to the buyer
          </button>
        </PostForm>
      ) : null}
      {creditable ? (
        <PostForm action={`/console/invoices/${i.id}/credit`} csrf={csrf} class="inline" id="credit">
          <input
            type="text"
            name="reason"
            required
            maxLength={500}
            placeholder="reason"
            aria-label="Reason of the credit memo"
          />
          <button type="submit" id="credit-invoice">
            Credit in full
          </button>
        </PostForm>
      ) : null}
    </section>
  );
}

export function InvoicePage({ d, csrf }: { d: ConsoleInvoiceDetail; csrf: string }) {
  const i = d.invoice;
  const base = `/console/invoices/${i.id}`;
  return (
    <>
      <h1>
        {i.purpose === 'creditMemo' ? 'Credit memo' : 'Invoice'} {i.invoiceNumber}
      </h1>
      <p class="downloads">
        <a href={`${base}.pdf`} id="download-pdf">
          PDF
        </a>{' '}
        <a href={`${base}.csv`} id="download-csv">
          CSV
        </a>
      </p>
      <Header d={d} />
      <Actions d={d} csrf={csrf} />
      <h2>Lines</h2>
      <Lines d={d} />
      <h2>Timeline (UTC)</h2>
      <Timeline d={d} />
      <h2>Documents</h2>
      {d.documents.length ? (
        <ul id="invoice-documents">
          {d.documents.map((doc) => (
            <li>
              <a href={`/console/documents/${doc.id}`}>
                {doc.direction} · {doc.protocol} {doc.type}
              </a>{' '}
              · {doc.status} · {when(doc.createdAt)}
            </li>
          ))}
        </ul>
      ) : (
        <Empty id="no-documents">No document.</Empty>
      )}
      <h2>Deliveries</h2>
      <Deliveries d={d} />
      {i.purpose === 'standard' ? (
        <>
          <h2>Credit memos</h2>
          {d.creditMemos.length ? (
            <ul id="credit-memos">
              {d.creditMemos.map((m) => (
                <li data-invoice={m.invoiceNumber}>
                  <a href={`/console/invoices/${m.id}`}>{m.invoiceNumber}</a> · {m.invoiceDate} · {m.total}{' '}
                  {m.currency} · {words(m.state)}
                </li>
              ))}
            </ul>
          ) : (
            <Empty id="no-credit-memos">None.</Empty>
          )}
        </>
      ) : null}
      <p>
        <a href="/console/invoices">All invoices</a>
      </p>
    </>
  );
}
