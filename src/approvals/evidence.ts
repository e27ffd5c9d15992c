/**
 * What an approver needs to see behind each intake flag, written when the order is evaluated (the
 * catalog, the contract prices and the punchout carts may change before anyone looks): per line the
 * reference price it was compared with (the price the buyer saw on its punchout cart, else the
 * contract or list price on the order's date), the SKUs the catalog does not know, the buyer's stated
 * total against ours, and the ship-to that is new. One row per order version
 * (`approval_evidence`, migration 20261204040000).
 */
import { resolvePrices, type ResolvedPrice } from '../catalog/pricing';
import type { OrderDbRow } from '../orders/repository';
import { computedTotal, formatAmount, type Order, type Party } from '../model';
import { readOrderFacts } from '../orders/intake-checks';
import type { PartnerRow } from '../partners/repository';
import { uuidOf, type Q } from '../platform/db';

export interface ReferencePrice {
  /** cart: the buyer's punchout cart line; price_list: the partner's contract; list: the catalog. */
  source: 'cart' | 'price_list' | 'list';
  unitPrice: string;
  currency: string;
}

export interface LineEvidence {
  lineNumber: number;
  sku: string;
  orderedUnitPrice: string;
  /** Absent for a line nothing is known to compare with (an unknown SKU). */
  reference?: ReferencePrice;
  /** The SKU is an active catalog item. */
  known: boolean;
}

export interface FlagEvidence {
  /** The day contract prices were taken for (the order date). */
  priceDate: string;
  lines: LineEvidence[];
  unknownSkus: string[];
  /** The buyer's header total and the sum of lines, tax and shipping (total_mismatch). */
  total: { stated: string | null; computed: string; currency: string };
  /** The ship-to of this version (in full) and whether the partner had used it before. */
  shipTo: Party | null;
  newShipTo: boolean;
}

/** Reads the evidence of an order's flags as the intake checks see it now. */
export async function gatherEvidence(
  trx: Q,
  partner: PartnerRow,
  orderId: string,
  order: Order,
): Promise<FlagEvidence> {
  const facts = await readOrderFacts(trx, partner, order, orderId);
  const active = (sku: string) => facts.items.has(sku) && facts.items.get(sku)?.active !== false;
  const cartOf = (aux?: string) => facts.cart.get(uuidOf(aux) ?? '');
  const contract = order.lines.filter((l) => !cartOf(l.supplierAuxiliaryId) && active(l.supplierPartId));
  const prices = contract.length
    ? await resolvePrices(
        trx,
        partner,
        contract.map((l) => ({ sku: l.supplierPartId, quantity: l.quantity })),
        facts.priceDate,
        facts.items,
        facts.breaks,
      )
    : new Map<string, ResolvedPrice>();
  const lines = order.lines.map((l): LineEvidence => {
    const c = cartOf(l.supplierAuxiliaryId);
    const p = c ? undefined : prices.get(l.supplierPartId);
    const reference: ReferencePrice | undefined = c
      ? { source: 'cart', unitPrice: String(c.unit_price), currency: c.currency.trim() }
      : p
        ? { source: p.source, unitPrice: String(p.unitPrice), currency: p.currency.trim() }
        : undefined;
    return {
      lineNumber: l.lineNumber,
      sku: l.supplierPartId,
      orderedUnitPrice: l.unitPrice,
      ...(reference ? { reference } : {}),
      known: active(l.supplierPartId),
    };
  });
  return {
    priceDate: facts.priceDate,
    lines,
    unknownSkus: [...new Set(lines.filter((l) => !l.known).map((l) => l.sku))],
    total: {
      stated: order.total === undefined ? null : formatAmount(order.total, order.currency),
      computed: computedTotal(order),
      currency: order.currency,
    },
    shipTo: order.shipTo ?? null,
    newShipTo: facts.newShipTo,
  };
}

/** Stores the evidence of an order version (once: a re-run evaluation keeps the first). */
export async function storeEvidence(
  trx: Q,
  orderId: string,
  version: number,
  evidence: FlagEvidence,
): Promise<void> {
  await trx('approval_evidence')
    .insert({ order_id: orderId, order_version: version, evidence: JSON.stringify(evidence) })
    .onConflict(['order_id', 'order_version'])
    .ignore();
}

export async function findEvidence(q: Q, orderId: string, version: number): Promise<FlagEvidence | null> {
  const row = await q('approval_evidence')
    .where({ order_id: orderId, order_version: version })
    .first<{ evidence: FlagEvidence } | undefined>('evidence');
  return row?.evidence ?? null;
}

/** At evaluation, for an order going to a person: reads and stores the evidence of its version. */
export async function recordEvidence(
  trx: Q,
  partner: PartnerRow,
  orderId: string,
  version: number,
): Promise<void> {
  const row = await trx<OrderDbRow>('orders').where({ id: orderId }).first('canonical');
  if (!row) return;
  await storeEvidence(trx, orderId, version, await gatherEvidence(trx, partner, orderId, row.canonical));
}
