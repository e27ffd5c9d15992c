/** @jsxRuntime automatic @jsxImportSource preact */
/** The console's Queues screen (admins and operators): /console/queues and retrying a failed job. */
import { mayOperate } from '../console/access';
import type { ConsoleScreen } from '../console/screens';
import { sendPage } from '../platform/pages';
import { queueState, retryFailedJob } from './queue-state';
import { QueuesPage } from './views';

export const queuesScreen: ConsoleScreen = {
  tile: { href: '/console/queues', label: 'Queues', id: 'to-queues', may: mayOperate },
  routes: (r, kit) => {
    const operator = kit.needs(mayOperate, 'it is for admins and operators');
    r.get('/console/queues', operator, async (req, res) => {
      sendPage(res, kit.chrome(req), {
        title: 'Queues',
        flash: await kit.flash(req),
        body: <QueuesPage s={await queueState(kit.ctx)} csrf={kit.csrf(req)} />,
      });
    });
    r.post('/console/queues/jobs/:id/retry', kit.form, operator, kit.checkCsrf, async (req, res) => {
      const job = await retryFailedJob(kit.ctx, String(req.params.id), kit.audit(req));
      await kit.done(
        req,
        res,
        `Job ${job.id} (${job.name}) put back for another round of attempts.`,
        '/console/queues',
      );
    });
  },
};
