/**
 * Test helper: Debian's openssl as the independent AS2/S-MIME implementation. Each test file makes
 * one lab (a temp dir), generates its throwaway keys and certificates once, and removes it after.
 */
import { spawnSync } from 'node:child_process';
import { inflateSync } from 'node:zlib';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type As2Certificate, importKeyMaterial } from '../../../protocols/as2';

export interface Identity {
  name: string;
  keyPath: string;
  certPath: string;
  cert: As2Certificate;
  key: KeyObject;
}

export class OpensslLab {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'as2-lab-'));
  private n = 0;

  /** Runs openssl; throws with its stderr when it fails. */
  run(args: string[], input?: Uint8Array): Buffer {
    const r = this.tryRun(args, input);
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    return r.stdout;
  }

  tryRun(args: string[], input?: Uint8Array): { status: number; stdout: Buffer; stderr: string } {
    const r = spawnSync('openssl', args, {
      cwd: this.dir,
      ...(input ? { input } : {}),
      maxBuffer: 256 * 1024 * 1024,
    });
    if (r.error) throw r.error;
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() };
  }

  /** Writes `content` into a new file of the lab; returns its path. */
  file(content: Uint8Array | string, name = `f${++this.n}`): string {
    const p = path.join(this.dir, name);
    writeFileSync(p, content);
    return p;
  }

  tmp(name = `o${++this.n}`): string {
    return path.join(this.dir, name);
  }

  read(p: string): Buffer {
    return readFileSync(p);
  }

  /** A self-signed RSA certificate and key. */
  identity(name: string, opts: { days?: number; bits?: number } = {}): Identity {
    const keyPath = this.tmp(`${name}.key`);
    const certPath = this.tmp(`${name}.crt`);
    this.run([
      'req',
      '-x509',
      '-newkey',
      `rsa:${opts.bits ?? 2048}`,
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      String(opts.days ?? 365),
      '-subj',
      `/O=AS2 test/CN=${name}`,
    ]);
    const cert = importKeyMaterial(readFileSync(certPath)).certificates[0]!;
    return { name, keyPath, certPath, cert, key: createPrivateKey(readFileSync(keyPath)) };
  }

  /** openssl dgst over `data`, base64 (an independent MIC). */
  mic(data: Uint8Array, alg: string): string {
    return this.run(['dgst', `-${alg}`, '-binary', this.file(data)]).toString('base64');
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Splits openssl's S/MIME output into its top header fields (the HTTP headers) and the body. */
export function splitSmime(out: Buffer): { headers: [string, string][]; body: Buffer } {
  let end = out.indexOf('\n\n');
  let skip = 2;
  const crlf = out.indexOf('\r\n\r\n');
  if (crlf >= 0 && (end < 0 || crlf < end)) {
    end = crlf;
    skip = 4;
  }
  const head = out
    .subarray(0, end)
    .toString('latin1')
    .replace(/\r?\n[ \t]+/g, ' ');
  const headers = head
    .split(/\r?\n/)
    .filter(Boolean)
    .map((l): [string, string] => {
      const i = l.indexOf(':');
      return [l.slice(0, i), l.slice(i + 1).trim()];
    });
  return { headers, body: out.subarray(end + skip) };
}

/** The usual AS2 headers a partner adds around its body. */
export function as2Headers(extra: [string, string][] = [], id = 'msg-1@partner.example'): [string, string][] {
  const base: [string, string][] = [
    ['AS2-Version', '1.2'],
    ['AS2-From', 'PARTNER'],
    ['AS2-To', 'GATEWAY'],
    ['Message-ID', `<${id}>`],
    ['Disposition-Notification-To', 'mdn@partner.example'],
    [
      'Disposition-Notification-Options',
      'signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-256, sha1',
    ],
  ];
  const names = new Set(extra.map(([n]) => n.toLowerCase()));
  return [...base.filter(([n]) => !names.has(n.toLowerCase())), ...extra];
}

/** A small X12 850, with CRLF or LF after each segment. */
export function x12(lineEnd: '\r\n' | '\n', lines = 3): Buffer {
  const segs = [
    'ISA*00*          *00*          *ZZ*PARTNER        *ZZ*GATEWAY        *240501*1200*U*00401*000000001*0*P*>~',
    'GS*PO*PARTNER*GATEWAY*20240501*1200*1*X*004010~',
    'ST*850*0001~',
    'BEG*00*SA*PO-1**20240501~',
    ...Array.from({ length: lines }, (_, i) => `PO1*${i + 1}*2*EA*9.99**VP*SKU-${i}~`),
    `SE*${lines + 3}*0001~`,
    'GE*1*1~',
    'IEA*1*000000001~',
  ];
  return Buffer.from(segs.join(lineEnd) + lineEnd, 'latin1');
}

/**
 * openssl cms -verify of a multipart/signed body's detached signature over its first part, in
 * binary mode. The parts are split here: openssl's own multipart reader keeps, in -binary mode, the
 * CR of the CRLF that RFC 2046 5.1.1 assigns to the delimiter (so binary, LF entities would not verify).
 */
export function verifyDetached(
  lab: OpensslLab,
  boundary: string,
  body: Buffer | string,
): { content: Buffer; out: Buffer; signerPem: string } {
  const text = typeof body === 'string' ? body : body.toString('latin1');
  const [, first, second] = text.split(`--${boundary}`);
  const content = Buffer.from(first!.slice(2, -2), 'latin1'); // after the delimiter's CRLF, before the next one's
  const sig = Buffer.from(second!.split('\r\n\r\n')[1]!.replace(/\s+/g, ''), 'base64');
  const out = lab.tmp();
  const signer = lab.tmp();
  lab.run([
    'cms',
    '-verify',
    '-binary',
    '-noverify',
    '-inform',
    'DER',
    '-in',
    lab.file(sig),
    '-content',
    lab.file(content),
    '-out',
    out,
    '-signer',
    signer,
  ]);
  return { content, out: lab.read(out), signerPem: lab.read(signer).toString('latin1') };
}

/**
 * Inflates an application/pkcs7-mime compressed-data entity (base64 or binary) independently of the
 * codec: Debian's openssl has no zlib (`openssl cms -uncompress` is unavailable), so
 * `openssl asn1parse` checks the CompressedData structure (id-smime-ct-compressedData, the zlib
 * algorithm) and extracts its eContent, which node's zlib inflates. Returns the inner entity.
 */
export function opensslInflate(lab: OpensslLab, entity: Buffer): Buffer {
  const text = entity.toString('latin1');
  const split = text.search(/\r?\n\r?\n/);
  const head = text.slice(0, split);
  const rest = entity.subarray(split + (text.startsWith('\r\n\r\n', split) ? 4 : 2));
  if (!/smime-type=compressed-data/i.test(head)) throw new Error(`not a compressed-data entity: ${head}`);
  const der = /content-transfer-encoding:\s*base64/i.test(head)
    ? Buffer.from(rest.toString('latin1').replace(/\s+/g, ''), 'base64')
    : rest;
  const derFile = lab.file(der);
  const dump = lab.run(['asn1parse', '-inform', 'DER', '-in', derFile]).toString();
  if (!dump.includes('id-smime-ct-compressedData')) throw new Error(`not CompressedData:\n${dump}`);
  if (!/:zlib compression|1\.2\.840\.113549\.1\.9\.16\.3\.8/.test(dump))
    throw new Error(`not zlib:\n${dump}`);
  const octetLine = dump
    .split('\n')
    .filter((l) => l.includes('OCTET STRING'))
    .pop()!;
  const offset = Number(/^\s*(\d+):/.exec(octetLine)![1]);
  const raw = lab.tmp();
  lab.run([
    'asn1parse',
    '-inform',
    'DER',
    '-in',
    derFile,
    '-strparse',
    String(offset),
    '-noout',
    '-out',
    raw,
  ]);
  return inflateSync(lab.read(raw));
}
