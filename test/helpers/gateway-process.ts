import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

/** The repository root: `npm start` and the CLI run from there. */
export const ROOT = path.resolve(__dirname, '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The environment of a fresh clone: no DATABASE_URL, REDIS_URL or ADMIN_TOKEN unless given. */
export function cleanEnv(env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...env };
}

export interface GatewayProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * `gateway <args>` as a process (node --import tsx src/cli.ts), its stdout and stderr collected;
 * `nodeArgs` go to node first (flags NODE_OPTIONS does not take, such as --cpu-prof).
 */
export function spawnGateway(
  args: string[],
  env: Record<string, string | undefined>,
  nodeArgs: string[] = [],
): GatewayProcess {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** `npm start` as a fresh clone runs it: embedded PGlite in `dataDir`, in-process jobs. */
export function startGateway(
  dataDir: string,
  port: number,
  env: Record<string, string | undefined> = {},
): GatewayProcess {
  return spawnGateway(['serve'], { DATA_DIR: dataDir, PORT: String(port), ...env });
}

/** A CLI command run to its end: exit code and everything it printed. */
export async function runGateway(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; output: string }> {
  const p = spawnGateway(args, env);
  const code = await p.exited;
  return { code, output: p.output() };
}

export async function waitHealthy(port: number, g: GatewayProcess, timeoutMs = 180000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (g.child.exitCode !== null) throw new Error(`gateway exited: ${g.output()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.status === 200) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gateway did not answer /health: ${g.output()}`);
}

/** SIGTERM, then the exit code. */
export async function stopGateway(g: GatewayProcess): Promise<number | null> {
  if (g.child.exitCode !== null) return g.child.exitCode;
  g.child.kill('SIGTERM');
  return g.exited;
}
