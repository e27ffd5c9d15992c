/**
 * Every PunchOutSetupRequest and ProfileRequest of the cXML corpus (fixtures/cxml), with From, To
 * and Sender replaced by the test partner's credentials, is accepted or refused for the reason
 * recorded here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../../src/app';
import { createTestEnv, type TestEnv } from '../../helpers/env';
import { adaptCredentials, seedShop } from './helpers';

const ROOT = path.resolve(__dirname, '../../../fixtures/cxml');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.xml') ? [p] : [];
  });
}

const files = walk(ROOT)
  .filter((f) => !f.includes(`${path.sep}golden${path.sep}`))
  .filter((f) => /<(PunchOutSetupRequest|ProfileRequest)[\s>/]/.test(readFileSync(f, 'utf8')))
  .map((f) => path.relative(ROOT, f))
  .sort();

/** The outcome of each document: 'accepted', or the exact refusal (status and text). */
const EXPECTED: Record<string, string> = {
  'corpus/FriendsOfCXML__cxml-php/tests/metadata/cxml/samples/PunchOutSetupRequest.xml': 'accepted',
  'corpus/FriendsOfCXML__cxml-php/tests/metadata/cxml/samples/simple-profile-request.xml': 'accepted',
  'corpus/officeluv__cxml/spec/fixtures/punch_out_setup_request_doc.xml': 'accepted',
  'corpus/officeluv__cxml/spec/fixtures/punch_out_setup_request_doc_coupa.xml': 'accepted',
  'corpus/officeluv__cxml/spec/fixtures/punch_out_setup_request_doc_with_ship_to.xml': 'accepted',
  'envelope/credential-mac.xml': 'accepted',
  'profile-request/v1.2.063.xml': 'accepted',
  'punchout-setup-request/v1.1.009-create.xml': 'accepted',
  'punchout-setup-request/v1.2.063-edit.xml': 'accepted',
};

let env: TestEnv;
let app: Express;

beforeAll(async () => {
  env = await createTestEnv();
  await seedShop(env.db);
  app = createApp(env.ctx);
});
afterAll(async () => {
  await env.close();
});

it('finds the corpus documents', () => {
  expect(files).toEqual(Object.keys(EXPECTED).sort());
});

it.each(files)('%s', async (file) => {
  // Some corpus documents share a payloadID; each gets its own so none is taken for a resend.
  const xml = adaptCredentials(readFileSync(path.join(ROOT, file), 'utf8')).replace(
    /payloadID="([^"]*)"/,
    (_m, id: string) => `payloadID="${id}.${files.indexOf(file)}"`,
  );
  const res = await request(app).post('/cxml').set('Content-Type', 'text/xml').send(xml);
  const code = /<Status code="(\d+)"[^>]*>([\s\S]*?)<\/Status>|<Status code="(\d+)"/.exec(res.text);
  const status = code?.[1] ?? code?.[3];
  const outcome = status === '200' ? 'accepted' : `${status}: ${(code?.[2] ?? '').trim()}`;
  expect(outcome).toBe(EXPECTED[file]);
  if (outcome === 'accepted') {
    expect(res.text).toMatch(/<(StartPage|ProfileResponse)/);
  }
});
