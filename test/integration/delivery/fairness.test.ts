/**
 * Issue 17 point 3: one partner whose endpoint hangs must not hold every worker. Each partner has
 * delivery slots (DELIVERY_PARTNER_CONCURRENCY, or its own `delivery.concurrency`) shared by all
 * workers through Postgres; a delivery that finds them taken waits without spending an attempt.
 * Run on both queue adapters.
 */
import type { ServerResponse } from 'node:http';
import { queueDelivery } from '../../../src/delivery/service';
import { storeDocument } from '../../../src/documents/store';
import { createTestEnv, waitFor, type TestEnv } from '../../helpers/env';
import { seedPartner } from '../../helpers/partners';
import { ok, startBuyer } from '../invoices/buyer';

async function queue(env: TestEnv, partnerId: string, url: string, n: number): Promise<string[]> {
  return env.db.transaction(async (trx) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const documentId = await storeDocument(trx, {
        partnerId,
        protocol: 'cxml',
        docType: 'StatusUpdateRequest',
        direction: 'out',
        status: 'queued',
        contentType: 'text/xml',
        content: `<cXML payloadID="${partnerId}-${i}"/>`,
      });
      ids.push(await queueDelivery(trx, { partnerId, documentId, url }));
    }
    return ids;
  });
}

/** A buyer endpoint that counts requests in flight; `hold` decides how long each one waits. */
async function countingBuyer(hold: (res: ServerResponse) => Promise<void>) {
  const state = { inFlight: 0, max: 0 };
  const buyer = await startBuyer(async (_r, _n, res) => {
    state.inFlight++;
    state.max = Math.max(state.max, state.inFlight);
    res.on('close', () => state.inFlight--);
    await hold(res);
  });
  return { ...buyer, state };
}

const partner = (id: string, identity: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: id,
  oci: undefined,
  x12: undefined,
  cxml: {
    credentials: [{ domain: 'NetworkID', identity }],
    sharedSecret: `${id}-secret-1`,
    outboundUrl: 'http://127.0.0.1:9/unused',
    cartReturn: 'cxml-urlencoded' as const,
    statusUpdates: false,
  },
  ...extra,
});

describe.each([
  ['BullMQ', true],
  ['in-process', false],
])('fair delivery across partners (%s)', (_name, redis) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv({
      redis,
      env: { DELIVERY_TIMEOUT_MS: '20000', JOB_CONCURRENCY: '8', DELIVERY_PARTNER_CONCURRENCY: '4' },
    });
    await seedPartner(env.db, partner('hangs', 'AN-HANGS'));
    await seedPartner(env.db, partner('healthy', 'AN-HEALTHY'));
    await seedPartner(env.db, partner('narrow', 'AN-NARROW', { delivery: { concurrency: 1 } }));
  });
  afterAll(async () => env.close());

  it("a partner whose endpoint hangs holds at most its slots; another partner's deliveries queued after its 20 are all delivered at once", async () => {
    const hanging = await countingBuyer(() => new Promise(() => undefined));
    const healthy = await countingBuyer((res) => Promise.resolve(ok(res)));
    try {
      await queue(env, 'hangs', hanging.url, 20);
      await waitFor(() => hanging.state.inFlight >= 4, 10000, 'the hanging partner at its slots');
      const started = Date.now();
      const ids = await queue(env, 'healthy', healthy.url, 5);
      await waitFor(
        async () =>
          (await env.db('deliveries').whereIn('id', ids).where({ status: 'delivered' })).length === 5,
        10000,
        "the healthy partner's deliveries",
      );
      // Well under DELIVERY_TIMEOUT_MS: nothing waited for the hanging endpoint to give up.
      expect(Date.now() - started).toBeLessThan(8000);
      expect(hanging.state.max).toBe(4);
      // The 16 waiting deliveries ask again and again (more often than DELIVERY_MAX_ATTEMPTS, 3)
      // without spending an attempt: they stay pending, none has failed.
      const waiting = await waitFor(
        async () => {
          const rows = await env.db('deliveries').where({ partner_id: 'hangs' }).where('deferrals', '>=', 4);
          return rows.length === 16 ? rows : undefined;
        },
        15000,
        'every waiting delivery deferred four times',
      );
      expect(waiting.every((d) => d.status === 'pending' && d.attempts === 0)).toBe(true);
      expect(await env.db('deliveries').where({ partner_id: 'hangs', status: 'pending' })).toHaveLength(20);
      expect(hanging.state.max).toBe(4);
      expect(await env.db('delivery_slots').where({ partner_id: 'hangs' })).toHaveLength(4);
    } finally {
      await hanging.close();
      await healthy.close();
    }
  });

  it("a partner's own delivery.concurrency bounds its requests in flight, and each delivery takes one attempt", async () => {
    const slow = await countingBuyer(async (res) => {
      await new Promise((r) => setTimeout(r, 150));
      ok(res);
    });
    try {
      const ids = await queue(env, 'narrow', slow.url, 4);
      await waitFor(
        async () =>
          (await env.db('deliveries').whereIn('id', ids).where({ status: 'delivered' })).length === 4,
        15000,
        "the narrow partner's deliveries",
      );
      expect(slow.state.max).toBe(1);
      const rows = await env.db('deliveries').whereIn('id', ids);
      expect(rows.map((r) => r.attempts)).toEqual([1, 1, 1, 1]);
      expect(await env.db('delivery_slots').where({ partner_id: 'narrow' })).toHaveLength(0);
    } finally {
      await slow.close();
    }
  });
});
