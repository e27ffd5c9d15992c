/**
 * AS2 codec benchmark, one core.
 *   - build: sign (SHA-256, RSA 2048) + encrypt (AES-256-CBC) ~100 KB X12 850 payloads with buildAs2Message;
 *   - unwrap: decrypt + verify the same messages with unwrapAs2Message (in this process, one thread);
 *   - baseline: `openssl cms -decrypt | openssl cms -verify` of the same message bytes, one message
 *     after the other (a fresh pair of processes per message, as a script around openssl would run).
 * Keys are made with openssl in a temp dir. AS2_BENCH_MESSAGES (default 40) messages; every message
 * is unwrapped by our codec AS2_BENCH_ROUNDS (default 3) times and by openssl once per round; the
 * best round of each counts. The load average is printed with the figures (the machine is shared).
 */
import { spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildAs2Message, importKeyMaterial, unwrapAs2Message, type OutboundMessage } from '../protocols/as2';

const MESSAGES = Math.max(1, Number(process.env.AS2_BENCH_MESSAGES ?? 40) || 40);
const ROUNDS = Math.max(1, Number(process.env.AS2_BENCH_ROUNDS ?? 3) || 3);
const PAYLOAD_BYTES = 100 * 1024;

function openssl(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr.toString()}`);
}

function x12Payload(n: number): Buffer {
  const head = [
    `ISA*00*          *00*          *ZZ*PARTNER        *ZZ*GATEWAY        *240501*1200*U*00401*${String(n).padStart(9, '0')}*0*P*>~`,
    `GS*PO*PARTNER*GATEWAY*20240501*1200*${n}*X*004010~`,
    'ST*850*0001~',
    `BEG*00*SA*PO${String(n).padStart(9, '0')}**20240501~`,
  ];
  const lines: string[] = [];
  let size = head.join('\r\n').length;
  for (let i = 1; size < PAYLOAD_BYTES - 200; i++) {
    const seg = `PO1*${i}*${1 + (i % 50)}*EA*${(i % 97) + 1}.${String(i % 100).padStart(2, '0')}**VP*SKU-${(n * 1000 + i) % 99991}*BP*BUYER-${i}~\r\nPID*F****Widget model ${i} for order ${n}~`;
    lines.push(seg);
    size += seg.length + 2;
  }
  const tail = [
    `CTT*${lines.length}~`,
    `SE*${lines.length * 2 + 4}*0001~`,
    `GE*1*${n}~`,
    `IEA*1*${String(n).padStart(9, '0')}~`,
  ];
  return Buffer.from([...head, ...lines, ...tail].join('\r\n') + '\r\n', 'latin1');
}

const load = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** Synchronous (openssl and the codec block); a promise for bench/run.ts. */
export default function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'as2-bench-'));
  try {
    for (const who of ['partner', 'gateway']) {
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
    }
    const cert = (who: string) =>
      importKeyMaterial(readFileSync(path.join(dir, `${who}.crt`))).certificates[0]!;
    const key = (who: string) => createPrivateKey(readFileSync(path.join(dir, `${who}.key`)));
    const partner = { certificate: cert('partner'), privateKey: key('partner') };
    const gateway = { certificate: cert('gateway'), privateKey: key('gateway') };
    const now = new Date(Date.now() + 60_000);
    const payloads = Array.from({ length: MESSAGES }, (_, i) => x12Payload(i + 1));
    console.log(
      `${MESSAGES} messages, X12 850 payloads of ${(payloads[0]!.length / 1024).toFixed(0)} KB, RSA 2048, SHA-256, AES-256-CBC; ${ROUNDS} rounds; load average ${load()}`,
    );

    // The partner sends: sign + encrypt with our codec.
    let messages: OutboundMessage[] = [];
    let bestBuild = Infinity;
    for (let round = 0; round < ROUNDS; round++) {
      const t0 = process.hrtime.bigint();
      messages = payloads.map((payload, i) =>
        buildAs2Message({
          payload,
          contentType: 'application/edi-x12',
          as2From: 'PARTNER',
          as2To: 'GATEWAY',
          messageId: `bench-${i}@partner`,
          now,
          sign: { ...partner, digest: 'sha256' },
          encrypt: { certificates: [gateway.certificate], algorithm: 'aes-256-cbc' },
          receipt: { signed: true, micAlgorithms: ['sha256'] },
        }),
      );
      bestBuild = Math.min(bestBuild, Number(process.hrtime.bigint() - t0) / 1e9);
    }
    const files = messages.map((m, i) => {
      const f = path.join(dir, `m${i}.der`);
      writeFileSync(f, m.body);
      return f;
    });

    let bestOurs = Infinity;
    let bestOpenssl = Infinity;
    for (let round = 0; round < ROUNDS; round++) {
      let t0 = process.hrtime.bigint();
      for (let i = 0; i < messages.length; i++) {
        const m = messages[i]!;
        const r = unwrapAs2Message(
          { headers: m.headers, body: m.body },
          { decryptionKeys: [gateway], partnerCertificates: [partner.certificate], now },
        );
        if (!r.payload.content.equals(payloads[i]!) || r.mic.digest !== m.mic.digest)
          throw new Error(`message ${i}: wrong result`);
      }
      const ours = Number(process.hrtime.bigint() - t0) / 1e9;
      bestOurs = Math.min(bestOurs, ours);

      t0 = process.hrtime.bigint();
      for (const f of files) {
        const r = spawnSync(
          'sh',
          [
            '-c',
            `openssl cms -decrypt -binary -inform DER -in "${f}" -recip gateway.crt -inkey gateway.key | openssl cms -verify -noverify -certfile partner.crt -out /dev/null 2>/dev/null`,
          ],
          { cwd: dir },
        );
        if (r.status !== 0) throw new Error(`openssl pipeline failed for ${f}: ${r.stderr.toString()}`);
      }
      const theirs = Number(process.hrtime.bigint() - t0) / 1e9;
      bestOpenssl = Math.min(bestOpenssl, theirs);
      console.log(
        `  round ${round + 1}: unwrap ours ${(MESSAGES / ours).toFixed(1)} msg/s, openssl ${(MESSAGES / theirs).toFixed(1)} msg/s (load ${load()})`,
      );
    }
    const rate = (s: number): string =>
      `${(MESSAGES / s).toFixed(1)} msg/s (${((PAYLOAD_BYTES * MESSAGES) / s / 1e6).toFixed(1)} MB/s)`;
    console.log(`build (sign+encrypt), ours:                 ${rate(bestBuild)}`);
    console.log(`unwrap (decrypt+verify), ours:              ${rate(bestOurs)}`);
    console.log(`baseline openssl cms -decrypt | -verify:    ${rate(bestOpenssl)}`);
    console.log(
      `ours / openssl: ${(bestOpenssl / bestOurs).toFixed(2)}x (aim: at least 0.5x); load average ${load()}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return Promise.resolve();
}
