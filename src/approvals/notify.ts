/**
 * Approver e-mail (nodemailer over SMTP_URL) with signed one-time approve/reject links, and the
 * partner's optional webhook. Runs as its own outbox job so a slow mail server never holds a decision.
 */
import { DEFAULT_LOCALE, localMoney } from '../model';
import { flagTitle } from './flags';
import { findPartner } from '../partners/repository';
import { AppError } from '../platform/errors';
import { mailTransport } from '../platform/mail';
import { postOutbound } from '../platform/outbound';
import { signLink } from './tokens';
import { listApprovals, type NotifyPayload, type WorkflowCtx } from './service';

export function approvalLinks(
  ctx: WorkflowCtx,
  approvalId: string,
  approver: string,
): { approve: string; reject: string } {
  const exp = Math.floor(ctx.now().getTime() / 1000 + ctx.config.APPROVAL_MAX_AGE_HOURS * 3600);
  const link = (decision: 'approve' | 'reject') =>
    `${ctx.config.publicBaseUrl}/approvals/link?token=${signLink(ctx.config, { approvalId, decision, approver, exp })}`;
  return { approve: link('approve'), reject: link('reject') };
}

export async function notify(ctx: WorkflowCtx, p: NotifyPayload): Promise<void> {
  const [a] = await listApprovals(ctx.db, { id: p.approvalId });
  if (!a) return;
  if (p.kind !== 'decided' && a.status !== 'pending') return; // decided meanwhile: nothing to ask
  const partner = await findPartner(ctx.db, a.partnerId);
  const smtp = ctx.config.SMTP_URL;
  if (p.kind !== 'decided' && smtp) {
    const money = `${localMoney(DEFAULT_LOCALE, a.total, a.currency, { currency: 'none' })} ${a.currency}`;
    const subject = `${p.kind === 'escalation' ? 'ESCALATED: ' : ''}Approve order ${a.buyerOrderNumber} from ${partner?.name ?? a.partnerId}: ${money} (level ${a.level})`;
    for (const to of p.recipients) {
      const links = approvalLinks(ctx, a.id, to);
      const text = [
        `Order ${a.buyerOrderNumber} (${a.partnerId}) for ${money} waits for your approval (level ${a.level}).`,
        a.flags.length ? `Why: ${a.flags.map(flagTitle).join('; ')}.` : 'No intake flags.',
        p.kind === 'escalation' ? 'This approval was not decided in time and is escalated to you.' : '',
        '',
        `Approve: ${links.approve}`,
        `Reject: ${links.reject}`,
        '',
        'Each link works once.',
      ].join('\n');
      await mailTransport(smtp).sendMail({ from: ctx.config.MAIL_FROM, to, subject, text });
    }
  }
  const hook = partner?.settings.approval?.webhookUrl;
  if (hook) {
    const res = await postOutbound(hook, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        event: `approval.${p.kind === 'request' ? 'requested' : p.kind === 'escalation' ? 'escalated' : 'decided'}`,
        approval: a,
      }),
      timeoutMs: 10_000,
      denyPrivate: ctx.config.OUTBOUND_DENY_PRIVATE,
    });
    const ok = res.status >= 200 && res.status < 300;
    if (res.status >= 300 && res.status < 400)
      throw new AppError(
        'unavailable',
        `approval webhook answered ${res.status} redirect to ${res.location ?? '(no Location)'}, not followed`,
      );
    if (!ok) throw new AppError('unavailable', `approval webhook answered ${res.status}`);
  }
}
