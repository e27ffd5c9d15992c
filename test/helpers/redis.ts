import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A TCP port nothing listens on now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface OwnRedis {
  url: string;
  port: number;
  /** Sends one command (inline protocol) and resolves with the raw reply. */
  command: (...args: string[]) => Promise<string>;
  stop: () => Promise<void>;
}

/**
 * A redis-server of the test's own on a free port (never the shared 6379, which other tests use):
 * for tests that flush, restart or reconfigure Redis. `args` are extra redis-server options.
 */
export async function startRedis(args: string[] = []): Promise<OwnRedis> {
  const port = await freePort();
  // Its own directory: an append-only file switched on by a test lands there, not in the work tree.
  const dir = mkdtempSync(path.join(tmpdir(), 'gw-redis-'));
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      ...args,
    ],
    { stdio: 'ignore' },
  );
  const command = (...parts: string[]) =>
    new Promise<string>((resolve, reject) => {
      const sock = new Socket();
      let reply = '';
      sock.setTimeout(5000, () => sock.destroy(new Error('redis did not answer')));
      sock.on('error', reject);
      sock.on('data', (d) => {
        reply += d.toString();
        if (reply.endsWith('\r\n')) {
          sock.end();
          resolve(reply.trim());
        }
      });
      sock.connect(port, '127.0.0.1', () => {
        const resp = `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`;
        sock.write(resp);
      });
    });
  const deadline = Date.now() + 10000;
  for (;;) {
    try {
      if ((await command('PING')) === '+PONG') break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    command,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null)
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
