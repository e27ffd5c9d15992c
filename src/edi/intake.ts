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
import { parseX12, type InterchangeResult, type X12Document, type X12Error } from '../../protocols/x12';
import { maskSecrets } from '../documents/mask';
import { sha256Hex } from '../platform/secrets';
import { findInboundByExternalId, recordResponse, storeDocument } from '../documents/store';
import type { AppContext } from '../platform/context';
import type { Q } from '../platform/db';
import { AppError } from '../platform/errors';
import { receiveOnce } from '../documents/receive-once';
import { findPartnerByIdentityCached, type PartnerRow } from '../partners/repository';
import { X12_CONTENT_TYPE } from './outbound';
import { sendDocument } from '../outbound/send';
import { renderAnswer } from './intake-answer';
import {
  describeX12Error,
  pad2,
  versionOf,
  type Answer,
  type X12IngestResult,
  type X12SetOutcome,
} from './intake-model';
import { takeInterchange } from './intake-sets';

export { delimitersOf, X12_CONTENT_TYPE } from './outbound';
export { describeX12Error } from './intake-model';
export type { X12IngestResult, X12SetOutcome, X12SetResult } from './intake-model';
export { setEnvelope } from './intake-sets';

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
      if (ack) await storeAnswer(trx, partner, doc, answer, ack);
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

/** Stores the answer as a TA1, 997 or 999 document and queues its delivery. */
async function storeAnswer(
  trx: Q,
  partner: PartnerRow,
  doc: X12Document,
  answer: Answer,
  ack: string,
): Promise<void> {
  const ackType =
    answer.acks.length > 0
      ? versionOf(partner, doc.interchanges[0]!.header.version) === '005010' // not empty: checked above
        ? '999'
        : '997'
      : 'TA1';
  await sendDocument(trx, {
    partner,
    kind: 'acknowledgment',
    render: {
      x12: () => ({
        docType: ackType,
        externalId: null,
        status: 'created',
        contentType: X12_CONTENT_TYPE,
        content: ack,
      }),
    },
  });
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
