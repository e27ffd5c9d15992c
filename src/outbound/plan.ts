/**
 * Which formats and transports a partner takes for each kind of outbound document: the one place
 * that reads the partner contract (src/partners/schema.ts) for outbound documents — `outboundFormats`
 * (cXML, X12 or both), `cxml.outboundUrl`, `x12.transport` with `x12.outboundUrl`, `sftp` and
 * `as2.url`, and `cxml.statusUpdates`. Pure: the use case (send.ts) renders, stores and queues what
 * this decides.
 */
import type { OrderState } from '../model/order-state';
import type { PartnerRow } from '../partners/repository';
import { statusUpdateStates } from '../partners/schema';
import { AppError } from '../platform/errors';
import { sftpLocation } from '../transports/sftp/location';

export type OutboundFormat = 'cxml' | 'x12';
/** How a document reaches the partner: POSTed, uploaded to its SFTP mailbox, or as an AS2 message. */
export type OutboundTransport = 'http' | 'sftp' | 'as2';

export interface DeliveryTarget {
  transport: OutboundTransport;
  /** The URL POSTed to, the AS2 URL, or the mailbox as sftpLocation names it. */
  url: string;
}

/**
 * The documents the gateway sends. confirmation: an order accepted or rejected in full (855,
 * ConfirmationRequest); line-confirmation: per-line statuses (ConfirmationRequest only);
 * ship-notice (856, ShipNoticeRequest); status-update (StatusUpdateRequest); invoice, credit memos
 * included (810, InvoiceDetailRequest); acknowledgment: TA1/997/999 answering the partner's X12.
 */
export type OutboundKind =
  'confirmation' | 'line-confirmation' | 'ship-notice' | 'status-update' | 'invoice' | 'acknowledgment';

interface KindRule {
  /** The formats the kind exists in, in the order they are sent. */
  formats: readonly OutboundFormat[];
  /** Sent in its formats whatever `outboundFormats` says (an answer goes back in the partner's own). */
  always?: true;
  /** Refused (conflict) when the partner has nowhere to receive it, instead of stored only. */
  mustDeliver?: true;
}

const KINDS: Record<OutboundKind, KindRule> = {
  confirmation: { formats: ['x12', 'cxml'] },
  'line-confirmation': { formats: ['cxml'] },
  'ship-notice': { formats: ['x12', 'cxml'] },
  'status-update': { formats: ['cxml'] },
  invoice: { formats: ['x12', 'cxml'], mustDeliver: true },
  acknowledgment: { formats: ['x12'], always: true },
};

type Contract = Pick<PartnerRow, 'id' | 'settings'>;

/** The formats this partner receives documents in (cXML unless the partner says otherwise). */
export function outboundFormats(partner: Pick<PartnerRow, 'settings'>): OutboundFormat[] {
  return partner.settings.outboundFormats ?? ['cxml'];
}

function targetBy(
  partner: Pick<PartnerRow, 'settings'>,
  transport: OutboundTransport,
  httpUrl: string | undefined,
): DeliveryTarget | undefined {
  if (transport === 'as2') {
    const url = partner.settings.as2?.url;
    return url ? { transport: 'as2', url } : undefined;
  }
  if (transport === 'sftp') {
    const sftp = partner.settings.sftp;
    return sftp ? { transport: 'sftp', url: sftpLocation(sftp) } : undefined;
  }
  return httpUrl ? { transport: 'http', url: httpUrl } : undefined;
}

/**
 * Where this partner's documents of a format go; undefined when nowhere (they are stored only). X12
 * goes by `x12.transport` (http, the default: POST to x12.outboundUrl; sftp: sftp.outboundDir; as2:
 * as2.url); cXML by `cxml.transport` (http, the default: POST to cxml.outboundUrl; as2: an AS2 message
 * to as2.url, signed, encrypted and awaiting its MDN as for X12).
 */
export function deliveryTarget(
  partner: Pick<PartnerRow, 'settings'>,
  format: OutboundFormat,
): DeliveryTarget | undefined {
  const { cxml, x12 } = partner.settings;
  if (format === 'x12') return targetBy(partner, x12?.transport ?? 'http', x12?.outboundUrl);
  return targetBy(partner, cxml?.transport ?? 'http', cxml?.outboundUrl);
}

/** What a partner lacks to receive a document it must receive, in the words of its contract. */
const NOWHERE: Record<OutboundFormat, (partner: Pick<PartnerRow, 'settings'>) => string> = {
  x12: () => 'x12.outboundUrl (or SFTP mailbox, or AS2 URL)',
  cxml: (partner) => (partner.settings.cxml?.transport === 'as2' ? 'as2.url' : 'cxml.outboundUrl'),
};

const NOUN: Record<OutboundKind, string> = {
  confirmation: 'confirmations',
  'line-confirmation': 'confirmations',
  'ship-notice': 'ship notices',
  'status-update': 'status updates',
  invoice: 'invoices',
  acknowledgment: 'acknowledgments',
};

/** One document to send: its format and where it goes (undefined: stored only). */
export interface OutboundRoute {
  format: OutboundFormat;
  target: DeliveryTarget | undefined;
}

/**
 * The documents a partner gets for one kind, in the order they are sent: one per format the kind
 * exists in and the partner takes, each with its delivery target. A status update only for the
 * order states the partner asked for (`cxml.statusUpdates`). An invoice the partner has nowhere to
 * receive in one of its formats is refused (conflict) rather than issued.
 */
export function outboundRoutes(
  partner: Contract,
  kind: OutboundKind,
  about: { state?: OrderState } = {},
): OutboundRoute[] {
  const rule = KINDS[kind];
  if (kind === 'status-update') {
    const asked = statusUpdateStates(partner.settings.cxml?.statusUpdates);
    if (about.state === undefined || !asked.includes(about.state)) return [];
  }
  const takes = outboundFormats(partner);
  return rule.formats
    .filter((format) => rule.always || takes.includes(format))
    .map((format) => {
      const target = deliveryTarget(partner, format);
      if (!target && rule.mustDeliver)
        throw new AppError(
          'conflict',
          `partner ${partner.id} has no ${NOWHERE[format](partner)} to deliver ${NOUN[kind]} to`,
        );
      return { format, target };
    });
}

/** Whether the partner gets documents of this kind in this format. */
export function takesFormat(partner: Contract, kind: OutboundKind, format: OutboundFormat): boolean {
  const rule = KINDS[kind];
  return rule.formats.includes(format) && (rule.always === true || outboundFormats(partner).includes(format));
}
