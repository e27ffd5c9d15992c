/** What the delivery job reads before an attempt (src/delivery/service.ts). */
import type { PartnerRow } from '../partners/repository';
import type { Q } from '../platform/db';
import type { DeliveryRow } from './service';

/** The stored document a delivery sends. */
export type DocToSend = { content: Buffer; content_type: string; doc_type: string; protocol: string };

/** What a delivery reads of its partner: its delivery concurrency and the supplier secret. */
export type DeliveryPartner = Pick<PartnerRow, 'id' | 'settings' | 'cxml_supplier_secret_enc'>;

interface DeliveryReadRow extends DeliveryRow {
  doc_content: Buffer;
  doc_content_type: string;
  doc_doc_type: string;
  doc_protocol: string;
  /** Null when the partner is gone (deleted): as findPartner, which leaves deleted partners out. */
  partner_row_id: string | null;
  partner_settings: PartnerRow['settings'] | null;
  partner_secret_enc: string | null;
}

/** The delivery, its document and its partner (as it is now) in one round trip. */
export async function deliveryWithDocument(
  q: Q,
  deliveryId: string,
): Promise<{ delivery: DeliveryRow; doc: DocToSend; partner: DeliveryPartner | undefined } | undefined> {
  const row = await q('deliveries as v')
    .join('documents as d', 'd.id', 'v.document_id')
    .leftJoin('partners as p', (j) => j.on('p.id', 'v.partner_id').andOnNull('p.deleted_at'))
    .where('v.id', deliveryId)
    .first<DeliveryReadRow | undefined>(
      'v.*',
      'd.content as doc_content',
      'd.content_type as doc_content_type',
      'd.doc_type as doc_doc_type',
      'd.protocol as doc_protocol',
      'p.id as partner_row_id',
      'p.settings as partner_settings',
      'p.cxml_supplier_secret_enc as partner_secret_enc',
    );
  if (!row) return undefined;
  const {
    doc_content,
    doc_content_type,
    doc_doc_type,
    doc_protocol,
    partner_row_id,
    partner_settings,
    partner_secret_enc,
    ...delivery
  } = row;
  return {
    delivery,
    doc: {
      content: doc_content,
      content_type: doc_content_type,
      doc_type: doc_doc_type,
      protocol: doc_protocol,
    },
    partner:
      partner_row_id !== null && partner_settings !== null
        ? { id: partner_row_id, settings: partner_settings, cxml_supplier_secret_enc: partner_secret_enc }
        : undefined,
  };
}
