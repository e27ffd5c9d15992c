import {
  As2Error,
  DEFAULT_MIME_LIMITS,
  canonicalize,
  decodeBody,
  decodeQuotedPrintable,
  encodeQuotedPrintable,
  negotiateReceipt,
  parseContentType,
  parseDispositionNotificationOptions,
  parseEntity,
  parseMic,
  parseMultipart,
  quoteAs2Name,
  readAs2Headers,
  toHeaders,
  unquoteAs2Name,
  digestFromName,
  cipherFromName,
} from '../../../protocols/as2';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

function refusal(fn: () => unknown): As2Error {
  try {
    fn();
  } catch (err) {
    if (err instanceof As2Error) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('MIME entities', () => {
  test('CRLF and LF header sections are read alike; folded values are unfolded', () => {
    for (const eol of ['\r\n', '\n']) {
      const e = parseEntity(
        b(`Content-Type: application/edi-x12;${eol}\tname="a b.edi"${eol}X-A:  1 ${eol}${eol}body${eol}`),
      );
      expect(e.contentType).toEqual({ mediaType: 'application/edi-x12', params: { name: 'a b.edi' } });
      expect(e.headers[1]).toEqual({ name: 'X-A', value: '1' });
      expect(e.body.toString()).toBe(`body${eol}`);
      expect(e.transferEncoding).toBe('7bit');
    }
  });

  test('an entity without headers starts its body after the first line end', () => {
    expect(parseEntity(b('\r\nhello')).body.toString()).toBe('hello');
  });

  test('a line that is not a header field is refused as malformed', () => {
    expect(refusal(() => parseEntity(b('ISA*00*  *00~\r\n\r\n')))).toMatchObject({
      code: 'unexpected-processing-error',
      reason: 'malformed',
    });
  });

  test('header count and header size limits are enforced', () => {
    const many = Array.from({ length: 30 }, (_, i) => `X-${i}: v`).join('\r\n') + '\r\n\r\n';
    expect(refusal(() => parseEntity(b(many), { ...DEFAULT_MIME_LIMITS, maxHeaders: 10 }))).toMatchObject({
      reason: 'limit',
    });
    const big = `X-A: ${'a'.repeat(5000)}\r\n\r\n`;
    expect(
      refusal(() => parseEntity(b(big), { ...DEFAULT_MIME_LIMITS, maxHeaderBytes: 1000 })),
    ).toMatchObject({ reason: 'limit' });
  });

  test('content-type parameters: quoted strings with escapes, tokens, case-insensitive names', () => {
    expect(
      parseContentType(
        'Multipart/Signed; Protocol="application/pkcs7-signature"; micalg=sha-256; boundary="a\\"b;c"',
      ),
    ).toEqual({
      mediaType: 'multipart/signed',
      params: { protocol: 'application/pkcs7-signature', micalg: 'sha-256', boundary: 'a"b;c' },
    });
  });
});

describe('multipart', () => {
  const mp = (eol: string): Buffer =>
    b(
      `Content-Type: multipart/signed; boundary="XX"${eol}${eol}preamble${eol}--XX${eol}Content-Type: text/plain${eol}${eol}line1${eol}line2${eol}--XXnot a delimiter${eol}${eol}--XX  ${eol}Content-Type: application/pkcs7-signature${eol}${eol}sig${eol}--XX--${eol}epilogue`,
    );

  test('each part keeps its exact bytes; the line end before a delimiter belongs to the delimiter', () => {
    for (const eol of ['\r\n', '\n']) {
      const parts = parseMultipart(parseEntity(mp(eol)));
      expect(parts).toHaveLength(2);
      expect(parts[0]!.raw.toString()).toBe(
        `Content-Type: text/plain${eol}${eol}line1${eol}line2${eol}--XXnot a delimiter${eol}`,
      );
      expect(parts[1]!.body.toString()).toBe('sig');
    }
  });

  test('too many parts and a missing boundary are refused', () => {
    const body = Array.from({ length: 20 }, () => '--B\r\n\r\nx\r\n').join('') + '--B--\r\n';
    const e = parseEntity(b(`Content-Type: multipart/mixed; boundary=B\r\n\r\n${body}`));
    expect(refusal(() => parseMultipart(e, { ...DEFAULT_MIME_LIMITS, maxParts: 5 }))).toMatchObject({
      reason: 'limit',
    });
    expect(
      refusal(() => parseMultipart(parseEntity(b('Content-Type: multipart/mixed\r\n\r\nx')))),
    ).toMatchObject({
      reason: 'malformed',
    });
  });
});

describe('transfer encodings', () => {
  test('base64 with line breaks decodes; a stray byte is refused', () => {
    const e = parseEntity(b('Content-Transfer-Encoding: BASE64\r\n\r\naGVs\r\nbG8=\r\n'));
    expect(decodeBody(e).toString()).toBe('hello');
    const bad = parseEntity(b('Content-Transfer-Encoding: base64\r\n\r\naGVs*bG8=\r\n'));
    expect(refusal(() => decodeBody(bad))).toMatchObject({ reason: 'malformed' });
  });

  test('quoted-printable: hex octets, soft breaks (CRLF or LF), trailing blanks dropped; encoding round-trips', () => {
    expect(decodeQuotedPrintable(b('a=3Db =\r\nc=\nd  \r\ne')).toString()).toBe('a=b cd\r\ne');
    const data = b('ISA*00*~\r\nlong ' + 'x'.repeat(200) + ' end \r\n=tab\t\r\n\u00e9');
    expect(decodeQuotedPrintable(encodeQuotedPrintable(data)).equals(data)).toBe(true);
  });

  test('an unknown transfer encoding is refused', () => {
    expect(
      refusal(() => decodeBody(parseEntity(b('Content-Transfer-Encoding: x-uuencode\r\n\r\nx')))),
    ).toMatchObject({
      reason: 'unsupported-algorithm',
    });
  });

  test('canonicalize turns bare LF into CRLF and leaves CRLF alone', () => {
    expect(canonicalize(b('a\nb\r\nc\n')).toString()).toBe('a\r\nb\r\nc\r\n');
    const same = b('a\r\nb');
    expect(canonicalize(same)).toBe(same);
  });
});

describe('AS2 headers, MIC and receipt options', () => {
  test('AS2 names are quoted when they contain spaces or quotes and read back', () => {
    expect(quoteAs2Name('ACME')).toBe('ACME');
    expect(quoteAs2Name('ACME Corp "EU"')).toBe('"ACME Corp \\"EU\\""');
    expect(unquoteAs2Name('"ACME Corp \\"EU\\""')).toBe('ACME Corp "EU"');
    expect(() => quoteAs2Name('x'.repeat(129))).toThrow(RangeError);
    expect(refusal(() => unquoteAs2Name('"open'))).toMatchObject({ reason: 'malformed' });
  });

  test('readAs2Headers needs AS2-From, AS2-To and Message-ID', () => {
    const h = toHeaders({
      'as2-from': '"A B"',
      'as2-to': 'C',
      'message-id': '<m@x>',
      'receipt-delivery-option': 'http://a/mdn',
    });
    expect(readAs2Headers(h)).toEqual({
      as2From: 'A B',
      as2To: 'C',
      messageId: 'm@x',
      receiptDeliveryOption: 'http://a/mdn',
    });
    expect(refusal(() => readAs2Headers(toHeaders({ 'as2-from': 'A' }))).detail).toBe(
      'missing AS2-To, Message-ID',
    );
  });

  test('MIC algorithm names in the spellings partners use', () => {
    for (const n of ['sha-256', 'SHA256', 'sha_256', ' sha256 ']) expect(digestFromName(n)).toBe('sha256');
    expect(digestFromName('sha1')).toBe('sha1');
    expect(digestFromName('sha-1')).toBe('sha1');
    expect(digestFromName('md5')).toBeUndefined();
    expect(cipherFromName('3DES')).toBe('des-ede3-cbc');
    expect(cipherFromName('aes256-gcm')).toBe('aes-256-gcm');
    expect(cipherFromName('AES_128_CBC')).toBe('aes-128-cbc');
  });

  test('Disposition-Notification-Options: the first requested algorithm we implement wins', () => {
    const dno =
      'Signed-Receipt-Protocol=required, pkcs7-signature; signed-receipt-micalg=required, md5, sha-384, sha1';
    expect(parseDispositionNotificationOptions(dno)).toEqual({
      signedReceiptProtocol: { importance: 'required', values: ['pkcs7-signature'] },
      signedReceiptMicalg: { importance: 'required', values: ['md5', 'sha-384', 'sha1'] },
    });
    expect(negotiateReceipt(dno)).toEqual({
      signed: true,
      signedRequired: true,
      micAlgorithm: 'sha384',
      micAlgorithmUnsupported: false,
    });
    expect(negotiateReceipt('signed-receipt-micalg=required, md5', 'sha1')).toMatchObject({
      signed: false,
      micAlgorithm: 'sha1',
      micAlgorithmUnsupported: true,
    });
    expect(negotiateReceipt(undefined)).toMatchObject({ signed: false, micAlgorithm: 'sha256' });
  });

  test('Received-Content-MIC values are read with any spacing', () => {
    expect(parseMic(' abc/+= ,  SHA1 ')).toEqual({
      digest: 'abc/+=',
      algorithmName: 'SHA1',
      algorithm: 'sha1',
    });
    expect(parseMic('no-comma')).toBeUndefined();
  });
});

describe('hostile input gets a clear refusal', () => {
  test('a large body with no header/body separator stops at the header limit', () => {
    const e = refusal(() => parseEntity(Buffer.alloc(5_000_000, 0x41)));
    expect(e).toMatchObject({ code: 'unexpected-processing-error', reason: 'limit' });
  });

  test('many near-delimiters ("--B" not followed by a line end) are skipped, then the missing end is reported', () => {
    const body = '--B\r\n\r\nx' + '\r\n--Bx'.repeat(200_000);
    const e = parseEntity(b(`Content-Type: multipart/signed; boundary=B\r\n\r\n${body}`));
    expect(refusal(() => parseMultipart(e))).toMatchObject({ reason: 'malformed' });
  });
});
