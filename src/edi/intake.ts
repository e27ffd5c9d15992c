/**
 * Inbound X12 interchanges (HTTP POST /edi/x12 and `gateway edi ingest`): parse with the codec, check
 * the envelope, take every 850 through the shared order intake, answer with TA1 and/or 997 (004010) /
 * 999 (005010), store what came and what went, and deliver the answer by the partner's
 * `x12.transport` (POST to `x12.outboundUrl` when set, or upload to its SFTP outbound directory).
 * Files picked up from a partner's SFTP mailbox (src/transports/sftp) come here the same way.
 *
 * Envelope rules, per interchange:
 * - ISA07/ISA08 must name the supplier (SUPPLIER_X12_QUALIFIER / SUPPLIER_X12_ID) and each GS03 its
 *   application code (SUPPLIER_X12_GS_ID, default the ISA id); an interchange addressed elsewhere, or
 *   with an interchange error that rejects it (rejectsInterchange: delimiters, ISA values, a missing
 *   IEA), is refused as a whole: nothing in it is processed, and it is answered with a TA1 R where
 *   one is asked for (ISA14 = 1 or the partner's `x12.ta1`), else with a 997/999 rejecting every set.
 * - A test interchange (ISA15 T) is acknowledged and validated like any other, but becomes orders
 *   only for partners with `x12.acceptTestInterchanges`, and those are test orders (deployment_mode
 *   "test": their 855/856/810 go out with ISA15 T).
 * - 997/999 (functional group FA) and TA1 are acknowledgments of what the gateway sent: never
 *   acknowledged; matched to the outbound group, sets and interchange (acknowledgments.ts).
 * - A set of another type than 850 is answered AK5/IK5 R code 1 (transaction set not supported).
 * - A syntactically good 850 that intake refuses (unknown SKU, order number taken...) stays
 *   accepted in the 997/999, which is syntactic; the partner learns the outcome from an 855
 *   rejection (BAK02 RJ, the reason in N9/MSG) when it takes X12 documents (`outboundFormats`).
 *
 * Storage: the interchange is stored once, verbatim (the answer with it); each 850 is stored as its
 * own set in its own envelope (the ISA and GS as sent, the set, GE/IEA for one set) and linked to its
 * order, so an interchange of 200 orders is kept once plus 200 small sets.
 *
 * Idempotency: the inbound interchange is stored under its ISA key (sender, receiver, ISA13); a resent
 * interchange with the same key creates nothing and gets the first answer byte for byte (same control
 * numbers). Each 850 also carries its own key (ISA06|ISA08|ISA13|GS06|ST02) into the order intake, so
 * the same set is never ordered twice even through another interchange wrapper.
 */
import { createHash } from 'node:crypto';
import {
  buildFunctionalAck,
  buildTA1,
  parse850,
  parseFunctionalAck,
  parseX12,
  rejectsInterchange,
  serializeInterchange,
  X12SerializeError,
  type FunctionalGroupResult,
  type GroupHeader,
  type InterchangeHeader,
  type InterchangeResult,
  type OutSegment,
  type TransactionSet,
  type TransactionSetInput,
  type X12Document,
  type X12Error,
  type X12Version,
} from '../../protocols/x12';
import { maskSecrets } from '../documents/mask';
import { sha256Hex } from '../platform/secrets';
import { findInboundByExternalId, recordResponse, storeDocument } from '../documents/store';
import { intakeOrder, type IntakeResult } from '../orders/intake';
import type { AppContext } from '../platform/context';
import type { Q } from '../platform/db';
import { AppError, type ErrorDetail } from '../platform/errors';
import { receiveOnce } from '../documents/receive-once';
import { findPartnerByIdentityCached, type PartnerRow } from '../partners/repository';
import { applyFunctionalAck, applyInterchangeAck } from './acknowledgments';
import { nextControlNumber, nextControlNumbers } from '../platform/sequences';
import { delimitersOf, queueX12Delivery, sendX12Document, supplierGsId, X12_CONTENT_TYPE } from './outbound';

export { delimitersOf, X12_CONTENT_TYPE } from './outbound';

/** What became of one transaction set. */
export type X12SetResult =
  /** An 850 that became an order (or changed / cancelled one). */
  | 'ordered'
  /** An 850 sent before (same ISA/GS/ST numbers): the first outcome stands. */
  | 'duplicate'
  /** A syntactically good 850 the order intake refused (answered with an 855 RJ where taken). */
  | 'refused'
  /** Rejected in the 997/999 (syntax), or with its interchange or group. */
  | 'rejected'
  /** A set type the gateway does not take (AK5 R code 1). */
  | 'not_supported'
  /** An 850 of a test interchange, validated and acknowledged, not ordered. */
  | 'test'
  /** A 997/999 the partner sent: matched to what it acknowledges, not answered. */
  | 'acknowledgment';

export interface X12SetOutcome {
  groupControl: string;
  setId: string;
  controlNumber: string;
  /** Accepted by the syntax checks (what the 997/999 says; acknowledgments: read without error). */
  accepted: boolean;
  result: X12SetResult;
  /** Why, for every result but "ordered" and "duplicate". */
  reason?: string;
  /** For 850s that reached the order intake: what it did. */
  order?: Pick<IntakeResult, 'outcome' | 'orderId' | 'flags' | 'errors'>;
  /** An 855 rejection sent for a refused order. */
  rejection855DocumentId?: string;
}

export interface X12IngestResult {
  partnerId: string;
  /** True when the interchange had been received before: nothing was created, `ack` is the first one. */
  duplicate: boolean;
  inboundDocumentId: string;
  /** The answer (TA1 and/or 997/999 interchange); empty when nothing is answered (acknowledgments). */
  ack: Buffer;
  sets: X12SetOutcome[];
  /** Interchanges refused as a whole, with the reason (ISA13 -> reason). */
  refused: { controlNumber: string; reason: string }[];
  /** Inbound acknowledgments matched to outbound documents. */
  acknowledged: { documentIds: string[]; unmatched: string[] };
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** "ISA13 (segment 1): ..." or "BEG03 (segment 2): ..." — where, then what. */
export function describeX12Error(e: X12Error): ErrorDetail {
  const where = `${e.segmentId}${e.elementPosition ? pad2(e.elementPosition) : ''}`;
  return {
    path: `${where} (segment ${e.segmentPosition})`,
    line: e.fileSegmentPosition,
    message: e.message,
  };
}

function describeShort(e: X12Error): string {
  const d = describeX12Error(e);
  return `${d.path}: ${d.message}`;
}

function malformed(doc: X12Document): AppError {
  const details = doc.errors.slice(0, 20).map(describeX12Error);
  const first = details[0];
  return new AppError(
    'malformed_document',
    first
      ? `not a readable X12 interchange: ${first.path}: ${first.message}`
      : 'not a readable X12 interchange',
    { details },
  );
}

/**
 * Version of the acknowledgment: the one the partner used (ISA12 00401 -> 997, 00501 -> 999), the
 * partner's configured version for anything else.
 */
function versionOf(partner: PartnerRow, isaVersion: string): X12Version {
  if (isaVersion.startsWith('00501')) return '005010';
  if (isaVersion.startsWith('00401')) return '004010';
  return partner.settings.x12?.version ?? (isaVersion >= '00500' ? '005010' : '004010');
}

function isaKey(doc: X12Document): string {
  const key = doc.interchanges
    .map(
      (i) =>
        `${i.header.senderQualifier}:${i.header.senderId}|${i.header.receiverQualifier}:${i.header.receiverId}|${i.header.controlNumber}`,
    )
    .join(',');
  // A body of thousands of interchanges: its digest (an index entry holds at most ~2700 bytes).
  return key.length <= 500 ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

/**
 * The partner that sent `doc`: every interchange's ISA05/ISA06 must name the same partner, and when
 * the caller is authenticated as a partner (`scopePartnerId`), that one.
 */
async function senderOf(
  ctx: AppContext,
  doc: X12Document,
  scopePartnerId: string | undefined,
): Promise<PartnerRow> {
  let partner: PartnerRow | undefined;
  // Each sender looked up once per body, however many interchanges name it.
  const seen = new Map<string, PartnerRow | undefined>();
  for (const i of doc.interchanges) {
    // Identities no partner can have (control characters are outside every X12 character set).
    for (const [element, v] of [
      [5, i.header.senderQualifier],
      [6, i.header.senderId],
      [7, i.header.receiverQualifier],
      [8, i.header.receiverId],
      [13, i.header.controlNumber],
    ] as const) {
      if ([...v].some((c) => c < ' ' || c === '\u007f'))
        throw new AppError('malformed_document', `ISA${pad2(element)} holds a control character`, {
          details: [
            {
              path: `ISA${pad2(element)} (segment ${i.header.filePosition})`,
              message: 'a control character',
            },
          ],
        });
    }
    const id = `${i.header.senderQualifier}\u0000${i.header.senderId}`.toLowerCase();
    const p = seen.has(id)
      ? seen.get(id)
      : await findPartnerByIdentityCached(
          ctx.db,
          ctx.config.PARTNER_CACHE_MS,
          'x12',
          i.header.senderQualifier,
          i.header.senderId,
        );
    seen.set(id, p);
    if (!p || (scopePartnerId !== undefined && p.id !== scopePartnerId)) {
      throw new AppError(
        'forbidden',
        `ISA05/ISA06 sender ${i.header.senderQualifier}:${i.header.senderId} is not ${scopePartnerId ? 'the partner of this key' : 'a known partner'}`,
      );
    }
    if (partner && partner.id !== p.id) {
      throw new AppError('forbidden', 'the interchanges of one request come from different partners');
    }
    partner = p;
  }
  if (!partner) throw malformed(doc);
  return partner;
}

function replayOf(row: {
  id: string;
  partner_id: string | null;
  response_body: Buffer | null;
}): X12IngestResult {
  return {
    partnerId: row.partner_id ?? '',
    duplicate: true,
    inboundDocumentId: row.id,
    ack: row.response_body ?? Buffer.alloc(0),
    sets: [],
    refused: [],
    acknowledged: { documentIds: [], unmatched: [] },
  };
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

/** The stored interchange and this one are the same bytes, but for line breaks and masked secrets. */
function sameInterchange(
  stored: { sha256: string; content: Buffer | null },
  raw: Buffer,
  digest: string,
): boolean {
  if (digest === stored.sha256) return true;
  const flat = (b: Buffer) => b.toString('latin1').replace(/[\r\n]/g, '');
  return (
    stored.content !== null &&
    flat(maskSecrets('x12', X12_CONTENT_TYPE, raw)) === flat(Buffer.from(stored.content))
  );
}

/** ISA13 already used by this sender for an interchange with other content (TA1 note 025). */
function duplicateControl(ic: InterchangeResult, firstAt: Date | string): X12Error {
  const h = ic.header;
  const at = new Date(firstAt).toISOString();
  return {
    code: 'ISA_DUPLICATE_CONTROL',
    message: `ISA13 "${h.controlNumber}" was already used by this sender on ${at} for an interchange with other content: a corrected or new interchange needs a new control number (a resend must be the same interchange)`,
    segmentPosition: h.filePosition,
    fileSegmentPosition: h.filePosition,
    segmentId: 'ISA',
    elementPosition: 13,
    badValue: h.controlNumber,
    interchangeControl: h.controlNumber,
  };
}

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

interface Answer {
  ta1s: OutSegment[];
  acks: { group: FunctionalGroupResult; rejectAll?: { groupCode?: string } }[];
}

/** Takes one inbound X12 payload; see the module comment. */
export async function ingestX12(
  ctx: AppContext,
  raw: Buffer,
  opts: { scopePartnerId?: string; actor: string },
): Promise<X12IngestResult> {
  const doc = parseX12(raw);
  if (doc.interchanges.length === 0) throw malformed(doc);
  const partner = await senderOf(ctx, doc, opts.scopePartnerId);
  const key = isaKey(doc);

  let existing = await findInboundByExternalId(ctx.db, partner.id, 'x12', key);
  // The same control numbers on other content: a corrected interchange that kept its ISA13 would
  // otherwise get the first one's acknowledgment and never be read. It is refused as a whole
  // (TA1 note 025, or a 997/999 rejecting its sets) and stored under its own key, so a resend of
  // it replays that refusal. Line breaks do not count (a file moved by FTP in ASCII mode).
  const digest = sha256Hex(raw);
  const storedKey =
    existing && existing.response_status !== null && !sameInterchange(existing, raw, digest)
      ? `${key}#${digest.slice(0, 16)}`
      : key;
  if (storedKey !== key) {
    for (const ic of doc.interchanges) ic.errors.unshift(duplicateControl(ic, existing!.created_at));
    existing = await findInboundByExternalId(ctx.db, partner.id, 'x12', storedKey);
  }
  if (existing && existing.response_status !== null) return replayOf(existing);

  const write = () =>
    ctx.db.transaction(async (trx) => {
      // The inbound row first: a concurrent copy waits on the unique key, then replays our answer.
      const inboundId = await storeDocument(trx, {
        partnerId: partner.id,
        protocol: 'x12',
        docType: inboundType(doc),
        direction: 'in',
        externalId: storedKey,
        status: 'received',
        contentType: X12_CONTENT_TYPE,
        content: raw,
      });
      const result: X12IngestResult = {
        partnerId: partner.id,
        duplicate: false,
        inboundDocumentId: inboundId,
        ack: Buffer.alloc(0),
        sets: [],
        refused: [],
        acknowledged: { documentIds: [], unmatched: [] },
      };
      const answer: Answer = { ta1s: [], acks: [] };
      for (const ic of doc.interchanges) {
        await takeInterchange(trx, ctx, partner, doc, ic, inboundId, opts.actor, result, answer);
      }
      const ack = await renderAnswer(trx, ctx, partner, doc, answer);
      const ackType = ack
        ? answer.acks.length > 0
          ? versionOf(partner, doc.interchanges[0]!.header.version) === '005010' // not empty: checked above
            ? '999'
            : '997'
          : 'TA1'
        : undefined;
      if (ack && ackType) {
        const ackId = await storeDocument(trx, {
          partnerId: partner.id,
          protocol: 'x12',
          docType: ackType,
          direction: 'out',
          externalId: null,
          status: 'created',
          contentType: X12_CONTENT_TYPE,
          content: ack,
        });
        await queueX12Delivery(trx, partner, ackId);
      }
      const problems = [
        ...result.refused.map((r) => `interchange ${r.controlNumber} refused: ${r.reason}`),
        ...problemsOf(result.sets.filter((s) => !result.refused.length || s.result !== 'rejected')),
        ...result.acknowledged.unmatched,
      ];
      await recordResponse(trx, inboundId, {
        status: ack ? 200 : 204,
        contentType: X12_CONTENT_TYPE,
        body: ack ?? '',
        docStatus: inboundStatus(result, !!ack),
        error: problems.length > 0 ? problems.join('; ').slice(0, 4000) : null,
      });
      result.ack = Buffer.from(ack ?? '');
      return result;
    });
  return receiveOnce(
    ctx.db,
    { partnerId: partner.id, protocol: 'x12', externalId: storedKey },
    { write, resend: replayOf },
  );
}

/** Each reason once, with the sets it applies to: "850 0001, 850 0002: GS03 ... ". */
function problemsOf(sets: readonly X12SetOutcome[]): string[] {
  const byReason = new Map<string, string[]>();
  for (const s of sets) {
    if (s.result === 'ordered' || s.result === 'duplicate' || s.result === 'acknowledgment' || !s.reason)
      continue;
    const list = byReason.get(s.reason) ?? [];
    list.push(`${s.setId} ${s.controlNumber}`);
    byReason.set(s.reason, list);
  }
  return [...byReason].map(([reason, list]) => {
    const who =
      list.length > 3 ? `${list.slice(0, 3).join(', ')} and ${list.length - 3} more` : list.join(', ');
    return `${who}: ${reason}`;
  });
}

/** The stored type of an inbound interchange: "997", "999" or "TA1" when that is all it holds. */
function inboundType(doc: X12Document): string {
  const ids = new Set(doc.transactionSets.map((s) => s.id));
  if (ids.size === 1 && ids.has('997')) return '997';
  if (ids.size === 1 && ids.has('999')) return '999';
  if (ids.size === 0 && doc.interchanges.some((i) => i.interchangeAcks.length > 0)) return 'TA1';
  return 'interchange';
}

function inboundStatus(result: X12IngestResult, answered: boolean): string {
  if (!answered) return result.acknowledged.unmatched.length > 0 ? 'unmatched' : 'recorded';
  if (result.refused.length > 0 && result.sets.every((s) => s.result === 'rejected')) return 'rejected';
  const rejected = result.sets.some((s) => !s.accepted && s.result !== 'acknowledgment');
  return rejected ? 'partially_rejected' : 'acknowledged';
}

const isAckGroup = (g: FunctionalGroupResult): boolean =>
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

async function takeInterchange(
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
  const x12 = partner.settings.x12;
  const h = ic.header;
  // Addressed to this supplier?
  if (h.receiverQualifier !== ctx.config.SUPPLIER_X12_QUALIFIER)
    ic.errors.push(receiverError(ic, 7, ctx.config.SUPPLIER_X12_QUALIFIER));
  else if (h.receiverId !== ctx.config.SUPPLIER_X12_ID)
    ic.errors.push(receiverError(ic, 8, ctx.config.SUPPLIER_X12_ID));
  const groups = byInterchange(doc).groups.get(h) ?? [];
  const sets = byInterchange(doc).sets.get(h) ?? [];
  const fatal = ic.errors.find(rejectsInterchange);
  const ackOnly = groups.every(isAckGroup);
  const ta1 = buildTA1(ic, { whenErrors: x12?.ta1 ?? false });
  // Never acknowledge an acknowledgment: an interchange of 997/999/TA1 only gets no TA1 either.
  if (ta1 && !ackOnly) answer.ta1s.push(ta1);

  if (fatal) {
    const reason = describeShort(fatal);
    result.refused.push({ controlNumber: h.controlNumber, reason });
    for (const set of sets) {
      result.sets.push({
        groupControl: set.group.controlNumber,
        setId: set.id,
        controlNumber: set.controlNumber,
        accepted: false,
        result: 'rejected',
        reason: `the interchange is refused: ${reason}`,
      });
    }
    // Without a TA1, the partner learns it from a 997/999 rejecting every set of every group.
    if (!ta1 && !ackOnly) {
      for (const g of groups.filter((x) => !isAckGroup(x))) answer.acks.push({ group: g, rejectAll: {} });
    }
    return;
  }

  // Inbound TA1s: acknowledgments of our interchanges.
  for (const seg of ic.interchangeAcks) {
    const m = await applyInterchangeAck(
      trx,
      partner.id,
      { control: seg.text(1), status: seg.text(4), note: seg.text(5) },
      inboundId,
      ctx.now(),
    );
    result.acknowledged.documentIds.push(...m.documentIds);
    result.acknowledged.unmatched.push(...m.unmatched);
  }

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
        result.sets.push(await takeAcknowledgment(trx, ctx, partner, set, inboundId, result));
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
      result.sets.push(await takeSet(trx, ctx, partner, set, { test, actor }));
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

function setError(set: TransactionSet, code: X12Error['code'], message: string): X12Error {
  const first = set.segments[0];
  return {
    code,
    message,
    segmentPosition: 1,
    fileSegmentPosition: first?.filePosition ?? 0,
    segmentId: 'ST',
    elementPosition: 1,
    interchangeControl: set.interchange.controlNumber,
    groupControl: set.group.controlNumber,
    transactionControl: set.controlNumber,
    transactionSetId: set.id,
  };
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
  const priceFromCatalog = x12?.missingUnitPrice === 'price-from-catalog';
  const mapped = parse850(set, {
    defaultCurrency: partner.currency,
    missingUnitPrice: priceFromCatalog ? 'price-from-catalog' : 'reject',
  });
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
  if (opts.test && !x12?.acceptTestInterchanges) {
    outcome.result = 'test';
    outcome.reason =
      'test interchange (ISA15 T): validated and acknowledged, no order created (the partner does not have x12.acceptTestInterchanges)';
    return outcome;
  }
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
  if ((partner.settings.outboundFormats ?? []).includes('x12')) {
    try {
      const sent = await sendX12Document(trx, ctx, partner, {
        kind: '855',
        order: mapped.order,
        statuses: mapped.order.lines.map((l) => ({ lineNumber: l.lineNumber, status: 'reject' as const })),
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
  return outcome;
}

async function renderAnswer(
  trx: Q,
  ctx: AppContext,
  partner: PartnerRow,
  doc: X12Document,
  answer: Answer,
): Promise<string | undefined> {
  if (answer.acks.length === 0 && answer.ta1s.length === 0) return undefined;
  const first = doc.interchanges[0]!.header; // the caller refused a document without interchange
  const version = versionOf(partner, first.version);
  const x12 = partner.settings.x12;
  const acks: TransactionSetInput[] = [];
  // ISA13, GS06, ST02 in this order, as src/edi/outbound.ts takes them: an answer and an outbound
  // document for the same partner at once queue behind each other's row locks instead of deadlocking.
  const isa = await nextControlNumber(trx, partner.id, 'isa');
  const gs = answer.acks.length > 0 ? await nextControlNumber(trx, partner.id, 'gs') : 0;
  const stNumbers = await nextControlNumbers(trx, partner.id, 'st', answer.acks.length);
  answer.acks.forEach((a, i) => {
    acks.push(
      buildFunctionalAck(a.group, {
        version,
        controlNumber: stNumbers[i] as number,
        ...(a.rejectAll ? { rejectAll: a.rejectAll } : {}),
      }),
    );
  });
  const gs02 = answer.acks[0]?.group.header.applicationSender.replace(/[^A-Za-z0-9 ]/g, '').trim();
  return serializeInterchange({
    delimiters: delimitersOf(partner),
    version,
    sender: { qualifier: ctx.config.SUPPLIER_X12_QUALIFIER, id: ctx.config.SUPPLIER_X12_ID },
    receiver: { qualifier: first.senderQualifier, id: first.senderId },
    controlNumber: isa,
    date: ctx.now(),
    usage: first.usage === 'T' ? 'T' : 'P',
    interchangeAcks: answer.ta1s,
    groups:
      acks.length > 0
        ? [
            {
              applicationSender: supplierGsId(ctx.config),
              applicationReceiver: x12?.gsId || gs02 || first.senderId,
              controlNumber: gs,
              transactionSets: acks,
            },
          ]
        : [],
  });
}
