/** The order intake's inputs, results and refusals (see intake.ts). */
import type { Order } from '../model/order';
import type { OrderState } from '../model/order-state';
import type { InboundAttachment } from '../documents/store';
import type { PartnerRow } from '../partners/repository';

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
  /** Where an address's country code sits (`shipTo`, `billTo`, `lines[i].shipTo`), for error paths. */
  countryPath?: (where: string) => string;
  /**
   * Lines without a unit price (unitPrice "") are priced from the partner's contract or the catalog
   * and the order is flagged price_from_catalog; a line no price is found for refuses the order.
   * Without this, such a line refuses the order.
   */
  priceFromCatalog?: boolean;
}

export class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly errors: IntakeError[],
  ) {
    super(errors.map((e) => e.message).join('; '));
  }
}

export function concurrentNew(order: Order): Refusal {
  return new Refusal(409, [
    {
      message: `order "${order.buyerOrderNumber}" already exists (received at the same time)`,
      path: 'buyerOrderNumber',
    },
  ]);
}

/** How each channel says "change" and "cancel" for an order that exists. */
const CHANGE_HOW: Record<IntakeProtocol, string> = {
  cxml: 'send type="update" to change it or type="delete" to cancel it',
  json: 'send "type": "update" to change it or "type": "cancel" to cancel it',
  x12: 'send BEG01 05 (replace) to change it or 01 (cancellation) to cancel it',
};

export function alreadyExists(order: Order, protocol: IntakeProtocol): Refusal {
  return new Refusal(409, [
    {
      message: `order "${order.buyerOrderNumber}" already exists; ${CHANGE_HOW[protocol]}`,
      path: 'buyerOrderNumber',
    },
  ]);
}
