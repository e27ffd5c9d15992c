/**
 * Punchout sessions: creation (cXML setup, OCI login), the one-time start token, the per-session
 * browser token that the shopping pages carry in their path, and the cart.
 */
import { randomUUID } from 'node:crypto';
import { isUuid, type Q } from '../platform/db';
import type { AppContext } from '../platform/context';
import { randomToken, sha256Hex } from '../platform/secrets';
import { findItems, searchItems, visibilityList, type CatalogItemRow } from '../catalog/repository';
import { resolvePrices } from '../catalog/pricing';
import type { PartnerRow } from '../partners/repository';
import { add } from '../model/money';
import { quantityProblem, smallestQuantity } from '../model/quantity';
import { SESSION_PROCESS, type SessionEvent, type SessionState } from '../model/punchout-state';
import { guardedMove } from '../platform/lifecycle';

const SESSION_STATE = { table: 'punchout_sessions', column: 'state' };

export type { SessionState } from '../model/punchout-state';

/** A quantity the item's rules refuse (src/model/quantity.ts): the cart shows the message. */
export class QuantityRefused extends Error {
  constructor(
    readonly sku: string,
    message: string,
  ) {
    super(message);
    this.name = 'QuantityRefused';
  }
}

/** The least quantity of `item` its rules accept (what a buyer first gets offered). */
export const firstQuantity = (item: CatalogItemRow): string =>
  smallestQuantity({ unit: item.uom, minOrderQty: item.min_order_qty, orderMultiple: item.order_multiple });

/** Refuses `quantity` of `item` when its quantity rules do (minimum, multiple, whole units, maximum). */
export function checkQuantity(item: CatalogItemRow, quantity: string): void {
  const problem = quantityProblem(quantity, {
    unit: item.uom,
    minOrderQty: item.min_order_qty,
    orderMultiple: item.order_multiple,
  });
  if (problem) throw new QuantityRefused(item.sku, `${item.name} (${item.sku}): ${problem}`);
}
export type SessionOperation = 'create' | 'edit' | 'inspect';

export interface SessionRow {
  id: string;
  partner_id: string;
  protocol: 'cxml' | 'oci';
  operation: SessionOperation;
  state: SessionState;
  buyer_cookie: string | null;
  return_url: string;
  return_target: string | null;
  return_fields: Record<string, unknown>;
  user_email: string | null;
  user_name: string | null;
  contact: unknown;
  extrinsics: unknown;
  ship_to: unknown;
  original_cart: OriginalCartItem[] | null;
  start_token_hash: string;
  token_expires_at: Date;
  token_used_at: Date | null;
  browser_token_hash: string | null;
  expires_at: Date;
  setup_document_id: string | null;
  /** cXML deploymentMode of the PunchOutSetupRequest; the PunchOutOrderMessage echoes it. */
  deployment_mode: 'production' | 'test';
  /** The products the buyer compares (punchout/browse.ts), in the order added. */
  compare_skus?: string[];
  created_at: Date;
}

/** An ItemOut of an edit/inspect setup request, kept to restore the cart and to give it back on cancel. */
export interface OriginalCartItem {
  quantity: string;
  supplierPartId: string;
  supplierAuxiliaryId?: string;
  unitPrice?: string;
  currency?: string;
  description?: string;
  shortName?: string;
  unitOfMeasure?: string;
  classifications?: { domain: string; code: string }[];
}

export interface CartLineRow {
  id: string;
  session_id: string;
  partner_id: string;
  sku: string;
  quantity: string;
  unit_price: string;
  currency: string;
  position: number;
}

export interface NewSession {
  partnerId: string;
  protocol: 'cxml' | 'oci';
  operation: SessionOperation;
  buyerCookie?: string | null;
  returnUrl: string;
  returnTarget?: string | null;
  returnFields?: Record<string, unknown>;
  userEmail?: string | null;
  userName?: string | null;
  contact?: unknown;
  extrinsics?: unknown;
  shipTo?: unknown;
  originalCart?: OriginalCartItem[] | null;
  setupDocumentId?: string | null;
  state?: SessionState;
  /** cXML deploymentMode of the setup request (default production). */
  deploymentMode?: 'production' | 'test';
  /** A start token made by the caller (who may have answered with it already); default: a new one. */
  startToken?: string;
}

/** The punchout_sessions row of a new session (the start token only as its SHA-256). */
export function newSessionRow(ctx: AppContext, s: NewSession & { startToken: string }) {
  const now = ctx.now().getTime();
  return {
    id: randomUUID(),
    partner_id: s.partnerId,
    protocol: s.protocol,
    operation: s.operation,
    state: s.state ?? 'open',
    buyer_cookie: s.buyerCookie ?? null,
    return_url: s.returnUrl,
    return_target: s.returnTarget ?? null,
    return_fields: JSON.stringify(s.returnFields ?? {}),
    user_email: s.userEmail ?? null,
    user_name: s.userName ?? null,
    contact: s.contact === undefined ? null : JSON.stringify(s.contact),
    extrinsics: JSON.stringify(s.extrinsics ?? []),
    ship_to: s.shipTo === undefined ? null : JSON.stringify(s.shipTo),
    original_cart: s.originalCart ? JSON.stringify(s.originalCart) : null,
    start_token_hash: sha256Hex(s.startToken),
    token_expires_at: new Date(now + ctx.config.PUNCHOUT_TOKEN_TTL_SECONDS * 1000),
    expires_at: new Date(now + ctx.config.PUNCHOUT_SESSION_TTL_MINUTES * 60_000),
    setup_document_id: s.setupDocumentId ?? null,
    deployment_mode: s.deploymentMode ?? 'production',
  };
}

/** Creates a session; returns it with the start token in clear (only its SHA-256 is stored). */
export async function createSession(
  q: Q,
  ctx: AppContext,
  s: NewSession,
): Promise<{ session: SessionRow; startToken: string }> {
  const startToken = s.startToken ?? randomToken(32);
  const row = newSessionRow(ctx, { ...s, startToken });
  const [session] = await q('punchout_sessions').insert(row).returning<SessionRow[]>('*');
  return { session: session as SessionRow, startToken };
}

export type StartOutcome =
  | { ok: true; session: SessionRow; browserToken: string }
  | { ok: false; reason: 'unknown' }
  /** The session is told so that its error page allows the buyer's frame. */
  | { ok: false; reason: 'used' | 'expired' | 'closed'; session: SessionRow };

/**
 * Opens the session a start token names: the token is consumed in the same UPDATE that checks it,
 * so two concurrent opens cannot both succeed. A fresh browser token is issued for the pages.
 */
export async function consumeStartToken(ctx: AppContext, token: string): Promise<StartOutcome> {
  const hash = sha256Hex(token);
  const now = ctx.now();
  const browserToken = randomToken(32);
  const rows = (await ctx
    .db('punchout_sessions')
    .where({ start_token_hash: hash, state: 'open' })
    .whereNull('token_used_at')
    .where('token_expires_at', '>', now)
    .update({ token_used_at: now, browser_token_hash: sha256Hex(browserToken) })
    .returning('*')) as SessionRow[];
  const session = rows[0];
  if (session) return { ok: true, session, browserToken };
  const existing = await ctx.db<SessionRow>('punchout_sessions').where({ start_token_hash: hash }).first();
  if (!existing) return { ok: false, reason: 'unknown' };
  if (existing.token_used_at) return { ok: false, reason: 'used', session: existing };
  if (existing.state !== 'open') return { ok: false, reason: 'closed', session: existing };
  return { ok: false, reason: 'expired', session: existing };
}

/** The session a start token names, used or not (the way back of its refusal pages). */
export async function sessionByStartToken(q: Q, token: string): Promise<SessionRow | undefined> {
  return q<SessionRow>('punchout_sessions')
    .where({ start_token_hash: sha256Hex(token) })
    .first();
}

export async function sessionByBrowserToken(q: Q, token: string): Promise<SessionRow | undefined> {
  return q<SessionRow>('punchout_sessions')
    .where({ browser_token_hash: sha256Hex(token) })
    .first();
}

export function isExpired(ctx: AppContext, s: SessionRow): boolean {
  return new Date(s.expires_at).getTime() <= ctx.now().getTime();
}

export function today(ctx: AppContext): string {
  return ctx.now().toISOString().slice(0, 10);
}

export { visibilityList };

export async function visibleItem(
  q: Q,
  partner: PartnerRow,
  sku: string,
): Promise<CatalogItemRow | undefined> {
  const item = (await findItems(q, [sku])).get(sku);
  if (!item || !(item as CatalogItemRow & { active?: boolean }).active) return undefined;
  const list = visibilityList(partner);
  if (list) {
    const r = await q('price_list_entries')
      .where({ price_list: list, sku })
      .first<{ id: number } | undefined>('id');
    if (!r) return undefined;
  }
  return item;
}

export async function cartLines(q: Q, sessionId: string): Promise<CartLineRow[]> {
  return q<CartLineRow>('punchout_cart_lines').where({ session_id: sessionId }).orderBy('position');
}

/** Re-prices every line of the cart at its quantity (quantity breaks) on today's price list. */
async function reprice(q: Q, ctx: AppContext, partner: PartnerRow, sessionId: string): Promise<void> {
  const lines = await cartLines(q, sessionId);
  if (lines.length === 0) return;
  // Several lines of one SKU get the break of their own quantity.
  for (const line of lines) {
    const p = (await resolvePrices(q, partner, [{ sku: line.sku, quantity: line.quantity }], today(ctx))).get(
      line.sku,
    );
    if (!p) continue;
    if (p.unitPrice !== line.unit_price || p.currency !== line.currency.trim()) {
      await q('punchout_cart_lines')
        .where({ id: line.id })
        .update({ unit_price: p.unitPrice, currency: p.currency });
    }
  }
}

/** Adds a quantity of a SKU: to the existing line of that SKU, else as a new line. */
export async function addToCart(
  q: Q,
  ctx: AppContext,
  partner: PartnerRow,
  session: SessionRow,
  sku: string,
  quantity: string,
  opts: { newLine?: boolean } = {},
): Promise<CartLineRow | undefined> {
  const item = await visibleItem(q, partner, sku);
  if (!item) return undefined;
  const lines = await cartLines(q, session.id);
  const existing = opts.newLine ? undefined : lines.find((l) => l.sku === sku);
  checkQuantity(item, existing ? add(existing.quantity, quantity).toFixed() : quantity);
  if (existing) {
    await q('punchout_cart_lines')
      .where({ id: existing.id })
      .update({ quantity: q.raw('quantity + ?::numeric', [quantity]) });
  } else {
    const price = (await resolvePrices(q, partner, [{ sku, quantity }], today(ctx))).get(sku);
    if (!price) return undefined;
    await q('punchout_cart_lines').insert({
      id: randomUUID(),
      session_id: session.id,
      partner_id: partner.id,
      sku,
      quantity,
      unit_price: price.unitPrice,
      currency: price.currency,
      position: lines.reduce((m, l) => Math.max(m, l.position), 0) + 1,
    });
  }
  await reprice(q, ctx, partner, session.id);
  const after = await cartLines(q, session.id);
  return existing ? after.find((l) => l.id === existing.id) : after[after.length - 1];
}

export async function setLineQuantity(
  q: Q,
  ctx: AppContext,
  partner: PartnerRow,
  session: SessionRow,
  lineId: string,
  quantity: string,
): Promise<boolean> {
  // A line id that is not a UUID names no line (and must not reach the uuid column as an error).
  if (!isUuid(lineId)) return false;
  const line = await q<CartLineRow>('punchout_cart_lines')
    .where({ id: lineId, session_id: session.id })
    .first();
  if (!line) return false;
  const item = (await findItems(q, [line.sku])).get(line.sku);
  if (item) checkQuantity(item, quantity);
  const n = await q('punchout_cart_lines').where({ id: lineId, session_id: session.id }).update({ quantity });
  await reprice(q, ctx, partner, session.id);
  return n > 0;
}

export async function removeLine(q: Q, session: SessionRow, lineId: string): Promise<boolean> {
  if (!isUuid(lineId)) return false;
  return (await q('punchout_cart_lines').where({ id: lineId, session_id: session.id }).delete()) > 0;
}

/**
 * Edit/inspect: rebuilds the cart from the buyer's ItemOut lines. A SupplierPartAuxiliaryID that is a
 * cart line id of this partner gives the SKU of that line; otherwise the SupplierPartID is the SKU.
 * Lines whose SKU the partner cannot see are skipped (and listed).
 */
export async function restoreCart(
  q: Q,
  ctx: AppContext,
  partner: PartnerRow,
  session: SessionRow,
  items: OriginalCartItem[],
): Promise<{ restored: number; skipped: string[] }> {
  const skipped: string[] = [];
  let restored = 0;
  for (const it of items) {
    let sku = it.supplierPartId;
    const aux = it.supplierAuxiliaryId;
    if (aux && isUuid(aux)) {
      const prev = await q<CartLineRow>('punchout_cart_lines')
        .where({ id: aux, partner_id: partner.id })
        .first('sku');
      if (prev) sku = prev.sku;
    }
    const line = await addToCart(q, ctx, partner, session, sku, it.quantity, { newLine: true });
    if (line) restored++;
    else skipped.push(it.supplierPartId);
  }
  return { restored, skipped };
}

export type ReorderSkipReason = 'unknown' | 'not_visible' | 'quantity';

/**
 * Reorder: adds each line of a past order through addToCart, so it is priced today and merged with
 * the cart's line of the same SKU exactly like adding the item by hand. Lines whose SKU is gone from
 * the catalog (or inactive), or that the partner may not see, are skipped with the reason.
 */
export async function addOrderLinesToCart(
  q: Q,
  ctx: AppContext,
  partner: PartnerRow,
  session: SessionRow,
  lines: { lineNumber: number; sku: string; quantity: string }[],
): Promise<{ added: number; skipped: { lineNumber: number; sku: string; reason: ReorderSkipReason }[] }> {
  const skipped: { lineNumber: number; sku: string; reason: ReorderSkipReason }[] = [];
  let added = 0;
  const catalog = await findItems(
    q,
    lines.map((l) => l.sku),
  );
  for (const l of lines) {
    const item = catalog.get(l.sku);
    if (!item || !item.active) {
      skipped.push({ lineNumber: l.lineNumber, sku: l.sku, reason: 'unknown' });
      continue;
    }
    let line: CartLineRow | undefined;
    try {
      line = await addToCart(q, ctx, partner, session, l.sku, l.quantity);
    } catch (err) {
      if (!(err instanceof QuantityRefused)) throw err;
      skipped.push({ lineNumber: l.lineNumber, sku: l.sku, reason: 'quantity' });
      continue;
    }
    if (line) added++;
    else skipped.push({ lineNumber: l.lineNumber, sku: l.sku, reason: 'not_visible' });
  }
  return { added, skipped };
}

/**
 * The one way a session changes state (SESSION_PROCESS, src/model/punchout-state.ts): one guarded
 * UPDATE, which is also the lock of a transfer or cancel; false when the session had ended already.
 */
export async function moveSession(q: Q, sessionId: string, event: SessionEvent): Promise<boolean> {
  const n = await guardedMove(q, SESSION_PROCESS, SESSION_STATE, { id: sessionId }, event);
  return n > 0;
}

export { searchItems };
