/**
 * X12 parsing benchmark: a ~100 MB file of 850s (many interchanges and groups, 10 lines each,
 * written with our serializer into os.tmpdir(), reused when present) parsed
 *   - by our streaming reader into canonical Orders (readTransactionSets + parse850),
 *   - by our streaming reader with every segment split into elements (the work the baselines do),
 *   - by our streaming reader alone (envelope checks; elements split only where needed),
 *   - by node-x12 (X12Parser in stream mode, segments only) and x12-parser (its stream parser).
 * Each parser runs in its own child process (this file with --child) so that its peak RSS
 * (process.resourceUsage().maxRSS) is its own. Input is read with fs.createReadStream, 64 KiB chunks.
 * The parsers take turns for X12_BENCH_ROUNDS rounds (default 3); each one's fastest round counts.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Order } from '../src/model';
import {
  build850,
  parse850,
  readTransactionSets,
  readX12,
  serializeInterchange,
  type InterchangeInput,
} from '../protocols/x12';

const TARGET_BYTES = 100 * 1000 * 1000;
const FILE = path.join(os.tmpdir(), 'x12-bench-850-100MB-v1.edi');
const CHUNK = 64 * 1024;
const CHILD_TIMEOUT_MS = 90_000;
const PREFIX_BYTES = 20 * 1000 * 1000;
/**
 * Rounds per parser (X12_BENCH_ROUNDS, default 3). The machine is shared, so a single run mostly
 * measures the load of the moment; every parser gets the same number of turns, interleaved, and
 * its fastest one is compared.
 */
const ROUNDS = Math.max(1, Math.floor(Number(process.env.X12_BENCH_ROUNDS ?? 3)) || 1);

type ParserName = 'ours-orders' | 'ours-segments' | 'ours-envelope' | 'node-x12' | 'x12-parser';

interface ChildResult {
  parser: ParserName;
  bytes: number;
  seconds: number;
  sets: number;
  segments: number;
  maxRssMb: number;
  errors?: number;
  error?: string;
}

function sampleOrder(n: number): Order {
  const lines = Array.from({ length: 10 }, (_, i) => ({
    lineNumber: i + 1,
    supplierPartId: `SKU-${(n * 10 + i) % 99991}`,
    buyerPartId: `BP${i}`,
    description: `Widget model ${i} for order ${n}`,
    quantity: String(1 + ((n + i) % 50)),
    unitOfMeasure: i % 3 === 0 ? 'EA' : 'BX',
    unitPrice: `${(n % 97) + i}.${String((n * 7 + i) % 100).padStart(2, '0')}`,
    classifications: [{ domain: 'UNSPSC', code: '44121700' }],
    distributions: [],
    extrinsics: [],
  }));
  return {
    buyerOrderNumber: `PO${String(n).padStart(9, '0')}`,
    version: 1,
    type: 'new',
    orderDate: '2024-05-01',
    currency: 'USD',
    contacts: [{ role: 'buyer', name: 'Pat Buyer', email: 'pat@example.com' }],
    comments: [],
    extrinsics: [{ name: 'REF*DP', value: '038' }],
    paymentTerms: { netDays: 30 },
    shipTo: {
      name: 'Receiving Dock 4',
      addressId: 'DC04',
      address: {
        street: ['100 Main St'],
        city: 'Springfield',
        state: 'IL',
        postalCode: '62701',
        countryCode: 'US',
      },
    },
    lines,
  };
}

/** Writes the benchmark file: interchanges of 5 groups x 20 sets, until TARGET_BYTES. */
async function generate(file: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  const out = createWriteStream(tmp);
  let written = 0;
  let n = 0;
  for (let ic = 1; written < TARGET_BYTES; ic++) {
    const input: InterchangeInput = {
      delimiters: { element: '*', component: '>', repetition: '^', segment: '~', suffix: '\n' },
      version: ic % 2 === 0 ? '005010' : '004010',
      sender: { qualifier: 'ZZ', id: 'BUYER' },
      receiver: { qualifier: 'ZZ', id: 'SUPPLIER' },
      controlNumber: ic,
      date: new Date(Date.UTC(2024, 4, 1, 12, 0)),
      groups: Array.from({ length: 5 }, (_, g) => ({
        applicationSender: 'BUYER',
        applicationReceiver: 'SUPPLIER',
        controlNumber: ic * 10 + g,
        transactionSets: Array.from({ length: 20 }, (_, s) => ({
          id: '850',
          controlNumber: s + 1,
          segments: build850(sampleOrder(++n)),
        })),
      })),
    };
    const text = serializeInterchange(input);
    written += Buffer.byteLength(text);
    if (!out.write(text)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  const { renameSync } = await import('node:fs');
  renameSync(tmp, file);
}

// ---------------------------------------------------------------- child side

async function runChild(parser: ParserName, file: string, maxBytes: number): Promise<ChildResult> {
  const size = Math.min(statSync(file).size, maxBytes);
  const stream = (): NodeJS.ReadableStream => createReadStream(file, { highWaterMark: CHUNK, end: size - 1 });
  const t0 = process.hrtime.bigint();
  let sets = 0;
  let segments = 0;
  let errors = 0;
  if (parser === 'ours-orders') {
    for await (const set of readTransactionSets(stream() as AsyncIterable<Buffer>, (e) => {
      if (e.type === 'error') errors++;
    })) {
      sets++;
      segments += set.segments.length;
      const r = parse850(set);
      if (!r.order || r.errors.length > 0 || set.errors.length > 0) errors++;
    }
  } else if (parser === 'ours-segments') {
    // The baselines' work: every segment split into elements (composites included), no mapping.
    for await (const set of readTransactionSets(stream() as AsyncIterable<Buffer>)) {
      sets++;
      for (const seg of set.segments) segments += seg.elements.length > 0 ? 1 : 0;
      errors += set.errors.length;
    }
  } else if (parser === 'ours-envelope') {
    for await (const e of readX12(stream() as AsyncIterable<Buffer>)) {
      if (e.type === 'transactionSet') {
        sets++;
        segments += e.set.segments.length;
        errors += e.set.errors.length;
      }
    }
  } else {
    // Baselines: count segments (and ST segments as sets); they do no mapping.
    await new Promise<void>((resolve, reject) => {
      let p: NodeJS.ReadWriteStream;
      if (parser === 'node-x12') {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { X12Parser } = require('node-x12') as typeof import('node-x12');
        p = new X12Parser(false);
      } else {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { X12parser } = require('x12-parser') as { X12parser: new () => NodeJS.ReadWriteStream };
        p = new X12parser();
      }
      const src = stream();
      src.on('error', reject);
      p.on('error', reject);
      p.on('data', (seg: { tag?: string; name?: string }) => {
        segments++;
        if ((seg.tag ?? seg.name) === 'ST') sets++;
      });
      p.on('end', () => resolve());
      src.pipe(p);
    });
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    parser,
    bytes: size,
    seconds,
    sets,
    segments,
    errors,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

// ---------------------------------------------------------------- parent side

function child(parser: ParserName, file: string, maxBytes: number): Promise<ChildResult> {
  return new Promise((resolve) => {
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', __filename, '--child', parser, file, String(maxBytes)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    const timer = setTimeout(() => proc.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code === 0 && line) return resolve(JSON.parse(line) as ChildResult);
      const why = signal ? `killed (${signal}) after ${CHILD_TIMEOUT_MS / 1000} s` : `exit ${code}`;
      const msg = err
        .split('\n')
        .filter((l) => l && !l.includes('npm warn'))
        .slice(0, 3)
        .join(' | ');
      resolve({
        parser,
        bytes: maxBytes,
        seconds: NaN,
        sets: 0,
        segments: 0,
        maxRssMb: NaN,
        error: `${why}: ${msg}`,
      });
    });
  });
}

function fmt(r: ChildResult): string {
  if (r.error) return `${r.parser.padEnd(14)} FAILED: ${r.error}`;
  const mb = r.bytes / 1e6;
  return (
    `${r.parser.padEnd(14)} ${(mb / r.seconds).toFixed(1).padStart(6)} MB/s  ${Math.round(r.sets / r.seconds)
      .toString()
      .padStart(
        7,
      )} sets/s  ${r.seconds.toFixed(2).padStart(6)} s  peak RSS ${r.maxRssMb.toFixed(0).padStart(4)} MB  ` +
    `(${mb.toFixed(1)} MB, ${r.sets} sets, ${r.segments} segments${r.errors ? `, ${r.errors} with errors` : ''})`
  );
}

export default async function (): Promise<void> {
  if (!existsSync(FILE) || statSync(FILE).size < TARGET_BYTES) {
    const t0 = Date.now();
    await generate(FILE);
    console.log(`generated ${FILE} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const size = statSync(FILE).size;
  console.log(
    `input: ${FILE}, ${(size / 1e6).toFixed(1)} MB, 850s with 10 lines, 64 KiB chunks, one child process per parser`,
  );
  console.log(
    `${ROUNDS} round(s), parsers taking turns in each; per parser the fastest round counts (peak RSS: the highest of its rounds)`,
  );
  const parsers: ParserName[] = ['ours-orders', 'ours-segments', 'ours-envelope', 'node-x12', 'x12-parser'];
  const runs = new Map<ParserName, ChildResult[]>(parsers.map((p) => [p, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const p of parsers) {
      let r = await child(p, FILE, size);
      if (r.error && (p === 'node-x12' || p === 'x12-parser')) {
        console.log(`  round ${round}: ${fmt(r)}`);
        console.log(`  ${p}: retrying on the first ${(PREFIX_BYTES / 1e6).toFixed(0)} MB`);
        r = await child(p, FILE, PREFIX_BYTES);
      }
      console.log(`  round ${round}: ${fmt(r)}`);
      runs.get(p)?.push(r);
    }
  }
  const rate = (r: ChildResult): number => r.bytes / r.seconds;
  const results: ChildResult[] = parsers.map((p) => {
    const all = runs.get(p) ?? [];
    const ok = all.filter((r) => !r.error);
    if (ok.length === 0) return all[all.length - 1]!; // every parser ran ROUNDS >= 1 times
    const best = ok.reduce((a, b) => (rate(a) >= rate(b) ? a : b));
    return { ...best, maxRssMb: Math.max(...ok.map((r) => r.maxRssMb)) };
  });
  console.log(ROUNDS > 1 ? `best of ${ROUNDS} rounds:` : 'result:');
  for (const r of results) console.log(fmt(r));
  const base = results.filter((r) => (r.parser === 'node-x12' || r.parser === 'x12-parser') && !r.error);
  if (base.length > 0) {
    const best = base.reduce((a, b) => (rate(a) > rate(b) ? a : b));
    for (const ours of results.filter((r) => r.parser.startsWith('ours') && !r.error)) {
      const ratio = rate(ours) / rate(best);
      console.log(
        `${ours.parser} vs fastest baseline (${best.parser}): ${ratio.toFixed(2)}x (target >= 2x); peak RSS ${ours.maxRssMb.toFixed(0)} MB (target < 200 MB)`,
      );
    }
  }
}

if (require.main === module && process.argv[2] === '--child') {
  // The parent spawns the child with parser, file and rounds.
  runChild(process.argv[3] as ParserName, process.argv[4]!, Number(process.argv[5])).then(
    (r) => {
      console.log(JSON.stringify(r));
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
