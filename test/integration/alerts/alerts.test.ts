/**
 * Alerts against a real SMTP server and a webhook receiver started here: each rule opens one alert
 * per incident, notified once by e-mail and once by webhook however often the rules run, resolved
 * when its condition ends; the console lists them to operators and not to finance users.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../../src/app';
import { evaluateAlerts } from '../../../src/alerts/evaluate';
import { flushRefusals } from '../../../src/alerts/refusals';
import { createUser } from '../../../src/console/users';
import { resendDelivery } from '../../../src/delivery/service';
import { storeDocument } from '../../../src/documents/store';
import { freePort } from '../../helpers/gateway-process';
import { ADMIN_TOKEN, auth, createTestEnv, waitFor, type TestEnv } from '../../helpers/env';
import { insertConfirmedOrder } from '../../helpers/orders';
import { consoleSignIn, csrfOf } from '../../helpers/pages';
import { seedPartner } from '../../helpers/partners';
import { startSmtp } from '../approvals/helpers';

const SECRET = 'alert-webhook-secret-0123';
const PW = 'correct horse battery staple';

interface Hook {
  body: string;
  signature: string | undefined;
}

let env: TestEnv;
let app: Express;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let hookServer: Server;
const hooks: Hook[] = [];
let hookStatus = 200;

beforeAll(async () => {
  smtp = await startSmtp();
  hookServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (hookStatus !== 200) {
        res.writeHead(hookStatus).end('not now');
        return;
      }
      hooks.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: req.headers['x-gateway-signature'] as string,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', () => r()));
  env = await createTestEnv({
    env: {
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      ALERT_EMAIL_TO: 'ops@supplier.example, oncall@supplier.example',
      ALERT_WEBHOOK_URL: `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/alerts`,
      ALERT_WEBHOOK_SECRET: SECRET,
      ALERT_REFUSAL_SPIKE: '5',
      DELIVERY_RETRY_BASE_MS: '20',
      DELIVERY_TIMEOUT_MS: '1000',
    },
  });
  app = createApp(env.ctx);
  await seedPartner(env.db);
  const opts = { actor: { label: 'test' }, now: new Date() };
  await createUser(env.db, { username: 'op', roles: ['operator'] }, PW, opts);
  await createUser(env.db, { username: 'fin', roles: ['finance'] }, PW, opts);
});

afterAll(async () => {
  await env?.close();
  await smtp?.close();
  await new Promise((r) => hookServer?.close(r));
});

const alertsOf = (rule: string) => env.db('alerts').where({ rule }).orderBy('opened_at');
/** Waits until no alert notification is left in the outbox (sent or failed for good). */
const notified = () =>
  waitFor(
    async () =>
      (
        await env
          .db('outbox')
          .where({ job_name: 'alerts.notify' })
          .whereNull('completed_at')
          .whereNull('failed_at')
      ).length === 0,
    20000,
    'alert notifications sent',
  );
const hooksFor = (rule: string) =>
  hooks
    .map((h) => JSON.parse(h.body) as { alert: { rule: string; key: string } })
    .filter((h) => h.alert.rule === rule);
const mailsFor = (summaryPart: string) => smtp.mails.filter((m) => m.raw.includes(summaryPart));

async function pointTo(url: string): Promise<void> {
  await env
    .db('partners')
    .where({ id: 'acme' })
    .update({ settings: env.db.raw(`jsonb_set(settings, '{cxml,outboundUrl}', to_jsonb(?::text))`, [url]) });
}

it('deliveries failing against a closed port: one alert for failures in a row, one for the dead letter, each mailed and posted once', async () => {
  const port = await freePort();
  await pointTo(`http://127.0.0.1:${port}/cxml`);
  const order = await insertConfirmedOrder(env.db, {
    partnerId: 'acme',
    lines: [{ quantity: '1', unitPrice: '5' }],
  });
  const res = await request(app).post(`/api/v1/orders/${order.id}/invoices`).set(auth(ADMIN_TOKEN)).send({});
  expect(res.status).toBe(201);
  await waitFor(
    async () => (await env.db('deliveries').where({ partner_id: 'acme', status: 'failed' })).length === 1,
    20000,
    'dead letter',
  );
  for (let i = 0; i < 3; i++) await evaluateAlerts(env.ctx);
  await notified();
  const failing = await alertsOf('delivery_failing');
  expect(failing).toHaveLength(1);
  expect(failing[0]).toMatchObject({ key: 'acme', partner_id: 'acme', resolved_at: null });
  expect(failing[0].summary).toMatch(
    /failed 3 times in a row: .*ECONNREFUSED|failed 3 times in a row: .*connect/i,
  );
  expect(await alertsOf('dead_letter')).toHaveLength(1);
  expect(hooksFor('delivery_failing')).toHaveLength(1);
  expect(hooksFor('dead_letter')).toHaveLength(1);
  const mails = mailsFor('failed 3 times in a row');
  expect(mails).toHaveLength(1);
  expect(mails[0]!.to.sort()).toEqual(['ops@supplier.example', 'oncall@supplier.example'].sort());
  expect(mails[0]!.raw).toContain(`/console/alerts/${failing[0].id as string}`);
  // Each webhook is signed over its timestamp and body.
  for (const h of hooks) {
    const m = /^t=(\d+),sha256=([0-9a-f]{64})$/.exec(h.signature ?? '');
    expect(m).not.toBeNull();
    expect(createHmac('sha256', SECRET).update(`${m![1]}.${h.body}`).digest('hex')).toBe(m![2]);
  }

  // The endpoint back up, the dead letter is sent again and delivered; both incidents end.
  const buyer = createServer((_req, r) =>
    r
      .writeHead(200, { 'content-type': 'text/xml' })
      .end(
        '<?xml version="1.0"?><cXML payloadID="x" timestamp="2026-01-01T00:00:00Z"><Response><Status code="200" text="OK"/></Response></cXML>',
      ),
  );
  // The buyer's endpoint is back up on its port.
  await new Promise<void>((r) => buyer.listen(port, '127.0.0.1', () => r()));
  try {
    // resendDelivery: what the deliveries API and console call.
    const [dead] = await env.db('deliveries').where({ partner_id: 'acme', status: 'failed' });
    await resendDelivery(env.db, dead.id as string);
    await waitFor(
      async () =>
        (await env.db('deliveries').where({ partner_id: 'acme', status: 'delivered' })).length === 1,
      20000,
      'delivered after the fix',
    );
  } finally {
    await new Promise((r) => buyer.close(r));
  }
  const { resolved } = await evaluateAlerts(env.ctx);
  expect(resolved).toBe(2);
  expect((await alertsOf('delivery_failing'))[0].resolved_at).not.toBeNull();
  expect((await alertsOf('dead_letter'))[0].resolved_at).not.toBeNull();
});

it('a spike of refused credentials is one alert while it lasts, with the count per surface', async () => {
  for (let i = 0; i < 5; i++)
    expect(
      (
        await request(app)
          .get('/api/v1/orders')
          .set(auth(`wrong-token-${i}`))
      ).status,
    ).toBe(401);
  await flushRefusals(env.db);
  await evaluateAlerts(env.ctx);
  for (let i = 0; i < 3; i++) await request(app).get('/api/v1/orders').set(auth('wrong-again'));
  await evaluateAlerts(env.ctx);
  await notified();
  const spikes = await alertsOf('refusal_spike');
  expect(spikes).toHaveLength(1);
  expect(spikes[0].details).toMatchObject({ total: 8, bySurface: { api: 8 } });
  expect(hooksFor('refusal_spike')).toHaveLength(1);
  expect(mailsFor('refused authentications')).toHaveLength(1);
  // Ten minutes on, the window holds none: resolved.
  await evaluateAlerts({ ...env.ctx, now: () => new Date(Date.now() + 11 * 60_000) });
  expect((await alertsOf('refusal_spike'))[0].resolved_at).not.toBeNull();
});

it('an overdue 997 opens an alert that the acknowledgment resolves; a second lapse is a new incident, notified again', async () => {
  const set = async () => {
    const documentId = await storeDocument(env.db, {
      partnerId: 'acme',
      protocol: 'x12',
      docType: '810',
      direction: 'out',
      externalId: null,
      status: 'delivered',
      contentType: 'application/edi-x12',
      content: 'ISA*...~',
    });
    await env.db('x12_outbound_sets').insert({
      document_id: documentId,
      partner_id: 'acme',
      interchange_control: 1,
      group_control: 1,
      functional_id: 'IN',
      set_id: '810',
      set_control: '0001',
      created_at: new Date(Date.now() - 2 * 86_400_000),
    });
    return documentId;
  };
  const first = await set();
  await evaluateAlerts(env.ctx);
  await env.db('x12_outbound_sets').where({ document_id: first }).update({ ack_status: 'accepted' });
  await evaluateAlerts(env.ctx);
  await set();
  await evaluateAlerts(env.ctx);
  await notified();
  const overdue = await alertsOf('ack_overdue');
  expect(overdue).toHaveLength(2);
  expect(overdue[0].resolved_at).not.toBeNull();
  expect(overdue[1].resolved_at).toBeNull();
  expect(hooksFor('ack_overdue')).toHaveLength(2);
});

it('a partner that sends hourly and then nothing for days is silent; certificates ending soon are named', async () => {
  for (let i = 0; i < 6; i++) {
    const id = await storeDocument(env.db, {
      partnerId: 'acme',
      protocol: 'json',
      docType: 'order',
      direction: 'in',
      externalId: null,
      status: 'accepted',
      contentType: 'application/json',
      content: '{}',
    });
    await env
      .db('documents')
      .where({ id })
      .update({ created_at: new Date(Date.now() - (6 - i) * 3_600_000) });
  }
  await evaluateAlerts(env.ctx);
  expect(await alertsOf('partner_silent')).toHaveLength(0);
  await evaluateAlerts({ ...env.ctx, now: () => new Date(Date.now() + 3 * 86_400_000) });
  const silent = await alertsOf('partner_silent');
  expect(silent).toHaveLength(1);
  expect(silent[0].summary).toMatch(/acme sent nothing for \d+ hours \(usually every 1 hours\)/);

  await env.db('as2_certificates').insert({
    partner_id: 'acme',
    fingerprint_sha256: 'ab'.repeat(32),
    der: Buffer.from([0x30, 0x00]),
    subject: 'CN=acme-as2',
    issuer: 'CN=acme-as2',
    serial_number: '01',
    not_before: new Date(Date.now() - 86_400_000),
    not_after: new Date(Date.now() + 10 * 86_400_000),
  });
  await evaluateAlerts(env.ctx);
  await notified();
  const certs = await alertsOf('certificate_ending');
  expect(certs).toHaveLength(1);
  expect(certs[0].summary).toContain("partner acme's AS2 certificate CN=acme-as2");
  expect(hooksFor('certificate_ending')).toHaveLength(1);
});

it('a webhook that fails is retried and the failure shown until it succeeds; the e-mail is not sent twice', async () => {
  hookStatus = 500;
  const mailsBefore = smtp.mails.length;
  await env.db('deliveries').insert({
    id: randomUUID(),
    document_id: (await env.db('documents').first('id')).id,
    partner_id: 'acme',
    transport: 'https',
    url: 'http://127.0.0.1:9/',
    status: 'rejected',
  });
  await evaluateAlerts(env.ctx);
  const [a] = await env.db('alerts').where({ rule: 'dead_letter' }).whereNull('resolved_at');
  await waitFor(
    async () => (await env.db('alerts').where({ id: a.id }).first()).notify_error,
    10000,
    'error kept',
  );
  expect((await env.db('alerts').where({ id: a.id }).first()).notify_error).toContain(
    'alert webhook answered 500',
  );
  hookStatus = 200;
  await waitFor(
    async () => (await env.db('alerts').where({ id: a.id }).first()).webhook_at,
    30000,
    'webhook sent',
  );
  const row = await env.db('alerts').where({ id: a.id }).first();
  expect(row.notify_error).toBeNull();
  expect(smtp.mails.length - mailsBefore).toBe(1);
});

it('the console shows the alerts to operators, evaluates on request (CSRF), and refuses finance users', async () => {
  const op = await consoleSignIn(app, 'op', PW);
  const list = await request(app).get('/console/alerts?state=open').set('Cookie', op.cookie);
  expect(list.status).toBe(200);
  expect(list.text).toContain('Certificate ending');
  expect(list.text).toContain('data-rule="certificate_ending"');
  expect(list.text).not.toContain('data-state="resolved"');
  const id = (await alertsOf('certificate_ending'))[0].id as string;
  const one = await request(app).get(`/console/alerts/${id}`).set('Cookie', op.cookie);
  expect(one.status).toBe(200);
  expect(one.text).toContain('CN=acme-as2');
  const noCsrf = await request(app)
    .post('/console/alerts/evaluate')
    .set('Cookie', op.cookie)
    .type('form')
    .send({});
  expect(noCsrf.status).toBe(403);
  const ok = await request(app)
    .post('/console/alerts/evaluate')
    .set('Cookie', op.cookie)
    .type('form')
    .send({ csrf: csrfOf(list.text) });
  expect(ok.status).toBe(303);
  const audit = await env.db('audit_log').where({ action: 'alerts.evaluate' });
  expect(audit).toHaveLength(1);
  expect(audit[0].actor).toBe('user:op');
  const metrics = await request(app).get('/metrics').set(auth(ADMIN_TOKEN));
  expect(metrics.text).toMatch(/^gateway_alerts_open\{rule="certificate_ending"\} 1$/m);
  const fin = await consoleSignIn(app, 'fin', PW);
  expect((await request(app).get('/console/alerts').set('Cookie', fin.cookie)).status).toBe(403);
});
