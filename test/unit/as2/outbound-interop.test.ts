/**
 * Outbound interop: messages and MDNs built by our codec are decrypted and verified by
 * `openssl cms`; the MIC we expect back equals `openssl dgst` over what openssl verified; an MDN
 * signed by openssl is read and verified by our codec.
 */
import {
  type OutboundOptions,
  buildAs2Message,
  buildMdn,
  checkMdn,
  parseMdn,
  unwrapAs2Message,
  toHeaders,
  parseDispositionNotificationOptions,
  signData,
  encryptData,
} from '../../../protocols/as2';
import { type Identity, OpensslLab, opensslInflate, verifyDetached, x12 } from './openssl';

let lab: OpensslLab;
let partner: Identity;
let gateway: Identity;
let now: Date;

beforeAll(() => {
  lab = new OpensslLab();
  partner = lab.identity('partner');
  gateway = lab.identity('gateway');
  now = new Date(Date.now() + 60_000);
});
afterAll(() => lab.cleanup());

/** Writes the HTTP message as an S/MIME file (header section + body) for openssl. */
function smimeFile(headers: [string, string][], body: Buffer): string {
  const head = headers.map(([n, v]) => `${n}: ${v}\r\n`).join('') + '\r\n';
  return lab.file(Buffer.concat([Buffer.from(head, 'latin1'), body]));
}

function header(headers: [string, string][], name: string): string | undefined {
  return headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}

function build(extra: Partial<OutboundOptions>): ReturnType<typeof buildAs2Message> {
  return buildAs2Message({
    payload: x12('\r\n'),
    contentType: 'application/edi-x12',
    fileName: 'order 1.edi',
    as2From: 'GATEWAY CORP',
    as2To: 'PARTNER',
    messageId: 'out-1@gateway.example',
    now,
    receipt: { signed: true, micAlgorithms: ['sha256', 'sha1'] },
    ...extra,
  });
}

/**
 * openssl cms -verify of an S/MIME file (multipart/signed or signed-data) as a mail reader does
 * (text mode: it canonicalizes what it reads); returns the content it verified.
 */
function opensslVerify(file: string, signerOut = lab.tmp()): Buffer {
  const out = lab.tmp();
  lab.run(['cms', '-verify', '-noverify', '-in', file, '-out', out, '-signer', signerOut]);
  return lab.read(out);
}

/**
 * openssl cms -verify of a detached signature over given content bytes, in binary mode. Used for
 * binary entities (LF line ends): openssl's own multipart reader keeps the CR of the CRLF that RFC
 * 2046 5.1.1 assigns to the delimiter when it runs in -binary mode, so the parts are split here.
 */
function opensslVerifyDetached(headers: [string, string][], body: Buffer): Buffer {
  const boundary = /boundary="([^"]+)"/.exec(header(headers, 'Content-Type')!)![1]!;
  return verifyDetached(lab, boundary, body).out;
}

/** openssl cms -decrypt of the (binary DER) AS2 body. */
function opensslDecrypt(body: Buffer): Buffer {
  const out = lab.tmp();
  lab.run([
    'cms',
    '-decrypt',
    '-binary',
    '-inform',
    'DER',
    '-in',
    lab.file(body),
    '-recip',
    partner.certPath,
    '-inkey',
    partner.keyPath,
    '-out',
    out,
  ]);
  return lab.read(out);
}

describe('our outbound messages, read by openssl cms', () => {
  test('AS2 headers: version 1.2, names quoted when they contain spaces, Message-ID in brackets, MDN request', () => {
    const m = build({
      receipt: { signed: true, micAlgorithms: ['sha256', 'sha1'], asyncUrl: 'https://gw.example/as2/mdn' },
    });
    expect(header(m.headers, 'AS2-Version')).toBe('1.2');
    expect(header(m.headers, 'AS2-From')).toBe('"GATEWAY CORP"');
    expect(header(m.headers, 'AS2-To')).toBe('PARTNER');
    expect(header(m.headers, 'Message-ID')).toBe('<out-1@gateway.example>');
    expect(header(m.headers, 'Receipt-Delivery-Option')).toBe('https://gw.example/as2/mdn');
    expect(header(m.headers, 'Disposition-Notification-Options')).toBe(
      'signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-256, sha-1',
    );
    expect(
      parseDispositionNotificationOptions(header(m.headers, 'Disposition-Notification-Options')),
    ).toMatchObject({
      signedReceiptProtocol: { values: ['pkcs7-signature'] },
      signedReceiptMicalg: { values: ['sha-256', 'sha-1'] },
    });
  });

  test.each([
    ['sha1', 'rsa-pkcs1', 'des-ede3-cbc', 'binary'],
    ['sha256', 'rsa-pkcs1', 'aes-128-cbc', 'base64'],
    ['sha384', 'rsa-pss', 'aes-192-cbc', 'binary'],
    ['sha512', 'rsa-pss', 'aes-256-cbc', 'quoted-printable'],
    ['sha256', 'rsa-pkcs1', 'aes-128-gcm', 'binary'],
    ['sha256', 'rsa-pss', 'aes-256-gcm', 'base64'],
  ] as const)(
    'signed %s/%s and encrypted %s (payload %s) decrypts and verifies with openssl',
    (digest, scheme, algorithm, te) => {
      const m = build({
        transferEncoding: te,
        sign: { certificate: gateway.cert, privateKey: gateway.key, digest, scheme },
        encrypt: { certificates: [partner.cert], algorithm },
      });
      expect(header(m.headers, 'Content-Type')).toMatch(
        /^application\/pkcs7-mime; smime-type=(enveloped-data|authEnveloped-data)/,
      );
      const decrypted = opensslDecrypt(m.body);
      const signerOut = lab.tmp();
      const content = opensslVerify(lab.file(decrypted), signerOut);
      // openssl's signer certificate is ours
      expect(lab.run(['x509', '-in', signerOut, '-noout', '-fingerprint', '-sha256']).toString()).toContain(
        gateway.cert.fingerprintSha256,
      );
      expect(content.toString('latin1')).toContain('Content-Type: application/edi-x12');
      // the MIC we expect in the MDN is openssl's digest of exactly what it verified
      expect(m.mic).toEqual({ algorithm: 'sha256', digest: lab.mic(content, 'sha256') });
      // and the partner side of our own codec agrees
      const r = unwrapAs2Message(
        { headers: m.headers, body: m.body },
        {
          decryptionKeys: [{ certificate: partner.cert, privateKey: partner.key }],
          partnerCertificates: [gateway.cert],
          now,
        },
      );
      expect(r.payload.content.equals(x12('\r\n'))).toBe(true);
      expect(r.mic).toEqual(m.mic);
    },
  );

  test('RSA-OAEP key transport decrypts with openssl', () => {
    const m = build({
      encrypt: { certificates: [partner.cert], algorithm: 'aes-256-cbc', keyTransport: 'rsa-oaep' },
    });
    const inner = opensslDecrypt(m.body);
    expect(inner.toString('latin1')).toContain('ISA*00*');
    // unsigned + encrypted: the MIC covers the payload entity, headers included
    expect(m.mic.digest).toBe(lab.mic(inner, 'sha256'));
  });

  test('signed only (multipart/signed as the HTTP body) verifies with openssl', () => {
    const m = build({ sign: { certificate: gateway.cert, privateKey: gateway.key, digest: 'sha256' } });
    expect(header(m.headers, 'Content-Type')).toMatch(
      /^multipart\/signed; protocol="application\/pkcs7-signature"; micalg=sha-256/,
    );
    const content = opensslVerify(smimeFile(m.headers, m.body));
    expect(m.mic.digest).toBe(lab.mic(content, 'sha256'));
  });

  test('a binary payload with LF line ends is signed as it is: openssl verifies the detached signature in binary mode', () => {
    const m = build({
      payload: x12('\n'),
      sign: { certificate: gateway.cert, privateKey: gateway.key, digest: 'sha256' },
    });
    const content = opensslVerifyDetached(m.headers, m.body);
    expect(content.toString('latin1')).toContain('ISA*00*');
    expect(content.includes(Buffer.from('~\r\n'))).toBe(false);
    expect(m.mic.digest).toBe(lab.mic(content, 'sha256'));
  });

  test('unsigned, unencrypted: the MIC covers the payload alone', () => {
    const m = build({});
    expect(m.body.equals(x12('\r\n'))).toBe(true);
    expect(m.mic.digest).toBe(lab.mic(x12('\r\n'), 'sha256'));
  });

  test('compressed before signing, then encrypted: openssl decrypts and verifies; the inner CompressedData inflates', () => {
    const m = build({
      compress: 'before-signing',
      sign: { certificate: gateway.cert, privateKey: gateway.key, digest: 'sha256' },
      encrypt: { certificates: [partner.cert], algorithm: 'aes-256-cbc' },
    });
    const verified = opensslVerify(lab.file(opensslDecrypt(m.body)));
    expect(verified.toString('latin1')).toMatch(
      /^Content-Type: application\/pkcs7-mime; smime-type=compressed-data/,
    );
    expect(m.mic.digest).toBe(lab.mic(verified, 'sha256'));
    // openssl has no zlib here: asn1parse reads the CompressedData, node's zlib inflates it.
    const inner = opensslInflate(lab, verified);
    expect(inner.toString('latin1')).toMatch(/^Content-Type: application\/edi-x12\r\n/);
    expect(inner.subarray(inner.indexOf('\r\n\r\n') + 4).equals(x12('\r\n'))).toBe(true);
  });

  test.each([
    ['aes-256-cbc', 'binary'],
    ['aes-128-gcm', 'base64'],
  ] as const)(
    'signed, then compressed, then encrypted (%s, inner %s): openssl decrypts, the CompressedData inflates to the multipart/signed openssl verifies; the MIC covers the uncompressed payload entity',
    (algorithm, innerTransferEncoding) => {
      const m = build({
        compress: 'after-signing',
        innerTransferEncoding,
        sign: { certificate: gateway.cert, privateKey: gateway.key, digest: 'sha384' },
        encrypt: { certificates: [partner.cert], algorithm },
        receipt: { signed: true, micAlgorithms: ['sha384'] },
      });
      const decrypted = opensslDecrypt(m.body);
      expect(decrypted.toString('latin1')).toMatch(
        /^Content-Type: application\/pkcs7-mime; smime-type=compressed-data/,
      );
      const signed = opensslInflate(lab, decrypted);
      const ct = /^Content-Type:\s*(.+)\r\n/.exec(signed.toString('latin1'))![1]!;
      expect(ct).toMatch(/^multipart\/signed;.*micalg=sha-384/);
      const body = signed.subarray(signed.indexOf('\r\n\r\n') + 4);
      const verified = opensslVerifyDetached([['Content-Type', ct]], body);
      expect(verified.toString('latin1')).toMatch(/^Content-Type: application\/edi-x12\r\n/);
      // RFC 5402: signed before compression, the MIC is over the signed (uncompressed) entity.
      expect(m.mic).toEqual({ algorithm: 'sha384', digest: lab.mic(verified, 'sha384') });
      const r = unwrapAs2Message(
        { headers: m.headers, body: m.body },
        {
          decryptionKeys: [{ certificate: partner.cert, privateKey: partner.key }],
          partnerCertificates: [gateway.cert],
          now,
          micAlgorithm: 'sha384',
        },
      );
      expect(r.layers.map((l) => l.kind)).toEqual(['encrypted', 'compressed', 'signed']);
      expect(r.mic).toEqual(m.mic);
    },
  );

  test('signed, then compressed, not encrypted: the HTTP body is the CompressedData', () => {
    const m = build({
      compress: 'after-signing',
      sign: { certificate: gateway.cert, privateKey: gateway.key, digest: 'sha256' },
    });
    expect(header(m.headers, 'Content-Type')).toMatch(/smime-type=compressed-data/);
    const entity = Buffer.concat([
      Buffer.from(
        `Content-Type: ${header(m.headers, 'Content-Type')}\r\nContent-Transfer-Encoding: ${header(m.headers, 'Content-Transfer-Encoding') ?? 'binary'}\r\n\r\n`,
      ),
      m.body,
    ]);
    const signed = opensslInflate(lab, entity);
    const ct = /^Content-Type:\s*(.+)\r\n/.exec(signed.toString('latin1'))![1]!;
    const verified = opensslVerifyDetached(
      [['Content-Type', ct]],
      signed.subarray(signed.indexOf('\r\n\r\n') + 4),
    );
    expect(m.mic.digest).toBe(lab.mic(verified, 'sha256'));
  });

  test('compressed, not signed, then encrypted: openssl decrypts; the MIC covers the uncompressed payload entity', () => {
    const m = build({
      compress: 'before-signing',
      encrypt: { certificates: [partner.cert], algorithm: 'aes-192-cbc' },
    });
    const inner = opensslInflate(lab, opensslDecrypt(m.body));
    expect(inner.toString('latin1')).toMatch(/^Content-Type: application\/edi-x12\r\n/);
    expect(m.mic.digest).toBe(lab.mic(inner, 'sha256'));
  });
});

describe('CMS building blocks, read by openssl cms', () => {
  test('enveloping SignedData (signed-data) verifies with openssl and yields the content', () => {
    const content = Buffer.from('Content-Type: application/xml\r\n\r\n<a/>\r\n');
    const der = signData(content, {
      certificate: gateway.cert,
      privateKey: gateway.key,
      digest: 'sha384',
      detached: false,
    });
    const out = lab.tmp();
    lab.run(['cms', '-verify', '-binary', '-noverify', '-inform', 'DER', '-in', lab.file(der), '-out', out]);
    expect(lab.read(out).equals(content)).toBe(true);
  });

  test('EnvelopedData for two recipients: each one decrypts with openssl', () => {
    const content = Buffer.from('archive copy');
    const der = encryptData(content, { recipients: [partner.cert, gateway.cert], algorithm: 'aes-128-cbc' });
    for (const who of [partner, gateway]) {
      const out = lab.tmp();
      lab.run([
        'cms',
        '-decrypt',
        '-binary',
        '-inform',
        'DER',
        '-in',
        lab.file(der),
        '-recip',
        who.certPath,
        '-inkey',
        who.keyPath,
        '-out',
        out,
      ]);
      expect(lab.read(out).equals(content)).toBe(true);
    }
  });
});

describe('MDNs', () => {
  const original = { messageId: 'in-7@partner.example', as2From: 'PARTNER', as2To: 'GATEWAY CORP' };

  test('a signed positive MDN verifies with openssl and carries the disposition fields', () => {
    const mic = { algorithm: 'sha256' as const, digest: 'abc123==' };
    const mdn = buildMdn({
      original,
      outcome: 'processed',
      mic,
      messageId: 'mdn-7@gateway.example',
      now,
      sign: { certificate: gateway.cert, privateKey: gateway.key, digest: 'sha256' },
    });
    expect(header(mdn.headers, 'AS2-From')).toBe('"GATEWAY CORP"');
    expect(header(mdn.headers, 'AS2-To')).toBe('PARTNER');
    const report = opensslVerify(smimeFile(mdn.headers, mdn.body)).toString('latin1');
    expect(report).toMatch(/^Content-Type: multipart\/report; report-type=disposition-notification/);
    expect(report).toContain('Original-Message-ID: <in-7@partner.example>\r\n');
    expect(report).toContain('Final-Recipient: rfc822; GATEWAY CORP\r\n');
    expect(report).toContain('Disposition: automatic-action/MDN-sent-automatically; processed\r\n');
    expect(report).toContain('Received-Content-MIC: abc123==, sha-256\r\n');
  });

  test.each([
    'authentication-failed',
    'decryption-failed',
    'integrity-check-failed',
    'unexpected-processing-error',
  ] as const)(
    'a signed negative MDN (%s) verifies with openssl; our parser reads it as not processed',
    (code) => {
      const mdn = buildMdn({
        original,
        outcome: code,
        messageId: 'mdn-8@gateway.example',
        now,
        sign: { certificate: gateway.cert, privateKey: gateway.key, digest: 'sha1' },
      });
      const report = opensslVerify(smimeFile(mdn.headers, mdn.body)).toString('latin1');
      expect(report).toContain(
        `Disposition: automatic-action/MDN-sent-automatically; processed/error: ${code}\r\n`,
      );
      const parsed = parseMdn(
        { headers: toHeaders(mdn.headers), body: mdn.body },
        { partnerCertificates: [gateway.cert], now },
      );
      expect(parsed).toMatchObject({
        signed: true,
        processed: false,
        disposition: { modifier: { kind: 'error', text: code } },
      });
    },
  );

  test('partner values with line breaks cannot add fields to the MDN', () => {
    const mdn = buildMdn({
      original: {
        messageId: 'evil\r\nDisposition: x/y; processed@p',
        as2From: 'PARTNER',
        as2To: 'GATEWAY',
      },
      outcome: 'unexpected-processing-error',
      messageId: 'mdn-9@gateway.example',
      now,
    });
    const parsed = parseMdn(
      { headers: toHeaders(mdn.headers), body: mdn.body },
      { partnerCertificates: [], now },
    );
    expect(parsed.fields.filter((f) => f.name.toLowerCase() === 'disposition')).toHaveLength(1);
    // AS2 names are validated (readAs2Headers does so on the way in): a name with a line break is refused
    expect(() =>
      buildMdn({
        original: { messageId: 'm@p', as2From: 'PARTNER', as2To: 'GW\r\nX: 1' },
        outcome: 'processed',
        messageId: 'x@y',
        now,
      }),
    ).toThrow(RangeError);
    expect(parsed.originalMessageId).toBe('evil Disposition: x/y; processed@p');
    expect(parsed.processed).toBe(false);
  });

  test('an MDN signed by openssl is verified and checked against the MIC we sent', () => {
    const m = build({ sign: { certificate: gateway.cert, privateKey: gateway.key, digest: 'sha256' } });
    const report = [
      'Content-Type: multipart/report; report-type=disposition-notification; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain',
      '',
      'Received.',
      '--b1',
      'Content-Type: message/disposition-notification',
      'Content-Transfer-Encoding: 7bit',
      '',
      'Reporting-UA: openssl-partner',
      'Original-Recipient: rfc822; PARTNER',
      'Final-Recipient: rfc822; PARTNER',
      `Original-Message-ID: <${m.messageId}>`,
      'Disposition: automatic-action/MDN-sent-automatically; processed',
      `Received-Content-MIC: ${m.mic.digest}, sha256`,
      '',
      '--b1--',
      '',
    ].join('\n');
    const signed = lab.run([
      'cms',
      '-sign',
      '-in',
      lab.file(report),
      '-signer',
      partner.certPath,
      '-inkey',
      partner.keyPath,
      '-md',
      'sha256',
    ]);
    const split = signed.indexOf('\n\n');
    const headers = toHeaders(
      signed
        .subarray(0, split)
        .toString('latin1')
        .replace(/\n[ \t]+/g, ' ')
        .split('\n')
        .map((l): [string, string] => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]),
    );
    const parsed = parseMdn(
      { headers, body: signed.subarray(split + 2) },
      { partnerCertificates: [partner.cert], now, requireSigned: true },
    );
    expect(parsed.signer?.fingerprintSha256).toBe(partner.cert.fingerprintSha256);
    expect(checkMdn(parsed, m)).toEqual({ ok: true, problems: [] });
    // the same MDN checked against a different MIC is not accepted
    expect(checkMdn(parsed, { messageId: m.messageId, mic: { ...m.mic, digest: 'AAAA' } }).ok).toBe(false);
    // tampering with the disposition breaks the signature
    const tampered = Buffer.from(
      signed
        .subarray(split + 2)
        .toString('latin1')
        .replace('; processed', '; processed/warning: x'),
      'latin1',
    );
    expect(() => parseMdn({ headers, body: tampered }, { partnerCertificates: [partner.cert], now })).toThrow(
      expect.objectContaining({ code: 'integrity-check-failed' }),
    );
    // and an unsigned MDN is refused when a signed one was asked for
    const unsigned = buildMdn({
      original: { messageId: m.messageId, as2From: 'GATEWAY CORP', as2To: 'PARTNER' },
      outcome: 'processed',
      mic: m.mic,
      messageId: 'x@y',
      now,
    });
    expect(() =>
      parseMdn(
        { headers: toHeaders(unsigned.headers), body: unsigned.body },
        { partnerCertificates: [partner.cert], now, requireSigned: true },
      ),
    ).toThrow(expect.objectContaining({ code: 'insufficient-message-security' }));
  });
});
