import { Router } from 'express';
import type { AppContext } from '../platform/context';
import { AppError } from '../platform/errors';
import { safeEqual } from '../platform/secrets';
import type { GatewayMetrics } from './metrics';

/**
 * GET /metrics in Prometheus text format, for a bearer METRICS_TOKEN (a scraper's own token) or the
 * admin token. Without either configured nobody can read it.
 */
export function metricsRoutes(ctx: AppContext, metrics: GatewayMetrics): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    const header = req.get('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    const allowed = [ctx.config.METRICS_TOKEN, ctx.config.ADMIN_TOKEN].filter((t): t is string => !!t);
    // Compare against every allowed token, so the time does not tell which one (or whether any) matched.
    const ok = allowed.map((t) => token !== '' && safeEqual(token, t)).includes(true);
    if (!ok) throw new AppError('unauthorized', 'metrics need a bearer METRICS_TOKEN or the admin token');
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  return router;
}
