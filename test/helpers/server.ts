import { createServer, get, type Server } from 'node:http';
import type { Express } from 'express';

/** The app on a real port of 127.0.0.1 (requests in flight at once share one event loop, as in production). */
export async function listenApp(
  app: Express,
): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface TimedWithHealth<T> {
  result: T;
  ms: number;
  /** How many GET /health were answered while `work` ran, and the slowest of them (ms). */
  health: { answered: number; failed: number; slowestMs: number };
}

/**
 * Runs `work` (requests to the server at `url`) while GET /health is asked again and again: the
 * figures say whether the server kept answering it meanwhile.
 */
export async function withHealthProbe<T>(url: string, work: () => Promise<T>): Promise<TimedWithHealth<T>> {
  let done = false;
  const health = { answered: 0, failed: 0, slowestMs: 0 };
  const probe = (async () => {
    while (!done) {
      const started = performance.now();
      // A connection of its own for every probe (agent: false): fetch would share its pool with the
      // work's requests, and a connection the server closes after refusing a large body would then
      // fail a health check that the server never saw.
      const status = await new Promise<number>((resolve) => {
        get(`${url}/health`, { agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        }).on('error', () => resolve(0));
      });
      if (status === 200) health.answered++;
      else health.failed++;
      health.slowestMs = Math.max(health.slowestMs, performance.now() - started);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const started = performance.now();
  let result: T;
  try {
    result = await work();
  } finally {
    done = true;
  }
  const ms = performance.now() - started;
  // The probe in flight when the work ended is waited for: it counts, answered or slow.
  await probe;
  return { result, ms, health };
}
