/** @jsxRuntime automatic @jsxImportSource preact */
/** The console's Dashboard screen (admins and operators). */
import { mayOperate } from '../console/access';
import type { ConsoleScreen } from '../console/screens';
import { sendPage } from '../platform/pages';
import { dashboardOf } from './dashboard-use-case';
import { DashboardPage } from './dashboard-views';

export const dashboardScreen: ConsoleScreen = {
  tile: { href: '/console/dashboard', label: 'Dashboard', id: 'to-dashboard', may: mayOperate },
  routes(r, kit) {
    r.get('/console/dashboard', kit.needs(mayOperate, 'it is for operators'), async (req, res) => {
      const d = await dashboardOf(kit.ctx);
      sendPage(res, kit.chrome(req), { title: 'Dashboard', body: <DashboardPage d={d} /> });
    });
  },
};
