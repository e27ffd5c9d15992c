import { createReadStream, statSync } from 'node:fs';
import type { AppContext } from '../platform/context';
import { ingestX12, type X12IngestResult } from './intake';

export interface FileIngestOutcome {
  file: string;
  result?: X12IngestResult;
  error?: string;
}

/**
 * File drops (`gateway edi ingest FILE...`): the same intake as POST /edi/x12, the partner taken from
 * each file's ISA sender. One file's failure does not stop the others. `onBytes` reports progress.
 */
export async function ingestX12Files(
  ctx: AppContext,
  files: string[],
  opts: { onStart?: (totalBytes: number) => void; onBytes?: (doneBytes: number) => void } = {},
): Promise<FileIngestOutcome[]> {
  const total = files.reduce((n, f) => n + statSync(f).size, 0);
  opts.onStart?.(total);
  let done = 0;
  const out: FileIngestOutcome[] = [];
  for (const file of files) {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of createReadStream(file)) {
        const b = chunk as Buffer;
        chunks.push(b);
        done += b.length;
        opts.onBytes?.(done);
      }
      out.push({ file, result: await ingestX12(ctx, Buffer.concat(chunks), { actor: 'cli:edi-ingest' }) });
    } catch (err) {
      out.push({ file, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}

/** One line per file for the CLI. */
export function describeOutcome(o: FileIngestOutcome): string {
  if (o.error || !o.result) return `${o.file}: FAILED ${o.error ?? ''}`;
  const r = o.result;
  if (r.duplicate) return `${o.file}: partner ${r.partnerId}: already received, acknowledgment resent`;
  const rejected = r.sets.filter((s) => !s.accepted).length;
  const orders = r.sets.filter((s) => s.order?.outcome === 'accepted').length;
  const refused = r.sets.filter((s) => s.order?.outcome === 'refused').length;
  return `${o.file}: partner ${r.partnerId}: ${r.sets.length} set(s), ${rejected} rejected, ${orders} order(s) accepted, ${refused} refused`;
}
