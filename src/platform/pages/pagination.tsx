/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * Pagination of a list with total/limit/offset: the page links (previous, numbers with gaps, next)
 * as plain links whose URL carries the position, so a page of a list can be bookmarked and shared.
 */

export interface Paging {
  limit: number;
  offset: number;
}

/** `?limit=&offset=` of a request, within bounds (anything else falls back to the defaults). */
export function pagingFrom(query: unknown, opts: { limit: number; maxLimit?: number }): Paging {
  const q = (query ?? {}) as Record<string, unknown>;
  const num = (v: unknown): number | undefined =>
    typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : undefined;
  const limit = Math.min(Math.max(num(q.limit) ?? opts.limit, 1), opts.maxLimit ?? opts.limit);
  return { limit, offset: num(q.offset) ?? 0 };
}

/** `path` with the given query parameters; empty and undefined values are left out. */
export function hrefWith(path: string, params: Record<string, string | number | undefined>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

export type PageLink =
  | { kind: 'prev'; offset: number | null }
  | { kind: 'next'; offset: number | null }
  | { kind: 'page'; number: number; offset: number; current: boolean }
  | { kind: 'gap' };

/**
 * The links of a pager: previous, the first and last page, the pages around the current one (gaps
 * in between), next. `offset: null` on prev/next when there is no such page.
 */
export function pageLinks(total: number, limit: number, offset: number, around = 2): PageLink[] {
  const pages = Math.max(1, Math.ceil(total / limit));
  const current = Math.min(Math.floor(offset / limit) + 1, pages);
  const shown = new Set([1, pages]);
  for (let n = current - around; n <= current + around; n++) if (n >= 1 && n <= pages) shown.add(n);
  const out: PageLink[] = [{ kind: 'prev', offset: current > 1 ? (current - 2) * limit : null }];
  let last = 0;
  for (const n of [...shown].sort((a, b) => a - b)) {
    if (n > last + 1) out.push({ kind: 'gap' });
    out.push({ kind: 'page', number: n, offset: (n - 1) * limit, current: n === current });
    last = n;
  }
  out.push({ kind: 'next', offset: current < pages ? current * limit : null });
  return out;
}

export interface PaginationProps extends Paging {
  total: number;
  /** The URL of the list at an offset (keeping the list's filters). */
  href: (offset: number) => string;
  prev?: { label: string; id?: string };
  next?: { label: string; id?: string };
  /** What is counted ("orders"): the summary says "Showing 21–40 of 93 orders". */
  noun?: string;
}

/** The pager; nothing when everything fits on one page. */
export function Pagination(p: PaginationProps) {
  if (p.total <= p.limit && p.offset === 0) return null;
  const links = pageLinks(p.total, p.limit, p.offset);
  const first = Math.min(p.offset + 1, p.total);
  const last = Math.min(p.offset + p.limit, p.total);
  const edge = (l: { offset: number | null }, side: { label: string; id?: string }, rel: string) =>
    l.offset === null ? (
      <span class="page disabled" aria-disabled="true">
        {side.label}
      </span>
    ) : (
      <a href={p.href(l.offset)} id={side.id} rel={rel}>
        {side.label}
      </a>
    );
  return (
    <nav class="pagination" aria-label="Pages">
      <span class="summary">{`Showing ${first}–${last} of ${p.total}${p.noun ? ` ${p.noun}` : ''}`}</span>
      {links.map((l) => {
        if (l.kind === 'prev') return edge(l, p.prev ?? { label: '‹ Previous' }, 'prev');
        if (l.kind === 'next') return edge(l, p.next ?? { label: 'Next ›' }, 'next');
        if (l.kind === 'gap') return <span class="gap">…</span>;
        return l.current ? (
          <span class="page" aria-current="page">
            {String(l.number)}
          </span>
        ) : (
          <a href={p.href(l.offset)} aria-label={`Page ${l.number}`}>
            {String(l.number)}
          </a>
        );
      })}
    </nav>
  );
}
