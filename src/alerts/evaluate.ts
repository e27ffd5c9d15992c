/**
 * Evaluating the rules: every incident that holds is opened (or refreshed while it is open), every
 * open one that no longer holds is resolved, and each opened one queues its notification in the
 * same transaction (the outbox), so an incident is notified once, however many evaluations see it.
 */
import type { AppContext } from '../platform/context';
import { enqueueInTx } from '../platform/outbox';
import { upsertSchedule } from '../platform/schedules';
import type { Q } from '../platform/db';
import type { Config } from '../platform/config';
import { defineJob } from '../platform/jobs';
import { z } from 'zod';
import { flushRefusals } from './refusals';
import { openOrRefresh, resolveOthers } from './repository';
import { ALERT_RULES, RULES, type Incident } from './rules';
import { notifyAlert } from './notify';

export const alertNotifyJob = defineJob<{ alertId: string }>({
  name: 'alerts.notify',
  payload: z.object({ alertId: z.string().uuid() }),
  attempts: 8,
  backoffMs: 5000,
  handler: (data, ctx) => notifyAlert(ctx, data.alertId),
});

export const alertEvaluateJob = defineJob<Record<string, never>>({
  name: 'alerts.evaluate',
  payload: z.record(z.string(), z.never()),
  attempts: 1,
  backoffMs: 1000,
  handler: async (_data, ctx) => {
    await evaluateAlerts(ctx);
  },
});

/** Runs every rule at `ctx.now()`; returns the alerts opened and how many were resolved. */
export async function evaluateAlerts(ctx: AppContext): Promise<{ opened: string[]; resolved: number }> {
  const now = ctx.now();
  await flushRefusals(ctx.db);
  const found = new Map<(typeof ALERT_RULES)[number], Incident[]>();
  for (const rule of ALERT_RULES) found.set(rule, await RULES[rule](ctx.db, ctx.config, now));
  return ctx.db.transaction(async (trx) => {
    const opened: string[] = [];
    let resolved = 0;
    for (const rule of ALERT_RULES) {
      const incidents = found.get(rule) ?? [];
      for (const i of incidents) {
        const a = await openOrRefresh(trx, rule, i, now);
        if (!a.opened) continue;
        opened.push(a.id);
        await enqueueInTx(trx, alertNotifyJob, { alertId: a.id });
        ctx.log.warn({ event: 'alert.opened', rule, key: i.key, alertId: a.id }, i.summary);
      }
      resolved += await resolveOthers(
        trx,
        rule,
        incidents.map((i) => i.key),
        now,
      );
    }
    return { opened, resolved };
  });
}

/** At start of a process that runs the relay: the evaluation's schedule (ALERT_EVERY_SECONDS; 0 stops it). */
export async function ensureAlertSchedule(q: Q, config: Config): Promise<void> {
  if (config.ALERT_EVERY_SECONDS === 0) {
    await q('job_schedules').where({ key: alertEvaluateJob.name }).delete();
    return;
  }
  await upsertSchedule(q, {
    key: alertEvaluateJob.name,
    jobName: alertEvaluateJob.name,
    payload: {},
    everyMs: config.ALERT_EVERY_SECONDS * 1000,
  });
}
