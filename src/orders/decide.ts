/**
 * The supplier's staff deciding an order by hand: confirm (approving it first when it still waits)
 * or reject, and the buyer's ConfirmationRequest, in one transaction.
 */
import type { OrderState } from '../model/order-state';
import type { AppContext } from '../platform/context';
import { notFound } from '../platform/errors';
import { transitionOrder } from './lifecycle';
import { sendOrderConfirmation, type SentDocument } from './outbound';
import { orderState, type OrderDbRow } from './repository';

export type ManualDecision = 'confirm' | 'reject';

export async function decideOrderByHand(
  ctx: AppContext,
  orderId: string,
  kind: ManualDecision,
  opts: { actor: string; reason?: string },
): Promise<{ state: OrderState; confirmation: SentDocument | null }> {
  const reason = opts.reason ?? (kind === 'confirm' ? 'confirmed by hand' : 'rejected by hand');
  const confirmation = await ctx.db.transaction(async (trx) => {
    const cur = await trx<OrderDbRow>('orders').where({ id: orderId }).forUpdate().first('state');
    if (!cur) throw notFound('order');
    if (kind === 'confirm') {
      if (cur.state === 'received' || cur.state === 'pending_approval')
        await transitionOrder(trx, orderId, 'approve', opts.actor, reason);
      await transitionOrder(trx, orderId, 'confirm', opts.actor, reason);
      return sendOrderConfirmation(trx, ctx, orderId, { kind: 'accept', reason: opts.reason });
    }
    await transitionOrder(trx, orderId, 'reject', opts.actor, reason);
    return sendOrderConfirmation(trx, ctx, orderId, { kind: 'reject', reason });
  });
  return { state: await orderState(ctx.db, orderId), confirmation };
}
