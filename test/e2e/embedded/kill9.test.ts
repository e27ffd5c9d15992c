/**
 * Issue 12 point 8: does embedded PGlite survive `kill -9` during writes? The server takes JSON
 * orders from four senders; at a random moment it is killed with SIGKILL and started again on the
 * same data dir. Each round checks that the data dir opens and that every order acknowledged with a
 * 2xx is there. KILL9_ROUNDS (default 3) runs more rounds; the figures go to the README.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, startGateway, waitHealthy, type GatewayProcess } from '../../helpers/gateway-process';

const ROUNDS = Number(process.env.KILL9_ROUNDS ?? 3);
const ERP = 'Bearer gwk_erp_demo-erp-key-not-for-production';

describe('embedded PGlite and kill -9 during writes', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gw-kill9-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it(`${ROUNDS} rounds of kill -9 while orders are written: the data dir opens and every acknowledged order is there`, async () => {
    const port = await freePort();
    let server: GatewayProcess = startGateway(dataDir, port);
    await waitHealthy(port, server);
    const token = readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
    const acknowledged: string[] = [];
    const figures: string[] = [];
    let n = 0;

    for (let round = 1; round <= ROUNDS; round++) {
      let sending = true;
      const sender = async () => {
        while (sending) {
          const id = `K9-${round}-${n++}`;
          try {
            const res = await fetch(`http://127.0.0.1:${port}/api/v1/orders`, {
              method: 'POST',
              headers: { authorization: ERP, 'content-type': 'application/json' },
              body: JSON.stringify({
                buyerOrderNumber: id,
                currency: 'USD',
                lines: [{ lineNumber: 1, supplierPartId: 'PEN-BLU-12', quantity: '1', unitPrice: '4.95' }],
              }),
            });
            if (res.status === 201) acknowledged.push(id);
            await res.arrayBuffer();
          } catch {
            // killed mid-request: not acknowledged
          }
        }
      };
      const senders = Array.from({ length: 4 }, sender);
      const before = acknowledged.length;
      await new Promise((r) => setTimeout(r, 1000 + Math.floor(Math.random() * 2000)));
      server.child.kill('SIGKILL');
      await server.exited;
      sending = false;
      await Promise.all(senders);

      const restarted = Date.now();
      server = startGateway(dataDir, port);
      await waitHealthy(port, server, 120000);
      const reopenMs = Date.now() - restarted;
      const missing: string[] = [];
      for (const id of acknowledged) {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/orders?buyerOrderNumber=${id}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const body = (await res.json()) as { items: unknown[] };
        if (body.items.length !== 1) missing.push(id);
      }
      figures.push(
        `round ${round}: ${acknowledged.length - before} orders acknowledged before kill -9, reopened in ${reopenMs} ms, ${missing.length} missing`,
      );
      expect(missing).toEqual([]);
    }
    console.log(`kill -9 study (${ROUNDS} rounds):\n${figures.join('\n')}`);
    server.child.kill('SIGTERM');
    await server.exited;
  }, 600000);
});
