/**
 * The admin API of console users (admin token only): what `gateway users …` calls beside a running
 * gateway or with --server. A password goes in (chosen by the caller) and never comes out; the
 * answers carry the user without its hash.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { requireAuth } from '../partners/auth';
import { apiRoute } from '../platform/api';
import type { AppContext } from '../platform/context';
import { consoleUseCases } from './use-cases';
import { ADMIN_TOKEN_ACTOR, auditContext } from './audit';
import { passwordSchema, userInputSchema, USER_ROLES } from './users';

const userView = z.object({
  id: z.string(),
  username: z.string(),
  name: z.string().nullable(),
  roles: z.array(z.enum(USER_ROLES)),
  partners: z.array(z.string()).nullable(),
  disabled: z.boolean(),
  createdAt: z.string(),
  lastSignInAt: z.string().nullable(),
  passwordChangedAt: z.string(),
});

const tag = 'users';

/** The audit fields of a change made with the admin token. */
const optsOf = (ctx: AppContext, req: Request) => ({
  actor: ADMIN_TOKEN_ACTOR,
  now: ctx.now(),
  ...auditContext(req),
});

/** The username a route's path names. */
const name = (req: Request) => String(req.params.username);

/** The routes of the users admin API. */
export function userRoutes(ctx: AppContext): Router {
  const r = Router();
  userListRoutes(r, ctx);
  userChangeRoutes(r, ctx);
  return r;
}

/** Listing and creating users. */
function userListRoutes(r: Router, ctx: AppContext): void {
  const uc = consoleUseCases(ctx);
  const admin = [requireAuth(ctx, 'admin')];
  const opts = (req: Request) => optsOf(ctx, req);
  apiRoute(
    r,
    {
      method: 'get',
      path: '/api/v1/users',
      summary: 'Console users (never a password or its hash)',
      tag,
      auth: 'admin',
      response: z.object({ users: z.array(userView) }),
      use: admin,
    },
    async (_req, res) => {
      res.json({ users: await uc.listUsers() });
    },
  );
  apiRoute(
    r,
    {
      method: 'post',
      path: '/api/v1/users',
      summary: 'Create a console user with the password given (stored as a scrypt hash)',
      tag,
      auth: 'admin',
      body: userInputSchema.extend({ password: passwordSchema }),
      response: userView,
      status: 201,
      use: admin,
    },
    async (req, res, { body }) => {
      const { password, ...input } = body;
      res.status(201).json(await uc.createUser(input, password, opts(req)));
    },
  );
}

/** Changes to one user: password, disable, enable, roles. */
function userChangeRoutes(r: Router, ctx: AppContext): void {
  const uc = consoleUseCases(ctx);
  const admin = [requireAuth(ctx, 'admin')];
  const opts = (req: Request) => optsOf(ctx, req);
  apiRoute(
    r,
    {
      method: 'post',
      path: '/api/v1/users/:username/password',
      summary: "Set a user's password (its sessions end)",
      tag,
      auth: 'admin',
      body: z.object({ password: passwordSchema }),
      response: userView,
      use: admin,
    },
    async (req, res, { body }) => {
      res.json(await uc.setPassword(name(req), body.password, opts(req)));
    },
  );
  apiRoute(
    r,
    {
      method: 'post',
      path: '/api/v1/users/:username/disable',
      summary: 'Disable a user (its sessions end; the user stays for the audit log)',
      tag,
      auth: 'admin',
      response: userView,
      use: admin,
    },
    async (req, res) => {
      res.json(await uc.disableUser(name(req), opts(req)));
    },
  );
  apiRoute(
    r,
    {
      method: 'post',
      path: '/api/v1/users/:username/enable',
      summary: 'Enable a disabled user',
      tag,
      auth: 'admin',
      response: userView,
      use: admin,
    },
    async (req, res) => {
      res.json(await uc.enableUser(name(req), opts(req)));
    },
  );
  apiRoute(
    r,
    {
      method: 'put',
      path: '/api/v1/users/:username/roles',
      summary: "Replace a user's roles and partner limits",
      tag,
      auth: 'admin',
      body: userInputSchema.pick({ roles: true, partners: true }),
      response: userView,
      use: admin,
    },
    async (req, res, { body }) => {
      res.json(await uc.setRoles(name(req), body, opts(req)));
    },
  );
}
