/**
 * The one way a delivery changes state: DELIVERY_PROCESS (src/model/delivery-state.ts) as one guarded
 * UPDATE (platform/lifecycle.ts). An attempt's verdict moves only a pending delivery, so a repeated
 * or late job never decides it twice; the statement is the one it always was (the delivery job's
 * round trips are measured by `npm run bench pipeline`). Attempts, rounds and slots are counted
 * beside the state (delivery_attempts, deliveries.round, delivery_slots), not through the definition.
 */
import { DELIVERY_PROCESS, type DeliveryEvent } from '../model/delivery-state';
import type { Q } from '../platform/db';
import { guardedMove } from '../platform/lifecycle';

/** Moves delivery `id` by `event` when its state allows it, with `set` beside; awaits to the count. */
export function moveDelivery(
  q: Q,
  id: string,
  event: DeliveryEvent,
  set: Readonly<Record<string, unknown>> = {},
) {
  return guardedMove(q, DELIVERY_PROCESS, { table: 'deliveries', column: 'status' }, { id }, event, set);
}
