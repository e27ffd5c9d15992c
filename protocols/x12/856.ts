/**
 * 856 Ship Notice / Manifest <-> canonical Shipment.
 *
 * BSN01 00, BSN02 shipmentId, BSN03/04 shipment date/time, BSN05 0004 (shipment, order, item).
 * HL S (shipment): TD1 (lading quantity, when given), TD5 (carrier: SCAC in TD503 when it looks
 *   like one, else routing text in TD505), REF*2I or REF*CN (tracking number), DTM*011 shipped,
 *   DTM*017 estimated delivery, N1*SF ship-from and N1*ST ship-to loops.
 * HL O (order): PRF01 buyer order number, PRF04 order date (the buyer's calendar date as written).
 * HL I (item): LIN01 line number + VP supplier part / BP buyer part, SN1 quantity and unit.
 * CTT01 = number of HL segments, CTT02 = sum of SN102.
 */
import { add, type Order, type Shipment, type ShipmentLine } from '../../src/model';
import { continueParty, startParty, writeParty, type PartyLoop } from './common';
import type { TransactionSet } from './envelope';
import { uomFromX12, uomToX12 } from './uom';
import type { Segment } from './segment';
import { requireX12DateTime, X12SerializeError, type OutSegment } from './serialize';
import type { X12Error } from './types';
import { SetErrors, isoDateTime, x12CalendarDate } from './values';

export interface Build856Options {
  /** REF qualifier of the tracking number: 2I (tracking number, default) or CN (carrier's reference). */
  trackingQualifier?: '2I' | 'CN';
  /** TD102 lading quantity (number of packages), written with TD101 packagingCode (default CTN25). */
  ladingQuantity?: number;
  packagingCode?: string;
}

const SCAC_RE = /^[A-Z]{2,4}$/;

/** Shipment (+ its order, for part ids, units and the order date) -> 856 body segments. */
export function build856(shipment: Shipment, order?: Order, options: Build856Options = {}): OutSegment[] {
  const shipped = requireX12DateTime(shipment.shippedAt, 'BSN', 3);
  const out: OutSegment[] = [
    ['BSN', '00', shipment.shipmentId, shipped.date, shipped.time ?? '0000', '0004'],
  ];
  let hl = 1;
  out.push(['HL', '1', undefined, 'S', '1']);
  if (options.ladingQuantity !== undefined)
    out.push(['TD1', options.packagingCode ?? 'CTN25', String(options.ladingQuantity)]);
  if (shipment.carrier) {
    out.push(
      SCAC_RE.test(shipment.carrier)
        ? ['TD5', undefined, '2', shipment.carrier]
        : ['TD5', undefined, undefined, undefined, undefined, shipment.carrier],
    );
  }
  if (shipment.trackingNumber) out.push(['REF', options.trackingQualifier ?? '2I', shipment.trackingNumber]);
  out.push(['DTM', '011', shipped.date, shipped.time, shipped.timeCode]);
  if (shipment.expectedDeliveryAt) {
    const e = requireX12DateTime(shipment.expectedDeliveryAt, 'DTM', 2);
    out.push(['DTM', '017', e.date, e.time, e.timeCode]);
  }
  if (shipment.shipFrom) out.push(...writeParty('SF', shipment.shipFrom, { maxContacts: 3 }));
  if (shipment.shipTo) out.push(...writeParty('ST', shipment.shipTo, { maxContacts: 3 }));
  hl++;
  out.push(['HL', String(hl), '1', 'O', '1']);
  const od = order ? x12CalendarDate(order.orderDate) : undefined;
  out.push(['PRF', shipment.buyerOrderNumber, undefined, undefined, od]);
  let hash = add();
  for (const l of shipment.lines) {
    hl++;
    const ol = order?.lines.find((x) => x.lineNumber === l.lineNumber);
    const supplierPart = l.supplierPartId ?? ol?.supplierPartId;
    const ids: string[] = [];
    if (supplierPart) ids.push('VP', supplierPart);
    if (ol?.buyerPartId) ids.push('BP', ol.buyerPartId);
    if (ids.length === 0) ids.push('PL', String(l.lineNumber));
    const uom = l.unitOfMeasure ?? ol?.unitOfMeasure;
    if (!uom)
      throw new X12SerializeError(
        `shipment line ${l.lineNumber}: unit of measure unknown (SN103 is mandatory)`,
        'SN1',
        3,
      );
    out.push(['HL', String(hl), '2', 'I', '0']);
    out.push(['LIN', String(l.lineNumber), ...ids]);
    out.push(['SN1', undefined, l.quantity, uomToX12(uom)]);
    hash = hash.plus(l.quantity);
  }
  out.push(['CTT', String(hl), hash.toFixed()]);
  return out;
}

export interface Parse856Result {
  shipment: Shipment | undefined;
  /** BSN01 purpose, TD1 lading quantity and the order date of PRF04, which Shipment has no field for. */
  details: { purpose?: string; ladingQuantity?: number; orderDate?: string; structureCode?: string };
  errors: X12Error[];
}

/** 856 -> Shipment. Never throws. */
export function parse856(set: TransactionSet): Parse856Result {
  const errs = new SetErrors(set);
  const segs = set.segments;
  const end = segs.length > 1 && segs.at(-1)?.id === 'SE' ? segs.length - 1 : segs.length;
  const details: Parse856Result['details'] = {};
  const app = (e: X12Error): void => {
    e.application = true;
  };
  let bsn: Segment | undefined;
  const shipment: Shipment = { shipmentId: '', buyerOrderNumber: '', shippedAt: '', lines: [] };
  const hls = new Map<string, string>(); // HL01 -> HL03
  let level = '';
  let hlCount = 0;
  let party: PartyLoop | undefined;
  let current: ShipmentLine | undefined;
  let ctt: { seg: Segment; pos: number } | undefined;
  let shippedDtm: string | undefined;
  let trackingCN: string | undefined;
  const closeParty = (): void => {
    if (!party) return;
    if (party.qualifier === 'ST') shipment.shipTo = party.party;
    else if (party.qualifier === 'SF' || (party.qualifier === 'SH' && !shipment.shipFrom))
      shipment.shipFrom = party.party;
    party = undefined;
  };
  for (let i = 1; i < end; i++) {
    const seg = segs[i]!; // 1 <= i < end <= segs.length
    const pos = i + 1;
    errs.validate(seg, pos, seg.id === 'BSN' ? undefined : 'HL');
    if (party) {
      if (continueParty(party, seg)) continue;
      closeParty();
    }
    switch (seg.id) {
      case 'BSN':
        bsn = seg;
        shipment.shipmentId = seg.text(2);
        if (seg.text(1)) details.purpose = seg.text(1);
        if (seg.text(5)) details.structureCode = seg.text(5);
        break;
      case 'HL': {
        hlCount++;
        const id = seg.text(1);
        const parent = seg.text(2);
        level = seg.text(3);
        if (hls.has(id)) app(errs.at(seg, pos, 1, 'HIERARCHY_ERROR', `HL01 "${id}" is used twice`, 'HL'));
        if (parent !== '' && !hls.has(parent))
          app(errs.at(seg, pos, 2, 'HIERARCHY_ERROR', `parent HL "${parent}" does not exist`, 'HL'));
        hls.set(id, level);
        current = undefined;
        break;
      }
      case 'TD1': {
        const q = errs.integer(seg, 2);
        if (level === 'S' && q !== undefined) details.ladingQuantity = q;
        break;
      }
      case 'TD5':
        if (level === 'S' && !shipment.carrier) {
          const carrier = seg.text(5) || seg.text(3);
          if (carrier) shipment.carrier = carrier;
        }
        break;
      case 'REF':
        if (seg.text(1) === '2I' && !shipment.trackingNumber) shipment.trackingNumber = seg.text(2);
        else if (seg.text(1) === 'CN' && trackingCN === undefined) trackingCN = seg.text(2);
        break;
      case 'DTM': {
        const when = isoDateTime(seg.text(2), seg.text(3), seg.text(4));
        if (!when) break;
        if (seg.text(1) === '011' && shippedDtm === undefined) shippedDtm = when;
        else if (seg.text(1) === '017' && !shipment.expectedDeliveryAt) shipment.expectedDeliveryAt = when;
        break;
      }
      case 'N1':
        party = startParty(seg);
        break;
      case 'PRF': {
        const po = seg.text(1);
        if (shipment.buyerOrderNumber === '') {
          shipment.buyerOrderNumber = po;
          const d = errs.date(seg, 4);
          if (d) details.orderDate = d;
        } else if (po !== shipment.buyerOrderNumber) {
          app(
            errs.at(
              seg,
              pos,
              1,
              'HIERARCHY_ERROR',
              'a Shipment covers one order; this 856 names several',
              'HL',
            ),
          );
        }
        break;
      }
      case 'LIN': {
        const n = seg.text(1);
        current = { lineNumber: /^\d{1,9}$/.test(n) ? Number(n) : shipment.lines.length + 1, quantity: '' };
        for (let k = 2; k <= seg.length; k += 2) {
          if ((seg.text(k) === 'VP' || seg.text(k) === 'VN') && seg.text(k + 1) && !current.supplierPartId)
            current.supplierPartId = seg.text(k + 1);
        }
        shipment.lines.push(current);
        break;
      }
      case 'SN1': {
        if (!current) {
          current = { lineNumber: shipment.lines.length + 1, quantity: '' };
          shipment.lines.push(current);
        }
        current.quantity = errs.decimal(seg, 2) ?? '';
        if (seg.text(3)) current.unitOfMeasure = uomFromX12(seg.text(3));
        break;
      }
      case 'CTT':
        ctt = { seg, pos };
        break;
      default:
        break;
    }
  }
  closeParty();
  if (!bsn) {
    errs.missing('BSN', 'the 856 has no BSN segment');
    return { shipment: undefined, details, errors: errs.errors };
  }
  if (!shipment.trackingNumber && trackingCN) shipment.trackingNumber = trackingCN;
  shipment.shippedAt = shippedDtm ?? isoDateTime(bsn.text(3), bsn.text(4)) ?? '';
  if (shipment.buyerOrderNumber === '')
    app(errs.missing('PRF', 'the 856 names no purchase order (PRF)', 'HL'));
  if (ctt && /^\d+$/.test(ctt.seg.text(1)) && Number(ctt.seg.text(1)) !== hlCount) {
    app(
      errs.at(
        ctt.seg,
        ctt.pos,
        1,
        'COUNT_MISMATCH',
        `CTT01 says ${Number(ctt.seg.text(1))}, the set has ${hlCount} HL`,
      ),
    );
  }
  for (const l of shipment.lines) {
    if (l.quantity === '')
      app(errs.missing('SN1', `shipment line ${l.lineNumber} has no quantity (SN1)`, 'HL'));
  }
  return { shipment, details, errors: errs.errors };
}
