/**
 * What the work in progress is, for records that name it: the HTTP request (its id, the one its log
 * lines and `X-Request-Id` carry) or the job run (its job id, the one its log lines carry). Set by
 * `requestContext` (http.ts) and by both queue adapters around a handler; read where a record is
 * written without the request at hand (documents/store.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface Trace {
  requestId?: string;
  jobId?: string;
}

const store = new AsyncLocalStorage<Trace>();

/** Runs `fn` (and everything it starts) under `trace`. */
export function runTraced<T>(trace: Trace, fn: () => T): T {
  return store.run(trace, fn);
}

/** The id that names the work in progress: the request's, else the job's; null outside both. */
export function currentTraceId(): string | null {
  const t = store.getStore();
  return t?.requestId ?? t?.jobId ?? null;
}
