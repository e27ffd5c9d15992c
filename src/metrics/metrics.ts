/**
 * Prometheus metrics of one gateway app: a registry per app (tests run many apps in one process, so
 * nothing goes into prom-client's global registry), HTTP requests by route pattern and status with a
 * latency histogram, event-loop lag and process figures, and gauges read from Postgres at scrape time
 * (outbound X12 sets by acknowledgment state, AS2 certificates' seconds left).
 */
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { x12AckMetrics } from '../edi/acknowledgments';
import { certificateExpiries } from '../transports/as2/expiry';
import type { Admission } from '../platform/admission';
import type { AppContext } from '../platform/context';

export interface GatewayMetrics {
  registry: Registry;
  /** Counts and times every answered request (mount before the routers). */
  httpMiddleware: RequestHandler;
}

/** The route pattern a request matched ("/api/v1/orders/:id"), never the raw path (cardinality). */
function routeOf(req: Parameters<RequestHandler>[0]): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  return typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : 'unmatched';
}

export function createMetrics(ctx: AppContext, admission?: Admission): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gateway_' });

  const requests = new Counter({
    name: 'gateway_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'gateway_http_request_duration_seconds',
    help: 'Time from request to answer, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });

  new Gauge({
    name: 'gateway_x12_outbound_sets',
    help: 'Outbound X12 transaction sets by partner and acknowledgment state (pending, overdue, accepted, accepted_with_errors, rejected)',
    labelNames: ['partner', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const m of await x12AckMetrics(ctx.db, ctx.now()))
        this.set({ partner: m.partnerId, state: m.state }, m.count);
    },
  });

  new Gauge({
    name: 'gateway_as2_certificate_expiry_seconds',
    help: 'Seconds until each AS2 certificate ends (negative: ended), by owner (partner or supplier), partner and SHA-256 fingerprint',
    labelNames: ['owner', 'partner', 'fingerprint'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const now = ctx.now().getTime();
      for (const c of await certificateExpiries(ctx.db))
        this.set(
          { owner: c.owner, partner: c.partnerId ?? '', fingerprint: c.fingerprintSha256 },
          Math.round((c.notAfter.getTime() - now) / 1000),
        );
    },
  });

  if (admission) {
    new Gauge({
      name: 'gateway_http_admission',
      help: 'Requests running (active) and waiting for a turn (waiting) in the overload queue',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const s = admission.stats();
        this.set({ state: 'active' }, s.active);
        this.set({ state: 'waiting' }, s.waiting);
      },
    });
    new Counter({
      name: 'gateway_http_shed_total',
      help: 'Requests answered 503 because the gateway was at capacity',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(admission.stats().shed);
      },
    });
  }

  const httpMiddleware: RequestHandler = (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = routeOf(req);
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
      duration.observe({ method: req.method, route }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
  return { registry, httpMiddleware };
}
