/** @jsxRuntime automatic @jsxImportSource preact */
/** The console's Deliveries screen: the filtered list with the dead-letter bulk retry, and one delivery. */
import {
  DateRange,
  Empty,
  FilterButton,
  hrefWith,
  Pagination,
  type Paging,
  PostForm,
} from '../platform/pages';
import {
  DELIVERY_SORTS,
  DELIVERY_STATES,
  type DeliveryDetail,
  type DeliveryFilter,
  type DeliveryListRow,
} from './queries';

export const DELIVERIES_PER_PAGE = 50;

const when = (d: Date | null) => (d ? new Date(d).toISOString().slice(0, 19).replace('T', ' ') : '');
const short = (s: string | null, n = 160) => (s && s.length > n ? `${s.slice(0, n - 1)}…` : (s ?? ''));

/** When the next attempt is due: a time, "due now", or nothing for a decided delivery. */
function NextAttempt({ r }: { r: DeliveryListRow }) {
  if (r.state !== 'pending' && r.state !== 'retrying') return <span class="muted">—</span>;
  return <>{r.nextAttemptAt ? when(r.nextAttemptAt) : 'due now'}</>;
}

function StateOf({ state }: { state: string }) {
  const bad = state === 'failed' || state === 'rejected' || state === 'retrying';
  return <span class={bad ? 'flag' : ''}>{state === 'failed' ? 'failed (dead letter)' : state}</span>;
}

function Filters({ f, partners }: { f: DeliveryFilter; partners: string[] }) {
  return (
    <form method="get" action="/console/deliveries" class="filters" id="delivery-filters">
      <label>
        Partner
        <select name="partner">
          <option value="">every partner</option>
          {partners.map((p) => (
            <option value={p} selected={f.partner === p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <label>
        State
        <select name="state">
          <option value="">any</option>
          {DELIVERY_STATES.map((s) => (
            <option value={s} selected={f.state === s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <DateRange from={f.from} to={f.to} />
      <label>
        Sort
        <select name="sort">
          {DELIVERY_SORTS.map((s) => (
            <option value={s} selected={(f.sort ?? 'newest') === s}>
              {s === 'attempts' ? 'most attempts' : s}
            </option>
          ))}
        </select>
      </label>
      <FilterButton />
    </form>
  );
}

function DeliveryTable({ rows }: { rows: DeliveryListRow[] }) {
  return (
    <div class="scroll-x">
      <table id="deliveries">
        <thead>
          <tr>
            <th>Created (UTC)</th>
            <th>Partner</th>
            <th>Document</th>
            <th>State</th>
            <th class="num">Attempts</th>
            <th>Next attempt</th>
            <th>Last HTTP</th>
            <th>Error</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr data-delivery={r.id} data-state={r.state}>
              <td class="nowrap">
                <a href={`/console/deliveries/${r.id}`}>{when(r.createdAt)}</a>
              </td>
              <td class="nowrap">{r.partnerId}</td>
              <td>
                {r.protocol} {r.docType}
                <br />
                <small>{r.transport}</small>
              </td>
              <td class="nowrap">
                <StateOf state={r.state} />
              </td>
              <td class="num">{r.attempts}</td>
              <td class="nowrap">
                <NextAttempt r={r} />
              </td>
              <td class="num">{r.lastStatus ?? ''}</td>
              <td class="err">{short(r.lastError)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Retrying the dead letters the filter selects (its partner and dates). */
function BulkRetry({ f, csrf, dead }: { f: DeliveryFilter; csrf: string; dead: number }) {
  if (dead === 0)
    return (
      <span class="muted" id="no-dead">
        No dead letters{f.partner ? ` of ${f.partner}` : ''}.
      </span>
    );
  return (
    <PostForm action="/console/deliveries/retry-dead" csrf={csrf} class="inline" id="retry-dead">
      <input type="hidden" name="partner" value={f.partner ?? ''} />
      <input type="hidden" name="from" value={f.from ?? ''} />
      <input type="hidden" name="to" value={f.to ?? ''} />
      <button type="submit" class="primary">
        Retry {dead} dead letter{dead === 1 ? '' : 's'}
        {f.partner ? ` of ${f.partner}` : ''}
      </button>
      <small>to each partner's current URL</small>
    </PostForm>
  );
}

export function DeliveryList(p: {
  f: DeliveryFilter;
  partners: string[];
  rows: DeliveryListRow[];
  total: number;
  dead: number;
  paging: Paging;
  csrf: string;
}) {
  const { f } = p;
  return (
    <>
      <h1>Deliveries</h1>
      <p class="lead">Every outbound delivery: its state, attempts and the last answer or error.</p>
      <Filters f={f} partners={p.partners} />
      <div class="actions">
        <BulkRetry f={f} csrf={p.csrf} dead={p.dead} />
      </div>
      {p.rows.length ? (
        <DeliveryTable rows={p.rows} />
      ) : (
        <Empty id="no-deliveries">No deliveries match.</Empty>
      )}
      <Pagination
        total={p.total}
        limit={p.paging.limit}
        offset={p.paging.offset}
        noun="deliveries"
        href={(offset) =>
          hrefWith('/console/deliveries', {
            ...f,
            offset: offset || undefined,
            limit: p.paging.limit === DELIVERIES_PER_PAGE ? undefined : p.paging.limit,
          })
        }
      />
    </>
  );
}

function Actions({ d, csrf }: { d: DeliveryDetail; csrf: string }) {
  const open = d.state === 'pending' || d.state === 'retrying';
  return (
    <div class="actions">
      {d.state !== 'delivered' ? (
        <PostForm action={`/console/deliveries/${d.id}/retry`} csrf={csrf} class="inline" id="retry">
          <button type="submit" class="primary">
            Retry now
          </button>
        </PostForm>
      ) : null}
      {open || d.state === 'failed' ? (
        <PostForm action={`/console/deliveries/${d.id}/cancel`} csrf={csrf} class="inline" id="cancel">
          <button type="submit" class="danger">
            Cancel
          </button>
        </PostForm>
      ) : null}
      <a href={hrefWith('/console/deliveries', { partner: d.partnerId })}>All of {d.partnerId}</a>
    </div>
  );
}

function Attempts({ d }: { d: DeliveryDetail }) {
  if (!d.attemptsList.length) return <Empty id="no-attempts">No attempt yet.</Empty>;
  return (
    <table id="attempts">
      <thead>
        <tr>
          <th class="num">#</th>
          <th>When (UTC)</th>
          <th class="num">HTTP</th>
          <th class="num">ms</th>
          <th>Error</th>
        </tr>
      </thead>
      <tbody>
        {d.attemptsList.map((a) => (
          <tr data-attempt={a.attempt}>
            <td class="num">{a.attempt}</td>
            <td class="nowrap">{when(a.at)}</td>
            <td class="num">{a.statusCode ?? ''}</td>
            <td class="num">{a.durationMs}</td>
            <td class="change">{a.error ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function DeliveryPage({ d, csrf }: { d: DeliveryDetail; csrf: string }) {
  return (
    <>
      <h1>Delivery {d.id.slice(0, 8)}</h1>
      <dl class="facts" id="delivery">
        <dt>State</dt>
        <dd id="state">
          <StateOf state={d.state} />
        </dd>
        <dt>Partner</dt>
        <dd>{d.partnerId}</dd>
        <dt>Document</dt>
        <dd>
          {d.protocol} {d.docType} {d.externalId ? <small>{d.externalId}</small> : null}
        </dd>
        <dt>Transport and URL</dt>
        <dd id="url">
          {d.transport} {d.url}
        </dd>
        <dt>Attempts</dt>
        <dd>{d.attempts}</dd>
        <dt>Next attempt</dt>
        <dd id="next-attempt">
          <NextAttempt r={d} />
        </dd>
        <dt>Last error</dt>
        <dd id="last-error">{d.lastError ?? '—'}</dd>
        <dt>Answer</dt>
        <dd id="answer">
          {d.responseStatus ?? ''} <small>{short(d.responseBody, 300)}</small>
        </dd>
        <dt>Created, delivered</dt>
        <dd>
          {when(d.createdAt)}
          {d.deliveredAt ? `, ${when(d.deliveredAt)}` : ''}
        </dd>
      </dl>
      <Actions d={d} csrf={csrf} />
      <h2>Attempts</h2>
      <Attempts d={d} />
    </>
  );
}
