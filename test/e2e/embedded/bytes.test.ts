import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEMO_KEYS } from '../../../src/demo';
import {
  freePort,
  startGateway,
  stopGateway,
  waitHealthy,
  type GatewayProcess,
} from '../../helpers/gateway-process';

const header = `<Header>
<From><Credential domain="NetworkID"><Identity>AN-DEMO-BUYER</Identity></Credential></From>
<To><Credential domain="NetworkID"><Identity>AN-SUPPLIER-DEMO</Identity></Credential></To>
<Sender><Credential domain="NetworkID"><Identity>AN-DEMO-BUYER</Identity><SharedSecret>demo-shared-secret</SharedSecret></Credential><UserAgent>t</UserAgent></Sender>
</Header>`;

/** A PunchOutSetupRequest with the demo partner's credentials (fixtures/demo/partner.json). */
const setup = (payloadId: string) => `<?xml version="1.0" encoding="UTF-8"?>
<cXML payloadID="${payloadId}" timestamp="2026-11-23T10:00:00+00:00">
${header}
<Request><PunchOutSetupRequest operation="create"><BuyerCookie>c1</BuyerCookie>
<BrowserFormPost><URL>https://buyer.example/return</URL></BrowserFormPost>
<SupplierSetup><URL>https://supplier.example/cxml</URL></SupplierSetup>
</PunchOutSetupRequest></Request></cXML>`;

const order = (payloadId: string) => `<?xml version="1.0" encoding="UTF-8"?>
<cXML payloadID="${payloadId}" timestamp="2026-11-23T10:00:00+00:00">
${header}
<Request><OrderRequest><OrderRequestHeader orderID="EMB-PO-1" orderDate="2026-11-23T10:00:00+00:00" type="new">
<Total><Money currency="USD">9.90</Money></Total>
</OrderRequestHeader>
<ItemOut quantity="2" lineNumber="1"><ItemID><SupplierPartID>PEN-BLU-12</SupplierPartID></ItemID>
<ItemDetail><UnitPrice><Money currency="USD">4.95</Money></UnitPrice><Description xml:lang="en">Pens</Description><UnitOfMeasure>EA</UnitOfMeasure></ItemDetail></ItemOut>
</OrderRequest></Request></cXML>`;

/**
 * Embedded mode (PGlite): bytea columns read back as Buffers, so a resent document is answered with
 * the stored bytes and raw documents are served as stored. Issue 12: the answer to a resent cXML
 * document was written as a list of numbers ("60,63,120,...").
 */
describe('embedded PGlite: stored bytes are answered as bytes', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gw-bytes-'));
  let port: number;
  let gw: GatewayProcess;
  const url = (p: string) => `http://127.0.0.1:${port}${p}`;
  const cxml = (body: string) =>
    fetch(url('/cxml'), { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body });

  beforeAll(async () => {
    port = await freePort();
    gw = startGateway(dataDir, port);
    await waitHealthy(port, gw);
  }, 120000);
  afterAll(async () => {
    if (gw) await stopGateway(gw);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a resent PunchOutSetupRequest gets the first answer, byte for byte', async () => {
    const body = setup('emb-bytes-setup-1@buyer.example');
    const first = await cxml(body);
    const firstText = await first.text();
    expect(first.status).toBe(200);
    expect(firstText).toMatch(/^<\?xml/);
    const again = await cxml(body);
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(firstText);
  });

  it('a resent OrderRequest gets the first answer as XML; the raw document is the XML received', async () => {
    const body = order('emb-bytes-order-1@buyer.example');
    const first = await cxml(body);
    const firstText = await first.text();
    expect(firstText).toMatch(/<Status code="20[01]"/);
    const again = await cxml(body);
    const againText = await again.text();
    expect(again.status).toBe(first.status);
    expect(again.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(againText).not.toMatch(/^60,63/);
    expect(againText).toBe(firstText);

    const erp = { Authorization: `Bearer ${DEMO_KEYS.erp}` };
    const list = await (await fetch(url('/api/v1/documents?type=OrderRequest'), { headers: erp })).json();
    const doc = list.documents.find(
      (d: { externalId: string }) => d.externalId === 'emb-bytes-order-1@buyer.example',
    );
    expect(doc).toBeDefined();
    const raw = await fetch(url(`/api/v1/documents/${doc.id}/raw`), { headers: erp });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toMatch(/xml/);
    const bytes = Buffer.from(await raw.arrayBuffer());
    expect(bytes.toString('utf8')).toContain('<OrderRequestHeader orderID="EMB-PO-1"');
    // Same length as received (credentials are masked byte for byte).
    expect(bytes.length).toBe(Buffer.byteLength(body));
  });

  it('keeps the admin token in the data dir (the replayed answers need no token)', () => {
    expect(readFileSync(path.join(dataDir, 'admin-token'), 'utf8')).toMatch(/^gwa_/);
  });
});
