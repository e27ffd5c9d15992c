/** The approval workflow's jobs (registered via src/jobs/registry.ts). */
import { defineJob, type JobContext } from '../platform/jobs';
import {
  ESCALATE_JOB,
  EVALUATE_JOB,
  EXPIRE_JOB,
  NOTIFY_JOB,
  escalateApproval,
  evaluateOrder,
  expireOrder,
  type NotifyPayload,
  type WorkflowCtx,
} from './service';
import { notify } from './notify';

const wf = (c: JobContext): WorkflowCtx => ({
  config: c.config,
  db: c.db,
  log: c.log,
  now: () => new Date(),
});

export const evaluateJob = defineJob<{ orderId: string; version: number }>({
  name: EVALUATE_JOB,
  attempts: 8,
  backoffMs: 500,
  handler: async (data, c) => {
    const outcome = await evaluateOrder(wf(c), data);
    c.log.info({ orderId: data.orderId, version: data.version, outcome }, 'approval evaluated');
  },
});

export const escalateJob = defineJob<{ approvalId: string; orderId: string; recipients: string[] }>({
  name: ESCALATE_JOB,
  attempts: 8,
  backoffMs: 1000,
  handler: async (data, c) => {
    await escalateApproval(wf(c), data);
  },
});

export const expireJob = defineJob<{ orderId: string; version: number }>({
  name: EXPIRE_JOB,
  attempts: 8,
  backoffMs: 1000,
  handler: async (data, c) => {
    await expireOrder(wf(c), data);
  },
});

export const notifyJob = defineJob<NotifyPayload>({
  name: NOTIFY_JOB,
  attempts: 6,
  backoffMs: 2000,
  handler: async (data, c) => {
    await notify(wf(c), data);
  },
});
