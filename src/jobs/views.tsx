/** @jsxRuntime automatic @jsxImportSource preact */
/** The console's Queues page: counts per job name and state, the dead letters with a retry button each. */
import { Empty, PostForm } from '../platform/pages';
import type { QueueState } from './queue-state';

function Counts({ s }: { s: QueueState }) {
  if (!s.counts.length) return <Empty id="no-jobs">No jobs recorded.</Empty>;
  const states = [...new Set(s.counts.map((c) => c.state))];
  const names = [...new Set(s.counts.map((c) => c.name))].sort();
  const at = (name: string, state: string) =>
    s.counts.filter((c) => c.name === name && c.state === state).reduce((a, c) => a + c.count, 0);
  return (
    <div class="scroll-x">
      <table id="job-counts">
        <thead>
          <tr>
            <th>Job</th>
            {states.map((st) => (
              <th class="num">{st}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {names.map((n) => (
            <tr data-job={n}>
              <td>{n}</td>
              {states.map((st) => (
                <td class="num" data-state={st}>
                  {at(n, st) ? String(at(n, st)) : ''}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Failed({ s, csrf }: { s: QueueState; csrf: string }) {
  if (!s.failed.length) return <Empty id="no-failed">No failed jobs.</Empty>;
  return (
    <div class="scroll-x">
      <table id="failed-jobs">
        <thead>
          <tr>
            <th>Job</th>
            <th>Failed (UTC)</th>
            <th>Attempts</th>
            <th>Error and payload</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {s.failed.map((j) => (
            <tr data-failed={j.id}>
              <td>
                {j.name}
                <div>
                  <small>{j.id}</small>
                </div>
              </td>
              <td class="nowrap">{j.failedAt ? j.failedAt.slice(0, 19).replace('T', ' ') : ''}</td>
              <td class="num">{String(j.attempts)}</td>
              <td class="change">
                <div class="error">{j.error}</div>
                <details>
                  <summary>Payload</summary>
                  <pre class="doc">{JSON.stringify(j.data, null, 2)}</pre>
                </details>
              </td>
              <td>
                <PostForm
                  action={`/console/queues/jobs/${encodeURIComponent(j.id)}/retry`}
                  csrf={csrf}
                  class="inline"
                >
                  <button type="submit" class="primary">
                    Retry
                  </button>
                </PostForm>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function QueuesPage({ s, csrf }: { s: QueueState; csrf: string }) {
  return (
    <>
      <h1>Queues</h1>
      <p class="lead" id="queue-kind">
        {s.kind === 'bullmq'
          ? 'BullMQ on Redis: what Redis holds now (waiting, active, delayed) and, from the outbox, work not yet handed to Redis, completions and dead letters.'
          : 'In-process queue on the outbox table: waiting, running (leased), retrying (backing off), completed and failed jobs.'}
      </p>
      <h2>Jobs by name and state</h2>
      <Counts s={s} />
      <h2>Failed jobs</h2>
      <Failed s={s} csrf={csrf} />
    </>
  );
}
