/**
 * Invoice quantities: the check that an invoice never bills more than was ordered (or shipped), credit
 * memos counting back, and the quantities earlier invoices billed. Pure functions.
 */
import { D, dec, isDecimalString } from '../model';
import type { Dec, DecimalString, Invoice } from '../model';

export interface LineQuantity {
  /** The order line. */
  lineNumber: number;
  quantity: DecimalString;
}

export interface RemainingLine {
  lineNumber: number;
  ordered: DecimalString;
  /** Net of credit memos. */
  invoiced: DecimalString;
  shipped?: DecimalString;
  /** What may still be billed before this request: min(ordered, shipped when required) - invoiced, never below 0. */
  available: DecimalString;
  requested?: DecimalString;
  /** available - requested, when the request for this line is acceptable. */
  remainingAfter?: DecimalString;
}

export type QuantityErrorCode =
  'unknownLine' | 'duplicateLine' | 'invalidQuantity' | 'exceedsOrdered' | 'exceedsShipped';

export interface QuantityError {
  lineNumber: number;
  code: QuantityErrorCode;
  message: string;
}

export interface RemainingResult {
  ok: boolean;
  lines: RemainingLine[];
  errors: QuantityError[];
}

function sumByLine(list: readonly LineQuantity[] | undefined): Map<number, Dec> {
  const out = new Map<number, Dec>();
  for (const l of list ?? [])
    out.set(l.lineNumber, (out.get(l.lineNumber) ?? new D(0)).plus(dec(l.quantity)));
  return out;
}

/**
 * Checks the quantities of a new invoice against the order: per order line, never more than ordered
 * minus already invoiced (credit memos count back), and, when `requireShipped`, never more than
 * shipped minus already invoiced. `alreadyInvoiced` and `shipped` may list a line several times
 * (several invoices, several shipments); they are summed. Every problem is reported, naming the line.
 */
export function remainingQuantities(
  ordered: readonly LineQuantity[],
  alreadyInvoiced: readonly LineQuantity[],
  requested: readonly LineQuantity[],
  shipped?: readonly LineQuantity[],
  requireShipped = false,
): RemainingResult {
  const errors: QuantityError[] = [];
  const orderedBy = new Map<number, Dec>();
  for (const l of ordered) {
    if (orderedBy.has(l.lineNumber)) {
      errors.push({
        lineNumber: l.lineNumber,
        code: 'duplicateLine',
        message: `order line ${l.lineNumber} is listed twice in the order`,
      });
    }
    orderedBy.set(l.lineNumber, dec(l.quantity));
  }
  const invoicedBy = sumByLine(alreadyInvoiced);
  const shippedBy = sumByLine(shipped);

  const requestedBy = new Map<number, Dec>();
  for (const r of requested) {
    const at = `order line ${r.lineNumber}`;
    if (!orderedBy.has(r.lineNumber)) {
      errors.push({ lineNumber: r.lineNumber, code: 'unknownLine', message: `${at} is not on the order` });
    } else if (requestedBy.has(r.lineNumber)) {
      errors.push({ lineNumber: r.lineNumber, code: 'duplicateLine', message: `${at} is requested twice` });
    } else if (!isDecimalString(r.quantity.trim()) || dec(r.quantity).lte(0)) {
      errors.push({
        lineNumber: r.lineNumber,
        code: 'invalidQuantity',
        message: `${at}: quantity "${r.quantity}" must be a decimal number > 0`,
      });
    } else {
      requestedBy.set(r.lineNumber, dec(r.quantity));
    }
  }

  const zero = new D(0);
  const lines: RemainingLine[] = [...orderedBy.entries()].map(([lineNumber, ord]) => {
    const inv = invoicedBy.get(lineNumber) ?? zero;
    const shp = shippedBy.get(lineNumber) ?? zero;
    const fromOrder = D.max(ord.minus(inv), zero);
    const fromShipped = D.max(D.min(shp, ord).minus(inv), zero);
    const available = requireShipped ? fromShipped : fromOrder;
    const line: RemainingLine = {
      lineNumber,
      ordered: ord.toFixed(),
      invoiced: inv.toFixed(),
      available: available.toFixed(),
    };
    if (shipped !== undefined || requireShipped) line.shipped = shp.toFixed();
    const req = requestedBy.get(lineNumber);
    if (req !== undefined) {
      line.requested = req.toFixed();
      const at = `order line ${lineNumber}`;
      if (req.gt(fromOrder)) {
        errors.push({
          lineNumber,
          code: 'exceedsOrdered',
          message: `${at}: requested ${req.toFixed()} exceeds the ${fromOrder.toFixed()} not yet invoiced (ordered ${ord.toFixed()}, invoiced ${inv.toFixed()})`,
        });
      } else if (requireShipped && req.gt(fromShipped)) {
        errors.push({
          lineNumber,
          code: 'exceedsShipped',
          message: `${at}: requested ${req.toFixed()} exceeds the ${fromShipped.toFixed()} shipped and not yet invoiced (shipped ${shp.toFixed()}, invoiced ${inv.toFixed()})`,
        });
      } else {
        line.remainingAfter = available.minus(req).toFixed();
      }
    }
    return line;
  });

  return { ok: errors.length === 0, lines, errors };
}

/** Quantities already billed per order line, from earlier invoices (credit memos, being negative, count back). */
export function invoicedQuantities(invoices: readonly Pick<Invoice, 'lines'>[]): LineQuantity[] {
  const sums = sumByLine(
    invoices.flatMap((inv) =>
      inv.lines.map((l) => ({ lineNumber: l.orderLineNumber, quantity: l.quantity })),
    ),
  );
  return [...sums.entries()].map(([lineNumber, q]) => ({ lineNumber, quantity: q.toFixed() }));
}
