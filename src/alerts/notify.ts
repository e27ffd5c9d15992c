/**
 * Telling people about an opened alert: an e-mail to ALERT_EMAIL_TO over SMTP_URL and a JSON POST
 * to ALERT_WEBHOOK_URL (signed: `X-Gateway-Signature: t=<unix seconds>,sha256=<hex HMAC of
 * "<t>.<body>">` with ALERT_WEBHOOK_SECRET). Each channel is marked done once it succeeded, so a
 * retried job never mails twice; a failure is kept on the alert for the console.
 */
import { createHmac } from 'node:crypto';
import type { AppContext } from '../platform/context';
import { AppError } from '../platform/errors';
import { mailTransport } from '../platform/mail';
import { postOutbound } from '../platform/outbound';
import { findAlert, markNotified, markNotifyError, type Alert } from './repository';
import { RULE_TITLES } from './rules';

const consoleUrl = (ctx: AppContext, a: Alert) => `${ctx.config.publicBaseUrl}/console/alerts/${a.id}`;

/** The webhook's JSON body of an opened alert. */
export function alertEvent(ctx: AppContext, a: Alert): string {
  return JSON.stringify({
    event: 'alert.opened',
    alert: {
      id: a.id,
      rule: a.rule,
      title: RULE_TITLES[a.rule],
      key: a.key,
      partnerId: a.partnerId,
      summary: a.summary,
      details: a.details,
      openedAt: a.openedAt.toISOString(),
      url: consoleUrl(ctx, a),
    },
  });
}

/** The signature header of a webhook body sent at `t` (seconds). */
export function signWebhook(secret: string, t: number, body: string): string {
  return `t=${t},sha256=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

export async function notifyAlert(ctx: AppContext, alertId: string): Promise<void> {
  const a = await findAlert(ctx.db, alertId);
  if (!a) return;
  try {
    await mail(ctx, a);
    await webhook(ctx, a);
  } catch (err) {
    await markNotifyError(ctx.db, a.id, (err as Error).message);
    throw err;
  }
}

async function mail(ctx: AppContext, a: Alert): Promise<void> {
  const { SMTP_URL: smtp, ALERT_EMAIL_TO: to } = ctx.config;
  if (!smtp || !to || a.mailedAt) return;
  const text = [
    a.summary,
    '',
    `Rule: ${RULE_TITLES[a.rule]} (${a.rule})`,
    a.partnerId ? `Partner: ${a.partnerId}` : '',
    `Opened: ${a.openedAt.toISOString()}`,
    '',
    ...Object.entries(a.details).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`),
    '',
    `In the console: ${consoleUrl(ctx, a)}`,
  ]
    .filter((l, i, all) => l !== '' || all[i - 1] !== '')
    .join('\n');
  await mailTransport(smtp).sendMail({
    from: ctx.config.MAIL_FROM,
    to,
    subject: `[${ctx.config.SUPPLIER_NAME} gateway] ${RULE_TITLES[a.rule]}: ${a.summary}`.slice(0, 200),
    text,
  });
  await markNotified(ctx.db, a.id, 'mailed_at', ctx.now());
}

async function webhook(ctx: AppContext, a: Alert): Promise<void> {
  const url = ctx.config.ALERT_WEBHOOK_URL;
  if (!url || a.webhookAt) return;
  const body = alertEvent(ctx, a);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const secret = ctx.config.ALERT_WEBHOOK_SECRET;
  if (secret)
    headers['x-gateway-signature'] = signWebhook(secret, Math.floor(ctx.now().getTime() / 1000), body);
  const res = await postOutbound(url, {
    headers,
    body,
    timeoutMs: 10_000,
    denyPrivate: ctx.config.OUTBOUND_DENY_PRIVATE,
  });
  if (res.status < 200 || res.status > 299)
    throw new AppError('unavailable', `alert webhook answered ${res.status}`);
  await markNotified(ctx.db, a.id, 'webhook_at', ctx.now());
}
