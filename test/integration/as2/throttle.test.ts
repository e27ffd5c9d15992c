/**
 * Refused AS2 messages count against the client's address (AUTH_FAILURES_PER_ADDRESS within
 * AUTH_FAILURE_WINDOW_SECONDS): past the limit the address gets 429 with Retry-After before any key
 * is used, whatever it sends.
 */
import { listenApp } from '../../helpers/server';
import { OpensslLab, type Identity } from '../../unit/as2/openssl';
import {
  as2Partner,
  GATEWAY_AS2_ID,
  interchange850,
  putPartner,
  setupAs2Gateway,
  type Gateway,
} from './helpers';
import { header, PartnerStation } from './partner-lab';

let lab: OpensslLab;
let gatewayKey: Identity;
let partnerKey: Identity;
let stranger: Identity;
let gw: Gateway;
let http: Awaited<ReturnType<typeof listenApp>>;

beforeAll(async () => {
  lab = new OpensslLab();
  gatewayKey = lab.identity('gateway');
  partnerKey = lab.identity('partner');
  stranger = lab.identity('stranger');
  gw = await setupAs2Gateway(gatewayKey, {
    AUTH_FAILURES_PER_ADDRESS: '3',
    AUTH_FAILURE_WINDOW_SECONDS: '60',
  });
  const body = as2Partner({
    id: 'throttled',
    isaId: 'THROTTLED',
    as2Id: 'THROTTLED',
    certificates: [partnerKey],
  });
  expect((await putPartner(gw.app, body)).status).toBe(201);
  http = await listenApp(gw.app);
}, 60000);
afterAll(async () => {
  await http?.close();
  await gw?.env.close();
  lab?.cleanup();
});

test('three refusals, then 429 with Retry-After, even for a good message', async () => {
  const x12 = Buffer.from(interchange850({ sender: 'THROTTLED', isa13: '700000001', po: 'T-1' }), 'latin1');
  const headers = (id: string, from = 'THROTTLED'): [string, string][] => [
    ['AS2-From', from],
    ['AS2-To', GATEWAY_AS2_ID],
    ['Message-ID', `<${id}@partner.example>`],
    ['Disposition-Notification-To', 'edi@partner.example'],
  ];
  const bad = new PartnerStation(lab, stranger, gatewayKey);
  const good = new PartnerStation(lab, partnerKey, gatewayKey);
  const statuses: number[] = [];
  statuses.push(
    (await bad.send(`${http.url}/as2`, bad.sign(bad.entity(x12), 'sha256'), headers('t1'))).status,
  );
  statuses.push(
    (await bad.send(`${http.url}/as2`, bad.sign(bad.entity(x12), 'sha256'), headers('t2', 'NOBODY'))).status,
  );
  statuses.push((await bad.send(`${http.url}/as2`, bad.entity(x12), headers('t3'))).status);
  expect(statuses).toEqual([200, 200, 200]);
  const refused = await good.send(`${http.url}/as2`, good.sign(good.entity(x12), 'sha256'), headers('t4'));
  expect(refused.status).toBe(429);
  expect(Number(header(refused.headers, 'retry-after'))).toBeGreaterThan(0);
  expect(await gw.env.db('orders').where({ partner_id: 'throttled' })).toHaveLength(0);
});
