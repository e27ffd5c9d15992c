/**
 * Expiry warnings of AS2 certificates: /metrics shows every partner certificate's and supplier key's
 * seconds left; the daily job (scheduled once AS2 is used) warns in the log about those ending within
 * AS2_CERT_WARN_DAYS and about ended ones without a valid successor.
 */
import request from 'supertest';
import type { JobContext } from '../../../src/platform/jobs';
import { as2ExpiryJob, certificateExpiries, expiryWarnings } from '../../../src/transports/as2/expiry';
import { ADMIN_TOKEN, auth } from '../../helpers/env';
import { OpensslLab, type Identity } from '../../unit/as2/openssl';
import { as2Partner, putPartner, setupAs2Gateway, type Gateway } from './helpers';

let lab: OpensslLab;
let gatewayKey: Identity;
let soon: Identity;
let later: Identity;
let gw: Gateway;

beforeAll(async () => {
  lab = new OpensslLab();
  gatewayKey = lab.identity('gateway', { days: 365 });
  soon = lab.identity('partner-soon', { days: 10 });
  later = lab.identity('partner-later', { days: 400 });
  gw = await setupAs2Gateway(gatewayKey);
  const body = as2Partner({
    id: 'expiring',
    isaId: 'EXPIRING',
    as2Id: 'EXPIRING',
    certificates: [soon, later],
  });
  expect((await putPartner(gw.app, body)).status).toBe(201);
}, 60000);
afterAll(async () => {
  await gw?.env.close();
  lab?.cleanup();
});

test('/metrics answers the seconds left of every AS2 certificate', async () => {
  const res = await request(gw.app).get('/metrics').set(auth(ADMIN_TOKEN));
  expect(res.status).toBe(200);
  const line = (owner: string, partner: string, c: Identity) =>
    new RegExp(
      `^gateway_as2_certificate_expiry_seconds\\{owner="${owner}",partner="${partner}",fingerprint="${c.cert.fingerprintSha256}"\\} (\\d+)$`,
      'm',
    );
  const left = Number(line('partner', 'expiring', soon).exec(res.text)?.[1]);
  expect(Math.abs(left - (soon.cert.notAfter.getTime() - Date.now()) / 1000)).toBeLessThan(120);
  expect(res.text).toMatch(line('partner', 'expiring', later));
  expect(res.text).toMatch(line('supplier', '', gatewayKey));
});

test('the daily check is scheduled and warns about what ends within AS2_CERT_WARN_DAYS', async () => {
  expect(await gw.env.db('job_schedules').where({ key: 'as2.expiry-check' }).first()).toMatchObject({
    job_name: 'as2.expiry-check',
    every_ms: 86_400_000,
  });
  const warnings: string[] = [];
  const ctx = {
    db: gw.env.db,
    config: gw.env.config,
    now: () => new Date(),
    log: { warn: (_o: object, msg: string) => warnings.push(msg) },
  } as unknown as JobContext;
  await as2ExpiryJob.handler({}, ctx);
  expect(warnings).toEqual([
    expect.stringMatching(/^partner expiring's AS2 certificate O=AS2 test, CN=partner-soon .* in 9 days$/),
  ]);
});

test('an ended certificate is warned about only when its owner has no valid one', async () => {
  const all = await certificateExpiries(gw.env.db);
  const afterSoon = new Date(soon.cert.notAfter.getTime() + 86_400_000);
  expect(expiryWarnings(all, afterSoon, 30)).toEqual([]);
  const afterAll = new Date(later.cert.notAfter.getTime() + 86_400_000);
  const w = expiryWarnings(all, afterAll, 30);
  expect(w).toHaveLength(3);
  expect(w.filter((x) => x.includes('has no valid successor'))).toHaveLength(3);
});
