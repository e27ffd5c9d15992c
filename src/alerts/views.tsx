/** @jsxRuntime automatic @jsxImportSource preact */
/** The console's alerts pages: the list with its filters, and one alert with its evidence. */
import { Empty, FilterButton, hrefWith, Pagination, type Paging, PostForm } from '../platform/pages';
import type { Alert, AlertFilter } from './repository';
import { ALERT_RULES, RULE_TITLES } from './rules';

export const ALERTS_PER_PAGE = 50;

/** A detail's key in words: "bySurface" reads "by surface". */
const label = (k: string) => {
  const t = k.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return t.charAt(0).toUpperCase() + t.slice(1);
};

/** A detail's value: a date-time as UTC, a map as "api 4, cxml 2". */
function shown(v: unknown): string {
  if (typeof v === 'string') return /^\d{4}-\d\d-\d\dT/.test(v) ? `${when(new Date(v))} UTC` : v;
  if (v && typeof v === 'object' && !Array.isArray(v))
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k} ${String(x)}`)
      .join(', ');
  return typeof v === 'number' ? String(Math.round(v * 100) / 100) : JSON.stringify(v);
}

const when = (d: Date | null) => (d ? d.toISOString().slice(0, 19).replace('T', ' ') : '');

function Filters({ f }: { f: AlertFilter }) {
  return (
    <form method="get" action="/console/alerts" class="filters">
      <label>
        State
        <select name="state">
          {[
            ['', 'Any'],
            ['open', 'Open'],
            ['resolved', 'Resolved'],
          ].map(([v, l]) => (
            <option value={v} selected={(f.state ?? '') === v}>
              {l}
            </option>
          ))}
        </select>
      </label>
      <label>
        Rule
        <select name="rule">
          <option value="">Any</option>
          {ALERT_RULES.map((r) => (
            <option value={r} selected={f.rule === r}>
              {RULE_TITLES[r]}
            </option>
          ))}
        </select>
      </label>
      <label>
        Partner
        <input type="text" name="partner" value={f.partnerId ?? ''} placeholder="acme" />
      </label>
      <FilterButton />
    </form>
  );
}

/** How the alert's notification went: mailed, webhook, or the last error. */
function Notified({ a }: { a: Alert }) {
  const done = [a.mailedAt ? 'e-mail' : '', a.webhookAt ? 'webhook' : ''].filter(Boolean).join(', ');
  if (a.notifyError) return <span class="error">failed: {a.notifyError}</span>;
  return <span>{done || 'not sent (no ALERT_EMAIL_TO with SMTP_URL, no ALERT_WEBHOOK_URL)'}</span>;
}

function AlertTable({ alerts }: { alerts: Alert[] }) {
  return (
    <div class="scroll-x">
      <table id="alerts">
        <thead>
          <tr>
            <th>Opened (UTC)</th>
            <th>State</th>
            <th>Rule</th>
            <th>Partner</th>
            <th>What</th>
            <th>Notified</th>
          </tr>
        </thead>
        <tbody>
          {alerts.map((a) => (
            <tr data-alert={a.id} data-rule={a.rule} data-state={a.resolvedAt ? 'resolved' : 'open'}>
              <td class="nowrap">{when(a.openedAt)}</td>
              <td class="nowrap">{a.resolvedAt ? `resolved ${when(a.resolvedAt)}` : 'open'}</td>
              <td class="nowrap">{RULE_TITLES[a.rule]}</td>
              <td>{a.partnerId ?? ''}</td>
              <td>
                <a href={`/console/alerts/${a.id}`}>{a.summary}</a>
              </td>
              <td>
                <Notified a={a} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function AlertList(p: {
  f: AlertFilter;
  alerts: Alert[];
  total: number;
  paging: Paging;
  csrf: string;
  open: Record<string, number>;
}) {
  const openTotal = Object.values(p.open).reduce((a, b) => a + b, 0);
  return (
    <>
      <h1>Alerts</h1>
      <p id="open-alerts">
        {openTotal === 0
          ? 'No alert is open.'
          : `${openTotal} open: ${Object.entries(p.open)
              .map(([r, n]) => `${RULE_TITLES[r as Alert['rule']] ?? r} ${n}`)
              .join(', ')}.`}
      </p>
      <PostForm action="/console/alerts/evaluate" csrf={p.csrf} class="inline">
        <button type="submit" id="evaluate-alerts">
          Evaluate the rules now
        </button>
      </PostForm>
      <Filters f={p.f} />
      {p.alerts.length ? <AlertTable alerts={p.alerts} /> : <Empty id="no-alerts">No alerts match.</Empty>}
      <Pagination
        total={p.total}
        limit={p.paging.limit}
        offset={p.paging.offset}
        noun="alerts"
        href={(offset) =>
          hrefWith('/console/alerts', {
            state: p.f.state,
            rule: p.f.rule,
            partner: p.f.partnerId,
            offset: offset || undefined,
          })
        }
      />
    </>
  );
}

export function AlertDetail({ a }: { a: Alert }) {
  return (
    <>
      <h1>{RULE_TITLES[a.rule]}</h1>
      <p id="alert-summary">{a.summary}</p>
      <dl id="alert-facts" class="facts">
        <dt>State</dt>
        <dd>{a.resolvedAt ? `resolved ${when(a.resolvedAt)} UTC` : 'open'}</dd>
        <dt>Opened</dt>
        <dd>{when(a.openedAt)} UTC</dd>
        <dt>Last seen</dt>
        <dd>{when(a.lastSeenAt)} UTC</dd>
        {a.partnerId ? (
          <>
            <dt>Partner</dt>
            <dd>{a.partnerId}</dd>
          </>
        ) : null}
        <dt>Notified</dt>
        <dd>
          <Notified a={a} />
        </dd>
        {Object.entries(a.details).map(([k, v]) => (
          <>
            <dt>{label(k)}</dt>
            <dd data-detail={k}>{shown(v)}</dd>
          </>
        ))}
      </dl>
      <p>
        <a href="/console/alerts">All alerts</a>
      </p>
    </>
  );
}
