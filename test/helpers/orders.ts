import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/platform/db';
import type { Order } from '../../src/model';

export interface TestOrderLine {
  sku?: string;
  description?: string;
  quantity: string;
  unitPrice: string;
  uom?: string;
  /** Percent, carried on the canonical line's tax. */
  taxRate?: string;
  shipped?: string;
}

/**
 * Inserts a confirmed order with its lines straight into `orders`/`order_lines` (the orders feature
 * is built elsewhere; invoicing reads these tables only).
 */
export async function insertConfirmedOrder(
  db: Db,
  opts: {
    partnerId: string;
    currency?: string;
    buyerOrderNumber?: string;
    payloadId?: string;
    netDays?: number;
    lines: TestOrderLine[];
  },
): Promise<{ id: string; buyerOrderNumber: string; payloadId: string }> {
  const id = randomUUID();
  const currency = opts.currency ?? 'USD';
  const buyerOrderNumber = opts.buyerOrderNumber ?? `PO-${id.slice(0, 8)}`;
  const payloadId = opts.payloadId ?? `${Date.now()}.${id.slice(0, 8)}@buyer.example`;
  const orderDate = '2026-11-20T09:00:00Z';
  const canonical: Order = {
    buyerOrderNumber,
    version: 1,
    type: 'new',
    orderDate,
    currency,
    contacts: [],
    comments: [],
    extrinsics: [],
    ...(opts.netDays !== undefined ? { paymentTerms: { netDays: opts.netDays } } : {}),
    lines: opts.lines.map((l, i) => ({
      lineNumber: i + 1,
      supplierPartId: l.sku ?? `SKU-${i + 1}`,
      description: l.description ?? `Item ${i + 1}`,
      quantity: l.quantity,
      unitOfMeasure: l.uom ?? 'EA',
      unitPrice: l.unitPrice,
      classifications: [],
      distributions: [],
      extrinsics: [],
      ...(l.taxRate !== undefined ? { tax: { amount: '0', rate: l.taxRate } } : {}),
    })),
  };
  await db.transaction(async (trx) => {
    await trx('orders').insert({
      id,
      partner_id: opts.partnerId,
      buyer_order_number: buyerOrderNumber,
      state: 'confirmed',
      type: 'new',
      source_protocol: 'cxml',
      source_payload_id: payloadId,
      currency,
      total: '0',
      order_date: orderDate,
      canonical: JSON.stringify(canonical),
    });
    await trx('order_lines').insert(
      opts.lines.map((l, i) => ({
        order_id: id,
        line_number: i + 1,
        sku: l.sku ?? `SKU-${i + 1}`,
        description: l.description ?? `Item ${i + 1}`,
        quantity: l.quantity,
        uom: l.uom ?? 'EA',
        unit_price: l.unitPrice,
        shipped_quantity: l.shipped ?? '0',
      })),
    );
  });
  return { id, buyerOrderNumber, payloadId };
}
