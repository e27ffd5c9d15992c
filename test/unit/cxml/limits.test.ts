/**
 * Issue 12 point 1 (codec side): the reader's structure limits hold while it reads, each refusal names
 * the limit and its setting, and the prolog/DOCTYPE checks walk the text once (the attacks that were
 * quadratic are refused; the HTTP test checks their time, test/integration/security/linear-time.test.ts).
 */
import { CxmlError, DEFAULT_XML_LIMITS, parseCxml, safeParseCxml } from '../../../protocols/cxml';
import { readXml } from '../../../protocols/cxml/xml';

const DOCTYPE = '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">';
const BODY =
  '<cXML payloadID="p1" timestamp="2024-01-01T00:00:00Z"><Response><Status code="200" text="OK"/></Response></cXML>';

function refusal(input: string, limits = {}): CxmlError {
  const r = safeParseCxml(input, { limits });
  if (r.ok) throw new Error('expected a refusal');
  return r.error;
}

describe('structure limits, checked while reading', () => {
  it('refuses more elements than XML_MAX_ELEMENTS, naming the limit', () => {
    const xml = `<cXML>${'<a/>'.repeat(11)}</cXML>`;
    expect(readXml(xml, { limits: { maxElements: 12 } }).root.children).toHaveLength(11);
    const e = refusal(xml, { maxElements: 11 });
    expect(e.status).toBe(400);
    expect(e.message).toBe('more than 11 elements (the limit is 11, setting XML_MAX_ELEMENTS)');
  });

  it('refuses more attributes on one element than XML_MAX_ATTRIBUTES', () => {
    const attrs = Array.from({ length: 5 }, (_, i) => `a${i}="v"`).join(' ');
    expect(readXml(`<cXML ${attrs}/>`, { limits: { maxAttributes: 5 } }).root.attributes.a4).toBe('v');
    expect(refusal(`<cXML ${attrs}/>`, { maxAttributes: 4 }).message).toBe(
      '<cXML> has more than 4 attributes (the limit is 4, setting XML_MAX_ATTRIBUTES)',
    );
  });

  it('refuses element and attribute names longer than XML_MAX_NAME_LENGTH', () => {
    const long = `x${'y'.repeat(20)}`;
    expect(refusal(`<cXML><${long}/></cXML>`, { maxNameLength: 20 }).message).toBe(
      'a name of more than 20 characters (the limit is 20, setting XML_MAX_NAME_LENGTH)',
    );
    expect(refusal(`<cXML ${long}="1"/>`, { maxNameLength: 20 }).message).toMatch(/XML_MAX_NAME_LENGTH/);
  });

  it('refuses a text, CDATA section or attribute value longer than XML_MAX_TEXT_LENGTH', () => {
    const limits = { maxTextLength: 10 };
    expect(readXml(`<cXML a="0123456789">0123456789</cXML>`, { limits }).root.children).toEqual([
      '0123456789',
    ]);
    for (const xml of [
      '<cXML>0123456789A</cXML>',
      '<cXML><![CDATA[0123456789A]]></cXML>',
      '<cXML a="0123456789A"/>',
      // References count as the characters they stand for.
      `<cXML>${'&amp;'.repeat(11)}</cXML>`,
    ]) {
      expect(refusal(xml, limits).message).toBe(
        'a text or attribute value of more than 10 characters (the limit is 10, setting XML_MAX_TEXT_LENGTH)',
      );
    }
  });

  it('refuses nesting deeper than XML_MAX_DEPTH (the root is level 1)', () => {
    expect(readXml('<cXML><a><b/></a></cXML>', { limits: { maxDepth: 3 } }).root.name).toBe('cXML');
    expect(refusal('<cXML><a><b><c/></b></a></cXML>', { maxDepth: 3 }).message).toBe(
      'elements nested deeper than 3 levels (the limit is 3, setting XML_MAX_DEPTH)',
    );
  });

  it('has defaults that read the corpus documents and hold a 4.6 MB <a/> flood to the element limit', () => {
    expect(DEFAULT_XML_LIMITS.maxElements).toBe(100_000);
    const flood = `<cXML>${'<a/>'.repeat(1_150_000)}</cXML>`;
    const e = refusal(flood);
    expect(e.message).toMatch(/^more than 100000 elements/);
  });
});

describe('prolog and DOCTYPE: one pass, the same answers', () => {
  it('still reads an XML declaration, comments and PIs before the DOCTYPE', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<!-- a comment -->\n<?pi data?>\n${DOCTYPE}\n${BODY}`;
    const doc = parseCxml(xml);
    expect(doc.version).toBe('1.2.014');
  });

  it('reads SYSTEM and PUBLIC identifiers in either quote', () => {
    expect(
      parseCxml(`<!DOCTYPE cXML SYSTEM 'http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd'>${BODY}`).version,
    ).toBe('1.2.014');
    const pub = parseCxml(
      `<!DOCTYPE cXML PUBLIC "-//x//y" "http://xml.cxml.org/schemas/cXML/1.2.020/cXML.dtd" >${BODY}`,
    );
    expect(pub.version).toBe('1.2.020');
  });

  it("refuses 128,000 '<?' before a DOCTYPE, and 64k unclosed comments, as misplaced DOCTYPEs", () => {
    for (const junk of ['<?'.repeat(128_000), '<!--'.repeat(65_536)]) {
      const e = refusal(`${junk}${DOCTYPE}<cXML/>`);
      expect(e.message).toBe('DOCTYPE is only allowed before the root element');
      expect(e.line).toBe(1);
    }
  });

  it('refuses text, an element or an unclosed PI before the DOCTYPE', () => {
    for (const before of ['x', '<a/>', '<?pi ', '<!-- open ', '<?pi ?> <!-- c --> y']) {
      expect(refusal(`${before}${DOCTYPE}${BODY}`).message).toBe(
        'DOCTYPE is only allowed before the root element',
      );
    }
  });

  it('refuses malformed DOCTYPEs and internal subsets as before', () => {
    expect(refusal(`<!DOCTYPE cXML SYSTEM>${BODY}`).message).toMatch(/^malformed DOCTYPE/);
    expect(refusal(`<!DOCTYPE cXML${' '.repeat(100_000)}x>${BODY}`).message).toMatch(/^malformed DOCTYPE/);
    expect(refusal(`<!doctype cXML SYSTEM "a">${BODY}`).message).toMatch(/^malformed DOCTYPE/);
    expect(refusal(`<!DOCTYPE cXML SYSTEM "a" [ ]>${BODY}`).message).toMatch(/internal subset/);
    expect(refusal(`<!DOCTYPE cXML SYSTEM "a" junk [ ]>${BODY}`).message).toMatch(/internal subset/);
    expect(refusal(`${DOCTYPE}<!doctype cXML>${BODY}`).message).toBe('more than one DOCTYPE');
  });
});

describe('cid: URLs', () => {
  it('are read without a backtracking match over inner white space', async () => {
    const { contentIdOfUrl } = await import('../../../protocols/cxml/attachments');
    expect(contentIdOfUrl('  cid:part1@x  ')).toBe('part1@x');
    expect(contentIdOfUrl(`cid:a${' '.repeat(200_000)}b`)).toBe(`a${' '.repeat(200_000)}b`);
    expect(contentIdOfUrl('http://x')).toBeUndefined();
  });
});
