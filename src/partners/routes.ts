import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { apiRoute } from '../platform/api';
import type { AppContext } from '../platform/context';
import { AppError } from '../platform/errors';
import { requireAuth } from './auth';
import { partnerInputSchema, partnerOutputSchema } from './schema';
import { partnerView } from './service';
import { partnerUseCases } from './use-cases';

const tag = 'partners';
const rotatedKey = z.object({ id: z.string(), key: z.string(), role: z.string(), revoked: z.string() });
const keyView = z.object({
  id: z.string(),
  partnerId: z.string(),
  role: z.enum(['erp', 'finance']),
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

export function partnerRoutes(ctx: AppContext): Router {
  const r = Router();
  const admin = [requireAuth(ctx, 'admin')];
  const partners = partnerUseCases(ctx);
  partnerWriteRoutes(r, admin, partners);
  partnerReadRoutes(r, admin, partners);
  apiKeyRoutes(r, admin, partners);
  apiKeyChangeRoutes(r, admin, partners);
  return r;
}

type Admin = RequestHandler[];
type Partners = ReturnType<typeof partnerUseCases>;

/** Partners: create or replace, delete. */
function partnerWriteRoutes(r: Router, admin: Admin, partners: Partners): void {
  apiRoute(
    r,
    {
      method: 'post',
      path: '/api/v1/partners',
      summary: 'Create or replace a partner',
      tag,
      auth: 'admin',
      body: partnerInputSchema,
      response: partnerOutputSchema,
      use: admin,
    },
    async (_req, res, { body }) => {
      const { partner, created } = await partners.save(body);
      res.status(created ? 201 : 200).json(partnerView(partner));
    },
  );
  apiRoute(
    r,
    {
      method: 'put',
      path: '/api/v1/partners/:id',
      summary: 'Create or replace a partner',
      tag,
      auth: 'admin',
      body: partnerInputSchema.partial({ id: true }),
      response: partnerOutputSchema,
      use: admin,
    },
    async (req, res, { body }) => {
      const id = String(req.params.id);
      if (body.id !== undefined && body.id !== id) {
        throw new AppError('validation_failed', `body id "${body.id}" differs from the URL id "${id}"`);
      }
      const { partner, created } = await partners.save(partnerInputSchema.parse({ ...body, id }));
      res.status(created ? 201 : 200).json(partnerView(partner));
    },
  );
  apiRoute(
    r,
    {
      method: 'delete',
      path: '/api/v1/partners/:id',
      summary: 'Delete a partner (its documents stay)',
      tag,
      auth: 'admin',
      status: 204,
      use: admin,
    },
    async (req, res) => {
      await partners.remove(String(req.params.id));
      res.status(204).end();
    },
  );
}

/** Partners: the list and one. */
function partnerReadRoutes(r: Router, admin: Admin, partners: Partners): void {
  apiRoute(
    r,
    {
      method: 'get',
      path: '/api/v1/partners',
      summary: 'List partners',
      tag,
      auth: 'admin',
      response: z.object({ partners: z.array(partnerOutputSchema) }),
      use: admin,
    },
    async (_req, res) => {
      res.json({ partners: (await partners.list()).map(partnerView) });
    },
  );
  apiRoute(
    r,
    {
      method: 'get',
      path: '/api/v1/partners/:id',
      summary: 'One partner',
      tag,
      auth: 'admin',
      response: partnerOutputSchema,
      use: admin,
    },
    async (req, res) => {
      res.json(partnerView(await partners.get(String(req.params.id))));
    },
  );
}

/** A partner's API keys: create (shown once) and list. */
function apiKeyRoutes(r: Router, admin: Admin, partners: Partners): void {
  apiRoute(
    r,
    {
      method: 'post',
      path: '/api/v1/partners/:id/api-keys',
      summary: 'Issue a partner API key (shown once)',
      tag,
      auth: 'admin',
      body: z.object({ role: z.enum(['erp', 'finance']) }),
      response: z.object({ id: z.string(), key: z.string(), role: z.string() }),
      status: 201,
      use: admin,
    },
    async (req, res, { body }) => {
      const { id, key } = await partners.createKey(String(req.params.id), body.role);
      res.status(201).json({ id, key, role: body.role });
    },
  );
  apiRoute(
    r,
    {
      method: 'get',
      path: '/api/v1/partners/:id/api-keys',
      summary: "A partner's API keys: prefix, role, created, last used, revoked (never the key)",
      tag,
      auth: 'admin',
      response: z.object({ apiKeys: z.array(keyView) }),
      use: admin,
    },
    async (req, res) => {
      res.json({ apiKeys: await partners.listKeys(String(req.params.id)) });
    },
  );
}

/** Revoking and rotating API keys. */
function apiKeyChangeRoutes(r: Router, admin: Admin, partners: Partners): void {
  apiRoute(
    r,
    {
      method: 'delete',
      path: '/api/v1/partners/:id/api-keys/:keyId',
      summary: 'Revoke an API key (at once here; other processes within PARTNER_CACHE_MS)',
      tag,
      auth: 'admin',
      response: keyView,
      use: admin,
    },
    async (req, res) => {
      res.json(await partners.revokeKey(String(req.params.keyId), String(req.params.id)));
    },
  );
  apiRoute(
    r,
    {
      method: 'post',
      path: '/api/v1/partners/:id/api-keys/:keyId/rotate',
      summary: 'Issue a new key of the same role and revoke this one (the new key is shown once)',
      tag,
      auth: 'admin',
      response: rotatedKey,
      status: 201,
      use: admin,
    },
    async (req, res) => {
      res.status(201).json(await partners.rotateKey(String(req.params.keyId), String(req.params.id)));
    },
  );
  apiRoute(
    r,
    {
      method: 'delete',
      path: '/api/v1/api-keys/:keyId',
      summary: 'Revoke an API key by its id',
      tag,
      auth: 'admin',
      response: keyView,
      use: admin,
    },
    async (req, res) => {
      res.json(await partners.revokeKey(String(req.params.keyId)));
    },
  );
  apiRoute(
    r,
    {
      method: 'post',
      path: '/api/v1/api-keys/:keyId/rotate',
      summary: 'Rotate an API key by its id (the new key is shown once)',
      tag,
      auth: 'admin',
      response: rotatedKey,
      status: 201,
      use: admin,
    },
    async (req, res) => {
      res.status(201).json(await partners.rotateKey(String(req.params.keyId)));
    },
  );
}
