import { Router } from 'express';
import type { AppContext } from './context';

/** /ready answers "not ready" rather than hang when a dependency does not answer in time. */
const READY_TIMEOUT_MS = 2000;

function within(ms: number, check: Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([check.catch(() => false), timeout]).finally(() => clearTimeout(timer));
}

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
        READY_TIMEOUT_MS,
        (ctx.probeDb ?? ctx.db).raw('select 1').then(() => true),
      ),
      within(READY_TIMEOUT_MS, ctx.queue.ping()),
    ]);
    res
      .status(db && queue ? 200 : 503)
      .json({ status: db && queue ? 'ready' : 'not ready', database: db, queue });
  });
  return router;
}
