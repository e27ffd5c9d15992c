import {
  CxmlError,
  checkAttachmentReferences,
  contentIdOfUrl,
  isMultipartRelated,
  readCxmlMultipart,
} from '../../../protocols/cxml';

const CXML = '<?xml version="1.0"?><cXML payloadID="p" timestamp="2026-12-02T10:00:00+00:00"/>';
const PDF = Buffer.from('%PDF-1.4\n% fake spec sheet\n%%EOF\n', 'latin1');
/** Every byte value, CR LF and "--" included: a binary part is taken as sent. */
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10]),
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  Buffer.from('\r\n--not-a-boundary\r\n'),
]);

function body(parts: { headers: string[]; content: Buffer | string }[], boundary = '----=_Part_7_1'): Buffer {
  const chunks: Buffer[] = [Buffer.from('preamble ignored\r\n')];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${p.headers.join('\r\n')}\r\n\r\n`, 'latin1'));
    chunks.push(typeof p.content === 'string' ? Buffer.from(p.content, 'utf8') : p.content);
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

const CONTENT_TYPE =
  'multipart/related; boundary="----=_Part_7_1"; type="text/xml"; start="<cxml.1@buyer.example>"';

/** As Ariba sends an OrderRequest with two attachments. */
const ARIBA = body([
  {
    headers: [
      'Content-Type: application/pdf',
      'Content-Transfer-Encoding: base64',
      'Content-ID: <spec.pdf@buyer.example>',
      'Content-Disposition: attachment; filename="spec sheet.pdf"',
    ],
    content: PDF.toString('base64').replace(/(.{20})/g, '$1\r\n'),
  },
  { headers: ['Content-Type: text/xml; charset=UTF-8', 'Content-ID: <cxml.1@buyer.example>'], content: CXML },
  {
    headers: [
      'Content-Type: image/png; name="drawing.png"',
      'Content-Transfer-Encoding: binary',
      'Content-ID: <drawing%201@buyer.example>',
    ],
    content: PNG,
  },
]);

describe('cXML with attachments (multipart/related)', () => {
  it('recognises the content type', () => {
    expect(isMultipartRelated(CONTENT_TYPE)).toBe(true);
    expect(isMultipartRelated('Multipart/Related;boundary=x')).toBe(true);
    expect(isMultipartRelated('text/xml')).toBe(false);
    expect(isMultipartRelated('multipart/relatedness')).toBe(false);
  });

  it('takes the part named by start as the document and every other part as a file, decoded', () => {
    const mp = readCxmlMultipart(CONTENT_TYPE, ARIBA);
    expect(mp.root.toString('utf8')).toBe(CXML);
    expect(mp.attachments.map((a) => [a.contentId, a.contentType, a.filename])).toEqual([
      ['spec.pdf@buyer.example', 'application/pdf', 'spec sheet.pdf'],
      ['drawing%201@buyer.example', 'image/png', 'drawing.png'],
    ]);
    expect(mp.attachments[0]!.content.equals(PDF)).toBe(true);
    expect(mp.attachments[1]!.content.equals(PNG)).toBe(true);
  });

  it('takes the first part as the document when there is no start parameter', () => {
    const b = body([
      { headers: ['Content-Type: text/xml', 'Content-ID: <a@b>'], content: CXML },
      { headers: ['Content-Type: text/plain', 'Content-ID: <note@b>'], content: 'hello' },
    ]);
    const mp = readCxmlMultipart('multipart/related; boundary="----=_Part_7_1"', b);
    expect(mp.root.toString()).toBe(CXML);
    expect(mp.attachments.map((a) => a.content.toString())).toEqual(['hello']);
  });

  it('matches cid: URLs to Content-IDs (RFC 2392 %-encoding) and refuses one that names no part', () => {
    const { attachments } = readCxmlMultipart(CONTENT_TYPE, ARIBA);
    expect(contentIdOfUrl('cid:spec.pdf@buyer.example')).toBe('spec.pdf@buyer.example');
    expect(contentIdOfUrl('https://buyer.example/x.pdf')).toBeUndefined();
    expect(() =>
      checkAttachmentReferences(
        ['cid:spec.pdf@buyer.example', 'cid:drawing%25201@buyer.example', 'https://x.example/y'],
        attachments,
      ),
    ).not.toThrow();
    const missing = (() => {
      try {
        checkAttachmentReferences(['cid:terms.pdf@buyer.example'], attachments);
      } catch (e) {
        return e as CxmlError;
      }
      return undefined;
    })();
    expect(missing).toBeInstanceOf(CxmlError);
    expect(missing?.status).toBe(400);
    expect(missing?.message).toContain('cid:terms.pdf@buyer.example names no part');
  });

  const refusal = (contentType: string, b: Buffer, limits?: { maxBytes: number; maxAttachments: number }) => {
    try {
      readCxmlMultipart(contentType, b, limits);
    } catch (e) {
      if (e instanceof CxmlError) return { status: e.status, message: e.message };
      throw e;
    }
    throw new Error('expected a refusal');
  };

  it.each([
    ['no boundary parameter', 'multipart/related; type="text/xml"', ARIBA, /without a boundary/],
    ['a boundary that never occurs', 'multipart/related; boundary=zzz', ARIBA, /boundary not found/],
    [
      'a start naming no part',
      'multipart/related; boundary="----=_Part_7_1"; start="<nope@x>"',
      ARIBA,
      /no part has the Content-ID <nope@x>/,
    ],
    [
      'a root that is not XML',
      'multipart/related; boundary="----=_Part_7_1"; start="<spec.pdf@buyer.example>"',
      ARIBA,
      /root part must be the cXML document/,
    ],
    [
      'a file without Content-ID',
      'multipart/related; boundary="----=_Part_7_1"',
      body([
        { headers: ['Content-Type: text/xml'], content: CXML },
        { headers: ['Content-Type: text/plain'], content: 'x' },
      ]),
      /part 2 has no Content-ID/,
    ],
    [
      'two files with one Content-ID',
      'multipart/related; boundary="----=_Part_7_1"',
      body([
        { headers: ['Content-Type: text/xml'], content: CXML },
        { headers: ['Content-ID: <d@x>'], content: 'x' },
        { headers: ['Content-ID: <d@x>'], content: 'y' },
      ]),
      /two parts have the Content-ID <d@x>/,
    ],
    [
      'bad base64',
      'multipart/related; boundary="----=_Part_7_1"',
      body([
        { headers: ['Content-Type: text/xml'], content: CXML },
        { headers: ['Content-ID: <d@x>', 'Content-Transfer-Encoding: base64'], content: 'not*base64!' },
      ]),
      /invalid byte/,
    ],
  ])('refuses %s with 400 and the reason', (_what, contentType, b, reason) => {
    const r = refusal(contentType, b);
    expect(r.status).toBe(400);
    expect(r.message).toMatch(reason);
  });

  it('refuses more parts than the limit, and a body over the size limit', () => {
    const many = body([
      { headers: ['Content-Type: text/xml'], content: CXML },
      ...Array.from({ length: 5 }, (_, i) => ({ headers: [`Content-ID: <f${i}@x>`], content: 'x' })),
    ]);
    const parts = refusal('multipart/related; boundary="----=_Part_7_1"', many, {
      maxBytes: 1e6,
      maxAttachments: 3,
    });
    expect(parts).toEqual({ status: 400, message: expect.stringMatching(/more than 4 body parts/) });
    const big = refusal(CONTENT_TYPE, ARIBA, { maxBytes: 100, maxAttachments: 3 });
    expect(big.status).toBe(413);
  });

  it('reads a large body in one pass: many tiny lines cost no more than their bytes', () => {
    const lines = Buffer.from('-'.repeat(2_000_000));
    const b = body([
      { headers: ['Content-Type: text/xml'], content: CXML },
      { headers: ['Content-ID: <big@x>'], content: lines },
    ]);
    const mp = readCxmlMultipart('multipart/related; boundary="----=_Part_7_1"', b, {
      maxBytes: 5e6,
      maxAttachments: 2,
    });
    expect(mp.attachments[0]!.content.length).toBe(2_000_000);
  });
});
