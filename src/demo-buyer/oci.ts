/**
 * The demo buyer as an SAP SRM-like system: it opens the gateway's OCI catalog with the demo
 * partner's published OCI login and a HOOK_URL of its own, reads the NEW_ITEM fields the cart comes
 * back as (protocols/oci/buyer.ts), and orders them as a cXML OrderRequest. An SRM hands the
 * purchase order to the supplier through its integration layer, commonly as cXML to a supplier on
 * a business network (or as an IDoc mapped to X12 850); cXML is what the demo partner answers in
 * (its confirmations, ship notices and invoices reach the demo buyer's cXML inbox), and the OCI
 * fields map one to one onto an ItemOut (VENDORMAT: SupplierPartID, EXT_QUOTE_ID:
 * SupplierPartAuxiliaryID, EXT_CATEGORY_ID: the UNSPSC Classification).
 */
import { randomBytes } from 'node:crypto';
import type { ReturnedCart } from '../../protocols/cxml';
import {
  buildOciLoginFields,
  readOciReturn,
  renderAutoSubmitForm,
  type OciFields,
  type OciResult,
  type OciReturnedCart,
} from '../../protocols/oci';
import { DEMO_CREDENTIALS, DEMO_HOOK_PATH } from '../demo';
import type { AppContext } from '../platform/context';
import { submitOrder, type GatewayAnswer } from './buyer';

/** The ~OkCode the demo buyer's login sends and expects back with the cart. */
const OK_CODE = 'ADDI';

/** The HOOK_URL of one browser: its path ends in the browser's form token. */
export const demoHookUrl = (ctx: AppContext, token: string) =>
  `${ctx.config.publicBaseUrl}${DEMO_HOOK_PATH}/${token}`;

/**
 * The page that opens the catalog: the OCI login fields in a form the browser posts to the
 * gateway's /oci at once, as an SRM's catalog call does. The cart comes back to `hookUrl` in the
 * whole window (~TARGET=_top).
 */
export function ociLoginPage(
  ctx: AppContext,
  hookUrl: string,
): { html: string; nonce: string; actionOrigin: string } {
  const { username, password } = DEMO_CREDENTIALS.oci;
  const action = `${ctx.config.publicBaseUrl}/oci`;
  const nonce = randomBytes(16).toString('base64');
  const html = renderAutoSubmitForm({
    action,
    fields: buildOciLoginFields({ username, password, hookUrl, target: '_top' }),
    title: 'Opening the supplier catalog (OCI)',
    buttonLabel: 'Open the catalog',
    scriptNonce: nonce,
  });
  return { html, nonce, actionOrigin: new URL(action).origin };
}

/** The cart the catalog posted to the HOOK_URL (the form's fields), or what is wrong with it. */
export function readOciCart(fields: OciFields): OciResult<OciReturnedCart> {
  return readOciReturn(fields, { okCode: OK_CODE });
}

/** The NEW_ITEM fields of a posted form again, from the text the cart page kept them in. */
export function fieldsOfText(text: string): OciFields {
  const out: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(text)) (out[k] ??= []).push(v);
  return out;
}

/** The fields of a form as received, as one text (the cart page keeps them for the order). */
export function textOfFields(fields: OciFields): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields))
    for (const one of typeof v === 'string' ? [v] : v) p.append(k, one);
  return p.toString();
}

/** The OCI cart as the lines of a cXML OrderRequest. */
export function asOrderCart(cart: OciReturnedCart): ReturnedCart {
  return {
    buyerCookie: 'oci',
    currency: cart.currency,
    total: cart.total,
    items: cart.items.map((i) => ({
      quantity: i.quantity,
      supplierPartId: i.supplierPartId,
      ...(i.supplierAuxiliaryId ? { supplierAuxiliaryId: i.supplierAuxiliaryId } : {}),
      unitPrice: i.unitPrice,
      description: i.description,
      unitOfMeasure: i.unitOfMeasure,
      ...(i.unspsc ? { classification: { domain: 'UNSPSC', code: i.unspsc } } : {}),
    })),
  };
}

/** Orders the OCI cart: a cXML OrderRequest to the gateway, as for a cXML punchout. */
export function submitOciOrder(
  ctx: AppContext,
  cart: OciReturnedCart,
): Promise<{ orderId: string; answer: GatewayAnswer }> {
  return submitOrder(ctx, asOrderCart(cart));
}
