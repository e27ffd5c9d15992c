/**
 * A canonical JSON order from a partner's ERP through the one order intake, answered in JSON (201
 * for a new order, 200 for an update or cancel, the stored answer again for a resend).
 */
import { randomUUID } from 'node:crypto';
import type { Order } from '../model/order';
import type { AppContext } from '../platform/context';
import { AppError } from '../platform/errors';
import { findPartnerCached } from '../partners/repository';
import { intakeOrder, type IntakeResult } from './intake';

export interface JsonOrderSubmission {
  partnerId: string | undefined;
  order: Omit<Order, 'version'>;
  /** The body as received, stored as the document. */
  raw: string;
  idempotencyKey: string | undefined;
  actor: string;
  requestId: string;
}

function jsonAnswer(x: IntakeResult, order: Pick<Order, 'type'>, requestId: string) {
  if (x.outcome === 'accepted')
    return {
      status: order.type === 'new' ? 201 : 200,
      body: {
        orderId: x.orderId,
        ...(x.supplierOrderNumber ? { supplierOrderNumber: x.supplierOrderNumber } : {}),
        version: x.version,
        state: x.state,
        flags: x.flags,
      },
    };
  return {
    status: x.status ?? 400,
    body: {
      error: {
        code: x.status === 409 ? 'conflict' : x.status === 404 ? 'not_found' : 'validation_failed',
        message: x.errors.map((e) => e.message).join('; '),
        requestId,
        details: x.errors,
      },
    },
  };
}

export async function submitJsonOrder(
  ctx: AppContext,
  s: JsonOrderSubmission,
): Promise<{ status: number; body: string | Buffer }> {
  const partner = s.partnerId
    ? await findPartnerCached(ctx.db, ctx.config.PARTNER_CACHE_MS, s.partnerId)
    : undefined;
  if (!partner) throw new AppError('forbidden', 'a partner ERP key is needed to submit orders');
  const key = s.idempotencyKey;
  if (key !== undefined && (key.length === 0 || key.length > 200))
    throw new AppError('bad_request', 'Idempotency-Key must be 1 to 200 characters');
  const order = { ...s.order, version: 1 };
  const result = await intakeOrder(ctx, {
    partner,
    order,
    protocol: 'json',
    externalId: key ?? `auto-${randomUUID()}`,
    raw: s.raw,
    contentType: 'application/json',
    docType: 'order',
    actor: s.actor,
    linePath: (i) => `lines.${i}.supplierPartId`,
    countryPath: (where) => `${where.replace(/\[(\d+)\]/, '.$1')}.address.countryCode`,
    render: (x) => {
      const a = jsonAnswer(x, order, s.requestId);
      return { status: a.status, contentType: 'application/json', body: JSON.stringify(a.body) };
    },
  });
  const answer = result.replay ?? result.answer;
  // Only a reused key with a different body lands here without a stored answer.
  if (!answer) throw new AppError('unprocessable', result.errors.map((e) => e.message).join('; '));
  return { status: answer.status, body: answer.body };
}
