import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { createApp } from './app';
import { ensureFirstAdmin, FIRST_ADMIN } from './console/first-run';
import {
  ensureDemoCatalog,
  ensureDemoHook,
  ensureDemoImages,
  ensureDemoInbox,
  seedDemo,
  warnOfDemoCredentials,
  DEMO_KEYS,
} from './demo';
import { loadConfig, type Config } from './platform/config';
import { announceDataDirUrl } from './platform/data-dir';
import { AppError } from './platform/errors';
import { probeRoutes } from './platform/probes';
import { ensureSecretsKey } from './platform/crypto';
import { checkSecretsKey } from './partners/supplier-secret';
import { ensureAlertSchedule } from './alerts/evaluate';
import { closeContext, createContext, type AppContext } from './platform/context';

/**
 * Embedded mode without ADMIN_TOKEN: a token is generated once, kept in DATA_DIR/admin-token (0600)
 * and printed to the terminal that first started the gateway (never to the log).
 */
export function ensureAdminToken(config: Config): Config {
  if (config.ADMIN_TOKEN) return config;
  mkdirSync(config.DATA_DIR, { recursive: true });
  const file = path.join(config.DATA_DIR, 'admin-token');
  let token: string;
  if (existsSync(file)) {
    token = readFileSync(file, 'utf8').trim();
    console.log(`Admin token: in ${file}`);
  } else {
    token = `gwa_${randomBytes(24).toString('base64url')}`;
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    console.log(`Admin token (generated once, kept in ${file}): ${token}`);
  }
  return { ...config, ADMIN_TOKEN: token };
}

/** Binds a port, or stops with what to do when it is taken. */
async function listen(server: Server, port: number, config: Config): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // A deep accept queue: under overload, connections wait there for their turn (a 503 at
      // worst) instead of having their SYNs dropped and retried seconds later.
      server.listen({ port, host: config.HOST, backlog: config.HTTP_BACKLOG }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new AppError(
        'conflict',
        `Port ${port} on ${config.HOST} is in use by another process: stop it, or set ${port === config.PORT ? 'PORT' : 'HEALTH_PORT'} to a free port`,
      );
    throw err;
  }
}

/** DEMO: seeds the demo partner into an empty database, or points an older seed at the demo buyer. */
async function prepareDemo(ctx: AppContext, config: Config): Promise<void> {
  if (config.DEMO && config.DATABASE_URL) {
    ctx.log.warn('DEMO=1 with DATABASE_URL: the demo partner with published credentials is seeded');
    console.error(
      'WARNING: DEMO=1 with DATABASE_URL seeds the demo partner, whose credentials are published in the README, into an empty database.',
    );
  }
  if (config.DEMO && (await seedDemo(ctx))) {
    console.log(
      `Demo partner "demo" seeded: cXML NetworkID/AN-DEMO-BUYER secret demo-shared-secret; ` +
        `OCI demo-buyer/demo-password; ERP key ${DEMO_KEYS.erp}; finance key ${DEMO_KEYS.finance}`,
    );
  } else if (config.DEMO) {
    if (await ensureDemoInbox(ctx))
      console.log('Demo partner "demo" now delivers its cXML documents to the demo buyer\'s inbox');
    if (await ensureDemoHook(ctx))
      console.log('Demo partner "demo" now returns its OCI carts to the demo buyer at this address');
    if (await ensureDemoCatalog(ctx))
      console.log('Demo catalog updated: pictures, stock and specifications, ten items in a category tree');
    await ensureDemoImages(ctx);
  }
}

export interface Running {
  ctx: AppContext;
  server: Server;
  stop: () => Promise<void>;
}

export async function startServer(config: Config = loadConfig()): Promise<Running> {
  config = ensureSecretsKey(ensureAdminToken(config));
  const ctx = await createContext(config, { holder: { command: 'serve' } });
  await checkSecretsKey(ctx.db, config);
  await prepareDemo(ctx, config);
  if (config.DATABASE_URL) await warnOfDemoCredentials(ctx);
  const firstAdmin = await ensureFirstAdmin(ctx);
  await ensureAlertSchedule(ctx.db, config);
  await ctx.queue.start({ workers: config.WORKERS, relay: true });
  const app = createApp(ctx);
  const server = createServer(app);
  // Idle keep-alive connections outlive a load balancer's (60 s on the common ones), so the
  // gateway never closes a connection a client is about to reuse; headers must arrive sooner.
  server.keepAliveTimeout = config.HTTP_KEEPALIVE_TIMEOUT_MS;
  server.headersTimeout = config.HTTP_KEEPALIVE_TIMEOUT_MS + 5000;
  // Node accepts one connection per turn of its event loop, so under full load a storm of new
  // connections on PORT waits its turn in the accept queue for seconds; probes on a listener of
  // their own are accepted on the next turn.
  let health: Server | undefined;
  try {
    await listen(server, config.PORT, config);
    if (config.HEALTH_PORT !== undefined) {
      const probes = express();
      probes.disable('x-powered-by');
      probes.use(probeRoutes(ctx));
      health = createServer(probes);
      await listen(health, config.HEALTH_PORT, config);
    }
  } catch (err) {
    if (server.listening) server.close();
    await closeContext(ctx);
    throw err;
  }
  if (!config.DATABASE_URL) {
    // CLI commands beside this server find it here and send their work to its admin API.
    const host = ['0.0.0.0', '::', ''].includes(config.HOST) ? '127.0.0.1' : config.HOST;
    const { port } = server.address() as AddressInfo;
    announceDataDirUrl(config.DATA_DIR, `http://${host.includes(':') ? `[${host}]` : host}:${port}`);
  }
  ctx.log.info(
    {
      port: config.PORT,
      healthPort: config.HEALTH_PORT,
      embedded: !config.DATABASE_URL,
      queue: ctx.queue.kind,
    },
    'gateway listening',
  );
  console.log(
    `Gateway listening on ${config.publicBaseUrl} (database: ${config.DATABASE_URL ? 'postgres' : 'embedded PGlite'}, jobs: ${ctx.queue.kind})`,
  );
  if (firstAdmin)
    console.log(
      `Console: ${config.publicBaseUrl}/ — account "${FIRST_ADMIN}" created with the password (shown once, only its hash is stored):\n` +
        `${firstAdmin}\nChange it with: npm run gateway -- users passwd ${FIRST_ADMIN}`,
    );
  else
    console.log(
      `Console: ${config.publicBaseUrl}/${config.DATABASE_URL ? '' : ` — sign in as "${FIRST_ADMIN}" (password printed at the first start)`}`,
    );
  if (config.DEMO)
    console.log(
      `Demo buyer: ${config.publicBaseUrl}/demo/buyer — punch out, order, then ship and invoice in the console's Orders screen`,
    );
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await Promise.all(
        [server, health].map((s) =>
          s ? new Promise<void>((resolve) => s.close(() => resolve())) : Promise.resolve(),
        ),
      );
      await closeContext(ctx);
    })());
  return { ctx, server, stop };
}

/** SIGTERM and SIGINT stop taking requests, let running jobs finish, then exit. */
export function exitOnSignals(stop: () => Promise<void>): void {
  const handler = (signal: string) => {
    console.log(`${signal}: draining`);
    stop().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
}
