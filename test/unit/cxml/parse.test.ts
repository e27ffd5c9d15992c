import {
  SUPPORTED_REQUEST_TYPES,
  findCredential,
  parseCxml,
  parseCxmlDate,
  safeParseCxml,
} from '../../../protocols/cxml';
import { fixture } from './helpers';

function request(
  body: string,
  opts: { doctype?: string; attrs?: string; sender?: string; mode?: string } = {},
): string {
  const sender =
    opts.sender ??
    '<Credential domain="NetworkID"><Identity>AN1</Identity><SharedSecret>pw</SharedSecret></Credential>';
  return `<?xml version="1.0" encoding="UTF-8"?>
${opts.doctype ?? ''}
<cXML payloadID="pl-1@example" timestamp="2024-02-03T04:05:06-08:00"${opts.attrs ?? ''}>
  <Header>
    <From><Credential domain="DUNS"><Identity>1</Identity></Credential></From>
    <To><Credential domain="DUNS"><Identity>2</Identity></Credential></To>
    <Sender>${sender}<UserAgent>UA 1.0</UserAgent></Sender>
  </Header>
  <Request${opts.mode ?? ''}>${body}</Request>
</cXML>`;
}

describe('envelope', () => {
  it('reads payloadID, raw timestamp, parsed instant, lang and the request type', () => {
    const doc = parseCxml(request('<ProfileRequest/>', { attrs: ' xml:lang="de-CH"' }));
    expect(doc.payloadId).toBe('pl-1@example');
    expect(doc.timestamp).toBe('2024-02-03T04:05:06-08:00');
    expect(doc.timestampDate?.toISOString()).toBe('2024-02-03T12:05:06.000Z');
    expect(doc.lang).toBe('de-CH');
    expect(doc.kind).toBe('Request');
    expect(doc.requestType).toBe('ProfileRequest');
    expect(doc.deploymentMode).toBe('production');
  });

  it('takes the version from the DOCTYPE, and from cXML@version without one', () => {
    const withDoctype = parseCxml(
      request('<ProfileRequest/>', {
        doctype: '<!DOCTYPE cXML SYSTEM "http://xml.cXML.org/schemas/cXML/1.2.020/InvoiceDetail.dtd">',
        attrs: ' version="1.0"',
      }),
    );
    expect(withDoctype.version).toBe('1.2.020');
    expect(withDoctype.versionAttribute).toBe('1.0');
    expect(withDoctype.dtd).toEqual({
      version: '1.2.020',
      file: 'InvoiceDetail.dtd',
      systemId: 'http://xml.cXML.org/schemas/cXML/1.2.020/InvoiceDetail.dtd',
    });
    expect(parseCxml(request('<ProfileRequest/>', { attrs: ' version="1.1.010"' })).version).toBe('1.1.010');
    expect(parseCxml(request('<ProfileRequest/>')).version).toBeUndefined();
  });

  it('keeps every From credential in order and finds one by domain case-insensitively', () => {
    const doc = parseCxml(fixture('order-request/v1.2.050-update-multi-credentials.xml'));
    expect(doc.header?.from).toEqual([
      { domain: 'NetworkID', identity: 'AN01000012345' },
      { domain: 'DUNS', identity: '315123456' },
      { domain: 'VendorID', identity: 'KD-4711' },
    ]);
    expect(findCredential(doc.header?.from ?? [], 'networkid')?.identity).toBe('AN01000012345');
    expect(doc.header?.userAgent).toBe('Beschaffung 4.2');
    expect(doc.deploymentMode).toBe('test');
  });

  it('reports a SharedSecret sender with the decoded secret', () => {
    const doc = parseCxml(fixture('order-request/v1.2.050-update-multi-credentials.xml'));
    expect(doc.senderAuth).toEqual({
      method: 'sharedSecret',
      domain: 'NetworkID',
      identity: 'AN01000000001',
      sharedSecret: 'geheim&sicher',
    });
  });

  it('reports CredentialMac as an unsupported authentication, with its details kept', () => {
    const doc = parseCxml(fixture('envelope/credential-mac.xml'));
    expect(doc.senderAuth).toEqual({
      method: 'credentialMac',
      domain: 'NetworkID',
      identity: 'AN01000000001',
      supported: false,
    });
    expect(doc.header?.sender[0]?.credentialMac).toEqual({
      type: 'FromSenderCredentials',
      algorithm: 'HMAC-SHA1-96',
      creationDate: '2023-05-10T11:59:00+00:00',
      expirationDate: '2023-05-11T11:59:00+00:00',
      value: 'MnXkusp8Jj0lw3mf',
    });
  });

  it('reports a sender without authenticator as none', () => {
    const doc = parseCxml(
      request('<ProfileRequest/>', { sender: '<Credential domain="D"><Identity>x</Identity></Credential>' }),
    );
    expect(doc.senderAuth).toEqual({ method: 'none' });
  });

  it('lets unknown request types through by name (for a 406 answer)', () => {
    const doc = parseCxml(request('<FancyNewRequest foo="1"/>'));
    expect(doc.requestType).toBe('FancyNewRequest');
    expect(SUPPORTED_REQUEST_TYPES).not.toContain(doc.requestType as never);
  });

  it('reads a Message and its type', () => {
    const doc = parseCxml(fixture('corpus/DPassarelli__6-mils/test/samples/PunchOutOrderMessage.xml'));
    expect(doc.kind).toBe('Message');
    expect(doc.requestType).toBe('PunchOutOrderMessage');
    expect(doc.senderAuth).toEqual({ method: 'none' });
  });

  it('reads a Response with its Status and the element after it', () => {
    const doc = parseCxml(fixture('corpus/DPassarelli__6-mils/test/samples/PunchOutSetupResponse.xml'));
    expect(doc.kind).toBe('Response');
    expect(doc.requestType).toBe('Response');
    expect(doc.header).toBeUndefined();
    expect(doc.status).toEqual({ code: 200, text: 'success', message: '' });
    expect(doc.responseType).toBe('PunchOutSetupResponse');
  });

  it('refuses a Request without Header, without payloadID, or with two requests, naming the XPath', () => {
    const noHeader =
      '<cXML payloadID="p" timestamp="2024-01-01T00:00:00Z"><Request><ProfileRequest/></Request></cXML>';
    expect(safeParseCxml(noHeader)).toMatchObject({
      ok: false,
      error: { status: 400, message: 'a Request or Message needs a Header', xpath: '/cXML/Header' },
    });
    const noPayload = request('<ProfileRequest/>').replace('payloadID="pl-1@example"', '');
    expect(safeParseCxml(noPayload)).toMatchObject({ ok: false, error: { xpath: '/cXML/@payloadID' } });
    const two = request('<ProfileRequest/><ProfileRequest/>');
    expect(safeParseCxml(two)).toMatchObject({
      ok: false,
      error: {
        message: 'Request carries more than one element (ProfileRequest, ProfileRequest)',
        xpath: '/cXML/Request',
      },
    });
  });

  it('refuses a credential without Identity and an unknown deploymentMode', () => {
    const noIdentity = request('<ProfileRequest/>', { sender: '<Credential domain="D"></Credential>' });
    expect(safeParseCxml(noIdentity)).toMatchObject({
      ok: false,
      error: { status: 400, xpath: '/cXML/Header/Sender/Credential/Identity' },
    });
    const mode = request('<ProfileRequest/>', { mode: ' deploymentMode="staging"' });
    expect(safeParseCxml(mode)).toMatchObject({
      ok: false,
      error: { xpath: '/cXML/Request/@deploymentMode' },
    });
  });
});

describe('text', () => {
  it('keeps non-ASCII text and decodes character references and predefined entities', () => {
    const doc = parseCxml(
      fixture('corpus/FriendsOfCXML__cxml-php/tests/metadata/cxml/samples/CatalogUploadRequest.xml'),
    );
    expect(doc.header?.userAgent).toBe('Supplier\u2019s Super Order Processor');
    const utf8 = parseCxml(
      fixture('corpus/FriendsOfCXML__cxml-php/tests/metadata/cxml/samples/StatusUpdateRequest.xml'),
    );
    expect(utf8.header?.userAgent).toBe('Supplier\u2019s Super Order Processor');
  });

  it('decodes a Buffer declared ISO-8859-1 and one in UTF-16 with BOM', () => {
    const xml = request('<ProfileRequest/>', {
      sender: '<Credential domain="D"><Identity>Müller</Identity></Credential>',
    });
    const latin1 = Buffer.from(xml.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'), 'latin1');
    expect(parseCxml(latin1).header?.sender[0]?.identity).toBe('Müller');
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(xml.replace('UTF-8', 'UTF-16'), 'utf16le'),
    ]);
    expect(parseCxml(utf16).header?.sender[0]?.identity).toBe('Müller');
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml, 'utf8')]);
    expect(parseCxml(bom).header?.sender[0]?.identity).toBe('Müller');
  });

  it('normalises CRLF line ends and whitespace in attribute values', () => {
    const xml = request('<ProfileRequest/>')
      .replace(/\n/g, '\r\n')
      .replace('payloadID="pl-1@example"', 'payloadID="pl\t1"');
    expect(parseCxml(xml).payloadId).toBe('pl 1');
  });
});

describe('lenient dates', () => {
  it.each([
    ['2020-04-08T14:19:06-07:00', '2020-04-08T14:19:06-07:00', '2020-04-08T21:19:06.000Z'],
    ['2020-04-08T14:19:06.125+02:00', '2020-04-08T14:19:06.125+02:00', '2020-04-08T12:19:06.125Z'],
    ['2020-04-08 14:19:06', '2020-04-08T14:19:06', '2020-04-08T14:19:06.000Z'],
    ['2020-04-08T14:19:06Z', '2020-04-08T14:19:06Z', '2020-04-08T14:19:06.000Z'],
    ['2020-04-08T14:19:06+0530', '2020-04-08T14:19:06+05:30', '2020-04-08T08:49:06.000Z'],
    ['2020-04-08T14:19-07', '2020-04-08T14:19:00-07:00', '2020-04-08T21:19:00.000Z'],
    ['2020-04-08', '2020-04-08', '2020-04-08T00:00:00.000Z'],
    ['Mon May 19 18:29:48 +0000 2008', '2008-05-19T18:29:48+00:00', '2008-05-19T18:29:48.000Z'],
  ])('reads %s', (raw, iso, instant) => {
    const d = parseCxmlDate(raw);
    expect(d?.iso).toBe(iso);
    expect(d?.date.toISOString()).toBe(instant);
  });

  it.each(['invoice_date', '2021-02-30', '2021-13-01T00:00:00Z', '2021-01-01T24:00:00Z', '1/2/2021', ''])(
    'does not take %j for a date',
    (raw) => {
      expect(parseCxmlDate(raw)).toBeUndefined();
    },
  );

  it('keeps an unreadable timestamp raw, with no parsed date', () => {
    const doc = parseCxml(request('<ProfileRequest/>').replace('2024-02-03T04:05:06-08:00', 'yesterday'));
    expect(doc.timestamp).toBe('yesterday');
    expect(doc.timestampDate).toBeUndefined();
  });
});
