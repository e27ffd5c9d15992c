/**
 * Inbound X12 interchanges (HTTP POST /edi/x12 and `gateway edi ingest`): parse with the codec, take
 * every 850 through the shared order intake, answer with a 997 (004010) or 999 (005010) for every
 * functional group received, store both documents verbatim and deliver the acknowledgment to the
 * partner's `x12.outboundUrl` when set.
 *
 * Idempotency: the inbound interchange is stored under its ISA key (sender, receiver, ISA13); a resent
 * interchange with the same key creates nothing and gets the first acknowledgment byte for byte (same
 * control numbers). Each 850 also carries its own key (ISA06|ISA08|ISA13|GS06|ST02) into the order
 * intake, so the same set is never ordered twice even through another interchange wrapper.
 */
import {
  buildFunctionalAck,
  buildTA1,
  DEFAULT_DELIMITERS,
  parse850,
  parseX12,
  serializeInterchange,
  type OutSegment,
  type TransactionSetInput,
  type WriteDelimiters,
  type X12Document,
  type X12Error,
  type X12Version,
} from '../../protocols/x12';
import { findInboundByExternalId, recordResponse, storeDocument } from '../documents/store';
import { queueDelivery } from '../delivery/service';
import { intakeOrder, type IntakeResult } from '../orders/intake';
import type { AppContext } from '../platform/context';
import type { Q } from '../platform/db';
import { AppError, isUniqueViolation, type ErrorDetail } from '../platform/errors';
import { findPartnerByIdentityCached, type PartnerRow } from '../partners/repository';
import { nextControlNumber } from './control-numbers';

export const X12_CONTENT_TYPE = 'application/edi-x12';

export interface X12SetOutcome {
  groupControl: string;
  setId: string;
  controlNumber: string;
  /** Accepted by the syntax checks (what the 997/999 says). */
  accepted: boolean;
  /** For 850s that passed the syntax checks: what the order intake did. */
  order?: Pick<IntakeResult, 'outcome' | 'orderId' | 'flags' | 'errors'>;
}

export interface X12IngestResult {
  partnerId: string;
  /** True when the interchange had been received before: nothing was created, `ack` is the first one. */
  duplicate: boolean;
  inboundDocumentId: string;
  /** The 997/999 interchange. */
  ack: Buffer;
  sets: X12SetOutcome[];
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

/** The partner's delimiters (default `*`, `>`, `^`, `~` + newline); no newline suffix after a newline terminator. */
export function delimitersOf(partner: PartnerRow): WriteDelimiters {
  const d = partner.settings.x12?.delimiters;
  if (!d) return { ...DEFAULT_DELIMITERS };
  return { ...DEFAULT_DELIMITERS, ...d, suffix: /[\r\n]/.test(d.segment) ? '' : '\n' };
}

function isaKey(doc: X12Document): string {
  return doc.interchanges
    .map(
      (i) =>
        `${i.header.senderQualifier}:${i.header.senderId}|${i.header.receiverQualifier}:${i.header.receiverId}|${i.header.controlNumber}`,
    )
    .join(',');
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
  for (const i of doc.interchanges) {
    const p = await findPartnerByIdentityCached(
      ctx.db,
      ctx.config.PARTNER_CACHE_MS,
      'x12',
      i.header.senderQualifier,
      i.header.senderId,
    );
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
  };
}

async function waitForReplay(ctx: AppContext, partnerId: string, key: string): Promise<X12IngestResult> {
  const row = await findInboundByExternalId(ctx.db, partnerId, 'x12', key);
  if (row?.response_body) return replayOf(row);
  throw new AppError(
    'conflict',
    'this interchange (same ISA sender, receiver and ISA13) is being processed',
    {
      retryable: true,
    },
  );
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

  const existing = await findInboundByExternalId(ctx.db, partner.id, 'x12', key);
  if (existing?.response_body) return replayOf(existing);

  try {
    return await ctx.db.transaction(async (trx) => {
      // The inbound row first: a concurrent copy waits on the unique key, then replays our answer.
      const inboundId = await storeDocument(trx, {
        partnerId: partner.id,
        protocol: 'x12',
        docType: 'interchange',
        direction: 'in',
        externalId: key,
        status: 'received',
        contentType: X12_CONTENT_TYPE,
        content: raw,
      });
      const sets = await takeSets(ctx, partner, doc, raw, opts.actor);
      const ack = await renderAck(trx, ctx, partner, doc);
      const ackType = versionOf(partner, doc.interchanges[0].header.version) === '005010' ? '999' : '997';
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
      const rejected = sets.filter((s) => !s.accepted).length;
      await recordResponse(trx, inboundId, {
        status: 200,
        contentType: X12_CONTENT_TYPE,
        body: ack,
        docStatus: rejected > 0 ? 'partially_rejected' : 'acknowledged',
        error: rejected > 0 ? `${rejected} transaction set(s) rejected` : null,
      });
      const url = partner.settings.x12?.outboundUrl;
      if (url) await queueDelivery(trx, { partnerId: partner.id, documentId: ackId, url });
      return {
        partnerId: partner.id,
        duplicate: false,
        inboundDocumentId: inboundId,
        ack: Buffer.from(ack),
        sets,
      };
    });
  } catch (err) {
    if (isUniqueViolation(err)) return waitForReplay(ctx, partner.id, key);
    throw err;
  }
}

async function takeSets(
  ctx: AppContext,
  partner: PartnerRow,
  doc: X12Document,
  raw: Buffer,
  actor: string,
): Promise<X12SetOutcome[]> {
  const out: X12SetOutcome[] = [];
  for (const set of doc.transactionSets) {
    const outcome: X12SetOutcome = {
      groupControl: set.group.controlNumber,
      setId: set.id,
      controlNumber: set.controlNumber,
      accepted: !set.errors.some((e) => !e.application),
    };
    out.push(outcome);
    if (set.id !== '850' || !outcome.accepted) continue;
    const mapped = parse850(set, { defaultCurrency: partner.currency });
    // Syntax errors found by the mapping reject the set in the 997/999 like the envelope ones.
    const syntax = mapped.errors.filter((e) => !e.application);
    set.errors.push(...syntax);
    if (syntax.length > 0 || !mapped.order) {
      outcome.accepted = syntax.length === 0;
      if (!mapped.order) {
        outcome.order = {
          outcome: 'refused',
          flags: [],
          errors: mapped.errors.map((e) => ({ message: e.message, path: describeX12Error(e).path })),
        };
      }
      continue;
    }
    const h = set.interchange;
    const r = await intakeOrder(ctx, {
      partner,
      order: mapped.order,
      protocol: 'x12',
      externalId: `${h.senderId}|${h.receiverId}|${h.controlNumber}|${set.group.controlNumber}|${set.controlNumber}`,
      raw,
      contentType: X12_CONTENT_TYPE,
      docType: '850',
      actor,
    });
    outcome.order = { outcome: r.outcome, orderId: r.orderId, flags: r.flags, errors: r.errors };
  }
  return out;
}

async function renderAck(trx: Q, ctx: AppContext, partner: PartnerRow, doc: X12Document): Promise<string> {
  const first = doc.interchanges[0].header;
  const version = versionOf(partner, first.version);
  const x12 = partner.settings.x12;
  const acks: TransactionSetInput[] = [];
  for (const group of doc.groups) {
    const st = await nextControlNumber(trx, partner.id, 'st');
    acks.push(buildFunctionalAck(group, { version, controlNumber: st }));
  }
  const interchangeAcks: OutSegment[] = [];
  for (const i of doc.interchanges) {
    const ta1 = buildTA1(i, { whenErrors: x12?.ta1 ?? false });
    if (ta1) interchangeAcks.push(ta1);
  }
  if (acks.length === 0 && interchangeAcks.length === 0) throw malformed(doc);
  const isa = await nextControlNumber(trx, partner.id, 'isa');
  const gs = acks.length > 0 ? await nextControlNumber(trx, partner.id, 'gs') : 0;
  return serializeInterchange({
    delimiters: delimitersOf(partner),
    version,
    sender: { qualifier: ctx.config.SUPPLIER_X12_QUALIFIER, id: ctx.config.SUPPLIER_X12_ID },
    receiver: { qualifier: first.senderQualifier, id: first.senderId },
    controlNumber: isa,
    date: ctx.now(),
    usage: first.usage === 'T' ? 'T' : 'P',
    interchangeAcks,
    groups:
      acks.length > 0
        ? [
            {
              applicationSender: ctx.config.SUPPLIER_X12_ID,
              applicationReceiver: doc.groups[0].header.applicationSender || (x12?.gsId ?? first.senderId),
              controlNumber: gs,
              transactionSets: acks,
            },
          ]
        : [],
  });
}
