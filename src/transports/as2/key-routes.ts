import { Router } from 'express';
import { z } from 'zod';
import { apiRoute } from '../../platform/api';
import type { AppContext } from '../../platform/context';
import { requireAuth } from '../../partners/auth';
import { importSupplierKey, listSupplierKeys, retireSupplierKey } from './keys';

const keyView = z.object({
  id: z.string(),
  fingerprintSha256: z.string(),
  subject: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  createdAt: z.string(),
  retiredAt: z.string().nullable(),
  certificatePem: z.string(),
});

/**
 * The supplier's AS2 key pairs (admin): import (PEM with certificate and private key, or PKCS#12 in
 * base64 with its password), list (certificates only: the private key is never answered), retire.
 */
export function as2KeyRoutes(ctx: AppContext): Router {
  const r = Router();
  apiRoute(
    r,
    {
      method: 'post',
      path: '/api/v1/as2/keys',
      summary: "Import a key pair of the supplier's AS2 station (PEM or PKCS#12)",
      tag: 'as2',
      auth: 'admin',
      body: z
        .object({
          pem: z.string().min(1).max(100_000).optional(),
          pkcs12: z.string().min(1).max(200_000).optional(),
          password: z.string().max(1000).optional(),
        })
        .refine((b) => (b.pem === undefined) !== (b.pkcs12 === undefined), 'give either pem or pkcs12'),
      response: keyView,
      use: [requireAuth(ctx, 'admin')],
    },
    async (_req, res, { body }) => {
      res.status(201).json(await importSupplierKey(ctx.db, ctx.config, body));
    },
  );
  apiRoute(
    r,
    {
      method: 'get',
      path: '/api/v1/as2/keys',
      summary: "The supplier's AS2 key pairs (their certificates), newest first",
      tag: 'as2',
      auth: 'admin',
      response: z.object({ items: z.array(keyView) }),
      use: [requireAuth(ctx, 'admin')],
    },
    async (_req, res) => {
      res.json({ items: await listSupplierKeys(ctx.db) });
    },
  );
  apiRoute(
    r,
    {
      method: 'post',
      path: '/api/v1/as2/keys/:keyId/retire',
      summary: 'Retire an AS2 key pair: it no longer decrypts or signs',
      tag: 'as2',
      auth: 'admin',
      response: keyView,
      use: [requireAuth(ctx, 'admin')],
    },
    async (req, res) => {
      res.json(await retireSupplierKey(ctx.db, String(req.params.keyId)));
    },
  );
  return r;
}
