import { fillSharedSecret, maskCxmlSecrets } from '../../../protocols/cxml/mask';
import { maskOciPassword } from '../../../protocols/oci/mask';
import { maskX12Secrets } from '../../../protocols/x12/mask';
import { maskSecrets } from '../../../src/documents/mask';

const b = (s: string) => Buffer.from(s, 'utf8');
const stars = (n: number) => '*'.repeat(n);

describe('masking credentials in stored copies', () => {
  it('cXML: every SharedSecret is overwritten byte for byte, everything else is kept', () => {
    const doc = `<?xml version="1.0"?><cXML><Header><Sender><Credential domain="NetworkID"><Identity>AN1</Identity><SharedSecret>s3cr&amp;t-ü</SharedSecret></Credential></Sender></Header></cXML>`;
    const masked = maskCxmlSecrets(b(doc));
    expect(masked.length).toBe(b(doc).length);
    const secretBytes = b('s3cr&amp;t-ü').length;
    expect(masked.toString('utf8')).toBe(doc.replace('s3cr&amp;t-ü', stars(secretBytes)));
  });

  it('cXML: a secret inside CDATA that spells the end tag, nested markup, attributes with ">" and a self-closing element', () => {
    const doc = `<SharedSecret a=">"><![CDATA[x</SharedSecret>y]]><b>z</b></SharedSecret><SharedSecret/><Identity>keep</Identity>`;
    const out = maskCxmlSecrets(b(doc)).toString('utf8');
    expect(out.slice(0, out.indexOf('<SharedSecret/>'))).not.toMatch(/x|y|z/);
    expect(out).toContain('<SharedSecret a=">">');
    expect(out).toContain('</SharedSecret><SharedSecret/><Identity>keep</Identity>');
    expect(out.length).toBe(doc.length);
  });

  it('cXML: a cut-off or malformed SharedSecret is masked to the end', () => {
    expect(maskCxmlSecrets(b('<a><SharedSecret>abcdef')).toString()).toBe(`<a><SharedSecret>${stars(6)}`);
    const stray = maskCxmlSecrets(b('<SharedSecret x=">secret</SharedSecret>')).toString();
    expect(stray).not.toContain('secret<');
    expect(stray.startsWith('<SharedSecret')).toBe(true);
  });

  it('cXML: Extrinsics named like a password are masked, others kept', () => {
    const doc = `<Extrinsic name="UserPassword">hunter22</Extrinsic><Extrinsic name="CostCenter">4711</Extrinsic>`;
    expect(maskCxmlSecrets(b(doc)).toString()).toBe(
      `<Extrinsic name="UserPassword">${stars(8)}</Extrinsic><Extrinsic name="CostCenter">4711</Extrinsic>`,
    );
  });

  it('cXML in UTF-16 (BOM) is masked per code unit', () => {
    const text = '<cXML><SharedSecret>pw</SharedSecret></cXML>';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const out = maskCxmlSecrets(le);
    expect(out.length).toBe(le.length);
    expect(out.subarray(2).toString('utf16le')).toBe('<cXML><SharedSecret>**</SharedSecret></cXML>');
  });

  it('our outbound document goes out with the current secret, or without the element when there is none', () => {
    const stored = maskCxmlSecrets(
      b(
        '<Sender><Credential domain="d"><Identity>i</Identity><SharedSecret>old</SharedSecret></Credential></Sender>',
      ),
    );
    expect(fillSharedSecret(stored, 'n<e&w').toString()).toContain(
      '<SharedSecret>n&lt;e&amp;w</SharedSecret>',
    );
    expect(fillSharedSecret(stored, null).toString()).toBe(
      '<Sender><Credential domain="d"><Identity>i</Identity></Credential></Sender>',
    );
  });

  it('X12: ISA02 and ISA04 are masked when they hold anything, fixed width kept', () => {
    const isa =
      'ISA*03*PASSW0RD12*01*SECUR1TY99*ZZ*ACMEBUYER      *ZZ*SUPPLIERDEMO   *261120*1200*U*00401*000000101*0*T*>~\n';
    const out = maskX12Secrets(b(`${isa}GS*PO*A*B~\n${isa}`)).toString();
    expect(out).not.toMatch(/PASSW0RD12|SECUR1TY99/);
    expect(out.startsWith('ISA*03*XXXXXXXXXX*01*XXXXXXXXXX*ZZ*ACMEBUYER')).toBe(true);
    expect(out.length).toBe(2 * isa.length + 'GS*PO*A*B~\n'.length);
    const blank =
      'ISA*00*          *00*          *ZZ*A              *ZZ*B              *261120*1200*U*00401*000000101*0*T*>~';
    expect(maskX12Secrets(b(blank)).toString()).toBe(blank);
    // "ISA" inside a data element is no envelope.
    expect(maskX12Secrets(b('N1*ST*VISA*01*SECRETXX*02*x~')).toString()).toBe('N1*ST*VISA*01*SECRETXX*02*x~');
  });

  it('OCI: the PASSWORD field is masked in any case and %-encoding', () => {
    expect(maskOciPassword(b('USERNAME=u&PASSWORD=p%40ss&HOOK_URL=x')).toString()).toBe(
      'USERNAME=u&PASSWORD=******&HOOK_URL=x',
    );
    expect(maskOciPassword(b('%70assword=abc')).toString()).toBe('%70assword=***');
  });

  it('dispatches by protocol and content type; JSON stays as it is', () => {
    const json = b('{"note":"<SharedSecret>x</SharedSecret>"}');
    expect(maskSecrets('json', 'application/json', json)).toBe(json);
    expect(
      maskSecrets(undefined, 'text/xml; charset=utf-8', b('<SharedSecret>x</SharedSecret>')).toString(),
    ).toBe('<SharedSecret>*</SharedSecret>');
  });

  it('masking stays linear: a megabyte of unclosed tags, quotes and ISA look-alikes is done in one pass', () => {
    // No timing assertion (benchmarks measure speed): the inputs that would make a naive scanner
    // rescan are run here for correctness; each must come back the same length.
    for (const unit of ['<SharedSecret', '<Extrinsic name="', '<![CDATA[', 'ISA*', '&PASSWORD']) {
      const big = b(unit.repeat(Math.ceil(1_000_000 / unit.length)));
      expect(maskSecrets('cxml', 'text/xml', big).length).toBe(big.length);
      expect(maskSecrets('x12', 'application/edi-x12', big).length).toBe(big.length);
      expect(maskSecrets('oci', 'application/x-www-form-urlencoded', big).length).toBe(big.length);
    }
  });
});
