/**
 * The document page's highlighting (src/documents/highlight.ts): every byte shown comes back in
 * the tokens, in order (nothing dropped or added), masked credentials stand out, and each protocol
 * gets its token classes.
 */
import { highlight, SHOWN_BYTES, type Token } from '../../../src/documents/highlight';

const text = (ts: Token[]) => ts.map((t) => t.t).join('');
const kinds = (ts: Token[], k: Token['k']) => ts.filter((t) => t.k === k).map((t) => t.t);

const CASES: [string, string, string][] = [
  [
    'cxml',
    'text/xml',
    '<?xml version="1.0"?>\n<!-- c --><cXML a=\'1\' b="x>y"><Sender><SharedSecret>**********</SharedSecret></Sender><x/><![CDATA[a<b>c]]>&amp; tail <unclosed',
  ],
  [
    'x12',
    'application/edi-x12',
    `ISA*01*XXXXXXXXXX*00*${' '.repeat(10)}*ZZ*ACME${' '.repeat(11)}*ZZ*SUP${' '.repeat(12)}*261120*1200*U*00401*000000001*0*P*>~\nGS*PO*A*B~\nST*850*0001~`,
  ],
  ['json', 'application/json', '{"a": [1, -2.5e3, true, null], "b\\"": "c:\\"d", "pw": "********"}'],
  [
    'oci',
    'application/x-www-form-urlencoded',
    'USERNAME=buyer&PASSWORD=********&HOOK_URL=https%3A%2F%2Fx&flag',
  ],
  ['as2', 'application/octet-stream', 'plain bytes ****** and more'],
];

it.each(CASES)('%s: the tokens are the text, in order', (protocol, type, doc) => {
  expect(text(highlight(protocol, type, Buffer.from(doc)))).toBe(doc);
});

it('marks masked runs, XML markup, X12 segment ids and separators, JSON keys, form fields', () => {
  const xml = highlight('cxml', 'text/xml', Buffer.from(CASES[0]![2]));
  expect(kinds(xml, 'mask')).toEqual(['**********']);
  expect(kinds(xml, 'tag')).toContain('<SharedSecret');
  expect(kinds(xml, 'attr')).toEqual(['version', 'a', 'b']);
  expect(kinds(xml, 'value')).toContain('"x>y"');
  expect(kinds(xml, 'comment')).toEqual(['<!-- c -->']);
  expect(kinds(xml, 'text')).toContain('<![CDATA[a<b>c]]>');
  const x12 = highlight('x12', 'application/edi-x12', Buffer.from(CASES[1]![2]));
  expect(kinds(x12, 'seg')).toEqual(['ISA', 'GS', 'ST']);
  expect(kinds(x12, 'sep').filter((s) => s === '~')).toHaveLength(3);
  const json = highlight('json', 'application/json', Buffer.from(CASES[2]![2]));
  expect(kinds(json, 'key')).toEqual(['"a"', '"b\\""', '"pw"']);
  expect(kinds(json, 'num')).toEqual(['1', '-2.5e3', 'true', 'null']);
  expect(kinds(json, 'mask')).toEqual(['********']);
  const form = highlight('oci', 'application/x-www-form-urlencoded', Buffer.from(CASES[3]![2]));
  expect(kinds(form, 'key')).toEqual(['USERNAME', 'PASSWORD', 'HOOK_URL', 'flag']);
  expect(kinds(form, 'mask')).toEqual(['********']);
});

it('shows at most SHOWN_BYTES of a large document', () => {
  const big = Buffer.from(`<a>${'x'.repeat(SHOWN_BYTES * 2)}</a>`);
  expect(text(highlight('cxml', 'text/xml', big)).length).toBe(SHOWN_BYTES);
});
