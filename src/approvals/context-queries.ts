/**
 * What the approval page shows around one level: every level of the order (the decided ones with
 * who, when and the comment typed), the levels decided lately, the partner's previous orders, and
 * the pending levels before and after it (the page's previous/next).
 */
import { formatAmount } from '../model/money';
import type { OrderDbRow } from '../orders/repository';
import type { Q } from '../platform/db';

interface Counted {
  n: string | number;
}
import { toView, withOrders, type ApprovalView } from './listing';

const DECIDED = ['approved', 'rejected', 'expired'] as const;

/** Every level of every version of the order, oldest version first. */
export async function orderLevels(q: Q, orderId: string): Promise<ApprovalView[]> {
  const rows = await withOrders(q).where('a.order_id', orderId).orderBy('a.order_version').orderBy('a.level');
  return rows.map(toView);
}

/** The levels decided most recently (by a person or by expiry), within the partner limit. */
export async function recentlyDecided(
  q: Q,
  scope: { partnerIds?: readonly string[] },
  limit = 10,
): Promise<ApprovalView[]> {
  const query = withOrders(q)
    .whereIn('a.status', DECIDED)
    .orderBy('a.decided_at', 'desc')
    .orderBy('a.id', 'desc')
    .limit(limit);
  if (scope.partnerIds) query.whereIn('o.partner_id', scope.partnerIds);
  return (await query).map(toView);
}

export interface PartnerOrder {
  id: string;
  buyerOrderNumber: string;
  supplierOrderNumber: string | null;
  state: string;
  total: string;
  currency: string;
  createdAt: string;
  /** The latest level of the order, for a link to its approval page; null if it never needed one. */
  approvalId: string | null;
}

/** The partner's orders before this one, newest first. */
export async function previousOrders(
  q: Q,
  partnerId: string,
  orderId: string,
  limit = 5,
): Promise<PartnerOrder[]> {
  const rows = await q('orders as o')
    .where('o.partner_id', partnerId)
    .whereNot('o.id', orderId)
    .where('o.created_at', '<=', q('orders').where({ id: orderId }).select('created_at'))
    .orderBy('o.created_at', 'desc')
    .orderBy('o.id', 'desc')
    .limit(limit)
    .select<
      (Pick<
        OrderDbRow,
        'id' | 'buyer_order_number' | 'supplier_order_number' | 'state' | 'total' | 'currency' | 'created_at'
      > & { approval_id: string | null })[]
    >(
      'o.id',
      'o.buyer_order_number',
      'o.supplier_order_number',
      'o.state',
      'o.total',
      'o.currency',
      'o.created_at',
      q.raw(
        '(select a.id from approvals a where a.order_id = o.id order by a.order_version desc, a.level desc limit 1) as approval_id',
      ),
    );
  return rows.map((r) => ({
    id: r.id,
    buyerOrderNumber: r.buyer_order_number,
    supplierOrderNumber: r.supplier_order_number ?? null,
    state: r.state,
    total: formatAmount(String(r.total), String(r.currency).trim()),
    currency: String(r.currency).trim(),
    createdAt: new Date(r.created_at).toISOString(),
    approvalId: r.approval_id ?? null,
  }));
}

export interface Neighbour {
  id: string;
  buyerOrderNumber: string;
}

/**
 * The pending levels next to `approvalId` in the pending list's order (created, then id), within the
 * partner limit, and its place among them (0 when it is not pending).
 */
export async function pendingNeighbours(
  q: Q,
  approvalId: string,
  scope: { partnerIds?: readonly string[] },
): Promise<{ prev: Neighbour | null; next: Neighbour | null; position: number; total: number }> {
  const pending = () => {
    const query = q('approvals as a')
      .join('orders as o', 'o.id', 'a.order_id')
      .where('a.status', 'pending')
      .where('o.state', 'pending_approval');
    if (scope.partnerIds) query.whereIn('o.partner_id', scope.partnerIds);
    return query;
  };
  const me = q('approvals').where({ id: approvalId }).select('created_at', 'id');
  const side = async (op: '<' | '>') => {
    const dir = op === '<' ? 'desc' : 'asc';
    const r = await pending()
      .whereRaw(`(a.created_at, a.id) ${op} (?)`, [me])
      .orderBy('a.created_at', dir)
      .orderBy('a.id', dir)
      .first<{ id: string; buyer_order_number: string } | undefined>('a.id', 'o.buyer_order_number');
    return r ? { id: String(r.id), buyerOrderNumber: String(r.buyer_order_number) } : null;
  };
  const [prev, next, before, all, self] = await Promise.all([
    side('<'),
    side('>'),
    pending().whereRaw('(a.created_at, a.id) < (?)', [me]).count<Counted[]>({ n: '*' }),
    pending().count<Counted[]>({ n: '*' }),
    pending().where('a.id', approvalId).first<{ id: string } | undefined>('a.id'),
  ]);
  const n = (rows: Counted[]) => Number(rows[0]?.n ?? 0);
  return { prev, next, position: self ? n(before) + 1 : 0, total: n(all) };
}
