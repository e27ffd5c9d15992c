/** The rows of an accepted order: a new order in one statement, an update or cancel in its transaction. */
import { evaluateJob } from '../approvals/jobs';
import type { Order } from '../model/order';
import { computedTotal } from '../model/order';
import { SHIPPED_STATES, type OrderState } from '../model/order-state';
import { attachmentRows, type RowsFor } from '../documents/store';
import { onlyRow, type Q, type SqlRow } from '../platform/db';
import type { OrderDbRow } from './repository';
import { enqueueInTx, outboxRow } from '../platform/outbox';
import { createdEventRow, transitionOrder } from './lifecycle';
import { Refusal, type IntakeInput } from './intake-model';
import { checkOrder, readOrderFacts, type OrderRow } from './intake-checks';

export function lineRows(orderId: string, order: Order) {
  return order.lines.map((l) => ({
    order_id: orderId,
    line_number: l.lineNumber,
    sku: l.supplierPartId,
    supplier_aux_id: l.supplierAuxiliaryId ?? null,
    description: l.description ?? null,
    quantity: l.quantity,
    uom: l.unitOfMeasure,
    unit_price: l.unitPrice,
  }));
}

export async function writeLines(q: Q, orderId: string, order: Order): Promise<void> {
  await q('order_lines').insert(lineRows(orderId, order));
}

/** Every row of a new order (the order first), given the id of the document that brought it. */
export function newOrderRows(
  input: IntakeInput,
  orderId: string,
  supplierOrderNumber: string,
  flags: string[],
): RowsFor {
  const { partner, order } = input;
  const canonical = JSON.stringify({ ...order, version: 1 });
  return (documentId) => [
    [
      'orders',
      {
        id: orderId,
        partner_id: partner.id,
        buyer_order_number: order.buyerOrderNumber,
        supplier_order_number: supplierOrderNumber,
        version: 1,
        state: 'received',
        type: 'new',
        source_protocol: input.protocol,
        source_payload_id: input.sourcePayloadId ?? null,
        deployment_mode: input.deploymentMode ?? 'production',
        currency: order.currency,
        total: order.total ?? computedTotal(order),
        order_date: order.orderDate || null,
        canonical,
        flags: JSON.stringify(flags),
      },
    ],
    ['order_versions', { order_id: orderId, version: 1, type: 'new', canonical, document_id: documentId }],
    ['order_lines', lineRows(orderId, order)],
    [
      'order_events',
      createdEventRow(orderId, 'received', input.actor, `received via ${input.docType} ${input.externalId}`),
    ],
    ['outbox', outboxRow(evaluateJob, { orderId, version: 1 })],
    // One statement per file: a row that holds bytes goes in on its own.
    ...attachmentRows(documentId, input.attachments ?? []).map(
      (row) => ['document_attachments', row] as [string, SqlRow],
    ),
  ];
}

/** What applying a cancel or an update leaves the order at. */
type Applied = { orderId: string; version: number; flags: string[]; state: OrderState };

/** Applies a buyer's cancel or update to the order it names (locked), refused when it cannot apply. */
export async function applyOrder(trx: Q, input: IntakeInput, documentId: string): Promise<Applied> {
  const { partner, order } = input;
  const existing = await trx('orders')
    .where({ partner_id: partner.id, buyer_order_number: order.buyerOrderNumber })
    .forUpdate()
    .first<OrderRow | undefined>('id', 'state', 'version');
  return order.type === 'cancel'
    ? cancelOrder(trx, input, existing)
    : updateOrder(trx, input, existing, documentId);
}

/** The buyer cancels an order that has not shipped (a cancelled one stays cancelled). */
async function cancelOrder(trx: Q, input: IntakeInput, existing: OrderRow | undefined): Promise<Applied> {
  const { order, actor } = input;
  const via = `${input.docType} ${input.externalId}`;
  if (!existing)
    throw new Refusal(404, [
      { message: `no order "${order.buyerOrderNumber}" to cancel`, path: 'buyerOrderNumber' },
    ]);
  if (SHIPPED_STATES.includes(existing.state))
    throw new Refusal(409, [
      {
        message: `order "${order.buyerOrderNumber}" cannot be cancelled: it has shipped (state ${existing.state})`,
      },
    ]);
  if (existing.state !== 'cancelled') {
    try {
      await transitionOrder(trx, existing.id, 'cancel', actor, `cancelled by the buyer (${via})`);
    } catch (err) {
      throw new Refusal(409, [{ message: `order "${order.buyerOrderNumber}": ${(err as Error).message}` }]);
    }
  }
  const orderRow = onlyRow(
    await trx<OrderDbRow>('orders').where({ id: existing.id }).select('flags', 'version'),
  );
  return {
    orderId: existing.id,
    version: orderRow.version,
    flags: orderRow.flags ?? [],
    state: 'cancelled',
  };
}

/** The buyer's update: a new version, the lines replaced, history kept in order_versions and order_events. */
async function updateOrder(
  trx: Q,
  input: IntakeInput,
  existing: OrderRow | undefined,
  documentId: string,
): Promise<Applied> {
  const { partner, order, actor } = input;
  const via = `${input.docType} ${input.externalId}`;
  // (a new order never comes here: intakeNewOrder takes it)
  if (!existing)
    throw new Refusal(404, [
      { message: `no order "${order.buyerOrderNumber}" to update`, path: 'buyerOrderNumber' },
    ]);
  if (SHIPPED_STATES.includes(existing.state) || ['cancelled', 'rejected', 'closed'].includes(existing.state))
    throw new Refusal(409, [
      { message: `order "${order.buyerOrderNumber}" cannot be changed in state ${existing.state}` },
    ]);
  const { flags } = await checkOrder(
    trx,
    input,
    existing,
    await readOrderFacts(trx, partner, order, existing.id),
  );
  const total = order.total ?? computedTotal(order);

  // update: a new version, the lines replaced, history kept in order_versions and order_events.
  const version = existing.version + 1;
  const canonical = { ...order, version };
  await transitionOrder(trx, existing.id, 'change', actor, `updated to version ${version} (${via})`);
  await trx('orders')
    .where({ id: existing.id })
    .update({
      version,
      type: 'update',
      source_payload_id: input.sourcePayloadId ?? null,
      deployment_mode: input.deploymentMode ?? 'production',
      currency: order.currency,
      total,
      order_date: order.orderDate || null,
      canonical: JSON.stringify(canonical),
      flags: JSON.stringify(flags),
      updated_at: trx.fn.now(),
    });
  await trx('order_versions').insert({
    order_id: existing.id,
    version,
    type: 'update',
    canonical: JSON.stringify(canonical),
    document_id: documentId,
  });
  await trx('order_lines').where({ order_id: existing.id }).delete();
  await writeLines(trx, existing.id, order);
  await enqueueInTx(trx, evaluateJob, { orderId: existing.id, version });
  return { orderId: existing.id, version, flags, state: 'received' };
}
