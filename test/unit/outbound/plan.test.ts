/**
 * The one decision point of outbound documents (src/outbound/plan.ts): for each partner contract and
 * document kind, which formats go out, in which order, and where each is delivered.
 */
import {
  deliveryTarget,
  outboundFormats,
  outboundRoutes,
  takesFormat,
  type OutboundKind,
} from '../../../src/outbound/plan';
import type { As2Settings, PartnerSettings, SftpSettings } from '../../../src/partners/schema';

const CXML_URL = 'https://buyer.example/cxml';
const X12_URL = 'https://buyer.example/x12';
const AS2_URL = 'https://as2.buyer.example/as2';

type Cxml = NonNullable<PartnerSettings['cxml']>;
type X12 = NonNullable<PartnerSettings['x12']>;

const cxml = (extra: Partial<Cxml> = {}): Cxml => ({
  credentials: [{ domain: 'NetworkID', identity: 'AN01' }],
  cartReturn: 'cxml-urlencoded',
  statusUpdates: false,
  hasSharedSecret: true,
  outboundUrl: CXML_URL,
  ...extra,
});
const x12 = (extra: Partial<X12> = {}): X12 => ({
  isaQualifier: 'ZZ',
  isaId: 'BUYER',
  gsId: 'BUYER',
  version: '004010',
  ta1: false,
  outboundUrl: X12_URL,
  ...extra,
});
const sftp: SftpSettings = {
  host: 'sftp.buyer.example',
  port: 2222,
  username: 'supplier',
  hostKeySha256: `SHA256:${'A'.repeat(43)}`,
  inboundDir: 'in',
  outboundDir: '/out',
  pollSeconds: 60,
  hasPassword: true,
  hasPrivateKey: false,
};
const as2: As2Settings = {
  id: 'BUYER',
  url: AS2_URL,
  certificates: [],
  signDigest: 'sha256',
  encryption: 'aes-256-cbc',
  compress: false,
  compressWhen: 'before-signing',
  mdn: { mode: 'sync', signed: true },
  requireSigned: true,
  requireEncrypted: false,
};

const partner = (settings: Partial<PartnerSettings>) => ({
  id: 'buyer',
  settings: { id: 'buyer', name: 'Buyer', currency: 'USD', catalogVisibility: 'all' as const, ...settings },
});

const http = (url: string) => ({ transport: 'http', url });
const KINDS: OutboundKind[] = [
  'confirmation',
  'line-confirmation',
  'ship-notice',
  'status-update',
  'invoice',
  'acknowledgment',
];

/** Each kind's routes as `format transport url`, a refusal as its message. */
function table(p: ReturnType<typeof partner>, state?: 'confirmed'): Record<string, string[] | string> {
  return Object.fromEntries(
    KINDS.map((kind): [string, string[] | string] => {
      try {
        const routes = outboundRoutes(p, kind, state ? { state } : {});
        return [
          kind,
          routes.map((r) => `${r.format} ${r.target ? `${r.target.transport} ${r.target.url}` : '-'}`),
        ];
      } catch (err) {
        return [kind, (err as Error).message];
      }
    }),
  );
}

describe('outbound plan: which formats and transports a partner takes for each document kind', () => {
  it('a cXML partner (the default) gets every cXML follow-up POSTed to cxml.outboundUrl, and X12 answers to its X12 address', () => {
    expect(outboundFormats(partner({ cxml: cxml(), x12: x12() }))).toEqual(['cxml']);
    expect(table(partner({ cxml: cxml({ statusUpdates: true }), x12: x12() }), 'confirmed')).toEqual({
      confirmation: [`cxml http ${CXML_URL}`],
      'line-confirmation': [`cxml http ${CXML_URL}`],
      'ship-notice': [`cxml http ${CXML_URL}`],
      'status-update': [`cxml http ${CXML_URL}`],
      invoice: [`cxml http ${CXML_URL}`],
      acknowledgment: [`x12 http ${X12_URL}`],
    });
  });

  it('without cxml.outboundUrl follow-ups are stored only, and an invoice is refused', () => {
    expect(table(partner({ cxml: cxml({ outboundUrl: undefined }) }))).toEqual({
      confirmation: ['cxml -'],
      'line-confirmation': ['cxml -'],
      'ship-notice': ['cxml -'],
      'status-update': [],
      invoice: 'partner buyer has no cxml.outboundUrl to deliver invoices to',
      acknowledgment: ['x12 -'],
    });
  });

  it('an X12 partner gets an 855, 856 and 810 (no per-line confirmation, no status update); both formats send X12 first', () => {
    expect(
      table(
        partner({ outboundFormats: ['x12'], cxml: cxml({ statusUpdates: true }), x12: x12() }),
        'confirmed',
      ),
    ).toEqual({
      confirmation: [`x12 http ${X12_URL}`],
      'line-confirmation': [],
      'ship-notice': [`x12 http ${X12_URL}`],
      'status-update': [],
      invoice: [`x12 http ${X12_URL}`],
      acknowledgment: [`x12 http ${X12_URL}`],
    });
    const both = partner({ outboundFormats: ['cxml', 'x12'], cxml: cxml(), x12: x12() });
    expect(table(both)).toMatchObject({
      confirmation: [`x12 http ${X12_URL}`, `cxml http ${CXML_URL}`],
      'line-confirmation': [`cxml http ${CXML_URL}`],
      'ship-notice': [`x12 http ${X12_URL}`, `cxml http ${CXML_URL}`],
      invoice: [`x12 http ${X12_URL}`, `cxml http ${CXML_URL}`],
    });
  });

  it('x12.transport picks the X12 delivery: http (outboundUrl), sftp (the mailbox), as2 (as2.url); missing settings store only and refuse invoices', () => {
    const x12Only = (x: Partial<X12>, extra: Partial<PartnerSettings> = {}) =>
      partner({ outboundFormats: ['x12'], x12: x12(x), ...extra });
    expect(deliveryTarget(x12Only({ transport: 'sftp' }, { sftp }), 'x12')).toEqual({
      transport: 'sftp',
      url: 'sftp://supplier@sftp.buyer.example:2222/out',
    });
    expect(deliveryTarget(x12Only({ transport: 'as2' }, { as2 }), 'x12')).toEqual({
      transport: 'as2',
      url: AS2_URL,
    });
    expect(deliveryTarget(x12Only({ transport: 'http' }), 'x12')).toEqual(http(X12_URL));
    expect(deliveryTarget(x12Only({}), 'x12')).toEqual(http(X12_URL));
    // The transport named decides: an x12.outboundUrl is not a fallback for a missing mailbox or AS2 URL.
    for (const p of [
      x12Only({ transport: 'sftp' }),
      x12Only({ transport: 'as2' }, { as2: { ...as2, url: undefined } }),
      x12Only({ transport: 'http', outboundUrl: undefined }),
    ]) {
      expect(deliveryTarget(p, 'x12')).toBeUndefined();
      expect(outboundRoutes(p, 'confirmation')).toEqual([{ format: 'x12', target: undefined }]);
      expect(() => outboundRoutes(p, 'invoice')).toThrow(
        'partner buyer has no x12.outboundUrl (or SFTP mailbox, or AS2 URL) to deliver invoices to',
      );
    }
    // cXML is POSTed to its own URL whatever the X12 transport.
    expect(deliveryTarget(partner({ cxml: cxml(), x12: x12({ transport: 'as2' }), as2 }), 'cxml')).toEqual(
      http(CXML_URL),
    );
  });

  it('a partner taking both formats with nowhere for X12 invoices is refused with the X12 reason first', () => {
    const p = partner({
      outboundFormats: ['cxml', 'x12'],
      cxml: cxml({ outboundUrl: undefined }),
      x12: x12({ outboundUrl: undefined }),
    });
    expect(() => outboundRoutes(p, 'invoice')).toThrow(/no x12\.outboundUrl/);
    expect(outboundRoutes({ ...p, settings: { ...p.settings, x12: x12() } }, 'confirmation')).toEqual([
      { format: 'x12', target: http(X12_URL) },
      { format: 'cxml', target: undefined },
    ]);
  });

  it('status updates only for the states the partner asked for', () => {
    const asking = (statusUpdates: Cxml['statusUpdates']) => partner({ cxml: cxml({ statusUpdates }) });
    expect(outboundRoutes(asking(false), 'status-update', { state: 'confirmed' })).toEqual([]);
    expect(outboundRoutes(asking(true), 'status-update')).toEqual([]);
    for (const state of ['confirmed', 'rejected', 'shipped'] as const)
      expect(outboundRoutes(asking(true), 'status-update', { state })).toEqual([
        { format: 'cxml', target: http(CXML_URL) },
      ]);
    expect(outboundRoutes(asking(true), 'status-update', { state: 'approved' })).toEqual([]);
    expect(outboundRoutes(asking(['approved']), 'status-update', { state: 'approved' })).toHaveLength(1);
    expect(outboundRoutes(asking(['approved']), 'status-update', { state: 'confirmed' })).toEqual([]);
  });

  it('takesFormat answers for one kind and format without looking at addresses', () => {
    const x12Partner = partner({ outboundFormats: ['x12'], x12: x12({ outboundUrl: undefined }) });
    expect(takesFormat(x12Partner, 'confirmation', 'x12')).toBe(true);
    expect(takesFormat(x12Partner, 'invoice', 'x12')).toBe(true);
    expect(takesFormat(x12Partner, 'confirmation', 'cxml')).toBe(false);
    expect(takesFormat(partner({ cxml: cxml() }), 'confirmation', 'x12')).toBe(false);
    expect(takesFormat(partner({ cxml: cxml() }), 'acknowledgment', 'x12')).toBe(true);
    expect(takesFormat(partner({ cxml: cxml() }), 'status-update', 'x12')).toBe(false);
  });
});

describe('cXML over AS2 (cxml.transport "as2")', () => {
  it('sends cXML to the AS2 URL when the partner asks, and to cxml.outboundUrl otherwise', () => {
    expect(deliveryTarget(partner({ cxml: cxml({ transport: 'as2' }), as2 }), 'cxml')).toEqual({
      transport: 'as2',
      url: AS2_URL,
    });
    expect(deliveryTarget(partner({ cxml: cxml(), as2 }), 'cxml')).toEqual({
      transport: 'http',
      url: CXML_URL,
    });
  });
  it('refuses an invoice when the partner asks for AS2 and has no as2.url, naming as2.url', () => {
    const { url: _url, ...noUrl } = as2;
    expect(() =>
      outboundRoutes(partner({ cxml: cxml({ transport: 'as2' }), as2: noUrl }), 'invoice'),
    ).toThrow('partner buyer has no as2.url to deliver invoices to');
  });
});
