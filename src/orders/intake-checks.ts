/**
 * The order intake's checks: what an order needs to be accepted (known SKUs, prices the buyer saw,
 * totals, the order's current state for updates), read before anything is written.
 */
import { countryCodeOf } from '../model/country';
import type { Order } from '../model/order';
import type { Party } from '../model/party';
import { totalMatches } from '../model/order';
import type { OrderState } from '../model/order-state';
import { cmp, isDecimalString } from '../model/money';
import {
  priceBreakMap,
  resolvePrices,
  type PriceBreak,
  type PriceBreakRow,
  type ResolvedPrice,
} from '../catalog/pricing';
import type { OrderEventRow } from './rows';
import { nativeQuery, onlyRow, uuidOf, type Q } from '../platform/db';
import { NEXT_SUPPLIER_ORDER_SEQ_SQL } from '../platform/sequences';
import type { PartnerRow } from '../partners/repository';
import { Refusal, type IntakeError, type IntakeInput } from './intake-model';

export interface OrderRow {
  id: string;
  state: OrderState;
  version: number;
}

const upper = (s: string): string => s.trim().toUpperCase();

/** Unit prices the buyer saw: punchout cart lines by SupplierPartAuxiliaryID, else contract prices. */
async function priceFlags(
  q: Q,
  partner: PartnerRow,
  order: Order,
  knownSkus: Set<string>,
  facts: OrderFacts,
): Promise<boolean> {
  const { cart } = facts;
  const needContract = order.lines.filter(
    (l) => !cart.has(uuidOf(l.supplierAuxiliaryId) ?? '') && knownSkus.has(l.supplierPartId),
  );
  const prices = needContract.length
    ? await resolvePrices(
        q,
        partner,
        needContract.map((l) => ({ sku: l.supplierPartId, quantity: l.quantity })),
        facts.priceDate,
        facts.items,
        facts.breaks,
      )
    : new Map<string, ResolvedPrice>();
  for (const line of order.lines) {
    const c = cart.get(uuidOf(line.supplierAuxiliaryId) ?? '');
    if (c) {
      if (c.sku !== line.supplierPartId || upper(c.currency) !== upper(order.currency)) return true;
      if (cmp(c.unit_price, line.unitPrice) !== 0) return true;
      continue;
    }
    const p = prices.get(line.supplierPartId);
    if (!p) continue;
    if (upper(p.currency) !== upper(order.currency) || cmp(p.unitPrice, line.unitPrice) !== 0) return true;
  }
  return false;
}

/**
 * Prices the lines that came without a unit price from the partner's contract price breaks or the
 * catalog (resolvePrices, the one price resolution), on the order's date; a line of an unknown SKU
 * or one priced in another currency refuses the order.
 */
async function priceFromCatalog(q: Q, input: IntakeInput, facts: OrderFacts): Promise<void> {
  const { partner, order } = input;
  const pathOf = input.linePath ?? ((i: number) => `lines[${i}]`);
  const missing = order.lines.map((l, i) => ({ l, i })).filter(({ l }) => l.unitPrice === '');
  const known = missing.filter(
    ({ l }) => facts.items.get(l.supplierPartId)?.active !== false && facts.items.has(l.supplierPartId),
  );
  const prices = known.length
    ? await resolvePrices(
        q,
        partner,
        known.map(({ l }) => ({ sku: l.supplierPartId, quantity: l.quantity })),
        facts.priceDate,
        facts.items,
        facts.breaks,
      )
    : new Map<string, ResolvedPrice>();
  const errors: IntakeError[] = [];
  for (const { l, i } of missing) {
    const p = prices.get(l.supplierPartId);
    if (!p) {
      errors.push({
        message: `line ${l.lineNumber}: no unit price given and none in the catalog for SKU "${l.supplierPartId}"`,
        path: pathOf(i),
      });
    } else if (upper(p.currency) !== upper(order.currency)) {
      errors.push({
        message: `line ${l.lineNumber}: no unit price given and the catalog price of "${l.supplierPartId}" is in ${p.currency}, not ${order.currency}`,
        path: pathOf(i),
      });
    } else l.unitPrice = p.unitPrice;
  }
  if (errors.length) throw new Refusal(400, errors);
}

/** What the checks of an order need from the database, read in one round trip by readOrderFacts. */
export interface OrderFacts {
  /** The partner's order with this buyer order number, if any. */
  existingId?: string;
  /** Catalog rows of the order's SKUs (active or not); unknown SKUs are absent. */
  items: Map<string, CatalogFacts>;
  /** The partner's price breaks of the order's SKUs valid on `priceDate` (none without a price list). */
  breaks: Map<string, PriceBreak[]>;
  /** The day contract prices are taken from: the order date, else today. */
  priceDate: string;
  /** Punchout cart lines of this partner named by the lines' SupplierPartAuxiliaryIDs (by uuidOf). */
  cart: Map<string, { sku: string; unit_price: string; currency: string }>;
  /** The ship-to is one the partner has not used before (never for its first order). */
  newShipTo: boolean;
  /** The next value of supplier_order_number_seq, taken when asked for (a new order). */
  orderSeq?: number;
}

interface CatalogFacts {
  sku: string;
  unit_price: string;
  currency: string;
  active: boolean;
}

const NO_ORDER = '00000000-0000-0000-0000-000000000000';

/**
 * One round trip (one prepared statement, whatever the order holds): for a new order the next
 * supplier order number from its sequence (a refused order leaves a gap: the numbers are unique and
 * short, not gapless), the existing order with this number, whether the partner has other orders and one of them has this ship-to (indexed key,
 * migration 20261123000700), the catalog rows and contract price breaks of the order's SKUs, and
 * the punchout cart lines its SupplierPartAuxiliaryIDs name. Amounts come as text (JSON numbers
 * would become floats).
 */
export async function readOrderFacts(
  q: Q,
  partner: PartnerRow,
  order: Order,
  exceptOrderId?: string,
  takeNumber = false,
): Promise<OrderFacts> {
  // A ship-to without address or addressId has no key: nothing to compare.
  const shipTo = order.shipTo?.address || order.shipTo?.addressId ? order.shipTo : undefined;
  const priceDate = (order.orderDate || new Date().toISOString()).slice(0, 10);
  // A cart line's id as cXML (a UUID) or OCI (its 32 hex digits) carries it.
  const auxIds = order.lines.map((l) => uuidOf(l.supplierAuxiliaryId)).filter((a): a is string => !!a);
  // One row: a select of subqueries, without from.
  const r = onlyRow(
    await nativeQuery<{
      existing_id: string | null;
      any_orders: boolean;
      ship_to_seen: boolean;
      items: CatalogFacts[];
      breaks: PriceBreakRow[];
      cart: { id: string; sku: string; unit_price: string; currency: string }[];
      order_seq: number | null;
    }>(
      q,
      `with skus as (select json_array_elements_text($4::json) as sku)
     select
       (select id from orders where partner_id = $1 and buyer_order_number = $2) as existing_id,
       exists (select 1 from orders where partner_id = $1 and id <> $3) as any_orders,
       exists (select 1 from orders where partner_id = $1 and ship_to_key = order_ship_to_key($5::jsonb) and id <> $3) as ship_to_seen,
       (select coalesce(json_agg(json_build_object('sku', sku, 'unit_price', unit_price::text, 'currency', currency, 'active', active)), '[]'::json)
          from catalog_items where sku in (select sku from skus)) as items,
       (select coalesce(json_agg(json_build_object('sku', sku, 'unit_price', unit_price::text, 'currency', currency,
                'min_qty', min_qty::text, 'valid_from', valid_from, 'valid_to', valid_to) order by sku, min_qty desc), '[]'::json)
          from price_list_entries
         where price_list = $6 and sku in (select sku from skus)
           and (valid_from is null or valid_from <= $7::date) and (valid_to is null or valid_to >= $7::date)) as breaks,
       (select coalesce(json_agg(json_build_object('id', id, 'sku', sku, 'unit_price', unit_price::text, 'currency', currency)), '[]'::json)
          from punchout_cart_lines
         where partner_id = $1 and id in (select json_array_elements_text($8::json)::uuid)) as cart,
       case when $9::boolean then ${NEXT_SUPPLIER_ORDER_SEQ_SQL} end as order_seq`,
      [
        partner.id,
        order.buyerOrderNumber,
        exceptOrderId ?? NO_ORDER,
        JSON.stringify(order.lines.map((l) => l.supplierPartId)),
        shipTo === undefined ? null : JSON.stringify(shipTo),
        partner.price_list,
        priceDate,
        JSON.stringify(auxIds),
        takeNumber,
      ],
      'order_facts',
    ),
  );
  return {
    ...(r.existing_id ? { existingId: r.existing_id } : {}),
    items: new Map(r.items.map((i) => [i.sku, i])),
    breaks: priceBreakMap(r.breaks),
    priceDate,
    cart: new Map(r.cart.map((c) => [c.id.toLowerCase(), c])),
    // The first order of a partner has nothing to compare with: not flagged.
    newShipTo: shipTo !== undefined && r.any_orders && !r.ship_to_seen,
    ...(r.order_seq !== null ? { orderSeq: Number(r.order_seq) } : {}),
  };
}

/**
 * Addresses that name their country but give no code get the ISO 3166-1 code of the name (cXML's
 * Country needs isoCountryCode on every document the order leads to: ship notice, invoice); a name
 * no code is known for refuses the order now, in the buyer's protocol, rather than its invoice later.
 */
function deriveCountryCodes(input: IntakeInput): IntakeError[] {
  const { order } = input;
  const parties: [string, Party | undefined][] = [
    ['shipTo', order.shipTo],
    ['billTo', order.billTo],
    ...order.lines.map((l, i): [string, Party | undefined] => [`lines[${i}].shipTo`, l.shipTo]),
  ];
  const errors: IntakeError[] = [];
  for (const [where, party] of parties) {
    const a = party?.address;
    if (!a || a.countryCode || !a.countryName?.trim()) continue;
    const code = countryCodeOf(a.countryName);
    if (code) a.countryCode = code;
    else
      errors.push({
        message: `${where}: "${a.countryName.slice(0, 60)}" is not a country name known here; give the country's ISO 3166-1 alpha-2 code (such as "DE")`,
        path: input.countryPath?.(where) ?? `${where}.address.countryCode`,
      });
  }
  return errors;
}

export async function checkOrder(
  q: Q,
  input: IntakeInput,
  existing: OrderRow | undefined,
  facts: OrderFacts,
): Promise<{ flags: string[] }> {
  const { partner, order } = input;
  const flags: string[] = [];
  const errors: IntakeError[] = [];
  const pathOf = input.linePath ?? ((i: number) => `lines[${i}]`);
  if (order.lines.length === 0)
    throw new Refusal(400, [{ message: 'the order has no lines', path: pathOf(0) }]);
  errors.push(...deriveCountryCodes(input));
  if (!/^[A-Z]{3}$/.test(order.currency))
    errors.push({ message: `currency "${order.currency}" is not an ISO 4217 code`, path: 'currency' });
  const seen = new Set<number>();
  order.lines.forEach((l, i) => {
    if (seen.has(l.lineNumber))
      errors.push({ message: `line number ${l.lineNumber} appears twice`, path: pathOf(i) });
    seen.add(l.lineNumber);
    // What every channel must bring for the order to be computed at all (X12 may lack them).
    if (!l.supplierPartId)
      errors.push({ message: `line ${l.lineNumber}: no supplier part id (VP/VN)`, path: pathOf(i) });
    if (!isDecimalString(l.quantity.trim()))
      errors.push({
        message: `line ${l.lineNumber}: quantity "${l.quantity}" is not a number`,
        path: pathOf(i),
      });
    if (l.unitPrice !== '' && !isDecimalString(l.unitPrice.trim()))
      errors.push({
        message: `line ${l.lineNumber}: unit price "${l.unitPrice}" is not a number`,
        path: pathOf(i),
      });
    if (l.unitPrice === '' && !input.priceFromCatalog)
      errors.push({ message: `line ${l.lineNumber}: no unit price`, path: pathOf(i) });
  });
  if (errors.length) throw new Refusal(400, errors);
  if (order.lines.some((l) => l.unitPrice === '')) {
    await priceFromCatalog(q, input, facts);
    flags.push('price_from_catalog');
  }

  const { items } = facts;
  const active = new Set([...items.values()].filter((i) => i.active !== false).map((i) => i.sku));
  const unknown = order.lines.map((l, i) => ({ l, i })).filter(({ l }) => !active.has(l.supplierPartId));
  if (unknown.length) {
    const mode = partner.settings.orders?.unknownSku ?? 'reject';
    if (mode === 'reject') {
      throw new Refusal(
        400,
        unknown.map(({ l, i }) => ({
          message: `line ${l.lineNumber}: unknown SKU "${l.supplierPartId}"`,
          path: pathOf(i),
        })),
      );
    }
    flags.push('unknown_sku');
  }
  if (await priceFlags(q, partner, order, active, facts)) flags.push('price_deviation');
  if (!totalMatches(order)) flags.push('total_mismatch');
  if (facts.newShipTo) flags.push('new_ship_to');
  if (existing) {
    const confirmed = await q<OrderEventRow>('order_events')
      .where({ order_id: existing.id, event: 'confirm' })
      .first('id');
    if (confirmed) flags.push('change_after_confirmation');
  }
  return { flags };
}
