import express, { type Express } from 'express';
import { approvalRoutes } from './approvals/routes';
import { catalogRoutes } from './catalog/routes';
import { cxmlRoutes } from './cxml/endpoint';
import { documentRoutes } from './documents/routes';
import { ediRoutes } from './edi/routes';
import { invoiceRoutes } from './invoices/routes';
import { jobRoutes } from './jobs/routes';
import { orderRoutes } from './orders/routes';
import { partnerRoutes } from './partners/routes';
import { punchoutRoutes } from './punchout';
import { createMetrics } from './metrics/metrics';
import { metricsRoutes } from './metrics/routes';
import { openApiDocument } from './platform/api';
import { pageAssets } from './platform/pages';
import { sftpRoutes } from './transports/sftp/routes';
import type { AppContext } from './platform/context';
import {
  deferredJsonBody,
  jsonErrorHandler,
  notFoundHandler,
  requestContext,
  securityHeaders,
} from './platform/http';

/** The express app, without listen(): tests drive it with supertest, server.ts binds it to a port. */
export function createApp(ctx: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestContext(ctx.log));
  app.use(securityHeaders);
  const metrics = createMetrics(ctx);
  app.use(metrics.httpMiddleware);

  app.use(pageAssets());
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', async (_req, res) => {
    const [db, queue] = await Promise.all([
      ctx.db.raw('select 1').then(
        () => true,
        () => false,
      ),
      ctx.queue.ping(),
    ]);
    res
      .status(db && queue ? 200 : 503)
      .json({ status: db && queue ? 'ready' : 'not ready', database: db, queue });
  });

  // Protocol endpoints parse their own bodies and answer errors in their own dialect.
  // (cXML: /cxml, OCI: /oci, X12: /edi/x12, shopping pages: /punchout)

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
  app.use(cxmlRoutes(ctx));
  app.use(orderRoutes(ctx));
  app.use(ediRoutes(ctx));
  app.use(punchoutRoutes(ctx));
  app.use(partnerRoutes(ctx));
  app.use(sftpRoutes(ctx));
  app.use(catalogRoutes(ctx));
  app.use(documentRoutes(ctx));
  app.use(jobRoutes(ctx));
  app.use(invoiceRoutes(ctx));
  app.use(approvalRoutes(ctx));
  app.use(metricsRoutes(ctx, metrics));

  app.use(notFoundHandler);
  app.use(jsonErrorHandler);
  return app;
}
