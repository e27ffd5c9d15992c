/** @jsxRuntime automatic @jsxImportSource preact */
/** The console's documents search page: the filter form (a GET form, so its URL is shareable) and the matches. */
import { DateRange, Empty, hrefWith, Pagination, type Paging } from '../platform/pages';
import type { DocumentHit, DocumentSearch } from './search';

export const DOCUMENTS_PER_PAGE = 50;

export const when = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');

function Text(p: {
  name: keyof DocumentSearch;
  label: string;
  f: DocumentSearch;
  list?: string;
  size?: number;
}) {
  return (
    <label>
      {p.label}
      <input type="text" name={p.name} value={p.f[p.name] ?? ''} list={p.list} size={p.size ?? 14} />
    </label>
  );
}

function Choice(p: {
  name: keyof DocumentSearch;
  label: string;
  f: DocumentSearch;
  options: [string, string][];
  any?: boolean;
}) {
  return (
    <label>
      {p.label}
      <select name={p.name}>
        {p.any === false ? null : <option value="">any</option>}
        {p.options.map(([v, l]) => (
          <option value={v} selected={p.f[p.name] === v}>
            {l}
          </option>
        ))}
      </select>
    </label>
  );
}

export interface SearchChoices {
  partners: { id: string; name: string }[];
  types: string[];
  statuses: string[];
}

function Filters({ f, c }: { f: DocumentSearch; c: SearchChoices }) {
  return (
    <form method="get" action="/console/documents" class="filters" id="document-search">
      <Choice
        name="partner"
        label="Partner"
        f={f}
        options={c.partners.map((p) => [p.id, `${p.name} (${p.id})`])}
      />
      <Choice
        name="protocol"
        label="Protocol"
        f={f}
        options={['cxml', 'x12', 'json', 'oci', 'as2'].map((p) => [p, p])}
      />
      <Text name="type" label="Type" f={f} list="doc-types" size={12} />
      <Choice
        name="direction"
        label="Direction"
        f={f}
        options={[
          ['in', 'inbound'],
          ['out', 'outbound'],
        ]}
      />
      <Text name="status" label="Status" f={f} list="doc-statuses" size={10} />
      <Text name="externalId" label="External id" f={f} size={18} />
      <Text name="requestId" label="Request or job id" f={f} size={18} />
      <Text name="po" label="Buyer PO number" f={f} />
      <Text name="orderNumber" label="Supplier order no." f={f} />
      <DateRange from={f.from} to={f.to} />
      <Choice
        name="sort"
        label="Sort"
        any={false}
        f={f}
        options={[
          ['newest', 'newest first'],
          ['oldest', 'oldest first'],
        ]}
      />
      {f.order ? <input type="hidden" name="order" value={f.order} /> : null}
      {f.invoice ? <input type="hidden" name="invoice" value={f.invoice} /> : null}
      <button type="submit" class="primary">
        Search
      </button>
      <a class="button" href="/console/documents">
        Clear
      </a>
      <datalist id="doc-types">
        {c.types.map((t) => (
          <option value={t} />
        ))}
      </datalist>
      <datalist id="doc-statuses">
        {c.statuses.map((t) => (
          <option value={t} />
        ))}
      </datalist>
    </form>
  );
}

function Hits({ rows }: { rows: DocumentHit[] }) {
  return (
    <div class="scroll-x">
      <table id="documents">
        <thead>
          <tr>
            <th>When (UTC)</th>
            <th>Partner</th>
            <th>Document</th>
            <th>External id, stored by</th>
            <th>Status</th>
            <th>Order (PO, ours)</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <tr data-document={d.id}>
              <td class="nowrap">
                <a href={`/console/documents/${d.id}`}>{when(d.createdAt)}</a>
              </td>
              <td>{d.partnerId ?? <span class="muted">unknown</span>}</td>
              <td class="nowrap">
                {`${d.direction === 'in' ? '→ in' : '← out'} ${d.protocol} `}
                <strong>{d.type}</strong>
              </td>
              <td class="change">
                {d.externalId ?? ''}
                {d.requestId ? (
                  <div>
                    <small class="request-id">
                      <a href={`/console/documents?requestId=${encodeURIComponent(d.requestId)}`}>
                        {d.requestId}
                      </a>
                    </small>
                  </div>
                ) : null}
              </td>
              <td class="nowrap">
                {['refused', 'failed', 'rejected'].includes(d.status) ? (
                  <span class="flag">{d.status}</span>
                ) : (
                  d.status
                )}
              </td>
              <td class="nowrap">
                {d.buyerOrderNumber ?? ''}
                {d.supplierOrderNumber ? (
                  <div>
                    <small>{d.supplierOrderNumber}</small>
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

/** The documents search page. */
export function DocumentList(p: {
  f: DocumentSearch;
  choices: SearchChoices;
  rows: DocumentHit[];
  total: number;
  more: boolean;
  paging: Paging;
}) {
  const { f } = p;
  return (
    <>
      <h1>Documents</h1>
      <p class="lead">
        Every document received and sent, with credentials masked. Open one to see it, replay or resend it.
      </p>
      <Filters f={f} c={p.choices} />
      {p.more ? (
        <p class="muted" id="more-than">
          More than {String(p.total)} documents match; narrow the search to page through all of them.
        </p>
      ) : null}
      {p.rows.length ? <Hits rows={p.rows} /> : <Empty id="no-documents">No documents match.</Empty>}
      <Pagination
        total={p.total}
        limit={p.paging.limit}
        offset={p.paging.offset}
        noun={p.more ? 'documents (first matches)' : 'documents'}
        href={(offset) =>
          hrefWith('/console/documents', {
            ...f,
            offset: offset || undefined,
            limit: p.paging.limit === DOCUMENTS_PER_PAGE ? undefined : p.paging.limit,
          })
        }
      />
    </>
  );
}
