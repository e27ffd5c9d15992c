/**
 * 850 Purchase Order <-> canonical Order.
 *
 * Mapping (both directions):
 * - BEG01 00 -> type "new", 01/03 -> "cancel", 04/05 -> "update"; BEG03 PO number; BEG05 order date
 *   (DTM*004 with a time makes orderDate a date-time). BEG02/04/06 -> extrinsics "BEG02"...
 * - CUR02 -> currency (default from options, "USD"). REF*PP -> version. AMT*TT -> total.
 * - PER -> contacts; N1 loops (N1/N2/N3/N4/PER): ST -> shipTo, BT -> billTo (header), ST -> line
 *   shipTo (detail); other parties -> extrinsics "N1*BY" (name) and "N1*BY*92" (id).
 * - ITD -> paymentTerms (first ITD): ITD03 %, ITD05 discount days, ITD07 net days, ITD12 text.
 * - SAC*C*G830/D240/G821 -> shipping (SAC05 is N2: implied 2 decimals); SAC*C*H850 -> tax when no
 *   TXI; other SACs -> extrinsics "SAC*A*C310" (decimal amount).
 * - TXI -> tax (header or line). DTM*002 -> requestedDeliveryDate (a header DTM*002 applies to
 *   the lines without one). Other DTMs -> extrinsics "DTM*010". TD5 / PO4 elements -> extrinsics
 *   "TD505" / "PO401". Other REFs -> extrinsics "REF*DP"; REF*ZZ with REF02 and REF03 -> extrinsic
 *   named REF02 valued REF03 (extrinsics of other names are written that way). N9/MSG -> comments.
 * - PO1: PO101 line number (ordinal when absent or not numeric), PO102 quantity, PO103 unit
 *   (x12UomToRec20), PO104 unit price, product ids VP/VN -> supplierPartId, VS -> supplierAuxiliaryId,
 *   BP (or IN) -> buyerPartId, MG -> manufacturerPartId, MF -> manufacturerName, C3 -> UNSPSC
 *   classification; other qualifiers (UP, UK, EN, ...) -> line extrinsics "PO1*UP".
 *   PID*F -> description (80-character PIDs are continued without separator).
 * - CTT01 must equal the number of PO1 segments.
 *
 * Not carried by X12 850 and so not round-tripped: Tax.description, Address.name/countryName,
 * distributions, classifications other than UNSPSC, N103 qualifiers other than 92.
 */
import { type Contact, type Extrinsic, type Order, type OrderLine, type OrderType } from '../../src/model';
import { add } from '../../src/model';
import {
  CommentBuilder,
  continueParty,
  readContact,
  readTax,
  startParty,
  writeComments,
  writeContact,
  writeParty,
  writeTax,
  type PartyLoop,
} from './common';
import type { TransactionSet } from './envelope';
import { uomFromX12, uomFromX12Pair, uomToX12 } from './uom';
import type { Segment } from './segment';
import { X12SerializeError, type OutElement, type OutSegment } from './serialize';
import type { X12Error } from './types';
import { SetErrors, decimalFromR, impliedFromDecimal, isoDateTime, x12DateTime } from './values';

export interface Parse850Options {
  /** Currency when the 850 has no CUR segment (default "USD"). */
  defaultCurrency?: string;
  /**
   * A PO1 without unit price (PO104): "reject" reports it as a missing element, so the 997/999
   * rejects the set with AK3/AK4 (IK3/IK4) at PO104; "price-from-catalog" takes it with an empty
   * unitPrice for the intake to price. Unset: a mapping (`application`) error, as the canonical
   * model needs a price.
   */
  missingUnitPrice?: 'reject' | 'price-from-catalog';
}

export interface Parse850Result {
  /** Undefined when the set cannot be mapped at all (no BEG, no PO number...). */
  order: Order | undefined;
  /** Syntax and mapping errors; mapping-only ones have `application: true`. */
  errors: X12Error[];
}

const TYPE_BY_PURPOSE: Record<string, OrderType> = {
  '00': 'new',
  '01': 'cancel',
  '03': 'cancel',
  '04': 'update',
  '05': 'update',
};
const PURPOSE_BY_TYPE: Record<OrderType, string> = { new: '00', cancel: '01', update: '05' };
const SHIPPING_CODES = new Set(['G830', 'D240', 'G821']);
const PID_MAX = 80;

function segmentExtrinsics(seg: Segment, target: Extrinsic[]): void {
  for (let i = 1; i <= seg.length; i++) {
    const v = seg.text(i);
    if (v !== '') target.push({ name: `${seg.id}${String(i).padStart(2, '0')}`, value: v });
  }
}

function refExtrinsic(seg: Segment, target: Extrinsic[]): void {
  const q = seg.text(1);
  const v2 = seg.text(2);
  const v3 = seg.text(3);
  if (q === 'ZZ' && v2 !== '' && v3 !== '') target.push({ name: v2, value: v3 });
  else if (v2 !== '' || v3 !== '') target.push({ name: `REF*${q}`, value: v2 !== '' ? v2 : v3 });
}

/** PO101 as a line number: 1 to 9 digits (what /^\d{1,9}$/ accepts). */
function isLineNumber(v: string): boolean {
  const n = v.length;
  if (n === 0 || n > 9) return false;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** REF02 of REF*PP as an order version: what /^[1-9]\d{0,8}$/ accepts. */
function isVersion(v: string): boolean {
  return isLineNumber(v) && v.charCodeAt(0) !== 48;
}

interface LineState {
  line: OrderLine;
  /** PID*F texts so far, joined as `closeLine850` sets them. */
  description: string | undefined;
  /** Length of the last PID*F text (an 80-character one is continued without a space). */
  lastPid: number;
}

/** Maps one 850 transaction set to a canonical Order. Never throws. */
export function parse850(set: TransactionSet, options: Parse850Options = {}): Parse850Result {
  const errs = new SetErrors(set);
  const segs = set.segments;
  const end = segs.length > 1 && segs.at(-1)?.id === 'SE' ? segs.length - 1 : segs.length;
  let beg: Segment | undefined;
  const order: Order = {
    buyerOrderNumber: '',
    version: 1,
    type: 'new',
    orderDate: '',
    currency: options.defaultCurrency ?? 'USD',
    contacts: [],
    comments: [],
    extrinsics: [],
    lines: [],
  };
  let headerDelivery: string | undefined;
  let orderTime: { date: string; iso: string } | undefined;
  let party: PartyLoop | undefined;
  let partyTarget: 'header' | LineState = 'header';
  let current: LineState | undefined;
  const lines: LineState[] = [];
  let po1Count = 0;
  let ctt: { seg: Segment; pos: number } | undefined;
  let sawTxi = false;
  const comments = new CommentBuilder(order);

  for (let i = 1; i < end; i++) {
    const seg = segs[i]!; // 1 <= i < end <= segs.length
    const pos = i + 1;
    const id = seg.id;
    const loopId = party ? 'N1' : current ? 'PO1' : undefined;
    errs.validate(seg, pos, id === 'N1' ? 'N1' : id === 'PO1' ? 'PO1' : loopId);
    if (party) {
      if (continueParty(party, seg)) continue;
      closeParty850(order, party, partyTarget);
      party = undefined;
    }
    if (id !== 'MSG') comments.flush();
    if (i === 1 && id !== 'BEG') {
      errs.add('MISSING_SEGMENT', 'BEG must follow ST', 'BEG', pos, seg.filePosition);
    }
    const ext = current ? current.line.extrinsics : order.extrinsics;
    switch (id) {
      case 'BEG': {
        if (beg) {
          errs.add('UNEXPECTED_SEGMENT', 'a second BEG', id, pos, seg.filePosition);
          break;
        }
        beg = seg;
        const purpose = seg.text(1);
        const type = TYPE_BY_PURPOSE[purpose];
        if (type) order.type = type;
        else if (purpose !== '')
          errs.at(
            seg,
            pos,
            1,
            'INVALID_CODE',
            `purpose "${purpose}" is not 00, 01, 03, 04 or 05`,
          ).application = true;
        order.buyerOrderNumber = seg.text(3);
        order.orderDate = errs.date(seg, 5) ?? '';
        for (const n of [2, 4, 6]) {
          const v = seg.text(n);
          if (v !== '') {
            const x = { name: `BEG0${n}`, value: v };
            if (order.extrinsics.length === 0) order.extrinsics = [x];
            else order.extrinsics.push(x);
          }
        }
        break;
      }
      case 'CUR':
        if (!current && !seg.isEmpty(2)) order.currency = seg.text(2);
        break;
      case 'REF': {
        const version = !current && seg.textIs(1, 'PP') ? seg.text(2) : '';
        if (isVersion(version)) order.version = Number(version);
        else refExtrinsic(seg, ext);
        break;
      }
      case 'PER':
        if (current) ext.push({ name: `PER*${seg.text(1)}`, value: seg.text(2) });
        else if (order.contacts.length === 0) order.contacts = [readContact(seg)];
        else order.contacts.push(readContact(seg));
        break;
      case 'DTM': {
        const q = seg.text(1);
        const time = seg.text(3);
        const when = isoDateTime(seg.text(2), time, seg.text(4));
        if (when === undefined) break; // malformed dates are reported by the syntax check
        if (q === '002') {
          if (current) current.line.requestedDeliveryDate = when;
          else headerDelivery = when;
        } else if (q === '004' && !current && time !== '') orderTime = { date: when.slice(0, 10), iso: when };
        else ext.push({ name: `DTM*${q}`, value: when });
        break;
      }
      case 'TD5':
      case 'PO4':
        segmentExtrinsics(seg, ext);
        break;
      case 'N1':
        party = startParty(seg);
        partyTarget = current ?? 'header';
        break;
      case 'ITD': {
        if (current || order.paymentTerms) break;
        const terms: NonNullable<Order['paymentTerms']> = {};
        const pct = errs.decimal(seg, 3);
        if (pct !== undefined) terms.discountPercent = pct;
        const dd = errs.integer(seg, 5);
        if (dd !== undefined) terms.discountDays = dd;
        const nd = errs.integer(seg, 7);
        if (nd !== undefined) terms.netDays = nd;
        if (seg.text(12)) terms.text = seg.text(12);
        order.paymentTerms = terms;
        break;
      }
      case 'SAC': {
        const kind = seg.text(1);
        const code = seg.text(2);
        const amount = errs.implied(seg, 5);
        if (amount === undefined) break;
        if (!current && kind === 'C' && SHIPPING_CODES.has(code) && !order.shipping) {
          order.shipping = seg.text(15) ? { amount, description: seg.text(15) } : { amount };
        } else if (!current && kind === 'C' && code === 'H850' && !order.tax) {
          order.tax = seg.text(15) ? { amount, description: seg.text(15) } : { amount };
        } else ext.push({ name: `SAC*${kind}*${code}`, value: amount });
        break;
      }
      case 'TXI': {
        const tax = readTax(seg, pos, errs, current ? 'PO1' : undefined);
        if (!tax) break;
        if (current) current.line.tax = tax;
        else if (!sawTxi) {
          order.tax = tax;
          sawTxi = true;
        }
        break;
      }
      case 'N9':
        comments.start();
        break;
      case 'MSG':
        comments.msg(seg);
        break;
      case 'PO1': {
        if (current) closeLine850(current);
        po1Count++;
        const line = readPo1(seg, pos, po1Count, errs, options.missingUnitPrice);
        current = { line, description: undefined, lastPid: 0 };
        lines.push(current);
        comments.retarget(line);
        break;
      }
      case 'PID':
        if (current && seg.textIs(1, 'F')) {
          const text = seg.text(5);
          if (text === '') break;
          current.description =
            current.description === undefined
              ? text
              : current.description + (current.lastPid >= PID_MAX ? '' : ' ') + text;
          current.lastPid = text.length;
        }
        break;
      case 'CTT':
        if (current) closeLine850(current);
        current = undefined;
        ctt = { seg, pos };
        break;
      case 'AMT': {
        const amount = errs.decimal(seg, 2);
        if (amount === undefined) break;
        if (seg.text(1) === 'TT' && !current) order.total = amount;
        else ext.push({ name: `AMT*${seg.text(1)}`, value: amount });
        break;
      }
      default:
        break;
    }
  }
  if (party) closeParty850(order, party, partyTarget);
  comments.flush();
  if (current) closeLine850(current);

  if (!beg) {
    errs.missing('BEG', 'the 850 has no BEG segment');
    return { order: undefined, errors: errs.errors };
  }
  if (order.buyerOrderNumber === '') {
    return { order: undefined, errors: errs.errors }; // BEG03 missing: reported by the syntax check
  }
  if (orderTime && orderTime.date === order.orderDate) order.orderDate = orderTime.iso;
  if (ctt) {
    const n = ctt.seg.text(1);
    if (/^\d+$/.test(n) && Number(n) !== po1Count) {
      errs.at(
        ctt.seg,
        ctt.pos,
        1,
        'COUNT_MISMATCH',
        `CTT01 says ${Number(n)} line items, the set has ${po1Count} PO1`,
      );
    }
  }
  for (const l of lines) {
    if (headerDelivery && !l.line.requestedDeliveryDate) l.line.requestedDeliveryDate = headerDelivery;
    order.lines.push(l.line);
  }
  if (order.lines.length === 0) errs.missing('PO1', 'the 850 has no PO1 line', 'PO1').application = true;
  return { order, errors: errs.errors };
}

function closeParty850(order: Order, p: PartyLoop, partyTarget: 'header' | LineState): void {
  const target = partyTarget === 'header' ? undefined : partyTarget.line;
  if (p.qualifier === 'ST') {
    if (target) target.shipTo = p.party;
    else order.shipTo = p.party;
  } else if (p.qualifier === 'BT' && !target) order.billTo = p.party;
  else {
    const ext = target ? target.extrinsics : order.extrinsics;
    if (p.party.name) ext.push({ name: `N1*${p.qualifier}`, value: p.party.name });
    if (p.party.addressId) ext.push({ name: `N1*${p.qualifier}*${p.idQualifier}`, value: p.party.addressId });
  }
}

function closeLine850(current: LineState): void {
  if (current.description !== undefined) current.line.description = current.description;
}

/** A 2-character product id qualifier as a number. */
function qualifierCode(q: string): number {
  return (q.charCodeAt(0) << 16) | q.charCodeAt(1);
}
const Q_VP = qualifierCode('VP');
const Q_VN = qualifierCode('VN');
const Q_VS = qualifierCode('VS');
const Q_BP = qualifierCode('BP');
const Q_IN = qualifierCode('IN');
const Q_MG = qualifierCode('MG');
const Q_MF = qualifierCode('MF');
const Q_C3 = qualifierCode('C3');

function readPo1(
  seg: Segment,
  pos: number,
  ordinal: number,
  errs: SetErrors,
  missingPrice: Parse850Options['missingUnitPrice'],
): OrderLine {
  const L = 'PO1';
  const line: OrderLine = {
    lineNumber: ordinal,
    supplierPartId: '',
    quantity: '',
    unitOfMeasure: '',
    unitPrice: '',
    classifications: [],
    distributions: [],
    extrinsics: [],
  };
  const n = seg.text(1);
  if (isLineNumber(n)) line.lineNumber = Number(n);
  else if (n !== '') line.extrinsics.push({ name: 'PO101', value: n });
  const quantity = seg.text(2);
  if (quantity === '') errs.at(seg, pos, 2, 'MISSING_ELEMENT', 'quantity is required', L).application = true;
  else line.quantity = decimalFromR(quantity) ?? '';
  const unitCode = seg.code2(3);
  if (unitCode !== -1) line.unitOfMeasure = uomFromX12Pair(unitCode >>> 16, unitCode & 0xffff);
  else if (seg.isEmpty(3))
    errs.at(seg, pos, 3, 'MISSING_ELEMENT', 'unit of measure is required', L).application = true;
  else line.unitOfMeasure = uomFromX12(seg.text(3));
  const price = seg.text(4);
  if (price !== '') line.unitPrice = decimalFromR(price) ?? '';
  else if (missingPrice === 'reject')
    errs.at(
      seg,
      pos,
      4,
      'MISSING_ELEMENT',
      'a unit price is required (orders are not priced from the catalog)',
      L,
    );
  else if (missingPrice === undefined)
    errs.at(seg, pos, 4, 'MISSING_ELEMENT', 'unit price is required by the canonical model', L).application =
      true;
  const count = seg.length + 1;
  for (let i = 6; i < count; i += 2) {
    const v = seg.text(i + 1);
    if (v === '') continue;
    // By character codes: no string for the qualifier unless it is kept (-1: not 2 characters).
    const q = seg.code2(i);
    if (q === -1 && seg.isEmpty(i)) continue;
    switch (q) {
      case Q_VP:
      case Q_VN:
        if (line.supplierPartId === '') line.supplierPartId = v;
        else line.extrinsics.push({ name: `PO1*${seg.text(i)}`, value: v });
        break;
      case Q_VS:
        line.supplierAuxiliaryId ??= v;
        break;
      case Q_BP:
        line.buyerPartId = v;
        break;
      case Q_IN:
        if (line.buyerPartId === undefined) line.buyerPartId = v;
        else line.extrinsics.push({ name: `PO1*${seg.text(i)}`, value: v });
        break;
      case Q_MG:
        line.manufacturerPartId ??= v;
        break;
      case Q_MF:
        line.manufacturerName ??= v;
        break;
      case Q_C3:
        // A first element gets an array of one: a push onto [] makes room for 16.
        if (line.classifications.length === 0) line.classifications = [{ domain: 'UNSPSC', code: v }];
        else line.classifications.push({ domain: 'UNSPSC', code: v });
        break;
      default:
        line.extrinsics.push({ name: `PO1*${seg.text(i)}`, value: v });
    }
  }
  if (line.supplierPartId === '') {
    errs.at(
      seg,
      pos,
      6,
      'MISSING_ELEMENT',
      'a supplier part id (qualifier VP or VN) is required',
      L,
    ).application = true;
  }
  return line;
}

// ---------------------------------------------------------------- writing

export interface Build850Options {
  /** X12 release the segments are for (only lengths differ); default 004010. */
  version?: '004010' | '005010';
}

function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [''];
}

/** Writes extrinsics that came from X12 back to their segments; returns the rest. */
function writeExtrinsics(
  extrinsics: readonly Extrinsic[],
  out: {
    ref: OutSegment[];
    dtm: OutSegment[];
    sac: OutSegment[];
    amt: OutSegment[];
    seg: Map<string, string[]>;
    other: Extrinsic[];
  },
  refMax: number,
): void {
  for (const x of extrinsics) {
    let m: RegExpExecArray | null;
    if ((m = /^REF\*([A-Z0-9]{2,3})$/.exec(x.name))) {
      out.ref.push(x.value.length > refMax ? ['REF', m[1], undefined, x.value] : ['REF', m[1], x.value]);
    } else if ((m = /^DTM\*(\d{3})$/.exec(x.name))) {
      const dt = x12DateTime(x.value);
      if (dt) out.dtm.push(['DTM', m[1], dt.date, dt.time, dt.timeCode]);
      else out.other.push(x);
    } else if ((m = /^SAC\*([A-Z])\*([A-Z0-9]{4})$/.exec(x.name))) {
      out.sac.push(['SAC', m[1], m[2], undefined, undefined, impliedFromDecimal(x.value)]);
    } else if ((m = /^AMT\*([A-Z0-9]{1,3})$/.exec(x.name))) {
      out.amt.push(['AMT', m[1], x.value]);
    } else if ((m = /^(TD5|PO4)(\d{2})$/.exec(x.name))) {
      const id = m[1]!; // the regex's groups are not optional
      const arr = out.seg.get(id) ?? [];
      arr[Number(m[2]) - 1] = x.value;
      out.seg.set(id, arr);
    } else out.other.push(x);
  }
}

function toSegment(id: string, values: string[] | undefined): OutSegment[] {
  if (!values) return [];
  return [[id, ...Array.from({ length: values.length }, (_, i) => values[i])]];
}

function refZZ(x: Extrinsic, refMax: number): OutSegment {
  if (x.name.length > refMax || x.value.length > 80) {
    throw new X12SerializeError(
      `extrinsic "${x.name}" does not fit REF*ZZ (name <= ${refMax}, value <= 80)`,
      'REF',
      2,
      x.name,
    );
  }
  return ['REF', 'ZZ', x.name, x.value];
}

/** Order -> 850 body segments (without ST/SE). Throws X12SerializeError for data X12 cannot carry. */
export function build850(order: Order, options: Build850Options = {}): OutSegment[] {
  const refMax = options.version === '005010' ? 50 : 30;
  const ext = new Map(order.extrinsics.map((x) => [x.name, x.value]));
  const od = x12DateTime(order.orderDate);
  if (!od)
    throw new X12SerializeError(`orderDate "${order.orderDate}" is not ISO 8601`, 'BEG', 5, order.orderDate);
  const out: OutSegment[] = [
    [
      'BEG',
      PURPOSE_BY_TYPE[order.type],
      ext.get('BEG02') ?? 'SA',
      order.buyerOrderNumber,
      ext.get('BEG04'),
      od.date,
      ext.get('BEG06'),
    ],
    ['CUR', 'BY', order.currency],
  ];
  const h = {
    ref: [] as OutSegment[],
    dtm: [] as OutSegment[],
    sac: [] as OutSegment[],
    amt: [] as OutSegment[],
    seg: new Map<string, string[]>(),
    other: [] as Extrinsic[],
  };
  const parties: { qualifier: string; name?: string; ids: [string, string][] }[] = [];
  const rest = order.extrinsics.filter((x) => {
    if (/^BEG0[246]$/.test(x.name)) return false;
    const m = /^N1\*([A-Z0-9]{2,3})(?:\*([A-Z0-9]{1,2}))?$/.exec(x.name);
    if (!m) return true;
    const qualifier = m[1]!; // not an optional group
    let p = parties.find((q) => q.qualifier === qualifier);
    if (!p) parties.push((p = { qualifier, ids: [] }));
    if (m[2]) p.ids.push([m[2], x.value]);
    else p.name = x.value;
    return false;
  });
  writeExtrinsics(rest, h, refMax);
  if (order.version !== 1) out.push(['REF', 'PP', String(order.version)]);
  out.push(...h.ref, ...h.other.map((x) => refZZ(x, refMax)));
  out.push(...order.contacts.map((c: Contact) => writeContact(c)));
  if (order.shipping) {
    out.push([
      'SAC',
      'C',
      'G830',
      undefined,
      undefined,
      impliedFromDecimal(order.shipping.amount),
      ...blank(9),
      order.shipping.description,
    ]);
  }
  out.push(...h.sac);
  const t = order.paymentTerms;
  if (t) {
    const discount = t.discountPercent !== undefined || t.discountDays !== undefined;
    out.push([
      'ITD',
      discount ? '08' : '01',
      '3',
      t.discountPercent,
      undefined,
      t.discountDays?.toString(),
      undefined,
      t.netDays?.toString(),
      ...blank(4),
      t.text,
    ]);
  }
  if (od.time) out.push(['DTM', '004', od.date, od.time, od.timeCode]);
  out.push(...h.dtm);
  out.push(...toSegment('TD5', h.seg.get('TD5')));
  if (order.tax) out.push(writeTax(order.tax));
  out.push(...writeComments(order.comments));
  if (order.shipTo) out.push(...writeParty('ST', order.shipTo));
  if (order.billTo) out.push(...writeParty('BT', order.billTo));
  for (const p of parties) {
    const [first, ...more] = p.ids;
    out.push(first ? ['N1', p.qualifier, p.name, first[0], first[1]] : ['N1', p.qualifier, p.name]);
    for (const [q, v] of more) out.push(['N1', p.qualifier, undefined, q, v]);
  }
  let hash = add();
  for (const line of order.lines) {
    out.push(...buildPo1Loop(line, refMax));
    hash = hash.plus(line.quantity);
  }
  out.push(['CTT', String(order.lines.length), hash.toFixed()]);
  if (order.total !== undefined) out.push(['AMT', 'TT', order.total]);
  out.push(...h.amt);
  return out;
}

function blank(n: number): undefined[] {
  return new Array<undefined>(n).fill(undefined);
}

function buildPo1Loop(line: OrderLine, refMax: number): OutSegment[] {
  const ids: [string, string][] = [['VP', line.supplierPartId]];
  if (line.supplierAuxiliaryId) ids.push(['VS', line.supplierAuxiliaryId]);
  if (line.buyerPartId) ids.push(['BP', line.buyerPartId]);
  if (line.manufacturerPartId) ids.push(['MG', line.manufacturerPartId]);
  if (line.manufacturerName) ids.push(['MF', line.manufacturerName]);
  for (const c of line.classifications) if (c.domain.toUpperCase() === 'UNSPSC') ids.push(['C3', c.code]);
  const l = {
    ref: [] as OutSegment[],
    dtm: [] as OutSegment[],
    sac: [] as OutSegment[],
    amt: [] as OutSegment[],
    seg: new Map<string, string[]>(),
    other: [] as Extrinsic[],
  };
  const rest: Extrinsic[] = [];
  const parties: OutSegment[] = [];
  for (const x of line.extrinsics) {
    const m = /^PO1\*([A-Z0-9]{2})$/.exec(x.name);
    const n1 = /^N1\*([A-Z0-9]{2,3})(?:\*([A-Z0-9]{1,2}))?$/.exec(x.name);
    if (m)
      ids.push([m[1]!, x.value]); // not an optional group
    else if (x.name === 'PO101') continue;
    else if (n1) parties.push(n1[2] ? ['N1', n1[1], undefined, n1[2], x.value] : ['N1', n1[1], x.value]);
    else rest.push(x);
  }
  if (ids.length > 10)
    throw new X12SerializeError(`line ${line.lineNumber}: more than 10 product ids`, 'PO1', 26);
  writeExtrinsics(rest, l, refMax);
  const po1: OutElement[] = [
    String(line.lineNumber),
    line.quantity,
    uomToX12(line.unitOfMeasure),
    line.unitPrice,
    undefined,
  ];
  for (const [q, v] of ids) po1.push(q, v);
  const out: OutSegment[] = [['PO1', ...po1]];
  if (line.description !== undefined)
    for (const c of chunks(line.description, PID_MAX))
      out.push(['PID', 'F', undefined, undefined, undefined, c]);
  out.push(...toSegment('PO4', l.seg.get('PO4')));
  out.push(...l.ref, ...l.other.map((x) => refZZ(x, refMax)));
  out.push(...l.sac);
  if (line.requestedDeliveryDate) {
    const dt = x12DateTime(line.requestedDeliveryDate);
    if (!dt)
      throw new X12SerializeError(`line ${line.lineNumber}: requestedDeliveryDate is not ISO 8601`, 'DTM', 2);
    out.push(['DTM', '002', dt.date, dt.time, dt.timeCode]);
  }
  out.push(...l.dtm);
  if (line.tax) out.push(writeTax(line.tax));
  out.push(...writeComments(line.comments ?? []));
  if (line.shipTo) out.push(...writeParty('ST', line.shipTo));
  out.push(...parties);
  out.push(...l.amt);
  return out;
}
