/**
 * Whether the Redis under BullMQ keeps what it is given: read once at connection, a warning in the log
 * when it would lose jobs (the outbox reconciler covers for it, see queue-bullmq.ts).
 */
import type { Redis } from 'ioredis';
import type { Logger } from './log';

/**
 * BullMQ's production guide: Redis must keep what it was given (AOF, appendonly yes) and never
 * evict keys (maxmemory-policy noeviction), or accepted work is lost until the reconciler finds it.
 * A Redis where CONFIG is disabled (managed services) is not an error: the settings are unknown.
 */
export async function checkRedisDurability(conn: Redis, log: Logger): Promise<void> {
  let settings: Record<string, string>;
  try {
    const read = async (name: string) => {
      const reply = await conn.config('GET', name);
      return reply[1] ?? '';
    };
    settings = {
      appendonly: await read('appendonly'),
      'maxmemory-policy': await read('maxmemory-policy'),
    };
  } catch (err) {
    log.info(
      { err: (err as Error).message },
      'could not read the Redis configuration (CONFIG is disabled?): make sure Redis runs with appendonly yes and maxmemory-policy noeviction',
    );
    return;
  }
  const problems: string[] = [];
  if (settings.appendonly !== 'yes')
    problems.push(`appendonly is ${settings.appendonly || 'unset'} (jobs are lost when Redis restarts)`);
  if (settings['maxmemory-policy'] !== 'noeviction')
    problems.push(
      `maxmemory-policy is ${settings['maxmemory-policy'] || 'unset'} (Redis may evict jobs when full)`,
    );
  if (problems.length)
    log.warn(
      { redis: settings },
      `Redis is not configured for durable jobs: ${problems.join('; ')}. Run it with appendonly yes and maxmemory-policy noeviction; until then the outbox reconciler re-sends lost jobs after OUTBOX_RECONCILE_GRACE_MS`,
    );
}
