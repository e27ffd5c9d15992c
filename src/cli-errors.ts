/**
 * What the command line prints when a command fails: a few plain lines saying what went wrong,
 * where, and what to do, never a stack trace (GATEWAY_DEBUG=1 adds it, for a bug report).
 */
import { ZodError } from 'zod';
import { ConfigError } from './platform/config';
import { AppError } from './platform/errors';

/** Problems listed one per line up to this many; then how many more. */
export const SHOWN_PROBLEMS = 20;

/** A problem list of at most SHOWN_PROBLEMS lines, then "… and N more". */
export function problemLines(problems: readonly string[], cap = SHOWN_PROBLEMS): string[] {
  const shown = problems.slice(0, cap).map((p) => `  ${p}`);
  if (problems.length > cap) shown.push(`  … and ${problems.length - cap} more`);
  return shown;
}

/** A zod issue list as "path: message" lines (the path as the file writes it: `cxml.credentials[0].domain`). */
export function zodProblems(err: ZodError, prefix = ''): string[] {
  return err.issues.map((i) => {
    const path = i.path.reduce<string>(
      (p, k) => (typeof k === 'number' ? `${p}[${k}]` : p ? `${p}.${String(k)}` : String(k)),
      prefix,
    );
    return `${path || '(the whole document)'}: ${i.message}`;
  });
}

interface SystemError extends Error {
  code?: string;
  path?: string;
  address?: string;
  port?: number;
}

const SYSTEM: Record<string, (e: SystemError) => string> = {
  ENOENT: (e) =>
    `cannot read ${e.path ?? 'the file'}: no such file or directory. Check the path (it is relative to ${process.cwd()}).`,
  EACCES: (e) => `cannot read ${e.path ?? 'the file'}: permission denied.`,
  EISDIR: (e) => `${e.path ?? 'the path'} is a directory; give a file.`,
  ECONNREFUSED: (e) =>
    `cannot connect to ${e.address ?? ''}${e.port ? `:${e.port}` : ''}: connection refused. Is the database (DATABASE_URL) or the gateway (--server) running?`,
};

/** The lines to print for `err`. */
export function describeCliError(err: unknown): string[] {
  if (err instanceof ConfigError)
    return [err.message, 'Set the variables above in the environment (README, Configuration).'];
  if (err instanceof AppError) {
    const details = err.details.map((d) => d.message);
    const message = err.message.replace(/ \(and \d+ more\)/, '');
    const first = details[0];
    if (first === undefined || (details.length === 1 && message.includes(first))) return [message];
    // "line 2: …; 9 problem(s) in 8 line(s), nothing was imported": that summary, then each problem.
    const rest = message.startsWith(first) ? message.slice(first.length).replace(/^[;:,]\s*/, '') : message;
    const head = rest || `${details.length} problems`;
    return [`${head}:`, ...problemLines(details)];
  }
  if (err instanceof ZodError) return ['invalid input:', ...problemLines(zodProblems(err))];
  const e = err as SystemError;
  if (e && typeof e === 'object' && e.code && SYSTEM[e.code]) return [SYSTEM[e.code]!(e)];
  const message = err instanceof Error ? err.message : String(err);
  return [
    `error: ${message}`,
    'This looks like a bug; run again with GATEWAY_DEBUG=1 for the details to report.',
  ];
}
