import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../../src/app';
import { createTestEnv, type TestEnv } from '../../helpers/env';
import { OCI_PASSWORD, OCI_USER, seedShop } from './helpers';

let env: TestEnv;
let app: Express;
const HOOK = 'https://srm.acme.example/sap/bc/gui/hook?sap-client=100';

beforeAll(async () => {
  env = await createTestEnv();
  await seedShop(env.db);
  app = createApp(env.ctx);
});
afterAll(async () => {
  await env.close();
});

async function counts() {
  const [s] = await env.db('punchout_sessions').count<{ c: string }[]>({ c: '*' });
  const docs = await env.db('documents').orderBy('created_at').select('status', 'doc_type', 'content');
  return { sessions: Number(s!.c), docs };
}

const login = (fields: Record<string, string>) => request(app).post('/oci').type('form').send(fields);

function formFields(html: string): [string, string][] {
  return [...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m) => [
    m[1]!.replace(/&amp;/g, '&'),
    m[2]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&'),
  ]);
}

describe('OCI login refusals: a 4xx page, no session, only the refused login stored', () => {
  const cases: [string, Record<string, string>, number][] = [
    ['wrong password', { USERNAME: OCI_USER, PASSWORD: 'wrong-password', HOOK_URL: HOOK }, 401],
    ['unknown user', { USERNAME: 'nobody', PASSWORD: OCI_PASSWORD, HOOK_URL: HOOK }, 401],
    [
      'HOOK_URL off the allowlist',
      { USERNAME: OCI_USER, PASSWORD: OCI_PASSWORD, HOOK_URL: 'https://evil.example/' },
      403,
    ],
    [
      'look-alike HOOK_URL host',
      { USERNAME: OCI_USER, PASSWORD: OCI_PASSWORD, HOOK_URL: 'https://srm.acme.example.evil.com/' },
      403,
    ],
    [
      'javascript: HOOK_URL',
      { USERNAME: OCI_USER, PASSWORD: OCI_PASSWORD, HOOK_URL: 'javascript:alert(1)' },
      400,
    ],
    ['missing HOOK_URL', { USERNAME: OCI_USER, PASSWORD: OCI_PASSWORD }, 400],
  ];
  it.each(cases)('%s', async (_name, fields, status) => {
    const before = await counts();
    const res = await login(fields);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('Catalog login refused');
    const after = await counts();
    expect(after.sessions).toBe(before.sessions);
    const added = after.docs.slice(before.docs.length);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ status: 'refused', doc_type: 'OCILogin' });
    expect(added[0].content.toString('utf8')).not.toContain(OCI_PASSWORD);
  });
});

describe('OCI session', () => {
  it('logs in by GET with case-insensitive field names and keeps ~OkCode, ~TARGET, ~CALLER', async () => {
    const res = await request(app).get('/oci').query({
      username: OCI_USER,
      Password: OCI_PASSWORD,
      hook_url: HOOK,
      '~OkCode': 'ADDI',
      '~target': '_top',
      '~CALLER': 'CTLG',
    });
    expect(res.status).toBe(303);
    const start = await request(app).get(res.headers.location as string);
    expect(start.status).toBe(303);
    const row = await env.db('punchout_sessions').orderBy('created_at', 'desc').first();
    expect(row).toMatchObject({ protocol: 'oci', return_url: HOOK, return_target: '_top' });
    expect(row.return_fields).toMatchObject({ okCode: 'ADDI', target: '_top', caller: 'CTLG' });
  });

  it('shops and transfers NEW_ITEM fields to HOOK_URL with ~TARGET, stored as an OCICart', async () => {
    const res = await login({
      USERNAME: OCI_USER,
      PASSWORD: OCI_PASSWORD,
      HOOK_URL: HOOK,
      '~TARGET': '_top',
    });
    const start = await request(app).get(res.headers.location as string);
    const base = start.headers.location as string;
    const cart = await request(app).get(`${base}cart`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(cart.text)?.[1] as string;
    await request(app).post(`${base}cart/add`).type('form').send({ csrf, sku: 'PEN-BLU-12', quantity: '2' });
    const done = await request(app).post(`${base}transfer`).type('form').send({ csrf });
    expect(done.status).toBe(200);
    expect(done.text).toContain(`action="${HOOK.replace(/&/g, '&amp;')}" target="_top"`);
    const fields = new Map(formFields(done.text));
    expect(fields.get('NEW_ITEM-DESCRIPTION[1]')).toBe('Ballpoint pen blue (box of 12)');
    expect(fields.get('NEW_ITEM-QUANTITY[1]')).toBe('2');
    expect(fields.get('NEW_ITEM-PRICE[1]')).toBe('4.50');
    expect(fields.get('NEW_ITEM-CURRENCY[1]')).toBe('USD');
    expect(fields.get('NEW_ITEM-UNIT[1]')).toBe('BX');
    expect(fields.get('NEW_ITEM-VENDORMAT[1]')).toBe('PEN-BLU-12');
    expect(fields.get('NEW_ITEM-EXT_QUOTE_ID[1]')).toMatch(/^[0-9a-f]{32}$/);
    const stored = await env.db('documents').where({ doc_type: 'OCICart', direction: 'out' });
    expect(stored.length).toBeGreaterThan(0);
  });

  it('the way back without items posts to HOOK_URL with no NEW_ITEM field, once (issue 16)', async () => {
    const res = await login({
      USERNAME: OCI_USER,
      PASSWORD: OCI_PASSWORD,
      HOOK_URL: HOOK,
      '~OkCode': 'ADDI',
      '~TARGET': '_top',
      '~CALLER': 'CTLG',
    });
    const start = await request(app).get(res.headers.location as string);
    const base = start.headers.location as string;
    const item = await request(app).get(`${base}item/PEN-BLU-12`);
    expect(item.text).toContain(`action="${base}cancel" class="exit"`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(item.text)?.[1] as string;
    await request(app).post(`${base}cart/add`).type('form').send({ csrf, sku: 'PEN-BLU-12', quantity: '2' });
    const session = await env.db('punchout_sessions').orderBy('created_at', 'desc').first();
    const done = await request(app).post(`${base}cancel`).type('form').send({ csrf });
    expect(done.status).toBe(200);
    expect(done.headers['content-security-policy']).toContain("form-action 'self' https://srm.acme.example");
    expect(done.text).toContain(`action="${HOOK.replace(/&/g, '&amp;')}" target="_top"`);
    expect(formFields(done.text)).toEqual([
      ['~OkCode', 'ADDI'],
      ['~TARGET', '_top'],
      ['~CALLER', 'CTLG'],
    ]);
    const after = await env.db('punchout_sessions').where({ id: session.id }).first();
    expect(after.state).toBe('cancelled');
    const stored = await env
      .db('documents')
      .where({ doc_type: 'OCICart', direction: 'out', external_id: session.id });
    expect(stored).toHaveLength(1);
    expect(stored[0].content.toString('utf8')).not.toContain('NEW_ITEM');
    const again = await request(app).post(`${base}cancel`).type('form').send({ csrf });
    expect(again.status).toBe(410);
    expect(again.text).not.toContain('srm.acme.example');
    expect(
      await env.db('documents').where({ doc_type: 'OCICart', direction: 'out', external_id: session.id }),
    ).toHaveLength(1);
  });

  it('FUNCTION=DETAIL opens the product page', async () => {
    const res = await login({
      USERNAME: OCI_USER,
      PASSWORD: OCI_PASSWORD,
      HOOK_URL: HOOK,
      FUNCTION: 'DETAIL',
      PRODUCTID: 'CHR-ERG-01',
    });
    const start = await request(app).get(res.headers.location as string);
    expect(start.headers.location).toMatch(/\/item\/CHR-ERG-01$/);
    const page = await request(app).get(start.headers.location as string);
    expect(page.text).toContain('Ergonomic office chair');
    expect(page.text).toContain('259.00 USD');
  });

  it('FUNCTION=VALIDATE returns the item at the current contract price without user interaction', async () => {
    const res = await login({
      USERNAME: OCI_USER,
      PASSWORD: OCI_PASSWORD,
      HOOK_URL: HOOK,
      FUNCTION: 'VALIDATE',
      PRODUCTID: 'PEN-BLU-12',
      QUANTITY: '50',
    });
    expect(res.status).toBe(200);
    const fields = new Map(formFields(res.text));
    expect(fields.get('NEW_ITEM-PRICE[1]')).toBe('4.20');
    expect(fields.get('NEW_ITEM-QUANTITY[1]')).toBe('50');
    expect(fields.has('NEW_ITEM-PRICE[2]')).toBe(false);
  });

  it('FUNCTION=BACKGROUND_SEARCH returns the matching items to HOOK_URL', async () => {
    const res = await login({
      USERNAME: OCI_USER,
      PASSWORD: OCI_PASSWORD,
      HOOK_URL: HOOK,
      FUNCTION: 'BACKGROUND_SEARCH',
      SEARCHSTRING: 'gloves',
    });
    expect(res.status).toBe(200);
    const fields = new Map(formFields(res.text));
    expect(fields.get('NEW_ITEM-VENDORMAT[1]')).toBe('GLV-NIT-M');
    expect(fields.has('NEW_ITEM-VENDORMAT[2]')).toBe(false);
  });
});
