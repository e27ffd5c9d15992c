/**
 * Punchout setup throughput: PunchOutSetupRequests per second and p50/p99 latency at 50 concurrent
 * keep-alive clients, next to GET /health on the same server in the same run (fresh Postgres
 * database, server on 127.0.0.1, random port). Each phase runs twice to show the machine's noise.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../src/app';
import { createTestEnv } from '../test/helpers/env';
import { seedShop, setupRequest } from '../test/integration/punchout/helpers';
import { keepAliveAgent, send, type BenchRequest } from './http-client';

const CLIENTS = 50;
const PHASE_MS = 8000;

interface Result {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!; // not empty: checked above
}

async function load(port: number, make: (n: number) => BenchRequest): Promise<Result> {
  const agent = keepAliveAgent(CLIENTS);
  const latencies: number[] = [];
  let errors = 0;
  let n = 0;
  const started = Date.now();
  const deadline = started + PHASE_MS;
  const one = async (): Promise<void> => {
    const t0 = process.hrtime.bigint();
    try {
      const res = await send(agent, port, make(n++));
      if (res.status !== 200) errors++;
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    } catch {
      errors++;
    }
  };
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < deadline) await one();
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
  };
}

const fmt = (r: Result) =>
  `${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms  errors ${r.errors}`;

export default async function (): Promise<void> {
  // PARTNER_CACHE_MS as in production (the tests turn it off).
  const env = await createTestEnv({ start: false, env: { PARTNER_CACHE_MS: undefined } });
  try {
    await seedShop(env.db);
    const server = http.createServer(createApp(env.ctx));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const health = () => ({ method: 'GET', path: '/health' });
    const setup = (i: number) => ({
      method: 'POST',
      path: '/cxml',
      headers: { 'content-type': 'text/xml' },
      body: setupRequest({ payloadId: `bench.${process.pid}.${Date.now()}.${i}@buyer.example` }),
    });
    // Warm-up: the first setup pays the partner's scrypt verification (then cached) and JIT.
    await load(port, setup).catch(() => undefined);
    console.log(`${CLIENTS} concurrent keep-alive clients, ${PHASE_MS / 1000} s per phase, Postgres pool 10`);
    for (const round of [1, 2]) {
      const h = await load(port, health);
      const s = await load(port, setup);
      console.log(`run ${round}  GET /health (baseline)     ${fmt(h)}`);
      console.log(
        `run ${round}  PunchOutSetupRequest       ${fmt(s)}  = ${(s.rps / h.rps).toFixed(2)}x health`,
      );
    }
    await new Promise((r) => server.close(r));
  } finally {
    await env.close();
  }
}
