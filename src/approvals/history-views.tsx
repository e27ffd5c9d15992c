/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The approval page's context: the order's facts, its addresses, the decisions taken on it, the
 * partner's previous orders, the previous/next pending approval, and the levels decided lately
 * (on the pending list). Money and dates in the reader's locale.
 */
import { localDate, localDateTime, localMoney } from '../model';
import type { Neighbour, PartnerOrder } from './context-queries';
import { partyLines } from './detail-views';
import type { ApprovalView } from './listing';
import type { ApprovalPageData } from './queries';

type Data = ApprovalPageData;

const when = (locale: string, at: string | null) => (at ? localDateTime(locale, at) : '');

export function Facts({ a, d, locale }: { a: ApprovalView; d: Data; locale: string }) {
  const levels = d.levels.filter((l) => l.orderVersion === a.orderVersion).length;
  return (
    <dl class="facts">
      <dt>Purchase order</dt>
      <dd>{a.buyerOrderNumber}</dd>
      {a.supplierOrderNumber ? (
        <>
          <dt>Our order no.</dt>
          <dd id="supplier-order">{a.supplierOrderNumber}</dd>
        </>
      ) : null}
      <dt>Partner</dt>
      <dd>{`${d.partnerName} (${a.partnerId})`}</dd>
      <dt>Order date</dt>
      <dd id="order-date">{localDate(locale, d.order.orderDate)}</dd>
      <dt>Received</dt>
      <dd>{when(locale, d.receivedAt)}</dd>
      <dt>Version</dt>
      <dd>{String(a.orderVersion)}</dd>
      <dt>Total</dt>
      <dd id="order-total">{localMoney(locale, a.total, a.currency)}</dd>
      <dt>Level</dt>
      <dd>{`${a.level} of ${levels}${a.approvers.length ? ` (${a.approvers.join(', ')})` : ''}`}</dd>
      <dt>Waiting since</dt>
      <dd id="since">{when(locale, a.createdAt)}</dd>
    </dl>
  );
}

export function Addresses({ d }: { d: Data }) {
  const blocks: [string, string[]][] = [
    ['Ship to', partyLines(d.order.shipTo)],
    ['Bill to', partyLines(d.order.billTo)],
  ];
  return (
    <div class="columns">
      {blocks
        .filter(([, lines]) => lines.length)
        .map(([title, lines]) => (
          <section>
            <h2>{title}</h2>
            <address>{lines.join('\n')}</address>
          </section>
        ))}
    </div>
  );
}

const STATUS_WORDS: Record<string, string> = {
  waiting: 'waiting for the level before',
  pending: 'waiting for a decision',
  approved: 'approved',
  rejected: 'rejected',
  expired: 'expired',
  superseded: 'superseded by a newer version',
  cancelled: 'cancelled',
};

/** Every level of the order: status, who decided, when, and the comment typed. */
export function Levels({ d, locale, current }: { d: Data; locale: string; current: string }) {
  return (
    <section aria-labelledby="decisions">
      <h2 id="decisions">Decisions on this order</h2>
      <div class="scroll-x">
        <table id="history">
          <thead>
            <tr>
              <th>Version</th>
              <th>Level</th>
              <th>Status</th>
              <th>Decided by</th>
              <th>When</th>
              <th>Comment</th>
            </tr>
          </thead>
          <tbody>
            {d.levels.map((l) => (
              <tr
                data-level={`${l.orderVersion}.${l.level}`}
                class={l.id === current ? 'current' : undefined}
              >
                <td>{String(l.orderVersion)}</td>
                <td>{String(l.level)}</td>
                <td>{STATUS_WORDS[l.status] ?? l.status}</td>
                <td>{l.decidedBy ?? ''}</td>
                <td class="nowrap">{when(locale, l.decidedAt)}</td>
                <td class="comment">{l.comment ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function PreviousOrders({ rows, d, locale }: { rows: PartnerOrder[]; d: Data; locale: string }) {
  return (
    <section aria-labelledby="previous">
      <h2 id="previous">{`Previous orders of ${d.partnerName}`}</h2>
      {rows.length ? (
        <div class="scroll-x">
          <table id="previous-orders">
            <thead>
              <tr>
                <th>Purchase order</th>
                <th>Our no.</th>
                <th>Received</th>
                <th>State</th>
                <th class="num">Total</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((o) => (
                <tr data-order={o.buyerOrderNumber}>
                  <td class="nowrap">
                    {o.approvalId ? (
                      <a href={`/approvals/${o.approvalId}`}>{o.buyerOrderNumber}</a>
                    ) : (
                      o.buyerOrderNumber
                    )}
                  </td>
                  <td class="nowrap">{o.supplierOrderNumber ?? ''}</td>
                  <td class="nowrap">{localDate(locale, o.createdAt)}</td>
                  <td>{o.state.replace(/_/g, ' ')}</td>
                  <td class="num">{localMoney(locale, o.total, o.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="muted" id="previous-orders">
          This is the partner’s first order.
        </p>
      )}
    </section>
  );
}

const link = (n: Neighbour | null, rel: 'prev' | 'next') =>
  n ? (
    <a href={`/approvals/${n.id}`} rel={rel} id={`${rel}-approval`}>
      {rel === 'prev' ? `← Previous: ${n.buyerOrderNumber}` : `Next: ${n.buyerOrderNumber} →`}
    </a>
  ) : (
    <span class="muted">{rel === 'prev' ? '← Previous' : 'Next →'}</span>
  );

export function Neighbours({ n }: { n: Data['neighbours'] }) {
  return (
    <nav class="neighbours" aria-label="Pending approvals">
      {link(n.prev, 'prev')}
      <span class="muted" id="position">
        {n.position ? `Pending approval ${n.position} of ${n.total}` : `${n.total} pending`}
      </span>
      {link(n.next, 'next')}
    </nav>
  );
}

/** The levels decided lately, with who decided and the comment (the pending list's second table). */
export function RecentlyDecided({ rows, locale }: { rows: ApprovalView[]; locale: string }) {
  if (!rows.length) return null;
  return (
    <section aria-labelledby="decided-lately">
      <h2 id="decided-lately">Decided lately</h2>
      <div class="scroll-x">
        <table id="recently-decided">
          <thead>
            <tr>
              <th>Purchase order</th>
              <th>Partner</th>
              <th class="num">Total</th>
              <th>Level</th>
              <th>Decision</th>
              <th>By</th>
              <th>When</th>
              <th>Comment</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr data-approval={a.id}>
                <td class="nowrap">
                  <a href={`/approvals/${a.id}`}>{a.buyerOrderNumber}</a>
                </td>
                <td>{a.partnerId}</td>
                <td class="num">{localMoney(locale, a.total, a.currency)}</td>
                <td>{String(a.level)}</td>
                <td>{a.status}</td>
                <td>{a.decidedBy ?? ''}</td>
                <td class="nowrap">{when(locale, a.decidedAt)}</td>
                <td class="comment">{a.comment ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
