/** @jsxRuntime automatic @jsxImportSource preact */
/** The console's alerts screen (admins and operators): the list, one alert, and evaluating now. */
import { z } from 'zod';
import { mayOperate } from '../console/access';
import type { ConsoleScreen } from '../console/screens';
import { AppError } from '../platform/errors';
import { pagingFrom, sendPage } from '../platform/pages';
import { alertUseCases } from './use-cases';
import { ALERT_RULES } from './rules';
import { AlertDetail, AlertList, ALERTS_PER_PAGE } from './views';

const filters = z.object({
  state: z.enum(['', 'open', 'resolved']).optional(),
  rule: z.enum(['', ...ALERT_RULES]).optional(),
  partner: z.string().max(100).optional(),
});

export const alertScreen: ConsoleScreen = {
  tile: { href: '/console/alerts', label: 'Alerts', id: 'to-alerts', may: mayOperate },
  routes(r, kit) {
    const uc = alertUseCases(kit.ctx);
    const operator = kit.needs(mayOperate, 'it is for operators');
    r.get('/console/alerts', operator, async (req, res) => {
      const parsed = filters.safeParse(req.query);
      if (!parsed.success) throw new AppError('bad_request', 'invalid filter: state, rule or partner');
      const { state, rule, partner } = parsed.data;
      const f = {
        ...(state ? { state } : {}),
        ...(rule ? { rule } : {}),
        ...(partner ? { partnerId: partner } : {}),
      };
      const paging = pagingFrom(req.query, { limit: ALERTS_PER_PAGE, maxLimit: 200 });
      const [page, open] = await Promise.all([uc.list(f, paging), uc.openCounts()]);
      sendPage(res, kit.chrome(req), {
        title: 'Alerts',
        flash: await kit.flash(req),
        body: <AlertList f={f} {...page} paging={paging} csrf={kit.csrf(req)} open={open} />,
      });
    });
    r.get('/console/alerts/:id', operator, async (req, res) => {
      const a = await uc.find(String(req.params.id));
      if (!a) throw new AppError('not_found', 'no such alert');
      sendPage(res, kit.chrome(req), { title: 'Alert', body: <AlertDetail a={a} /> });
    });
    r.post('/console/alerts/evaluate', kit.form, operator, kit.checkCsrf, async (req, res) => {
      const { opened, resolved } = await uc.evaluate(kit.audit(req));
      await kit.done(
        req,
        res,
        `Rules evaluated: ${opened.length} opened, ${resolved} resolved.`,
        '/console/alerts',
      );
    });
  },
};
