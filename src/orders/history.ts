/**
 * A partner's order history for the buyer-facing punchout pages: always scoped by partner, so one
 * partner's session never reads another partner's orders (an order id of another partner is simply
 * not found).
 */
import { toDecimalString } from '../model/money';
import { isUuid, onlyRow, type Q } from '../platform/db';
import type { OrderLineRow } from './rows';

export interface OrderHistoryRow {
  id: string;
  buyerOrderNumber: string;
  /** The supplier's own number of the order ("SO-000042"). */
  supplierOrderNumber: string | null;
  /**
   * The buyer's order date as it wrote it (its calendar day is the buyer's, not UTC's), else the time
   * the order was received.
   */
  date: string;
  state: string;
  total: string;
  currency: string;
  lineCount: number;
}

export interface OrderHistoryLine {
  lineNumber: number;
  sku: string;
  description: string | null;
  quantity: string;
  uom: string;
  unitPrice: string;
}

interface Row {
  id: string;
  buyer_order_number: string;
  supplier_order_number: string | null;
  buyer_order_date: string | null;
  order_date: Date | null;
  created_at: Date;
  state: string;
  total: string;
  currency: string;
  line_count: number | string;
}

function toHistoryRow(r: Row): OrderHistoryRow {
  return {
    id: r.id,
    buyerOrderNumber: r.buyer_order_number,
    supplierOrderNumber: r.supplier_order_number,
    date:
      r.buyer_order_date && /^\d{4}-\d{2}-\d{2}/.test(r.buyer_order_date)
        ? r.buyer_order_date
        : new Date(r.order_date ?? r.created_at).toISOString(),
    state: r.state,
    total: toDecimalString(r.total),
    currency: String(r.currency).trim(),
    lineCount: Number(r.line_count),
  };
}

function withLineCount(q: Q, partnerId: string) {
  return q('orders as o')
    .where('o.partner_id', partnerId)
    .select(
      'o.id',
      'o.buyer_order_number',
      'o.supplier_order_number',
      q.raw(`o.canonical->>'orderDate' as buyer_order_date`),
      'o.order_date',
      'o.created_at',
      'o.state',
      'o.total',
      'o.currency',
      q('order_lines as l').count('*').whereRaw('l.order_id = o.id').as('line_count'),
    );
}

/** The partner's orders, newest received first, one page of them, and how many there are in all. */
export async function listPartnerOrders(
  q: Q,
  partnerId: string,
  page: { limit: number; offset: number },
): Promise<{ orders: OrderHistoryRow[]; total: number }> {
  const { count } = onlyRow(
    await q('orders').where({ partner_id: partnerId }).count<{ count: string }[]>({
      count: '*',
    }),
  );
  const rows = (await withLineCount(q, partnerId)
    .orderBy('o.created_at', 'desc')
    .orderBy('o.id', 'desc')
    .limit(page.limit)
    .offset(page.offset)) as Row[];
  return { orders: rows.map(toHistoryRow), total: Number(count) };
}

/** One order of the partner with its lines; undefined for an unknown id or another partner's order. */
export async function findPartnerOrder(
  q: Q,
  partnerId: string,
  orderId: string,
): Promise<{ order: OrderHistoryRow; lines: OrderHistoryLine[] } | undefined> {
  if (!isUuid(orderId)) return undefined;
  const row = (await withLineCount(q, partnerId).where('o.id', orderId).first()) as Row | undefined;
  if (!row) return undefined;
  const lines = await q<OrderLineRow>('order_lines').where({ order_id: row.id }).orderBy('line_number');
  return {
    order: toHistoryRow(row),
    lines: lines.map((l) => ({
      lineNumber: Number(l.line_number),
      sku: l.sku,
      description: l.description ?? null,
      quantity: toDecimalString(l.quantity),
      uom: l.uom,
      unitPrice: toDecimalString(l.unit_price),
    })),
  };
}
