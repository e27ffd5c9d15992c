/** @jsxRuntime automatic @jsxImportSource preact */
/** The bodies of the catalog pages (rendered in the kit's layout by ./pages). */
import type { ComponentChildren } from 'preact';
import { dec, formatMoney, formatUnitPrice, mul } from '../model';
import type { CatalogItemRow } from '../catalog/repository';
import { availabilityOf } from '../catalog/availability';
import { Empty, PostForm } from '../platform/pages';
import { Availability, CompareButton, Specifications, Thumb } from './catalog-views';
import type { ReturnLine } from './cart-return';
import type { Shop } from './chrome';
import { firstQuantity } from './sessions';

/** A total (rounded to the currency's minor unit). */
export const money = (amount: string, currency: string) => `${formatMoney(amount, currency)} ${currency}`;

/** A unit price as every document writes it: as stored, at least the currency's scale (never rounded). */
export const unitPrice = (amount: string, currency: string) =>
  `${formatUnitPrice(amount, currency)} ${currency}`;

/** An inspect session shows the catalog and orders without changing anything. */
export const readOnly = (shop: Shop) => shop.session.operation === 'inspect';
/** A state as words ("partially_shipped" -> "partially shipped"). */
export const status = (state: string) => state.replace(/_/g, ' ');

export function AddForm({ shop, item }: { shop: Shop; item: CatalogItemRow }) {
  if (readOnly(shop)) return null;
  return (
    <PostForm action={`${shop.base}cart/add`} csrf={shop.csrf} class="inline">
      <input type="hidden" name="sku" value={item.sku} />
      <input
        type="text"
        name="quantity"
        value={firstQuantity(item)}
        size={5}
        class="qty"
        inputmode="decimal"
        aria-label={`Quantity for ${item.sku}`}
      />
      <button type="submit" name="add" value={item.sku} data-sku={item.sku} class="primary">
        Add to cart
      </button>
    </PostForm>
  );
}

export interface PricedItem {
  item: CatalogItemRow;
  price?: { unitPrice: string; currency: string };
}

export function Item(p: {
  shop: Shop;
  item: CatalogItemRow;
  price?: { unitPrice: string; currency: string };
  breaks: { minQty: string; unitPrice: string; currency: string }[];
}) {
  const { item } = p;
  return (
    <>
      <h1 id="product-name">{item.name}</h1>
      {item.description ? <p class="lead">{item.description}</p> : null}
      <div class="card product">
        <Thumb item={item} size="large" />
        <div class="product-facts">
          <dl class="facts">
            <dt>SKU</dt>
            <dd>{item.sku}</dd>
            <dt>Price</dt>
            <dd id="price">{`${p.price ? unitPrice(p.price.unitPrice, p.price.currency) : ''} per ${item.uom}`}</dd>
            {availabilityOf(item).state !== 'unknown' ? (
              <>
                <dt>Availability</dt>
                <dd id="availability">
                  <Availability item={item} />
                </dd>
              </>
            ) : null}
            {item.manufacturer ? (
              <>
                <dt>Manufacturer</dt>
                <dd>{`${item.manufacturer} ${item.manufacturer_part_id ?? ''}`}</dd>
              </>
            ) : null}
            {/* "Ships in N days" already says it; beside "In stock" it tells beyond the stock. */}
            {item.lead_time_days !== null && availabilityOf(item).state !== 'lead_time' ? (
              <>
                <dt>Lead time</dt>
                <dd>{`${item.lead_time_days} day(s)`}</dd>
              </>
            ) : null}
            {item.unspsc ? (
              <>
                <dt>UNSPSC</dt>
                <dd>{item.unspsc}</dd>
              </>
            ) : null}
          </dl>
          <div class="actions">
            <AddForm shop={p.shop} item={item} />
            <CompareButton shop={p.shop} item={item} back={`item/${encodeURIComponent(item.sku)}`} />
          </div>
        </div>
      </div>
      <Specifications item={item} />
      {p.breaks.length ? (
        <>
          <h2>Your contract prices</h2>
          <table id="price-breaks">
            <thead>
              <tr>
                <th class="num">From quantity</th>
                <th class="num">Unit price</th>
              </tr>
            </thead>
            <tbody>
              {[...p.breaks].reverse().map((b) => (
                <tr>
                  <td class="num">{dec(b.minQty).toFixed()}</td>
                  <td class="num">{unitPrice(b.unitPrice, b.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </>
  );
}

function CartRow({ shop, line }: { shop: Shop; line: ReturnLine }) {
  const l = line;
  return (
    <tr data-sku={l.sku}>
      <td>{l.item?.name ?? l.sku}</td>
      <td>{l.sku}</td>
      <td>
        {readOnly(shop) ? (
          dec(l.quantity).toFixed()
        ) : (
          <PostForm action={`${shop.base}cart/update`} csrf={shop.csrf} class="inline">
            <input type="hidden" name="line" value={l.lineId} />
            <input
              type="text"
              name="quantity"
              value={dec(l.quantity).toFixed()}
              size={5}
              class="qty"
              inputmode="decimal"
              aria-label={`Quantity of ${l.sku}`}
            />
            <button type="submit">Update</button>
          </PostForm>
        )}
      </td>
      <td class="num unit-price">{unitPrice(l.unitPrice, l.currency)}</td>
      <td class="num line-total">{money(mul(l.quantity, l.unitPrice).toFixed(), l.currency)}</td>
      <td>
        {readOnly(shop) ? null : (
          <PostForm action={`${shop.base}cart/remove`} csrf={shop.csrf} class="inline">
            <input type="hidden" name="line" value={l.lineId} />
            <button type="submit" class="danger">
              Remove
            </button>
          </PostForm>
        )}
      </td>
    </tr>
  );
}

export function Cart(p: { shop: Shop; lines: ReturnLine[]; currency: string; notice?: ComponentChildren }) {
  const { shop, lines } = p;
  const total = lines.reduce((t, l) => t.plus(mul(l.quantity, l.unitPrice)), dec('0'));
  return (
    <>
      <h1>Cart</h1>
      {p.notice}
      {lines.length === 0 ? (
        <Empty id="empty-cart">Your cart is empty.</Empty>
      ) : (
        <table id="cart">
          <thead>
            <tr>
              <th>Product</th>
              <th>SKU</th>
              <th>Quantity</th>
              <th class="num">Unit price</th>
              <th class="num">Total</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => (
              <CartRow shop={shop} line={l} />
            ))}
            <tr class="total">
              <th colSpan={4}>Total</th>
              <td class="num" id="cart-total">
                {money(total.toFixed(), p.currency)}
              </td>
              <td></td>
            </tr>
          </tbody>
        </table>
      )}
      <div class="actions">
        <PostForm action={`${shop.base}transfer`} csrf={shop.csrf} class="inline">
          <button type="submit" id="transfer" class="primary">
            {readOnly(shop) ? 'Return' : 'Transfer cart'}
          </button>
        </PostForm>
        <PostForm action={`${shop.base}cancel`} csrf={shop.csrf} class="inline">
          <button type="submit" id="cancel">
            Cancel
          </button>
        </PostForm>
      </div>
    </>
  );
}
