/**
 * Issue 17 point 4, graceful overload: the production topology (a server process with WORKERS=0
 * and a worker process, on Postgres and Redis) is driven at four times the order rate it was just
 * measured to sustain, for OVERLOAD_SECONDS (default 20). Every answer is an acceptance or a 503
 * with Retry-After (a cXML Status 503 on /cxml, the JSON error on /api), nothing else; every
 * accepted order is stored once and worked off by the worker, no refused one is stored; /health and
 * /ready answer all along.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { ADMIN_TOKEN, REDIS_URL, SECRETS_KEY, waitFor } from '../../helpers/env';
import { freePort, spawnGateway, type GatewayProcess } from '../../helpers/gateway-process';
import { orderRequestXml, setupOrders, type OrdersEnv } from '../orders/helpers';

const SECONDS = Number(process.env.OVERLOAD_SECONDS ?? 20);

interface Answer {
  status: number;
  retryAfter: string | undefined;
  text: string;
}

function send(agent: http.Agent, port: number, path: string, headers: Record<string, string>, body: string) {
  return new Promise<Answer>((resolve) => {
    const data = Buffer.from(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        agent,
        headers: { ...headers, 'content-length': data.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'],
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', (err) => resolve({ status: 0, retryAfter: undefined, text: String(err) }));
    req.end(data);
  });
}

/**
 * A probe as a load balancer or kubelet sends it: keep-alive on PORT (fetch's pool), a new
 * connection each time on HEALTH_PORT.
 */
function probe(port: number, path: string, fresh = false): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const req = http.get(
      { host: '127.0.0.1', port, path, agent: fresh ? false : probeAgent, timeout: 10000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Date.now() - started }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, ms: Date.now() - started }));
  });
}
const probeAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });

const cxmlCode = (text: string) => Number(/<Status code="(\d+)"/.exec(text)?.[1] ?? 0);

describe('graceful overload', () => {
  let t: OrdersEnv;
  let server: GatewayProcess;
  let worker: GatewayProcess;
  let port: number;
  let healthPort: number;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const run = randomBytes(3).toString('hex');
  let n = 0;

  /** One order, alternately cXML and JSON; resolves with what was sent and what came back. */
  async function order(): Promise<{ id: string; kind: 'cxml' | 'json'; answer: Answer }> {
    const i = n++;
    const id = `OV-${run}-${i}`;
    if (i % 2 === 0) {
      const xml = orderRequestXml({ payloadId: `${id}@buyer`, orderId: id });
      return {
        id,
        kind: 'cxml',
        answer: await send(agent, port, '/cxml', { 'content-type': 'text/xml' }, xml),
      };
    }
    const body = JSON.stringify({
      buyerOrderNumber: id,
      orderDate: '2026-11-23T09:00:00Z',
      currency: 'USD',
      total: '45.00',
      shipTo: { name: 'Acme HQ', address: { street: ['1 Main St'], city: 'Springfield', countryCode: 'US' } },
      lines: [
        {
          lineNumber: 1,
          supplierPartId: 'PEN-BLU-12',
          quantity: '10',
          unitOfMeasure: 'BX',
          unitPrice: '4.50',
        },
      ],
    });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${t.erpKey}` };
    return { id, kind: 'json', answer: await send(agent, port, '/api/v1/orders', headers, body) };
  }

  beforeAll(async () => {
    t = await setupOrders({ start: false });
    port = await freePort();
    healthPort = await freePort();
    const env = {
      DATABASE_URL: t.env.config.DATABASE_URL,
      REDIS_URL,
      QUEUE_PREFIX: `gwt-ov-${run}`,
      ADMIN_TOKEN,
      SECRETS_KEY,
      SUPPLIER_CXML_DOMAIN: 'NetworkID',
      SUPPLIER_CXML_IDENTITY: 'AN-SUPPLIER-TEST',
      AUTH_FAILURES_PER_ADDRESS: '100000',
      AUTH_FAILURES_PER_CREDENTIAL: '100000',
      HTTP_MAX_WAITING: '64',
      HTTP_MAX_WAIT_MS: '1000',
      HTTP_RETRY_AFTER_SECONDS: '2',
    };
    server = spawnGateway(['serve'], {
      ...env,
      PORT: String(port),
      HEALTH_PORT: String(healthPort),
      WORKERS: '0',
    });
    worker = spawnGateway(['worker'], env);
    await waitFor(
      async () => (await probe(port, '/ready').catch(() => ({ status: 0 }))).status === 200,
      30000,
      `the server ready (${server.output()})`,
    );
  }, 60000);

  afterAll(async () => {
    agent.destroy();
    probeAgent.destroy();
    for (const p of [server, worker]) {
      p.child.kill('SIGTERM');
      await p.exited;
    }
    await t.env.close();
  });

  it(`at 4x the measured capacity for ${SECONDS} s: answers are acceptances or 503 with Retry-After, every accepted order is stored once, probes answer`, async () => {
    // Capacity: 16 senders in a closed loop for 3 s (warm-up first).
    await Promise.all(Array.from({ length: 16 }, () => order()));
    let done = 0;
    const measureUntil = Date.now() + 3000;
    const measured = Date.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (Date.now() < measureUntil) {
          const r = await order();
          expect([200, 201]).toContain(r.answer.status);
          done++;
        }
      }),
    );
    const capacity = done / ((Date.now() - measured) / 1000);

    // Overload: an open loop at 4x that rate, probes every 200 ms. The probes' keep-alive
    // connections to PORT are opened first, as a load balancer's are: a new connection to PORT
    // waits behind the storm in the accept queue (see server.ts), which is what HEALTH_PORT is for.
    await Promise.all(Array.from({ length: 8 }, () => probe(port, '/health')));
    const rate = capacity * 4;
    const sent: Promise<Awaited<ReturnType<typeof order>>>[] = [];
    const probes: Promise<{ status: number; ms: number; path: string; at: number }>[] = [];
    const started = Date.now();
    const end = started + SECONDS * 1000;
    let nextProbe = started;
    while (Date.now() < end) {
      const due = Math.floor(((Date.now() - started) / 1000) * rate);
      while (sent.length < due) sent.push(order());
      if (Date.now() >= nextProbe) {
        nextProbe += 200;
        const at = Date.now() - started;
        for (const [p, path, fresh] of [
          [port, '/health', false],
          [port, '/ready', false],
          [healthPort, '/health', true],
          [healthPort, '/ready', true],
        ] as const)
          probes.push(
            probe(p, path, fresh).then((r) => ({
              ...r,
              path: `${p === port ? 'PORT' : 'HEALTH_PORT'} ${path}`,
              at,
            })),
          );
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const results = await Promise.all(sent);
    const probed = await Promise.all(probes);

    const accepted = results.filter((r) => r.answer.status === 200 || r.answer.status === 201);
    const shed = results.filter((r) => r.answer.status === 503);
    const answered = new Set([...accepted, ...shed]);
    const other = results.filter((r) => !answered.has(r));
    const slowest = (where: string) =>
      Math.max(...probed.filter((p) => p.path.startsWith(where)).map((p) => p.ms));
    console.log(
      `overload: capacity ${capacity.toFixed(0)} orders/s, offered ${(results.length / SECONDS).toFixed(0)}/s for ${SECONDS} s; ` +
        `${accepted.length} accepted, ${shed.length} answered 503, ${other.length} other; slowest probe ` +
        `${slowest('PORT')} ms on PORT (keep-alive), ${slowest('HEALTH_PORT')} ms on HEALTH_PORT (new connections); ` +
        `${probed.filter((p) => p.status === 503).length} of ${probed.length} probes "not ready"`,
    );
    expect(other.map((r) => `${r.answer.status} ${r.answer.text.slice(0, 200)}`)).toEqual([]);
    // It was overloaded: load was shed, and the gateway kept working rather than collapsing. Alone
    // it takes about its capacity (2026-12-04: 1.14x of it); in the suite the other jest worker
    // (a Chromium test, say) may hold one of the 2 cores for the 20 s but not for the 3 s the
    // capacity was measured in, which left 0.29x twice. A collapse takes a few percent. How much
    // it takes is a figure for the benches (issue 17), not for this test.
    expect(shed.length).toBeGreaterThan(0);
    expect(accepted.length).toBeGreaterThan(capacity * SECONDS * 0.15);
    for (const r of accepted.filter((x) => x.kind === 'cxml')) expect(cxmlCode(r.answer.text)).toBe(200);
    for (const r of shed) {
      expect(r.answer.retryAfter).toBe('2');
      if (r.kind === 'cxml') expect(cxmlCode(r.answer.text)).toBe(503);
      else expect(JSON.parse(r.answer.text).error.code).toBe('unavailable');
    }
    // Probes answer: /health always 200; /ready 200, or 503 "not ready" when Postgres or Redis took
    // longer than its 2 s to answer (on a machine shared with other tests, that happens).
    expect(probed.filter((p) => p.path.endsWith('/health') && p.status !== 200)).toEqual([]);
    expect(probed.filter((p) => p.status !== 200 && p.status !== 503)).toEqual([]);

    // The operator sees it: the shed counter counts exactly the 503s, the queue is empty again.
    const scraped = await (
      await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    ).text();
    expect(scraped).toContain(`gateway_http_shed_total ${shed.length}`);
    expect(scraped).toContain('gateway_http_admission{state="waiting"} 0');

    // Stored: every accepted order once, no refused one; the worker works them all off.
    const ids = results.map((r) => r.id);
    const rows = await t.env.db('orders').whereIn('buyer_order_number', ids).select('buyer_order_number');
    const stored = new Set(rows.map((r) => r.buyer_order_number));
    expect(rows.length).toBe(stored.size);
    expect(accepted.filter((r) => !stored.has(r.id))).toEqual([]);
    expect(shed.filter((r) => stored.has(r.id))).toEqual([]);
    await waitFor(
      async () =>
        Number(
          (
            await t.env
              .db('outbox')
              .whereNull('completed_at')
              .whereNull('failed_at')
              .where('available_at', '<=', new Date())
              .count({ n: '*' })
          )[0]!.n,
        ) === 0,
      120000,
      'the worker to work off every accepted order',
    ).catch(async (err: Error) => {
      const left = await t.env
        .db('outbox')
        .whereNull('completed_at')
        .whereNull('failed_at')
        .select(
          'job_name',
          t.env.db.raw('count(*) as n'),
          t.env.db.raw('min(available_at) as at'),
          t.env.db.raw('count(dispatched_at) as dispatched'),
        )
        .groupBy('job_name');
      throw new Error(
        `${err.message}: ${JSON.stringify(left)} now ${new Date().toISOString()}\n${worker.output().slice(-3000)}`,
      );
    });
    const received = await t.env.db('orders').whereIn('buyer_order_number', ids).where({ state: 'received' });
    expect(received).toHaveLength(0);
  }, 240000);
});
