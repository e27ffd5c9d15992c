/** Reading approval levels with their orders: the API's list, the pages, the e-mail. */
import { formatAmount, formatUnitPrice } from '../model/money';
import { uuidOf, type Q } from '../platform/db';
import type { ApprovalRow, ApprovalStatus } from './service';

export interface ApprovalView {
  id: string;
  orderId: string;
  orderVersion: number;
  level: number;
  status: ApprovalStatus;
  approvers: string[];
  escalateAt: string | null;
  escalatedAt: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  comment: string | null;
  partnerId: string;
  buyerOrderNumber: string;
  /** Our own number of the order (orders.supplier_order_number), null for orders older than it. */
  supplierOrderNumber: string | null;
  total: string;
  currency: string;
  flags: string[];
  createdAt: string;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** A level joined with its order's facts (withOrders). */
export interface ApprovalOrderRow extends ApprovalRow {
  partner_id: string;
  buyer_order_number: string;
  supplier_order_number: string | null;
  total: string;
  currency: string;
  flags: string[] | null;
}

export const toView = (r: ApprovalOrderRow): ApprovalView => ({
  id: r.id,
  orderId: r.order_id,
  orderVersion: r.order_version,
  level: r.level,
  status: r.status,
  approvers: r.approvers,
  escalateAt: iso(r.escalate_at),
  escalatedAt: iso(r.escalated_at),
  decidedBy: r.decided_by,
  decidedAt: iso(r.decided_at),
  comment: r.comment,
  partnerId: r.partner_id,
  buyerOrderNumber: r.buyer_order_number,
  supplierOrderNumber: r.supplier_order_number ?? null,
  total: formatAmount(String(r.total), String(r.currency).trim()),
  currency: String(r.currency).trim(),
  flags: r.flags ?? [],
  createdAt: new Date(r.created_at).toISOString(),
});

/** Levels with their order's facts, in list order. */
export const withOrders = (q: Q) =>
  q('approvals as a')
    .join('orders as o', 'o.id', 'a.order_id')
    .select<ApprovalOrderRow[]>(
      'a.*',
      'o.partner_id',
      'o.buyer_order_number',
      'o.supplier_order_number',
      'o.total',
      'o.currency',
      'o.flags',
    );

export async function listApprovals(
  q: Q,
  filter: {
    status?: ApprovalStatus;
    id?: string;
    limit?: number;
    offset?: number;
    /** Only these partners' orders (a console approver's limit); absent: every partner. */
    partnerIds?: readonly string[];
  },
): Promise<ApprovalView[]> {
  const query = withOrders(q)
    .orderBy('a.created_at')
    .orderBy('a.id')
    .limit(filter.limit ?? 100)
    .offset(filter.offset ?? 0);
  if (filter.status) query.where('a.status', filter.status);
  // A pending level of an order cancelled or changed meanwhile waits for nobody.
  if (filter.status === 'pending') query.where('o.state', 'pending_approval');
  if (filter.id) query.where('a.id', filter.id);
  if (filter.partnerIds) query.whereIn('o.partner_id', filter.partnerIds);
  return (await query).map(toView);
}

/** How many levels listApprovals would list with this filter (for the page's pagination). */
export async function countApprovals(
  q: Q,
  filter: { status?: ApprovalStatus; partnerIds?: readonly string[] },
): Promise<number> {
  const query = q('approvals as a').join('orders as o', 'o.id', 'a.order_id');
  if (filter.status) query.where('a.status', filter.status);
  if (filter.status === 'pending') query.where('o.state', 'pending_approval');
  if (filter.partnerIds) query.whereIn('o.partner_id', filter.partnerIds);
  const [row] = await query.count<{ n: string | number }[]>({ n: '*' });
  return Number(row?.n ?? 0);
}

export interface OrderLineView {
  lineNumber: number;
  sku: string;
  description: string | null;
  quantity: string;
  uom: string;
  unitPrice: string;
  /** The unit price on the buyer's punchout cart line (what the buyer saw), when the line came from one. */
  buyerSawUnitPrice: string | null;
}

/** The columns of order_lines the approval page shows. */
interface OrderLineRow {
  order_id: string;
  line_number: number;
  sku: string;
  description: string | null;
  quantity: string;
  uom: string;
  unit_price: string;
  supplier_aux_id: string | null;
}

export async function orderLinesForApproval(
  q: Q,
  orderId: string,
  partnerId: string,
  currency: string,
): Promise<OrderLineView[]> {
  const lines = await q<OrderLineRow>('order_lines').where({ order_id: orderId }).orderBy('line_number');
  const aux = lines.map((l) => uuidOf(l.supplier_aux_id)).filter((a): a is string => !!a);
  const cart = new Map<string, string>();
  if (aux.length) {
    const rows = await q('punchout_cart_lines')
      .whereIn('id', aux)
      .where({ partner_id: partnerId })
      .select<{ id: string; unit_price: string }[]>('id', 'unit_price');
    for (const r of rows)
      cart.set(String(r.id).toLowerCase(), formatUnitPrice(String(r.unit_price), currency));
  }
  return lines.map((l) => ({
    lineNumber: l.line_number,
    sku: l.sku,
    description: l.description,
    quantity: String(l.quantity),
    uom: l.uom,
    unitPrice: formatUnitPrice(String(l.unit_price), currency),
    buyerSawUnitPrice: cart.get(uuidOf(l.supplier_aux_id) ?? '') ?? null,
  }));
}
