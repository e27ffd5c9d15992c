import {
  chmodSync,
  closeSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { AppError } from './errors';

/**
 * The embedded data dir (DATA_DIR) belongs to one process at a time: two PGlite instances on one
 * directory corrupt it, and a CLI command writing beside a running server wrote rows the server
 * never saw. The process that opens it holds `DATA_DIR/gateway.lock` (created exclusively) naming
 * itself; anyone else stops at once with a message naming the holder. A lock whose process is gone
 * (kill -9, a power cut) is taken over.
 */
export interface LockHolder {
  pid: number;
  /** What holds it: `serve`, `catalog import`, ... */
  command: string;
  /** Where a running server answers (its admin API), for CLI commands to use instead. */
  url?: string;
  since: string;
}

const LOCK_FILE = 'gateway.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof h.pid !== 'number' || typeof h.command !== 'string') return undefined;
    return { pid: h.pid, command: h.command, url: h.url, since: String(h.since ?? '') };
  } catch {
    return undefined;
  }
}

/** The live process holding the data dir, if any. */
export function dataDirHolder(dataDir: string): LockHolder | undefined {
  const h = readHolder(path.join(dataDir, LOCK_FILE));
  return h && alive(h.pid) ? h : undefined;
}

export class DataDirLockedError extends AppError {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    const where = holder.url ? `, answering on ${holder.url}` : '';
    super(
      'conflict',
      `The data dir ${dataDir} is in use by \`gateway ${holder.command}\` (pid ${holder.pid}, since ${holder.since}${where}). ` +
        (holder.url
          ? `Stop it first (Ctrl-C in its terminal, or kill ${holder.pid}) to run this on the data dir, or send CLI commands to it ` +
            `with --server ${holder.url}: partners, catalog, price-lists, keys and edi commands do so on their own.`
          : `Wait for it to finish, or stop it (kill ${holder.pid}).`),
    );
  }
}

/**
 * Takes the data dir for this process, or throws DataDirLockedError. Returns the release function
 * (also run at process exit).
 */
export function lockDataDir(dataDir: string, holder: Omit<LockHolder, 'pid' | 'since'>): () => void {
  const file = path.join(dataDir, LOCK_FILE);
  const mine: LockHolder = { pid: process.pid, since: new Date().toISOString(), ...holder };
  for (let tries = 0; ; tries++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, `${JSON.stringify(mine)}\n`);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const other = readHolder(file);
      if (other && alive(other.pid)) throw new DataDirLockedError(dataDir, other);
      // Its process is gone (or another start took the stale lock just now: then the next try
      // finds that one alive).
      if (tries > 1) throw err;
      try {
        unlinkSync(file);
      } catch {
        /* taken over by another start meanwhile */
      }
    }
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    if (readHolder(file)?.pid === process.pid) unlinkSync(file);
  };
  process.on('exit', release);
  return release;
}

/** Adds where the running server answers to its lock, once it listens (PORT may be 0). */
export function announceDataDirUrl(dataDir: string, url: string): void {
  const file = path.join(dataDir, LOCK_FILE);
  const h = readHolder(file);
  if (h?.pid !== process.pid) return;
  const tmp = `${file}.${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify({ ...h, url })}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** Owner-only: the data dir 0700 and every file 0600 (older data dirs were world-writable). */
export function restrictDataDir(dataDir: string): void {
  const walk = (dir: string) => {
    chmodSync(dir, 0o700);
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) continue;
      if (st.isDirectory()) walk(p);
      else if ((st.mode & 0o777) !== 0o600) chmodSync(p, 0o600);
    }
  };
  walk(dataDir);
}
