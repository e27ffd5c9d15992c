/**
 * The production topology's pieces, shared by `npm run soak` (soak/run.ts) and `npm run bench
 * pipeline` (bench/pipeline.bench.ts): a redis-server of their own on a free port, and gateway
 * processes (servers with WORKERS=0, workers) with their output in a log directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { spawnGateway, type GatewayProcess } from '../test/helpers/gateway-process';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A redis-server of its own. Without persistence by default ("keep" restarts go through a dump);
 * `appendonly` runs it as the README asks of production (AOF, fsync every second, noeviction).
 */
export class OwnRedis {
  child: ChildProcess | undefined;
  readonly dir = mkdtempSync(path.join(tmpdir(), 'gw-redis-'));
  constructor(
    readonly port: number,
    readonly opts: { appendonly?: boolean } = {},
  ) {}
  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    const persistence = this.opts.appendonly
      ? ['--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction']
      : ['--appendonly', 'no'];
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', ...persistence],
      { stdio: 'ignore' },
    );
    const until = Date.now() + 10000;
    while (Date.now() < until) {
      if ((await this.command('PING').catch(() => '')) === 'PONG') return;
      await sleep(50);
    }
    throw new Error(`redis-server on ${this.port} did not start`);
  }
  async command(...args: string[]): Promise<unknown> {
    const c = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on('error', () => {});
    try {
      await c.connect();
      return await c.call(args[0]!, ...args.slice(1));
    } finally {
      c.disconnect();
    }
  }
  async kill(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  }
  /** kill -9 and start empty (what a Redis without persistence does after a crash). */
  async restartEmpty(): Promise<void> {
    await this.kill();
    rmSync(path.join(this.dir, 'dump.rdb'), { force: true });
    await this.start();
  }
  /** A restart that keeps the data: SAVE, kill, start from the dump. */
  async restartKeeping(): Promise<void> {
    await this.command('SAVE');
    await this.kill();
    await this.start();
    rmSync(path.join(this.dir, 'dump.rdb'), { force: true });
  }
  get alive() {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }
  /** Stops it and removes its directory. */
  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One gateway process (`serve` or `worker`), restartable, its output appended to `logDir/name.log`. */
export class Proc {
  g: GatewayProcess | undefined;
  paused = false;
  starts = 0;
  constructor(
    readonly logDir: string,
    readonly name: string,
    readonly args: string[],
    readonly env: Record<string, string>,
    readonly port?: number,
    readonly nodeArgs: string[] = [],
  ) {}
  start(): void {
    this.starts++;
    const g = spawnGateway(this.args, this.env, this.nodeArgs);
    const file = path.join(this.logDir, `${this.name}.log`);
    appendFileSync(file, `--- start ${this.starts} at ${new Date().toISOString()}\n`);
    g.child.stdout!.on('data', (d: Buffer) => appendFileSync(file, d));
    g.child.stderr!.on('data', (d: Buffer) => appendFileSync(file, d));
    this.g = g;
    this.paused = false;
  }
  get alive() {
    const c = this.g?.child;
    return !!c && c.exitCode === null && c.signalCode === null;
  }
  get pid(): number | undefined {
    return this.g?.child.pid;
  }
  async kill9(): Promise<void> {
    if (!this.alive) return;
    const g = this.g!;
    if (this.paused) g.child.kill('SIGCONT');
    g.child.kill('SIGKILL');
    await g.exited;
  }
  async stop(): Promise<void> {
    if (!this.alive) return;
    const g = this.g!;
    if (this.paused) g.child.kill('SIGCONT');
    g.child.kill('SIGTERM');
    const t = setTimeout(() => g.child.kill('SIGKILL'), 10000);
    await g.exited;
    clearTimeout(t);
  }
  pause(): void {
    if (this.alive && !this.paused) {
      this.g!.child.kill('SIGSTOP');
      this.paused = true;
    }
  }
  resume(): void {
    if (this.alive && this.paused) this.g!.child.kill('SIGCONT');
    this.paused = false;
  }
  async ready(timeoutMs = 60000): Promise<void> {
    if (this.port === undefined) return;
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (!this.alive) throw new Error(`${this.name} exited; see ${this.logDir}/${this.name}.log`);
      const ok = await fetch(`http://127.0.0.1:${this.port}/health`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return;
      await sleep(200);
    }
    throw new Error(`${this.name} did not answer /health`);
  }
}
