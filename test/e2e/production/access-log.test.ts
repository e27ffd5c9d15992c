/**
 * Issue 12 point 9: the access log of a running gateway (`gateway serve` on Postgres, LOG_LEVEL=info,
 * its stdout read as written) never holds a secret a request carried: browser session tokens and
 * punchout start tokens (path segments), cookies, bearer keys, the admin token, and keys or tokens
 * in query strings (approval links, OCI logins by GET, ?key=, ?token=). The access line still names
 * the request (method, path with the secret replaced, status).
 */
import {
  spawnGateway,
  freePort,
  stopGateway,
  waitHealthy,
  type GatewayProcess,
} from '../../helpers/gateway-process';
import { ADMIN_TOKEN, createTestEnv, SECRETS_KEY, type TestEnv } from '../../helpers/env';
import {
  OCI_PASSWORD,
  OCI_USER,
  seedShop,
  setupRequest,
  startPath,
} from '../../integration/punchout/helpers';

// One server start (tsx and migrations on two shared cores) and a dozen requests.
jest.setTimeout(240000);

let t: TestEnv;
let gw: GatewayProcess;
let base: string;
let erpKey: string;
let financeKey: string;

beforeAll(async () => {
  t = await createTestEnv({ start: false });
  ({ erpKey, financeKey } = await seedShop(t.db));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  gw = spawnGateway(['serve'], {
    DATABASE_URL: t.config.DATABASE_URL,
    PORT: String(port),
    ADMIN_TOKEN,
    SECRETS_KEY,
    LOG_LEVEL: 'info',
    DEMO: '0',
    PUBLIC_BASE_URL: base,
    SUPPLIER_CXML_DOMAIN: 'NetworkID',
    SUPPLIER_CXML_IDENTITY: 'AN-SUPPLIER-TEST',
  });
  await waitHealthy(port, gw);
});
afterAll(async () => {
  if (gw) await stopGateway(gw);
  await t?.close();
});

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { headers, redirect: 'manual' });

it('holds no token, key, cookie or password that requests carried, and still names each request', async () => {
  const secrets: string[] = [erpKey, financeKey, ADMIN_TOKEN, OCI_PASSWORD];

  // A punchout session: the start token and the browser token are path segments.
  const setup = await fetch(`${base}/cxml`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml' },
    body: setupRequest(),
  });
  expect(setup.status).toBe(200);
  const start = startPath(await setup.text());
  const startToken = start.split('/').pop()!;
  const opened = await get(start);
  expect(opened.status).toBe(303);
  const shop = opened.headers.get('location')!;
  const browserToken = /^\/punchout\/s\/([^/]+)\//.exec(shop)![1]!;
  secrets.push(startToken, browserToken);
  expect((await get(shop)).status).toBe(200);
  expect((await get(`${shop}search?q=paper`)).status).toBe(200);
  expect((await get(`${shop}cart`)).status).toBe(200);
  // Express routes ignore case: a path written in capitals reaches the same shop.
  expect((await get(shop.replace('/punchout/s/', '/PUNCHOUT/S/'))).status).toBe(200);
  expect((await get(`${shop}no-such-page`)).status).toBe(404);

  // Bearer keys, the admin token, and the same values in query strings.
  expect((await get('/api/v1/orders', { Authorization: `Bearer ${erpKey}` })).status).toBe(200);
  expect((await get('/api/v1/partners', { Authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(200);
  await get(`/api/v1/orders?key=${erpKey}&token=${ADMIN_TOKEN}`);
  await get(`/api/v1/no-such-route/${erpKey}`);

  // Cookies of the page areas, an approval link, an OCI login by GET.
  await get('/finance', { Cookie: `gw_finance=${encodeURIComponent(financeKey)}` });
  const linkToken = 'approval-link-token-Zx81qPm3Lw';
  secrets.push(linkToken);
  await get(`/approvals/link?token=${linkToken}`);
  await get('/approvals', { Cookie: `gw_approvals=${linkToken}` });
  const oci = new URLSearchParams({
    USERNAME: OCI_USER,
    PASSWORD: OCI_PASSWORD,
    HOOK_URL: 'https://srm.acme.example/hook',
  });
  expect((await get(`/oci?${oci}`)).status).toBe(303);

  // The access lines are written when each answer finishes; give the last one a moment.
  await new Promise((r) => setTimeout(r, 500));
  const out = gw.output();
  const access = out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg: string; method?: string; path?: string; status?: number })
    .filter((l) => l.msg === 'request');
  expect(access.length).toBeGreaterThanOrEqual(15);
  for (const s of secrets) expect(out).not.toContain(s);
  for (const s of secrets) expect(out).not.toContain(encodeURIComponent(s));
  // Still useful: the shop request is there, its token replaced.
  expect(access).toContainEqual(
    expect.objectContaining({ method: 'GET', path: '/punchout/s/[redacted]/search', status: 200 }),
  );
  expect(access).toContainEqual(
    expect.objectContaining({ method: 'GET', path: '/punchout/start/[redacted]', status: 303 }),
  );
  expect(access).toContainEqual(expect.objectContaining({ method: 'GET', path: '/oci', status: 303 }));
});
