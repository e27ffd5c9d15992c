/** What the console and the API do with alerts. */
import type { AppContext } from '../platform/context';
import { writeAudit, type Actor } from '../console/audit';
import { evaluateAlerts } from './evaluate';
import { findAlert, listAlerts, openAlertCounts, type AlertFilter } from './repository';

export function alertUseCases(ctx: AppContext) {
  return {
    list: (f: AlertFilter, paging: { limit: number; offset: number }) => listAlerts(ctx.db, f, paging),
    find: (id: string) => findAlert(ctx.db, id),
    openCounts: () => openAlertCounts(ctx.db),
    /** Evaluates the rules now (beside the schedule), written to the audit log. */
    async evaluate(audit: { actor: Actor; now: Date; ip: string | null; requestId: string | null }) {
      const result = await evaluateAlerts(ctx);
      await writeAudit(ctx.db, audit.now, {
        actor: audit.actor,
        action: 'alerts.evaluate',
        after: { opened: result.opened.length, resolved: result.resolved },
        ip: audit.ip,
        requestId: audit.requestId,
      });
      return result;
    },
  };
}
