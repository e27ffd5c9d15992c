/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The catalog's browsing views: product pictures, availability, the category tree with counts,
 * result lists with sort and pages, specifications and the comparison of up to four products.
 */
import { availabilityOf } from '../catalog/availability';
import type { CategoryNode } from '../catalog/category-tree';
import type { CatalogItemRow, SortOrder } from '../catalog/repository';
import { Empty, hrefWith, Pagination, PostForm } from '../platform/pages';
import type { Shop } from './chrome';
import { AddForm, unitPrice, type PricedItem } from './views';

/** A product's picture (lazy, no referrer), or a blank tile of the same size when it has none. */
export function Thumb({ item, size }: { item: CatalogItemRow; size: 'small' | 'large' }) {
  const px = size === 'small' ? 56 : 240;
  if (!item.image_url) return <span class={`thumb thumb-${size} no-image`} aria-hidden="true" />;
  return (
    <img
      class={`thumb thumb-${size}`}
      src={item.image_url}
      alt={item.name}
      loading="lazy"
      decoding="async"
      referrerpolicy="no-referrer"
      width={px}
      height={px}
    />
  );
}

export function Availability({ item }: { item: CatalogItemRow }) {
  const a = availabilityOf(item);
  if (a.state === 'unknown') return null;
  return <span class={`avail avail-${a.state.replace(/_/g, '-')}`}>{a.text}</span>;
}

const categoryHref = (shop: Shop, path: string) => hrefWith(`${shop.base}search`, { category: path });

function TreeLevel({ shop, nodes, current }: { shop: Shop; nodes: CategoryNode[]; current?: string }) {
  return (
    <ul>
      {nodes.map((n) => (
        <li data-category={n.path}>
          <a href={categoryHref(shop, n.path)} aria-current={n.path === current ? 'page' : undefined}>
            {n.name}
          </a>{' '}
          <span class="count" aria-label={`${n.count} products`}>
            {String(n.count)}
          </span>
          {n.children.length ? <TreeLevel shop={shop} nodes={n.children} current={current} /> : null}
        </li>
      ))}
    </ul>
  );
}

export function CategoryTree({ shop, tree }: { shop: Shop; tree: CategoryNode[] }) {
  const total = tree.reduce((t, n) => t + n.count, 0);
  return (
    <>
      <h1>Catalog</h1>
      <p class="lead">{`${total} products. Browse a category or search by name or SKU.`}</p>
      {tree.length ? (
        <nav aria-label="Categories" id="categories" class="category-tree">
          <ul class="tree-roots">
            {tree.map((root) => (
              <li class="card" data-category={root.path}>
                <h2>
                  <a href={categoryHref(shop, root.path)}>{root.name}</a>{' '}
                  <span class="count" aria-label={`${root.count} products`}>
                    {String(root.count)}
                  </span>
                </h2>
                {root.children.length ? <TreeLevel shop={shop} nodes={root.children} /> : null}
              </li>
            ))}
          </ul>
        </nav>
      ) : (
        <Empty id="categories">No categories yet.</Empty>
      )}
    </>
  );
}

export const SORT_LABELS: Record<SortOrder, string> = {
  relevance: 'Relevance',
  name: 'Name (A–Z)',
  price_asc: 'Price (low to high)',
  price_desc: 'Price (high to low)',
};

export interface ResultsProps {
  shop: Shop;
  heading: string;
  q: string;
  category: string;
  sort: SortOrder;
  page: number;
  perPage: number;
  total: number;
  items: PricedItem[];
  /** The category's place in the tree: its ancestors then itself (empty for a search). */
  trail: CategoryNode[];
}

function Breadcrumb({ shop, trail }: { shop: Shop; trail: CategoryNode[] }) {
  return (
    <nav aria-label="Breadcrumb" class="breadcrumb">
      <ol>
        <li>
          <a href={shop.base}>All categories</a>
        </li>
        {trail.map((n, i) => (
          <li>
            {i === trail.length - 1 ? (
              <span aria-current="page">{n.name}</span>
            ) : (
              <a href={categoryHref(shop, n.path)}>{n.name}</a>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}

function SortForm(p: ResultsProps) {
  return (
    <form method="get" action={`${p.shop.base}search`} class="sort inline" id="sort-form">
      {p.q ? <input type="hidden" name="q" value={p.q} /> : null}
      {p.category ? <input type="hidden" name="category" value={p.category} /> : null}
      <label for="sort">Sort by</label>
      <select id="sort" name="sort">
        {(Object.keys(SORT_LABELS) as SortOrder[]).map((s) => (
          <option value={s} selected={s === p.sort}>
            {SORT_LABELS[s]}
          </option>
        ))}
      </select>
      <button type="submit">Sort</button>
    </form>
  );
}

/** "Compare" of a product; `back` (relative to the session's base) is the page to return to. */
export function CompareButton({ shop, item, back }: { shop: Shop; item: CatalogItemRow; back?: string }) {
  return (
    <PostForm action={`${shop.base}compare/add`} csrf={shop.csrf} class="inline">
      <input type="hidden" name="sku" value={item.sku} />
      {back ? <input type="hidden" name="back" value={back} /> : null}
      <button type="submit" class="link" data-compare={item.sku} aria-label={`Compare ${item.name}`}>
        Compare
      </button>
    </PostForm>
  );
}

export function Results(p: ResultsProps) {
  const last = p.trail[p.trail.length - 1];
  const href = (offset: number) =>
    hrefWith(`${p.shop.base}search`, {
      q: p.q,
      category: p.category,
      sort: p.sort === 'relevance' ? undefined : p.sort,
      page: Math.floor(offset / p.perPage) + 1,
    });
  const paging = {
    total: p.total,
    limit: p.perPage,
    offset: (p.page - 1) * p.perPage,
    href,
    noun: 'products',
  };
  return (
    <>
      {p.trail.length ? <Breadcrumb shop={p.shop} trail={p.trail} /> : null}
      <h1>{p.heading}</h1>
      {last?.children.length ? (
        <nav aria-label="Subcategories" class="subcategories">
          <TreeLevel shop={p.shop} nodes={last.children} />
        </nav>
      ) : null}
      <div class="toolbar">
        <p class="summary" id="result-count">{`${p.total} product${p.total === 1 ? '' : 's'}`}</p>
        {p.total > 1 ? <SortForm {...p} /> : null}
      </div>
      {p.items.length === 0 ? (
        <Empty id="no-results">No products found.</Empty>
      ) : (
        <>
          <ResultsTable shop={p.shop} items={p.items} back={href(paging.offset).slice(p.shop.base.length)} />
          <Pagination {...paging} />
        </>
      )}
    </>
  );
}

function ResultsTable({ shop, items, back }: { shop: Shop; items: PricedItem[]; back: string }) {
  return (
    <div class="scroll-x">
      <table id="results" class="products">
        <thead>
          <tr>
            <th>
              <span class="visually-hidden">Picture</span>
            </th>
            <th>Product</th>
            <th>Availability</th>
            <th class="num">Price</th>
            <th>Unit</th>
            <th>
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map(({ item, price }) => (
            <tr data-sku={item.sku}>
              <td class="pic">
                <Thumb item={item} size="small" />
              </td>
              <td>
                <a href={`${shop.base}item/${encodeURIComponent(item.sku)}`}>{item.name}</a>
                <div class="muted sku">{item.sku}</div>
              </td>
              <td>
                <Availability item={item} />
              </td>
              <td class="num price">{price ? unitPrice(price.unitPrice, price.currency) : ''}</td>
              <td>{item.uom}</td>
              <td class="row-actions">
                <AddForm shop={shop} item={item} />
                <CompareButton shop={shop} item={item} back={back} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The product's specifications as a table of name and value. */
export function Specifications({ item }: { item: CatalogItemRow }) {
  const entries = item.attributes ?? [];
  if (!entries.length) return null;
  return (
    <>
      <h2 id="specifications-heading">Specifications</h2>
      <table id="specifications" class="specs" aria-labelledby="specifications-heading">
        <tbody>
          {entries.map(([name, value]) => (
            <tr>
              <th scope="row">{name}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
