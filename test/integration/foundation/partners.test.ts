import { readFileSync } from 'node:fs';
import request from 'supertest';
import { createApp } from '../../../src/app';
import { storeDocument } from '../../../src/documents/store';
import { ADMIN_TOKEN, auth, createTestEnv, type TestEnv } from '../../helpers/env';
import { CONTRACT_PARTNER, seedPartner } from '../../helpers/partners';

describe('partner registry', () => {
  let env: TestEnv;
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    env = await createTestEnv();
    app = createApp(env.ctx);
  });
  afterAll(async () => env.close());

  const contract = JSON.parse(readFileSync(CONTRACT_PARTNER, 'utf8'));

  it('imports the contract partner and answers it back without any secret', async () => {
    const put = await request(app).put('/api/v1/partners/acme').set(auth(ADMIN_TOKEN)).send(contract);
    expect(put.status).toBe(201);
    const get = await request(app).get('/api/v1/partners/acme').set(auth(ADMIN_TOKEN));
    expect(get.status).toBe(200);
    const text = JSON.stringify(get.body);
    expect(text).not.toContain('change-me-acme');
    expect(text).not.toContain('change-me-too');
    expect(get.body.cxml.hasSharedSecret).toBe(true);
    expect(get.body.oci.hasPassword).toBe(true);
    const { sharedSecret: _s, ...cxml } = contract.cxml;
    const { password: _p, ...oci } = contract.oci;
    expect(get.body).toMatchObject({
      ...contract,
      cxml: { ...cxml, hasSharedSecret: true },
      oci: { ...oci, hasPassword: true },
    });
    const stored = await env.db('partners').where({ id: 'acme' }).first();
    expect(stored.cxml_secret_hash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(stored)).not.toContain('change-me-acme');
  });

  it('a replace without secrets keeps the stored ones', async () => {
    const before = await env.db('partners').where({ id: 'acme' }).first();
    const { sharedSecret: _s, ...cxml } = contract.cxml;
    const { password: _p, ...oci } = contract.oci;
    const res = await request(app)
      .put('/api/v1/partners/acme')
      .set(auth(ADMIN_TOKEN))
      .send({ ...contract, name: 'Acme Corp (renamed)', cxml, oci });
    expect(res.status).toBe(200);
    const after = await env.db('partners').where({ id: 'acme' }).first();
    expect(after.name).toBe('Acme Corp (renamed)');
    expect(after.cxml_secret_hash).toBe(before.cxml_secret_hash);
  });

  it('refuses a wrong admin token with 401 and a missing one with 401', async () => {
    const wrong = await request(app).get('/api/v1/partners').set(auth('not-the-admin-token-at-all'));
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatchObject({ code: 'unauthorized' });
    expect(wrong.body.error.requestId).toBeTruthy();
    expect((await request(app).get('/api/v1/partners')).status).toBe(401);
  });

  it('lists the problems of an invalid partner with their paths', async () => {
    const res = await request(app)
      .post('/api/v1/partners')
      .set(auth(ADMIN_TOKEN))
      .send({ ...contract, id: 'Bad Id', currency: 'usd' });
    expect(res.status).toBe(400);
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['id', 'currency']));
  });

  it('a partner key never sees another partner: 404 for a document of partner B, and admin-only routes are 403', async () => {
    const a = await seedPartner(env.db, {
      id: 'partner-a',
      cxml: {
        credentials: [{ domain: 'NetworkID', identity: 'AN-A' }],
        sharedSecret: 'secret-of-a',
        cartReturn: 'cxml-urlencoded',
        statusUpdates: false,
      },
      oci: undefined,
      x12: undefined,
    });
    await seedPartner(env.db, {
      id: 'partner-b',
      cxml: {
        credentials: [{ domain: 'NetworkID', identity: 'AN-B' }],
        sharedSecret: 'secret-of-b',
        cartReturn: 'cxml-urlencoded',
        statusUpdates: false,
      },
      oci: undefined,
      x12: undefined,
    });
    const docB = await storeDocument(env.db, {
      partnerId: 'partner-b',
      protocol: 'cxml',
      docType: 'OrderRequest',
      direction: 'in',
      status: 'accepted',
      contentType: 'text/xml',
      content: '<cXML/>',
    });
    const docA = await storeDocument(env.db, {
      partnerId: 'partner-a',
      protocol: 'cxml',
      docType: 'OrderRequest',
      direction: 'in',
      status: 'accepted',
      contentType: 'text/xml',
      content: '<cXML a="1"/>',
    });
    // (An OrderRequest is on the order side: the ERP key reads it; see role-scope.test.ts.)
    expect((await request(app).get(`/api/v1/documents/${docB}/raw`).set(auth(a.erpKey))).status).toBe(404);
    const own = await request(app).get(`/api/v1/documents/${docA}/raw`).set(auth(a.erpKey));
    expect(own.status).toBe(200);
    expect(own.text).toBe('<cXML a="1"/>');
    const list = await request(app).get('/api/v1/documents?partner=partner-b').set(auth(a.erpKey));
    expect(list.body.documents).toEqual([]);
    const adminList = await request(app).get('/api/v1/documents?partner=partner-b').set(auth(ADMIN_TOKEN));
    expect(adminList.body.documents.map((d: { id: string }) => d.id)).toEqual([docB]);
    expect((await request(app).get('/api/v1/partners').set(auth(a.financeKey))).status).toBe(403);
  });

  it('issues an API key once, and a deleted partner key stops working', async () => {
    const res = await request(app)
      .post('/api/v1/partners/acme/api-keys')
      .set(auth(ADMIN_TOKEN))
      .send({ role: 'finance' });
    expect(res.status).toBe(201);
    expect(res.body.key).toMatch(/^gwk_finance_/);
    const stored = await env.db('api_keys').where({ id: res.body.id }).first();
    expect(stored.key_hash).not.toContain(res.body.key);
    expect((await request(app).get('/api/v1/documents').set(auth(res.body.key))).status).toBe(200);
    expect((await request(app).delete('/api/v1/partners/acme').set(auth(ADMIN_TOKEN))).status).toBe(204);
    expect((await request(app).get('/api/v1/documents').set(auth(res.body.key))).status).toBe(401);
    expect((await request(app).get('/api/v1/partners/acme').set(auth(ADMIN_TOKEN))).status).toBe(404);
  });
});
