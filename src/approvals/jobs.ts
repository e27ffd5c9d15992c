/** The approval workflow's jobs (listed in src/jobs/catalog.ts). */
import { z } from 'zod';
import { defineJob } from '../platform/jobs';
import { escalateApproval, evaluateOrder, expireOrder, type NotifyPayload } from './service';
import { notify } from './notify';

const orderVersion = z.object({ orderId: z.string(), version: z.number().int() });

export const evaluateJob = defineJob<{ orderId: string; version: number }>({
  name: 'approvals.evaluate',
  payload: orderVersion,
  attempts: 8,
  backoffMs: 500,
  handler: async (data, c) => {
    const outcome = await evaluateOrder(c, data);
    c.log.info({ orderId: data.orderId, version: data.version, outcome }, 'approval evaluated');
    // The confirmation's delivery (or the approvers' notice) it committed goes out now, not at
    // the relay's next poll.
    c.queue.nudge();
  },
});

export const escalateJob = defineJob<{ approvalId: string; orderId: string; recipients: string[] }>({
  name: 'approvals.escalate',
  payload: z.object({ approvalId: z.string(), orderId: z.string(), recipients: z.array(z.string()) }),
  attempts: 8,
  backoffMs: 1000,
  handler: async (data, c) => {
    await escalateApproval(c, data);
  },
});

export const expireJob = defineJob<{ orderId: string; version: number }>({
  name: 'approvals.expire',
  payload: orderVersion,
  attempts: 8,
  backoffMs: 1000,
  handler: async (data, c) => {
    await expireOrder(c, data);
  },
});

export const notifyJob = defineJob<NotifyPayload>({
  name: 'approvals.notify',
  payload: z.object({
    approvalId: z.string(),
    kind: z.enum(['request', 'escalation', 'decided']),
    recipients: z.array(z.string()),
  }),
  attempts: 6,
  backoffMs: 2000,
  handler: async (data, c) => {
    await notify(c, data);
  },
});
