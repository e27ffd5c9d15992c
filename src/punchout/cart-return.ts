/**
 * Cart return: the cart as a cXML PunchOutOrderMessage or as OCI NEW_ITEM fields, in an
 * auto-submitting form to the buyer's BrowserFormPost URL / HOOK_URL. Each returned cart is stored
 * as an outbound document.
 */
import { randomBytes } from 'node:crypto';
import { buildPunchOutOrderMessage, type CredentialInput, type PunchOutCartItem } from '../../protocols/cxml';
import { buildOciCartFields, renderAutoSubmitForm, type OciCartItem } from '../../protocols/oci';
import { add, formatMoney, mul } from '../model';
import { findItems, type CatalogItemRow } from '../catalog/repository';
import { CXML_USER_AGENT, newPayloadId } from '../cxml/endpoint';
import { storeDocument } from '../documents/store';
import type { AppContext } from '../platform/context';
import { isUuid, type Q } from '../platform/db';
import type { PartnerRow } from '../partners/repository';
import { cartLines, type OriginalCartItem, type SessionRow } from './sessions';

/** One line as it goes back to the buyer. */
export interface ReturnLine {
  lineId: string;
  sku: string;
  quantity: string;
  unitPrice: string;
  currency: string;
  item?: CatalogItemRow;
  /** Texts from the buyer's own ItemOut (cancel on edit), used when the catalog no longer has the item. */
  description?: string;
  unitOfMeasure?: string;
  unspsc?: string;
}

export async function currentLines(q: Q, session: SessionRow): Promise<ReturnLine[]> {
  const lines = await cartLines(q, session.id);
  const items = await findItems(
    q,
    lines.map((l) => l.sku),
  );
  return lines.map((l) => ({
    lineId: l.id,
    sku: l.sku,
    quantity: l.quantity,
    unitPrice: l.unit_price,
    currency: l.currency.trim(),
    item: items.get(l.sku),
  }));
}

/** The cart the buyer sent with edit, exactly as sent (cancel gives it back unchanged). */
export async function originalLines(q: Q, session: SessionRow, partner: PartnerRow): Promise<ReturnLine[]> {
  const original: OriginalCartItem[] = session.original_cart ?? [];
  const items = await findItems(
    q,
    original.map((o) => o.supplierPartId),
  );
  return original.map((o) => {
    const item = items.get(o.supplierPartId);
    return {
      lineId: o.supplierAuxiliaryId ?? o.supplierPartId,
      sku: o.supplierPartId,
      quantity: o.quantity,
      unitPrice: o.unitPrice ?? item?.unit_price ?? '0',
      currency: o.currency ?? item?.currency.trim() ?? partner.currency,
      item,
      description: o.description ?? o.shortName,
      unitOfMeasure: o.unitOfMeasure,
      unspsc: o.classifications?.find((c) => c.domain.toUpperCase() === 'UNSPSC')?.code,
    };
  });
}

function cxmlItem(l: ReturnLine, i: number): PunchOutCartItem {
  const it = l.item;
  const item: PunchOutCartItem = {
    lineNumber: i + 1,
    quantity: l.quantity,
    supplierPartId: l.sku,
    supplierAuxiliaryId: l.lineId,
    unitPrice: l.unitPrice,
    description: l.description ?? it?.description ?? it?.name ?? l.sku,
    unitOfMeasure: l.unitOfMeasure ?? it?.uom ?? 'EA',
    // cXML requires one Classification; an unclassified item sends an empty UNSPSC code.
    classification: [{ domain: 'UNSPSC', code: l.unspsc ?? it?.unspsc ?? '' }],
  };
  if (it?.name && it.name !== item.description) item.shortName = it.name;
  if (it?.manufacturer_part_id) item.manufacturerPartId = it.manufacturer_part_id;
  if (it?.manufacturer) item.manufacturerName = it.manufacturer;
  if (it?.lead_time_days !== null && it?.lead_time_days !== undefined) item.leadTimeDays = it.lead_time_days;
  return item;
}

function ociItem(l: ReturnLine): OciCartItem {
  const it = l.item;
  const description = l.description ?? it?.name ?? l.sku;
  const item: OciCartItem = {
    description,
    quantity: l.quantity,
    unitOfMeasure: l.unitOfMeasure ?? it?.uom ?? 'EA',
    unitPrice: l.unitPrice,
    currency: l.currency,
    supplierPartId: l.sku,
    // EXT_QUOTE_ID holds 35 characters: the cart line's UUID travels as its 32 hex digits.
    supplierAuxiliaryId: isUuid(l.lineId) ? l.lineId.replace(/-/g, '') : l.lineId,
  };
  const longText = it?.description || undefined;
  if (longText) item.longText = longText;
  if (it?.lead_time_days !== null && it?.lead_time_days !== undefined) item.leadTimeDays = it.lead_time_days;
  const unspsc = l.unspsc ?? it?.unspsc ?? undefined;
  if (unspsc) item.unspsc = unspsc;
  if (it?.manufacturer_part_id) item.manufacturerPartId = it.manufacturer_part_id;
  return item;
}

export interface ReturnPage {
  html: string;
  nonce: string;
  /** Origin the form posts to (for the page's form-action). */
  actionOrigin: string;
  documentId: string;
}

/**
 * Builds the return form for the lines, stores the outbound document and returns the page. The
 * caller changes the session state in the same transaction.
 */
export async function buildReturn(
  q: Q,
  ctx: AppContext,
  partner: PartnerRow,
  session: SessionRow,
  lines: ReturnLine[],
  title: string,
): Promise<ReturnPage> {
  const nonce = randomBytes(16).toString('base64');
  const actionOrigin = new URL(session.return_url).origin;
  const form = { q, ctx, partner, session, lines, title, nonce };
  const { html, documentId } = session.protocol === 'cxml' ? await cxmlReturn(form) : await ociReturn(form);
  return { html, nonce, actionOrigin, documentId };
}

/** What a return form is built from. */
interface ReturnForm {
  q: Q;
  ctx: AppContext;
  partner: PartnerRow;
  session: SessionRow;
  lines: ReturnLine[];
  title: string;
  nonce: string;
}

/** The cXML PunchOutOrderMessage of the lines, as the partner asked to have it sent. */
async function cxmlReturn(f: ReturnForm): Promise<{ html: string; documentId: string }> {
  const { q, ctx, partner, session, lines, title, nonce } = f;
  const currency = lines[0]?.currency ?? partner.currency;
  const total = formatMoney(add('0', ...lines.map((l) => mul(l.quantity, l.unitPrice))), currency);
  const rf = session.return_fields as { buyerFrom?: CredentialInput[]; lang?: string };
  const buyer =
    rf.buyerFrom && rf.buyerFrom.length > 0 ? rf.buyerFrom : [{ domain: 'NetworkID', identity: partner.id }];
  const us = { domain: ctx.config.SUPPLIER_CXML_DOMAIN, identity: ctx.config.SUPPLIER_CXML_IDENTITY };
  const payloadId = newPayloadId(ctx.now());
  const xml = buildPunchOutOrderMessage(
    {
      payloadId,
      timestamp: ctx.now(),
      deploymentMode: session.deployment_mode,
      header: { from: us, to: buyer, sender: { credentials: us, userAgent: CXML_USER_AGENT } },
    },
    {
      buyerCookie: session.buyer_cookie ?? '',
      operationAllowed: session.operation === 'inspect' ? 'inspect' : 'edit',
      currency,
      total,
      items: lines.map(cxmlItem),
    },
  );
  const documentId = await storeDocument(q, {
    partnerId: partner.id,
    protocol: 'cxml',
    docType: 'PunchOutOrderMessage',
    direction: 'out',
    externalId: payloadId,
    status: 'sent',
    contentType: 'text/xml',
    content: xml,
  });
  const mode = partner.settings.cxml?.cartReturn ?? 'cxml-urlencoded';
  const value = mode === 'cxml-base64' ? Buffer.from(xml, 'utf8').toString('base64') : xml;
  const html = renderAutoSubmitForm({
    action: session.return_url,
    fields: [[mode, value]],
    title,
    scriptNonce: nonce,
    ...(session.return_target ? { target: session.return_target } : {}),
  });
  return { html, documentId };
}

/** The OCI cart fields of the lines. */
async function ociReturn(f: ReturnForm): Promise<{ html: string; documentId: string }> {
  const { q, partner, session, lines, title, nonce } = f;
  const rf = session.return_fields as { okCode?: string; target?: string; caller?: string };
  const fields = buildOciCartFields(lines.map(ociItem), {
    ...(rf.okCode !== undefined ? { okCode: rf.okCode } : {}),
    ...(rf.target !== undefined ? { target: rf.target } : {}),
    ...(rf.caller !== undefined ? { caller: rf.caller } : {}),
  });
  const content = new URLSearchParams(fields).toString();
  const documentId = await storeDocument(q, {
    partnerId: partner.id,
    protocol: 'oci',
    docType: 'OCICart',
    direction: 'out',
    externalId: session.id,
    status: 'sent',
    contentType: 'application/x-www-form-urlencoded',
    content,
  });
  const html = renderAutoSubmitForm({
    action: session.return_url,
    fields,
    title,
    scriptNonce: nonce,
    ...(rf.target ? { target: rf.target } : {}),
  });
  return { html, documentId };
}
