/**
 * Maps any transaction set this codec knows to its canonical(-ish) structure.
 */
import type { Invoice, Order, Shipment } from '../../src/model';
import { parse810 } from './810';
import { parse850 } from './850';
import { parse855, type PurchaseOrderAck } from './855';
import { parse856 } from './856';
import { parseFunctionalAck, type FunctionalAck } from './ack';
import type { TransactionSet } from './envelope';
import type { X12Error } from './types';

export type MappedTransactionSet =
  | { kind: '850'; value: Order | undefined; errors: X12Error[] }
  | { kind: '855'; value: PurchaseOrderAck | undefined; errors: X12Error[] }
  | { kind: '856'; value: Shipment | undefined; errors: X12Error[] }
  | { kind: '810'; value: Invoice | undefined; errors: X12Error[] }
  | { kind: '997' | '999'; value: FunctionalAck | undefined; errors: X12Error[] }
  | { kind: 'unsupported'; value: undefined; errors: X12Error[] };

/**
 * Parses a set by its ST01. The errors include the envelope errors of the set. Sets of other
 * types come back as "unsupported" with only their envelope errors (not an error by itself).
 */
export function parseTransactionSet(set: TransactionSet): MappedTransactionSet {
  const env = set.errors;
  switch (set.id) {
    case '850': {
      const r = parse850(set);
      return { kind: '850', value: r.order, errors: [...env, ...r.errors] };
    }
    case '855': {
      const r = parse855(set);
      return { kind: '855', value: r.ack, errors: [...env, ...r.errors] };
    }
    case '856': {
      const r = parse856(set);
      return { kind: '856', value: r.shipment, errors: [...env, ...r.errors] };
    }
    case '810': {
      const r = parse810(set);
      return { kind: '810', value: r.invoice, errors: [...env, ...r.errors] };
    }
    case '997':
    case '999': {
      const r = parseFunctionalAck(set);
      return { kind: set.id, value: r.ack, errors: [...env, ...r.errors] };
    }
    default:
      return { kind: 'unsupported', value: undefined, errors: [...env] };
  }
}
