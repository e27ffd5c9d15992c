/**
 * The supplier's staff deciding an order by hand: confirm (approving it first when it still waits)
 * or reject, in one transaction; the buyer's ConfirmationRequest is the follow-up of entering
 * confirmed or rejected (orders/lifecycle.ts).
 */
import type { OrderState } from '../model/order-state';
import type { AppContext } from '../platform/context';
import { notFound } from '../platform/errors';
import { acceptOrder, transitionOrder } from './lifecycle';
import type { SentDocument } from './outbound';
import { orderState } from './repository';

export type ManualDecision = 'confirm' | 'reject';

export async function decideOrderByHand(
  ctx: AppContext,
  orderId: string,
  kind: ManualDecision,
  opts: { actor: string; reason?: string },
): Promise<{ state: OrderState; confirmation: SentDocument | null }> {
  const reason = opts.reason ?? (kind === 'confirm' ? 'confirmed by hand' : 'rejected by hand');
  const confirmation = await ctx.db.transaction(async (trx) => {
    const cur = await trx('orders')
      .where({ id: orderId })
      .forUpdate()
      .first<{ state: string } | undefined>('state');
    if (!cur) throw notFound('order');
    const follow = { ctx, comments: opts.reason };
    if (kind === 'confirm')
      return acceptOrder(
        trx,
        follow,
        { id: orderId, state: cur.state },
        {
          actor: opts.actor,
          approveReason: reason,
          confirmReason: reason,
        },
      );
    const rejected = await transitionOrder(trx, orderId, 'reject', opts.actor, reason, follow);
    return rejected.sent.reject_confirmation ?? null;
  });
  return { state: await orderState(ctx.db, orderId), confirmation };
}
