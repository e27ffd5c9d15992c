/**
 * Inbound interop: partner messages built by `openssl cms` (Debian openssl) in each combination are
 * unwrapped by our codec, which reports their layers, returns the payload and computes the MIC that
 * `openssl dgst` computes over the bytes RFC 4130 7.3.1 names.
 */
import { deflateSync } from 'node:zlib';
import {
  type As2Error,
  type DecryptionKey,
  type UnwrapResult,
  checkPolicy,
  unwrapAs2Message,
  buildMdn,
  parseMdn,
} from '../../../protocols/as2';
import { type Identity, OpensslLab, as2Headers, splitSmime, x12 } from './openssl';

let lab: OpensslLab;
let partner: Identity;
let gateway: Identity;
let stranger: Identity;
let keys: DecryptionKey[];

beforeAll(() => {
  lab = new OpensslLab();
  partner = lab.identity('partner');
  gateway = lab.identity('gateway');
  stranger = lab.identity('stranger');
  keys = [{ certificate: gateway.cert, privateKey: gateway.key }];
});
afterAll(() => lab.cleanup());

const canonical = (b: Buffer): Buffer =>
  Buffer.from(b.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');

function entity(payload: Buffer, contentType = 'application/edi-x12', te = 'binary', eol = '\r\n'): Buffer {
  const body =
    te === 'base64' ? Buffer.from(payload.toString('base64').replace(/.{76}/g, `$&${eol}`) + eol) : payload;
  return Buffer.concat([
    Buffer.from(
      `Content-Type: ${contentType}${eol}Content-Transfer-Encoding: ${te}${eol}Content-Disposition: attachment; filename="po 1.edi"${eol}${eol}`,
      'latin1',
    ),
    body,
  ]);
}

function sign(
  input: Buffer,
  md: string,
  opts: { binary?: boolean; nodetach?: boolean; pss?: boolean; signer?: Identity } = {},
): Buffer {
  const who = opts.signer ?? partner;
  return lab.run([
    'cms',
    '-sign',
    ...(opts.binary ? ['-binary'] : []),
    ...(opts.nodetach ? ['-nodetach'] : []),
    '-in',
    lab.file(input),
    '-signer',
    who.certPath,
    '-inkey',
    who.keyPath,
    '-md',
    md,
    ...(opts.pss ? ['-keyopt', 'rsa_padding_mode:pss'] : []),
  ]);
}

function encrypt(
  input: Buffer,
  cipher: string,
  opts: { smime?: boolean; oaep?: boolean; to?: Identity } = {},
): Buffer {
  const out = lab.run([
    'cms',
    '-encrypt',
    '-binary',
    '-in',
    lab.file(input),
    `-${cipher}`,
    '-recip',
    (opts.to ?? gateway).certPath,
    ...(opts.oaep ? ['-keyopt', 'rsa_padding_mode:oaep'] : []),
    ...(opts.smime ? [] : ['-outform', 'DER']),
  ]);
  if (opts.smime) return out;
  const type = cipher.endsWith('gcm') ? 'authEnveloped-data' : 'enveloped-data';
  return Buffer.concat([
    Buffer.from(`Content-Type: application/pkcs7-mime; smime-type=${type}; name="smime.p7m"\r\n\r\n`),
    out,
  ]);
}

/** CompressedData built independently: zlib by node's zlib, the DER by `openssl asn1parse -genconf`. */
function compress(input: Buffer, te: 'base64' | 'binary' = 'base64'): Buffer {
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
  const out = lab.tmp();
  lab.run(['asn1parse', '-genconf', lab.file(conf), '-noout', '-out', out]);
  const der = lab.read(out);
  return Buffer.concat([
    Buffer.from(
      `Content-Type: application/pkcs7-mime; smime-type=compressed-data; name=smime.p7z\r\nContent-Transfer-Encoding: ${te}\r\n\r\n`,
    ),
    te === 'base64' ? Buffer.from(der.toString('base64').replace(/.{76}/g, '$&\r\n') + '\r\n') : der,
  ]);
}

function unwrap(smime: Buffer, extra: [string, string][] = [], now = new Date()): UnwrapResult {
  const s = splitSmime(smime);
  return unwrapAs2Message(
    { headers: [...as2Headers(extra), ...s.headers], body: s.body },
    { decryptionKeys: keys, partnerCertificates: [partner.cert], now },
  );
}

function unwrapError(smime: Buffer, now = new Date(), trusted = [partner.cert]): As2Error {
  const s = splitSmime(smime);
  try {
    unwrapAs2Message(
      { headers: [...as2Headers(), ...s.headers], body: s.body },
      { decryptionKeys: keys, partnerCertificates: trusted, now },
    );
  } catch (err) {
    return err as As2Error;
  }
  throw new Error('expected the message to be refused');
}

const kinds = (r: UnwrapResult): string => r.layers.map((l) => l.kind).join('>');

describe('signed messages from openssl cms', () => {
  test.each([
    ['sha1', '\r\n', true],
    ['sha256', '\n', true],
    ['sha384', '\r\n', false],
    ['sha512', '\n', false],
  ] as const)(
    'detached %s signature, payload lines ending %j, binary=%s: verified, MIC over the signed entity',
    (md, eol, binary) => {
      const payload = x12(eol);
      const e = entity(payload);
      const r = unwrap(sign(e, md, { binary }));
      expect(kinds(r)).toBe('signed');
      const layer = r.layers[0]!;
      expect(layer).toMatchObject({ kind: 'signed', detached: true, digest: md, scheme: 'rsa-pkcs1' });
      if (layer.kind === 'signed')
        expect(layer.signer.fingerprintSha256).toBe(partner.cert.fingerprintSha256);
      // In text mode openssl signs (and sends) the canonical CRLF form; with -binary the bytes as they are.
      const signedBytes = binary ? e : canonical(e);
      expect(r.micCovers).toBe('signed-entity');
      expect(r.mic).toEqual({ algorithm: 'sha256', digest: lab.mic(signedBytes, 'sha256') });
      expect(r.payload.content.equals(binary ? payload : canonical(payload))).toBe(true);
      expect(r.payload.contentType.mediaType).toBe('application/edi-x12');
      expect(r.payload.fileName).toBe('po 1.edi');
    },
  );

  test('RSA-PSS signature (SHA-256) verifies and is reported as rsa-pss', () => {
    const r = unwrap(sign(entity(x12('\r\n')), 'sha256', { binary: true, pss: true }));
    expect(r.layers[0]).toMatchObject({ kind: 'signed', scheme: 'rsa-pss', digest: 'sha256' });
  });

  test('enveloping signed-data (application/pkcs7-mime, base64) with SHA-512 and RSA-PSS', () => {
    const e = entity(x12('\n'), 'application/edifact');
    const r = unwrap(sign(e, 'sha512', { binary: true, nodetach: true, pss: true }));
    expect(r.layers[0]).toMatchObject({
      kind: 'signed',
      detached: false,
      digest: 'sha512',
      scheme: 'rsa-pss',
    });
    expect(r.mic.digest).toBe(lab.mic(e, 'sha256'));
    expect(r.payload.contentType.mediaType).toBe('application/edifact');
  });

  test('the MIC algorithm follows signed-receipt-micalg in any spelling (sha1 requested first)', () => {
    const e = entity(x12('\r\n'));
    const r = unwrap(sign(e, 'sha256', { binary: true }), [
      [
        'Disposition-Notification-Options',
        'signed-receipt-protocol=required, pkcs7-signature; signed-receipt-micalg=required, SHA1, sha-256',
      ],
    ]);
    expect(r.mic).toEqual({ algorithm: 'sha1', digest: lab.mic(e, 'sha1') });
  });

  test('base64 payload transfer encoding is decoded; the MIC still covers the encoded entity', () => {
    const payload = Buffer.from(Array.from({ length: 700 }, (_, i) => (i * 37) & 0xff));
    const e = entity(payload, 'application/octet-stream', 'base64');
    const r = unwrap(sign(e, 'sha256', { binary: true }));
    expect(r.payload.content.equals(payload)).toBe(true);
    expect(r.mic.digest).toBe(lab.mic(e, 'sha256'));
  });

  test('quoted-printable XML payload is decoded', () => {
    const xml = '<?xml version="1.0"?>\r\n<Order id="1">caf=C3=A9 =\r\ncontinued</Order>\r\n';
    const e = Buffer.from(
      `Content-Type: application/xml\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${xml}`,
    );
    const r = unwrap(sign(e, 'sha256', { binary: true }));
    expect(r.payload.content.toString('utf8')).toBe(
      '<?xml version="1.0"?>\r\n<Order id="1">café continued</Order>\r\n',
    );
  });
});

describe('signer and recipient named by subject key identifier (openssl -keyid)', () => {
  test('signed and encrypted with -keyid: found by subjectKeyIdentifier', () => {
    const e = entity(x12('\r\n'));
    const signed = lab.run([
      'cms',
      '-sign',
      '-keyid',
      '-binary',
      '-in',
      lab.file(e),
      '-signer',
      partner.certPath,
      '-inkey',
      partner.keyPath,
    ]);
    const der = lab.run([
      'cms',
      '-encrypt',
      '-keyid',
      '-binary',
      '-in',
      lab.file(signed),
      '-aes-256-cbc',
      '-outform',
      'DER',
      '-recip',
      gateway.certPath,
    ]);
    const msg = Buffer.concat([
      Buffer.from('Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n\r\n'),
      der,
    ]);
    const r = unwrap(msg);
    expect(kinds(r)).toBe('encrypted>signed');
    expect(r.signer?.fingerprintSha256).toBe(partner.cert.fingerprintSha256);
  });
});

describe('a signed part whose line ends were changed in transit', () => {
  test('signed over CRLF, received with bare LF: verifies against the canonical form, and the MIC covers that', () => {
    const e = entity(x12('\r\n'));
    const out = sign(e, 'sha256').toString('latin1');
    // an intermediary rewrote the signed part's CRLF to LF (the signature part is left alone)
    const boundary = /boundary="([^"]+)"/.exec(out)![1]!;
    const [pre, first, ...rest] = out.split(`--${boundary}`);
    const mangled = Buffer.from(
      [pre, first!.replace(/\r\n/g, '\n'), ...rest].join(`--${boundary}`),
      'latin1',
    );
    const r = unwrap(mangled);
    expect(r.layers[0]).toMatchObject({ kind: 'signed', canonicalized: true });
    expect(r.mic.digest).toBe(lab.mic(e, 'sha256'));
    expect(r.payload.content.equals(x12('\r\n'))).toBe(true);
  });
});

describe('encrypted messages from openssl cms', () => {
  test.each([
    ['des3', 'des-ede3-cbc', false],
    ['aes-128-cbc', 'aes-128-cbc', true],
    ['aes-192-cbc', 'aes-192-cbc', false],
    ['aes-256-cbc', 'aes-256-cbc', true],
    ['aes-128-gcm', 'aes-128-gcm', false],
    ['aes-256-gcm', 'aes-256-gcm', true],
  ] as const)(
    'openssl -%s decrypts as %s (S/MIME base64 output: %s); MIC over the decrypted payload entity',
    (cipher, algorithm, smime) => {
      const e = entity(x12('\n'));
      const r = unwrap(encrypt(e, cipher, { smime }));
      expect(kinds(r)).toBe('encrypted');
      expect(r.layers[0]).toMatchObject({
        kind: 'encrypted',
        algorithm,
        keyTransport: 'rsa-pkcs1',
        structure: cipher.endsWith('gcm') ? 'auth-enveloped-data' : 'enveloped-data',
      });
      expect(r.micCovers).toBe('payload-entity');
      expect(r.mic.digest).toBe(lab.mic(e, 'sha256'));
      expect(r.payload.content.equals(x12('\n'))).toBe(true);
    },
  );

  test('RSA-OAEP key transport decrypts and is reported', () => {
    const r = unwrap(encrypt(entity(x12('\r\n')), 'aes-256-cbc', { oaep: true }));
    expect(r.layers[0]).toMatchObject({ kind: 'encrypted', keyTransport: 'rsa-oaep' });
  });

  test('BER with indefinite lengths and chunked OCTET STRINGs (openssl -stream) decrypts', () => {
    const e = entity(x12('\r\n', 400));
    const out = lab.run([
      'cms',
      '-encrypt',
      '-binary',
      '-stream',
      '-in',
      lab.file(e),
      '-aes-256-cbc',
      '-outform',
      'DER',
      gateway.certPath,
    ]);
    const msg = Buffer.concat([
      Buffer.from('Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n\r\n'),
      out,
    ]);
    expect(unwrap(msg).payload.content.equals(x12('\r\n', 400))).toBe(true);
  });
});

describe('signed and encrypted messages from openssl cms', () => {
  test.each([
    ['sha1', 'des3', '\r\n', false],
    ['sha256', 'aes-128-cbc', '\n', false],
    ['sha256', 'aes-256-gcm', '\n', true],
    ['sha512', 'aes-192-cbc', '\r\n', true],
  ] as const)('%s signature inside %s, payload lines %j, PSS=%s', (md, cipher, eol, pss) => {
    const e = entity(x12(eol));
    const r = unwrap(encrypt(sign(e, md, { pss }), cipher));
    expect(kinds(r)).toBe('encrypted>signed');
    expect(r.signed && r.encrypted && !r.compressed).toBe(true);
    expect(r.signer?.fingerprintSha256).toBe(partner.cert.fingerprintSha256);
    expect(r.mic.digest).toBe(lab.mic(canonical(e), 'sha256'));
  });
});

describe('compressed messages (RFC 5402)', () => {
  test('compressed only: inflated; MIC over the uncompressed payload entity', () => {
    const e = entity(x12('\r\n', 50));
    const r = unwrap(compress(e));
    expect(kinds(r)).toBe('compressed');
    expect(r.micCovers).toBe('payload-entity');
    expect(r.mic.digest).toBe(lab.mic(e, 'sha256'));
    expect(r.payload.content.equals(x12('\r\n', 50))).toBe(true);
  });

  test('compressed before signing, then encrypted: MIC over the signed (compressed) entity', () => {
    const c = compress(entity(x12('\n', 20)));
    const r = unwrap(encrypt(sign(c, 'sha256', { binary: true }), 'aes-256-cbc'));
    expect(kinds(r)).toBe('encrypted>signed>compressed');
    expect(r.mic.digest).toBe(lab.mic(c, 'sha256'));
    expect(r.payload.content.equals(x12('\n', 20))).toBe(true);
  });

  test('signed, then compressed, then encrypted: MIC over the signed payload entity', () => {
    const e = entity(x12('\r\n', 20));
    const signed = sign(e, 'sha256', { binary: true });
    const c = compress(signed, 'binary');
    const r = unwrap(encrypt(c, 'aes-128-gcm'));
    expect(kinds(r)).toBe('encrypted>compressed>signed');
    expect(r.mic.digest).toBe(lab.mic(e, 'sha256'));
  });

  // RFC 5402: a signed message's MIC is over what was signed (the compressed entity when compressed
  // before signing, the payload entity when signed before compressing); an unsigned one's is over
  // the uncompressed payload entity with its MIME header fields.
  test('compressed, then encrypted (not signed): MIC over the uncompressed payload entity as sent (LF kept)', () => {
    const e = entity(x12('\n', 10), 'application/edi-x12', 'binary', '\n');
    const r = unwrap(encrypt(compress(e), 'aes-256-gcm'));
    expect(kinds(r)).toBe('encrypted>compressed');
    expect(r.micCovers).toBe('payload-entity');
    expect(r.mic.digest).toBe(lab.mic(e, 'sha256'));
    expect(r.payload.content.equals(x12('\n', 10))).toBe(true);
  });

  test('compressed, then signed (text mode), not encrypted: MIC over the signed compressed entity', () => {
    const c = compress(entity(x12('\r\n', 10)));
    const r = unwrap(sign(c, 'sha1'));
    expect(kinds(r)).toBe('signed>compressed');
    expect(r.micCovers).toBe('signed-entity');
    expect(r.mic.digest).toBe(lab.mic(canonical(c), 'sha256'));
    expect(r.payload.content.equals(x12('\r\n', 10))).toBe(true);
  });

  test('signed, then compressed, not encrypted: MIC over the signed payload entity', () => {
    const e = entity(x12('\n', 10), 'application/edi-x12', 'base64');
    const r = unwrap(compress(sign(e, 'sha256', { binary: true })));
    expect(kinds(r)).toBe('compressed>signed');
    expect(r.mic.digest).toBe(lab.mic(e, 'sha256'));
    expect(r.payload.content.equals(x12('\n', 10))).toBe(true);
  });

  test('compressed, then enveloping signed-data, then encrypted: MIC over the compressed entity it signs', () => {
    const c = compress(entity(x12('\r\n', 10)), 'binary');
    const r = unwrap(encrypt(sign(c, 'sha512', { binary: true, nodetach: true }), 'des3'));
    expect(kinds(r)).toBe('encrypted>signed>compressed');
    expect(r.layers[1]).toMatchObject({ kind: 'signed', detached: false, digest: 'sha512' });
    expect(r.mic.digest).toBe(lab.mic(c, 'sha256'));
    expect(r.payload.content.equals(x12('\r\n', 10))).toBe(true);
  });

  test('enveloping signed-data, then compressed, then encrypted: MIC over the payload entity it signs', () => {
    const e = entity(x12('\r\n', 10));
    const r = unwrap(encrypt(compress(sign(e, 'sha256', { binary: true, nodetach: true })), 'aes-192-cbc'));
    expect(kinds(r)).toBe('encrypted>compressed>signed');
    expect(r.mic.digest).toBe(lab.mic(e, 'sha256'));
  });

  test('signed, then compressed, with the signed content changed under the compression: integrity-check-failed', () => {
    const e = entity(x12('\r\n', 10));
    const signed = sign(e, 'sha256', { binary: true });
    const tampered = Buffer.from(signed.toString('latin1').replace('PO-1', 'PO-9'), 'latin1');
    expect(tampered.equals(signed)).toBe(false);
    expect(unwrapError(encrypt(compress(tampered), 'aes-128-cbc'))).toMatchObject({
      code: 'integrity-check-failed',
    });
  });

  test('two compressed layers are refused (each layer appears once)', () => {
    const e = entity(x12('\r\n'));
    expect(unwrapError(compress(compress(e)))).toMatchObject({ code: 'unexpected-processing-error' });
  });

  test('a zlib bomb over the limit is refused as decompression-failed', () => {
    const c = compress(Buffer.alloc(5_000_000, 0x41), 'binary');
    const s = splitSmime(c);
    let err: As2Error | undefined;
    try {
      unwrapAs2Message(
        { headers: [...as2Headers(), ...s.headers], body: s.body },
        {
          decryptionKeys: keys,
          partnerCertificates: [partner.cert],
          now: new Date(),
          limits: { maxDecompressedBytes: 1_000_000 },
        },
      );
    } catch (e) {
      err = e as As2Error;
    }
    expect(err).toMatchObject({ code: 'decompression-failed', reason: 'limit' });
  });
});

describe('plain messages', () => {
  test('unsigned, unencrypted: MIC over the content without MIME headers', () => {
    const payload = x12('\r\n');
    const r = unwrapAs2Message(
      { headers: [...as2Headers(), ['Content-Type', 'application/edi-x12']], body: payload },
      { decryptionKeys: keys, partnerCertificates: [partner.cert], now: new Date() },
    );
    expect(r.layers).toEqual([]);
    expect(r.micCovers).toBe('content');
    expect(r.mic.digest).toBe(lab.mic(payload, 'sha256'));
    expect(() => checkPolicy(r, { requireSigned: true })).toThrow(
      expect.objectContaining({ code: 'insufficient-message-security' }),
    );
  });
});

describe('refusals map to the negative MDN modifier', () => {
  test('tampered content: integrity-check-failed (digest-mismatch)', () => {
    const out = sign(entity(x12('\r\n')), 'sha256', { binary: true });
    const tampered = Buffer.from(out.toString('latin1').replace('PO1*1*2*EA', 'PO1*1*9*EA'), 'latin1');
    expect(tampered.equals(out)).toBe(false);
    expect(unwrapError(tampered)).toMatchObject({
      code: 'integrity-check-failed',
      reason: 'digest-mismatch',
    });
  });

  test('tampered content under encryption is still caught after decryption', () => {
    const signed = sign(entity(x12('\r\n')), 'sha256', { binary: true });
    const tampered = Buffer.from(signed.toString('latin1').replace('BEG*00*SA', 'BEG*01*SA'), 'latin1');
    expect(unwrapError(encrypt(tampered, 'aes-256-cbc'))).toMatchObject({ code: 'integrity-check-failed' });
  });

  test('a signature by an unknown signer: authentication-failed (unknown-signer), naming the signer', () => {
    const err = unwrapError(sign(entity(x12('\r\n')), 'sha256', { signer: stranger }));
    expect(err).toMatchObject({ code: 'authentication-failed', reason: 'unknown-signer' });
    expect(err.detail).toContain('CN=stranger');
  });

  test('a corrupted signature value: authentication-failed (signature-invalid)', () => {
    const der = lab.run([
      'cms',
      '-sign',
      '-binary',
      '-in',
      lab.file(entity(x12('\r\n'))),
      '-signer',
      partner.certPath,
      '-inkey',
      partner.keyPath,
      '-outform',
      'DER',
      '-nodetach',
    ]);
    // the signature is the last OCTET STRING: flip a byte near the end
    der[der.length - 10]! ^= 0x01;
    const msg = Buffer.concat([
      Buffer.from('Content-Type: application/pkcs7-mime; smime-type=signed-data\r\n\r\n'),
      der,
    ]);
    expect(unwrapError(msg)).toMatchObject({ code: 'authentication-failed', reason: 'signature-invalid' });
  });

  test('encrypted for a certificate that is not ours: decryption-failed (no-recipient)', () => {
    const err = unwrapError(encrypt(entity(x12('\r\n')), 'aes-256-cbc', { to: stranger }));
    expect(err).toMatchObject({ code: 'decryption-failed', reason: 'no-recipient' });
    expect(err.detail).toContain(`issuer O=AS2 test, CN=stranger, serial ${stranger.cert.serialNumber}`);
  });

  test('corrupted ciphertext: decryption-failed', () => {
    const msg = encrypt(entity(x12('\r\n', 40)), 'aes-256-gcm');
    msg[msg.length - 40]! ^= 0xff;
    expect(unwrapError(msg)).toMatchObject({
      code: 'decryption-failed',
      reason: 'content-decryption-failed',
    });
  });

  test("the partner's certificate after its expiry: authentication-failed (certificate-not-valid)", () => {
    const later = new Date(partner.cert.notAfter.getTime() + 86_400_000);
    expect(unwrapError(sign(entity(x12('\r\n')), 'sha256'), later)).toMatchObject({
      code: 'authentication-failed',
      reason: 'certificate-not-valid',
    });
  });

  test('rollover overlap: a message signed with either of two valid certificates verifies', () => {
    const trusted = [stranger.cert, partner.cert];
    for (const who of [partner, stranger]) {
      const s = splitSmime(sign(entity(x12('\r\n')), 'sha256', { signer: who }));
      const r = unwrapAs2Message(
        { headers: [...as2Headers(), ...s.headers], body: s.body },
        { decryptionKeys: keys, partnerCertificates: trusted, now: new Date() },
      );
      expect(r.signer?.fingerprintSha256).toBe(who.cert.fingerprintSha256);
    }
  });

  test('each refusal becomes a negative MDN whose disposition carries the error code', () => {
    const err = unwrapError(sign(entity(x12('\r\n')), 'sha256', { signer: stranger }));
    const mdn = buildMdn({
      original: { messageId: 'msg-1@partner.example', as2From: 'PARTNER', as2To: 'GATEWAY' },
      outcome: err,
      messageId: 'mdn-1@gateway.example',
      now: new Date(),
    });
    const parsed = parseMdn(
      { headers: mdn.headers.map(([name, value]) => ({ name, value })), body: mdn.body },
      { partnerCertificates: [], now: new Date() },
    );
    expect(parsed.processed).toBe(false);
    expect(parsed.disposition).toMatchObject({
      type: 'processed',
      modifier: { kind: 'error', text: 'authentication-failed' },
    });
    expect(parsed.receivedContentMic).toBeUndefined();
  });
});
