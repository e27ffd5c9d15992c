import express, { Router, type Request, type Response } from 'express';
import { toHeaders } from '../../../protocols/as2';
import type { AppContext } from '../../platform/context';
import { receiveAs2 } from './inbound';

/**
 * POST /as2 and POST /as2/:partner: inbound AS2 messages (src/transports/as2/inbound.ts). The body
 * is read raw, at most MAX_BODY_BYTES (413 above); the answer is the MDN (or an empty 200 when none
 * was asked for, or it goes asynchronously), a plain-text 400 when the request has no AS2 headers
 * to address an MDN to.
 */
export function as2Routes(ctx: AppContext): Router {
  const r = Router();
  const raw = express.raw({ type: () => true, limit: ctx.config.MAX_BODY_BYTES });
  const handle = async (req: Request, res: Response) => {
    const body: unknown = req.body;
    const a = await receiveAs2(ctx, {
      headers: toHeaders(req.headers),
      body: Buffer.isBuffer(body) ? body : Buffer.alloc(0),
      ...(req.params.partner ? { pathPartner: String(req.params.partner) } : {}),
      ...(req.ip ? { address: req.ip } : {}),
    });
    res.status(a.status);
    for (const [name, value] of a.headers) res.setHeader(name, value);
    res.end(a.body);
  };
  r.post('/as2', raw, handle);
  r.post('/as2/:partner', raw, handle);
  return r;
}
