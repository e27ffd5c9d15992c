import type { Request, RequestHandler, Response } from 'express';

/**
 * Graceful overload (issue 17 point 4): a bounded queue in front of the work that reaches the
 * database. At most `maxActive` requests run at once; up to `maxWaiting` more wait their turn for
 * at most `maxWaitMs`; past that a request is answered 503 with Retry-After at once, in its
 * protocol's dialect, before its body is read. Nothing is stored for it and nothing was accepted,
 * so the sender's retry is the only copy that counts. Probes (/health, /ready, /metrics) and static
 * assets never queue: they answer while the gateway sheds load.
 */
export interface AdmissionOptions {
  maxActive: number;
  maxWaiting: number;
  maxWaitMs: number;
  /** Seconds the 503 asks the sender to wait. */
  retryAfterSeconds: number;
  /** Answers a refused request in its protocol's dialect (status 503, Retry-After already set). */
  refuse: (req: Request, res: Response, message: string) => void;
  /** Paths that bypass the queue. */
  exempt: (path: string) => boolean;
}

export interface Admission {
  middleware: RequestHandler;
  stats: () => { active: number; waiting: number; shed: number };
}

export function admission(opts: AdmissionOptions): Admission {
  let active = 0;
  let shed = 0;
  // Waiters in arrival order; a waiter that timed out is removed at once.
  const waiting = new Set<() => void>();

  const release = () => {
    const next = waiting.values().next();
    if (next.done) {
      active--;
      return;
    }
    waiting.delete(next.value);
    next.value(); // the slot passes straight to the next waiter
  };

  const admit = (res: Response, next: () => void) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      release();
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  };

  const refuse = (req: Request, res: Response, why: string) => {
    shed++;
    res.setHeader('Retry-After', String(opts.retryAfterSeconds));
    opts.refuse(
      req,
      res,
      `The gateway is at capacity (${why}); nothing was stored, send again after ${opts.retryAfterSeconds} s`,
    );
  };

  const middleware: RequestHandler = (req, res, next) => {
    if (opts.exempt(req.path)) {
      next();
      return;
    }
    if (active < opts.maxActive) {
      active++;
      admit(res, next);
      return;
    }
    if (waiting.size >= opts.maxWaiting) {
      refuse(req, res, `${opts.maxWaiting} requests already waiting`);
      return;
    }
    const turn = () => {
      clearTimeout(timer);
      res.off('close', gone);
      admit(res, next);
    };
    const timer = setTimeout(() => {
      waiting.delete(turn);
      res.off('close', gone);
      refuse(req, res, `waited ${opts.maxWaitMs} ms for a turn`);
    }, opts.maxWaitMs);
    // A sender that hangs up while waiting gives up its place.
    const gone = () => {
      if (!waiting.delete(turn)) return;
      clearTimeout(timer);
    };
    res.once('close', gone);
    waiting.add(turn);
  };

  return { middleware, stats: () => ({ active, waiting: waiting.size, shed }) };
}
