/**
 * 855 Purchase Order Acknowledgment: built from an Order plus a status per line, and parsed back.
 *
 * BAK01 00; BAK02 AD (all lines accepted), AC (some changed or rejected), RJ (all rejected);
 * BAK03 PO number, BAK04 PO date (the buyer's calendar date, as written in its order), BAK08 seller's order number, BAK09 acknowledgment date.
 * Per order line: PO1 (ordered quantity / unit, acknowledged unit price, VP / BP ids), PID*F,
 * ACK (ACK01 IA accepted, IR rejected, IC changed; ACK02/03 acknowledged quantity and unit;
 * ACK04 068 + ACK05 scheduled ship date). CTT01 = number of PO1.
 */
import { add, formatUnitPrice, isDecimalString, type DecimalString, type Order } from '../../src/model';
import { MSG_MAX } from './common';
import type { TransactionSet } from './envelope';
import { uomFromX12, uomToX12 } from './uom';
import type { Segment } from './segment';
import { requireX12Date, requireX12DateTime, X12SerializeError, type OutSegment } from './serialize';
import type { X12Error } from './types';
import { SetErrors } from './values';

export type LineStatus = 'accept' | 'reject' | 'change';

export interface LineAckInput {
  lineNumber: number;
  status: LineStatus;
  /** Acknowledged quantity; default the ordered one (0 for a rejected line). */
  quantity?: DecimalString;
  /** Acknowledged unit (Rec 20); default the ordered one. */
  unitOfMeasure?: string;
  /** Acknowledged unit price; default the ordered one. */
  unitPrice?: DecimalString;
  /** Scheduled ship date, ISO 8601 date. */
  scheduledShipDate?: string;
}

export interface Build855Options {
  /** Acknowledgment date (BAK09), ISO 8601. Passed in: no clock is read. */
  ackDate: string;
  /** Seller's order number (BAK08). */
  supplierOrderNumber?: string;
  /**
   * Why the order is (partly) not taken, e.g. the reason an order was refused: written in the
   * heading's N9 loop (N9*L1*REASON with MSG lines, position 285/290 of the 855 table).
   */
  note?: string;
}

export interface LineAck {
  lineNumber: number;
  status: LineStatus;
  /** ACK01 as sent (IA, IR, IC, IQ, IP, DR, ...). */
  statusCode: string;
  supplierPartId?: string;
  buyerPartId?: string;
  description?: string;
  orderedQuantity?: DecimalString;
  quantity?: DecimalString;
  unitOfMeasure?: string;
  unitPrice?: DecimalString;
  scheduledShipDate?: string;
}

export interface PurchaseOrderAck {
  buyerOrderNumber: string;
  orderDate: string;
  /** BAK02 */
  ackType: string;
  ackDate?: string;
  supplierOrderNumber?: string;
  currency?: string;
  lines: LineAck[];
}

const CODE_BY_STATUS: Record<LineStatus, string> = { accept: 'IA', reject: 'IR', change: 'IC' };
const ACCEPT = new Set(['IA', 'AC']);
const REJECT = new Set(['IR', 'ID', 'R1', 'R2', 'R3', 'R4', 'R5']);

/** Order + line statuses -> 855 body segments. Every order line needs a status. */
export function build855(
  order: Order,
  statuses: readonly LineAckInput[],
  options: Build855Options,
): OutSegment[] {
  const byLine = new Map(statuses.map((s) => [s.lineNumber, s]));
  for (const s of statuses) {
    if (!order.lines.some((l) => l.lineNumber === s.lineNumber)) {
      throw new X12SerializeError(`status for line ${s.lineNumber}, which the order does not have`, 'ACK', 1);
    }
  }
  const kinds = new Set(statuses.map((s) => s.status));
  const ackType =
    kinds.size === 1 && kinds.has('accept') ? 'AD' : kinds.size === 1 && kinds.has('reject') ? 'RJ' : 'AC';
  const out: OutSegment[] = [
    [
      'BAK',
      '00',
      ackType,
      order.buyerOrderNumber,
      requireX12Date(order.orderDate, 'BAK', 4),
      undefined,
      undefined,
      undefined,
      options.supplierOrderNumber,
      requireX12DateTime(options.ackDate, 'BAK', 9).date,
    ],
    ['CUR', 'BY', order.currency],
  ];
  if (options.note) {
    const lines = options.note.replace(/\s+/g, ' ').trim();
    out.push(['N9', 'L1', 'REASON']);
    for (let at = 0; at < lines.length && at < MSG_MAX * 10; at += MSG_MAX)
      out.push(['MSG', lines.slice(at, at + MSG_MAX)]);
  }
  let hash: ReturnType<typeof add> | undefined = add();
  for (const line of order.lines) {
    const s = byLine.get(line.lineNumber);
    if (!s)
      throw new X12SerializeError(`no acknowledgment status for order line ${line.lineNumber}`, 'ACK', 1);
    const ids: string[] = ['VP', line.supplierPartId];
    if (line.buyerPartId) ids.push('BP', line.buyerPartId);
    out.push([
      'PO1',
      String(line.lineNumber),
      line.quantity,
      uomToX12(line.unitOfMeasure),
      // A refused order may hold a line without a (numeric) price: written as it came.
      isDecimalString(s.unitPrice ?? line.unitPrice)
        ? formatUnitPrice(s.unitPrice ?? line.unitPrice, order.currency)
        : undefined,
      undefined,
      ...ids,
    ]);
    if (line.description)
      out.push(['PID', 'F', undefined, undefined, undefined, line.description.slice(0, 80)]);
    const qty = s.quantity ?? (s.status === 'reject' ? '0' : line.quantity);
    const date = s.scheduledShipDate ? requireX12DateTime(s.scheduledShipDate, 'ACK', 5).date : undefined;
    out.push([
      'ACK',
      CODE_BY_STATUS[s.status],
      qty,
      uomToX12(s.unitOfMeasure ?? line.unitOfMeasure),
      date ? '068' : undefined,
      date,
    ]);
    // CTT02 (hash total) only when every quantity is a number (a refused order may hold others).
    hash = hash !== undefined && isDecimalString(line.quantity) ? hash.plus(line.quantity) : undefined;
  }
  out.push(['CTT', String(order.lines.length), hash?.toFixed()]);
  return out;
}

export interface Parse855Result {
  ack: PurchaseOrderAck | undefined;
  errors: X12Error[];
}

/** 855 -> PurchaseOrderAck. Never throws. */
export function parse855(set: TransactionSet): Parse855Result {
  const errs = new SetErrors(set);
  const segs = set.segments;
  const end = segs.length > 1 && segs.at(-1)?.id === 'SE' ? segs.length - 1 : segs.length;
  let ack: PurchaseOrderAck | undefined;
  let line: LineAck | undefined;
  let po1 = 0;
  let ctt: { seg: Segment; pos: number } | undefined;
  const lines: LineAck[] = [];
  for (let i = 1; i < end; i++) {
    const seg = segs[i]!; // 1 <= i < end <= segs.length
    const pos = i + 1;
    errs.validate(seg, pos, seg.id === 'PO1' || seg.id === 'ACK' || seg.id === 'PID' ? 'PO1' : undefined);
    switch (seg.id) {
      case 'BAK': {
        ack = {
          buyerOrderNumber: seg.text(3),
          orderDate: errs.date(seg, 4) ?? '',
          ackType: seg.text(2),
          lines,
        };
        const d = errs.date(seg, 9);
        if (d) ack.ackDate = d;
        if (seg.text(8)) ack.supplierOrderNumber = seg.text(8);
        break;
      }
      case 'CUR':
        if (ack && !line && seg.text(2)) ack.currency = seg.text(2);
        break;
      case 'PO1': {
        po1++;
        const n = seg.text(1);
        line = { lineNumber: /^\d{1,9}$/.test(n) ? Number(n) : po1, status: 'accept', statusCode: '' };
        const q = errs.decimal(seg, 2);
        if (q !== undefined) line.orderedQuantity = q;
        if (seg.text(3)) line.unitOfMeasure = uomFromX12(seg.text(3));
        const p = errs.decimal(seg, 4);
        if (p !== undefined) line.unitPrice = p;
        for (let k = 6; k <= seg.length; k += 2) {
          const v = seg.text(k + 1);
          if (!v) continue;
          if ((seg.text(k) === 'VP' || seg.text(k) === 'VN') && line.supplierPartId === undefined)
            line.supplierPartId = v;
          else if (seg.text(k) === 'BP' && line.buyerPartId === undefined) line.buyerPartId = v;
        }
        lines.push(line);
        break;
      }
      case 'PID':
        if (line && seg.text(1) === 'F' && seg.text(5)) line.description = seg.text(5);
        break;
      case 'ACK': {
        if (!line) {
          errs.add('UNEXPECTED_SEGMENT', 'ACK outside a PO1 loop', 'ACK', pos, seg.filePosition);
          break;
        }
        if (line.statusCode) break; // only the first ACK of a line sets its status
        const code = seg.text(1);
        line.statusCode = code;
        line.status = ACCEPT.has(code) ? 'accept' : REJECT.has(code) ? 'reject' : 'change';
        const q = errs.decimal(seg, 2);
        if (q !== undefined) line.quantity = q;
        if (seg.text(3)) line.unitOfMeasure = uomFromX12(seg.text(3));
        const d = errs.date(seg, 5);
        if (d && (seg.text(4) === '068' || seg.text(4) === '067')) line.scheduledShipDate = d;
        break;
      }
      case 'CTT':
        ctt = { seg, pos };
        break;
      default:
        break;
    }
  }
  if (!ack) {
    errs.missing('BAK', 'the 855 has no BAK segment');
    return { ack: undefined, errors: errs.errors };
  }
  if (ctt && /^\d+$/.test(ctt.seg.text(1)) && Number(ctt.seg.text(1)) !== po1) {
    const e = errs.at(
      ctt.seg,
      ctt.pos,
      1,
      'COUNT_MISMATCH',
      `CTT01 says ${Number(ctt.seg.text(1))} line items, the set has ${po1} PO1`,
    );
    e.application = true;
  }
  return { ack, errors: errs.errors };
}
