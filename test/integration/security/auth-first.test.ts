/**
 * Issue 12 point 2, over real HTTP with real Postgres: JSON and CSV bodies under /api are read only
 * after the bearer token is checked; failed authentications are limited per client address and per
 * credential (429 with Retry-After, a cXML Status 429 on /cxml); secret hashing runs with bounded
 * concurrency so a flood of bad credentials neither starves /health nor a partner whose secret was
 * verified before. Client addresses are told apart by X-Forwarded-For (the gateway trusts it from
 * loopback, as behind a local proxy).
 */
import request from 'supertest';
import { createApp } from '../../../src/app';
import { secretHashingLoad } from '../../../src/platform/secrets';
import { auth, createTestEnv, type TestEnv } from '../../helpers/env';
import { seedPartner } from '../../helpers/partners';
import { listenApp, withHealthProbe } from '../../helpers/server';
import { BUYER, SECRET } from '../orders/helpers';

let t: TestEnv;
let app: ReturnType<typeof createApp>;
let erpKey: string;

beforeAll(async () => {
  t = await createTestEnv({
    start: false,
    env: {
      AUTH_FAILURES_PER_ADDRESS: '5',
      AUTH_FAILURES_PER_CREDENTIAL: '3',
      AUTH_FAILURE_WINDOW_SECONDS: '60',
      JSON_MAX_DEPTH: '8',
      CSV_MAX_COLUMNS: '20',
      SECRET_VERIFY_CONCURRENCY: '2',
      SECRET_VERIFY_QUEUE: '8',
    },
  });
  ({ erpKey } = await seedPartner(t.db, {
    cxml: { credentials: [BUYER], sharedSecret: SECRET, cartReturn: 'cxml-urlencoded', statusUpdates: false },
  }));
  app = createApp(t.ctx);
});
afterAll(async () => {
  await t?.close();
});

let nextAddress = 1;
/** A client address of its own for each test, so their failure counts do not meet. */
const address = () => `10.9.${Math.floor(nextAddress / 250)}.${nextAddress++ % 250}`;

function cxml(secret: string, identity = BUYER.identity): string {
  return `<cXML payloadID="p-${Math.random()}" timestamp="2026-01-01T00:00:00Z"><Header>
    <From><Credential domain="${BUYER.domain}"><Identity>${identity}</Identity></Credential></From>
    <To><Credential domain="NetworkID"><Identity>AN-SUPPLIER-TEST</Identity></Credential></To>
    <Sender><Credential domain="${BUYER.domain}"><Identity>${identity}</Identity><SharedSecret>${secret}</SharedSecret></Credential><UserAgent>t</UserAgent></Sender>
  </Header><Request><ProfileRequest/></Request></cXML>`;
}

describe('bodies under /api are parsed only after the bearer token is checked', () => {
  it('malformed, deeply nested and oversized JSON from an unauthenticated client get 401, never 400 or 413', async () => {
    const ip = address();
    for (const [body, extra] of [
      ['{"not json', {}],
      ['['.repeat(100_000), {}],
      ['x'.repeat(6 * 1024 * 1024), {}],
    ] as const) {
      const res = await request(app)
        .post('/api/v1/orders')
        .set('X-Forwarded-For', ip)
        .set('Content-Type', 'application/json')
        .set(extra)
        .send(body);
      expect(res.status).toBe(401);
    }
  });

  it('an authenticated client gets 400 naming JSON_MAX_DEPTH for JSON nested too deep', async () => {
    const res = await request(app)
      .post('/api/v1/orders')
      .set(auth(erpKey))
      .set('Content-Type', 'application/json')
      .send(`${'['.repeat(9)}${']'.repeat(9)}`);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      'JSON nested deeper than 8 levels (the limit is 8, setting JSON_MAX_DEPTH)',
    );
    // Brackets inside strings do not count.
    const ok = await request(app)
      .post('/api/v1/orders')
      .set(auth(erpKey))
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ note: '[[[[[[[[[[[[[[[[[[[[' }));
    expect(ok.status).toBe(400);
    expect(ok.body.error.code).toBe('validation_failed');
  });

  it('CSV imports: a bad token gets 401; the admin gets 400 naming CSV_MAX_COLUMNS for a header too wide', async () => {
    const wide = `${Array.from({ length: 21 }, (_, i) => `c${i}`).join(',')}\n${'x\n'.repeat(1000)}`;
    const bad = await request(app)
      .post('/api/v1/catalog/import')
      .set('X-Forwarded-For', address())
      .set(auth('wrong-token'))
      .set('Content-Type', 'text/csv')
      .send(wide);
    expect(bad.status).toBe(401);
    const res = await request(app)
      .post('/api/v1/catalog/import')
      .set(auth(t.config.ADMIN_TOKEN as string))
      .set('Content-Type', 'text/csv')
      .send(wide);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/21 columns, more than 20 \(setting CSV_MAX_COLUMNS\)/);
  });
});

describe('failed authentication is rate-limited', () => {
  it('per address: after AUTH_FAILURES_PER_ADDRESS bad tokens the address gets 429 with Retry-After, a good key too', async () => {
    const ip = address();
    for (let i = 0; i < 5; i++) {
      const res = await request(app)
        .get('/api/v1/orders')
        .set('X-Forwarded-For', ip)
        .set(auth(`bad-${i}`));
      expect(res.status).toBe(401);
    }
    const blocked = await request(app).get('/api/v1/orders').set('X-Forwarded-For', ip).set(auth(erpKey));
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.body.error.message).toMatch(/AUTH_FAILURES_PER_ADDRESS/);
    // Another address is not affected.
    const other = await request(app)
      .get('/api/v1/orders')
      .set('X-Forwarded-For', address())
      .set(auth(erpKey));
    expect(other.status).toBe(200);
  });

  it('per credential: one bad token from many addresses is refused with 429 after AUTH_FAILURES_PER_CREDENTIAL', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await request(app)
        .get('/api/v1/orders')
        .set('X-Forwarded-For', address())
        .set(auth('same-bad-token'));
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });

  it('/cxml: an address over the limit gets a cXML 429 before its body is read', async () => {
    const ip = address();
    for (let i = 0; i < 5; i++) {
      const res = await request(app)
        .post('/cxml')
        .set('X-Forwarded-For', ip)
        .set('Content-Type', 'text/xml')
        .send(cxml('wrong', `NOBODY-${i}`));
      expect(res.status).toBe(401);
    }
    const res = await request(app)
      .post('/cxml')
      .set('X-Forwarded-For', ip)
      .set('Content-Type', 'text/xml')
      .send(cxml(SECRET));
    expect(res.status).toBe(429);
    expect(res.text).toMatch(/<Status code="429" text="Too Many Requests"/);
    expect(res.headers['retry-after']).toBeDefined();
  });

  it('/cxml: guesses at one buyer identity lock the guesses out, not the buyer whose secret was verified before', async () => {
    // The buyer authenticates once (its secret is then recognised without hashing).
    const first = await request(app)
      .post('/cxml')
      .set('X-Forwarded-For', address())
      .set('Content-Type', 'text/xml')
      .send(cxml(SECRET));
    expect(first.status).toBe(200);
    const guesses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await request(app)
        .post('/cxml')
        .set('X-Forwarded-For', address())
        .set('Content-Type', 'text/xml')
        .send(cxml(`guess-${i}`));
      guesses.push(res.status);
    }
    expect(guesses).toEqual([401, 401, 401, 429, 429]);
    const buyer = await request(app)
      .post('/cxml')
      .set('X-Forwarded-For', address())
      .set('Content-Type', 'text/xml')
      .send(cxml(SECRET));
    expect(buyer.status).toBe(200);
  });
});

describe('secret hashing has bounded concurrency', () => {
  it('60 unknown senders at once: at most SECRET_VERIFY_CONCURRENCY hashes run, the rest wait or get 503; /health answers', async () => {
    const server = await listenApp(app);
    try {
      let maxRunning = 0;
      const sampler = setInterval(() => {
        maxRunning = Math.max(maxRunning, secretHashingLoad().running);
      }, 1);
      const run = await withHealthProbe(server.url, () =>
        Promise.all(
          Array.from({ length: 60 }, (_, i) =>
            fetch(`${server.url}/cxml`, {
              method: 'POST',
              headers: { 'Content-Type': 'text/xml', 'X-Forwarded-For': `10.200.${i >> 8}.${i & 255}` },
              body: cxml('wrong', `FLOOD-${i}`),
            }).then(async (r) => ({ status: r.status, text: await r.text() })),
          ),
        ),
      );
      clearInterval(sampler);
      const statuses = new Set(run.result.map((r) => r.status));
      expect([...statuses].every((s) => s === 401 || s === 503)).toBe(true);
      expect(statuses.has(503)).toBe(true); // more than 2 running + 8 waiting were refused at once
      expect(run.result.find((r) => r.status === 503)?.text).toMatch(/Too many authentications are waiting/);
      expect(maxRunning).toBeLessThanOrEqual(2);
      expect(run.health.answered).toBeGreaterThan(0);
      expect(run.health.failed).toBe(0);
      expect(secretHashingLoad()).toEqual({ running: 0, waiting: 0 });
    } finally {
      await server.close();
    }
  });
});
