/** @jsxRuntime automatic @jsxImportSource preact */
/** The bodies of the approvals pages (the routes are in pages.tsx). */
import { Empty, hrefWith, Pagination, PostForm, SignInForm, type Paging } from '../platform/pages';
import type { ApprovalView, OrderLineView } from './service';

/** Levels listed per page of the pending list. */
export const PER_PAGE = 50;

export function SignIn({ csrf }: { csrf: string | undefined }) {
  return (
    <>
      <p class="card" id="console-sign-in">
        {'Staff with a console account: '}
        <a href="/?next=%2Fapprovals">sign in on the console</a>
        {' to decide under your own name.'}
      </p>
      <SignInForm
        action="/approvals/login"
        csrf={csrf}
        label="Admin token"
        field="token"
        hint="Or with the gateway's admin token (for a gateway without console users yet; decisions are recorded as admin)."
        retry="/approvals"
      />
    </>
  );
}

export function Flags({ flags }: { flags: string[] }) {
  if (!flags.length) return <span class="muted">none</span>;
  return (
    <>
      {flags.map((f, i) => (
        <>
          {i ? ' ' : null}
          <span class="flag">{f}</span>
        </>
      ))}
    </>
  );
}

export function OrderDetail({ a, lines }: { a: ApprovalView; lines: OrderLineView[] }) {
  return (
    <>
      <dl class="facts">
        <dt>Order</dt>
        <dd>{a.buyerOrderNumber}</dd>
        {a.supplierOrderNumber ? (
          <>
            <dt>Our order no.</dt>
            <dd id="supplier-order">{a.supplierOrderNumber}</dd>
          </>
        ) : null}
        <dt>Partner</dt>
        <dd>{a.partnerId}</dd>
        <dt>Version</dt>
        <dd>{String(a.orderVersion)}</dd>
        <dt>Total</dt>
        <dd>{`${a.total} ${a.currency}`}</dd>
        <dt>Level</dt>
        <dd>{String(a.level)}</dd>
        <dt>Flags</dt>
        <dd id="flags">
          <Flags flags={a.flags} />
        </dd>
      </dl>
      <div class="scroll-x">
        <table>
          <thead>
            <tr>
              <th>#</th>
              <th>SKU</th>
              <th>Description</th>
              <th class="num">Quantity</th>
              <th class="num">Unit price</th>
              <th class="num">Price the buyer saw</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => {
              const deviates = l.buyerSawUnitPrice !== null && l.buyerSawUnitPrice !== l.unitPrice;
              return (
                <tr>
                  <td>{String(l.lineNumber)}</td>
                  <td class="nowrap">{l.sku}</td>
                  <td>{l.description ?? ''}</td>
                  <td class="num">{`${l.quantity} ${l.uom}`}</td>
                  <td class="num">{l.unitPrice}</td>
                  <td class={deviates ? 'num flag' : 'num'}>{l.buyerSawUnitPrice ?? '-'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function Pending(p: { rows: ApprovalView[]; total: number; paging: Paging }) {
  return (
    <>
      <h1>Pending approvals</h1>
      {p.rows.length ? (
        <div class="scroll-x">
          <table>
            <thead>
              <tr>
                <th>Order</th>
                <th>Our no.</th>
                <th>Partner</th>
                <th class="num">Total</th>
                <th>Level</th>
                <th>Flags</th>
                <th>Since</th>
              </tr>
            </thead>
            <tbody>
              {p.rows.map((a) => (
                <tr data-approval={a.id}>
                  <td class="nowrap">
                    <a href={`/approvals/${a.id}`}>{a.buyerOrderNumber}</a>
                  </td>
                  <td class="nowrap">{a.supplierOrderNumber ?? ''}</td>
                  <td>{a.partnerId}</td>
                  <td class="num">{`${a.total} ${a.currency}`}</td>
                  <td>{String(a.level)}</td>
                  <td>
                    <Flags flags={a.flags} />
                  </td>
                  <td class="nowrap">{a.createdAt.slice(0, 16).replace('T', ' ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <Empty id="nothing-pending">Nothing waits for approval.</Empty>
      )}
      <Pagination
        total={p.total}
        limit={p.paging.limit}
        offset={p.paging.offset}
        noun="approvals"
        href={(offset) =>
          hrefWith('/approvals', {
            offset: offset || undefined,
            limit: p.paging.limit === PER_PAGE ? undefined : p.paging.limit,
          })
        }
      />
    </>
  );
}

export function Decide({ a, csrf }: { a: ApprovalView; csrf: string }) {
  if (a.status !== 'pending')
    return <p id="decided">{`This level is ${a.status}${a.decidedBy ? ` by ${a.decidedBy}` : ''}.`}</p>;
  return (
    <PostForm action={`/approvals/${a.id}/decide`} csrf={csrf} class="filters">
      <label>
        Comment
        <input name="comment" maxLength={2000} />
      </label>
      <button type="submit" name="decision" value="approve" class="primary">
        Approve
      </button>
      <button type="submit" name="decision" value="reject" class="danger">
        Reject
      </button>
    </PostForm>
  );
}
