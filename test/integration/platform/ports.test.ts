/**
 * A port that is taken stops the start with a message naming the port and the setting, exit code 1,
 * instead of a server that says "listening" and is not (issue 12 point 8); HEALTH_PORT serves the
 * probes on a listener of their own (issue 17 point 4).
 */
import net from 'node:net';
import { ADMIN_TOKEN, SECRETS_KEY, createTestDatabase } from '../../helpers/env';
import { freePort, runGateway, spawnGateway, stopGateway, waitHealthy } from '../../helpers/gateway-process';

describe('ports', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let busy: net.Server;
  let busyPort: number;
  const env = () => ({ DATABASE_URL: database.url, ADMIN_TOKEN, SECRETS_KEY, WORKERS: '0' });

  beforeAll(async () => {
    database = await createTestDatabase();
    busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => busy.close(resolve));
    await database.drop();
  });

  it('--help prints the commands and --server to stdout with exit 0; no command is a usage error (2)', async () => {
    const help = await runGateway(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.output).toContain('keys create PARTNER ROLE');
    expect(help.output).toContain('take --server URL');
    expect((await runGateway([], {})).code).toBe(2);
  }, 60000);

  it('PORT in use: exit 1, naming the port and PORT, never "listening"', async () => {
    const { code, output } = await runGateway(['serve'], {
      ...env(),
      HOST: '127.0.0.1',
      PORT: String(busyPort),
    });
    expect(code).toBe(1);
    expect(output).toContain(`Port ${busyPort} on 127.0.0.1 is in use by another process`);
    expect(output).toContain('set PORT to a free port');
    expect(output).not.toMatch(/listening/i);
  }, 60000);

  it('HEALTH_PORT in use: exit 1 naming HEALTH_PORT', async () => {
    const port = await freePort();
    const { code, output } = await runGateway(['serve'], {
      ...env(),
      HOST: '127.0.0.1',
      PORT: String(port),
      HEALTH_PORT: String(busyPort),
    });
    expect(code).toBe(1);
    expect(output).toContain('set HEALTH_PORT to a free port');
  }, 60000);

  it('HEALTH_PORT answers /health and /ready, and nothing else', async () => {
    const [port, healthPort] = [await freePort(), await freePort()];
    const g = spawnGateway(['serve'], {
      ...env(),
      PORT: String(port),
      HEALTH_PORT: String(healthPort),
    });
    try {
      await waitHealthy(healthPort, g, 60000);
      const ready = await fetch(`http://127.0.0.1:${healthPort}/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', database: true, queue: true });
      expect((await fetch(`http://127.0.0.1:${healthPort}/api/v1/orders`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    } finally {
      expect(await stopGateway(g)).toBe(0);
    }
  }, 60000);
});
