/**
 * Real SFTP servers for tests, on 127.0.0.1 and a free high port, with everything in a temp dir:
 * - startSshd(): Debian's OpenSSH server (/usr/sbin/sshd, openssh-server in .ci/run) with its own
 *   config, host key and authorized_keys, as the current user, key login only, internal-sftp;
 * - startPasswordSftp(): password login (which sshd cannot offer without a system password), served
 *   by the ssh2 package's server in front of OpenSSH's own sftp-server program.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { Server, type Connection } from 'ssh2';

export interface SftpTestServer {
  host: string;
  port: number;
  username: string;
  /** The server's host key fingerprint (ssh-keygen -lf). */
  hostKeySha256: string;
  /** A directory on this machine that the server serves (the SFTP paths are the same). */
  root: string;
  /** The client's private key (OpenSSH format) that sshd accepts; undefined for the password server. */
  privateKey?: string;
  password?: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function keygen(file: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'gateway-test', '-f', file]);
}

export function fingerprint(pubFile: string): string {
  return execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubFile]).toString().split(' ')[1]!;
}

/** A second host key, to pin the wrong one. */
export function otherHostKeyFingerprint(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gw-sftp-key-'));
  try {
    keygen(path.join(dir, 'k'));
    return fingerprint(path.join(dir, 'k.pub'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

export async function startSshd(): Promise<SftpTestServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gw-sshd-'));
  const root = path.join(dir, 'data');
  mkdirSync(root);
  keygen(path.join(dir, 'host_ed25519'));
  keygen(path.join(dir, 'client'));
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(path.join(dir, 'client.pub')));
  // sshd started by root wants its privilege separation directory (the package's service makes it).
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
  const username = userInfo().username;
  for (let tries = 0; ; tries++) {
    const port = await freePort();
    writeFileSync(
      path.join(dir, 'sshd_config'),
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${dir}/host_ed25519`,
        `PidFile ${dir}/sshd.pid`,
        `AuthorizedKeysFile ${dir}/authorized_keys`,
        `AllowUsers ${username}`,
        'StrictModes no',
        'UsePAM no',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'Subsystem sftp internal-sftp',
        'MaxStartups 100',
        'LogLevel ERROR',
        '',
      ].join('\n'),
    );
    const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', path.join(dir, 'sshd_config')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr.on('data', (c: Buffer) => (log += c.toString()));
    const up = await waitListening(port, child);
    if (!up) {
      await stopChild(child);
      if (tries < 3 && /Address already in use/i.test(log)) continue;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`sshd did not start: ${log.trim()}`);
    }
    return {
      host: '127.0.0.1',
      port,
      username,
      hostKeySha256: fingerprint(path.join(dir, 'host_ed25519.pub')),
      root,
      privateKey: readFileSync(path.join(dir, 'client'), 'utf8'),
      stop: async () => {
        await stopChild(child);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

/** True once something accepts connections on the port (false if the child exits first). */
async function waitListening(port: number, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + 10000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

const SFTP_SERVER = ['/usr/lib/openssh/sftp-server', '/usr/lib/sftp-server'].find((p) => existsSync(p));

/** Password login, then OpenSSH's sftp-server for the SFTP subsystem. */
export async function startPasswordSftp(password: string): Promise<SftpTestServer> {
  if (!SFTP_SERVER) throw new Error('no sftp-server program (Debian openssh-sftp-server)');
  const dir = mkdtempSync(path.join(tmpdir(), 'gw-sftp-pw-'));
  const root = path.join(dir, 'data');
  mkdirSync(root);
  keygen(path.join(dir, 'host'));
  const username = 'buyer-edi';
  const children = new Set<ChildProcess>();
  const clients = new Set<Connection>();
  const server = new Server({ hostKeys: [readFileSync(path.join(dir, 'host'))] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => undefined);
    client.on('authentication', (a) => {
      if (a.method === 'password' && a.username === username && a.password === password) a.accept();
      else a.reject(['password']);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('subsystem', (accept, reject, info) => {
          if (info.name !== 'sftp') return reject();
          const channel = accept();
          const child = spawn(SFTP_SERVER, ['-d', root], { stdio: ['pipe', 'pipe', 'ignore'] });
          children.add(child);
          channel.pipe(child.stdin);
          child.stdout.pipe(channel);
          child.on('exit', () => {
            children.delete(child);
            channel.exit(0);
            channel.end();
          });
          channel.on('close', () => child.kill());
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    username,
    hostKeySha256: fingerprint(path.join(dir, 'host.pub')),
    root,
    password,
    stop: async () => {
      for (const c of clients) c.end();
      for (const c of children) c.kill();
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
