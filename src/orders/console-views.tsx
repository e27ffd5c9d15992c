/** @jsxRuntime automatic @jsxImportSource preact */
/** The console's Orders screen: the list with its filters, and one order with its actions. */
import { ORDER_STATES, canTransition, type OrderState } from '../model/order-state';
import {
  DateRange,
  Empty,
  FilterButton,
  hrefWith,
  Pagination,
  type Paging,
  PostForm,
} from '../platform/pages';
import type { OrderSummary } from './repository';
import { remainingToShip, type ConsoleOrder } from './console-actions';

export const ORDERS_PER_PAGE = 50;

export interface OrderListFilter {
  partner?: string;
  state?: OrderState;
  po?: string;
  from?: string;
  to?: string;
}

const when = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '');
const words = (s: string) => s.replace(/_/g, ' ');

function Filters({ f }: { f: OrderListFilter }) {
  return (
    <form method="get" action="/console/orders" class="filters">
      <label>
        Partner
        <input type="text" name="partner" value={f.partner ?? ''} placeholder="acme" />
      </label>
      <label>
        State
        <select name="state">
          <option value="">Any</option>
          {ORDER_STATES.map((s) => (
            <option value={s} selected={f.state === s}>
              {words(s)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Buyer PO number
        <input type="text" name="po" value={f.po ?? ''} />
      </label>
      <DateRange from={f.from} to={f.to} />
      <FilterButton />
    </form>
  );
}

export function OrderList(p: { f: OrderListFilter; items: OrderSummary[]; total: number; paging: Paging }) {
  return (
    <>
      <h1>Orders</h1>
      <Filters f={p.f} />
      {p.items.length ? (
        <div class="scroll-x">
          <table id="orders">
            <thead>
              <tr>
                <th>Received (UTC)</th>
                <th>Partner</th>
                <th>Buyer PO</th>
                <th>Our number</th>
                <th>State</th>
                <th class="num">Total</th>
                <th>Flags</th>
              </tr>
            </thead>
            <tbody>
              {p.items.map((o) => (
                <tr data-order={o.id} data-state={o.state}>
                  <td class="nowrap">{when(o.createdAt)}</td>
                  <td>{o.partnerId}</td>
                  <td>
                    <a href={`/console/orders/${o.id}`}>{o.buyerOrderNumber}</a>
                  </td>
                  <td class="nowrap">{o.supplierOrderNumber}</td>
                  <td class="nowrap">{words(o.state)}</td>
                  <td class="num nowrap">
                    {o.total} {o.currency}
                  </td>
                  <td>{o.flags.map(words).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <Empty id="no-orders">No orders match.</Empty>
      )}
      <Pagination
        total={p.total}
        limit={p.paging.limit}
        offset={p.paging.offset}
        noun="orders"
        href={(offset) => hrefWith('/console/orders', { ...p.f, offset: offset || undefined })}
      />
    </>
  );
}

function Lines({ o }: { o: ConsoleOrder }) {
  return (
    <div class="scroll-x">
      <table id="order-lines">
        <thead>
          <tr>
            <th>#</th>
            <th>SKU</th>
            <th>Description</th>
            <th class="num">Ordered</th>
            <th>Unit</th>
            <th class="num">Unit price</th>
            <th class="num">Shipped</th>
            <th class="num">Invoiced</th>
          </tr>
        </thead>
        <tbody>
          {o.lines.map((l) => (
            <tr>
              <td>{l.lineNumber}</td>
              <td class="nowrap">{l.sku}</td>
              <td>{l.description}</td>
              <td class="num">{l.quantity}</td>
              <td>{l.unitOfMeasure}</td>
              <td class="num nowrap">
                {l.unitPrice} {o.currency}
              </td>
              <td class="num">{l.shippedQuantity}</td>
              <td class="num">{l.invoicedQuantity}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Timeline({ o }: { o: ConsoleOrder }) {
  return (
    <ol id="timeline" class="timeline">
      {o.events.map((e) => (
        <li>
          <span class="nowrap">{when(e.at)}</span> · <strong>{words(e.to ?? e.event)}</strong>
          {e.from ? ` (from ${words(e.from)})` : ''} by {e.actor}
          {e.reason ? <span> — {e.reason}</span> : null}
        </li>
      ))}
    </ol>
  );
}

function Decide({ o, csrf }: { o: ConsoleOrder; csrf: string }) {
  const confirmable = canTransition(o.state, 'confirm') || canTransition(o.state, 'approve');
  const rejectable = canTransition(o.state, 'reject');
  if (!confirmable && !rejectable) return null;
  return (
    <section aria-labelledby="decide-h">
      <h2 id="decide-h">Decide by hand</h2>
      <PostForm action={`/console/orders/${o.id}/decide`} csrf={csrf} id="decide" class="filters">
        <label>
          Reason (sent to the buyer)
          <input type="text" name="reason" maxLength={2000} />
        </label>
        {confirmable ? (
          <button type="submit" name="decision" value="confirm" class="primary" id="confirm-order">
            Confirm
          </button>
        ) : null}
        {rejectable ? (
          <button type="submit" name="decision" value="reject" id="reject-order">
            Reject
          </button>
        ) : null}
      </PostForm>
    </section>
  );
}

function Ship({ o, csrf, today }: { o: ConsoleOrder; csrf: string; today: string }) {
  if (!canTransition(o.state, 'ship_partial') && !canTransition(o.state, 'ship_complete')) return null;
  const open = o.lines.filter((l) => remainingToShip(l) !== '0');
  if (!open.length) return null;
  return (
    <section aria-labelledby="ship-h">
      <h2 id="ship-h">Record a shipment</h2>
      <PostForm action={`/console/orders/${o.id}/ship`} csrf={csrf} id="ship">
        <div class="filters">
          <label>
            Carrier (SCAC or name)
            <input type="text" name="carrier" maxLength={100} />
          </label>
          <label>
            Tracking number
            <input type="text" name="trackingNumber" maxLength={100} />
          </label>
          <label>
            Shipped on
            <input type="date" name="shippedOn" value={today} required />
          </label>
        </div>
        <table>
          <thead>
            <tr>
              <th>#</th>
              <th>SKU</th>
              <th class="num">Quantity shipped now</th>
            </tr>
          </thead>
          <tbody>
            {open.map((l) => (
              <tr>
                <td>{l.lineNumber}</td>
                <td>{l.sku}</td>
                <td class="num">
                  <input
                    type="text"
                    inputMode="decimal"
                    name={`line-${l.lineNumber}`}
                    value={remainingToShip(l)}
                    aria-label={`Quantity of line ${l.lineNumber} shipped now`}
                    size={8}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="submit" class="primary" id="record-shipment">
          Record shipment and send the ship notice
        </button>
      </PostForm>
    </section>
  );
}

function Invoices(p: { o: ConsoleOrder; invoices: ConsoleInvoice[]; csrf: string }) {
  const { o } = p;
  return (
    <section aria-labelledby="invoices-h">
      <h2 id="invoices-h">Invoices</h2>
      {p.invoices.length ? (
        <table id="order-invoices">
          <thead>
            <tr>
              <th>Number</th>
              <th>Kind</th>
              <th>Date</th>
              <th>State</th>
              <th class="num">Total</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {p.invoices.map((i) => (
              <tr data-invoice={i.invoiceNumber}>
                <td>
                  <a href={`/console/invoices/${i.id}`}>{i.invoiceNumber}</a>
                </td>
                <td>{i.purpose === 'creditMemo' ? 'credit memo' : 'invoice'}</td>
                <td class="nowrap">{i.invoiceDate}</td>
                <td>{words(i.state)}</td>
                <td class="num nowrap">
                  {i.total} {i.currency}
                </td>
                <td>
                  {i.purpose === 'creditMemo' || i.state === 'credited' ? null : (
                    <PostForm
                      action={`/console/orders/${o.id}/invoices/${i.id}/credit`}
                      csrf={p.csrf}
                      class="inline"
                    >
                      <input
                        type="text"
                        name="reason"
                        required
                        maxLength={500}
                        placeholder="reason"
                        aria-label="Reason of the credit memo"
                      />
                      <button type="submit">Credit in full</button>
                    </PostForm>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <Empty id="no-invoices">No invoice yet.</Empty>
      )}
      {canTransition(o.state, 'invoice') ? (
        <PostForm action={`/console/orders/${o.id}/invoice`} csrf={p.csrf} class="inline">
          <button type="submit" class="primary" id="create-invoice">
            Invoice what has shipped
          </button>
        </PostForm>
      ) : null}
    </section>
  );
}

export interface ConsoleInvoice {
  id: string;
  invoiceNumber: string;
  purpose: string;
  state: string;
  total: string;
  currency: string;
  invoiceDate: string;
  originalInvoiceId: string | null;
}

export function OrderPage(p: { o: ConsoleOrder; invoices: ConsoleInvoice[]; csrf: string; today: string }) {
  const { o } = p;
  return (
    <>
      <h1>
        Order {o.buyerOrderNumber} <small>({o.supplierOrderNumber})</small>
      </h1>
      <dl class="facts" id="order-facts">
        <dt>Partner</dt>
        <dd>{o.partnerId}</dd>
        <dt>State</dt>
        <dd id="order-state">{words(o.state)}</dd>
        <dt>Total</dt>
        <dd>
          {o.total} {o.currency}
        </dd>
        <dt>Received</dt>
        <dd>
          {when(o.createdAt)} UTC, over {o.sourceProtocol}
        </dd>
        {o.flags.length ? (
          <>
            <dt>Flags</dt>
            <dd>{o.flags.map(words).join(', ')}</dd>
          </>
        ) : null}
      </dl>
      <h2>Lines</h2>
      <Lines o={o} />
      <Decide o={o} csrf={p.csrf} />
      <Ship o={o} csrf={p.csrf} today={p.today} />
      <Invoices o={o} invoices={p.invoices} csrf={p.csrf} />
      <h2>History</h2>
      <Timeline o={o} />
      <h2>Documents</h2>
      <ul id="order-documents">
        {o.documents.map((d) => (
          <li>
            <a href={`/console/documents/${d.id}`}>
              {d.direction === 'in' ? 'in' : 'out'} · {d.protocol} {d.type}
            </a>{' '}
            · {d.status} · {when(d.createdAt)}
          </li>
        ))}
      </ul>
      <p>
        <a href="/console/orders">All orders</a>
      </p>
    </>
  );
}
