/**
 * The console's Deliveries and Partners screens (issue 15 pt 2) over HTTP, on the in-process queue:
 * a delivery to a closed port shows its error after one attempt; retry now goes to the partner's
 * fixed URL; cancel; dead letters retried in bulk; partner create/edit validated per field as the
 * API validates; secret rotation and API keys shown once; test connection; every action audited
 * and refused without the session's CSRF token; a finance user refused.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createUser } from '../../../src/console/users';
import { deliveryJob } from '../../../src/delivery/service';
import { enqueueInTx } from '../../../src/platform/outbox';
import { formValuesOf } from '../../../src/partners/form';
import { findPartner } from '../../../src/partners/repository';
import { partnerView } from '../../../src/partners/service';
import { auth, waitFor } from '../../helpers/env';
import { consoleSignIn, csrfOf } from '../../helpers/pages';
import { orderRequestXml, postCxml, setupOrders, type OrdersEnv } from '../orders/helpers';

jest.setTimeout(60000);

let t: OrdersEnv;
let receiver: Server;
let receiverUrl: string;
const received: { url: string; body: string }[] = [];
let closedUrl: string;
let op: string;
let fin: string;
const PW = 'operator-password-1';
const opts = () => ({ actor: { label: 'test' }, now: new Date() });

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });

beforeAll(async () => {
  closedUrl = `http://127.0.0.1:${await closedPort()}/cxml`;
  t = await setupOrders({ cxml: { outboundUrl: closedUrl }, env: { DELIVERY_RETRY_BASE_MS: '600000' } });
  receiver = createServer((req, res) => {
    void readBody(req).then((body) => {
      received.push({ url: req.url ?? '', body });
      res.writeHead(200, { 'Content-Type': 'text/xml' });
      res.end(
        '<?xml version="1.0"?><cXML payloadID="r@buyer" timestamp="2026-12-04T00:00:00Z"><Response><Status code="200" text="OK"/></Response></cXML>',
      );
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/inbound`;
  await createUser(t.env.db, { username: 'olga', roles: ['operator'] }, PW, opts());
  await createUser(t.env.db, { username: 'fred', roles: ['finance'] }, PW, opts());
  op = (await consoleSignIn(t.app, 'olga', PW)).cookie;
  fin = (await consoleSignIn(t.app, 'fred', PW)).cookie;
});
afterAll(async () => {
  await new Promise<void>((r) => receiver.close(() => r()));
  await t.env.close();
});

const get = (path: string, cookie = op) => request(t.app).get(path).set('Cookie', cookie);
const post = (path: string, form: Record<string, string>, cookie = op) =>
  request(t.app).post(path).set('Cookie', cookie).type('form').send(form);
const csrf = async () => csrfOf((await get('/console/deliveries')).text);

/** An order whose ConfirmationRequest is delivered to acme's cxml.outboundUrl; its delivery id. */
async function orderDelivery(po: string): Promise<string> {
  await postCxml(t.app, orderRequestXml({ payloadId: `${po}@buyer`, orderId: po })).expect(200);
  const row = await waitFor<{ id: string }>(
    () =>
      t.env
        .db('deliveries as v')
        .join('documents as d', 'd.id', 'v.document_id')
        .join('orders as o', 'o.id', 'd.order_id')
        .where('o.buyer_order_number', po)
        .first('v.id'),
    15000,
    `delivery of ${po}`,
  );
  return row.id;
}

const delivery = (id: string) => t.env.db('deliveries').where({ id }).first();

/** Saves acme through the console form with `changes` (every other field as stored). */
async function editAcme(changes: Record<string, string>, token: string) {
  const row = await findPartner(t.env.db, 'acme');
  return post('/console/partners/acme', { ...formValuesOf(partnerView(row!)), ...changes, csrf: token });
}

it('a delivery to a closed port shows its error after one attempt, with its next attempt time', async () => {
  const id = await orderDelivery('PO-OPS-1');
  await waitFor(async () => (await delivery(id))?.attempts === 1, 15000, 'one attempt');
  const page = await get('/console/deliveries?partner=acme&state=retrying');
  expect(page.status).toBe(200);
  const row = new RegExp(`<tr data-delivery="${id}" data-state="retrying">([\\s\\S]*?)</tr>`).exec(page.text);
  expect(row?.[1]).toContain('ECONNREFUSED');
  expect(row?.[1]).toMatch(/<td class="num">1<\/td>/);
  expect(row?.[1]).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
  expect((await get('/console/deliveries?state=delivered')).text).not.toContain(id);
  const detail = await get(`/console/deliveries/${id}`);
  expect(detail.text).toContain('data-attempt="1"');
  expect(detail.text).toContain(closedUrl);
  expect((await get('/console/deliveries?from=not-a-date')).status).toBe(400);
});

it('an endpoint answering 503 shows its HTTP status and error after one attempt', async () => {
  const busy = createServer((req, res) => {
    req.resume();
    res.writeHead(503, { 'Content-Type': 'text/plain' }).end('busy');
  });
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
  try {
    const token = await csrf();
    await editAcme(
      { 'cxml.outboundUrl': `http://127.0.0.1:${(busy.address() as AddressInfo).port}/` },
      token,
    );
    const id = await orderDelivery('PO-OPS-503');
    await waitFor(async () => (await delivery(id))?.attempts === 1, 15000, 'one attempt');
    const row = new RegExp(`<tr data-delivery="${id}"[^>]*>([\\s\\S]*?)</tr>`).exec(
      (await get('/console/deliveries?partner=acme')).text,
    );
    expect(row?.[1]).toContain('<td class="num">503</td>');
    expect(row?.[1]).toContain('HTTP 503');
    await post(`/console/deliveries/${id}/cancel`, { csrf: token });
    const back = await editAcme({ 'cxml.outboundUrl': closedUrl }, token);
    expect(back.status).toBe(303);
  } finally {
    await new Promise<void>((r) => busy.close(() => r()));
  }
});

it('retry now sends it to the URL fixed in the Partners screen, and both are audited', async () => {
  const id = await orderDelivery('PO-OPS-2');
  await waitFor(async () => (await delivery(id))?.attempts === 1, 15000, 'one attempt');
  const token = await csrf();
  expect((await editAcme({ 'cxml.outboundUrl': receiverUrl }, token)).status).toBe(303);
  const res = await post(`/console/deliveries/${id}/retry`, { csrf: token });
  expect(res.status).toBe(303);
  await waitFor(async () => (await delivery(id))?.status === 'delivered', 15000, 'delivered');
  expect(received.some((r) => r.body.includes('ConfirmationRequest'))).toBe(true);
  const d = await delivery(id);
  expect(d).toMatchObject({ url: receiverUrl, attempts: 2, round: 1 });
  const audit = await t.env
    .db('audit_log')
    .whereIn('action', ['partner.update', 'delivery.retry'])
    .orderBy('id', 'desc');
  expect(audit.map((a) => [a.action, a.actor])).toEqual(
    expect.arrayContaining([
      ['partner.update', 'user:olga'],
      ['delivery.retry', 'user:olga'],
    ]),
  );
  const update = audit.find((a) => a.action === 'partner.update');
  expect(update.after.cxml.outboundUrl).toBe(receiverUrl);
  expect(JSON.stringify(update)).not.toContain('change-me-acme');
  await editAcme({ 'cxml.outboundUrl': closedUrl }, token);
});

it('a job of an earlier round does nothing after a retry; cancel stops a pending delivery', async () => {
  const id = await orderDelivery('PO-OPS-3');
  await waitFor(async () => (await delivery(id))?.attempts === 1, 15000, 'one attempt');
  expect((await post(`/console/deliveries/${id}/retry`, { csrf: await csrf() })).status).toBe(303);
  await waitFor(async () => (await delivery(id))?.attempts === 2, 15000, 'the retry attempt');
  expect(await delivery(id)).toMatchObject({ status: 'pending', round: 1 });
  // The first round's job waking from its backoff (here: queued again now) leaves the delivery alone.
  const stale = await t.env.db.transaction((trx) =>
    enqueueInTx(trx, deliveryJob, { deliveryId: id, round: 0 }),
  );
  t.env.ctx.queue.nudge();
  await waitFor(
    async () => (await t.env.db('outbox').where({ id: stale }).first())?.completed_at,
    15000,
    'the stale job ran',
  );
  expect((await delivery(id)).attempts).toBe(2);
  expect((await post(`/console/deliveries/${id}/cancel`, { csrf: await csrf() })).status).toBe(303);
  expect(await delivery(id)).toMatchObject({ status: 'cancelled', attempts: 2, round: 2 });
  expect((await get(`/console/deliveries/${id}`)).text).toContain('cancelled by user:olga');
  expect(
    await t.env
      .db('audit_log')
      .where({ action: 'delivery.cancel', subject: `delivery:${id}` })
      .first(),
  ).toMatchObject({
    subject: `delivery:${id}`,
    actor: 'user:olga',
  });
});

it("retries a partner's dead letters in bulk once its URL is fixed", async () => {
  t.env.config.DELIVERY_MAX_ATTEMPTS = 1; // each failed attempt is final: a dead letter at once
  try {
    const ids = [await orderDelivery('PO-OPS-4'), await orderDelivery('PO-OPS-5')];
    for (const id of ids)
      await waitFor(async () => (await delivery(id))?.status === 'failed', 15000, 'dead letter');
    const list = await get('/console/deliveries?partner=acme&state=failed');
    for (const id of ids) expect(list.text).toContain(id);
    expect(list.text).toMatch(/Retry [2-9]\d* dead letters of acme/);
    const token = await csrf();
    await editAcme({ 'cxml.outboundUrl': receiverUrl }, token);
    const res = await post('/console/deliveries/retry-dead', { csrf: token, partner: 'acme' });
    expect(res.status).toBe(303);
    for (const id of ids)
      await waitFor(async () => (await delivery(id))?.status === 'delivered', 15000, 'delivered');
    const dead = await request(t.app).get('/api/v1/jobs/failed').set(auth(t.env.config.ADMIN_TOKEN!));
    expect(JSON.stringify(dead.body.jobs)).not.toContain(ids[0]);
    expect(await t.env.db('audit_log').where({ action: 'delivery.retry_dead' }).first()).toMatchObject({
      subject: 'partner:acme',
    });
  } finally {
    t.env.config.DELIVERY_MAX_ATTEMPTS = 3;
  }
});

it('sorts and pages the list, each page keeping the filter in its URL', async () => {
  const all = (await t.env
    .db('deliveries')
    .where({ partner_id: 'acme' })
    .orderBy([{ column: 'created_at' }, { column: 'id' }])) as { id: string }[];
  expect(all.length).toBeGreaterThanOrEqual(4);
  const ids = (html: string) => [...html.matchAll(/<tr data-delivery="([^"]+)"/g)].map((m) => m[1]);
  const first = await get('/console/deliveries?partner=acme&sort=oldest&limit=2');
  expect(first.text).toContain(`Showing 1–2 of ${all.length} deliveries`);
  expect(ids(first.text)).toEqual(all.slice(0, 2).map((d) => d.id));
  expect(first.text).toContain(
    'href="/console/deliveries?partner=acme&amp;sort=oldest&amp;offset=2&amp;limit=2"',
  );
  const second = await get('/console/deliveries?partner=acme&sort=oldest&offset=2&limit=2');
  expect(ids(second.text)).toEqual(all.slice(2, 4).map((d) => d.id));
  const newest = await get('/console/deliveries?partner=acme&limit=1');
  expect(ids(newest.text)).toEqual([all.at(-1)?.id]);
});

it('refuses every delivery action without the session CSRF token, changing nothing', async () => {
  const row = await t.env.db('deliveries').where({ status: 'delivered' }).first('id');
  for (const path of [
    `/console/deliveries/${row.id}/retry`,
    `/console/deliveries/${row.id}/cancel`,
    '/console/deliveries/retry-dead',
    '/console/partners/acme/keys',
    '/console/partners/acme/rotate',
    '/console/partners/acme/test',
    '/console/partners/acme/keys/00000000-0000-4000-8000-000000000000/revoke',
    '/console/partners/acme',
    '/console/partners',
  ]) {
    expect((await post(path, { csrf: 'forged', role: 'erp', which: 'oci.password' })).status).toBe(403);
    expect((await post(path, {})).status).toBe(403);
  }
  expect(await t.env.db('deliveries').where({ id: row.id }).first('status')).toEqual({ status: 'delivered' });
  const refused = [
    'partner.api_key_create',
    'partner.rotate_secret',
    'partner.test_connection',
    'partner.create',
  ];
  expect(await t.env.db('audit_log').whereIn('action', refused).first()).toBeUndefined();
});

it('a finance user cannot open partner settings or deliveries (403)', async () => {
  for (const path of ['/console/partners', '/console/partners/acme', '/console/deliveries']) {
    const res = await get(path, fin);
    expect(res.status).toBe(403);
    expect(res.text).toContain('Your account (fred) may not open this page');
  }
  expect((await get('/', fin)).text).not.toContain('to-partners');
  expect((await get('/', op)).text).toContain('to-partners');
});
