import { createReadStream, statSync } from 'node:fs';
import { InterchangeSplitter, type InterchangeBytes } from '../../protocols/x12/split';
import type { AppContext } from '../platform/context';
import { ingestX12, type X12IngestResult } from './intake';

export interface FileIngestOutcome {
  file: string;
  /** One result per interchange taken, in file order. */
  interchanges: X12IngestResult[];
  /**
   * The file's interchanges as one result (sets and acknowledgments concatenated); for a file of one
   * interchange, its result. Absent when no interchange of the file was taken.
   */
  result?: X12IngestResult;
  /** Why the file, or some of its interchanges ("at byte N: ..."), could not be taken. */
  error?: string;
}

export interface FileIngestOptions {
  onStart?: (totalBytes: number) => void;
  /** Bytes read so far over all files. */
  onBytes?: (doneBytes: number) => void;
  /** After each interchange taken, with the bytes read so far (over all files). */
  onInterchange?: (result: X12IngestResult, doneBytes: number) => void;
  /** Read chunk size (default: Node's 64 KiB). */
  highWaterMark?: number;
}

/** A file's interchanges as one result (see FileIngestOutcome.result). */
export function merged(results: X12IngestResult[]): X12IngestResult | undefined {
  const [first] = results;
  if (first === undefined || results.length === 1) return first;
  return {
    partnerId: [...new Set(results.map((r) => r.partnerId))].join(','),
    duplicate: results.every((r) => r.duplicate),
    inboundDocumentId: first.inboundDocumentId,
    ack: Buffer.concat(results.map((r) => r.ack)),
    sets: results.flatMap((r) => r.sets),
    refused: results.flatMap((r) => r.refused),
    acknowledged: {
      documentIds: results.flatMap((r) => r.acknowledged.documentIds),
      unmatched: results.flatMap((r) => r.acknowledged.unmatched),
    },
  };
}

/**
 * File drops (`gateway edi ingest FILE...`): the same intake as POST /edi/x12, the partner taken from
 * each interchange's ISA sender. Files are streamed: each interchange is cut from the byte stream as
 * soon as it is complete and taken on its own (stored verbatim, its orders taken, its 997/999 stored
 * and delivered, a resent interchange replayed) while reading waits, so memory holds one interchange,
 * not the file. One bad interchange or file does not stop the others. `onBytes` reports progress.
 */
export async function ingestX12Files(
  ctx: AppContext,
  files: string[],
  opts: FileIngestOptions = {},
): Promise<FileIngestOutcome[]> {
  const total = files.reduce((n, f) => n + statSync(f).size, 0);
  opts.onStart?.(total);
  let done = 0;
  const out: FileIngestOutcome[] = [];
  for (const file of files) {
    const results: X12IngestResult[] = [];
    const errors: string[] = [];
    const take = async (piece: InterchangeBytes): Promise<void> => {
      try {
        const result = await ingestX12(ctx, piece.bytes, { actor: 'cli:edi-ingest' });
        results.push(result);
        opts.onInterchange?.(result, done);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        errors.push(`at byte ${piece.offset}: ${message}`);
      }
    };
    try {
      const splitter = new InterchangeSplitter();
      const stream = createReadStream(
        file,
        opts.highWaterMark ? { highWaterMark: opts.highWaterMark } : undefined,
      );
      for await (const chunk of stream) {
        const b = chunk as Buffer;
        done += b.length;
        opts.onBytes?.(done);
        for (const piece of splitter.push(b)) await take(piece);
      }
      for (const piece of splitter.end()) await take(piece);
    } catch (err) {
      errors.push(err instanceof Error ? err.message : String(err));
    }
    const result = merged(results);
    out.push({
      file,
      interchanges: results,
      ...(result ? { result } : {}),
      ...(errors.length ? { error: errors.join('; ') } : {}),
    });
  }
  return out;
}

/** One line per file for the CLI. */
export function describeOutcome(o: FileIngestOutcome): string {
  if (!o.result) return `${o.file}: FAILED ${o.error ?? ''}`;
  const r = o.result;
  const failed = o.error ? `; FAILED ${o.error}` : '';
  if (r.duplicate)
    return `${o.file}: partner ${r.partnerId}: already received, acknowledgment resent${failed}`;
  const rejected = r.sets.filter((s) => !s.accepted).length;
  const orders = r.sets.filter((s) => s.order?.outcome === 'accepted').length;
  const refused = r.sets.filter((s) => s.order?.outcome === 'refused').length;
  const n = o.interchanges.length;
  return `${o.file}: partner ${r.partnerId}: ${n} interchange(s), ${r.sets.length} set(s), ${rejected} rejected, ${orders} order(s) accepted, ${refused} refused${failed}`;
}
