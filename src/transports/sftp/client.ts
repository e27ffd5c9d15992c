/**
 * A small promise-based SFTP client over the `ssh2` package: connect with the partner's pinned host
 * key (SHA-256 fingerprint, compared before any credential is sent) and a password or private key,
 * then list, stat, read, write, rename and remove. Every step is bounded by a timeout; addresses are
 * checked like every outbound call (src/platform/outbound.ts: never link-local or metadata, and with
 * OUTBOUND_DENY_PRIVATE=1 no loopback or private range). Errors say which host and which step,
 * never a credential.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Client, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { refusedAddress } from '../../platform/outbound';

export type SftpErrorKind = 'host_key' | 'auth' | 'refused' | 'connect' | 'timeout' | 'io' | 'exists';

export class SftpError extends Error {
  constructor(
    readonly kind: SftpErrorKind,
    message: string,
    /** The SFTP status code of an `io` error (2: no such file, 3: permission denied, 4: failure). */
    readonly code?: number,
  ) {
    super(message);
    this.name = 'SftpError';
  }
}

export interface SftpEndpoint {
  host: string;
  port: number;
  username: string;
  hostKeySha256: string;
  password?: string;
  privateKey?: string;
  privateKeyPassphrase?: string;
}

export interface RemoteEntry {
  name: string;
  size: number;
  /** Seconds since the epoch, as the server says. */
  mtime: number;
  isFile: boolean;
}

/** "SHA256:<base64 without padding>", however the fingerprint was written. */
export function normalizeFingerprint(fp: string): string {
  return `SHA256:${fp
    .trim()
    .replace(/^SHA256:/i, '')
    .replace(/=+$/, '')}`;
}

/** The OpenSSH fingerprint of a host key blob (what `ssh-keygen -lf` prints). */
export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

function sameFingerprint(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const hostLabel = (ep: Pick<SftpEndpoint, 'host' | 'port'>): string =>
  `${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}`;

/** The address to connect to: every address of the name must be allowed. */
async function permittedAddress(host: string, denyPrivate: boolean): Promise<string> {
  const addresses = isIP(host)
    ? [{ address: host }]
    : await lookup(host, { all: true }).catch((err: Error) => {
        throw new SftpError('connect', `${host}: ${err.message}`);
      });
  for (const a of addresses) {
    const why = refusedAddress(a.address, denyPrivate);
    if (why) throw new SftpError('refused', `${host}: ${why}`);
  }
  const first = addresses[0];
  if (!first) throw new SftpError('connect', `${host}: no address`);
  return first.address;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new SftpError('timeout', `${what}: no answer within ${ms} ms`));
    }, ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function ioError(what: string, err: Error & { code?: unknown }): SftpError {
  const code = typeof err.code === 'number' ? err.code : undefined;
  return new SftpError('io', `${what}: ${err.message}`, code);
}

const NO_SUCH_FILE = 2;

export interface SftpSessionOptions {
  timeoutMs: number;
  denyPrivate: boolean;
}

/** One logged-in SFTP session; close() when done. */
export class SftpSession {
  private constructor(
    private readonly conn: Client,
    private readonly sftp: SFTPWrapper,
    private readonly label: string,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Connects and logs in. The host key is checked first: a key other than the pinned one ends the
   * connection before authentication, with an SftpError of kind "host_key" naming both fingerprints.
   */
  static async open(ep: SftpEndpoint, opts: SftpSessionOptions): Promise<SftpSession> {
    const label = hostLabel(ep);
    const address = await permittedAddress(ep.host, opts.denyPrivate);
    const pinned = normalizeFingerprint(ep.hostKeySha256);
    const conn = new Client();
    let seen: string | null = null;
    const config: ConnectConfig = {
      host: address,
      port: ep.port,
      username: ep.username,
      readyTimeout: opts.timeoutMs,
      hostVerifier: (key: Buffer) => {
        seen = fingerprintOf(key);
        return sameFingerprint(seen, pinned);
      },
      ...(ep.password !== undefined ? { password: ep.password } : {}),
      ...(ep.privateKey !== undefined ? { privateKey: ep.privateKey } : {}),
      ...(ep.privateKeyPassphrase !== undefined ? { passphrase: ep.privateKeyPassphrase } : {}),
      // Password and key both given: try the key first, then the password.
      tryKeyboard: false,
    };
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error & { level?: string }) => {
        conn.removeAllListeners('ready');
        conn.end();
        if (seen !== null && !sameFingerprint(seen, pinned))
          return reject(
            new SftpError(
              'host_key',
              `${label}: host key ${seen} is not the pinned sftp.hostKeySha256 ${pinned}; connection refused (the server's key changed, or something sits in between)`,
            ),
          );
        if (err.level === 'client-authentication')
          return reject(
            new SftpError(
              'auth',
              `${label}: the server refused the login of user "${ep.username}" (password or key not accepted)`,
            ),
          );
        if (err.level === 'client-timeout')
          return reject(new SftpError('timeout', `${label}: no SSH handshake within ${opts.timeoutMs} ms`));
        reject(new SftpError('connect', `${label}: ${err.message}`));
      };
      conn.once('ready', () => {
        conn.removeListener('error', fail);
        conn.on('error', () => undefined);
        resolve();
      });
      conn.once('error', fail);
      conn.once('close', () => fail(new Error('connection closed during the handshake')));
      conn.connect(config);
    }).finally(() => conn.removeAllListeners('close'));
    const sftp = await withTimeout(
      new Promise<SFTPWrapper>((resolve, reject) =>
        conn.sftp((err, s) =>
          err ? reject(new SftpError('connect', `${label}: ${err.message}`)) : resolve(s),
        ),
      ),
      opts.timeoutMs,
      `${label}: opening the SFTP subsystem`,
      () => conn.end(),
    ).catch((err: unknown) => {
      conn.end();
      throw err;
    });
    return new SftpSession(conn, sftp, label, opts.timeoutMs);
  }

  private op<T>(what: string, run: (cb: (err: Error | undefined | null, v?: T) => void) => void): Promise<T> {
    return withTimeout(
      new Promise<T>((resolve, reject) =>
        run((err, v) => (err ? reject(ioError(`${this.label}: ${what}`, err)) : resolve(v as T))),
      ),
      this.timeoutMs,
      `${this.label}: ${what}`,
      () => this.conn.end(),
    );
  }

  /** The entries of a directory (without "." and ".."). */
  async list(dir: string): Promise<RemoteEntry[]> {
    const list = await this.op<{ filename: string; attrs: { size: number; mtime: number; mode: number } }[]>(
      `listing ${dir}`,
      (cb) => this.sftp.readdir(dir, cb),
    );
    return list
      .filter((e) => e.filename !== '.' && e.filename !== '..')
      .map((e) => ({
        name: e.filename,
        size: e.attrs.size,
        mtime: e.attrs.mtime,
        isFile: (e.attrs.mode & 0o170000) === 0o100000,
      }));
  }

  /** The entry at `path`, or null when there is none. */
  async stat(path: string): Promise<RemoteEntry | null> {
    try {
      const s = await this.op<{ size: number; mtime: number; mode: number }>(`stat ${path}`, (cb) =>
        this.sftp.stat(path, cb),
      );
      return {
        name: path.slice(path.lastIndexOf('/') + 1),
        size: s.size,
        mtime: s.mtime,
        isFile: (s.mode & 0o170000) === 0o100000,
      };
    } catch (err) {
      if (err instanceof SftpError && err.code === NO_SUCH_FILE) return null;
      throw err;
    }
  }

  async readFile(path: string): Promise<Buffer> {
    return this.op<Buffer>(`reading ${path}`, (cb) => this.sftp.readFile(path, cb));
  }

  async writeFile(path: string, data: Buffer): Promise<void> {
    await this.op<void>(`writing ${path}`, (cb) => this.sftp.writeFile(path, data, cb));
  }

  /** Renames; fails (kind "exists") rather than replace a file already at `to`. */
  async rename(from: string, to: string): Promise<void> {
    if (await this.stat(to)) throw new SftpError('exists', `${this.label}: ${to} exists already`);
    await this.op<void>(`renaming ${from} to ${to}`, (cb) => this.sftp.rename(from, to, cb));
  }

  async unlink(path: string): Promise<void> {
    await this.op<void>(`removing ${path}`, (cb) => this.sftp.unlink(path, cb));
  }

  close(): void {
    this.conn.end();
  }
}

/** Opens a session, runs `fn`, closes the session whatever happens. */
export async function withSftp<T>(
  ep: SftpEndpoint,
  opts: SftpSessionOptions,
  fn: (s: SftpSession) => Promise<T>,
): Promise<T> {
  const session = await SftpSession.open(ep, opts);
  try {
    return await fn(session);
  } finally {
    session.close();
  }
}

/** `dir/name` with one slash. */
export function remotePath(dir: string, name: string): string {
  return `${dir.replace(/\/+$/, '') || (dir.startsWith('/') ? '' : '.')}/${name}`;
}
