/**
 * The console's Queues screen (issue 15 pt 2) on both queue adapters: counts per job name and
 * state, a failed job's error and payload, and retrying it (CSRF, audited) until it succeeds; only
 * admins and operators open it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../../src/app';
import { createUser } from '../../../src/console/users';
import { deliveryJob, queueDelivery } from '../../../src/delivery/service';
import { enqueueInTx } from '../../../src/platform/outbox';
import { storeDocument } from '../../../src/documents/store';
import { createTestEnv, REDIS_URL, waitFor, type TestEnv } from '../../helpers/env';
import { consoleSignIn, csrfOf } from '../../helpers/pages';
import { seedPartner } from '../../helpers/partners';

jest.setTimeout(90000);

const PW = 'a-long-password-1';

describe.each([
  ['inline', false],
  ['bullmq', true],
])('Queues screen on the %s adapter', (kind, redis) => {
  let env: TestEnv;
  let app: Express;
  let buyer: Server;
  let port: number;
  let op: string;
  let fin: string;

  beforeAll(async () => {
    buyer = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'text/xml' });
        res.end('<cXML><Response><Status code="200" text="OK"/></Response></cXML>');
      });
    });
    await new Promise<void>((r) => buyer.listen(0, '127.0.0.1', r));
    port = (buyer.address() as AddressInfo).port;
    env = await createTestEnv({ redis, env: { DELIVERY_MAX_ATTEMPTS: '1' } });
    app = createApp(env.ctx);
    await seedPartner(env.db);
    const opts = { actor: { label: 'test' }, now: new Date() };
    await createUser(env.db, { username: 'op', roles: ['operator'] }, PW, opts);
    await createUser(env.db, { username: 'fin', roles: ['finance'] }, PW, opts);
    op = (await consoleSignIn(app, 'op', PW)).cookie;
    fin = (await consoleSignIn(app, 'fin', PW)).cookie;
  });
  afterAll(async () => {
    await env?.close();
    await new Promise((r) => buyer?.close(r));
  });

  it('shows a failed delivery job with its error and payload, and a retry runs it again until it is delivered', async () => {
    const { deliveryId } = await env.db.transaction(async (trx) => {
      const documentId = await storeDocument(trx, {
        partnerId: 'acme',
        protocol: 'cxml',
        docType: 'ConfirmationRequest',
        direction: 'out',
        externalId: `queues-${kind}@supplier`,
        status: 'queued',
        contentType: 'text/xml',
        content: '<cXML/>',
      });
      // A closed port: the one attempt fails.
      return {
        deliveryId: await queueDelivery(trx, { partnerId: 'acme', documentId, url: 'http://127.0.0.1:9/x' }),
      };
    });
    env.ctx.queue.nudge();
    const failed = await waitFor(
      async () => (await env.ctx.queue.listFailed()).find((j) => JSON.stringify(j.data).includes(deliveryId)),
      20000,
      'the failed job',
    );
    if (redis) {
      // The outbox records the failure from BullMQ's failed event, a moment before Redis has moved
      // the job to its failed set; a retry in between is handed back through the outbox instead.
      const q = new Queue('gateway', { connection: { url: REDIS_URL }, prefix: env.config.QUEUE_PREFIX });
      await waitFor(async () => (await q.getJobState(failed.id)) === 'failed', 10000, 'failed in Redis');
      await q.close();
    }
    const res = await request(app).get('/console/queues').set('Cookie', op).expect(200);
    expect(res.text).toContain(kind === 'bullmq' ? 'BullMQ on Redis' : 'In-process queue');
    const row = /<tr data-job="delivery.send">([\s\S]*?)<\/tr>/.exec(res.text)?.[1] ?? '';
    expect(row).toMatch(/data-state="failed">1</);
    expect(res.text).toContain(`data-failed="${failed.id}"`);
    expect(res.text).toContain(failed.error.slice(0, 20).replace(/"/g, '&quot;'));
    expect(res.text).toContain(deliveryId); // the payload

    // The address fixed (and, as a delivery's own retry does, the delivery pending again: the job
    // of a delivery already decided does nothing), the operator retries the job.
    await env
      .db('deliveries')
      .where({ id: deliveryId })
      .update({ url: `http://127.0.0.1:${port}/cxml`, status: 'pending' });
    const refused = await request(app)
      .post(`/console/queues/jobs/${failed.id}/retry`)
      .set('Cookie', op)
      .type('form')
      .send({});
    expect(refused.status).toBe(403); // no CSRF token
    const retry = await request(app)
      .post(`/console/queues/jobs/${failed.id}/retry`)
      .set('Cookie', op)
      .type('form')
      .send({ csrf: csrfOf(res.text) });
    expect(retry.status).toBe(303);
    await waitFor(
      async () => (await env.db('deliveries').where({ id: deliveryId }).first()).status === 'delivered',
      20000,
      'the retried delivery',
    );
    const after = await request(app).get(String(retry.headers.location)).set('Cookie', op).expect(200);
    expect(after.text).not.toContain(`data-failed="${failed.id}"`);
    expect(after.text).toContain('put back for another round of attempts');
    const audit = await env.db('audit_log').where({ action: 'job.retry' }).first();
    expect(audit).toMatchObject({ actor: 'user:op', subject: `job:${failed.id}` });
  });

  it('counts jobs per name and state, a job queued for later as delayed', async () => {
    await env.db.transaction((trx) =>
      enqueueInTx(
        trx,
        deliveryJob,
        { deliveryId: '00000000-0000-4000-8000-000000000000' },
        { delayMs: 600_000 },
      ),
    );
    env.ctx.queue.nudge();
    // BullMQ: Redis holds it as delayed once the relay has handed it over; in-process: the outbox row.
    const delayed = await waitFor(
      async () =>
        (await env.ctx.queue.stateCounts()).find(
          (c) =>
            c.name === 'delivery.send' && c.state === 'delayed' && c.source === (redis ? 'redis' : 'outbox'),
        ),
      10000,
      'the delayed job counted',
    );
    expect(delayed.count).toBe(1);
    const page = await request(app).get('/console/queues').set('Cookie', op).expect(200);
    expect(page.text).toMatch(/data-state="delayed">1</);
    const counts = await env.ctx.queue.stateCounts();
    const failedOrDone = counts.filter(
      (c) => c.name === 'delivery.send' && ['completed', 'failed'].includes(c.state),
    );
    expect(failedOrDone.reduce((a, c) => a + c.count, 0)).toBeGreaterThanOrEqual(1);
    expect(counts.every((c) => c.count > 0)).toBe(true);
  });

  it('a retry of an unknown job is a 404 page; finance users get 403', async () => {
    const page = await request(app).get('/console/queues').set('Cookie', op);
    const res = await request(app)
      .post('/console/queues/jobs/ob-999999/retry')
      .set('Cookie', op)
      .type('form')
      .send({ csrf: csrfOf(page.text) });
    expect(res.status).toBe(404);
    expect((await request(app).get('/console/queues').set('Cookie', fin)).status).toBe(403);
    const f = await request(app)
      .post('/console/queues/jobs/ob-1/retry')
      .set('Cookie', fin)
      .type('form')
      .send({ csrf: csrfOf(page.text) });
    expect(f.status).toBe(403);
  });
});
