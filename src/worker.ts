import { loadConfig, type Config } from './platform/config';
import { closeContext, createContext } from './platform/context';
import { ensureSecretsKey } from './platform/crypto';
import { checkSecretsKey } from './partners/supplier-secret';
import { warnOfDemoCredentials } from './demo';
import { ensureAlertSchedule } from './alerts/evaluate';

/** `gateway worker`: job workers and the outbox relay, no HTTP. SIGTERM drains running jobs. */
export async function startWorker(config: Config = loadConfig()) {
  config = ensureSecretsKey(config);
  const ctx = await createContext(config, { holder: { command: 'worker' } });
  await checkSecretsKey(ctx.db, config);
  if (config.DATABASE_URL) await warnOfDemoCredentials(ctx);
  await ensureAlertSchedule(ctx.db, config);
  await ctx.queue.start({ workers: true, relay: true });
  ctx.log.info({ queue: ctx.queue.kind }, 'worker started');
  console.log(`Worker started (jobs: ${ctx.queue.kind})`);
  return { ctx, stop: () => closeContext(ctx) };
}
