/**
 * Child process for killed-worker.test.ts: evaluates one order inside a transaction, tells the parent
 * it is about to commit, then waits forever (the parent SIGKILLs it before the commit).
 */
import { evaluateOrder } from '../../../src/approvals/service';
import { createDb } from '../../../src/platform/db';
import { createLogger } from '../../../src/platform/log';
import { testConfig } from '../../helpers/env';

async function main(): Promise<void> {
  const [url, orderId] = process.argv.slice(2);
  const config = testConfig({ DATABASE_URL: url });
  const db = createDb({ databaseUrl: url, poolMax: 1 });
  await db.transaction(async (trx) => {
    const outcome = await evaluateOrder(
      { config, db, log: createLogger('silent'), now: () => new Date() },
      { orderId: orderId!, version: 1 },
      trx,
    );
    process.stdout.write(`evaluated ${outcome}\n`);
    await new Promise(() => undefined);
  });
}

void main();
