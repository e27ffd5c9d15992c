import request from 'supertest';
import { createApp } from '../../../src/app';
import { ADMIN_TOKEN, auth, createTestEnv, type TestEnv } from '../../helpers/env';

describe('HTTP shell', () => {
  let env: TestEnv;
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    env = await createTestEnv({ redis: true, start: false, env: { MAX_BODY_BYTES: '2048' } });
    app = createApp(env.ctx);
  });
  afterAll(async () => env.close());

  it('answers /health and /ready with the database and queue reachable', async () => {
    expect((await request(app).get('/health')).body).toEqual({ status: 'ok' });
    const ready = await request(app).get('/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', database: true, queue: true });
  });

  it('gives JSON errors with a request id that is also a response header, and security headers', async () => {
    const res = await request(app).get('/api/v1/nothing-here').set('X-Request-Id', 'abc-123');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: { code: 'not_found', message: 'no route for GET /api/v1/nothing-here', requestId: 'abc-123' },
    });
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('refuses a body over MAX_BODY_BYTES with 413 and malformed JSON with 400', async () => {
    const big = await request(app)
      .post('/api/v1/partners')
      .set(auth(ADMIN_TOKEN))
      .type('json')
      .send(JSON.stringify({ name: 'x'.repeat(5000) }));
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    const bad = await request(app)
      .post('/api/v1/partners')
      .set(auth(ADMIN_TOKEN))
      .type('json')
      .send('{"id": ');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('bad_request');
  });

  it('describes every JSON endpoint in the OpenAPI document from the validating schemas', async () => {
    const doc = (await request(app).get('/api/v1/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/partners',
        '/api/v1/partners/{id}',
        '/api/v1/catalog/import',
        '/api/v1/jobs/failed',
        '/api/v1/documents',
      ]),
    );
    const body = doc.paths['/api/v1/partners'].post.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['id', 'name', 'currency']));
  });
});
