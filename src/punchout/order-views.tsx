/** @jsxRuntime automatic @jsxImportSource preact */
/** The order history pages of the catalog: the buyer's orders, one order, and what a reorder added or skipped. */
import type { OrderHistoryLine, OrderHistoryRow } from '../orders/history';
import { Empty, Pagination, PostForm } from '../platform/pages';
import type { Shop } from './chrome';
import type { ReorderSkipReason } from './sessions';
import { money, readOnly, status, unitPrice } from './views';

/** Why a reorder left a line out, as the buyer reads it. */
export const SKIP_REASONS: Record<ReorderSkipReason, string> = {
  unknown: 'this product is no longer in the catalog',
  not_visible: 'this product is not in your catalog',
  quantity:
    "the ordered quantity no longer fits the product's order rules (minimum, multiple or whole units)",
};

export function ReorderNotice(p: {
  orderNumber: string;
  added: number;
  skipped: { sku: string; lineNumber: number; reason: ReorderSkipReason }[];
}) {
  return (
    <div
      id="reorder-result"
      class={`flash ${p.skipped.length ? 'flash-warning' : 'flash-success'}`}
      role="status"
    >
      <p>{`${p.added} line(s) of order ${p.orderNumber} added to your cart at today's prices.`}</p>
      {p.skipped.length ? (
        <>
          <p>Not added:</p>
          <ul id="skipped">
            {p.skipped.map((s) => (
              <li data-sku={s.sku} data-reason={s.reason}>
                {`${s.sku} (line ${s.lineNumber}): ${SKIP_REASONS[s.reason]}`}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

function ReorderForm({ shop, order }: { shop: Shop; order: OrderHistoryRow }) {
  if (readOnly(shop)) return null;
  return (
    <PostForm action={`${shop.base}orders/${order.id}/reorder`} csrf={shop.csrf} class="inline">
      <button type="submit" data-order={order.buyerOrderNumber}>
        Reorder
      </button>
    </PostForm>
  );
}

export function Orders(p: {
  shop: Shop;
  orders: OrderHistoryRow[];
  total: number;
  page: number;
  limit: number;
}) {
  const { shop } = p;
  const pages = Math.max(1, Math.ceil(p.total / p.limit));
  return (
    <>
      <h1>Orders</h1>
      {p.orders.length === 0 ? (
        <Empty id="no-orders">No orders found.</Empty>
      ) : (
        <>
          <p class="lead">{`${p.total} order(s), page ${p.page} of ${pages}`}</p>
          <table id="orders">
            <thead>
              <tr>
                <th>Order number</th>
                <th>Date</th>
                <th>Status</th>
                <th class="num">Total</th>
                <th>Currency</th>
                <th class="num">Lines</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {p.orders.map((o) => (
                <tr data-order={o.buyerOrderNumber}>
                  <td>
                    <a href={`${shop.base}orders/${o.id}`}>{o.buyerOrderNumber}</a>
                  </td>
                  <td>{o.date.slice(0, 10)}</td>
                  <td class="status">{status(o.state)}</td>
                  <td class="num total">{money(o.total, o.currency)}</td>
                  <td>{o.currency}</td>
                  <td class="num lines">{String(o.lineCount)}</td>
                  <td>
                    <ReorderForm shop={shop} order={o} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <Pagination
        total={p.total}
        limit={p.limit}
        offset={(p.page - 1) * p.limit}
        href={(offset) => `${shop.base}orders?page=${Math.floor(offset / p.limit) + 1}`}
        prev={{ label: 'Newer orders', id: 'newer' }}
        next={{ label: 'Older orders', id: 'older' }}
        noun="orders"
      />
    </>
  );
}

export function Order(p: { shop: Shop; order: OrderHistoryRow; lines: OrderHistoryLine[] }) {
  const o = p.order;
  return (
    <>
      <h1>{`Order ${o.buyerOrderNumber}`}</h1>
      <div class="card">
        <dl class="facts">
          <dt>Date</dt>
          <dd>{o.date.slice(0, 10)}</dd>
          {o.supplierOrderNumber ? (
            <>
              <dt>Our order no.</dt>
              <dd id="supplier-order">{o.supplierOrderNumber}</dd>
            </>
          ) : null}
          <dt>Status</dt>
          <dd id="order-status">{status(o.state)}</dd>
          <dt>Total</dt>
          <dd id="order-total">{money(o.total, o.currency)}</dd>
        </dl>
      </div>
      <table id="order-lines">
        <thead>
          <tr>
            <th class="num">Line</th>
            <th>SKU</th>
            <th>Description</th>
            <th class="num">Quantity</th>
            <th class="num">Unit price (at order)</th>
          </tr>
        </thead>
        <tbody>
          {p.lines.map((l) => (
            <tr data-sku={l.sku}>
              <td class="num">{String(l.lineNumber)}</td>
              <td>{l.sku}</td>
              <td>{l.description ?? ''}</td>
              <td class="num quantity">{`${l.quantity} ${l.uom}`}</td>
              <td class="num unit-price">{unitPrice(l.unitPrice, o.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="actions">
        <ReorderForm shop={p.shop} order={o} />
        <a href={`${p.shop.base}orders`}>All orders</a>
      </div>
    </>
  );
}
