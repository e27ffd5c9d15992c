import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { X12Error } from '../../../protocols/x12';

export const CORPUS = path.join(__dirname, '../../../fixtures/x12/corpus');
export const GOLDEN = path.join(__dirname, '../../../fixtures/x12/golden');

export function corpusFiles(): string[] {
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((n) => {
      const p = path.join(d, n);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
  return walk(CORPUS)
    .filter((f) => !f.endsWith('.md'))
    .map((f) => path.relative(CORPUS, f).split(path.sep).join('/'))
    .sort();
}

export function readCorpus(rel: string): Buffer {
  return readFileSync(path.join(CORPUS, rel));
}

/** "CODE@SEG<element>" — compact form used in expectations. */
export function sig(e: X12Error): string {
  return `${e.code}@${e.segmentId}${e.elementPosition ?? ''}`;
}

/** A deterministic pseudo-random generator (tests must be reproducible). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function chunk(buf: Buffer, sizes: () => number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length;) {
    const n = Math.max(1, sizes());
    out.push(buf.subarray(i, i + n));
    i += n;
  }
  return out;
}
