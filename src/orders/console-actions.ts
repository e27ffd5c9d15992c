/**
 * What the console's Orders screen does: the same use cases as the API (listOrders, orderDetail,
 * decideOrderByHand, recordShipment, invoiceOrder, creditInvoice), each change written to the
 * audit log under the signed-in user.
 */
import { dec } from '../model/money';
import type { AppContext } from '../platform/context';
import { notFound } from '../platform/errors';
import { writeAudit, type Actor } from '../console/audit';
import { creditInvoice, invoiceOrder } from '../invoices/actions';
import { invoicePage } from '../invoices/queries';
import { invoiceView } from '../invoices/views';
import { decideOrderByHand, type ManualDecision } from './decide';
import { recordShipment, type ShipmentInput } from './record-shipment';
import { findVisibleOrder, listOrders, orderDetail, type OrderFilter } from './repository';

export interface ConsoleAudit {
  actor: Actor;
  now: Date;
  ip: string | null;
  requestId: string | null;
}

export type ConsoleOrder = Awaited<ReturnType<typeof orderDetail>>;

/** A line's quantity still to ship (ordered minus shipped, never below zero). */
export const remainingToShip = (l: { quantity: string; shippedQuantity: string }): string => {
  const r = dec(l.quantity).minus(dec(l.shippedQuantity));
  return r.isNegative() ? '0' : r.toString();
};

export function orderConsole(ctx: AppContext) {
  const audited = async (a: ConsoleAudit, action: string, orderId: string, after: unknown) =>
    writeAudit(ctx.db, a.now, {
      actor: a.actor,
      action,
      subject: `order:${orderId}`,
      after,
      ip: a.ip,
      requestId: a.requestId,
    });
  return {
    list: (f: Omit<OrderFilter, 'scope'>) => listOrders(ctx, f),
    async detail(id: string) {
      const row = await findVisibleOrder(ctx, id, undefined);
      const [order, invoices] = await Promise.all([
        orderDetail(ctx, row),
        invoicePage(ctx, undefined, { order: row.id }, { limit: 100, offset: 0 }),
      ]);
      return { order, invoices: invoices.rows.map((r) => invoiceView(r)) };
    },
    async decide(id: string, kind: ManualDecision, reason: string | undefined, a: ConsoleAudit) {
      const row = await findVisibleOrder(ctx, id, undefined);
      const out = await decideOrderByHand(ctx, row.id, kind, {
        actor: a.actor.label,
        ...(reason ? { reason } : {}),
      });
      await audited(a, `order.${kind}`, row.id, { state: out.state, ...(reason ? { reason } : {}) });
      return out;
    },
    async ship(id: string, input: ShipmentInput, a: ConsoleAudit) {
      const row = await findVisibleOrder(ctx, id, undefined);
      const out = await recordShipment(ctx, row.id, input, a.actor.label);
      await audited(a, 'order.ship', row.id, { shipmentId: out.shipment.shipmentId, complete: out.complete });
      return out;
    },
    async invoice(id: string, a: ConsoleAudit) {
      const row = await findVisibleOrder(ctx, id, undefined);
      const inv = await invoiceOrder(ctx, row.id, {}, a.actor.label);
      await audited(a, 'order.invoice', row.id, { invoiceNumber: inv.invoice_number });
      return inv;
    },
    async credit(orderId: string, invoiceId: string, reason: string, a: ConsoleAudit) {
      const row = await findVisibleOrder(ctx, orderId, undefined);
      const ofOrder = await invoicePage(ctx, undefined, { order: row.id }, { limit: 100, offset: 0 });
      if (!ofOrder.rows.some((r) => r.id === invoiceId)) throw notFound('invoice');
      const memo = await creditInvoice(ctx, invoiceId, { reason }, a.actor.label);
      await audited(a, 'invoice.credit', row.id, { invoiceId, creditMemo: memo.invoice_number, reason });
      return memo;
    },
  };
}
