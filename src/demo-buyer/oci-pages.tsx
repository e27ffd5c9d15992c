/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The demo buyer's OCI punchout (src/demo-buyer/oci.ts): start, the catalog call the frame posts to
 * the gateway, the HOOK_URL the cart comes back to, and the order of the returned cart. Each step
 * carries the browser's form token: the HOOK_URL in its path, since the catalog's form cannot know it.
 */
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { ComponentChildren } from 'preact';
import type { OciFields } from '../../protocols/oci';
import { DEMO_HOOK_PATH } from '../demo';
import type { AppContext } from '../platform/context';
import { formField, sendErrorPage, sendPage, setPageHeaders, type Chrome } from '../platform/pages';
import { demoHookUrl, fieldsOfText, ociLoginPage, readOciCart, submitOciOrder, textOfFields } from './oci';
import { Answer, OciCart, PunchoutFrame } from './views';

/** What the demo buyer's routes share with these. */
export interface DemoPageKit {
  chrome: Chrome;
  /** Parses a small form (the demo buyer's own). */
  form: RequestHandler;
  /** Refuses a request whose token is not the browser's. */
  checked: RequestHandler;
  token: (req: Request, res: Response) => string;
  home: (req: Request, res: Response, extra?: ComponentChildren) => Promise<void>;
}

function fieldsOf(body: unknown): OciFields {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
  }
  return out;
}

export function demoOciRoutes(ctx: AppContext, r: Router, kit: DemoPageKit): void {
  const { chrome, form, checked } = kit;
  // A cart of many lines has many NEW_ITEM fields (about 15 a line).
  const cartForm = express.urlencoded({ extended: false, limit: '512kb', parameterLimit: 5000 });

  r.post('/demo/buyer/punchout-oci', form, checked, (req, res) =>
    kit.home(req, res, <PunchoutFrame protocol="OCI" url={`/demo/buyer/oci-login/${kit.token(req, res)}`} />),
  );

  // Inside the frame: the catalog call, posted to the gateway's /oci at once.
  r.get('/demo/buyer/oci-login/:token', checked, (req, res) => {
    const page = ociLoginPage(ctx, demoHookUrl(ctx, String(req.params.token)));
    setPageHeaders(res, { ancestors: ["'self'"], formActions: [page.actionOrigin], scriptNonce: page.nonce });
    res.type('html').send(page.html);
  });

  // The HOOK_URL: the catalog's form posts the cart here, in the whole window (~TARGET=_top).
  r.post(`${DEMO_HOOK_PATH}/:token`, cartForm, checked, (req, res) => {
    const fields = fieldsOf(req.body);
    const read = readOciCart(fields);
    if (!read.ok) {
      return sendErrorPage(res, chrome, {
        status: 400,
        message: `The OCI cart could not be read: ${read.error.message} (${read.error.field}).`,
      });
    }
    sendPage(res, chrome, {
      title: 'Returned cart (OCI)',
      body: <OciCart cart={read.value} fields={textOfFields(fields)} csrf={kit.token(req, res)} />,
    });
  });

  r.post('/demo/buyer/order-oci', form, checked, async (req, res) => {
    const text = formField(req, 'oci');
    const read = readOciCart(fieldsOfText(typeof text === 'string' ? text : ''));
    if (!read.ok) return sendErrorPage(res, chrome, { status: 400, message: 'The cart could not be read.' });
    const { orderId, answer } = await submitOciOrder(ctx, read.value);
    await kit.home(req, res, <Answer answer={answer} orderId={orderId} />);
  });
}
