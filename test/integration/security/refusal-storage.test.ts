/**
 * Issue 12 point 3: an unauthenticated refusal stores its answer, the sha256 and size of the body and
 * at most REFUSAL_PREFIX_BYTES of it (ten random 5 MB bodies used to add 50 MB). A refusal after
 * authentication (the partner is known) keeps the whole document as before.
 */
import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import { createApp } from '../../../src/app';
import { createTestEnv, type TestEnv } from '../../helpers/env';
import { BUYER, SECRET } from '../orders/helpers';
import { seedPartner } from '../../helpers/partners';

let t: TestEnv;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  t = await createTestEnv({ start: false, env: { MAX_BODY_BYTES: String(6 * 1024 * 1024) } });
  await seedPartner(t.db, {
    cxml: { credentials: [BUYER], sharedSecret: SECRET, cartReturn: 'cxml-urlencoded', statusUpdates: false },
  });
  app = createApp(t.ctx);
});
afterAll(async () => {
  await t?.close();
});

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

it('ten random 5 MB bodies store ten answers, digests and sizes, and 1 KB of each', async () => {
  const bodies = Array.from({ length: 10 }, () => randomBytes(5 * 1024 * 1024));
  for (const body of bodies) {
    const res = await request(app).post('/cxml').set('Content-Type', 'text/xml').send(body);
    expect(res.status).toBe(400);
  }
  const rows = await t.db('documents').where({ status: 'refused' }).orderBy('created_at');
  expect(rows).toHaveLength(10);
  const stored = rows.reduce((n, r: { content: Buffer }) => n + r.content.length, 0);
  expect(stored).toBe(10 * 1024);
  const bySha = new Map(rows.map((r: { sha256: string }) => [r.sha256, r]));
  for (const body of bodies) {
    const row = bySha.get(sha(body)) as unknown as {
      size: string;
      content: Buffer;
      response_status: number;
      response_body: Buffer;
      partner_id: string | null;
    };
    expect(row).toBeDefined();
    expect(Number(row.size)).toBe(body.length);
    expect(row.content.equals(body.subarray(0, 1024))).toBe(true);
    expect(row.partner_id).toBeNull();
    expect(row.response_status).toBe(400);
    expect(row.response_body.toString()).toMatch(/<Status code="400"/);
  }
  // The documents API gives the size received, not the size kept.
  const res = await request(app)
    .get('/api/v1/documents')
    .set('Authorization', `Bearer ${t.config.ADMIN_TOKEN}`);
  expect(res.status).toBe(200);
  expect((res.body.documents as { size: number }[]).map((d) => d.size)).toEqual(
    Array(10).fill(5 * 1024 * 1024),
  );
});

it('a wrong SharedSecret (unauthenticated) keeps a masked prefix; a known partner refused later keeps it all', async () => {
  await t.db('documents').del();
  const header = (secret: string) => `<Header>
    <From><Credential domain="${BUYER.domain}"><Identity>${BUYER.identity}</Identity></Credential></From>
    <To><Credential domain="NetworkID"><Identity>AN-SUPPLIER-TEST</Identity></Credential></To>
    <Sender><Credential domain="${BUYER.domain}"><Identity>${BUYER.identity}</Identity><SharedSecret>${secret}</SharedSecret></Credential><UserAgent>t</UserAgent></Sender>
  </Header>`;
  const doc = (secret: string) =>
    `<cXML payloadID="p-${secret.length}" timestamp="2026-01-01T00:00:00Z">${header(secret)}<Request><NoSuchRequest>${'x'.repeat(5000)}</NoSuchRequest></Request></cXML>`;
  const wrong = await request(app).post('/cxml').set('Content-Type', 'text/xml').send(doc('not-the-secret'));
  expect(wrong.status).toBe(401);
  const known = await request(app).post('/cxml').set('Content-Type', 'text/xml').send(doc(SECRET));
  expect(known.status).toBe(406);
  const rows = await t.db('documents').where({ status: 'refused' });
  const unauth = rows.find((r: { partner_id: string | null }) => r.partner_id === null);
  const auth = rows.find((r: { partner_id: string | null }) => r.partner_id !== null);
  expect(unauth.content.length).toBe(1024);
  expect(unauth.content.toString()).not.toContain('not-the-secret');
  expect(Number(unauth.size)).toBe(Buffer.byteLength(doc('not-the-secret')));
  expect(auth.content.length).toBe(Buffer.byteLength(doc(SECRET)));
  expect(auth.content.toString()).not.toContain(SECRET);
});
