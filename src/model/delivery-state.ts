import { defineProcess } from './process';

/**
 * The lifecycle of one outbound delivery (a row of `deliveries`) as data. A pending delivery is tried
 * (attempts and rounds are counted beside, not states) until the partner's answer decides it:
 * delivered, rejected, or failed (refused before sending, or out of attempts: a dead letter). An
 * operator retries any undelivered one or cancels a pending or failed one; a resend (documents/replay)
 * sends any of them again. Persisted by `delivery/lifecycle.ts` (`moveDelivery`: one guarded UPDATE).
 */
export const DELIVERY_STATUSES = ['pending', 'delivered', 'rejected', 'failed', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const DELIVERY_EVENTS = ['deliver', 'reject', 'fail', 'retry', 'cancel', 'resend'] as const;
export type DeliveryEvent = (typeof DELIVERY_EVENTS)[number];

export const DELIVERY_PROCESS = defineProcess<DeliveryStatus, DeliveryEvent>({
  entity: 'delivery',
  states: DELIVERY_STATUSES,
  transitions: {
    // retry on a pending delivery: now, instead of after its backoff.
    pending: {
      deliver: 'delivered',
      reject: 'rejected',
      fail: 'failed',
      retry: 'pending',
      cancel: 'cancelled',
      resend: 'pending',
    },
    delivered: { resend: 'pending' },
    rejected: { retry: 'pending', resend: 'pending' },
    failed: { retry: 'pending', cancel: 'cancelled', resend: 'pending' },
    cancelled: { retry: 'pending', resend: 'pending' },
  },
});

/** The event that records an attempt's verdict. */
export const OUTCOME_EVENT = {
  delivered: 'deliver',
  rejected: 'reject',
  failed: 'fail',
} as const satisfies Record<string, DeliveryEvent>;
