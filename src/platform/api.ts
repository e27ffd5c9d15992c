import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';

type Method = 'get' | 'post' | 'put' | 'delete';

export interface RouteSpec<B extends z.ZodType = z.ZodType, Qy extends z.ZodType = z.ZodType> {
  method: Method;
  /** Express path, e.g. /api/v1/partners/:id */
  path: string;
  summary: string;
  tag: string;
  /** Who may call it (for the OpenAPI document; enforcement is the `use` middleware). */
  auth: 'admin' | 'partner' | 'admin or partner' | 'none';
  body?: B;
  /** The handler validates the body itself (row-by-row imports): `body` only documents it. */
  bodyValidatedByHandler?: boolean;
  /** Non-JSON request bodies this route also accepts (e.g. text/csv). */
  bodyContentTypes?: string[];
  query?: Qy;
  response?: z.ZodType;
  responseContentType?: string;
  status?: number;
  use?: RequestHandler[];
}

const registered: RouteSpec[] = [];

/**
 * Declares a JSON endpoint once: the same zod schemas validate the request and describe it in
 * /api/v1/openapi.json.
 */
export function apiRoute<B extends z.ZodType, Qy extends z.ZodType>(
  router: Router,
  spec: RouteSpec<B, Qy>,
  handler: (req: Request, res: Response, input: { body: z.infer<B>; query: z.infer<Qy> }) => Promise<void>,
): void {
  if (!registered.some((r) => r.method === spec.method && r.path === spec.path)) registered.push(spec);
  const run: RequestHandler = async (req, res) => {
    // Runs after `use` (authentication included): only now is a JSON body read and parsed.
    if (req.readJsonBody) await req.readJsonBody();
    const isJson = req.is('application/json') || spec.bodyContentTypes === undefined;
    const body =
      spec.body && isJson && !spec.bodyValidatedByHandler
        ? spec.body.parse(req.body ?? {})
        : (req.body as unknown);
    const query = spec.query ? spec.query.parse(req.query) : req.query;
    await handler(req, res, { body, query } as { body: z.infer<B>; query: z.infer<Qy> });
  };
  router[spec.method](spec.path, ...(spec.use ?? []), run);
}

function schema(s: z.ZodType): unknown {
  return z.toJSONSchema(s, { unrepresentable: 'any', io: 'input' });
}

export function openApiDocument(info: { title: string; version: string; serverUrl: string }): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of registered) {
    const p = r.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    const params = [...r.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const queryParams: unknown[] = [];
    if (r.query && r.query instanceof z.ZodObject) {
      for (const [name, s] of Object.entries<z.ZodType>(r.query.shape)) {
        queryParams.push({ name, in: 'query', required: !s.safeParse(undefined).success, schema: schema(s) });
      }
    }
    const content: Record<string, unknown> = {};
    if (r.body) content['application/json'] = { schema: schema(r.body) };
    for (const ct of r.bodyContentTypes ?? []) content[ct] = { schema: { type: 'string' } };
    const responseContent = r.response
      ? { [r.responseContentType ?? 'application/json']: { schema: schema(r.response) } }
      : r.responseContentType
        ? { [r.responseContentType]: { schema: { type: 'string' } } }
        : undefined;
    paths[p] ??= {};
    paths[p][r.method] = {
      summary: r.summary,
      tags: [r.tag],
      security: r.auth === 'none' ? [] : [{ bearer: [] }],
      description: `Authorization: ${r.auth}`,
      parameters: [...params, ...queryParams],
      ...(Object.keys(content).length ? { requestBody: { required: true, content } } : {}),
      responses: {
        [String(r.status ?? 200)]: {
          description: 'OK',
          ...(responseContent ? { content: responseContent } : {}),
        },
        default: {
          description: 'Error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version },
    servers: [{ url: info.serverUrl }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message', 'requestId'],
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                requestId: { type: 'string' },
                details: { type: 'array' },
              },
            },
          },
        },
      },
    },
  };
}

/** Cursor/offset paging query shared by list endpoints. */
export const pagingQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
};
