/**
 * Pieces shared by the transaction mappers: N1 party loops, PER contacts, N9/MSG comments, TXI tax.
 */
import { formatAmount, type Address, type Contact, type Party, type Tax } from '../../src/model';
import type { Segment } from './segment';
import type { OutSegment } from './serialize';
import type { SetErrors } from './values';
import { decimalFromR } from './values';

// ---------------------------------------------------------------- contacts (PER)

const ROLE_BY_CODE: Record<string, string> = {
  BD: 'buyer',
  IC: 'informationContact',
  OC: 'orderContact',
  DC: 'deliveryContact',
  EX: 'expeditor',
  AP: 'accountsPayable',
  SR: 'salesRepresentative',
};
const CODE_BY_ROLE: Record<string, string> = Object.fromEntries(
  Object.entries(ROLE_BY_CODE).map(([k, v]) => [v, k]),
);

/** PER -> Contact. Known PER01 codes become words ("BD" -> "buyer"); others are kept as the code. */
export function readContact(seg: Segment): Contact {
  const c: Contact = {};
  const code = seg.text(1);
  if (code) c.role = ROLE_BY_CODE[code] ?? code;
  const name = seg.text(2);
  if (name) c.name = name;
  for (let i = 3; i <= 7; i += 2) {
    const q = seg.text(i);
    const v = seg.text(i + 1);
    if (!v) continue;
    if (q === 'TE' && c.phone === undefined) c.phone = v;
    else if (q === 'EM' && c.email === undefined) c.email = v;
    else if (q === 'FX' && c.fax === undefined) c.fax = v;
  }
  return c;
}

export function writeContact(c: Contact): OutSegment {
  const role = c.role ?? '';
  const code = CODE_BY_ROLE[role] ?? (/^[A-Z0-9]{2}$/.test(role) ? role : 'IC');
  const comm: string[] = [];
  if (c.phone) comm.push('TE', c.phone);
  if (c.email) comm.push('EM', c.email);
  if (c.fax) comm.push('FX', c.fax);
  return ['PER', code, c.name, ...comm];
}

// ---------------------------------------------------------------- parties (N1 loop)

export interface PartyLoop {
  /** N101 entity code: ST, BT, RI, SF, BY, ... */
  qualifier: string;
  /** N103 */
  idQualifier: string;
  party: Party;
}

/** Starts a party from an N1; continue it with `continueParty`. */
export function startParty(n1: Segment): PartyLoop {
  const party: Party = {};
  const name = n1.text(2);
  if (name) party.name = name;
  const id = n1.text(4);
  if (id) party.addressId = id;
  return { qualifier: n1.text(1), idQualifier: n1.text(3), party };
}

function address(p: Party): Address {
  return (p.address ??= { street: [] });
}

/** Applies N2 / N3 / N4 / PER of an N1 loop. Returns false for segments that end the loop. */
export function continueParty(loop: PartyLoop, seg: Segment): boolean {
  const p = loop.party;
  switch (seg.id) {
    case 'N2': {
      const d = (p.deliverTo ??= []);
      if (seg.text(1) !== '') d.push(seg.text(1));
      if (seg.text(2) !== '') d.push(seg.text(2));
      return true;
    }
    case 'N3': {
      const street = address(p).street;
      if (seg.text(1) !== '') street.push(seg.text(1));
      if (seg.text(2) !== '') street.push(seg.text(2));
      return true;
    }
    case 'N4': {
      const a = address(p);
      const [city, state, postal, country] = [seg.text(1), seg.text(2), seg.text(3), seg.text(4)];
      if (city) a.city = city;
      if (state) a.state = state;
      if (postal) a.postalCode = postal;
      if (country) a.countryCode = country;
      return true;
    }
    case 'PER':
      (p.contacts ??= []).push(readContact(seg));
      return true;
    case 'REF':
      return true; // party references have no place in the model
    default:
      return false;
  }
}

function pairsOf(values: string[]): [string, string | undefined][] {
  const out: [string, string | undefined][] = [];
  for (let i = 0; i < values.length; i += 2) out.push([values[i]!, values[i + 1]]); // i < length
  return out;
}

/** Lines `values` as at most `max` pairs; lines beyond the last pair join its second element. */
function cappedPairs(values: string[], max: number): [string, string | undefined][] {
  const pairs = pairsOf(values);
  if (pairs.length <= max) return pairs;
  const rest = values.slice(max * 2 - 1);
  // More than max pairs: values has more than 2 * max - 2 entries.
  return [...pairs.slice(0, max - 1), [values[max * 2 - 2]!, rest.join(', ')]];
}

export interface WritePartyOptions {
  /** N104 qualifier of `addressId` (default 92, assigned by buyer). */
  idQualifier?: string;
  /** PER segments the set's N1 loop takes (810, 856: 3); further contacts are left out. */
  maxContacts?: number;
}

/**
 * Party -> N1 loop. `addressId` goes to N104 with qualifier 92 (assigned by buyer) unless given.
 * The N1 loop takes at most two N2 and two N3 (two lines each): further name or street lines are
 * joined onto the last one, so nothing is lost and the loop stays within the standard's maximum use.
 */
export function writeParty(qualifier: string, p: Party, options: WritePartyOptions = {}): OutSegment[] {
  const idQualifier = options.idQualifier ?? '92';
  const out: OutSegment[] = [
    p.addressId ? ['N1', qualifier, p.name, idQualifier, p.addressId] : ['N1', qualifier, p.name ?? ''],
  ];
  for (const [a, b] of cappedPairs(p.deliverTo ?? [], 2)) out.push(['N2', a, b]);
  const a = p.address;
  if (a) {
    for (const [s1, s2] of cappedPairs(a.street, 2)) out.push(['N3', s1, s2]);
    if (a.city || a.state || a.postalCode || a.countryCode)
      out.push(['N4', a.city, a.state, a.postalCode, a.countryCode]);
  }
  for (const c of (p.contacts ?? []).slice(0, options.maxContacts ?? Infinity)) out.push(writeContact(c));
  return out;
}

// ---------------------------------------------------------------- comments (N9 / MSG)

/** Longest MSG01 written; longer lines continue in MSG segments with MSG02 = "LC". */
export const MSG_MAX = 264;

export interface WriteCommentsOptions {
  /** N9 loops the set takes (810: 1); further comments go into the last loop after a blank line. */
  maxLoops?: number;
  /** MSG segments per N9 loop (810: 10); lines beyond are left out. */
  maxMessages?: number;
}

/**
 * Comments -> N9 loops: one N9*L1 per comment, one MSG per line of the comment; lines longer than
 * 264 characters continue in further MSGs marked "LC" (line continuation). Sets whose tables allow
 * fewer N9 loops or MSGs get the comments merged and cut to fit (`options`).
 */
export function writeComments(comments: readonly string[], options: WriteCommentsOptions = {}): OutSegment[] {
  const maxLoops = Math.max(1, options.maxLoops ?? Infinity);
  const groups: string[] = comments.slice(0, maxLoops - 1);
  if (comments.length >= maxLoops) groups.push(comments.slice(maxLoops - 1).join('\n\n'));
  const out: OutSegment[] = [];
  groups.forEach((comment, i) => {
    const msgs: OutSegment[] = [];
    for (const line of comment.split(/\r\n|\r|\n/)) {
      if (line === '') {
        msgs.push(['MSG', ' ']);
        continue;
      }
      for (let at = 0; at < line.length; at += MSG_MAX) {
        msgs.push(at === 0 ? ['MSG', line.slice(0, MSG_MAX)] : ['MSG', line.slice(at, at + MSG_MAX), 'LC']);
      }
    }
    out.push(['N9', 'L1', `NOTE${i + 1}`], ...msgs.slice(0, options.maxMessages ?? Infinity));
  });
  return out;
}

/** Builds comments from an N9 loop's MSGs: new line per MSG, continuation (MSG02 = LC) appended. */
export class CommentBuilder {
  private lines: string[] | undefined;

  /** Comments are appended to `owner.comments`, created on the first one. */
  constructor(private owner: { comments?: string[] }) {}

  /** Later comments go to another owner (e.g. the current line). */
  retarget(owner: { comments?: string[] }): void {
    this.flush();
    this.owner = owner;
  }

  start(): void {
    this.flush();
    this.lines = [];
  }

  msg(seg: Segment): void {
    this.lines ??= [];
    const text = seg.text(1) === ' ' ? '' : seg.text(1);
    if (seg.text(2) === 'LC' && this.lines.length > 0) this.lines[this.lines.length - 1] += text;
    else this.lines.push(text);
  }

  flush(): void {
    if (this.lines && this.lines.length > 0) (this.owner.comments ??= []).push(this.lines.join('\n'));
    this.lines = undefined;
  }
}

// ---------------------------------------------------------------- tax (TXI)

const CATEGORY_BY_CODE: Record<string, string> = {
  ST: 'sales',
  VA: 'vat',
  GS: 'gst',
  TX: 'all',
  CA: 'city',
  CT: 'county',
  LS: 'state',
};
const CODE_BY_CATEGORY: Record<string, string> = Object.fromEntries(
  Object.entries(CATEGORY_BY_CODE).map(([k, v]) => [v, k]),
);

/** TXI -> Tax; undefined (with an error) when TXI02 is absent or not a number. */
export function readTax(seg: Segment, position: number, errors: SetErrors, loopId?: string): Tax | undefined {
  const amount = seg.text(2);
  if (amount === '') {
    errors.at(
      seg,
      position,
      2,
      'MISSING_ELEMENT',
      'the tax amount is required by the canonical model',
      loopId,
    ).application = true;
    return undefined;
  }
  const a = decimalFromR(amount);
  if (a === undefined) return undefined; // reported by the element syntax check
  const tax: Tax = { amount: a };
  const rate = decimalFromR(seg.text(3));
  if (rate !== undefined) tax.rate = rate;
  const code = seg.text(1);
  if (code && code !== 'TX') tax.category = CATEGORY_BY_CODE[code] ?? code;
  return tax;
}

/** Tax -> TXI. The description has no TXI element and is not written. */
/** Tax -> TXI (TXI02 with the currency's scale when the currency is known). */
export function writeTax(tax: Tax, currency?: string): OutSegment {
  const cat = tax.category ?? '';
  const code = CODE_BY_CATEGORY[cat] ?? (/^[A-Z0-9]{2}$/.test(cat) ? cat : 'TX');
  return ['TXI', code, currency ? formatAmount(tax.amount, currency) : tax.amount, tax.rate];
}
