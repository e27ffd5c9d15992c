/** What a console user's roles open (checked at every request from the session's fresh roles). */
import type { ConsoleUser } from '../platform/pages';

export const isAdmin = (u: ConsoleUser) => u.roles.includes('admin');
export const mayApprove = (u: ConsoleUser) => isAdmin(u) || u.roles.includes('approver');
export const mayFinance = (u: ConsoleUser) => isAdmin(u) || u.roles.includes('finance');

/**
 * The partners a user's approver or finance role covers: null for every partner (an admin, or a
 * user without a partner limit).
 */
export function partnerLimit(u: ConsoleUser): readonly string[] | null {
  return isAdmin(u) ? null : u.partnerIds;
}

/** Whether `partnerId` is within the limit (null: any). */
export const withinLimit = (limit: readonly string[] | null, partnerId: string) =>
  limit === null || limit.includes(partnerId);

/** The actor label of a console user in order histories and decisions. */
export const userActor = (u: ConsoleUser) => ({ label: `user:${u.username}`, userId: u.userId });

/** Operators run the gateway's traffic: documents, deliveries, queues and partners. */
export const mayOperate = (u: ConsoleUser) => isAdmin(u) || u.roles.includes('operator');

/** The Invoices screen: operators (every partner) and finance users (within their partner limit). */
export const mayInvoices = (u: ConsoleUser) => mayOperate(u) || mayFinance(u);

/** The partners whose invoices a user sees on the Invoices screen: null for every one. */
export const invoiceLimit = (u: ConsoleUser): readonly string[] | null =>
  mayOperate(u) ? null : partnerLimit(u);
