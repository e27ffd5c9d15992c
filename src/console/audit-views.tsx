/** @jsxRuntime automatic @jsxImportSource preact */
/** The console's audit log page: its filters, the entries with their changes, paging. */
import { DateRange, Empty, FilterButton, hrefWith, Pagination, type Paging } from '../platform/pages';
import type { AuditFilter, AuditRow } from './audit';

/** Audit entries on one page unless the query asks for another limit. */
export const AUDIT_PER_PAGE = 50;

/** A value as short JSON for a change line. */
const shown = (v: unknown) => {
  const t = v === undefined ? '' : JSON.stringify(v);
  return t.length > 120 ? `${t.slice(0, 119)}…` : t;
};

/** before/after as lines "key: old → new" (a key only after: "key: new"; only before: "key: old → (gone)"). */
export function changeLines(before: unknown, after: unknown): string[] {
  const obj = (v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  const b = obj(before);
  const a = obj(after);
  if (!b && !a) return before === null && after === null ? [] : [`${shown(before)} → ${shown(after)}`];
  const lines: string[] = [];
  for (const k of new Set([...Object.keys(b ?? {}), ...Object.keys(a ?? {})])) {
    const was = b?.[k];
    const now = a?.[k];
    if (b && a && JSON.stringify(was) === JSON.stringify(now)) continue;
    if (!b) lines.push(`${k}: ${shown(now)}`);
    else if (!a || !(k in a)) lines.push(`${k}: ${shown(was)} → (gone)`);
    else lines.push(`${k}: ${shown(was)} → ${shown(now)}`);
  }
  return lines;
}

/** The filter form above the audit log. */
function AuditFilters({ f }: { f: AuditFilter }) {
  return (
    <form method="get" action="/console/audit" class="filters">
      <label>
        Who
        <input type="text" name="actor" value={f.actor ?? ''} placeholder="user:alice" />
      </label>
      <label>
        Action
        <input type="text" name="action" value={f.action ?? ''} placeholder="user. or session.sign_in" />
      </label>
      <label>
        Subject
        <input type="text" name="subject" value={f.subject ?? ''} placeholder="user:alice" />
      </label>
      <DateRange from={f.from} to={f.to} />
      <FilterButton />
    </form>
  );
}

/** The audit entries as a table, before and after shown as change lines. */
function AuditTable({ rows }: { rows: AuditRow[] }) {
  return (
    <div class="scroll-x">
      <table id="audit">
        <thead>
          <tr>
            <th>When (UTC)</th>
            <th>Who</th>
            <th>What</th>
            <th>Subject</th>
            <th>Change (before → after)</th>
            <th>Address, request id</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr data-audit={r.id}>
              <td class="nowrap">{r.at.toISOString().slice(0, 19).replace('T', ' ')}</td>
              <td class="nowrap">{r.actor}</td>
              <td class="nowrap">{r.action}</td>
              <td>{r.subject ?? ''}</td>
              <td class="change">
                {changeLines(r.before, r.after).map((l) => (
                  <div>{l}</div>
                ))}
              </td>
              <td class="nowrap">
                <small>{r.ip ?? ''}</small>
                {r.request_id ? (
                  <div>
                    <small title="the requestId of this request's log lines" data-request-id={r.request_id}>
                      req {r.request_id}
                    </small>
                  </div>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The audit log page: filters, the matching entries and paging. */
export function AuditList(p: { f: AuditFilter; rows: AuditRow[]; total: number; paging: Paging }) {
  const { f } = p;
  return (
    <>
      <h1>Audit log</h1>
      <AuditFilters f={f} />
      {p.rows.length ? <AuditTable rows={p.rows} /> : <Empty id="no-entries">No entries match.</Empty>}
      <Pagination
        total={p.total}
        limit={p.paging.limit}
        offset={p.paging.offset}
        noun="entries"
        href={(offset) =>
          hrefWith('/console/audit', {
            ...f,
            offset: offset || undefined,
            limit: p.paging.limit === AUDIT_PER_PAGE ? undefined : p.paging.limit,
          })
        }
      />
    </>
  );
}
