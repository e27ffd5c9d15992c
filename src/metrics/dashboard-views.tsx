/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The console dashboard: figures that link to the screen that explains them, a server-side SVG
 * chart of documents in and out per hour (no script, no external asset; the same numbers are in a
 * table for screen readers), and the last 24 hours by partner, protocol and type.
 */
import { Empty } from '../platform/pages';
import type { Dashboard, HourBucket } from './dashboard';

const pct = (part: number, whole: number) => (whole === 0 ? '0%' : `${((100 * part) / whole).toFixed(1)}%`);

function Figure(p: { n: number | string; label: string; href?: string; bad?: boolean; id: string }) {
  const inner = (
    <>
      <span class="figure">{p.n}</span>
      <span class="figure-label">{p.label}</span>
    </>
  );
  return (
    <li class={p.bad ? 'bad' : undefined} id={p.id}>
      {p.href ? <a href={p.href}>{inner}</a> : <a>{inner}</a>}
    </li>
  );
}

/** Bars of documents in (accent) and out (green) per hour, refusals marked red on top. */
export function HourChart({ hours }: { hours: HourBucket[] }) {
  const W = 1080;
  const H = 240;
  const left = 44;
  const bottom = 28;
  const top = 16;
  const max = Math.max(1, ...hours.map((h) => Math.max(h.in, h.out)));
  const step = Math.pow(10, Math.floor(Math.log10(max)));
  const ceil = Math.ceil(max / step) * step;
  const slot = (W - left - 8) / hours.length;
  const bar = Math.max(2, slot / 2 - 3);
  const y = (v: number) => top + (H - top - bottom) * (1 - v / ceil);
  const ticks = [0, ceil / 2, ceil];
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="chart-title" id="hour-chart">
      <title id="chart-title">Documents in and out per hour, last 24 hours (UTC)</title>
      {ticks.map((t) => (
        <g>
          <line x1={left} x2={W - 8} y1={y(t)} y2={y(t)} stroke="#e2e6ee" />
          <text x={left - 6} y={y(t) + 4} text-anchor="end" font-size="11" fill="#5b6475">
            {t % 1 === 0 ? t : t.toFixed(1)}
          </text>
        </g>
      ))}
      {hours.map((h, i) => {
        const x = left + i * slot + 2;
        return (
          <g data-hour={h.hour.toISOString()}>
            <rect x={x} y={y(h.in)} width={bar} height={y(0) - y(h.in)} fill="#2563eb">
              <title>{`${h.hour.toISOString().slice(11, 16)}: ${h.in} in`}</title>
            </rect>
            <rect x={x + bar + 1} y={y(h.out)} width={bar} height={y(0) - y(h.out)} fill="#15803d">
              <title>{`${h.hour.toISOString().slice(11, 16)}: ${h.out} out`}</title>
            </rect>
            {h.refused ? <rect x={x} y={y(h.in) - 3} width={bar} height={3} fill="#b91c1c" /> : null}
            {i % 3 === 0 ? (
              <text x={x + bar} y={H - 10} text-anchor="middle" font-size="11" fill="#5b6475">
                {h.hour.toISOString().slice(11, 16)}
              </text>
            ) : null}
          </g>
        );
      })}
      <g font-size="12" fill="#1d2433">
        <rect x={W - 250} y={4} width={10} height={10} fill="#2563eb" />
        <text x={W - 236} y={13}>
          in
        </text>
        <rect x={W - 200} y={4} width={10} height={10} fill="#15803d" />
        <text x={W - 186} y={13}>
          out
        </text>
        <rect x={W - 150} y={8} width={10} height={3} fill="#b91c1c" />
        <text x={W - 136} y={13}>
          has refusals
        </text>
      </g>
    </svg>
  );
}

function Traffic({ d }: { d: Dashboard }) {
  if (!d.traffic.length) return <Empty id="no-traffic">No documents in the last 24 hours.</Empty>;
  return (
    <div class="scroll-x">
      <table id="traffic">
        <thead>
          <tr>
            <th>Partner</th>
            <th>Protocol</th>
            <th>Document</th>
            <th>Direction</th>
            <th class="num">Documents</th>
            <th class="num">Refused</th>
          </tr>
        </thead>
        <tbody>
          {d.traffic.map((t) => (
            <tr>
              <td>{t.partnerId ?? '(unknown sender)'}</td>
              <td>{t.protocol}</td>
              <td>{t.docType}</td>
              <td>{t.direction}</td>
              <td class="num">{t.total}</td>
              <td class="num">
                {t.refused} ({pct(t.refused, t.total)})
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function DashboardPage({ d }: { d: Dashboard }) {
  const docs = d.hours.reduce((a, h) => a + h.in + h.out, 0);
  const refused = d.hours.reduce((a, h) => a + h.refused, 0);
  const openAlerts = Object.values(d.alerts).reduce((a, b) => a + b, 0);
  return (
    <>
      <h1>Dashboard</h1>
      <p class="lead">
        The whole gateway, every server and worker, as of {d.now.toISOString().slice(0, 16).replace('T', ' ')}{' '}
        UTC.
      </p>
      <ul class="tiles" id="figures">
        <Figure
          id="fig-alerts"
          n={openAlerts}
          label="open alerts"
          href="/console/alerts?state=open"
          bad={openAlerts > 0}
        />
        <Figure id="fig-docs" n={docs} label="documents in the last 24 h" />
        <Figure id="fig-refused" n={pct(refused, docs)} label={`refused (${refused})`} bad={refused > 0} />
        <Figure
          id="fig-pending"
          n={d.deliveries.pending}
          label="deliveries waiting for a first attempt"
          href="/console/deliveries?state=pending"
        />
        <Figure
          id="fig-retrying"
          n={d.deliveries.retrying}
          label="deliveries retrying"
          href="/console/deliveries?state=retrying"
          bad={d.deliveries.retrying > 0}
        />
        <Figure
          id="fig-dead"
          n={d.deliveries.failed + d.deliveries.rejected}
          label="dead letters (gave up or refused)"
          href="/console/deliveries?state=failed"
          bad={d.deliveries.failed + d.deliveries.rejected > 0}
        />
        <Figure
          id="fig-attempts"
          n={pct(d.attempts.failed, d.attempts.total)}
          label={`delivery attempts failed in the last hour (${d.attempts.failed} of ${d.attempts.total})`}
          bad={d.attempts.failed > 0}
        />
        <Figure
          id="fig-acks"
          n={d.acksOverdue}
          label="X12 acknowledgments overdue"
          href="/console/alerts?rule=ack_overdue"
          bad={d.acksOverdue > 0}
        />
        <Figure
          id="fig-approval"
          n={d.awaitingApproval}
          label="orders awaiting approval"
          href="/console/orders?state=pending_approval"
        />
      </ul>
      <h2>Documents per hour</h2>
      <HourChart hours={d.hours} />
      <h2>Last 24 hours by partner and document</h2>
      <Traffic d={d} />
    </>
  );
}
