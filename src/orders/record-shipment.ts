/**
 * Recording a (partial) shipment: the quantity rules per line, the lines' shipped quantities, the
 * order's transition with its follow-up (the buyer's ship notice) and the shipment rows, in one
 * transaction.
 */
import { randomUUID } from 'node:crypto';
import { add, cmp, toDecimalString } from '../model/money';
import type { Shipment } from '../model/shipment';
import type { AppContext } from '../platform/context';
import type { Q } from '../platform/db';
import { AppError, isUniqueViolation, notFound, type ErrorDetail } from '../platform/errors';
import { transitionOrder } from './lifecycle';
import type { SentDocument } from './outbound';
import type { OrderDbRow } from './repository';

export interface ShipmentInput {
  shipmentId?: string;
  carrier?: string;
  carrierName?: string;
  trackingNumber?: string;
  shippedAt: string;
  expectedDeliveryAt?: string;
  lines: { lineNumber: number; quantity: string }[];
}

export interface RecordedShipment {
  id: string;
  shipment: Shipment;
  complete: boolean;
  sent: SentDocument | null;
}

interface LineRow {
  id: number;
  order_id: string;
  line_number: number;
  sku: string;
  uom: string;
  quantity: string;
  shipped_quantity: string;
}

/** What is wrong with shipping `input.lines` against the order's lines, one detail per problem. */
function quantityProblems(input: ShipmentInput, byNumber: Map<number, LineRow>): ErrorDetail[] {
  const seen = new Set<number>();
  const details: ErrorDetail[] = [];
  input.lines.forEach((s, i) => {
    const l = byNumber.get(s.lineNumber);
    if (seen.has(s.lineNumber))
      details.push({ path: `lines.${i}`, message: `line ${s.lineNumber} is listed twice` });
    seen.add(s.lineNumber);
    if (!l) {
      details.push({ path: `lines.${i}`, message: `the order has no line ${s.lineNumber}` });
      return;
    }
    if (cmp(s.quantity, '0') <= 0)
      details.push({
        path: `lines.${i}.quantity`,
        message: `line ${s.lineNumber}: quantity must be positive`,
      });
    const after = add(l.shipped_quantity, s.quantity);
    if (cmp(after, l.quantity) > 0)
      details.push({
        path: `lines.${i}.quantity`,
        message: `line ${s.lineNumber}: shipping ${s.quantity} would make ${after.toFixed()} shipped of ${toDecimalString(l.quantity)} ordered`,
      });
  });
  return details;
}

function shipmentOf(
  input: ShipmentInput,
  order: OrderDbRow,
  number: string,
  byNumber: Map<number, LineRow>,
): Shipment {
  return {
    shipmentId: number,
    buyerOrderNumber: order.buyer_order_number,
    ...(input.carrier ? { carrier: input.carrier, trackingNumber: input.trackingNumber } : {}),
    ...(input.carrier && input.carrierName ? { carrierName: input.carrierName } : {}),
    shippedAt: input.shippedAt,
    ...(input.expectedDeliveryAt ? { expectedDeliveryAt: input.expectedDeliveryAt } : {}),
    ...(order.canonical.shipTo ? { shipTo: order.canonical.shipTo } : {}),
    lines: input.lines.map((s) => {
      const l = byNumber.get(s.lineNumber)!;
      return { lineNumber: s.lineNumber, quantity: s.quantity, supplierPartId: l.sku, unitOfMeasure: l.uom };
    }),
  };
}

async function insertShipment(
  trx: Q,
  id: string,
  order: OrderDbRow,
  shipment: Shipment,
  input: ShipmentInput,
) {
  try {
    await trx('shipments').insert({
      id,
      order_id: order.id,
      partner_id: order.partner_id,
      shipment_number: shipment.shipmentId,
      carrier: input.carrier ?? null,
      tracking_number: input.trackingNumber ?? null,
      shipped_at: input.shippedAt,
      canonical: JSON.stringify(shipment),
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw new AppError('conflict', `shipment "${shipment.shipmentId}" already exists`);
    throw err;
  }
  await trx('shipment_lines').insert(
    input.lines.map((s) => ({ shipment_id: id, line_number: s.lineNumber, quantity: s.quantity })),
  );
}

export async function recordShipment(
  ctx: AppContext,
  orderId: string,
  input: ShipmentInput,
  actor: string,
): Promise<RecordedShipment> {
  if (!!input.carrier !== !!input.trackingNumber)
    throw new AppError('validation_failed', 'carrier and trackingNumber go together (give both or neither)');
  return ctx.db.transaction(async (trx) => {
    const order = await trx<OrderDbRow>('orders').where({ id: orderId }).forUpdate().first();
    if (!order) throw notFound('order');
    const lines = await trx<LineRow>('order_lines')
      .where({ order_id: orderId })
      .forUpdate()
      .orderBy('line_number');
    const byNumber = new Map(lines.map((l) => [Number(l.line_number), l]));
    const details = quantityProblems(input, byNumber);
    if (details.length)
      throw new AppError('unprocessable', details.map((d) => d.message).join('; '), { details });
    for (const s of input.lines) {
      const l = byNumber.get(s.lineNumber)!;
      const shipped = add(l.shipped_quantity, s.quantity);
      await trx('order_lines')
        .where({ id: l.id })
        .update({
          shipped_quantity: shipped.toFixed(),
          status: cmp(shipped, l.quantity) >= 0 ? 'shipped' : 'partially_shipped',
        });
      l.shipped_quantity = shipped.toFixed();
    }
    const complete = lines.every((l) => cmp(l.shipped_quantity, l.quantity) >= 0);
    const id = randomUUID();
    const shipment = shipmentOf(
      input,
      order,
      input.shipmentId ?? `SHP-${id.slice(0, 8).toUpperCase()}`,
      byNumber,
    );
    // The ship notice is the follow-up of the shipment's transition (orders/lifecycle.ts).
    const moved = await transitionOrder(
      trx,
      orderId,
      complete ? 'ship_complete' : 'ship_partial',
      actor,
      `shipment${input.carrier ? ` ${input.carrier} ${input.trackingNumber}` : ''}`,
      { ctx, shipment },
    );
    await insertShipment(trx, id, order, shipment, input);
    return { id, shipment, complete, sent: moved.sent.ship_notice ?? null };
  });
}
