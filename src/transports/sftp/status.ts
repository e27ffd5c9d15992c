/**
 * A partner's SFTP mailbox as the gateway sees it: the last poll and its error, the files picked up
 * and the uploads of outbound documents with their outcome.
 */
import type { AppContext } from '../../platform/context';
import { notFound } from '../../platform/errors';
import { findPartner } from '../../partners/repository';
import type { DeliveryRow } from '../../delivery/service';
import type { PickupRow } from './pickups';

/** The poll record of a partner's mailbox (sftp_mailboxes). */
interface MailboxRow {
  partner_id: string;
  last_poll_at: Date | null;
  last_success_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
}

type UploadRow = Pick<
  DeliveryRow,
  'id' | 'document_id' | 'status' | 'attempts' | 'last_error' | 'response_body'
> & { doc_type: string; created_at: Date };

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

export async function mailboxStatus(
  ctx: Pick<AppContext, 'db'>,
  partnerId: string,
  query: { limit: number; offset: number },
) {
  const partner = await findPartner(ctx.db, partnerId);
  if (!partner) throw notFound('partner');
  const box = await ctx.db<MailboxRow>('sftp_mailboxes').where({ partner_id: partner.id }).first();
  const pickups = await ctx
    .db<PickupRow>('sftp_pickups')
    .where({ partner_id: partner.id })
    .orderBy('first_seen_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit)
    .offset(query.offset);
  const uploads = await ctx
    .db('deliveries as v')
    .join('documents as d', 'd.id', 'v.document_id')
    .where({ 'v.partner_id': partner.id, 'v.transport': 'sftp' })
    .orderBy('v.created_at', 'desc')
    .limit(query.limit)
    .select<UploadRow[]>(
      'v.id',
      'v.document_id',
      'd.doc_type',
      'v.status',
      'v.attempts',
      'v.last_error',
      'v.response_body',
      'v.created_at',
    );
  return {
    partnerId: partner.id,
    configured: !!partner.settings.sftp,
    lastPollAt: iso(box?.last_poll_at),
    lastSuccessAt: iso(box?.last_success_at),
    lastError: box?.last_error ?? null,
    lastErrorAt: iso(box?.last_error_at),
    pickups: pickups.map((p) => ({
      id: Number(p.id),
      name: p.name,
      size: Number(p.size),
      status: p.status,
      sha256: p.sha256,
      documentId: p.document_id,
      error: p.error,
      firstSeenAt: iso(p.first_seen_at)!,
      storedAt: iso(p.stored_at),
      disposedTo: p.disposed_to,
      finishedAt: iso(p.finished_at),
      claims: p.claims,
    })),
    uploads: uploads.map((u) => ({
      deliveryId: u.id,
      documentId: u.document_id,
      docType: u.doc_type,
      status: u.status,
      attempts: u.attempts,
      lastError: u.last_error,
      result: u.response_body,
      createdAt: iso(u.created_at)!,
    })),
  };
}
