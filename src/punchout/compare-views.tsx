/** @jsxRuntime automatic @jsxImportSource preact */
/** The comparison page: up to four products side by side, one column each, one row per fact. */
import type { ComponentChildren } from 'preact';
import { Empty, PostForm } from '../platform/pages';
import { Availability, Thumb } from './catalog-views';
import type { Shop } from './chrome';
import { AddForm, unitPrice, type PricedItem } from './views';

function Row({ label, cells }: { label: string; cells: ComponentChildren[] }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      {cells.map((c) => (
        <td>{c}</td>
      ))}
    </tr>
  );
}

export function Compare({ shop, items, max }: { shop: Shop; items: PricedItem[]; max: number }) {
  if (items.length === 0)
    return (
      <>
        <h1>Compare products</h1>
        <Empty id="compare-empty">{`Nothing to compare yet: choose "Compare" on up to ${max} products.`}</Empty>
      </>
    );
  // Every specification any of them has, in the order first seen.
  const names = [...new Set(items.flatMap(({ item }) => (item.attributes ?? []).map(([n]) => n)))];
  const cells = (f: (p: PricedItem) => ComponentChildren) => items.map(f);
  return (
    <>
      <h1>Compare products</h1>
      <p class="lead">{`${items.length} of at most ${max} products.`}</p>
      <div class="scroll-x">
        <table id="compare" class="compare">
          <caption class="visually-hidden">Products side by side</caption>
          <thead>
            <tr>
              <td></td>
              {items.map(({ item }) => (
                <th scope="col" data-sku={item.sku}>
                  <Thumb item={item} size="small" />
                  <a href={`${shop.base}item/${encodeURIComponent(item.sku)}`}>{item.name}</a>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <Row
              label="Price"
              cells={cells((p) => (p.price ? unitPrice(p.price.unitPrice, p.price.currency) : ''))}
            />
            <Row
              label="Availability"
              cells={cells(({ item }) => (
                <Availability item={item} />
              ))}
            />
            <Row label="Unit" cells={cells(({ item }) => item.uom)} />
            <Row label="SKU" cells={cells(({ item }) => item.sku)} />
            {items.some(({ item }) => item.manufacturer) ? (
              <Row label="Manufacturer" cells={cells(({ item }) => item.manufacturer ?? '')} />
            ) : null}
            {names.map((n) => (
              <Row
                label={n}
                cells={cells(({ item }) => (item.attributes ?? []).find(([name]) => name === n)?.[1] ?? '–')}
              />
            ))}
            <tr>
              <td></td>
              {items.map(({ item }) => (
                <td class="compare-actions">
                  <AddForm shop={shop} item={item} />
                  <PostForm action={`${shop.base}compare/remove`} csrf={shop.csrf} class="inline">
                    <input type="hidden" name="sku" value={item.sku} />
                    <button
                      type="submit"
                      class="danger"
                      aria-label={`Remove ${item.name} from the comparison`}
                    >
                      Remove
                    </button>
                  </PostForm>
                </td>
              ))}
            </tr>
          </tbody>
        </table>
      </div>
    </>
  );
}
