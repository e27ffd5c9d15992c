/**
 * A trading partner's AS2 station played by Debian's openssl: messages built with `openssl cms`
 * (sign, encrypt, compress as RFC 5402's CompressedData via asn1parse -genconf and node's zlib), sent
 * over real HTTP, and MDNs checked with `openssl cms -verify` and `openssl dgst`.
 */
import { deflateSync } from 'node:zlib';
import {
  type Identity,
  OpensslLab,
  opensslInflate,
  splitSmime,
  verifyDetached,
} from '../../unit/as2/openssl';

export interface Sent {
  status: number;
  headers: [string, string][];
  body: Buffer;
}

export const canonical = (b: Buffer): Buffer =>
  Buffer.from(b.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');

export class PartnerStation {
  constructor(
    readonly lab: OpensslLab,
    readonly me: Identity,
    readonly gateway: Identity,
  ) {}

  /** A MIME entity around the payload (binary or base64 transfer encoding, CRLF or LF header lines, its content type). */
  entity(
    payload: Buffer,
    te: 'binary' | 'base64' = 'binary',
    eol = '\r\n',
    contentType = 'application/edi-x12',
  ): Buffer {
    const body =
      te === 'base64' ? Buffer.from(payload.toString('base64').replace(/.{76}/g, `$&${eol}`) + eol) : payload;
    const head = `Content-Type: ${contentType}${eol}Content-Transfer-Encoding: ${te}${eol}Content-Disposition: attachment; filename="po.edi"${eol}${eol}`;
    return Buffer.concat([Buffer.from(head, 'latin1'), body]);
  }

  /** Detached signature (multipart/signed); -binary signs the bytes as they are. */
  sign(input: Buffer, md: string, opts: { binary?: boolean; signer?: Identity } = {}): Buffer {
    const who = opts.signer ?? this.me;
    return this.lab.run([
      'cms',
      '-sign',
      ...(opts.binary ? ['-binary'] : []),
      '-in',
      this.lab.file(input),
      '-signer',
      who.certPath,
      '-inkey',
      who.keyPath,
      '-md',
      md,
    ]);
  }

  /** EnvelopedData / AuthEnvelopedData as binary DER under a pkcs7-mime header. */
  encrypt(input: Buffer, cipher: string, to: Identity = this.gateway): Buffer {
    const der = this.lab.run([
      'cms',
      '-encrypt',
      '-binary',
      '-in',
      this.lab.file(input),
      `-${cipher}`,
      '-recip',
      to.certPath,
      '-outform',
      'DER',
    ]);
    const type = cipher.endsWith('gcm') ? 'authEnveloped-data' : 'enveloped-data';
    return Buffer.concat([
      Buffer.from(`Content-Type: application/pkcs7-mime; smime-type=${type}; name="smime.p7m"\r\n\r\n`),
      der,
    ]);
  }

  /** RFC 5402 CompressedData (base64 entity). */
  compress(input: Buffer): Buffer {
    const conf = [
      'asn1=SEQUENCE:ci',
      '[ci]',
      'type=OID:1.2.840.113549.1.9.16.1.9',
      'content=EXPLICIT:0,SEQUENCE:cd',
      '[cd]',
      'version=INTEGER:0',
      'alg=SEQUENCE:zalg',
      'encap=SEQUENCE:encap',
      '[zalg]',
      'alg=OID:1.2.840.113549.1.9.16.3.8',
      '[encap]',
      'type=OID:1.2.840.113549.1.7.1',
      `content=EXPLICIT:0,FORMAT:HEX,OCTETSTRING:${deflateSync(input).toString('hex')}`,
      '',
    ].join('\n');
    const out = this.lab.tmp();
    this.lab.run(['asn1parse', '-genconf', this.lab.file(conf), '-noout', '-out', out]);
    const der = this.lab.read(out);
    return Buffer.concat([
      Buffer.from(
        'Content-Type: application/pkcs7-mime; smime-type=compressed-data; name=smime.p7z\r\nContent-Transfer-Encoding: base64\r\n\r\n',
      ),
      Buffer.from(der.toString('base64').replace(/.{76}/g, '$&\r\n') + '\r\n'),
    ]);
  }

  /** POSTs an S/MIME entity as an AS2 message (its top headers become HTTP headers). */
  async send(url: string, smime: Buffer, as2: [string, string][]): Promise<Sent> {
    const s = splitSmime(smime);
    const res = await fetch(url, {
      method: 'POST',
      headers: [...as2, ...s.headers.filter(([n]) => n.toLowerCase() !== 'mime-version')],
      body: new Uint8Array(s.body),
    });
    const headers: [string, string][] = [];
    res.headers.forEach((v, n) => headers.push([n, v]));
    return { status: res.status, headers, body: Buffer.from(await res.arrayBuffer()) };
  }

  /**
   * openssl cms -verify of a signed MDN (no chain check: self-signed test certificates); returns the
   * verified report and the certificate of its signer (PEM).
   */
  verifyMdn(mdn: { headers: [string, string][]; body: Buffer }): { report: string; signerPem: string } {
    const ct = mdn.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? '';
    const file = this.lab.file(
      Buffer.concat([Buffer.from(`Content-Type: ${ct}\r\n\r\n`, 'latin1'), mdn.body]),
    );
    const out = this.lab.tmp();
    const signer = this.lab.tmp();
    this.lab.run(['cms', '-verify', '-noverify', '-in', file, '-out', out, '-signer', signer]);
    return {
      report: this.lab.read(out).toString('latin1'),
      signerPem: this.lab.read(signer).toString('latin1'),
    };
  }
}

/** The fields of the MDN's message/disposition-notification part, read by regular expressions. */
export function mdnFields(text: string): { disposition?: string; mic?: string; originalMessageId?: string } {
  const get = (name: string) => new RegExp(`^${name}:\\s*(.+?)\\r?$`, 'im').exec(text)?.[1]?.trim();
  const out: { disposition?: string; mic?: string; originalMessageId?: string } = {};
  const d = get('Disposition');
  const m = get('Received-Content-MIC');
  const o = get('Original-Message-ID');
  if (d) out.disposition = d;
  if (m) out.mic = m;
  if (o) out.originalMessageId = o;
  return out;
}

export function header(headers: [string, string][], name: string): string | undefined {
  return headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}

export interface OpenedMessage {
  /** The multipart/signed entity openssl decrypted. */
  signedEntity: Buffer;
  /** Its first part: the entity the signature (and the MIC) covers. */
  content: Buffer;
  /** The Content-Type of multipart/signed (micalg). */
  signedContentType: string;
  /** The certificate of the signer (PEM), as openssl reports it. */
  signerPem: string;
  /** The decrypted entity was CompressedData around the signed message (compressed after signing). */
  compressedOutside: boolean;
}

/**
 * The partner's side of an outbound message: `openssl cms -decrypt` with its key, then
 * `openssl cms -verify -binary` of the detached signature over the first part (split here: openssl's
 * multipart reader keeps the delimiter's CR in -binary mode). A CompressedData between the two
 * (compressed after signing) is inflated on the way (opensslInflate).
 */
export function openMessage(lab: OpensslLab, me: Identity, body: Buffer): OpenedMessage {
  const decrypted = lab.tmp();
  lab.run([
    'cms',
    '-decrypt',
    '-binary',
    '-inform',
    'DER',
    '-in',
    lab.file(body),
    '-recip',
    me.certPath,
    '-inkey',
    me.keyPath,
    '-out',
    decrypted,
  ]);
  const outer = lab.read(decrypted);
  const compressedOutside = /^Content-Type:[^\r\n]*smime-type=compressed-data/i.test(
    outer.toString('latin1'),
  );
  const signedEntity = compressedOutside ? opensslInflate(lab, outer) : outer;
  const text = signedEntity.toString('latin1');
  const headEnd = text.indexOf('\r\n\r\n');
  const signedContentType = /^Content-Type:\s*(.+)$/im.exec(text.slice(0, headEnd))![1]!.trim();
  const boundary = /boundary="([^"]+)"/.exec(signedContentType)![1]!;
  const { content, signerPem } = verifyDetached(lab, boundary, text.slice(headEnd + 4));
  return { signedEntity, content, signedContentType, signerPem, compressedOutside };
}

/** An MDN written here and signed by `openssl cms -sign` (S/MIME text mode); HTTP headers and body. */
export function opensslMdn(
  lab: OpensslLab,
  signer: Identity | undefined,
  o: { as2From: string; as2To: string; originalMessageId: string; disposition: string; mic?: string },
): { headers: [string, string][]; body: Buffer } {
  const b = 'mdn-boundary-0123';
  const fields = [
    'Reporting-UA: openssl test station',
    `Original-Recipient: rfc822; ${o.as2From}`,
    `Final-Recipient: rfc822; ${o.as2From}`,
    `Original-Message-ID: ${o.originalMessageId}`,
    `Disposition: ${o.disposition}`,
    ...(o.mic ? [`Received-Content-MIC: ${o.mic}`] : []),
  ];
  const report = [
    `Content-Type: multipart/report; report-type=disposition-notification; boundary="${b}"`,
    '',
    `--${b}`,
    'Content-Type: text/plain',
    '',
    'The message was received.',
    `--${b}`,
    'Content-Type: message/disposition-notification',
    '',
    ...fields,
    '',
    `--${b}--`,
    '',
  ].join('\r\n');
  const as2: [string, string][] = [
    ['AS2-Version', '1.2'],
    ['AS2-From', o.as2From],
    ['AS2-To', o.as2To],
    ['Message-ID', `<mdn-${Date.now()}-${Math.random().toString(36).slice(2)}@partner.example>`],
  ];
  if (!signer) {
    const i = report.indexOf('\r\n\r\n');
    return {
      headers: [...as2, ['Content-Type', report.slice(0, i).replace(/^Content-Type:\s*/, '')]],
      body: Buffer.from(report.slice(i + 4), 'latin1'),
    };
  }
  const out = lab.run([
    'cms',
    '-sign',
    '-in',
    lab.file(report),
    '-signer',
    signer.certPath,
    '-inkey',
    signer.keyPath,
    '-md',
    'sha256',
  ]);
  const s = splitSmime(out);
  return {
    headers: [...as2, ...s.headers.filter(([n]) => n.toLowerCase() !== 'mime-version')],
    body: s.body,
  };
}
