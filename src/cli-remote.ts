import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InterchangeSplitter } from '../protocols/x12/split';
import { merged, type FileIngestOutcome } from './edi/ingest-files';
import type { X12IngestResult } from './edi/intake';
import type { Config } from './platform/config';
import { dataDirHolder } from './platform/data-dir';
import { AppError } from './platform/errors';

/**
 * CLI commands sent to a running gateway's admin API instead of opening the database: with
 * `--server URL` (and ADMIN_TOKEN), or on their own when the embedded data dir is held by a running
 * server (its lock names where it answers; its admin token is in the data dir).
 */
export interface Remote {
  url: string;
  token: string;
}

function adminTokenOf(config: Config): string | undefined {
  if (config.ADMIN_TOKEN) return config.ADMIN_TOKEN;
  const file = path.join(config.DATA_DIR, 'admin-token');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/** Where this command goes: a server, or undefined for the database itself. */
export function remoteFor(config: Config, server: string | undefined): Remote | undefined {
  if (server !== undefined) {
    const token = adminTokenOf(config);
    if (!token)
      throw new AppError(
        'unauthorized',
        `--server ${server} needs the gateway's ADMIN_TOKEN in the environment`,
      );
    return { url: server.replace(/\/+$/, ''), token };
  }
  if (config.DATABASE_URL) return undefined;
  const holder = dataDirHolder(config.DATA_DIR);
  if (!holder?.url) return undefined; // free (or held by a CLI command: opening it says so)
  const token = adminTokenOf(config);
  if (!token) return undefined;
  console.log(
    `The data dir ${config.DATA_DIR} is in use by \`gateway ${holder.command}\` (pid ${holder.pid}): sending this to it at ${holder.url}`,
  );
  return { url: holder.url, token };
}

/** One admin API call; a refusal becomes an error carrying the server's own message. */
export async function call<T>(
  remote: Remote,
  method: string,
  apiPath: string,
  body?: { type: string; data: string | Buffer },
): Promise<{ status: number; json: T }> {
  let res: Response;
  try {
    res = await fetch(`${remote.url}${apiPath}`, {
      method,
      headers: {
        authorization: `Bearer ${remote.token}`,
        ...(body ? { 'content-type': body.type } : {}),
      },
      body: typeof body?.data === 'string' ? body.data : body ? new Uint8Array(body.data) : undefined,
    });
  } catch (err) {
    throw new AppError(
      'unavailable',
      `the gateway at ${remote.url} does not answer (${(err as Error).message})`,
    );
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (res.status >= 400) {
    const e = (json as { error?: { message?: string; details?: { path: string; message: string }[] } })
      ?.error;
    const details = (e?.details ?? []).map((d) => `\n  - ${d.path}: ${d.message}`).join('');
    throw new AppError(
      'bad_request',
      `${remote.url} answered ${res.status}: ${e?.message ?? text.slice(0, 500)}${details}`,
    );
  }
  return { status: res.status, json: json as T };
}

/** A CSV import in one request: the server takes it all or nothing, as on the data dir. */
export async function importCsv(
  remote: Remote,
  config: Config,
  apiPath: string,
  file: string,
): Promise<{ imported: number; priceLists?: string[] }> {
  const data = readFileSync(file);
  if (data.length > config.MAX_BODY_BYTES)
    throw new AppError(
      'payload_too_large',
      `${file} is ${data.length} bytes, more than the server takes in one request (MAX_BODY_BYTES ${config.MAX_BODY_BYTES}): ` +
        `raise MAX_BODY_BYTES on the server, or stop it and import on the data dir`,
    );
  return (
    await call<{ imported: number; priceLists?: string[] }>(remote, 'POST', apiPath, {
      type: 'text/csv',
      data,
    })
  ).json;
}

/** `edi ingest` over HTTP: each file cut into interchanges here, each sent on its own. */
export async function ingestFilesRemote(remote: Remote, files: string[]): Promise<FileIngestOutcome[]> {
  const out: FileIngestOutcome[] = [];
  for (const file of files) {
    const interchanges: X12IngestResult[] = [];
    const errors: string[] = [];
    const splitter = new InterchangeSplitter();
    const pieces = [...splitter.push(readFileSync(file)), ...splitter.end()];
    for (const piece of pieces) {
      try {
        const { json } = await call<Omit<X12IngestResult, 'ack'>>(
          remote,
          'POST',
          '/api/v1/edi/interchanges',
          {
            type: 'application/edi-x12',
            data: piece.bytes,
          },
        );
        interchanges.push({ ...json, ack: Buffer.alloc(0) });
      } catch (err) {
        errors.push(`at byte ${piece.offset}: ${(err as Error).message}`);
      }
    }
    const result = merged(interchanges);
    out.push({
      file,
      interchanges,
      ...(result ? { result } : {}),
      ...(errors.length ? { error: errors.join('; ') } : {}),
    });
  }
  return out;
}
