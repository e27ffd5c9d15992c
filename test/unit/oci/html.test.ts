import { buildOciCartFields, escapeHtml, renderAutoSubmitForm } from '../../../protocols/oci';

const XSS = `"><script>alert('x')</script><img src=x onerror=alert(1)>`;

/** Reads the hidden inputs back the way an HTML parser would for these (double-quoted) attributes. */
function hiddenInputs(html: string): [string, string][] {
  const out: [string, string][] = [];
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    out.push([decode(m[1]!), decode(m[2]!)]);
  }
  return out;
}

function decode(value: string): string {
  const refs: Record<string, string> = {
    amp: '&',
    lt: '<',
    gt: '>',
    quot: '"',
    '#39': "'",
    '#13': '\r',
    '#10': '\n',
  };
  return value.replace(/&(amp|lt|gt|quot|#39|#13|#10);/g, (_m, ref: string) => refs[ref]!);
}

function formTag(html: string): string {
  const m = /<form [^>]*>/.exec(html);
  if (!m) throw new Error('no form tag');
  return m[0];
}

describe('escapeHtml', () => {
  it('escapes the five characters that can end text or a quoted attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
  });

  it('leaves other text alone', () => {
    expect(escapeHtml('Grüße, 5 € / 3')).toBe('Grüße, 5 € / 3');
  });
});

describe('renderAutoSubmitForm', () => {
  const action = 'https://srm.acme.example/sap/bc/hook?sap-client=100&x=1';

  it('renders a POST form to the action that submits itself, with a button when scripts are off', () => {
    const html = renderAutoSubmitForm({
      action,
      target: '_top',
      title: 'Returning your cart',
      fields: [['a', 'b']],
    });
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(formTag(html)).toBe(
      '<form id="auto-submit" method="post" action="https://srm.acme.example/sap/bc/hook?sap-client=100&amp;x=1" target="_top" accept-charset="UTF-8">',
    );
    expect(html).toContain("HTMLFormElement.prototype.submit.call(document.getElementById('auto-submit'))");
    expect(html).toMatch(/<noscript>.*<button type="submit">Continue<\/button><\/noscript>/);
    expect(html).toContain('<title>Returning your cart</title>');
  });

  it('escapes script payloads in names, values, target, title and button so none becomes markup', () => {
    const html = renderAutoSubmitForm({
      action,
      target: XSS,
      title: XSS,
      buttonLabel: XSS,
      scriptNonce: XSS,
      fields: [
        [XSS, XSS],
        ['NEW_ITEM-DESCRIPTION[1]', XSS],
      ],
    });
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img');
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html.match(/<input /g)).toHaveLength(2);
    expect(hiddenInputs(html)).toEqual([
      [XSS, XSS],
      ['NEW_ITEM-DESCRIPTION[1]', XSS],
    ]);
    expect(formTag(html)).toContain(`target="${escapeHtml(XSS)}"`);
  });

  it('holds a cXML document in a hidden field exactly, CR and LF included', () => {
    const cxml =
      '<?xml version="1.0" encoding="UTF-8"?>\r\n<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd">\n' +
      `<cXML payloadID="1@x" xml:lang="en"><Description xml:lang='en'>Tom &amp; Jerry "quoted" &lt;b&gt;</Description></cXML>`;
    const html = renderAutoSubmitForm({ action, title: 'cXML', fields: [['cxml-urlencoded', cxml]] });
    expect(html).not.toContain('<cXML');
    expect(html).not.toMatch(/value="[^"]*[\r\n]/);
    expect(hiddenInputs(html)).toEqual([['cxml-urlencoded', cxml]]);
  });

  it('carries an OCI cart, fields in order', () => {
    const fields = buildOciCartFields(
      [
        {
          description: 'Tape <50mm> "clear" & strong',
          quantity: '2',
          unitOfMeasure: 'RO',
          unitPrice: '3.5',
          currency: 'EUR',
          supplierPartId: 'T-50',
        },
      ],
      { target: '_top' },
    );
    const html = renderAutoSubmitForm({ action, target: '_top', title: 'Cart', fields });
    expect(hiddenInputs(html)).toEqual(fields);
  });

  it.each([
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    '/relative/hook',
    '//evil.example/hook',
    'https://user:pw@srm.acme.example/',
  ])('refuses the action %j', (bad) => {
    expect(() => renderAutoSubmitForm({ action: bad, title: 't', fields: [] })).toThrow(RangeError);
  });

  it('writes no target attribute when there is no target', () => {
    expect(formTag(renderAutoSubmitForm({ action, title: 't', fields: [] }))).not.toContain('target=');
  });
});
