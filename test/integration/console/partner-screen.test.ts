/**
 * The console's Partners screen (issue 15 pt 2) over HTTP: a partner created from the form is the
 * partner the API would create; the API's validation errors come back beside their fields (422);
 * a rotated secret and a new API key are shown once and never again; a revoked key gets 401; the
 * connection test sends a ProfileRequest and shows the answer; each action audited.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../../src/app';
import { createUser } from '../../../src/console/users';
import { verifySecret } from '../../../src/platform/secrets';
import { ADMIN_TOKEN, auth, createTestEnv, type TestEnv } from '../../helpers/env';
import { OpensslLab } from '../../unit/as2/openssl';
import { as2Partner } from '../as2/helpers';
import { consoleSignIn, csrfOf } from '../../helpers/pages';
import { seedPartner } from '../../helpers/partners';

jest.setTimeout(60000);

let env: TestEnv;
let app: Express;
let op: string;
let buyer: Server;
let buyerUrl: string;
const pings: string[] = [];
const PW = 'operator-password-2';

beforeAll(async () => {
  env = await createTestEnv();
  app = createApp(env.ctx);
  buyer = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      pings.push(body);
      res.writeHead(200, { 'Content-Type': 'text/xml' });
      res.end('<cXML><Response><Status code="200" text="OK">profile answered</Status></Response></cXML>');
    });
  });
  await new Promise<void>((r) => buyer.listen(0, '127.0.0.1', () => r()));
  buyerUrl = `http://127.0.0.1:${(buyer.address() as AddressInfo).port}/cxml`;
  await seedPartner(env.db, {});
  await createUser(env.db, { username: 'omar', roles: ['operator'] }, PW, {
    actor: { label: 'test' },
    now: new Date(),
  });
  op = (await consoleSignIn(app, 'omar', PW)).cookie;
});
afterAll(async () => {
  await new Promise<void>((r) => buyer.close(() => r()));
  await env.close();
});

const get = (path: string) => request(app).get(path).set('Cookie', op);
const post = (path: string, form: Record<string, string>) =>
  request(app).post(path).set('Cookie', op).type('form').send(form);
const csrf = async () => csrfOf((await get('/console/partners/new')).text);
const errorOf = (html: string, field: string) =>
  new RegExp(`data-error="${field.replace('.', '\\.')}"[^>]*>([^<]*)<`).exec(html)?.[1];

const beta = {
  id: 'beta',
  name: 'Beta Buying',
  currency: 'EUR',
  'cxml.credentials': '[{"domain": "NetworkID", "identity": "AN-BETA"}]',
  'cxml.sharedSecret': 'beta-secret-123',
  'cxml.outboundUrl': 'https://beta.example/cxml',
  'x12.isaQualifier': 'ZZ',
  'x12.isaId': 'BETA',
  'x12.gsId': 'BETA',
  'invoicing.paymentTermsDays': '45',
  'invoicing.requireShipped': 'true',
  'punchout.frameAncestors': 'https://beta.example\nhttps://srm.beta.example',
};

it('shows the API validation errors beside their fields and saves nothing', async () => {
  const res = await post('/console/partners', {
    ...beta,
    currency: 'euro',
    'cxml.outboundUrl': 'ftp://beta.example',
    'cxml.sharedSecret': '',
    'x12.ackWithinHours': 'soon',
    'invoicing.taxRate': '7.5',
    csrf: await csrf(),
  });
  expect(res.status).toBe(422);
  expect(errorOf(res.text, 'currency')).toContain('ISO 4217');
  expect(errorOf(res.text, 'cxml.outboundUrl')).toBeTruthy();
  expect(errorOf(res.text, 'x12.ackWithinHours')).toBeTruthy();
  expect(errorOf(res.text, 'invoicing.taxRates')).toContain('taxRate 7.5 needs a taxRates entry');
  expect(res.text).toContain('value="Beta Buying"'); // what was typed stays
  expect(await env.db('partners').where({ id: 'beta' }).first()).toBeUndefined();
  // Valid for the schema, refused by the service: a new cXML partner needs its SharedSecret.
  const again = await post('/console/partners', { ...beta, 'cxml.sharedSecret': '', csrf: await csrf() });
  expect(again.status).toBe(422);
  expect(errorOf(again.text, 'cxml.sharedSecret')).toBe('required');
});

it('creates a partner as the API would, and edits it keeping its secret', async () => {
  const res = await post('/console/partners', { ...beta, csrf: await csrf() });
  expect(res.status).toBe(303);
  expect(res.headers.location).toMatch(/^\/console\/partners\/beta\?flash=/);
  const api = await request(app).get('/api/v1/partners/beta').set(auth(ADMIN_TOKEN));
  expect(api.body).toMatchObject({
    name: 'Beta Buying',
    currency: 'EUR',
    cxml: { credentials: [{ domain: 'NetworkID', identity: 'AN-BETA' }], hasSharedSecret: true },
    x12: { isaQualifier: 'ZZ', isaId: 'BETA', version: '004010' },
    invoicing: { paymentTermsDays: 45, requireShipped: true },
    punchout: { frameAncestors: ['https://beta.example', 'https://srm.beta.example'] },
  });
  const page = await get('/console/partners/beta');
  expect(page.text).not.toContain('beta-secret-123');
  const dup = await post('/console/partners', { ...beta, csrf: await csrf() });
  expect(errorOf(dup.text, 'id')).toContain('exists already');
  const edit = await post('/console/partners/beta', {
    ...beta,
    name: 'Beta B.V.',
    'cxml.sharedSecret': '',
    csrf: await csrf(),
  });
  expect(edit.status).toBe(303);
  const row = await env.db('partners').where({ id: 'beta' }).first();
  expect(row.name).toBe('Beta B.V.');
  expect(await verifySecret('beta-secret-123', row.cxml_secret_hash)).toBe(true);
  const audit = await env.db('audit_log').where({ subject: 'partner:beta' }).orderBy('id');
  expect(audit.map((a) => a.action)).toEqual(['partner.create', 'partner.update']);
  expect(audit[1].before.name).toBe('Beta Buying');
  expect(JSON.stringify(audit)).not.toContain('beta-secret-123');
});

it('rotates a secret: the new one is shown once and works, the old one no longer does', async () => {
  const res = await post('/console/partners/beta/rotate', { which: 'cxml.sharedSecret', csrf: await csrf() });
  expect(res.status).toBe(200);
  const secret = /id="once-value">([^<]+)</.exec(res.text)?.[1] as string;
  expect(secret).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  const row = await env.db('partners').where({ id: 'beta' }).first();
  expect(await verifySecret(secret, row.cxml_secret_hash)).toBe(true);
  expect(await verifySecret('beta-secret-123', row.cxml_secret_hash)).toBe(false);
  expect((await get('/console/partners/beta')).text).not.toContain(secret);
  const entry = await env.db('audit_log').where({ action: 'partner.rotate_secret' }).first();
  expect(JSON.stringify(entry)).not.toContain(secret);
});

it('issues an API key shown once, lists it with its last use, and a revoked key gets 401', async () => {
  const res = await post('/console/partners/acme/keys', { role: 'erp', csrf: await csrf() });
  expect(res.status).toBe(200);
  const key = /id="once-value">([^<]+)</.exec(res.text)?.[1] as string;
  expect(key).toMatch(/^gwk_erp_/);
  expect((await request(app).get('/api/v1/orders').set(auth(key))).status).toBe(200);
  const page = await get('/console/partners/acme');
  expect(page.text).not.toContain(key);
  const keyId = new RegExp(`data-key="([^"]+)" data-prefix="${key.slice(0, 16)}"`).exec(
    page.text,
  )?.[1] as string;
  expect(keyId).toBeTruthy();
  const revoke = await post(`/console/partners/acme/keys/${keyId}/revoke`, { csrf: await csrf() });
  expect(revoke.status).toBe(303);
  expect((await request(app).get('/api/v1/orders').set(auth(key))).status).toBe(401);
  const actions = (await env.db('audit_log').where('action', 'like', 'partner.api_key%').orderBy('id')).map(
    (a) => a.action,
  );
  expect(actions).toEqual(['partner.api_key_create', 'partner.api_key_revoke']);
});

it('tests the connection with a ProfileRequest and shows the status and the answer', async () => {
  const token = await csrf();
  const closed = await post('/console/partners/beta/test', { csrf: token });
  expect(closed.status).toBe(200);
  expect(closed.text).toContain('https://beta.example/cxml');
  expect(closed.text).toMatch(/id="ping-status">[^<]*Error/);
  await request(app)
    .put('/api/v1/partners/acme')
    .set(auth(ADMIN_TOKEN))
    .send({
      ...(await request(app).get('/api/v1/partners/acme').set(auth(ADMIN_TOKEN))).body,
      createdAt: undefined,
      updatedAt: undefined,
      cxml: {
        credentials: [{ domain: 'NetworkID', identity: 'AN01000000001' }],
        outboundUrl: buyerUrl,
      },
      oci: undefined,
    })
    .expect(200);
  const res = await post('/console/partners/acme/test', { csrf: token });
  expect(res.text).toContain('id="ping-status">HTTP 200<');
  expect(res.text).toContain('profile answered');
  expect(pings.at(-1)).toContain('<ProfileRequest');
  expect(pings.at(-1)).toContain('AN01000000001');
  expect(
    await env.db('audit_log').where({ action: 'partner.test_connection' }).count({ c: '*' }).first(),
  ).toEqual({
    c: expect.anything(),
  });
});

const unescape = (v: string) =>
  v
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The fields of the page's partner form as a browser would submit them. */
function formOf(html: string): Record<string, string> {
  const form = /<form[^>]*id="partner-form"[\s\S]*?<\/form>/.exec(html)?.[0] ?? '';
  const values: Record<string, string> = {};
  for (const m of form.matchAll(/<input([^>]*)>/g)) {
    const name = /name="([^"]+)"/.exec(m[1] as string)?.[1];
    if (name) values[name] = unescape(/value="([^"]*)"/.exec(m[1] as string)?.[1] ?? '');
  }
  for (const m of form.matchAll(/<textarea[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g))
    values[m[1] as string] = unescape(m[2] as string);
  for (const m of form.matchAll(/<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g))
    values[m[1] as string] = unescape(/<option value="([^"]*)" selected/.exec(m[2] as string)?.[1] ?? '');
  return values;
}

it('edits an AS2 partner from its page: the form shows its certificates and a save keeps every setting', async () => {
  const lab = new OpensslLab();
  try {
    const body = as2Partner({
      id: 'as2-buyer',
      isaId: 'AS2BUYER',
      as2Id: 'AS2 BUYER',
      certificates: [lab.identity('as2-buyer')],
      as2: {
        url: 'https://as2.buyer.example/as2',
        encryption: 'aes-128-gcm',
        mdn: { mode: 'async', signed: false },
      },
      x12: { transport: 'as2' },
    });
    await request(app).post('/api/v1/partners').set(auth(ADMIN_TOKEN)).send(body).expect(201);
    const before = (await request(app).get('/api/v1/partners/as2-buyer').set(auth(ADMIN_TOKEN))).body;
    const page = await get('/console/partners/as2-buyer');
    const values = formOf(page.text);
    expect(values['as2.certificates']).toContain('-----BEGIN CERTIFICATE-----');
    expect(values['as2.mdn.mode']).toBe('async');
    const res = await post('/console/partners/as2-buyer', { ...values, name: 'AS2 Buyer Inc.' });
    expect(res.status).toBe(303);
    const after = (await request(app).get('/api/v1/partners/as2-buyer').set(auth(ADMIN_TOKEN))).body;
    expect({ ...after, updatedAt: undefined, name: undefined }).toEqual({
      ...before,
      updatedAt: undefined,
      name: undefined,
    });
    expect(after.name).toBe('AS2 Buyer Inc.');
  } finally {
    lab.cleanup();
  }
});
