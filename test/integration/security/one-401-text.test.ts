/**
 * Issue 12 point 9: one 401 text for an unknown credential and a wrong secret on every entry point
 * (API bearer keys, the admin token, X12 intake behind its ERP key, cXML, OCI login), so an answer
 * never tells a guesser which identities exist. The precise reason goes to the log (never the
 * secret) and, where a refusal is stored (cXML, OCI), to the stored refusal.
 */
import request from 'supertest';
import { createApp } from '../../../src/app';
import { createLogger } from '../../../src/platform/log';
import { createApiKey, keyPrefix, revokeApiKey } from '../../../src/partners/service';
import { createTestEnv, type TestEnv } from '../../helpers/env';
import { seedPartner } from '../../helpers/partners';
import { BUYER, SECRET } from '../orders/helpers';

let t: TestEnv;
let app: ReturnType<typeof createApp>;
let erpKey: string;
let revokedKey: string;
const lines: string[] = [];

const OCI_USER = 'acme-buyer';
const OCI_PASSWORD = 'change-me-too';
const HOOK = 'https://srm.acme.example/hook';

beforeAll(async () => {
  t = await createTestEnv({ start: false });
  ({ erpKey } = await seedPartner(t.db, {
    cxml: { credentials: [BUYER], sharedSecret: SECRET, cartReturn: 'cxml-urlencoded', statusUpdates: false },
    oci: { username: OCI_USER, password: OCI_PASSWORD, hookUrlAllowlist: ['https://srm.acme.example/'] },
  }));
  const revoked = await createApiKey(t.db, 'acme', 'erp');
  await revokeApiKey(t.db, revoked.id);
  revokedKey = revoked.key;
  const log = createLogger('info', { write: (s: string) => void lines.push(s) });
  app = createApp({ ...t.ctx, log });
});
afterAll(async () => {
  await t?.close();
});

/** The log lines written while `fn` ran. */
async function logged<T>(fn: () => Promise<T>): Promise<{ result: T; log: string }> {
  const from = lines.length;
  const result = await fn();
  await new Promise((r) => setImmediate(r));
  return { result, log: lines.slice(from).join('') };
}

/** The same key with its secret part (after the prefix) changed. */
function wrongSecretOf(key: string): string {
  const prefix = keyPrefix(key);
  const rest = key.slice(prefix.length);
  return prefix + [...rest].map((c) => (c === 'A' ? 'B' : 'A')).join('');
}

describe('bearer credentials: /api, the admin token, X12 intake', () => {
  const unknownKey = 'gwk_erp_Zq3x9Kp2' + 'x'.repeat(24);
  const wrongAdmin = 'not-the-admin-token-0000';

  const endpoints: [string, (token: string) => request.Test][] = [
    [
      'GET /api/v1/orders (ERP key)',
      (k) => request(app).get('/api/v1/orders').set('Authorization', `Bearer ${k}`),
    ],
    [
      'GET /api/v1/partners (admin token)',
      (k) => request(app).get('/api/v1/partners').set('Authorization', `Bearer ${k}`),
    ],
    [
      'POST /edi/x12 (ERP key)',
      (k) =>
        request(app)
          .post('/edi/x12')
          .set('Authorization', `Bearer ${k}`)
          .set('Content-Type', 'application/edi-x12')
          .send('ISA*00*          *00*          *ZZ*ACMEBUYER      *ZZ*SUPPLIER~'),
    ],
  ];

  it.each(endpoints)(
    '%s: same status and body for every bad credential, the reason in the log',
    async (_n, call) => {
      const cases: [string, string, RegExp][] = [
        ['unknown key', unknownKey, /unknown credential: no API key has the prefix gwk_erp_Zq3x9Kp2/],
        ['wrong secret of a known key', wrongSecretOf(erpKey), /wrong secret for API key prefix gwk_erp_/],
        ['revoked key', revokedKey, /was revoked at/],
        ['wrong admin token', wrongAdmin, /neither the admin token nor an API key/],
      ];
      const answers: { status: number; body: string }[] = [];
      for (const [, token, reason] of cases) {
        const { result: res, log } = await logged(() => call(token).set('X-Request-Id', 'same-id'));
        answers.push({ status: res.status, body: res.text });
        expect(log).toMatch(reason);
        // The reason names at most the prefix of a key, never the token.
        expect(log).not.toContain(token);
      }
      expect(answers[0]!.status).toBe(401);
      for (const a of answers) expect(a).toEqual(answers[0]);
    },
  );
});

function cxml(secret: string, identity = BUYER.identity): string {
  return `<?xml version="1.0"?><cXML payloadID="p-${Math.random()}" timestamp="2026-01-01T00:00:00Z"><Header>
    <From><Credential domain="${BUYER.domain}"><Identity>${identity}</Identity></Credential></From>
    <To><Credential domain="NetworkID"><Identity>AN-SUPPLIER-TEST</Identity></Credential></To>
    <Sender><Credential domain="${BUYER.domain}"><Identity>${identity}</Identity><SharedSecret>${secret}</SharedSecret></Credential><UserAgent>t</UserAgent></Sender>
  </Header><Request><ProfileRequest/></Request></cXML>`;
}

/** Status code and text of a cXML answer (payloadID and timestamp differ by nature). */
const statusOf = (xml: string) => /<Status\b[^>]*>[^<]*<\/Status>|<Status\b[^>]*\/>/.exec(xml)?.[0];

describe('cXML: unknown sender and wrong SharedSecret', () => {
  it('get one Status 401 text; log and stored refusal name the precise reason, never the secret', async () => {
    const wrongSecret = 'guessed-secret-4711';
    const cases: [string, string, RegExp][] = [
      [
        'unknown sender',
        cxml(SECRET, 'AN-NOBODY'),
        /unknown credential: no trading partner has From NetworkID\/AN-NOBODY/,
      ],
      [
        'wrong secret',
        cxml(wrongSecret),
        /wrong secret: the Sender SharedSecret does not match .* partner acme/,
      ],
    ];
    const answers: { status: number; statusElement: string | undefined }[] = [];
    for (const [, doc, reason] of cases) {
      const before = await t.db('documents').count<{ c: string }[]>({ c: '*' });
      const { result: res, log } = await logged(() =>
        request(app).post('/cxml').set('Content-Type', 'text/xml').send(doc),
      );
      answers.push({ status: res.status, statusElement: statusOf(res.text) });
      expect(log).toMatch(reason);
      expect(log).not.toContain(wrongSecret);
      expect(log).not.toContain(SECRET);
      const rows = await t.db('documents').orderBy('created_at').offset(Number(before[0]!.c));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: 'refused', protocol: 'cxml' });
      expect(rows[0].error).toMatch(reason);
      // The stored answer is the one the client got: the generic text.
      expect(rows[0].response_body.toString()).toContain('Authentication failed');
    }
    expect(answers[0]!.status).toBe(401);
    expect(answers[0]!.statusElement).toMatch(/code="401"/);
    expect(answers[1]).toEqual(answers[0]);
  });
});

describe('OCI login: unknown USERNAME and wrong PASSWORD', () => {
  it('get byte-identical 401 pages; log and stored refusal name the precise reason', async () => {
    const cases: [string, Record<string, string>, RegExp][] = [
      [
        'unknown user',
        { USERNAME: 'nobody-here', PASSWORD: OCI_PASSWORD, HOOK_URL: HOOK },
        /unknown credential: no partner has the OCI USERNAME 'nobody-here'/,
      ],
      [
        'wrong password',
        { USERNAME: OCI_USER, PASSWORD: 'wrong-pass-0815', HOOK_URL: HOOK },
        /wrong secret: PASSWORD does not match .* partner acme/,
      ],
    ];
    const answers: { status: number; body: string }[] = [];
    for (const [, fields, reason] of cases) {
      const before = await t.db('documents').count<{ c: string }[]>({ c: '*' });
      const { result: res, log } = await logged(() =>
        request(app).post('/oci').set('X-Request-Id', 'same-id').type('form').send(fields),
      );
      answers.push({ status: res.status, body: res.text });
      expect(log).toMatch(reason);
      expect(log).not.toContain(fields.PASSWORD);
      const rows = await t.db('documents').orderBy('created_at').offset(Number(before[0]!.c));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: 'refused', protocol: 'oci', doc_type: 'OCILogin' });
      expect(rows[0].error).toMatch(reason);
    }
    expect(answers[0]!.status).toBe(401);
    expect(answers[1]).toEqual(answers[0]);
  });
});
