/** The order lifecycle's jobs (listed in src/jobs/catalog.ts). */
import { z } from 'zod';
import { ORDER_STATES } from '../model/order-state';
import { defineJob, type JobContext } from '../platform/jobs';
import type { StatusUpdatePayload } from './lifecycle';
import { sendStatusUpdate } from './outbound';

/**
 * The StatusUpdateRequest of one order transition (queued by transitionOrder when the partner asked
 * for that state): rendered, stored and queued for delivery in one transaction; a rerun finds it made.
 */
export const statusUpdateJob = defineJob<StatusUpdatePayload>({
  name: 'orders.status-update',
  payload: z.object({ orderId: z.string(), state: z.enum(ORDER_STATES), eventId: z.number().int() }),
  attempts: 8,
  backoffMs: 1000,
  handler: async (data, c: JobContext) => {
    const sent = await c.db.transaction((trx) => sendStatusUpdate(trx, c, data.orderId, data));
    c.log.info(
      { orderId: data.orderId, state: data.state, documentId: sent?.documentId },
      sent ? 'status update queued' : 'status update not needed',
    );
  },
});
