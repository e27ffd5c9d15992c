/**
 * The interchanges and sets of an inbound X12 payload (see intake.ts): each interchange checked and
 * refused or taken group by group, acknowledgments matched, each 850 through the order intake, and a
 * refused order answered with an 855 rejection.
 */
import {
  buildTA1,
  parse850,
  parseFunctionalAck,
  rejectsInterchange,
  X12SerializeError,
  type FunctionalGroupResult,
  type GroupHeader,
  type InterchangeHeader,
  type InterchangeResult,
  type TransactionSet,
  type X12Document,
  type X12Error,
} from '../../protocols/x12';
import { intakeOrder } from '../orders/intake';
import type { AppContext } from '../platform/context';
import type { Q } from '../platform/db';
import type { PartnerRow } from '../partners/repository';
import { applyFunctionalAck, applyInterchangeAck } from './acknowledgments';
import { sendX12Document, supplierGsId, X12_CONTENT_TYPE } from './outbound';
import { takesFormat } from '../outbound/plan';
import {
  describeShort,
  describeX12Error,
  pad2,
  setError,
  type Answer,
  type X12IngestResult,
  type X12SetOutcome,
} from './intake-model';

/** Interchange-level error for an ISA element that does not name the supplier (TA1 note 007/008). */
function receiverError(ic: InterchangeResult, element: 7 | 8, expected: string): X12Error {
  const h = ic.header;
  const actual = element === 7 ? h.receiverQualifier : h.receiverId;
  return {
    code: 'ISA_INVALID_VALUE',
    message: `ISA${pad2(element)} "${actual}" does not name this supplier (expected "${expected}"): the interchange is addressed to someone else`,
    segmentPosition: h.filePosition,
    fileSegmentPosition: h.filePosition,
    segmentId: 'ISA',
    elementPosition: element,
    badValue: actual,
    interchangeControl: h.controlNumber,
  };
}

/** A functional acknowledgment group (FA, or only 997/999 sets). */
export const isAckGroup = (g: FunctionalGroupResult): boolean =>
  g.header.functionalId === 'FA' ||
  (g.sets.length > 0 && g.sets.every((s) => s.id === '997' || s.id === '999'));

const grouped = new WeakMap<
  X12Document,
  { groups: Map<InterchangeHeader, FunctionalGroupResult[]>; sets: Map<InterchangeHeader, TransactionSet[]> }
>();

/**
 * The groups and sets of each interchange, gathered once per document: filtering the whole document
 * for each interchange (and each group) was quadratic in an input of many small interchanges.
 */
function byInterchange(doc: X12Document) {
  let g = grouped.get(doc);
  if (!g) {
    g = { groups: new Map(), sets: new Map() };
    for (const group of doc.groups) {
      const list = g.groups.get(group.interchange);
      if (list) list.push(group);
      else g.groups.set(group.interchange, [group]);
    }
    for (const set of doc.transactionSets) {
      const list = g.sets.get(set.interchange);
      if (list) list.push(set);
      else g.sets.set(set.interchange, [set]);
    }
    grouped.set(doc, g);
  }
  return g;
}

/** What taking an interchange works with: the transaction, the partner, the stored inbound row and what it fills. */
interface Taking {
  trx: Q;
  ctx: AppContext;
  partner: PartnerRow;
  inboundId: string;
  actor: string;
  result: X12IngestResult;
  answer: Answer;
}

/** Takes one interchange of the payload: refused as a whole, or its TA1s and groups taken. */
export async function takeInterchange(
  trx: Q,
  ctx: AppContext,
  partner: PartnerRow,
  doc: X12Document,
  ic: InterchangeResult,
  inboundId: string,
  actor: string,
  result: X12IngestResult,
  answer: Answer,
): Promise<void> {
  const t: Taking = { trx, ctx, partner, inboundId, actor, result, answer };
  const h = ic.header;
  checkReceiver(ctx, ic);
  const groups = byInterchange(doc).groups.get(h) ?? [];
  const sets = byInterchange(doc).sets.get(h) ?? [];
  const fatal = ic.errors.find(rejectsInterchange);
  const ackOnly = groups.every(isAckGroup);
  const ta1 = buildTA1(ic, { whenErrors: partner.settings.x12?.ta1 ?? false });
  // Never acknowledge an acknowledgment: an interchange of 997/999/TA1 only gets no TA1 either.
  if (ta1 && !ackOnly) answer.ta1s.push(ta1);
  if (fatal) return refuseInterchange(t, h, fatal, { groups, sets, withTa1: !!ta1, ackOnly });
  await takeTa1s(t, ic);
  await takeGroups(t, h, groups, sets);
}

/** An interchange not addressed to this supplier (ISA07/ISA08) gets the error that refuses it. */
function checkReceiver(ctx: AppContext, ic: InterchangeResult): void {
  const h = ic.header;
  if (h.receiverQualifier !== ctx.config.SUPPLIER_X12_QUALIFIER)
    ic.errors.push(receiverError(ic, 7, ctx.config.SUPPLIER_X12_QUALIFIER));
  else if (h.receiverId !== ctx.config.SUPPLIER_X12_ID)
    ic.errors.push(receiverError(ic, 8, ctx.config.SUPPLIER_X12_ID));
}

/** A refused interchange: every set rejected; without a TA1, a 997/999 rejecting every group. */
function refuseInterchange(
  t: Taking,
  h: InterchangeHeader,
  fatal: X12Error,
  c: { groups: FunctionalGroupResult[]; sets: TransactionSet[]; withTa1: boolean; ackOnly: boolean },
): void {
  const reason = describeShort(fatal);
  t.result.refused.push({ controlNumber: h.controlNumber, reason });
  for (const set of c.sets) {
    t.result.sets.push({
      groupControl: set.group.controlNumber,
      setId: set.id,
      controlNumber: set.controlNumber,
      accepted: false,
      result: 'rejected',
      reason: `the interchange is refused: ${reason}`,
    });
  }
  // Without a TA1, the partner learns it from a 997/999 rejecting every set of every group.
  if (!c.withTa1 && !c.ackOnly) {
    for (const g of c.groups.filter((x) => !isAckGroup(x))) t.answer.acks.push({ group: g, rejectAll: {} });
  }
}

/** Inbound TA1s: acknowledgments of our interchanges. */
async function takeTa1s(t: Taking, ic: InterchangeResult): Promise<void> {
  for (const seg of ic.interchangeAcks) {
    const m = await applyInterchangeAck(
      t.trx,
      t.partner.id,
      { control: seg.text(1), status: seg.text(4), note: seg.text(5) },
      t.inboundId,
      t.ctx.now(),
    );
    t.result.acknowledged.documentIds.push(...m.documentIds);
    t.result.acknowledged.unmatched.push(...m.unmatched);
  }
}

/** The groups of an accepted interchange: acknowledgments matched, groups for another receiver rejected, sets taken. */
async function takeGroups(
  t: Taking,
  h: InterchangeHeader,
  groups: FunctionalGroupResult[],
  sets: TransactionSet[],
): Promise<void> {
  const { trx, ctx, partner, result, answer } = t;
  const test = h.usage === 'T';
  const gsId = supplierGsId(ctx.config);
  const setsOfGroup = new Map<GroupHeader, TransactionSet[]>();
  for (const set of sets) {
    const list = setsOfGroup.get(set.group);
    if (list) list.push(set);
    else setsOfGroup.set(set.group, [set]);
  }
  for (const group of groups) {
    const groupSets = setsOfGroup.get(group.header) ?? [];
    if (isAckGroup(group)) {
      for (const set of groupSets)
        result.sets.push(await takeAcknowledgment(trx, ctx, partner, set, t.inboundId, result));
      continue;
    }
    if (group.header.applicationReceiver.trim() !== gsId) {
      const reason = `GS03 "${group.header.applicationReceiver}" does not name this supplier (expected "${gsId}"): the group is addressed to someone else`;
      for (const set of groupSets) {
        result.sets.push({
          groupControl: set.group.controlNumber,
          setId: set.id,
          controlNumber: set.controlNumber,
          accepted: false,
          result: 'rejected',
          reason,
        });
      }
      // AK905 1: this functional group is not supported (not one for this receiver).
      answer.acks.push({ group, rejectAll: { groupCode: '1' } });
      continue;
    }
    for (const set of groupSets) {
      result.sets.push(await takeSet(trx, ctx, partner, set, { test, actor: t.actor }));
    }
    answer.acks.push({ group });
  }
}

/** A 997/999 from the partner: read and matched to the outbound group and sets it acknowledges. */
async function takeAcknowledgment(
  trx: Q,
  ctx: AppContext,
  partner: PartnerRow,
  set: TransactionSet,
  inboundId: string,
  result: X12IngestResult,
): Promise<X12SetOutcome> {
  const outcome: X12SetOutcome = {
    groupControl: set.group.controlNumber,
    setId: set.id,
    controlNumber: set.controlNumber,
    accepted: false,
    result: 'acknowledgment',
  };
  if (set.id !== '997' && set.id !== '999') {
    outcome.reason = `a ${set.id} in a functional acknowledgment group is not read`;
    return outcome;
  }
  const parsed = parseFunctionalAck(set);
  const errors = [...set.errors, ...parsed.errors].filter((e) => !e.application);
  if (!parsed.ack) {
    outcome.reason = `unreadable ${set.id}: ${errors.map(describeShort).join('; ')}`;
    result.acknowledged.unmatched.push(`${set.id} ${set.controlNumber}: ${outcome.reason}`);
    return outcome;
  }
  const m = await applyFunctionalAck(trx, partner.id, parsed.ack, inboundId, ctx.now());
  result.acknowledged.documentIds.push(...m.documentIds);
  result.acknowledged.unmatched.push(...m.unmatched.map((u) => `${set.id} ${set.controlNumber}: ${u}`));
  outcome.accepted = errors.length === 0;
  outcome.reason =
    m.documentIds.length > 0
      ? `acknowledges group ${parsed.ack.groupControlNumber}: ${m.documentIds.length} outbound set(s)`
      : `matches no outbound group (${m.unmatched.join('; ')})`;
  if (errors.length > 0)
    outcome.reason += `; read with errors: ${errors.slice(0, 3).map(describeShort).join('; ')}`;
  return outcome;
}

/** Where each order line sits in the set: its PO1 segment ("PO1 (segment 7)"). */
function po1Paths(set: TransactionSet): (index: number) => string {
  const positions: number[] = [];
  set.segments.forEach((s, i) => {
    if (s.id === 'PO1') positions.push(i + 1);
  });
  return (index) =>
    positions[index] !== undefined ? `PO1 (segment ${positions[index]})` : `PO1 #${index + 1}`;
}

/** One set: an 850 checked, mapped and through the order intake; anything else answered not supported. */
async function takeSet(
  trx: Q,
  ctx: AppContext,
  partner: PartnerRow,
  set: TransactionSet,
  opts: { test: boolean; actor: string },
): Promise<X12SetOutcome> {
  const x12 = partner.settings.x12;
  const outcome: X12SetOutcome = {
    groupControl: set.group.controlNumber,
    setId: set.id,
    controlNumber: set.controlNumber,
    accepted: !set.errors.some((e) => !e.application),
    result: 'rejected',
  };
  const unread = unreadSet(set, outcome);
  if (unread) return unread;
  const priceFromCatalog = x12?.missingUnitPrice === 'price-from-catalog';
  const mapped = parse850(set, {
    defaultCurrency: partner.currency,
    missingUnitPrice: priceFromCatalog ? 'price-from-catalog' : 'reject',
  });
  const unmapped = unmappedSet(set, mapped, outcome, opts.test && !x12?.acceptTestInterchanges);
  if (unmapped || !mapped.order) return unmapped ?? outcome; // (a set without an order is one unmappedSet answers)
  const h = set.interchange;
  // The order is taken in the interchange's transaction (intake writes under savepoints of it), so
  // the interchange, its orders and its acknowledgment commit together, and embedded PGlite (one
  // connection) is never asked for a second connection while this one is in a transaction.
  const r = await intakeOrder(
    { ...ctx, db: trx },
    {
      partner,
      order: mapped.order,
      protocol: 'x12',
      externalId: `${h.senderId}|${h.receiverId}|${h.controlNumber}|${set.group.controlNumber}|${set.controlNumber}`,
      raw: setEnvelope(set),
      contentType: X12_CONTENT_TYPE,
      docType: '850',
      actor: opts.actor,
      ...(priceFromCatalog ? { priceFromCatalog: true } : {}),
      // A test interchange's order is a test order: its follow-ups go out as test interchanges too.
      ...(opts.test ? { deploymentMode: 'test' as const } : {}),
      linePath: po1Paths(set),
    },
  );
  outcome.order = { outcome: r.outcome, orderId: r.orderId, flags: r.flags, errors: r.errors };
  if (r.outcome === 'accepted') {
    outcome.result = 'ordered';
    return outcome;
  }
  if (r.outcome === 'duplicate') {
    outcome.result = 'duplicate';
    return outcome;
  }
  outcome.result = 'refused';
  outcome.reason = r.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ');
  if (takesFormat(partner, 'confirmation', 'x12')) await reject855(trx, ctx, partner, mapped.order, outcome);
  return outcome;
}

/** A set that is not an 850, or one rejected by the syntax checks: its outcome; undefined to read it. */
function unreadSet(set: TransactionSet, outcome: X12SetOutcome): X12SetOutcome | undefined {
  if (set.id !== '850') {
    // A buyer's 855/856/810 or any other type: nothing here takes it (AK5/IK5 code 1).
    const reason = `transaction set ${set.id} is not taken by this gateway (it takes 850 purchase orders)`;
    set.errors.push(setError(set, 'SET_NOT_SUPPORTED', reason));
    return { ...outcome, accepted: false, result: 'not_supported', reason };
  }
  if (!outcome.accepted) {
    outcome.reason = set.errors
      .filter((e) => !e.application)
      .slice(0, 5)
      .map(describeShort)
      .join('; ');
    return outcome;
  }
  return undefined;
}

/** An 850 the mapping rejects, that holds no order, or of a test interchange not ordered: its outcome. */
function unmappedSet(
  set: TransactionSet,
  mapped: ReturnType<typeof parse850>,
  outcome: X12SetOutcome,
  testNotOrdered: boolean,
): X12SetOutcome | undefined {
  // Syntax errors found by the mapping reject the set in the 997/999 like the envelope ones.
  const syntax = mapped.errors.filter((e) => !e.application);
  set.errors.push(...syntax);
  if (syntax.length > 0) {
    outcome.accepted = false;
    outcome.reason = syntax.slice(0, 5).map(describeShort).join('; ');
    return outcome;
  }
  if (!mapped.order) {
    outcome.result = 'refused';
    outcome.reason = mapped.errors.map(describeShort).join('; ') || 'the 850 holds no order';
    outcome.order = {
      outcome: 'refused',
      flags: [],
      errors: mapped.errors.map((e) => ({ message: e.message, path: describeX12Error(e).path })),
    };
    return outcome;
  }
  if (testNotOrdered) {
    outcome.result = 'test';
    outcome.reason =
      'test interchange (ISA15 T): validated and acknowledged, no order created (the partner does not have x12.acceptTestInterchanges)';
    return outcome;
  }
  return undefined;
}

/** Sends the 855 rejecting every line of a refused order; one that cannot be written is noted in the reason. */
async function reject855(
  trx: Q,
  ctx: AppContext,
  partner: PartnerRow,
  order: NonNullable<ReturnType<typeof parse850>['order']>,
  outcome: X12SetOutcome,
): Promise<void> {
  try {
    const sent = await sendX12Document(trx, ctx, partner, {
      kind: '855',
      order,
      statuses: order.lines.map((l) => ({ lineNumber: l.lineNumber, status: 'reject' as const })),
      options: {
        ackDate: ctx.now().toISOString().slice(0, 10),
        note: `Order not accepted: ${outcome.reason}`,
      },
    });
    outcome.rejection855DocumentId = sent.documentId;
  } catch (err) {
    if (!(err instanceof X12SerializeError)) throw err;
    ctx.log.warn({ err: err.message, set: outcome.controlNumber }, 'no 855 rejection could be written');
    outcome.reason += ` (no 855 could be written: ${err.message})`;
  }
}

/**
 * A set as a standalone interchange: the ISA and GS as sent, the set's segments, and GE/IEA for one
 * group of one set, with the interchange's delimiters (a line break after each terminator unless the
 * terminator is one). What an order links to instead of the whole interchange.
 */
export function setEnvelope(set: TransactionSet): string {
  const d = set.delimiters;
  const end = /[\r\n]/.test(d.segment) ? d.segment : `${d.segment}\n`;
  const e = d.element;
  let out = `${set.interchange.raw}${end}${set.group.raw}${end}`;
  for (const seg of set.segments) out += `${seg.raw}${end}`;
  out += `GE${e}1${e}${set.group.controlNumber}${end}`;
  out += `IEA${e}1${e}${set.interchange.controlNumber.padStart(9, '0')}${end}`;
  return out;
}
