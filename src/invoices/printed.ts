/**
 * What an invoice says to a person, the same in its PDF and its CSV: the bill-to and ship-to
 * (name and address lines), the payment terms in words, and the supplier's block (legal name,
 * address, tax ids, remit-to) from the configuration. Pure: the caller passes the order's facts.
 */
import type { Address, Invoice, Order, Party } from '../model';
import type { TaxId } from '../platform/config-supplier';

export interface PrintedParty {
  name: string;
  lines: string[];
}

/** The supplier as its invoices name it (SUPPLIER_LEGAL_NAME, SUPPLIER_ADDRESS, ...). */
export interface SupplierBlock {
  legalName: string;
  address: string[];
  taxIds: TaxId[];
  /** Payee and address lines; empty when neither a remit-to nor an address is configured. */
  remitTo: string[];
}

/** What the invoice's own data lacks and the order or the partner gives. */
export interface PrintFacts {
  /** The partner's name: the bill-to name when the buyer's bill-to has none. */
  buyerName: string;
  /** The order's ship-to (invoices do not carry it). */
  shipTo?: Party;
  /** The order's bill-to, when the invoice has none (older invoices). */
  billTo?: Party;
  /** The order's payment terms (the invoice keeps only the net days). */
  paymentTerms?: Order['paymentTerms'];
}

export function supplierBlock(c: {
  SUPPLIER_NAME: string;
  SUPPLIER_LEGAL_NAME?: string | undefined;
  SUPPLIER_ADDRESS?: string[] | undefined;
  SUPPLIER_TAX_IDS?: TaxId[] | undefined;
  SUPPLIER_REMIT_TO?: string[] | undefined;
}): SupplierBlock {
  const legalName = c.SUPPLIER_LEGAL_NAME ?? c.SUPPLIER_NAME;
  const address = c.SUPPLIER_ADDRESS ?? [];
  return {
    legalName,
    address,
    taxIds: c.SUPPLIER_TAX_IDS ?? [],
    remitTo: c.SUPPLIER_REMIT_TO ?? (address.length ? [legalName, ...address] : []),
  };
}

export function addressLines(a: Address | undefined): string[] {
  if (!a) return [];
  const cityLine = [a.postalCode, a.city, a.state].filter((v) => v !== undefined && v !== '').join(' ');
  return [...a.street, cityLine, a.countryName ?? a.countryCode ?? ''].filter((l) => l !== '');
}

function printedParty(p: Party | undefined, fallbackName: string): PrintedParty | null {
  if (!p && !fallbackName) return null;
  const name = p?.name ?? p?.address?.name ?? fallbackName;
  const lines = [...(p?.deliverTo ?? []), ...addressLines(p?.address)].filter((l) => l !== name);
  return { name, lines };
}

export function billTo(inv: Invoice, f: PrintFacts): PrintedParty {
  return printedParty(inv.billTo ?? f.billTo, f.buyerName) as PrintedParty;
}

export function shipTo(inv: Invoice, f: PrintFacts): PrintedParty | null {
  const p = inv.shipTo ?? f.shipTo;
  return p ? printedParty(p, '') : null;
}

/** "Net 30 days", "2 % if paid within 10 days, net 30 days", or the buyer's own words. */
export function paymentTerms(inv: Invoice, f: PrintFacts): string {
  const t = f.paymentTerms;
  const net = inv.paymentTermsNetDays ?? t?.netDays;
  const parts: string[] = [];
  if (t?.discountPercent && t.discountDays !== undefined)
    parts.push(`${t.discountPercent} % if paid within ${t.discountDays} days`);
  if (net !== undefined) parts.push(`${parts.length ? 'net' : 'Net'} ${net} days`);
  if (!parts.length && t?.text) return t.text;
  return parts.join(', ');
}

/** One line of a party for a single CSV field: "77 New Road, 12345 Springfield, United States". */
export const joined = (p: PrintedParty | null) => (p ? p.lines.join(', ') : '');
