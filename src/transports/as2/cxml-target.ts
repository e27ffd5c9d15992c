/**
 * Where a partner's outbound cXML goes: with `cxml.transport: "as2"` an AS2 message to `as2.url`
 * (the delivery of transport `as2` signs, encrypts and waits for the MDN as for X12), else an HTTP
 * POST to `cxml.outboundUrl`. Undefined: nowhere (the document is stored only).
 */
import type { PartnerRow } from '../../partners/repository';

export interface CxmlTarget {
  transport: 'http' | 'as2';
  url: string;
}

export function cxmlDeliveryTarget(partner: Pick<PartnerRow, 'settings'>): CxmlTarget | undefined {
  const { cxml, as2 } = partner.settings;
  if (cxml?.transport === 'as2') return as2?.url ? { transport: 'as2', url: as2.url } : undefined;
  return cxml?.outboundUrl ? { transport: 'http', url: cxml.outboundUrl } : undefined;
}
