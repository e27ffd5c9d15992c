/**
 * The load process of `npm run bench pipeline` (spawned by bench/pipeline.bench.ts, one per
 * phase): `concurrency` closed loops for `seconds`, each sending one operation and waiting for
 * its end before the next, requests spread over the servers in turn. Writes a PhaseResult to
 * `out`. Operations:
 *   intake    POST /cxml an Ariba-style 10-line OrderRequest, until its cXML 200 answer;
 *   e2e       the same, then until the buyer endpoint has its ConfirmationRequest;
 *   invoice   POST /api/v1/orders/:id/invoices for a confirmed order, until the buyer has the invoice;
 *   punchout  POST /cxml a PunchOutSetupRequest;  health  GET /health.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { keepAliveAgent, send } from '../http-client';
import { aribaOrderRequest, punchoutSetupRequest } from './documents';

export type Phase = 'intake' | 'e2e' | 'invoice' | 'punchout' | 'health';

export interface PhaseConfig {
  phase: Phase;
  ports: number[];
  buyerPort: number;
  seconds: number;
  concurrency: number;
  /** Buyers the orders come from (benchPartner 0..partners-1): closed loop i sends as i % partners. */
  partners: number;
  adminToken: string;
  /** Unique per phase: order numbers and payloadIDs derive from it. */
  run: string;
  /** invoice: a file of confirmed order ids, one a line. */
  ordersFile?: string;
  out: string;
}

export interface PhaseResult {
  phase: Phase;
  ops: number;
  seconds: number;
  p50: number;
  p99: number;
  errors: number;
  errorSamples: string[];
}

const config = JSON.parse(process.env.PIPELINE_LOAD_CONFIG ?? '{}') as PhaseConfig;
const agent = keepAliveAgent(config.concurrency);
const waitAgent = keepAliveAgent(config.concurrency);
let turn = 0;
const port = () => config.ports[turn++ % config.ports.length]!;
const cxmlStatus = (text: string) => Number(/<Status code="(\d+)"/.exec(text)?.[1] ?? 0);

async function waitBuyer(key: string): Promise<number> {
  const a = await send(waitAgent, config.buyerPort, {
    method: 'GET',
    path: `/wait?key=${encodeURIComponent(key)}&timeout=120000`,
  });
  if (a.status !== 200) throw new Error(`the buyer never got ${key}`);
  return Number(a.text);
}

async function postOrder(n: number, partner: number): Promise<string> {
  const orderId = `PL-${config.run}-${n}`;
  const a = await send(agent, port(), {
    method: 'POST',
    path: '/cxml',
    headers: { 'content-type': 'text/xml' },
    body: aribaOrderRequest(`${orderId}.${process.pid}@buyer.example`, orderId, partner),
  });
  if (a.status !== 200 || cxmlStatus(a.text) !== 200)
    throw new Error(`order answered ${a.status} ${a.text.slice(0, 300)}`);
  return orderId;
}

const orderIds =
  config.phase === 'invoice' && config.ordersFile
    ? readFileSync(config.ordersFile, 'utf8').split('\n').filter(Boolean)
    : [];

/** One operation; resolves with its end (epoch ms): the answer, or the buyer's arrival. */
async function one(n: number, partner: number): Promise<number | undefined> {
  switch (config.phase) {
    case 'intake':
      await postOrder(n, partner);
      return Date.now();
    case 'e2e':
      return waitBuyer(`c:${await postOrder(n, partner)}`);
    case 'invoice': {
      const id = orderIds[n];
      if (id === undefined) return undefined;
      const a = await send(agent, port(), {
        method: 'POST',
        path: `/api/v1/orders/${id}/invoices`,
        headers: { authorization: `Bearer ${config.adminToken}`, 'content-type': 'application/json' },
        body: '{}',
      });
      if (a.status !== 201) throw new Error(`invoice answered ${a.status} ${a.text.slice(0, 300)}`);
      const number = (JSON.parse(a.text) as { invoice: { invoiceNumber: string } }).invoice.invoiceNumber;
      return waitBuyer(`i:${number}`);
    }
    case 'punchout': {
      const a = await send(agent, config.ports[0]!, {
        method: 'POST',
        path: '/cxml',
        headers: { 'content-type': 'text/xml' },
        body: punchoutSetupRequest(`ps-${config.run}-${n}.${process.pid}@buyer.example`),
      });
      if (a.status !== 200 || cxmlStatus(a.text) !== 200)
        throw new Error(`setup answered ${a.status} ${a.text.slice(0, 300)}`);
      return Date.now();
    }
    case 'health': {
      const a = await send(agent, config.ports[0]!, { method: 'GET', path: '/health' });
      if (a.status !== 200) throw new Error(`/health answered ${a.status}`);
      return Date.now();
    }
  }
}

async function main(): Promise<void> {
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let next = 0;
  let exhausted = false;
  const started = Date.now();
  const until = started + config.seconds * 1000;
  let last = started;
  await Promise.all(
    Array.from({ length: config.concurrency }, async (_, loop) => {
      const partner = loop % Math.max(1, config.partners);
      while (Date.now() < until && !exhausted) {
        const n = next++;
        const t0 = Date.now();
        try {
          const end = await one(n, partner);
          if (end === undefined) {
            exhausted = true;
            break;
          }
          latencies.push(end - t0);
          last = Math.max(last, end);
        } catch (err) {
          errors++;
          if (errorSamples.length < 5) errorSamples.push(String((err as Error).message ?? err));
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  const result: PhaseResult = {
    phase: config.phase,
    ops: latencies.length,
    seconds: (last - started) / 1000,
    p50: pct(50),
    p99: pct(99),
    errors,
    errorSamples,
  };
  writeFileSync(config.out, JSON.stringify(result));
  agent.destroy();
  waitAgent.destroy();
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
