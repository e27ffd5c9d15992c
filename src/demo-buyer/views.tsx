/** @jsxRuntime automatic @jsxImportSource preact */
/** The demo buyer's pages: start, the punchout frame, the returned cart, the order answer, the inbox. */
import { Empty, PostForm } from '../platform/pages';
import type { ReturnedCart } from '../../protocols/cxml';
import { formatAmount, formatMoney, formatUnitPrice, mul } from '../model/money';
import type { OciReturnedCart } from '../../protocols/oci';
import type { GatewayAnswer } from './buyer';
import type { InboxRow } from './inbox';

const KIND: Record<string, string> = {
  ConfirmationRequest: 'Order confirmation',
  ShipNoticeRequest: 'Ship notice',
  InvoiceDetailRequest: 'Invoice',
  StatusUpdateRequest: 'Status update',
};

export function Intro() {
  return (
    <p class="lead">
      This page plays the buyer&rsquo;s procurement system: it punches out to the gateway&rsquo;s catalog with
      the demo partner&rsquo;s cXML or OCI credentials, receives the cart, sends the purchase order and shows
      the documents the gateway sends back to it (confirmation, ship notice, invoice).
    </p>
  );
}

export function StartPunchout({ csrf }: { csrf: string }) {
  return (
    <section class="card">
      <h2>Shop at the supplier</h2>
      <p class="muted">
        Ariba, Coupa and Jaggaer open a supplier&rsquo;s catalog with cXML; SAP SRM with OCI. Either way the
        cart comes back here and is ordered with a cXML OrderRequest.
      </p>
      <div class="actions">
        <PostForm action="/demo/buyer/punchout" csrf={csrf} id="start-punchout">
          <button type="submit" class="primary">
            Start punchout (cXML)
          </button>
        </PostForm>
        <PostForm action="/demo/buyer/punchout-oci" csrf={csrf} id="start-oci">
          <button type="submit" class="primary">
            Start punchout (OCI)
          </button>
        </PostForm>
      </div>
    </section>
  );
}

export function PunchoutFrame({ url, protocol = 'cXML' }: { url: string; protocol?: 'cXML' | 'OCI' }) {
  return (
    <section class="card" id="punchout" data-protocol={protocol}>
      <h2>{`Supplier catalog (${protocol} punchout)`}</h2>
      <p class="muted">Add items to the cart, then return the cart to the procurement system.</p>
      <iframe
        id="punchout-frame"
        name="punchout-frame"
        title="Supplier catalog"
        src={url}
        width="100%"
        height="720"
      />
    </section>
  );
}

export function Answer({ answer, orderId }: { answer: GatewayAnswer; orderId?: string }) {
  const ok = answer.code >= 200 && answer.code < 300;
  return (
    <section class="card" id="answer">
      <h2>{ok ? `Purchase order ${orderId ?? ''} sent` : 'The gateway refused'}</h2>
      <p>
        {'The gateway answered '}
        <strong id="answer-status">{`${answer.code} ${answer.text}`}</strong>
        {answer.message ? ` — ${answer.message}` : ''}
      </p>
    </section>
  );
}

export function Cart({ cart, xml, csrf }: { cart: ReturnedCart; xml: string; csrf: string }) {
  const currency = cart.currency;
  // The way back without items (the catalog's Cancel and return): an empty cart, nothing to order.
  if (cart.items.length === 0)
    return (
      <section class="card" id="cart">
        <h2>Returned cart</h2>
        <Empty id="cart-empty">
          You came back from the catalog without items: there is nothing to order.
        </Empty>
      </section>
    );
  return (
    <section class="card" id="cart">
      <h2>Returned cart</h2>
      <div class="scroll-x">
        <table>
          <thead>
            <tr>
              <th>Item</th>
              <th>Description</th>
              <th class="num">Quantity</th>
              <th class="num">Unit price</th>
              <th class="num">Amount</th>
            </tr>
          </thead>
          <tbody>
            {cart.items.map((i) => (
              <tr key={i.supplierAuxiliaryId ?? i.supplierPartId}>
                <td>{i.supplierPartId}</td>
                <td>{i.description}</td>
                <td class="num">{`${i.quantity} ${i.unitOfMeasure}`}</td>
                <td class="num">{`${formatAmount(i.unitPrice, currency)} ${currency}`}</td>
                <td class="num">{`${formatMoney(mul(i.quantity, i.unitPrice), currency)} ${currency}`}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th colSpan={4}>Total</th>
              <td class="num" id="cart-total">{`${formatAmount(cart.total, currency)} ${currency}`}</td>
            </tr>
          </tfoot>
        </table>
      </div>
      <form method="post" action="/demo/buyer/order" target="_top" id="submit-order">
        <input type="hidden" name="csrf" value={csrf} />
        <input type="hidden" name="cart" value={xml} />
        <button type="submit" class="primary">
          Submit purchase order
        </button>
      </form>
    </section>
  );
}

export function Inbox({ rows }: { rows: (Omit<InboxRow, 'body'> & { orderId?: string })[] }) {
  return (
    <section class="card" id="inbox">
      <h2>Received from the supplier</h2>
      {rows.length === 0 ? (
        <Empty id="inbox-empty">Nothing yet: confirmations, ship notices and invoices appear here.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Received</th>
              <th>Document</th>
              <th>Order</th>
              <th>payloadID</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} class="inbox-row" data-type={r.request_type}>
                <td class="nowrap">{new Date(r.received_at).toISOString().replace('T', ' ').slice(0, 19)}</td>
                <td>
                  <a href={`/demo/buyer/inbox/${r.id}`}>{KIND[r.request_type] ?? r.request_type}</a>
                </td>
                <td data-col="order">{r.orderId ?? ''}</td>
                <td class="muted">{r.payload_id ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function Received({ row }: { row: InboxRow }) {
  return (
    <>
      <p>
        <a href="/demo/buyer">Back to the demo buyer</a>
      </p>
      <p class="muted">{`Received ${new Date(row.received_at).toISOString()} · ${row.payload_id ?? ''}`}</p>
      <pre class="doc" id="received-doc">
        {row.body}
      </pre>
    </>
  );
}

/** The cart an OCI catalog posted to the HOOK_URL: its lines by index, and the order to send. */
export function OciCart({ cart, fields, csrf }: { cart: OciReturnedCart; fields: string; csrf: string }) {
  const currency = cart.currency;
  return (
    <section class="card" id="cart" data-protocol="OCI">
      <h2>Returned cart (OCI)</h2>
      <p class="muted">{`${cart.items.length} NEW_ITEM ${cart.items.length === 1 ? 'line' : 'lines'} received at the HOOK_URL, ~OkCode ${cart.okCode ?? '(none)'}.`}</p>
      <div class="scroll-x">
        <table>
          <thead>
            <tr>
              <th class="num">#</th>
              <th>Item</th>
              <th>Description</th>
              <th class="num">Quantity</th>
              <th class="num">Unit price</th>
              <th class="num">Amount</th>
              <th class="num">Lead time</th>
            </tr>
          </thead>
          <tbody>
            {cart.items.map((i) => (
              <tr key={String(i.index)} data-sku={i.supplierPartId} data-index={String(i.index)}>
                <td class="num">{String(i.index)}</td>
                <td>{i.supplierPartId}</td>
                <td>{i.description}</td>
                <td class="num">{`${i.quantity} ${i.unitOfMeasure}`}</td>
                <td class="num">{`${formatUnitPrice(i.unitPrice, currency)} ${currency}`}</td>
                <td class="num">{`${i.amount} ${currency}`}</td>
                <td class="num">{i.leadTimeDays === undefined ? '' : `${i.leadTimeDays} d`}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th colSpan={5}>Total</th>
              <td class="num" id="cart-total">{`${cart.total} ${currency}`}</td>
              <td />
            </tr>
          </tfoot>
        </table>
      </div>
      <form method="post" action="/demo/buyer/order-oci" target="_top" id="submit-order">
        <input type="hidden" name="csrf" value={csrf} />
        <input type="hidden" name="oci" value={fields} />
        <button type="submit" class="primary">
          Submit purchase order
        </button>
      </form>
    </section>
  );
}
