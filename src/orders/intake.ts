/**
 * Order intake, shared by every inbound channel (cXML OrderRequest, JSON API, X12 850): idempotency by
 * the inbound document's external id, checks, and the order rows (orders, order_versions, order_lines,
 * order_events) plus the `approvals.evaluate` outbox job, committed together with the document and
 * the answer given, or not at all.
 *
 * A new order (intakeNewOrder) reads for its checks, then writes everything in one statement. Updates
 * and cancellations run in a transaction that locks the order row first.
 *
 * Idempotency: the unique index on documents (partner_id, protocol, direction, external_id) makes every
 * concurrent copy wait for the first to commit and then fail; a copy answers with the first answer,
 * stored with the document.
 */
import { randomUUID } from 'node:crypto';
import { evaluateJob } from '../approvals/jobs';
import type { Order } from '../model/order';
import { computedTotal, totalMatches } from '../model/order';
import { SHIPPED_STATES, type OrderState } from '../model/order-state';
import { cmp, isDecimalString } from '../model/money';
import { priceBreakMap, resolvePrices, type PriceBreak, type PriceBreakRow } from '../catalog/pricing';
import {
  attachmentRows,
  storeAttachments,
  type InboundAttachment,
  recordResponse,
  storeDocument,
  storeDocumentWithRows,
  type DocumentRow,
  type NewDocument,
  type RowsFor,
} from '../documents/store';
import { receiveOnce, type InboundKey } from '../documents/receive-once';
import type { AppContext } from '../platform/context';
import { isUuid, nativeQuery, type Q, type SqlRow } from '../platform/db';
import { enqueueInTx, outboxRow } from '../platform/outbox';
import { sha256Hex } from '../platform/secrets';
import { reusedPayloadIdMessage } from '../cxml/endpoint';
import { NEXT_SUPPLIER_ORDER_SEQ_SQL, supplierOrderNumberOf } from '../platform/sequences';
import type { PartnerRow } from '../partners/repository';
import { createdEventRow, transitionOrder } from './lifecycle';

export type IntakeProtocol = 'cxml' | 'x12' | 'json';
export type OrderFlag =
  | 'unknown_sku'
  | 'price_deviation'
  | 'total_mismatch'
  | 'new_ship_to'
  | 'change_after_confirmation'
  /** A line came without a unit price and was priced from the contract or catalog. */
  | 'price_from_catalog';

export interface IntakeError {
  message: string;
  path?: string;
}

export interface IntakeReplay {
  status: number;
  contentType: string;
  body: Buffer;
}

export interface IntakeResult {
  outcome: 'accepted' | 'duplicate' | 'refused';
  orderId?: string;
  version?: number;
  flags: string[];
  errors: IntakeError[];
  /** For a duplicate: the first answer, byte for byte. */
  replay?: IntakeReplay;
  /** The answer `render` gave and intake stored with the document (not for a duplicate). */
  answer?: { status: number; contentType: string; body: string | Buffer };
  /** Suggested status of a refusal (400 bad data, 404 no such order, 409 conflicting state). */
  status?: number;
  /** State of the order after an accepted intake. */
  state?: OrderState;
  /** The supplier's own number of an accepted new order (orders.supplier_order_number). */
  supplierOrderNumber?: string;
  /**
   * Refused because the external id (cXML payloadID) was already taken by a document with other
   * bytes: nothing was stored under it, and the first document's answer was not given.
   */
  reusedId?: true;
}

export interface IntakeInput {
  partner: PartnerRow;
  order: Order;
  protocol: IntakeProtocol;
  externalId: string;
  raw: Buffer | string;
  contentType: string;
  docType: string;
  sourcePayloadId?: string;
  /** Files that came with the document (cXML attachments), stored with it when the order is accepted. */
  attachments?: readonly InboundAttachment[];
  /** cXML deploymentMode of the inbound document (default production); follow-ups echo it. */
  deploymentMode?: 'production' | 'test';
  actor: string;
  /**
   * Renders the channel's answer; when given, intake stores it with `recordResponse` in the same
   * transaction, so a resent copy replays exactly this answer.
   */
  render?: (result: IntakeResult) => { status: number; contentType: string; body: string | Buffer };
  /** Where each line sits in the source document, for error paths (default: `lines[i]`). */
  linePath?: (index: number) => string;
  /**
   * Lines without a unit price (unitPrice "") are priced from the partner's contract or the catalog
   * and the order is flagged price_from_catalog; a line no price is found for refuses the order.
   * Without this, such a line refuses the order.
   */
  priceFromCatalog?: boolean;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly errors: IntakeError[],
  ) {
    super(errors.map((e) => e.message).join('; '));
  }
}

interface OrderRow {
  id: string;
  state: OrderState;
  version: number;
}

const upper = (s: string): string => s.trim().toUpperCase();

/** Unit prices the buyer saw: punchout cart lines by SupplierPartAuxiliaryID, else contract prices. */
async function priceFlags(
  q: Q,
  partner: PartnerRow,
  order: Order,
  knownSkus: Set<string>,
  facts: OrderFacts,
): Promise<boolean> {
  const { cart } = facts;
  const needContract = order.lines.filter(
    (l) =>
      !(l.supplierAuxiliaryId && cart.has(l.supplierAuxiliaryId.toLowerCase())) &&
      knownSkus.has(l.supplierPartId),
  );
  const prices = needContract.length
    ? await resolvePrices(
        q,
        partner,
        needContract.map((l) => ({ sku: l.supplierPartId, quantity: l.quantity })),
        facts.priceDate,
        facts.items,
        facts.breaks,
      )
    : new Map();
  for (const line of order.lines) {
    const c = line.supplierAuxiliaryId ? cart.get(line.supplierAuxiliaryId.toLowerCase()) : undefined;
    if (c) {
      if (c.sku !== line.supplierPartId || upper(c.currency) !== upper(order.currency)) return true;
      if (cmp(c.unit_price, line.unitPrice) !== 0) return true;
      continue;
    }
    const p = prices.get(line.supplierPartId);
    if (!p) continue;
    if (upper(p.currency) !== upper(order.currency) || cmp(p.unitPrice, line.unitPrice) !== 0) return true;
  }
  return false;
}

/**
 * Prices the lines that came without a unit price from the partner's contract price breaks or the
 * catalog (resolvePrices, the one price resolution), on the order's date; a line of an unknown SKU
 * or one priced in another currency refuses the order.
 */
async function priceFromCatalog(q: Q, input: IntakeInput, facts: OrderFacts): Promise<void> {
  const { partner, order } = input;
  const pathOf = input.linePath ?? ((i: number) => `lines[${i}]`);
  const missing = order.lines.map((l, i) => ({ l, i })).filter(({ l }) => l.unitPrice === '');
  const known = missing.filter(
    ({ l }) => facts.items.get(l.supplierPartId)?.active !== false && facts.items.has(l.supplierPartId),
  );
  const prices = known.length
    ? await resolvePrices(
        q,
        partner,
        known.map(({ l }) => ({ sku: l.supplierPartId, quantity: l.quantity })),
        facts.priceDate,
        facts.items,
        facts.breaks,
      )
    : new Map();
  const errors: IntakeError[] = [];
  for (const { l, i } of missing) {
    const p = prices.get(l.supplierPartId);
    if (!p) {
      errors.push({
        message: `line ${l.lineNumber}: no unit price given and none in the catalog for SKU "${l.supplierPartId}"`,
        path: pathOf(i),
      });
    } else if (upper(p.currency) !== upper(order.currency)) {
      errors.push({
        message: `line ${l.lineNumber}: no unit price given and the catalog price of "${l.supplierPartId}" is in ${p.currency}, not ${order.currency}`,
        path: pathOf(i),
      });
    } else l.unitPrice = p.unitPrice;
  }
  if (errors.length) throw new Refusal(400, errors);
}

/** What the checks of an order need from the database, read in one round trip by readOrderFacts. */
interface OrderFacts {
  /** The partner's order with this buyer order number, if any. */
  existingId?: string;
  /** Catalog rows of the order's SKUs (active or not); unknown SKUs are absent. */
  items: Map<string, CatalogFacts>;
  /** The partner's price breaks of the order's SKUs valid on `priceDate` (none without a price list). */
  breaks: Map<string, PriceBreak[]>;
  /** The day contract prices are taken from: the order date, else today. */
  priceDate: string;
  /** Punchout cart lines of this partner named by the lines' SupplierPartAuxiliaryIDs (lower case). */
  cart: Map<string, { sku: string; unit_price: string; currency: string }>;
  /** The ship-to is one the partner has not used before (never for its first order). */
  newShipTo: boolean;
  /** The next value of supplier_order_number_seq, taken when asked for (a new order). */
  orderSeq?: number;
}

interface CatalogFacts {
  sku: string;
  unit_price: string;
  currency: string;
  active: boolean;
}

const NO_ORDER = '00000000-0000-0000-0000-000000000000';

/**
 * One round trip (one prepared statement, whatever the order holds): for a new order the next
 * supplier order number from its sequence (a refused order leaves a gap: the numbers are unique and
 * short, not gapless), the existing order with this number, whether the partner has other orders and one of them has this ship-to (indexed key,
 * migration 20261123000700), the catalog rows and contract price breaks of the order's SKUs, and
 * the punchout cart lines its SupplierPartAuxiliaryIDs name. Amounts come as text (JSON numbers
 * would become floats).
 */
async function readOrderFacts(
  q: Q,
  partner: PartnerRow,
  order: Order,
  exceptOrderId?: string,
  takeNumber = false,
): Promise<OrderFacts> {
  // A ship-to without address or addressId has no key: nothing to compare.
  const shipTo = order.shipTo?.address || order.shipTo?.addressId ? order.shipTo : undefined;
  const priceDate = (order.orderDate || new Date().toISOString()).slice(0, 10);
  const auxIds = order.lines.map((l) => l.supplierAuxiliaryId).filter((a): a is string => !!a && isUuid(a));
  const [r] = await nativeQuery<{
    existing_id: string | null;
    any_orders: boolean;
    ship_to_seen: boolean;
    items: CatalogFacts[];
    breaks: PriceBreakRow[];
    cart: { id: string; sku: string; unit_price: string; currency: string }[];
    order_seq: number | null;
  }>(
    q,
    `with skus as (select json_array_elements_text($4::json) as sku)
     select
       (select id from orders where partner_id = $1 and buyer_order_number = $2) as existing_id,
       exists (select 1 from orders where partner_id = $1 and id <> $3) as any_orders,
       exists (select 1 from orders where partner_id = $1 and ship_to_key = order_ship_to_key($5::jsonb) and id <> $3) as ship_to_seen,
       (select coalesce(json_agg(json_build_object('sku', sku, 'unit_price', unit_price::text, 'currency', currency, 'active', active)), '[]'::json)
          from catalog_items where sku in (select sku from skus)) as items,
       (select coalesce(json_agg(json_build_object('sku', sku, 'unit_price', unit_price::text, 'currency', currency,
                'min_qty', min_qty::text, 'valid_from', valid_from, 'valid_to', valid_to) order by sku, min_qty desc), '[]'::json)
          from price_list_entries
         where price_list = $6 and sku in (select sku from skus)
           and (valid_from is null or valid_from <= $7::date) and (valid_to is null or valid_to >= $7::date)) as breaks,
       (select coalesce(json_agg(json_build_object('id', id, 'sku', sku, 'unit_price', unit_price::text, 'currency', currency)), '[]'::json)
          from punchout_cart_lines
         where partner_id = $1 and id in (select json_array_elements_text($8::json)::uuid)) as cart,
       case when $9::boolean then ${NEXT_SUPPLIER_ORDER_SEQ_SQL} end as order_seq`,
    [
      partner.id,
      order.buyerOrderNumber,
      exceptOrderId ?? NO_ORDER,
      JSON.stringify(order.lines.map((l) => l.supplierPartId)),
      shipTo === undefined ? null : JSON.stringify(shipTo),
      partner.price_list,
      priceDate,
      JSON.stringify(auxIds),
      takeNumber,
    ],
    'order_facts',
  );
  return {
    ...(r.existing_id ? { existingId: r.existing_id } : {}),
    items: new Map(r.items.map((i) => [i.sku, i])),
    breaks: priceBreakMap(r.breaks),
    priceDate,
    cart: new Map(r.cart.map((c) => [c.id.toLowerCase(), c])),
    // The first order of a partner has nothing to compare with: not flagged.
    newShipTo: shipTo !== undefined && r.any_orders && !r.ship_to_seen,
    ...(r.order_seq !== null ? { orderSeq: Number(r.order_seq) } : {}),
  };
}

async function checkOrder(
  q: Q,
  input: IntakeInput,
  existing: OrderRow | undefined,
  facts: OrderFacts,
): Promise<{ flags: string[] }> {
  const { partner, order } = input;
  const flags: string[] = [];
  const errors: IntakeError[] = [];
  const pathOf = input.linePath ?? ((i: number) => `lines[${i}]`);
  if (order.lines.length === 0)
    throw new Refusal(400, [{ message: 'the order has no lines', path: pathOf(0) }]);
  if (!/^[A-Z]{3}$/.test(order.currency))
    errors.push({ message: `currency "${order.currency}" is not an ISO 4217 code`, path: 'currency' });
  const seen = new Set<number>();
  order.lines.forEach((l, i) => {
    if (seen.has(l.lineNumber))
      errors.push({ message: `line number ${l.lineNumber} appears twice`, path: pathOf(i) });
    seen.add(l.lineNumber);
    // What every channel must bring for the order to be computed at all (X12 may lack them).
    if (!l.supplierPartId)
      errors.push({ message: `line ${l.lineNumber}: no supplier part id (VP/VN)`, path: pathOf(i) });
    if (!isDecimalString(l.quantity.trim()))
      errors.push({
        message: `line ${l.lineNumber}: quantity "${l.quantity}" is not a number`,
        path: pathOf(i),
      });
    if (l.unitPrice !== '' && !isDecimalString(l.unitPrice.trim()))
      errors.push({
        message: `line ${l.lineNumber}: unit price "${l.unitPrice}" is not a number`,
        path: pathOf(i),
      });
    if (l.unitPrice === '' && !input.priceFromCatalog)
      errors.push({ message: `line ${l.lineNumber}: no unit price`, path: pathOf(i) });
  });
  if (errors.length) throw new Refusal(400, errors);
  if (order.lines.some((l) => l.unitPrice === '')) {
    await priceFromCatalog(q, input, facts);
    flags.push('price_from_catalog');
  }

  const { items } = facts;
  const active = new Set([...items.values()].filter((i) => i.active !== false).map((i) => i.sku));
  const unknown = order.lines.map((l, i) => ({ l, i })).filter(({ l }) => !active.has(l.supplierPartId));
  if (unknown.length) {
    const mode = partner.settings.orders?.unknownSku ?? 'reject';
    if (mode === 'reject') {
      throw new Refusal(
        400,
        unknown.map(({ l, i }) => ({
          message: `line ${l.lineNumber}: unknown SKU "${l.supplierPartId}"`,
          path: pathOf(i),
        })),
      );
    }
    flags.push('unknown_sku');
  }
  if (await priceFlags(q, partner, order, active, facts)) flags.push('price_deviation');
  if (!totalMatches(order)) flags.push('total_mismatch');
  if (facts.newShipTo) flags.push('new_ship_to');
  if (existing) {
    const confirmed = await q('order_events').where({ order_id: existing.id, event: 'confirm' }).first('id');
    if (confirmed) flags.push('change_after_confirmation');
  }
  return { flags };
}

function lineRows(orderId: string, order: Order) {
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

async function writeLines(q: Q, orderId: string, order: Order): Promise<void> {
  await q('order_lines').insert(lineRows(orderId, order));
}

/** Every row of a new order (the order first), given the id of the document that brought it. */
function newOrderRows(
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

function concurrentNew(order: Order): Refusal {
  return new Refusal(409, [
    {
      message: `order "${order.buyerOrderNumber}" already exists (received at the same time)`,
      path: 'buyerOrderNumber',
    },
  ]);
}

function alreadyExists(order: Order): Refusal {
  return new Refusal(409, [
    {
      message: `order "${order.buyerOrderNumber}" already exists; send type="update" to change it or type="delete" to cancel it`,
      path: 'buyerOrderNumber',
    },
  ]);
}

async function applyOrder(
  trx: Q,
  input: IntakeInput,
  documentId: string,
): Promise<{ orderId: string; version: number; flags: string[]; state: OrderState }> {
  const { partner, order, actor } = input;
  const existing = (await trx('orders')
    .where({ partner_id: partner.id, buyer_order_number: order.buyerOrderNumber })
    .forUpdate()
    .first('id', 'state', 'version')) as OrderRow | undefined;
  const via = `${input.docType} ${input.externalId}`;

  if (order.type === 'cancel') {
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
    const [orderRow] = await trx('orders').where({ id: existing.id }).select('flags', 'version');
    return {
      orderId: existing.id,
      version: orderRow.version,
      flags: orderRow.flags ?? [],
      state: 'cancelled',
    };
  }

  // update (a new order never comes here: intakeNewOrder takes it)
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

/** The answer to a copy of a document already stored (documents/receive-once.ts). */
async function replayOf(ctx: AppContext, input: IntakeInput, doc: DocumentRow): Promise<IntakeResult> {
  const raw = typeof input.raw === 'string' ? Buffer.from(input.raw, 'utf8') : input.raw;
  if (input.protocol === 'json' && doc.sha256 !== sha256Hex(raw)) {
    return {
      outcome: 'refused',
      status: 422,
      flags: [],
      errors: [{ message: `Idempotency-Key "${input.externalId}" was already used with a different body` }],
    };
  }
  // A cXML resend is the same document byte for byte; another document under a payloadID already
  // taken is refused, never answered with the first document's answer (and silently dropped).
  if (input.protocol === 'cxml' && doc.sha256 !== sha256Hex(raw)) {
    return {
      outcome: 'refused',
      status: 409,
      reusedId: true,
      flags: [],
      errors: [{ message: reusedPayloadIdMessage(input.externalId) }],
    };
  }
  const orderRow = doc.order_id
    ? await ctx.db('orders').where({ id: doc.order_id }).first('flags', 'supplier_order_number')
    : undefined;
  return {
    outcome: 'duplicate',
    ...(doc.order_id ? { orderId: doc.order_id } : {}),
    ...(orderRow?.supplier_order_number ? { supplierOrderNumber: orderRow.supplier_order_number } : {}),
    flags: (orderRow?.flags as string[] | undefined) ?? [],
    errors: [],
    ...(doc.response_status !== null
      ? {
          replay: {
            status: doc.response_status,
            contentType: doc.response_content_type ?? 'application/octet-stream',
            body: doc.response_body ?? Buffer.alloc(0),
          },
        }
      : {}),
  };
}

function storedAnswer(input: IntakeInput, result: IntakeResult) {
  const answer = input.render?.(result);
  return {
    status: answer?.status ?? (result.outcome === 'accepted' ? 200 : (result.status ?? 400)),
    contentType: answer?.contentType ?? 'application/json',
    body: answer?.body ?? JSON.stringify(result),
  };
}

function inboundDocument(input: IntakeInput, result: IntakeResult): NewDocument {
  return {
    partnerId: input.partner.id,
    protocol: input.protocol,
    docType: input.docType,
    direction: 'in',
    externalId: input.externalId,
    status: result.outcome === 'accepted' ? 'accepted' : 'refused',
    contentType: input.contentType,
    content: input.raw,
    orderId: result.orderId ?? null,
    error: result.outcome === 'refused' ? result.errors.map((e) => e.message).join('; ') : null,
  };
}

const refused = (err: Refusal): IntakeResult => ({
  outcome: 'refused',
  status: err.status,
  flags: [],
  errors: err.errors,
});

/**
 * A new order, the common case, in few round trips: the checks read first (outside any transaction),
 * then the document with its answer and every order row go in as one statement, which commits all or
 * nothing. Races end at the unique indexes: a resent document (same external id) replays the first
 * answer; a second document with the same order number at the same moment is refused with 409.
 */
async function intakeNewOrder(ctx: AppContext, input: IntakeInput): Promise<IntakeResult> {
  const { partner, order } = input;
  let result: IntakeResult;
  let rows: RowsFor = () => [];
  try {
    const facts = await readOrderFacts(ctx.db, partner, order, undefined, true);
    if (facts.existingId) throw alreadyExists(order);
    const { flags } = await checkOrder(ctx.db, input, undefined, facts);
    const orderId = randomUUID();
    if (facts.orderSeq === undefined) throw new Error('no supplier order number was taken');
    const supplierOrderNumber = supplierOrderNumberOf(ctx.config.SUPPLIER_ORDER_PREFIX, facts.orderSeq);
    rows = newOrderRows(input, orderId, supplierOrderNumber, flags);
    result = {
      outcome: 'accepted',
      orderId,
      version: 1,
      flags,
      errors: [],
      state: 'received',
      supplierOrderNumber,
    };
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    result = refused(err);
  }
  // Taken inside a caller's transaction (an X12 interchange's), each write gets a savepoint, so a
  // unique violation leaves that transaction usable for the replay below.
  const inTransaction = (ctx.db as { isTransaction?: boolean }).isTransaction === true;
  const store: typeof storeDocumentWithRows = (db, doc, answer, rowsFor) =>
    inTransaction
      ? db.transaction((sp) => storeDocumentWithRows(sp, doc, answer, rowsFor))
      : storeDocumentWithRows(db, doc, answer, rowsFor);
  const key = inboundKey(input);
  const resend = (first: DocumentRow) => replayOf(ctx, input, first);
  const write = (r: IntakeResult, rowsFor: RowsFor) => async (): Promise<IntakeResult> => {
    const answer = storedAnswer(input, r);
    await store(ctx.db, inboundDocument(input, r), answer, rowsFor);
    return { ...r, answer };
  };
  return receiveOnce(ctx.db, key, {
    write: write(result, rows),
    resend,
    otherConflict: async (err) => {
      if (result.outcome !== 'accepted') throw err;
      // Another document created this order number a moment ago.
      return receiveOnce(ctx.db, key, { write: write(refused(concurrentNew(order)), () => []), resend });
    },
  });
}

const inboundKey = (input: IntakeInput): InboundKey => ({
  partnerId: input.partner.id,
  protocol: input.protocol,
  externalId: input.externalId,
});

/**
 * Takes one inbound order document (new, update or cancel); see the module comment and
 * intakeNewOrder. An accepted order wakes the outbox relay, so its approval starts now rather than
 * at the next poll.
 */
export async function intakeOrder(ctx: AppContext, input: IntakeInput): Promise<IntakeResult> {
  const result = await intakeCommitted(ctx, input);
  if (result.outcome === 'accepted') ctx.queue.nudge();
  return result;
}

async function intakeCommitted(ctx: AppContext, input: IntakeInput): Promise<IntakeResult> {
  if (input.order.type === 'new') return intakeNewOrder(ctx, input);
  const write = () =>
    ctx.db.transaction(async (trx) => {
      const documentId = await storeDocument(trx, {
        partnerId: input.partner.id,
        protocol: input.protocol,
        docType: input.docType,
        direction: 'in',
        externalId: input.externalId,
        status: 'received',
        contentType: input.contentType,
        content: input.raw,
      });
      let result: IntakeResult;
      // Every refusal is raised before anything but the document row is written, so no savepoint.
      try {
        const r = await applyOrder(trx, input, documentId);
        await storeAttachments(trx, documentId, input.attachments ?? []);
        result = {
          outcome: 'accepted',
          orderId: r.orderId,
          version: r.version,
          flags: r.flags,
          errors: [],
          state: r.state,
        };
      } catch (err) {
        if (!(err instanceof Refusal)) throw err;
        result = refused(err);
      }
      const answer = storedAnswer(input, result);
      result.answer = answer;
      await recordResponse(trx, documentId, {
        ...answer,
        docStatus: result.outcome === 'accepted' ? 'accepted' : 'refused',
        orderId: result.orderId ?? null,
        error: result.outcome === 'refused' ? result.errors.map((e) => e.message).join('; ') : null,
      });
      return result;
    });
  return receiveOnce(ctx.db, inboundKey(input), { write, resend: (first) => replayOf(ctx, input, first) });
}
