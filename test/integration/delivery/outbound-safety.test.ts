import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { queueDelivery } from '../../../src/delivery/service';
import { storeDocument } from '../../../src/documents/store';
import { postOutbound, refusedAddress } from '../../../src/platform/outbound';
import { createTestEnv, waitFor, type TestEnv } from '../../helpers/env';
import { seedPartner } from '../../helpers/partners';
import { ok, startBuyer } from '../invoices/buyer';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function deliverTo(env: TestEnv, partnerId: string, url: string): Promise<string> {
  return env.db.transaction(async (trx) => {
    const documentId = await storeDocument(trx, {
      partnerId,
      protocol: 'cxml',
      docType: 'StatusUpdateRequest',
      direction: 'out',
      status: 'queued',
      contentType: 'text/xml',
      content: '<cXML/>',
    });
    return queueDelivery(trx, { partnerId, documentId, url });
  });
}

const settled = (env: TestEnv, id: string) =>
  waitFor(
    async () => {
      const d = await env.db('deliveries').where({ id }).first();
      return d.status !== 'pending' ? d : undefined;
    },
    15000,
    'delivery decided',
  );

describe('outbound calls: no redirects, no metadata addresses', () => {
  let env: TestEnv;
  let partnerId: string;
  beforeAll(async () => {
    env = await createTestEnv({ redis: true });
    partnerId = (await seedPartner(env.db)).input.id;
  });
  afterAll(async () => env.close());

  it('a delivery answered 302 to another local server is a failed attempt: the redirect is not followed and its Location is recorded', async () => {
    const target = await startBuyer();
    const redirect = createServer((_req, res) => {
      res.writeHead(302, { Location: target.url });
      res.end();
    });
    const port = await listen(redirect);
    try {
      const id = await deliverTo(env, partnerId, `http://127.0.0.1:${port}/cxml`);
      const d = await settled(env, id);
      expect(d.status).toBe('failed');
      expect(d.last_error).toContain(target.url);
      expect(target.received).toHaveLength(0);
      const attempts = await env.db('delivery_attempts').where({ delivery_id: id });
      expect(attempts.length).toBe(env.config.DELIVERY_MAX_ATTEMPTS);
      expect(attempts.every((a) => a.status_code === 302 && a.error.includes(target.url))).toBe(true);
    } finally {
      redirect.closeAllConnections();
      redirect.close();
      await target.close();
    }
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://[::ffff:169.254.169.254]/latest/meta-data/',
    'http://2852039166/latest/meta-data/',
    'http://[fd00:ec2::254]/latest/meta-data/',
  ])('a delivery to the metadata address %s fails at once without a request', async (url) => {
    const id = await deliverTo(env, partnerId, url);
    const d = await settled(env, id);
    expect(d.status).toBe('failed');
    expect(d.last_error).toMatch(/link-local or cloud metadata/);
    expect(await env.db('delivery_attempts').where({ delivery_id: id })).toHaveLength(1);
  });

  it('local buyer endpoints are called by default', async () => {
    const buyer = await startBuyer();
    try {
      const d = await settled(env, await deliverTo(env, partnerId, buyer.url));
      expect(d.status).toBe('delivered');
      expect(buyer.received).toHaveLength(1);
    } finally {
      await buyer.close();
    }
  });

  it('OUTBOUND_DENY_PRIVATE=1 refuses a host name that resolves to loopback, checked on the resolved address', async () => {
    const buyer = await startBuyer((_r, _n, res) => ok(res));
    try {
      const port = new URL(buyer.url).port;
      await expect(
        postOutbound(`http://localhost:${port}/cxml`, {
          headers: {},
          body: 'x',
          timeoutMs: 2000,
          denyPrivate: true,
        }),
      ).rejects.toThrow(/loopback or private/);
      expect(buyer.received).toHaveLength(0);
      // The same name is called when private addresses are allowed.
      const res = await postOutbound(`http://localhost:${port}/cxml`, {
        headers: {},
        body: 'x',
        timeoutMs: 2000,
        denyPrivate: false,
      });
      expect(res.status).toBe(200);
    } finally {
      await buyer.close();
    }
  });

  it('the HTTP call deliveries and approval webhooks share answers a 302 as it is and never calls its Location', async () => {
    const target = await startBuyer();
    const redirect = createServer((_req, res) => {
      res.writeHead(302, { Location: target.url });
      res.end();
    });
    const port = await listen(redirect);
    try {
      const res = await postOutbound(`http://127.0.0.1:${port}/hook`, {
        headers: { 'content-type': 'application/json' },
        body: '{}',
        timeoutMs: 2000,
        denyPrivate: false,
      });
      expect(res).toMatchObject({ status: 302, location: target.url });
      expect(target.received).toHaveLength(0);
    } finally {
      redirect.closeAllConnections();
      redirect.close();
      await target.close();
    }
  });

  it('classifies addresses: metadata always refused, private only when asked', () => {
    expect(refusedAddress('169.254.169.254', false)).toMatch(/metadata/);
    expect(refusedAddress('::ffff:169.254.169.254', false)).toMatch(/metadata/);
    expect(refusedAddress('::ffff:a9fe:a9fe', false)).toMatch(/metadata/);
    expect(refusedAddress('64:ff9b::a9fe:a9fe', false)).toMatch(/metadata/);
    expect(refusedAddress('fe80::1', false)).toMatch(/link-local/);
    expect(refusedAddress('127.0.0.1', false)).toBeNull();
    expect(refusedAddress('127.0.0.1', true)).toMatch(/private/);
    expect(refusedAddress('::ffff:10.0.0.1', true)).toMatch(/private/);
    expect(refusedAddress('::1', true)).toMatch(/private/);
    expect(refusedAddress('93.184.215.14', true)).toBeNull();
  });
});
