import express, { type Express } from 'express';
import { approvalRoutes } from './approvals/routes';
import { catalogRoutes } from './catalog/routes';
import { consolePages } from './console/pages';
import type { ConsoleScreen } from './console/screens';
import { alertScreen } from './alerts/screen';
import { orderScreen } from './orders/screen';
import { invoiceScreen } from './invoices/screen';
import { dashboardScreen } from './metrics/screen';
import { userRoutes } from './console/routes';
import { cxmlRoutes, cxmlStatus, sendCxml, type CxmlHandlers } from './cxml/endpoint';
import { deliveriesScreen } from './delivery/pages';
import { demoImageRoutes } from './demo-buyer/images';
import { demoBuyerRoutes } from './demo-buyer/pages';
import { handleOrderRequest } from './orders/cxml';
import { handlePunchOutSetup, handleProfile } from './punchout/cxml-handlers';
import { documentsScreen } from './documents/pages';
import { documentRoutes } from './documents/routes';
import { ediRoutes } from './edi/routes';
import { invoiceRoutes } from './invoices/routes';
import { queuesScreen } from './jobs/pages';
import { jobRoutes } from './jobs/routes';
import { orderRoutes } from './orders/routes';
import { partnerRoutes } from './partners/routes';
import { partnersScreen } from './partners/pages';
import { punchoutRoutes } from './punchout';
import { createMetrics } from './metrics/metrics';
import { metricsRoutes } from './metrics/routes';
import { admission } from './platform/admission';
import { openApiDocument } from './platform/api';
import { AppError } from './platform/errors';
import { pageAssets } from './platform/pages';
import { probeRoutes } from './platform/probes';
import { sftpRoutes } from './transports/sftp/routes';
import { as2KeyRoutes } from './transports/as2/key-routes';
import { as2Routes } from './transports/as2/routes';
import { as2MessageRoutes } from './transports/as2/message-routes';
import type { AppContext } from './platform/context';
import {
  deferredJsonBody,
  errorBody,
  jsonErrorHandler,
  notFoundHandler,
  requestContext,
  securityHeaders,
} from './platform/http';

/** Probes answer while the gateway sheds load; so does the metrics scrape. */
const EXEMPT = new Set(['/health', '/ready', '/metrics']);

/** The express app, without listen(): tests drive it with supertest, server.ts binds it to a port. */
/** The console's screens, in the order of its navigation (each its own folder's pages). */
const consoleScreens = (cxml: CxmlHandlers): readonly ConsoleScreen[] => [
  dashboardScreen,
  documentsScreen(cxml),
  deliveriesScreen,
  orderScreen,
  invoiceScreen,
  partnersScreen,
  queuesScreen,
  alertScreen,
];

/** The handler of each cXML request type POST /cxml takes (a console replay takes the same). */
const cxmlHandlers: CxmlHandlers = {
  OrderRequest: handleOrderRequest,
  PunchOutSetupRequest: handlePunchOutSetup,
  ProfileRequest: handleProfile,
};

export function createApp(ctx: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestContext(ctx.log));
  app.use(securityHeaders);
  const overload = admission({
    maxActive: ctx.config.HTTP_MAX_ACTIVE,
    maxWaiting: ctx.config.HTTP_MAX_WAITING,
    maxWaitMs: ctx.config.HTTP_MAX_WAIT_MS,
    retryAfterSeconds: ctx.config.HTTP_RETRY_AFTER_SECONDS,
    exempt: (path) => EXEMPT.has(path) || path.startsWith('/assets/'),
    refuse: (req, res, message) => {
      if (req.path === '/cxml') sendCxml(res, cxmlStatus(ctx, 503, message));
      else if (req.path.startsWith('/api/'))
        res.status(503).json(errorBody(new AppError('unavailable', message), req.id ?? ''));
      else res.status(503).type('text/plain').send(`${message}\n`);
    },
  });
  const metrics = createMetrics(ctx, overload);
  app.use(metrics.httpMiddleware);
  app.use(overload.middleware);

  app.use(pageAssets());
  app.use(probeRoutes(ctx));

  // Protocol endpoints parse their own bodies and answer errors in their own dialect.
  // (cXML: /cxml, OCI: /oci, X12: /edi/x12, AS2: /as2, shopping pages: /punchout)

  // JSON bodies are read by each route after its authentication (apiRoute), never before.
  app.use(
    '/api',
    deferredJsonBody({ limit: ctx.config.MAX_BODY_BYTES, maxDepth: ctx.config.JSON_MAX_DEPTH }),
  );
  app.get('/api/v1/openapi.json', (_req, res) => {
    res.json(
      openApiDocument({
        title: 'Procurement gateway API',
        version: '1',
        serverUrl: ctx.config.publicBaseUrl,
      }),
    );
  });
  // No two feature routers share a path, so their order only decides how many route patterns a
  // request is tested against: the documents partners send in volume come first.
  app.use(cxmlRoutes(ctx, cxmlHandlers));
  app.use(orderRoutes(ctx));
  app.use(ediRoutes(ctx));
  app.use(as2Routes(ctx));
  app.use(punchoutRoutes(ctx));
  app.use(partnerRoutes(ctx));
  app.use(sftpRoutes(ctx));
  app.use(as2KeyRoutes(ctx));
  app.use(as2MessageRoutes(ctx));
  app.use(catalogRoutes(ctx));
  app.use(documentRoutes(ctx));
  app.use(jobRoutes(ctx));
  app.use(invoiceRoutes(ctx));
  app.use(approvalRoutes(ctx));
  // The built-in demo buyer plays the procurement system of the demo partner (never in production).
  if (ctx.config.DEMO) app.use(demoImageRoutes(), demoBuyerRoutes(ctx));
  app.use(userRoutes(ctx));
  app.use(consolePages(ctx, consoleScreens(cxmlHandlers)));
  app.use(metricsRoutes(ctx, metrics));

  app.use(notFoundHandler);
  app.use(jsonErrorHandler(ctx.config.HTTP_RETRY_AFTER_SECONDS));
  return app;
}
