/**
 * Child process for inbound-restart.test.ts: polls one partner's SFTP mailbox and, when the pickup
 * of a file reaches the stage named on the command line, tells the parent and waits forever (the
 * parent SIGKILLs it there: a worker dying in the middle of a pickup).
 */
import { closeContext, createContext } from '../../../src/platform/context';
import { createDb } from '../../../src/platform/db';
import { createLogger } from '../../../src/platform/log';
import { pollMailbox, type PickupStage } from '../../../src/transports/sftp/inbound';
import { testConfig } from '../../helpers/env';

async function main(): Promise<void> {
  const [url, partnerId, stage, lease] = process.argv.slice(2) as [string, string, PickupStage, string];
  const config = testConfig({ DATABASE_URL: url, SFTP_LEASE_SECONDS: lease });
  const db = createDb({ databaseUrl: url, poolMax: 2 });
  const ctx = await createContext(config, { db, log: createLogger('silent'), migrate: false });
  const result = await pollMailbox(ctx, partnerId, {
    onStage: async (at, name) => {
      if (at !== stage) return;
      process.stdout.write(`at ${at} ${name}\n`);
      await new Promise(() => undefined);
    },
  });
  process.stdout.write(`finished ${JSON.stringify(result)}\n`);
  await closeContext(ctx);
}

void main();
