/** @jsxRuntime automatic @jsxImportSource preact */
/** The bodies of the approvals pages (the routes are in pages.tsx). */
import { Empty, hrefWith, Pagination, PostForm, SignInForm, type Paging } from '../platform/pages';
import { localDateTime, localMoney } from '../model';
import { FlagWords } from './detail-views';
import { RecentlyDecided } from './history-views';
import type { ApprovalView } from './listing';

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

export function Pending(p: {
  rows: ApprovalView[];
  total: number;
  paging: Paging;
  decided: ApprovalView[];
  locale: string;
}) {
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
                  <td class="num">{localMoney(p.locale, a.total, a.currency)}</td>
                  <td>{String(a.level)}</td>
                  <td>
                    <FlagWords flags={a.flags} />
                  </td>
                  <td class="nowrap">{localDateTime(p.locale, a.createdAt)}</td>
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
      <RecentlyDecided rows={p.decided} locale={p.locale} />
    </>
  );
}

export function Decide({ a, csrf, locale }: { a: ApprovalView; csrf: string; locale: string }) {
  if (a.status !== 'pending')
    return (
      <div class="card">
        <p id="decided">{`This level is ${a.status}${a.decidedBy ? ` by ${a.decidedBy}` : ''}.`}</p>
        {a.decidedAt ? <p class="muted">{`Decided on ${localDateTime(locale, a.decidedAt)}.`}</p> : null}
        {a.comment ? (
          <p>
            {'Comment: '}
            <q id="decided-comment">{a.comment}</q>
          </p>
        ) : null}
      </div>
    );
  return (
    <PostForm action={`/approvals/${a.id}/decide`} csrf={csrf} class="filters">
      <label>
        Comment (kept with the decision)
        <input name="comment" maxLength={2000} size={50} />
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
