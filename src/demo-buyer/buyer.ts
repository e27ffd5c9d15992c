/**
 * The demo buyer's use cases: what a procurement system does with the gateway, over HTTP to the
 * gateway's own /cxml with the demo partner's published credentials (src/demo.ts), exactly as an
 * outside buyer would. Its inbox takes what the gateway delivers to the demo partner's outbound URL.
 */
import {
  buildErrorResponse,
  buildOrderRequest,
  buildPunchOutSetupRequest,
  buildResponse,
  isCxmlError,
  parseCxml,
  parsePunchOutOrderMessage,
  type ParsedCxml,
  type RequestEnvelopeInput,
  type ReturnedCart,
} from '../../protocols/cxml';
import { firstChildElement, deepText, type CxmlElement } from '../../protocols/cxml/xml';
import { newPayloadId } from '../cxml/endpoint';
import { DEMO_CREDENTIALS } from '../demo';
import type { AppContext } from '../platform/context';
import { findReceived, listReceived, storeReceived } from './inbox';

/** The demo buyer's paths; the inbox is the demo partner's cxml.outboundUrl. */
export const DEMO_BUYER = {
  page: '/demo/buyer',
  inbox: '/demo/buyer/inbox',
  cart: '/demo/buyer/cart',
} as const;

const USER_AGENT = 'demo-buyer';

function envelope(ctx: AppContext): RequestEnvelopeInput {
  const { domain, identity, sharedSecret } = DEMO_CREDENTIALS.cxml;
  const supplier = { domain: ctx.config.SUPPLIER_CXML_DOMAIN, identity: ctx.config.SUPPLIER_CXML_IDENTITY };
  return {
    payloadId: newPayloadId(ctx.now()).replace(/@.*/, '@demo-buyer'),
    timestamp: ctx.now(),
    header: {
      from: { domain, identity },
      to: supplier,
      sender: { credentials: { domain, identity, sharedSecret }, userAgent: USER_AGENT },
    },
  };
}

/** The gateway's answer to a request the demo buyer sent. */
export interface GatewayAnswer {
  httpStatus: number;
  code: number;
  text: string;
  message?: string;
  doc?: ParsedCxml;
}

async function postToGateway(ctx: AppContext, xml: string): Promise<GatewayAnswer> {
  let res: globalThis.Response;
  try {
    res = await fetch(`${ctx.config.publicBaseUrl}/cxml`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      body: xml,
      signal: AbortSignal.timeout(20_000),
    });
  } catch (err) {
    return {
      httpStatus: 0,
      code: 0,
      text: 'unreachable',
      message: `${ctx.config.publicBaseUrl}/cxml: ${String(err)}`,
    };
  }
  const body = await res.text();
  try {
    const doc = parseCxml(body);
    const s = doc.status;
    return {
      httpStatus: res.status,
      code: s?.code ?? res.status,
      text: s?.text ?? '',
      ...(s?.message ? { message: s.message } : {}),
      doc,
    };
  } catch {
    return { httpStatus: res.status, code: res.status, text: 'not cXML', message: body.slice(0, 300) };
  }
}

/** Sends a PunchOutSetupRequest; the StartPage URL to show, or the refusal. */
export async function startPunchout(
  ctx: AppContext,
  browserFormPostUrl: string,
): Promise<{ startUrl: string } | { refused: GatewayAnswer }> {
  const xml = buildPunchOutSetupRequest(envelope(ctx), {
    buyerCookie: `demo-${Date.now()}`,
    browserFormPostUrl,
    supplierSetupUrl: `${ctx.config.publicBaseUrl}/cxml`,
    user: { name: 'Dana Demo', email: 'dana@demo-buyer.example' },
  });
  const answer = await postToGateway(ctx, xml);
  const startPage = answer.doc && firstChildElement(answer.doc.body, 'PunchOutSetupResponse');
  const url = startPage && firstChildElement(startPage, 'StartPage');
  const urlEl = url && firstChildElement(url, 'URL');
  if (answer.code !== 200 || !urlEl) return { refused: answer };
  return { startUrl: deepText(urlEl).trim() };
}

/** The returned cart of a BrowserFormPost field; undefined when it is not a PunchOutOrderMessage. */
export function readCart(xml: string): ReturnedCart | undefined {
  try {
    return parsePunchOutOrderMessage(xml);
  } catch {
    return undefined;
  }
}

/** Sends the cart as a new OrderRequest; the gateway's answer and the order number used. */
export async function submitOrder(
  ctx: AppContext,
  cart: ReturnedCart,
): Promise<{ orderId: string; answer: GatewayAnswer }> {
  const now = ctx.now();
  const orderId = `DEMO-PO-${now.toISOString().replace(/\D/g, '').slice(2, 17)}`;
  const xml = buildOrderRequest(envelope(ctx), {
    orderId,
    orderDate: now,
    cart,
    address: {
      id: 'DEMO-HQ',
      name: 'Demo Buyer Corp. HQ',
      street: '1 Demo Way',
      city: 'Springfield',
      postalCode: '12345',
      country: 'US',
    },
  });
  return { orderId, answer: await postToGateway(ctx, xml) };
}

/** Takes a document the gateway delivered: stores it and answers a cXML Response (200, or 400). */
export async function receive(ctx: AppContext, raw: Buffer): Promise<{ status: number; xml: string }> {
  const answer = { payloadId: newPayloadId(ctx.now()), timestamp: ctx.now() };
  let doc: ParsedCxml;
  try {
    doc = parseCxml(raw);
  } catch (err) {
    if (!isCxmlError(err)) throw err;
    return { status: err.status, xml: buildErrorResponse(err, answer) };
  }
  await storeReceived(ctx.db, {
    requestType: doc.requestType,
    payloadId: doc.payloadId,
    body: raw.toString('utf8'),
    now: ctx.now(),
  });
  return { status: 200, xml: buildResponse({ ...answer, code: 200 }) };
}

/** The orderID a received document refers to (its first OrderReference), when it names one. */
export function orderOf(body: string): string | undefined {
  let doc: ParsedCxml;
  try {
    doc = parseCxml(body);
  } catch {
    return undefined;
  }
  const find = (el: CxmlElement): string | undefined => {
    if (el.name === 'OrderReference' && el.attributes.orderID) return el.attributes.orderID;
    for (const c of el.children) {
      const found = typeof c === 'string' ? undefined : find(c);
      if (found) return found;
    }
    return undefined;
  };
  return find(doc.body);
}

/** A post to the inbox under a URL the gateway did not give out: 403 in cXML, nothing kept. */
export function refuseUnknown(ctx: AppContext): { status: number; xml: string } {
  const xml = buildResponse({
    payloadId: newPayloadId(ctx.now()),
    timestamp: ctx.now(),
    code: 403,
    message: 'not the demo buyer inbox URL of this gateway',
  });
  return { status: 403, xml };
}

export const inbox = (ctx: AppContext) => ({
  list: async () =>
    (await listReceived(ctx.db)).map(({ body, ...row }) => ({ ...row, orderId: orderOf(body) })),
  find: (id: string) => findReceived(ctx.db, id),
});
