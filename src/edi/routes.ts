import express, { Router } from 'express';
import type { AppContext } from '../platform/context';
import { AppError } from '../platform/errors';
import { partnerScope, requireAuth } from '../partners/auth';
import { ingestX12, X12_CONTENT_TYPE } from './intake';

/**
 * POST /edi/x12: an X12 interchange from a partner's ERP (its ERP key; the ISA sender must be the
 * key's partner, else 403). Answers with the TA1 and/or 997/999 interchange (see src/edi/intake.ts);
 * 204 without a body for acknowledgments, which are never answered; a resent interchange gets the
 * first answer byte for byte.
 */
export function ediRoutes(ctx: AppContext): Router {
  const r = Router();
  const raw = express.raw({ type: () => true, limit: ctx.config.MAX_BODY_BYTES });
  r.post('/edi/x12', requireAuth(ctx, 'erp'), raw, async (req, res) => {
    const body: unknown = req.body;
    if (!Buffer.isBuffer(body) || body.length === 0) {
      throw new AppError('malformed_document', 'empty body: expected an X12 interchange starting with ISA', {
        details: [{ path: 'ISA (segment 1)', message: 'the input is empty' }],
      });
    }
    const result = await ingestX12(ctx, body, { scopePartnerId: partnerScope(req), actor: 'erp:x12' });
    // An interchange of acknowledgments (997/999/TA1) is recorded and never answered.
    if (result.ack.length === 0) res.status(204).end();
    else res.status(200).type(X12_CONTENT_TYPE).send(result.ack);
  });
  // The admin's file drop over HTTP (`gateway edi ingest --server URL`, and the CLI beside a running
  // embedded server): one interchange per request, its partner taken from the ISA sender, the same
  // intake as POST /edi/x12; answered with what happened instead of the acknowledgment's bytes.
  r.post('/api/v1/edi/interchanges', requireAuth(ctx, 'admin'), raw, async (req, res) => {
    const body: unknown = req.body;
    if (!Buffer.isBuffer(body) || body.length === 0)
      throw new AppError('malformed_document', 'empty body: expected an X12 interchange starting with ISA');
    const { ack, ...result } = await ingestX12(ctx, body, { actor: 'admin:edi-ingest' });
    res.json({ ...result, ackBytes: ack.length });
  });
  return r;
}
