import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, startGateway, stopGateway, waitHealthy } from '../../helpers/gateway-process';

/** A PunchOutSetupRequest with the demo partner's credentials (fixtures/demo/partner.json). */
const DEMO_SETUP = `<?xml version="1.0" encoding="UTF-8"?>
<cXML payloadID="embedded-setup-1@buyer.example" timestamp="2026-11-23T10:00:00+00:00">
<Header>
<From><Credential domain="NetworkID"><Identity>AN-DEMO-BUYER</Identity></Credential></From>
<To><Credential domain="NetworkID"><Identity>AN-SUPPLIER-DEMO</Identity></Credential></To>
<Sender><Credential domain="NetworkID"><Identity>AN-DEMO-BUYER</Identity><SharedSecret>demo-shared-secret</SharedSecret></Credential><UserAgent>e2e</UserAgent></Sender>
</Header>
<Request><PunchOutSetupRequest operation="create"><BuyerCookie>c1</BuyerCookie>
<BrowserFormPost><URL>https://buyer.example/return</URL></BrowserFormPost>
<SupplierSetup><URL>https://supplier.example/cxml</URL></SupplierSetup>
</PunchOutSetupRequest></Request></cXML>`;

describe('embedded default (PGlite, in-process jobs, demo data)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gw-embedded-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts with no environment, seeds the demo, drains on SIGTERM and keeps its data across a restart', async () => {
    const port = await freePort();
    const first = startGateway(dataDir, port);
    await waitHealthy(port, first);
    expect(first.output()).toContain('Demo partner "demo" seeded');
    const token = readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
    expect(first.output()).toContain(token);
    const h = { Authorization: `Bearer ${token}` };
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    expect(await ready.json()).toEqual({ status: 'ready', database: true, queue: true });
    const created = await fetch(`http://127.0.0.1:${port}/api/v1/catalog/import`, {
      method: 'POST',
      headers: { ...h, 'Content-Type': 'application/json' },
      body: JSON.stringify([
        { sku: 'KEEP-ME', name: 'Survives a restart', unit_price: '1.00', currency: 'USD', uom: 'EA' },
      ]),
    });
    expect(created.status).toBe(200);

    // The statements written past knex (nativeQuery) on PGlite: a punchout setup with its session,
    // a JSON order and the replay of its answer.
    const setup = await fetch(`http://127.0.0.1:${port}/cxml`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml' },
      body: DEMO_SETUP,
    });
    expect(await setup.text()).toMatch(/<Status code="200"[\s\S]*<StartPage>\s*<URL>/);
    const order = () =>
      fetch(`http://127.0.0.1:${port}/api/v1/orders`, {
        method: 'POST',
        headers: {
          Authorization: 'Bearer gwk_erp_demo-erp-key-not-for-production',
          'Content-Type': 'application/json',
          'Idempotency-Key': 'embedded-1',
        },
        body: JSON.stringify({
          buyerOrderNumber: 'EMB-1',
          currency: 'USD',
          lines: [{ lineNumber: 1, supplierPartId: 'PEN-BLU-12', quantity: '2', unitPrice: '4.95' }],
        }),
      });
    const accepted = await order();
    expect(accepted.status).toBe(201);
    const answer = await accepted.json();
    // The supplier order number comes from a Postgres sequence, on PGlite too.
    expect(answer.supplierOrderNumber).toBe('SO-000001');
    const replayed = await order();
    expect(replayed.status).toBe(201);
    expect(await replayed.json()).toEqual(answer);
    expect(await stopGateway(first)).toBe(0);

    const second = startGateway(dataDir, port);
    await waitHealthy(port, second);
    expect(second.output()).not.toContain('seeded');
    expect(second.output()).not.toContain(token);
    const items = await (
      await fetch(`http://127.0.0.1:${port}/api/v1/catalog/items?q=KEEP-ME`, { headers: h })
    ).json();
    expect(items.items.map((i: { sku: string }) => i.sku)).toEqual(['KEEP-ME']);
    const partners = await (await fetch(`http://127.0.0.1:${port}/api/v1/partners`, { headers: h })).json();
    expect(partners.partners.map((p: { id: string }) => p.id)).toEqual(['demo']);
    const kept = await (
      await fetch(`http://127.0.0.1:${port}/api/v1/orders?buyerOrderNumber=EMB-1`, { headers: h })
    ).json();
    expect(kept.items.map((o: { buyerOrderNumber: string }) => o.buyerOrderNumber)).toEqual(['EMB-1']);
    expect(kept.items[0].supplierOrderNumber).toBe('SO-000001');
    expect(await stopGateway(second)).toBe(0);
  }, 240000);
});
