/**
 * AS2 intake end to end: signed (SHA-256, RSA 2048) and encrypted (AES-256-CBC) ~100 KB X12 850s from
 * 8 partners (each its own key), POSTed concurrently (one client per partner) over real HTTP to
 * POST /as2 of a gateway on a fresh Postgres database: decrypt, verify, MIC, X12 intake to stored
 * orders (every line), the signed MDN answered. Job workers are not started (intake alone).
 * Baseline in the same run: `openssl cms -decrypt | openssl cms -verify` of the same message bytes,
 * one process pair per message, one after the other. AS2_INTAKE_MESSAGES (default 40) messages.
 * The load average is printed beside the figures (the machine is shared).
 */
import { spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildAs2Message, importKeyMaterial, type OutboundMessage } from '../protocols/as2';
import { createApp } from '../src/app';
import { importCatalog } from '../src/catalog/service';
import { closeContext, createContext } from '../src/platform/context';
import { createDb, type Db } from '../src/platform/db';
import type { Config } from '../src/platform/config';
import { createLogger } from '../src/platform/log';
import { upsertPartner } from '../src/partners/service';
import { partnerInputSchema } from '../src/partners/schema';
import { importSupplierKey } from '../src/transports/as2/keys';
import { createTestDatabase, testConfig } from '../test/helpers/env';

const MESSAGES = Math.max(8, Number(process.env.AS2_INTAKE_MESSAGES ?? 40) || 40);
const PARTNERS = 8;
const PAYLOAD_BYTES = 100 * 1024;
const SKUS = 50;

function openssl(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr.toString()}`);
}

/** A ~100 KB 850 from partner `p`, its own ISA13 and PO number. */
function x12(p: number, n: number): Buffer {
  const sender = `BENCH${p}`.padEnd(15, ' ');
  const isa13 = String(n).padStart(9, '0');
  const head = [
    `ISA*00*          *00*          *ZZ*${sender}*ZZ*SUPPLIERDEMO   *261120*1200*U*00401*${isa13}*0*P*>`,
    `GS*PO*BENCH${p}*SUPPLIERDEMO*20261120*1200*${n}*X*004010`,
    'ST*850*0001',
    `BEG*00*SA*AS2-BENCH-${n}**20261120`,
    'CUR*BY*USD',
  ];
  const lines: string[] = [];
  let size = head.join('~\n').length;
  for (let i = 1; size < PAYLOAD_BYTES - 200; i++) {
    const seg = `PO1*${i}*${1 + (i % 9)}*EA*${(i % SKUS) + 1}.25**VP*AS2B-${i % SKUS}~\nPID*F****Bench widget ${i} of order ${n}`;
    lines.push(seg);
    size += seg.length + 2;
  }
  const body = [...head.slice(2), ...lines.flatMap((l) => l.split('~\n')), `CTT*${lines.length}`];
  const segs = [
    ...head.slice(0, 2),
    ...body.slice(0),
    `SE*${body.length + 1}*0001`,
    `GE*1*${n}`,
    `IEA*1*${isa13}`,
  ];
  return Buffer.from(segs.map((s) => `${s}~\r\n`).join(''), 'latin1');
}

function post(
  port: number,
  agent: http.Agent,
  m: OutboundMessage,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-length': m.body.length };
    for (const [n, v] of m.headers) headers[n] = v;
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/as2', agent, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('latin1') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(m.body);
  });
}

const load = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** Keys (openssl), the supplier key, the catalog and the partners, in a fresh database. */
async function seed(dir: string, db: Db, config: Config): Promise<void> {
  const names = ['gateway', ...Array.from({ length: PARTNERS }, (_, p) => `partner${p}`)];
  for (const who of names)
    openssl(dir, [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${who}.key`,
      '-out',
      `${who}.crt`,
      '-days',
      '30',
      '-subj',
      `/CN=${who}`,
    ]);
  const pem = (f: string) => readFileSync(path.join(dir, f), 'utf8');
  await importSupplierKey(db, config, { pem: pem('gateway.crt') + pem('gateway.key') });
  const empty = {
    description: '',
    unspsc: '',
    category: '',
    manufacturer: '',
    manufacturer_part_id: '',
    image_url: '',
  };
  await importCatalog(
    db,
    Array.from({ length: SKUS }, (_, i) => ({
      line: i + 2,
      values: {
        ...empty,
        sku: `AS2B-${i}`,
        name: `Bench item ${i}`,
        unit_price: `${i + 1}.25`,
        currency: 'USD',
        uom: 'EA',
        lead_time_days: '1',
        min_order_qty: '1',
      },
    })),
  );
  for (let p = 0; p < PARTNERS; p++)
    await upsertPartner(
      db,
      partnerInputSchema.parse({
        id: `bench${p}`,
        name: `Bench ${p}`,
        currency: 'USD',
        x12: { isaQualifier: 'ZZ', isaId: `BENCH${p}`, gsId: `BENCH${p}`, version: '004010' },
        as2: { id: `BENCH-PARTNER-${p}`, certificates: [pem(`partner${p}.crt`)] },
      }),
    );
}

/** Each partner's messages, signed with its key and encrypted to the gateway. */
function buildMessages(dir: string): OutboundMessage[] {
  const pem = (f: string) => readFileSync(path.join(dir, f), 'utf8');
  const gatewayCert = importKeyMaterial(pem('gateway.crt')).certificates[0]!;
  const now = new Date(Date.now() + 60_000);
  return Array.from({ length: MESSAGES }, (_, i) => {
    const p = i % PARTNERS;
    return buildAs2Message({
      payload: x12(p, i + 1),
      contentType: 'application/edi-x12',
      as2From: `BENCH-PARTNER-${p}`,
      as2To: 'BENCH-GATEWAY',
      messageId: `bench-${i}@partner${p}`,
      now,
      sign: {
        certificate: importKeyMaterial(pem(`partner${p}.crt`)).certificates[0]!,
        privateKey: createPrivateKey(pem(`partner${p}.key`)),
        digest: 'sha256',
      },
      encrypt: { certificates: [gatewayCert], algorithm: 'aes-256-cbc' },
      receipt: { signed: true, micAlgorithms: ['sha256'] },
    });
  });
}

/** Seconds to send every message, one client per partner; each must get a processed MDN. */
async function sendAll(port: number, messages: readonly OutboundMessage[]): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: PARTNERS });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: PARTNERS }, async () => {
      for (let i = next++; i < messages.length; i = next++) {
        const r = await post(port, agent, messages[i]!);
        if (
          r.status !== 200 ||
          !/Disposition: automatic-action\/MDN-sent-automatically; processed\r/.test(r.text)
        )
          throw new Error(`message ${i}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
      }
    }),
  );
  agent.destroy();
  return (performance.now() - t0) / 1000;
}

/** Seconds for openssl to decrypt and verify every message, one process pair each. */
function opensslAll(dir: string, messages: readonly OutboundMessage[]): number {
  const t1 = performance.now();
  messages.forEach((m, i) => {
    const f = path.join(dir, `m${i}.der`);
    writeFileSync(f, m.body);
    const cmd = `openssl cms -decrypt -binary -inform DER -in "${f}" -recip gateway.crt -inkey gateway.key | openssl cms -verify -noverify -certfile partner${i % PARTNERS}.crt -out /dev/null 2>/dev/null`;
    if (spawnSync('sh', ['-c', cmd], { cwd: dir }).status !== 0)
      throw new Error(`openssl failed for message ${i}`);
  });
  return (performance.now() - t1) / 1000;
}

export default async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'as2-intake-bench-'));
  const database = await createTestDatabase();
  const config = testConfig({
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
    PARTNER_CACHE_MS: undefined,
    AS2_ID: 'BENCH-GATEWAY',
    MAX_BODY_BYTES: String(8 * 1024 * 1024),
  });
  const db = createDb({ databaseUrl: database.url, poolMax: 20 });
  const ctx = await createContext(config, { db, log: createLogger('silent') });
  let server: http.Server | undefined;
  try {
    await seed(dir, db, config);
    const messages = buildMessages(dir);
    console.log(
      `${MESSAGES} AS2 messages (850s of ${(messages[0]!.body.length / 1024).toFixed(0)} KB encrypted, ~${Math.round(PAYLOAD_BYTES / 1024)} KB X12), ${PARTNERS} partners concurrently, RSA 2048 + SHA-256 + AES-256-CBC; load average ${load()}`,
    );
    server = createApp(ctx).listen(0, '127.0.0.1');
    await new Promise((r) => server!.once('listening', r));
    const ours = await sendAll((server.address() as AddressInfo).port, messages);
    const orders = Number((await db('orders').count<{ n: string }[]>('* as n'))[0]!.n);
    if (orders !== MESSAGES) throw new Error(`${orders} orders stored, not ${MESSAGES}`);
    const lines = Number((await db('order_lines').count<{ n: string }[]>('* as n'))[0]!.n);
    const theirs = opensslAll(dir, messages);
    console.log(
      `through to stored orders, ours: ${(MESSAGES / ours).toFixed(1)} msg/s (${orders} orders, ${lines} lines; load ${load()})`,
    );
    console.log(`openssl cms decrypt+verify only:  ${(MESSAGES / theirs).toFixed(1)} msg/s (load ${load()})`);
    console.log(`ratio ours/openssl: ${(theirs / ours).toFixed(2)}x (aim 0.5x)`);
  } finally {
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await closeContext(ctx);
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
