import { Router } from 'express';
import type { AppContext } from './context';
import { withTimeout } from './timeout';

/** /ready answers "not ready" rather than hang when a dependency does not answer in time. */
const READY_TIMEOUT_MS = 2000;

/** A check that answers false, instead of hanging, when its dependency is slower than the limit. */
const within = (check: Promise<boolean>, what: string): Promise<boolean> =>
  withTimeout(check, READY_TIMEOUT_MS, what).catch(() => false);

/**
 * Liveness (/health: the process answers) and readiness (/ready: Postgres and the job queue answer).
 * Served on PORT and, with HEALTH_PORT, on a listener of their own that a connection storm on PORT
 * cannot hold up (see server.ts). /ready checks Postgres over a connection of its own
 * (ctx.probeDb), never queueing behind requests for the shared pool.
 */
export function probeRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    const [db, queue] = await Promise.all([
      within(
        (ctx.probeDb ?? ctx.db).raw('select 1').then(() => true),
        'asking Postgres',
      ),
      within(ctx.queue.ping(), 'pinging the job queue'),
    ]);
    res
      .status(db && queue ? 200 : 503)
      .json({ status: db && queue ? 'ready' : 'not ready', database: db, queue });
  });
  return router;
}
