/**
 * 810 Invoice (and credit memo) <-> canonical Invoice.
 *
 * BIG01 invoice date, BIG02 invoice number, BIG03 order date (the buyer's calendar date as written), BIG04 PO number, BIG07 "CR" for a
 * credit memo. CUR*SE currency. REF*OI original invoice (credit memos), REF*ZZ*PAYLOADID*<id> the
 * cXML order payloadID, REF*VN our (the supplier's) order number. N1 loops: BT bill-to, RI (or RE) remit-to, ST ship-to. ITD06 due date,
 * ITD07 net days. N9/MSG comments.
 * IT1: IT101 line number, IT102 quantity, IT103 unit, IT104 unit price, VP supplier part, PL order
 * line number; TXI line tax; PID*F description (the segment order of the 004010/005010 810 table:
 * TXI at 040 before the PID loop at 060; see tables.ts). Line subtotal = quantity x price rounded to the
 * currency (X12 has no line amount).
 * Summary: TDS01 total, TDS02 subtotal (both N2: implied 2 decimals, converted with decimals),
 * TXI header tax, SAC*C*G830 shipping, SAC*A*C310 discount (SAC05 N2), CTT.
 * Tax total = header TXI amount, else the sum of line TXI amounts.
 */
import {
  add,
  formatMoney,
  formatUnitPrice,
  withCurrencyScale,
  roundMoney,
  type Invoice,
  type InvoiceLine,
  type Party,
} from '../../src/model';
import {
  CommentBuilder,
  continueParty,
  readTax,
  startParty,
  writeComments,
  writeParty,
  writeTax,
  type PartyLoop,
} from './common';
import type { TransactionSet } from './envelope';
import { uomFromX12, uomToX12 } from './uom';
import type { Segment } from './segment';
import { requireX12Date, requireX12DateTime, type OutSegment } from './serialize';
import type { X12Error } from './types';
import { SetErrors, impliedFromDecimal } from './values';

const PAYLOAD_REF = 'PAYLOADID';
const PID_MAX = 80;

/** Invoice -> 810 body segments. */
export function build810(source: Invoice): OutSegment[] {
  // Amounts (IT104, TXI02) with the currency's scale, as in every other document.
  const invoice = withCurrencyScale(source);
  const out: OutSegment[] = [
    [
      'BIG',
      requireX12Date(invoice.invoiceDate, 'BIG', 1),
      invoice.invoiceNumber,
      invoice.orderDate ? requireX12Date(invoice.orderDate, 'BIG', 3) : undefined,
      invoice.buyerOrderNumber,
      undefined,
      undefined,
      invoice.purpose === 'creditMemo' ? 'CR' : undefined,
    ],
    ['CUR', 'SE', invoice.currency],
  ];
  if (invoice.originalInvoiceNumber) out.push(['REF', 'OI', invoice.originalInvoiceNumber]);
  if (invoice.orderPayloadId) out.push(['REF', 'ZZ', PAYLOAD_REF, invoice.orderPayloadId]);
  // REF*VN (code list 128: vendor order number): the supplier's own order number, what the 855 sent in BAK08.
  if (invoice.supplierOrderNumber) out.push(['REF', 'VN', invoice.supplierOrderNumber]);
  const parties: [string, Party | undefined][] = [
    ['BT', invoice.billTo],
    ['RI', invoice.remitTo],
    ['ST', invoice.shipTo],
  ];
  for (const [q, p] of parties) if (p) out.push(...writeParty(q, p, { maxContacts: 3 }));
  if (invoice.dueDate || invoice.paymentTermsNetDays !== undefined) {
    out.push([
      'ITD',
      '01',
      '3',
      undefined,
      undefined,
      undefined,
      invoice.dueDate ? requireX12DateTime(invoice.dueDate, 'ITD', 6).date : undefined,
      invoice.paymentTermsNetDays?.toString(),
    ]);
  }
  // The 810 heading takes one N9 loop of at most ten MSG.
  out.push(...writeComments(invoice.comments ?? [], { maxLoops: 1, maxMessages: 10 }));
  let hash = add();
  for (const line of invoice.lines) {
    out.push([
      'IT1',
      String(line.lineNumber),
      line.quantity,
      uomToX12(line.unitOfMeasure),
      formatUnitPrice(line.unitPrice, invoice.currency),
      undefined,
      'VP',
      line.supplierPartId,
      'PL',
      String(line.orderLineNumber),
    ]);
    // TXI (position 040) comes before the PID loop (060) in the IT1 loop.
    if (line.tax) out.push(writeTax(line.tax, invoice.currency));
    if (line.description !== undefined) {
      for (let i = 0; i < Math.max(1, line.description.length); i += PID_MAX) {
        out.push(['PID', 'F', undefined, undefined, undefined, line.description.slice(i, i + PID_MAX)]);
      }
    }
    hash = hash.plus(line.quantity);
  }
  out.push(['TDS', impliedFromDecimal(invoice.total), impliedFromDecimal(invoice.subtotal)]);
  if (invoice.tax) out.push(writeTax(invoice.tax, invoice.currency));
  if (invoice.shipping !== undefined)
    out.push(['SAC', 'C', 'G830', undefined, undefined, impliedFromDecimal(invoice.shipping)]);
  if (invoice.discount !== undefined)
    out.push(['SAC', 'A', 'C310', undefined, undefined, impliedFromDecimal(invoice.discount)]);
  out.push(['CTT', String(invoice.lines.length), hash.toFixed()]);
  return out;
}

export interface Parse810Options {
  defaultCurrency?: string;
}

export interface Parse810Result {
  invoice: Invoice | undefined;
  errors: X12Error[];
}

const SHIPPING_CODES = new Set(['G830', 'D240', 'G821']);

/** 810 -> Invoice. Never throws. */
export function parse810(set: TransactionSet, options: Parse810Options = {}): Parse810Result {
  const errs = new SetErrors(set);
  const segs = set.segments;
  const end = segs.length > 1 && segs.at(-1)?.id === 'SE' ? segs.length - 1 : segs.length;
  const app = (e: X12Error): void => {
    e.application = true;
  };
  const inv: Invoice = {
    invoiceNumber: '',
    purpose: 'standard',
    invoiceDate: '',
    currency: options.defaultCurrency ?? 'USD',
    buyerOrderNumber: '',
    lines: [],
    subtotal: '',
    taxTotal: '0',
    total: '',
  };
  const notes: { comments?: string[] } = {};
  const commentBuilder = new CommentBuilder(notes);
  let big: Segment | undefined;
  let party: PartyLoop | undefined;
  let line: (InvoiceLine & { pid: string[] }) | undefined;
  const lines: (InvoiceLine & { pid: string[] })[] = [];
  let tds: { seg: Segment; pos: number } | undefined;
  let ctt: { seg: Segment; pos: number } | undefined;
  let it1 = 0;
  let summary = false;
  const closeParty = (): void => {
    if (!party) return;
    if (party.qualifier === 'BT') inv.billTo = party.party;
    else if (party.qualifier === 'RI' || party.qualifier === 'RE') inv.remitTo = party.party;
    else if (party.qualifier === 'ST') inv.shipTo = party.party;
    party = undefined;
  };
  for (let i = 1; i < end; i++) {
    const seg = segs[i]!; // 1 <= i < end <= segs.length
    const pos = i + 1;
    errs.validate(seg, pos, party ? 'N1' : line && !summary ? 'IT1' : undefined);
    if (party) {
      if (continueParty(party, seg)) continue;
      closeParty();
    }
    if (seg.id !== 'MSG') commentBuilder.flush();
    switch (seg.id) {
      case 'BIG':
        big = seg;
        inv.invoiceDate = errs.date(seg, 1) ?? '';
        inv.invoiceNumber = seg.text(2);
        if (errs.date(seg, 3)) inv.orderDate = errs.date(seg, 3);
        inv.buyerOrderNumber = seg.text(4);
        if (seg.text(7) === 'CR') inv.purpose = 'creditMemo';
        break;
      case 'CUR':
        if (!line && seg.text(2)) inv.currency = seg.text(2);
        break;
      case 'REF':
        if (line && !summary) break;
        if (seg.text(1) === 'OI' && seg.text(2)) inv.originalInvoiceNumber = seg.text(2);
        else if (seg.text(1) === 'ZZ' && seg.text(2) === PAYLOAD_REF && seg.text(3))
          inv.orderPayloadId = seg.text(3);
        else if (seg.text(1) === 'VN' && seg.text(2)) inv.supplierOrderNumber = seg.text(2);
        break;
      case 'N1':
        if (!line) party = startParty(seg);
        break;
      case 'ITD': {
        if (line || inv.dueDate || inv.paymentTermsNetDays !== undefined) break;
        const due = errs.date(seg, 6);
        if (due) inv.dueDate = due;
        const net = errs.integer(seg, 7);
        if (net !== undefined) inv.paymentTermsNetDays = net;
        break;
      }
      case 'N9':
        commentBuilder.start();
        break;
      case 'MSG':
        commentBuilder.msg(seg);
        break;
      case 'IT1': {
        it1++;
        const n = seg.text(1);
        const lineNumber = /^\d{1,9}$/.test(n) ? Number(n) : it1;
        line = {
          lineNumber,
          orderLineNumber: lineNumber,
          supplierPartId: '',
          quantity: errs.decimal(seg, 2) ?? '',
          unitOfMeasure: seg.text(3) ? uomFromX12(seg.text(3)) : '',
          unitPrice: errs.decimal(seg, 4) ?? '',
          subtotal: '',
          pid: [],
        };
        for (let k = 6; k <= seg.length; k += 2) {
          const q = seg.text(k);
          const v = seg.text(k + 1);
          if ((q === 'VP' || q === 'VN') && v && !line.supplierPartId) line.supplierPartId = v;
          else if (q === 'PL' && /^\d{1,9}$/.test(v)) line.orderLineNumber = Number(v);
        }
        const L = 'IT1';
        if (seg.text(2) === '') app(errs.at(seg, pos, 2, 'MISSING_ELEMENT', 'quantity is required', L));
        if (seg.text(3) === '') {
          const e = errs.at(
            seg,
            pos,
            3,
            seg.text(2) ? 'CONDITIONAL_ELEMENT_MISSING' : 'MISSING_ELEMENT',
            'unit of measure is required',
            L,
          );
          if (!seg.text(2)) app(e);
        }
        if (seg.text(4) === '') app(errs.at(seg, pos, 4, 'MISSING_ELEMENT', 'unit price is required', L));
        if (!line.supplierPartId)
          app(errs.at(seg, pos, 6, 'MISSING_ELEMENT', 'a supplier part id (VP or VN) is required', L));
        lines.push(line);
        break;
      }
      case 'PID':
        if (line && !summary && seg.text(1) === 'F') line.pid.push(seg.text(5));
        break;
      case 'TXI': {
        const tax = readTax(seg, pos, errs, summary ? undefined : 'IT1');
        if (!tax) break;
        if (line && !summary) line.tax = tax;
        else if (!inv.tax) inv.tax = tax;
        break;
      }
      case 'TDS':
        summary = true;
        tds = { seg, pos };
        break;
      case 'SAC': {
        if (!summary && line) break;
        const amount = errs.implied(seg, 5);
        if (amount === undefined) break;
        if (seg.text(1) === 'C' && SHIPPING_CODES.has(seg.text(2)))
          inv.shipping = add(inv.shipping ?? '0', amount).toFixed(2);
        else if (seg.text(1) === 'C' && seg.text(2) === 'H850' && !inv.tax) inv.tax = { amount };
        else if (seg.text(1) === 'A') inv.discount = add(inv.discount ?? '0', amount).toFixed(2);
        break;
      }
      case 'CTT':
        summary = true;
        ctt = { seg, pos };
        break;
      default:
        break;
    }
  }
  closeParty();
  commentBuilder.flush();
  if (!big) {
    errs.missing('BIG', 'the 810 has no BIG segment');
    return { invoice: undefined, errors: errs.errors };
  }
  if (notes.comments) inv.comments = notes.comments;
  let subtotal = add();
  let lineTax = add();
  let anyLineTax = false;
  for (const l of lines) {
    const { pid, ...rest } = l;
    if (pid.length > 0) {
      // pid is not empty; 1 <= k < pid.length.
      let d = pid[0]!;
      for (let k = 1; k < pid.length; k++) d += (pid[k - 1]!.length >= PID_MAX ? '' : ' ') + pid[k]!;
      rest.description = d;
    }
    if (rest.quantity !== '' && rest.unitPrice !== '') {
      rest.subtotal = roundMoney(add(rest.quantity).times(rest.unitPrice), inv.currency).toFixed();
      subtotal = subtotal.plus(rest.subtotal);
    }
    if (rest.tax) {
      anyLineTax = true;
      lineTax = lineTax.plus(rest.tax.amount);
    }
    inv.lines.push(rest);
  }
  // A sum of line taxes is written like the other header amounts: the currency's minor-unit digits.
  inv.taxTotal = inv.tax ? inv.tax.amount : anyLineTax ? formatMoney(lineTax, inv.currency) : '0';
  const tdsSub = tds ? errs.implied(tds.seg, 2) : undefined;
  inv.subtotal = tdsSub ?? roundMoney(subtotal, inv.currency).toFixed();
  const total = tds ? errs.implied(tds.seg, 1) : undefined;
  if (total === undefined) {
    if (!tds) errs.missing('TDS', 'the 810 has no TDS (total) segment');
  } else {
    inv.total = total;
    const expected = add(inv.subtotal, inv.taxTotal, inv.shipping ?? '0').minus(inv.discount ?? '0');
    if (!expected.abs().minus(add(total).abs()).abs().lte('0.01') && tds) {
      app(
        errs.at(
          tds.seg,
          tds.pos,
          1,
          'COUNT_MISMATCH',
          `total ${total} differs from subtotal + tax + charges - allowances = ${expected.toFixed(2)}`,
        ),
      );
    }
  }
  if (ctt && /^\d+$/.test(ctt.seg.text(1)) && Number(ctt.seg.text(1)) !== it1) {
    app(
      errs.at(
        ctt.seg,
        ctt.pos,
        1,
        'COUNT_MISMATCH',
        `CTT01 says ${Number(ctt.seg.text(1))} line items, the set has ${it1} IT1`,
      ),
    );
  }
  return { invoice: inv, errors: errs.errors };
}
