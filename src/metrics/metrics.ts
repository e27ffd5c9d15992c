/**
 * Prometheus metrics of one gateway app: a registry per app (tests run many apps in one process, so
 * nothing goes into prom-client's global registry), HTTP requests by route pattern and status with a
 * latency histogram, event-loop lag and process figures, and gauges read from Postgres at scrape time
 * (outbound X12 sets by acknowledgment state, AS2 certificates' seconds left, and the state of the
 * whole gateway's documents, deliveries and jobs: src/metrics/state.ts).
 */
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { x12AckMetrics } from '../edi/acknowledgments';
import { certificateExpiries } from '../transports/as2/expiry';
import type { Admission } from '../platform/admission';
import type { AppContext } from '../platform/context';
import {
  attemptsLastHour,
  documentsLastHour,
  openDeliveries,
  outboxJobs,
  outboxLagSeconds,
  type Counted,
} from './state';
import { openAlertCounts } from '../alerts/repository';

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

  stateGauges(ctx, registry);

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

/** A gauge set at each scrape from counted rows. */
function countedGauge<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  read: () => Promise<Counted<L>[]>,
): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      for (const c of await read()) this.set(c.labels, c.count);
    },
  });
}

/** The gateway's documents, deliveries and jobs as Postgres has them (every process's work). */
function stateGauges(ctx: AppContext, registry: Registry): void {
  countedGauge(
    registry,
    'gateway_documents_last_hour',
    'Documents stored in the last hour, by protocol, document type, direction (in, out) and status (accepted, refused, delivered, ...)',
    ['protocol', 'type', 'direction', 'status'],
    () => documentsLastHour(ctx.db, ctx.now()),
  );
  countedGauge(
    registry,
    'gateway_deliveries',
    'Outbound deliveries not delivered, by state (pending: no attempt yet, retrying, failed: dead letter, rejected by the partner) and transport',
    ['state', 'transport'],
    () => openDeliveries(ctx.db),
  );
  countedGauge(
    registry,
    'gateway_delivery_attempts_last_hour',
    'Delivery attempts in the last hour by result (success, http_4xx, http_5xx, error: no answer)',
    ['result'],
    () => attemptsLastHour(ctx.db, ctx.now()),
  );
  countedGauge(
    registry,
    'gateway_jobs',
    'Outbox jobs by job and state (waiting to be handed to the queue, running, failed: dead letters)',
    ['job', 'state'],
    () => outboxJobs(ctx.db),
  );
  countedGauge(
    registry,
    'gateway_alerts_open',
    'Open alerts by rule (delivery_failing, dead_letter, ack_overdue, refusal_spike, partner_silent, certificate_ending)',
    ['rule'],
    async () =>
      Object.entries(await openAlertCounts(ctx.db)).map(([rule, count]) => ({ labels: { rule }, count })),
  );
  new Gauge({
    name: 'gateway_outbox_lag_seconds',
    help: 'How long the oldest due outbox row has waited to be handed to the queue (0: none waits)',
    registers: [registry],
    async collect() {
      this.set(await outboxLagSeconds(ctx.db, ctx.now()));
    },
  });
}
