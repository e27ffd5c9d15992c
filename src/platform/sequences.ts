/**
 * Every number the gateway hands out in a series, from one place.
 *
 * Gapless counters (invoice and credit memo numbers, X12 ISA13/GS06/ST02 control numbers) live in
 * `number_sequences`, one row per series. `nextGapless` runs in the caller's transaction: the upsert
 * takes the row lock, so concurrent callers queue behind it, and a rollback gives the number
 * back, so a number is never skipped and never issued twice. The price is that one series is taken
 * by one transaction at a time, which is why supplier order numbers are not gapless (below).
 *
 * Supplier order numbers ("SO-000042") come from the Postgres sequence `supplier_order_number_seq`:
 * unique and increasing, taken in the same query as the rest of intake's reads so order intake never
 * waits on a lock; a refused or rolled-back intake leaves a gap, which nothing downstream depends on
 * (BAK08 and confirmID need a unique number, not a consecutive one).
 */
import type { Q } from './db';

export interface GaplessSeries {
  /** The row's key in number_sequences, e.g. "invoice" or "x12:acme:out:isa". */
  name: string;
  /** Written before the number (only used when the series is created). */
  prefix?: string;
  /** Zero-padding of the number in `text` (only used when the series is created). */
  pad?: number;
  /** After this value the series starts again at 1 (X12 control numbers: 999999999). */
  wrapAfter?: number;
}

export interface IssuedNumber {
  value: number;
  /** The prefix and the zero-padded value ("INV-000042"). */
  text: string;
}

/** The next number of a gapless series, taken in (and given back with a rollback of) `trx`. */
export async function nextGapless(trx: Q, series: GaplessSeries): Promise<IssuedNumber> {
  const [first] = await nextGaplessBlock(trx, series, 1);
  return first as IssuedNumber;
}

/**
 * The next `count` numbers of a gapless series in one statement, however many (an answer to an
 * interchange of 20,000 functional groups took 60,000 statements one by one): an upsert that
 * creates the series at 1 or moves it on, holding its row lock to the commit, and returns where it
 * stands now; the numbers taken are the `count` before that.
 */
export async function nextGaplessBlock(
  trx: Q,
  series: GaplessSeries,
  count: number,
): Promise<IssuedNumber[]> {
  if (count <= 0) return [];
  const wrap = series.wrapAfter;
  // After `wrap` numbers start again at 1: the value after `v` moved on by `count`.
  const after = (v: string) => (wrap === undefined ? `${v} + :count` : `((${v} - 1 + :count) % :wrap) + 1`);
  const result = await trx.raw<{ rows?: { next_value: string | number; prefix: string; pad: number }[] }>(
    `insert into number_sequences as s (name, prefix, pad, next_value)
     values (:name, :prefix, :pad, ${after('1')})
     on conflict (name) do update set next_value = ${after('s.next_value')}
     returning s.next_value, s.prefix, s.pad`,
    {
      name: series.name,
      prefix: series.prefix ?? '',
      pad: series.pad ?? 0,
      count,
      ...(wrap === undefined ? {} : { wrap }),
    },
  );
  const row = result.rows?.[0];
  if (!row) throw new Error(`number series ${series.name} vanished`);
  const next = Number(row.next_value);
  // Where the series stood before this block.
  const start = wrap === undefined ? next - count : ((((next - 1 - count) % wrap) + wrap) % wrap) + 1;
  const nth = (i: number): number => (wrap === undefined ? start + i : ((start - 1 + i) % wrap) + 1);
  const issued: IssuedNumber[] = [];
  for (let i = 0; i < count; i++) {
    const value = nth(i);
    issued.push({ value, text: `${row.prefix}${String(value).padStart(row.pad, '0')}` });
  }
  return issued;
}

/** The series of invoice and credit memo numbers. */
export const INVOICE_NUMBERS: GaplessSeries = { name: 'invoice', prefix: 'INV-', pad: 6 };
export const CREDIT_MEMO_NUMBERS: GaplessSeries = { name: 'credit-memo', prefix: 'CM-', pad: 6 };

/** Outbound envelope levels that carry a control number: ISA13, GS06, ST02. */
export type ControlNumberKind = 'isa' | 'gs' | 'st';

/** ISA13 / GS06 hold at most 9 digits; the standard allows reuse after wrap-around. */
const MAX_CONTROL_NUMBER = 999_999_999;

/**
 * The next outbound X12 control number of one partner and envelope level. Inbound control numbers
 * are the partner's and are never assigned here. A transaction that takes several levels takes them
 * in the order ISA13, GS06, ST02 (each is a row lock held to the commit): two transactions taking
 * them in different orders deadlock (test/integration/edi/control-number-order.test.ts).
 */
export async function nextControlNumber(trx: Q, partnerId: string, kind: ControlNumberKind): Promise<number> {
  const issued = await nextGapless(trx, {
    name: `x12:${partnerId}:out:${kind}`,
    wrapAfter: MAX_CONTROL_NUMBER,
  });
  return issued.value;
}

/** `count` consecutive outbound control numbers of one partner and level, in one round trip. */
export async function nextControlNumbers(
  trx: Q,
  partnerId: string,
  kind: ControlNumberKind,
  count: number,
): Promise<number[]> {
  const issued = await nextGaplessBlock(
    trx,
    { name: `x12:${partnerId}:out:${kind}`, wrapAfter: MAX_CONTROL_NUMBER },
    count,
  );
  return issued.map((n) => n.value);
}

/** The SQL expression intake selects to take the next supplier order number's value. */
export const NEXT_SUPPLIER_ORDER_SEQ_SQL = "nextval('supplier_order_number_seq')";

/** A supplier order number: the configured prefix and the sequence value, six digits at least. */
export function supplierOrderNumberOf(prefix: string, seq: number): string {
  return `${prefix}${String(seq).padStart(6, '0')}`;
}
