/**
 * What the X12 intake answers (per set and per payload), how it describes X12 errors, and the
 * acknowledgment version it answers in.
 */
import {
  type FunctionalGroupResult,
  type OutSegment,
  type TransactionSet,
  type X12Error,
  type X12Version,
} from '../../protocols/x12';
import type { IntakeResult } from '../orders/intake';
import type { ErrorDetail } from '../platform/errors';
import type { PartnerRow } from '../partners/repository';

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

/** What became of one transaction set, and why. */
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

/** What one inbound payload did, and its answer. */
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

/** An element position as two digits ("07"). */
export function pad2(n: number): string {
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

/** An X12 error on one line: where, then what. */
export function describeShort(e: X12Error): string {
  const d = describeX12Error(e);
  return `${d.path}: ${d.message}`;
}

/**
 * Version of the acknowledgment: the one the partner used (ISA12 00401 -> 997, 00501 -> 999), the
 * partner's configured version for anything else.
 */
export function versionOf(partner: PartnerRow, isaVersion: string): X12Version {
  if (isaVersion.startsWith('00501')) return '005010';
  if (isaVersion.startsWith('00401')) return '004010';
  return partner.settings.x12?.version ?? (isaVersion >= '00500' ? '005010' : '004010');
}

/** A set-level error on its ST segment. */
export function setError(set: TransactionSet, code: X12Error['code'], message: string): X12Error {
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

/** The TA1s and 997/999s an interchange is answered with. */
export interface Answer {
  ta1s: OutSegment[];
  acks: { group: FunctionalGroupResult; rejectAll?: { groupCode?: string } }[];
}
