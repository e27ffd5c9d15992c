/**
 * GET /metrics: Prometheus text format read back with an independent parser; who may scrape it; the
 * HTTP request counter, the outbound X12 acknowledgment gauge, and the documents, deliveries and jobs
 * read from Postgres move with what happens.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { createApp } from '../../../src/app';
import { csvObjects } from '../../../src/catalog/csv';
import { importCatalog } from '../../../src/catalog/service';
import { sendOrderAck855 } from '../../../src/edi/outbound';
import { ADMIN_TOKEN, auth, createTestEnv, waitFor, type TestEnv } from '../../helpers/env';
import { freePort } from '../../helpers/gateway-process';
import { upsertPartner } from '../../../src/partners/service';
import { examplePartner, seedPartner } from '../../helpers/partners';

const METRICS_TOKEN = 'scraper-token-0123456789';

interface Family {
  name: string;
  type: string;
  metrics: { labels?: Record<string, string>; value?: string; buckets?: Record<string, string> }[];
}

let env: TestEnv;
let app: Express;
let erpKey: string;

async function scrape(): Promise<Map<string, Family>> {
  const res = await request(app).get('/metrics').set(auth(METRICS_TOKEN)).expect(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  const families = parsePrometheusTextFormat(res.text) as Family[];
  return new Map(families.map((f) => [f.name, f]));
}

function value(f: Family | undefined, labels: Record<string, string>): number {
  const m = f?.metrics.find((x) => Object.entries(labels).every(([k, v]) => x.labels?.[k] === v));
  return m?.value === undefined ? 0 : Number(m.value);
}

const interchange = (isa13: string, po: string) =>
  [
    `ISA*00*          *00*          *ZZ*ACMEBUYER      *ZZ*SUPPLIERDEMO   *261120*1200*U*00401*${isa13}*0*P*>`,
    'GS*PO*ACMEBUYER*SUPPLIERDEMO*20261120*1200*77*X*004010',
    'ST*850*0001',
    `BEG*00*SA*${po}**20261120`,
    'CUR*BY*USD',
    'PO1*1*2*BX*4.50**VP*PEN-BLU-12',
    'CTT*1',
    'SE*6*0001',
    'GE*1*77',
    `IEA*1*${isa13}`,
  ]
    .map((s) => `${s}~\n`)
    .join('');

beforeAll(async () => {
  env = await createTestEnv({ start: false, env: { METRICS_TOKEN } });
  app = createApp(env.ctx);
  const contracts = path.resolve(__dirname, '../../../fixtures/contracts');
  await importCatalog(
    env.db,
    csvObjects(readFileSync(path.join(contracts, 'catalog.example.csv'), 'utf8')).rows,
  );
  const base = examplePartner();
  ({ erpKey } = await seedPartner(env.db, {
    x12: { ...base.x12!, outboundUrl: undefined, ta1: false },
    outboundFormats: ['x12'],
  }));
});
afterAll(async () => {
  await env.close();
});

describe('GET /metrics', () => {
  it('answers only a bearer METRICS_TOKEN or the admin token', async () => {
    await request(app).get('/metrics').expect(401);
    await request(app).get('/metrics').set(auth('scraper-token-0123456780')).expect(401);
    await request(app).get('/metrics').set(auth(erpKey)).expect(401);
    await request(app).get('/metrics').set(auth(ADMIN_TOKEN)).expect(200);
    await request(app).get('/metrics').set(auth(METRICS_TOKEN)).expect(200);
  });

  it('counts requests by route pattern and status, and times them', async () => {
    const before = await scrape();
    const labels = { method: 'GET', route: '/api/v1/documents/:id/raw', status: '404' };
    const was = value(before.get('gateway_http_requests_total'), labels);
    for (let i = 0; i < 3; i++)
      await request(app)
        .get(`/api/v1/documents/${crypto.randomUUID()}/raw`)
        .set(auth(ADMIN_TOKEN))
        .expect(404);
    const after = await scrape();
    expect(value(after.get('gateway_http_requests_total'), labels)).toBe(was + 3);
    // Unknown paths share one label instead of one series per path.
    await request(app).get('/no/such/path/1').expect(404);
    await request(app).get('/no/such/path/2').expect(404);
    const unmatched = value((await scrape()).get('gateway_http_requests_total'), {
      route: 'unmatched',
      status: '404',
    });
    expect(unmatched).toBe(2);
    const hist = after.get('gateway_http_request_duration_seconds');
    expect(hist?.type).toBe('HISTOGRAM');
    expect(after.get('gateway_nodejs_eventloop_lag_seconds')?.type).toBe('GAUGE');
  });

  it('shows outbound X12 sets by acknowledgment state, overdue after x12.ackWithinHours', async () => {
    const res = await request(app)
      .post('/edi/x12')
      .set(auth(erpKey))
      .set('Content-Type', 'application/edi-x12')
      .send(Buffer.from(interchange('000000901', 'PO-METRICS-1')));
    expect(res.status).toBe(200);
    const order = await env
      .db('orders')
      .where({ partner_id: 'acme', buyer_order_number: 'PO-METRICS-1' })
      .first('id');
    const sent = await env.db.transaction((trx) => sendOrderAck855(trx, env.ctx, order.id, 'accept'));
    const gauge = async () => (await scrape()).get('gateway_x12_outbound_sets');
    expect(value(await gauge(), { partner: 'acme', state: 'pending' })).toBe(1);

    await env
      .db('x12_outbound_sets')
      .where({ document_id: sent.documentId })
      .update({ created_at: env.db.raw(`now() - interval '25 hours'`) });
    const later = await gauge();
    expect(value(later, { partner: 'acme', state: 'overdue' })).toBe(1);
    expect(value(later, { partner: 'acme', state: 'pending' })).toBe(0);
  });

  it('shows documents, jobs, the outbox lag, deliveries and their attempts as Postgres has them', async () => {
    const docs = { protocol: 'json', type: 'order', direction: 'in', status: 'accepted' };
    const before = await scrape();
    const order = await request(app)
      .post('/api/v1/orders')
      .set(auth(erpKey))
      .set('Idempotency-Key', 'metrics-json-1')
      .send({
        buyerOrderNumber: 'PO-METRICS-JSON',
        currency: 'USD',
        lines: [
          {
            lineNumber: 1,
            supplierPartId: 'PEN-BLU-12',
            quantity: '2',
            unitPrice: '4.50',
            unitOfMeasure: 'BX',
          },
        ],
      })
      .expect(201);
    const afterOrder = await scrape();
    expect(value(afterOrder.get('gateway_documents_last_hour'), docs)).toBe(
      value(before.get('gateway_documents_last_hour'), docs) + 1,
    );
    // No worker runs yet: the order's approval job waits in the outbox.
    expect(
      value(afterOrder.get('gateway_jobs'), { job: 'approvals.evaluate', state: 'waiting' }),
    ).toBeGreaterThanOrEqual(1);
    expect(value(afterOrder.get('gateway_outbox_lag_seconds'), {})).toBeGreaterThanOrEqual(0);

    // The buyer's endpoint refuses connections: the confirmation's first attempt fails.
    const closed = await freePort();
    const base = examplePartner();
    await upsertPartner(env.db, {
      ...base,
      outboundFormats: ['cxml'],
      cxml: { ...base.cxml!, outboundUrl: `http://127.0.0.1:${closed}/cxml` },
    });
    await request(app)
      .post(`/api/v1/orders/${order.body.orderId}/confirm`)
      .set(auth(ADMIN_TOKEN))
      .send({})
      .expect(200);
    await env.ctx.queue.start({ workers: true, relay: true });
    await waitFor(
      async () => Number((await env.db('delivery_attempts').count({ c: '*' }))[0]?.c ?? 0) >= 1,
      15000,
      'a failed attempt',
    );
    const later = await scrape();
    expect(
      value(later.get('gateway_delivery_attempts_last_hour'), { result: 'error' }),
    ).toBeGreaterThanOrEqual(1);
    expect(value(later.get('gateway_deliveries'), { state: 'retrying', transport: 'http' })).toBe(1);
    const out = { protocol: 'cxml', type: 'ConfirmationRequest', direction: 'out' };
    const confirmations = later
      .get('gateway_documents_last_hour')
      ?.metrics.filter((m) => Object.entries(out).every(([k, v]) => m.labels?.[k] === v));
    expect(confirmations?.length).toBe(1);
  });
});
