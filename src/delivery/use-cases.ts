/** The delivery use cases bound to one context, for the console's Deliveries screen. */
import type { AppContext } from '../platform/context';
import { cancelDelivery, retryDeadDeliveries, retryDelivery, type ChangeBy } from './operator';
import { deliveryDetail, deliveryPage, filteredDeliveries, partnerIds, type DeliveryFilter } from './queries';

export function deliveryUseCases(ctx: Pick<AppContext, 'db' | 'queue'>) {
  const db = ctx.db;
  return {
    page: (f: DeliveryFilter, paging: { limit: number; offset: number }) => deliveryPage(db, f, paging),
    /** How many dead letters (failed deliveries) the filter's partner and dates select. */
    deadCount: async (f: DeliveryFilter) => {
      const row = (await filteredDeliveries(db, { ...f, state: 'failed' })
        .count({ c: '*' })
        .first()) as { c: string | number } | undefined;
      return Number(row?.c ?? 0);
    },
    detail: (id: string) => deliveryDetail(db, id),
    partners: () => partnerIds(db),
    retry: async (id: string, by: ChangeBy) => {
      const r = await retryDelivery(db, id, by);
      ctx.queue.nudge();
      return r;
    },
    cancel: (id: string, by: ChangeBy) => cancelDelivery(db, id, by),
    retryDead: async (f: DeliveryFilter, by: ChangeBy) => {
      const r = await retryDeadDeliveries(db, f, by);
      ctx.queue.nudge();
      return r;
    },
  };
}
