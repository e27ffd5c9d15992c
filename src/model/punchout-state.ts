import { defineProcess } from './process';

/**
 * The lifecycle of a punchout session as data: open while the buyer shops, then transferred (the cart
 * went back) or cancelled (the buyer left), once. An OCI VALIDATE or BACKGROUND_SEARCH session is
 * created transferred. Persisted by `punchout/sessions.ts` (`moveSession`: one guarded UPDATE, which
 * is also the lock that lets one of two concurrent transfers win).
 */
export const SESSION_STATES = ['open', 'transferred', 'cancelled'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

export const SESSION_EVENTS = ['transfer', 'cancel'] as const;
export type SessionEvent = (typeof SESSION_EVENTS)[number];

export const SESSION_PROCESS = defineProcess<SessionState, SessionEvent>({
  entity: 'punchout session',
  states: SESSION_STATES,
  transitions: {
    open: { transfer: 'transferred', cancel: 'cancelled' },
    transferred: {},
    cancelled: {},
  },
});
