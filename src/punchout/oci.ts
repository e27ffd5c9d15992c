/**
 * OCI login: GET and POST /oci. USERNAME/PASSWORD name and authenticate the partner, HOOK_URL must
 * lie under the partner's allowlist. Any failure: a 4xx HTML page and no session. FUNCTION=DETAIL
 * opens a product, VALIDATE and BACKGROUND_SEARCH answer straight to HOOK_URL.
 */
import express, { Router, type Request, type Response } from 'express';
import { hookUrlAllowed, parseOciLogin, type OciFields, type OciLogin } from '../../protocols/oci';
import { storeDocument } from '../documents/store';
import type { AppContext } from '../platform/context';
import { pgBadInput } from '../platform/http';
import { verifySecret } from '../platform/secrets';
import { findPartnerByIdentityCached, type PartnerRow } from '../partners/repository';
import { buildReturn, currentLines } from './cart-return';
import { sendErrorPage, setPageHeaders } from '../platform/pages';
import { frameAncestors, noSessionChrome } from './chrome';
import {
  addToCart,
  createSession,
  firstQuantity,
  QuantityRefused,
  searchItems,
  visibilityList,
} from './sessions';

function fieldsOf(req: Request): OciFields {
  const src = (req.method === 'POST' ? req.body : req.query) as Record<string, unknown> | undefined;
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(src ?? {})) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
  }
  return out;
}

/** The login as received, for the audit trail, with the password blanked out. */
function redacted(fields: OciFields): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    for (const one of typeof v === 'string' ? [v] : v)
      p.append(k, k.toUpperCase() === 'PASSWORD' ? '***' : one);
  }
  return p.toString();
}

/** The one text of a refused login, whether the USERNAME is unknown or the PASSWORD wrong. */
export const OCI_LOGIN_REFUSED = 'Unknown USERNAME or wrong PASSWORD';

/** GET and POST /oci: the OCI login. */
export function ociRoutes(ctx: AppContext): Router {
  const r = Router();
  const form = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 });
  const login = (req: Request, res: Response) => ociLogin(ctx, req, res);
  r.get('/oci', login);
  r.post('/oci', form, login);
  return r;
}

/** Records a refused login (password blanked) and answers the refusal page. */
async function refuse(
  ctx: AppContext,
  req: Request,
  res: Response,
  status: number,
  message: string,
  fields: OciFields,
  partner?: PartnerRow,
  /** What exactly was wrong, where `message` must not tell (a refused login): log and record only. */
  reason?: string,
): Promise<void> {
  if (reason) req.log.warn({ reason, address: req.ip }, 'OCI login refused');
  await storeDocument(ctx.db, {
    partnerId: partner?.id ?? null,
    protocol: 'oci',
    docType: 'OCILogin',
    direction: 'in',
    status: 'refused',
    contentType: 'application/x-www-form-urlencoded',
    content: redacted(fields),
    error: reason ?? message,
    ...(partner ? {} : { keepPrefix: ctx.config.REFUSAL_PREFIX_BYTES }),
  }).catch((err: unknown) => req.log.error({ err }, 'could not store refused OCI login'));
  // Framed by whoever framed the login (the SRM): the refused login names no partner's origins.
  sendErrorPage(res, noSessionChrome(ctx), { status, title: 'Catalog login refused', message });
}

/** One OCI login, a value Postgres refuses as data answered as a refused login. */
async function ociLogin(ctx: AppContext, req: Request, res: Response): Promise<void> {
  const fields = fieldsOf(req);
  try {
    await loginWith(ctx, req, res, fields);
  } catch (err) {
    // A value Postgres refuses as data (a NUL byte in USERNAME, PRODUCTID, SEARCHSTRING) is the
    // login's fault: the OCI refusal page, not the API's JSON error.
    const bad = pgBadInput(err);
    if (!bad || res.headersSent) throw err;
    await refuse(ctx, req, res, 400, bad.message, fields);
  }
}

/** Parses and authenticates the login, then opens the session or answers straight to HOOK_URL. */
async function loginWith(ctx: AppContext, req: Request, res: Response, fields: OciFields): Promise<void> {
  const parsed = parseOciLogin(fields);
  if (!parsed.ok) return refuse(ctx, req, res, 400, parsed.error.message, fields);
  const l: OciLogin = parsed.value;
  const partner = await findPartnerByIdentityCached(
    ctx.db,
    ctx.config.PARTNER_CACHE_MS,
    'oci',
    'username',
    l.username,
  );
  const ok = await verifySecret(l.password, partner?.oci_password_hash);
  if (!partner || !ok) {
    const reason = partner
      ? `wrong secret: PASSWORD does not match the one on file for partner ${partner.id}`
      : `unknown credential: no partner has the OCI USERNAME '${l.username.slice(0, 200)}'`;
    return refuse(ctx, req, res, 401, OCI_LOGIN_REFUSED, fields, partner, reason);
  }
  if (!hookUrlAllowed(l.hookUrl, partner.settings.oci?.hookUrlAllowlist ?? [])) {
    return refuse(ctx, req, res, 403, 'HOOK_URL is not on the allowlist of this account', fields, partner);
  }
  const base = sessionBase(partner, l);
  if (l.function === 'VALIDATE' || l.function === 'BACKGROUND_SEARCH') {
    return answerWithoutUser(ctx, res, partner, l, base);
  }
  const { startToken } = await createSession(ctx.db, ctx, base);
  res.redirect(303, `/punchout/start/${startToken}`);
}

/** The OCI fields the cart return sends back, as the login gave them. */
function returnFieldsOf(l: OciLogin) {
  return {
    ...(l.okCode !== undefined ? { okCode: l.okCode } : {}),
    ...(l.target !== undefined ? { target: l.target } : {}),
    ...(l.caller !== undefined ? { caller: l.caller } : {}),
    ...(l.returnTarget !== undefined ? { returnTarget: l.returnTarget } : {}),
    ...(l.function === 'DETAIL' || l.function === 'DETAILADD' ? { detailSku: l.productId } : {}),
    ...(l.function ? { function: l.function } : {}),
  };
}

/** The punchout session an authenticated login opens. */
function sessionBase(partner: PartnerRow, l: OciLogin) {
  return {
    partnerId: partner.id,
    protocol: 'oci' as const,
    operation: 'create' as const,
    returnUrl: l.hookUrl,
    returnTarget: l.target ?? null,
    returnFields: returnFieldsOf(l),
    userName: l.username,
  };
}

/** VALIDATE and BACKGROUND_SEARCH: no user interaction, the items go straight back to HOOK_URL. */
async function answerWithoutUser(
  ctx: AppContext,
  res: Response,
  partner: PartnerRow,
  l: OciLogin,
  base: ReturnType<typeof sessionBase>,
): Promise<void> {
  const page = await ctx.db.transaction(async (trx) => {
    const { session } = await createSession(trx, ctx, { ...base, state: 'transferred' });
    if (l.function === 'VALIDATE') {
      // A quantity the item's rules refuse validates as nothing (the cart comes back empty).
      await addToCart(trx, ctx, partner, session, l.productId ?? '', l.quantity ?? '1').catch((err) => {
        if (!(err instanceof QuantityRefused)) throw err;
      });
    } else {
      const onlyPriceList = visibilityList(partner);
      const { items } = await searchItems(trx, {
        q: l.searchString ?? '',
        ...(onlyPriceList ? { onlyPriceList } : {}),
        limit: 50,
        offset: 0,
      });
      for (const item of items) {
        await addToCart(trx, ctx, partner, session, item.sku, firstQuantity(item), {
          newLine: true,
        });
      }
    }
    return buildReturn(trx, ctx, partner, session, await currentLines(trx, session), 'Returning items');
  });
  setPageHeaders(res, {
    ancestors: frameAncestors(partner, l.hookUrl),
    formActions: [page.actionOrigin],
    scriptNonce: page.nonce,
  });
  res.type('html').send(page.html);
}
