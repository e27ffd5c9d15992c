/**
 * The console's Documents screen (issue 15 pt 2) through HTTP: the search by every filter (GET, a
 * shareable URL), the document page with credentials masked and markup escaped, the download,
 * replay of an inbound document through the same intake (idempotent: the stored answer, nothing
 * created; CSRF and a reason required; audited), resend of an outbound one through the delivery
 * path, and who may open it (admins and operators; finance gets 403).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createUser } from '../../../src/console/users';
import { storeDocument } from '../../../src/documents/store';
import { waitFor } from '../../helpers/env';
import { consoleSignIn, csrfOf } from '../../helpers/pages';
import { orderRequestXml, postCxml, SECRET, setupOrders, statusOf, type OrdersEnv } from '../orders/helpers';

jest.setTimeout(90000);

let t: OrdersEnv;
let buyer: Server;
const received: string[] = [];
const PW = 'a-long-password-1';
let op: string;
let fin: string;
let orderDocId: string;
let jsonDocId: string;
let supplierNumber: string;

const page = (path: string, cookie = op) => request(t.app).get(path).set('Cookie', cookie);
const idsOf = (html: string) => [...html.matchAll(/data-document="([^"]+)"/g)].map((m) => m[1]);

beforeAll(async () => {
  buyer = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push(body);
      res.writeHead(200, { 'Content-Type': 'text/xml' });
      res.end('<cXML><Response><Status code="200" text="OK"/></Response></cXML>');
    });
  });
  await new Promise<void>((r) => buyer.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(buyer.address() as AddressInfo).port}/cxml`;
  t = await setupOrders({ start: true, cxml: { outboundUrl: url } });
  const opts = { actor: { label: 'test' }, now: new Date() };
  await createUser(t.env.db, { username: 'op', roles: ['operator'] }, PW, opts);
  await createUser(t.env.db, { username: 'fin', roles: ['finance'] }, PW, opts);
  op = (await consoleSignIn(t.app, 'op', PW)).cookie;
  fin = (await consoleSignIn(t.app, 'fin', PW)).cookie;

  const res = await postCxml(
    t.app,
    orderRequestXml({ payloadId: 'pl-console-A@buyer', orderId: 'PO-CONSOLE-A' }),
  );
  expect(statusOf(res.text).code).toBe(200);
  const doc = await t.env.db('documents').where({ external_id: 'pl-console-A@buyer' }).first();
  orderDocId = doc.id;
  supplierNumber = (await t.env.db('orders').where({ id: doc.order_id }).first()).supplier_order_number;
  const json = await request(t.app)
    .post('/api/v1/orders')
    .set({ Authorization: `Bearer ${t.erpKey}`, 'Idempotency-Key': 'json-console-1' })
    .send({
      buyerOrderNumber: 'PO-CONSOLE-J',
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
  expect([200, 201]).toContain(json.status);
  jsonDocId = (await t.env.db('documents').where({ external_id: 'json-console-1' }).first()).id;
  // The confirmation of order A goes out (auto-approved below the limit) and reaches the buyer.
  await waitFor(
    async () =>
      t.env.db('documents').where({ order_id: doc.order_id, direction: 'out', status: 'delivered' }).first(),
    20000,
    'the confirmation delivered',
  );
});
afterAll(async () => {
  await t?.env.close();
  await new Promise((r) => buyer?.close(r));
});

describe('search', () => {
  it('each filter narrows the list, and the URL carries it', async () => {
    const all = idsOf((await page('/console/documents').expect(200)).text);
    expect(all).toEqual(expect.arrayContaining([orderDocId, jsonDocId]));
    const only = async (q: string) => idsOf((await page(`/console/documents?${q}`).expect(200)).text);
    expect(await only('externalId=pl-console-A%40buyer')).toEqual([orderDocId]);
    expect(await only('protocol=json')).toEqual([jsonDocId]);
    expect(await only('type=order')).toEqual([jsonDocId]);
    expect(await only('type=OrderRequest')).toEqual([orderDocId]);
    expect(await only('partner=acme&direction=in&status=accepted')).toEqual(
      expect.arrayContaining([orderDocId, jsonDocId]),
    );
    expect(await only('partner=nobody')).toEqual([]);
    const out = await only('direction=out');
    expect(out.length).toBeGreaterThan(0);
    expect(out).not.toContain(orderDocId);
    // Buyer PO and supplier order number: the order's documents, inbound and outbound.
    const byPo = await only('po=PO-CONSOLE-A');
    expect(byPo).toContain(orderDocId);
    expect(byPo.length).toBeGreaterThan(1);
    expect(await only(`orderNumber=${supplierNumber}`)).toEqual(byPo);
    expect(await only('po=PO-CONSOLE-J')).toEqual([jsonDocId]);
    // Date range: today holds them, yesterday nothing.
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86400_000).toISOString().slice(0, 10);
    expect(await only(`from=${today}&to=${today}&externalId=pl-console-A%40buyer`)).toEqual([orderDocId]);
    expect(await only(`to=${yesterday}`)).toEqual([]);
    // Sorted: oldest first reverses newest first; paged: one per page, with links to the next.
    expect(await only('sort=oldest')).toEqual([...all].reverse());
    const first = await page('/console/documents?limit=1').expect(200);
    expect(idsOf(first.text)).toEqual([all[0]]);
    expect(first.text).toContain('href="/console/documents?offset=1&amp;limit=1"');
    expect(idsOf((await page('/console/documents?limit=1&offset=1')).text)).toEqual([all[1]]);
  });

  it('an invalid filter is a 400 page', async () => {
    const res = await page('/console/documents?direction=sideways&from=yesterday');
    expect(res.status).toBe(400);
    expect(res.text).toContain('direction, from');
  });
});

describe('request ids', () => {
  it('a document names the request that stored it (its X-Request-Id), or the job; shown and searchable', async () => {
    const res = await request(t.app)
      .post('/cxml')
      .set({ 'Content-Type': 'text/xml', 'X-Request-Id': 'req-docs-1' })
      .send(orderRequestXml({ payloadId: 'pl-console-R@buyer', orderId: 'PO-CONSOLE-R' }));
    expect(statusOf(res.text).code).toBe(200);
    expect(res.headers['x-request-id']).toBe('req-docs-1');
    const doc = await t.env
      .db<{ id: string; external_id: string; request_id: string | null; order_id: string }>('documents')
      .where({ external_id: 'pl-console-R@buyer' })
      .first();
    expect(doc?.request_id).toBe('req-docs-1');
    // The JSON order of beforeAll was stored under the id the gateway gave its request.
    const json = await t.env
      .db<{ id: string; request_id: string | null }>('documents')
      .where({ id: jsonDocId })
      .first();
    expect(json?.request_id).toMatch(/^[0-9a-f-]{36}$/);
    const shown = await page(`/console/documents/${doc?.id}`).expect(200);
    expect(shown.text).toMatch(/id="request-id">.*<code>req-docs-1<\/code>/s);
    const found = await page('/console/documents?requestId=req-docs-1').expect(200);
    expect(idsOf(found.text)).toEqual([doc?.id]);
    expect(found.text).toContain('class="request-id"');
    expect(idsOf((await page('/console/documents?requestId=nothing-like-it')).text)).toEqual([]);
    // What a job stored (order A's confirmation, sent from the outbox: beforeAll waited for it)
    // names the job run, ob-<outbox id>.
    const a = await t.env.db<{ id: string; order_id: string }>('documents').where({ id: orderDocId }).first();
    const outbound = await t.env
      .db<{ id: string; order_id: string; direction: string; request_id: string | null }>('documents')
      .where({ order_id: a?.order_id ?? '', direction: 'out' });
    expect(outbound.length).toBeGreaterThan(0);
    for (const o of outbound) {
      expect(o.request_id).toMatch(/^ob-\d+$/);
      const job = await t.env
        .db<{ id: number; job_name: string }>('outbox')
        .where({ id: Number(o.request_id?.slice(3)) })
        .first();
      expect(job?.job_name).toBeDefined();
    }
  });
});

describe('document page', () => {
  it('shows the summary, the bytes highlighted with the SharedSecret masked, the answer, the order and deliveries', async () => {
    const res = await page(`/console/documents/${orderDocId}`).expect(200);
    expect(res.text).not.toContain(SECRET);
    expect(res.text).toMatch(/<span class="mask">\*{14}<\/span>/); // change-me-acme: 14 bytes
    expect(res.text).toContain('<span class="tag">&lt;OrderRequestHeader</span>');
    expect(res.text).toContain('id="answer"');
    expect(res.text).toContain(`href="/console/documents?order=`);
    expect(res.text).toContain('Order PO-CONSOLE-A');
    expect(res.text).toContain('id="replay"');
    const download = await page(`/console/documents/${orderDocId}/raw`).expect(200);
    expect(download.headers['content-type']).toBe('application/octet-stream');
    expect(download.headers['content-disposition']).toContain('attachment');
    const bytes = Buffer.from(download.body as Buffer).toString('utf8');
    expect(bytes).toContain('<SharedSecret>**************</SharedSecret>');
    expect(bytes).not.toContain(SECRET);
    // The outbound confirmation: its delivery and attempt, and a resend form instead of replay.
    const out = (
      await t.env.db('documents').where({ direction: 'out', doc_type: 'ConfirmationRequest' }).first()
    ).id;
    const o = await page(`/console/documents/${out}`).expect(200);
    expect(o.text).toContain('id="deliveries"');
    expect(o.text).toMatch(/#1 .* 200 /);
    expect(o.text).toContain('id="resend"');
    expect(o.text).not.toContain('id="replay"');
  });

  it('masks an OCI password and escapes markup a sender put in a document', async () => {
    const oci = await storeDocument(t.env.db, {
      partnerId: 'acme',
      protocol: 'oci',
      docType: 'OCILogin',
      direction: 'in',
      status: 'refused',
      contentType: 'application/x-www-form-urlencoded',
      content: 'username=acme-buyer&password=hunter2-secret&HOOK_URL=%3Cscript%3E',
    });
    const res = await page(`/console/documents/${oci}`).expect(200);
    expect(res.text).not.toContain('hunter2-secret');
    const evil = await storeDocument(t.env.db, {
      partnerId: 'acme',
      protocol: 'cxml',
      docType: 'unknown',
      direction: 'in',
      status: 'refused',
      contentType: 'text/xml',
      content: '<cXML><x a="1"><script>alert(1)</script></x><img src=x onerror=alert(2)></cXML>',
    });
    const e = await page(`/console/documents/${evil}`).expect(200);
    expect(e.text).not.toContain('<script>alert');
    expect(e.text).not.toContain('<img src=x');
    expect(e.text).toContain('<span class="tag">&lt;script</span>');
  });

  it('an unknown document is a 404 page', async () => {
    await page('/console/documents/00000000-0000-4000-8000-000000000000').expect(404);
    await page('/console/documents/not-a-uuid').expect(404);
  });
});

describe('replay', () => {
  const counts = async () => ({
    orders: Number((await t.env.db('orders').count({ n: '*' }))[0]!.n),
    documents: Number((await t.env.db('documents').where({ direction: 'in' }).count({ n: '*' }))[0]!.n),
  });

  it('replays an accepted cXML order through the intake: the stored answer again, nothing created, audited with the reason', async () => {
    const before = await counts();
    const stored = await t.env.db('documents').where({ id: orderDocId }).first();
    const form = await page(`/console/documents/${orderDocId}`);
    const res = await request(t.app)
      .post(`/console/documents/${orderDocId}/replay`)
      .set('Cookie', op)
      .type('form')
      .send({ csrf: csrfOf(form.text), reason: 'buyer says no answer came' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('this is its stored answer, given again; nothing was created');
    const answer = Buffer.from(stored.response_body).toString('utf8');
    expect(res.text).toContain(statusOf(answer).message.split(' ')[0]);
    expect(res.text).toContain('PO-CONSOLE-A');
    expect(await counts()).toEqual(before);
    const audit = await t.env
      .db('audit_log')
      .where({ action: 'document.replay' })
      .orderBy('id', 'desc')
      .first();
    expect(audit.actor).toBe('user:op');
    expect(audit.subject).toBe(`document:${orderDocId}`);
    expect(JSON.stringify(audit.after)).toContain('buyer says no answer came');
    expect(JSON.stringify(audit.after)).toContain('"idempotent":true');
  });

  it('replays a JSON order under its Idempotency-Key: the stored answer, nothing created', async () => {
    const before = await counts();
    const form = await page(`/console/documents/${jsonDocId}`);
    const res = await request(t.app)
      .post(`/console/documents/${jsonDocId}/replay`)
      .set('Cookie', op)
      .type('form')
      .send({ csrf: csrfOf(form.text), reason: 'check' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('nothing was created');
    expect(res.text).toContain('HTTP 201');
    expect(await counts()).toEqual(before);
  });

  it('replays an X12 interchange (its ISA02 password masked) under its control number: the stored 997, nothing created', async () => {
    const isa = (isa13: string) =>
      [
        `ISA*01*SECRETPW01*00*          *ZZ*${'ACMEBUYER'.padEnd(15, ' ')}*ZZ*SUPPLIERDEMO   *261120*1200*U*00401*${isa13}*0*P*>`,
        'GS*PO*ACMEBUYER*SUPPLIERDEMO*20261120*1200*78*X*004010',
        'ST*850*0001',
        'BEG*00*SA*PO-CONSOLE-X**20261120',
        'CUR*BY*USD',
        'N1*ST*Acme Receiving*92*DOCK-1',
        'N3*1 Main St',
        'N4*Springfield*IL*62701*US',
        'PO1*1*2*BX*4.50**VP*PEN-BLU-12',
        'CTT*1',
        'SE*9*0001',
        'GE*1*78',
        `IEA*1*${isa13}`,
      ]
        .map((x) => `${x}~\n`)
        .join('');
    const posted = await request(t.app)
      .post('/edi/x12')
      .set({ Authorization: `Bearer ${t.erpKey}`, 'Content-Type': 'application/edi-x12' })
      .send(Buffer.from(isa('000000901')));
    expect(posted.status).toBe(200);
    const doc = await t.env.db('documents').where({ protocol: 'x12', direction: 'in' }).first();
    expect(doc).toBeDefined();
    const before = await counts();
    const form = await page(`/console/documents/${doc.id}`);
    expect(form.text).not.toContain('SECRETPW01');
    const res = await request(t.app)
      .post(`/console/documents/${doc.id}/replay`)
      .set('Cookie', op)
      .type('form')
      .send({ csrf: csrfOf(form.text), reason: 'partner asks for the 997 again' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('nothing was created');
    expect(res.text).toContain('<span class="seg">ST</span>');
    expect(res.text).toContain('997');
    expect(await counts()).toEqual(before);
  });

  it('refuses a replay without a reason (400) or without the CSRF token (403), and changes nothing', async () => {
    const before = await t.env.db('audit_log').where({ action: 'document.replay' }).count({ n: '*' });
    const form = await page(`/console/documents/${orderDocId}`);
    const noReason = await request(t.app)
      .post(`/console/documents/${orderDocId}/replay`)
      .set('Cookie', op)
      .type('form')
      .send({ csrf: csrfOf(form.text), reason: '  ' });
    expect(noReason.status).toBe(400);
    const noCsrf = await request(t.app)
      .post(`/console/documents/${orderDocId}/replay`)
      .set('Cookie', op)
      .type('form')
      .send({ reason: 'x' });
    expect(noCsrf.status).toBe(403);
    expect(await t.env.db('audit_log').where({ action: 'document.replay' }).count({ n: '*' })).toEqual(
      before,
    );
  });

  it('refuses to replay a document whose credentials were refused (a wrong SharedSecret)', async () => {
    const xml = orderRequestXml({ payloadId: 'pl-console-bad@buyer', orderId: 'PO-CONSOLE-BAD' }).replace(
      `<SharedSecret>${SECRET}</SharedSecret>`,
      '<SharedSecret>guessed-secret</SharedSecret>',
    );
    expect(statusOf((await postCxml(t.app, xml)).text).code).toBe(401);
    const refused = await t.env
      .db('documents')
      .where({ status: 'refused', doc_type: 'OrderRequest' })
      .first();
    expect(refused.partner_id).toBeNull(); // the endpoint does not name a partner it did not authenticate
    // Had a refusal of credentials been stored under its partner, its answer still forbids a replay.
    const stored = await storeDocument(
      t.env.db,
      {
        partnerId: 'acme',
        protocol: 'cxml',
        docType: 'OrderRequest',
        direction: 'in',
        status: 'refused',
        contentType: 'text/xml',
        content: xml,
      },
      { status: 401, contentType: 'text/xml', body: '<cXML/>' },
    );
    const replay = async (id: string) => {
      const form = await page(`/console/documents/${id}`);
      return request(t.app)
        .post(`/console/documents/${id}/replay`)
        .set('Cookie', op)
        .type('form')
        .send({ csrf: csrfOf(form.text), reason: 'try it' });
    };
    const noPartner = await replay(refused.id);
    expect(noPartner.status).toBe(409);
    expect(noPartner.text).toContain('no partner to replay it as');
    const res = await replay(stored);
    expect(res.status).toBe(409);
    expect(res.text).toContain('refused at authentication');
    expect(await t.env.db('orders').where({ buyer_order_number: 'PO-CONSOLE-BAD' }).first()).toBeUndefined();
  });
});

describe('resend', () => {
  it('queues a new delivery of a stored outbound document through the delivery path, audited', async () => {
    const out = await t.env
      .db('documents')
      .where({ direction: 'out', doc_type: 'ConfirmationRequest' })
      .first();
    const seen = received.filter((b) => b.includes(out.external_id)).length;
    expect(seen).toBeGreaterThan(0);
    const form = await page(`/console/documents/${out.id}`);
    const res = await request(t.app)
      .post(`/console/documents/${out.id}/resend`)
      .set('Cookie', op)
      .type('form')
      .send({ csrf: csrfOf(form.text), reason: 'buyer lost it' });
    expect(res.status).toBe(303);
    await waitFor(
      () => received.filter((b) => b.includes(out.external_id)).length > seen,
      15000,
      'the resent document',
    );
    const deliveries = await t.env.db('deliveries').where({ document_id: out.id }).orderBy('created_at');
    expect(deliveries.length).toBe(2);
    await waitFor(
      async () =>
        (await t.env.db('deliveries').where({ id: deliveries[1].id }).first()).status === 'delivered',
    );
    const audit = await t.env.db('audit_log').where({ action: 'document.resend' }).first();
    expect(audit.actor).toBe('user:op');
    expect(JSON.stringify(audit.after)).toContain(deliveries[1].id);
    const flash = await page(String(res.headers.location));
    expect(flash.text).toContain('Resend queued');
  });

  it('an inbound document is not resent', async () => {
    const form = await page(`/console/documents/${orderDocId}`);
    const res = await request(t.app)
      .post(`/console/documents/${orderDocId}/resend`)
      .set('Cookie', op)
      .type('form')
      .send({ csrf: csrfOf(form.text) });
    expect(res.status).toBe(409);
  });
});

describe('access', () => {
  it('operators open the screen (its tile on the home page); finance gets 403; nobody signed in is sent to sign in', async () => {
    expect((await page('/')).text).toContain('href="/console/documents"');
    expect((await page('/', fin)).text).not.toContain('href="/console/documents"');
    for (const path of [
      '/console/documents',
      `/console/documents/${orderDocId}`,
      `/console/documents/${orderDocId}/raw`,
    ]) {
      expect((await page(path, fin)).status).toBe(403);
      const anon = await request(t.app).get(path);
      expect(anon.status).toBe(303);
      expect(anon.headers.location).toContain('/?next=');
    }
    const form = await page(`/console/documents/${orderDocId}`);
    const res = await request(t.app)
      .post(`/console/documents/${orderDocId}/replay`)
      .set('Cookie', fin)
      .type('form')
      .send({ csrf: csrfOf(form.text), reason: 'x' });
    expect(res.status).toBe(403);
  });
});
