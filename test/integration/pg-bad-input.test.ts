/**
 * Issue 12 point 9, real Postgres over HTTP: a value from a request that Postgres refuses as data
 * (a NUL byte, bad UTF-8, a non-UUID where a uuid column is compared, a date out of range) is the
 * client's mistake: a 400 naming the kind of value, never a 500 and never the SQL. Where a route
 * can tell before the database (cart line ids, SupplierPartAuxiliaryID), it does.
 */
import type { Express } from 'express';
import knexFactory from 'knex';
import request from 'supertest';
import { createApp } from '../../src/app';
import express from 'express';
import { jsonErrorHandler, pgBadInput, toAppError } from '../../src/platform/http';
import { ADMIN_TOKEN, auth, createTestEnv, type TestEnv } from '../helpers/env';
import { itemOut, OCI_PASSWORD, OCI_USER, seedShop, setupRequest, startPath } from './punchout/helpers';

let t: TestEnv;
let app: Express;
let erpKey: string;

beforeAll(async () => {
  t = await createTestEnv({ start: false });
  ({ erpKey } = await seedShop(t.db));
  app = createApp(t.ctx);
});
afterAll(async () => {
  await t?.close();
});

const ZEROS36 = '0'.repeat(36);

async function openShop(o: Parameters<typeof setupRequest>[0] = {}) {
  const res = await request(app).post('/cxml').set('Content-Type', 'text/xml').send(setupRequest(o));
  expect(res.status).toBe(200);
  const start = await request(app).get(startPath(res.text));
  expect(start.status).toBe(303);
  const base = start.headers.location as string;
  const cart = await request(app).get(`${base}cart`);
  const csrf = /name="csrf" value="([^"]+)"/.exec(cart.text)?.[1] as string;
  return { base, csrf };
}

function expectClean400(res: request.Response) {
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('bad_request');
  expect(res.body.error.message).toMatch(/^malformed request: /);
  expect(res.text).not.toMatch(/select|update|where|partners|\$1/i);
}

describe('Postgres data exceptions caused by request values are 400', () => {
  it('a NUL byte or bad UTF-8 in a partner id path segment (22021)', async () => {
    for (const id of ['%00', 'a%00b']) {
      for (const method of ['get', 'delete'] as const) {
        const res = await request(app)[method](`/api/v1/partners/${id}`).set(auth(ADMIN_TOKEN));
        expectClean400(res);
        expect(res.body.error.message).toContain('NUL byte');
      }
      expectClean400(await request(app).get(`/api/v1/partners/${id}/api-keys`).set(auth(ADMIN_TOKEN)));
    }
  });

  it('a NUL byte in a shopping page search or item path is 400, the session goes on', async () => {
    const { base } = await openShop({ buyerCookie: 'nul-search' });
    const search = await request(app).get(`${base}search?q=chair%00`);
    expect(search.status).toBe(400);
    expect(search.text).not.toMatch(/select|catalog_items/);
    expect((await request(app).get(`${base}item/CHR%00`)).status).toBe(400);
    expect((await request(app).get(`${base}search?q=chair`)).status).toBe(200);
  });

  it('a NUL byte in OCI login fields is the OCI refusal page (400), stored as a refused login', async () => {
    const hook = 'https://srm.acme.example/return';
    for (const fields of [
      { USERNAME: '\u0000', PASSWORD: OCI_PASSWORD, HOOK_URL: hook },
      {
        USERNAME: OCI_USER,
        PASSWORD: OCI_PASSWORD,
        HOOK_URL: hook,
        FUNCTION: 'VALIDATE',
        PRODUCTID: 'a\u0000',
      },
      {
        USERNAME: OCI_USER,
        PASSWORD: OCI_PASSWORD,
        HOOK_URL: hook,
        FUNCTION: 'BACKGROUND_SEARCH',
        SEARCHSTRING: '\u0000',
      },
    ]) {
      const before = await t.db('documents').where({ protocol: 'oci', status: 'refused' }).count('* as n');
      const sessions = await t.db('punchout_sessions').count('* as n');
      const res = await request(app).post('/oci').type('form').send(fields);
      expect(res.status).toBe(400);
      expect(res.type).toBe('text/html');
      expect(res.text).toContain('Catalog login refused');
      expect(res.text).toContain('NUL byte');
      const after = await t.db('documents').where({ protocol: 'oci', status: 'refused' }).count('* as n');
      expect(Number(after[0]!.n)).toBe(Number(before[0]!.n) + 1);
      expect(await t.db('punchout_sessions').count('* as n')).toEqual(sessions);
    }
  });

  it('non-UUID cart line ids in remove/update are "no such line", not a database error', async () => {
    const { base, csrf } = await openShop({ buyerCookie: 'bad-line' });
    await request(app).post(`${base}cart/add`).type('form').send({ csrf, sku: 'CHR-ERG-01', quantity: '1' });
    for (const line of ['not-a-uuid', ZEROS36, '', 'x'.repeat(300)]) {
      for (const op of ['remove', 'update']) {
        const res = await request(app)
          .post(`${base}cart/${op}`)
          .type('form')
          .send({ csrf, line, quantity: '2' });
        expect(res.status).toBeLessThan(400);
      }
    }
    const cart = await request(app).get(`${base}cart`);
    expect(cart.status).toBe(200);
    expect(cart.text).toContain('data-sku="CHR-ERG-01"');
  });

  it('edit setup with a 36-zero / non-UUID SupplierPartAuxiliaryID restores by SKU', async () => {
    const items = itemOut(1, 'CHR-ERG-01', '1', ZEROS36) + itemOut(2, 'PEN-BLU-12', '2', 'z'.repeat(36));
    const { base } = await openShop({ operation: 'edit', itemsXml: items, buyerCookie: 'edit-zeros' });
    const cart = await request(app).get(`${base}cart`);
    expect([...cart.text.matchAll(/<tr data-sku="([^"]+)"/g)].map((m) => m[1])).toEqual([
      'CHR-ERG-01',
      'PEN-BLU-12',
    ]);
  });

  it('malformed dates in list queries are refused before the database', async () => {
    for (const from of ['garbage', '2026-02-30T00:00:00Z', '%00']) {
      const orders = await request(app).get(`/api/v1/orders?from=${from}`).set(auth(erpKey));
      expect(orders.status).toBe(400);
      const docs = await request(app).get(`/api/v1/documents?from=${from}`).set(auth(ADMIN_TOKEN));
      expect(docs.status).toBe(400);
    }
  });

  it('every listed SQLSTATE maps to bad_request without quoting the statement; others stay internal', async () => {
    for (const [sql, code] of [
      [`select 'not-a-uuid'::uuid`, '22P02'],
      [`select '2026-13-45'::date`, '22008'],
      [`select 'garbage'::timestamptz`, '22007'],
      [`select 99999999999::int4`, '22003'],
      [`do $$ declare v varchar(2); begin v := 'abc'; end $$`, '22001'],
      [`select convert_from('\\xc328'::bytea, 'UTF8')`, '22021'],
    ] as const) {
      const err = await t.db.raw(sql).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((err as { code: string }).code).toBe(code);
      const mapped = toAppError(err);
      expect(mapped.httpStatus).toBe(400);
      expect(mapped.message).not.toContain('select');
    }
    const other = await t.db.raw('select * from no_such_table').catch((e: unknown) => e);
    expect(pgBadInput(other)).toBeUndefined();
    expect(toAppError(other).httpStatus).toBe(500);
  });

  it('no pooled connection in time is 503 unavailable, retryable, not a 500', async () => {
    const tight = knexFactory({
      client: 'pg',
      connection: t.ctx.config.DATABASE_URL,
      pool: { min: 0, max: 1 },
      acquireConnectionTimeout: 200,
    });
    try {
      await tight.transaction(async (trx) => {
        await trx.raw('select 1');
        const err = await tight.raw('select 1').catch((e: unknown) => e);
        const mapped = toAppError(err);
        expect(mapped.httpStatus).toBe(503);
        expect(mapped.code).toBe('unavailable');
        expect(mapped.retryable).toBe(true);
      });
    } finally {
      await tight.destroy();
    }
  });

  it('a connection cut under a statement (pg_terminate_backend) and a deadlock are 503 unavailable, not 500', async () => {
    const victim = knexFactory({
      client: 'pg',
      connection: t.ctx.config.DATABASE_URL,
      pool: { min: 0, max: 1 },
    });
    try {
      const pid = (await victim.raw('select pg_backend_pid() as pid')).rows[0].pid;
      const slow = victim.raw('select pg_sleep(5)').catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 200));
      await t.db.raw('select pg_terminate_backend(?)', [pid]);
      const mapped = toAppError(await slow);
      expect(mapped.httpStatus).toBe(503);
      expect(mapped.code).toBe('unavailable');
    } finally {
      await victim.destroy();
    }
    expect(toAppError(Object.assign(new Error('deadlock detected'), { code: '40P01' })).httpStatus).toBe(503);
    expect(toAppError(Object.assign(new Error('could not serialize'), { code: '40001' })).httpStatus).toBe(
      503,
    );
  });

  it('the JSON error handler answers an unavailable database 503 with the configured Retry-After', async () => {
    const app = express();
    app.get('/x', () => {
      throw Object.assign(new Error('Knex: Timeout acquiring a connection'), { name: 'KnexTimeoutError' });
    });
    app.use(jsonErrorHandler(7));
    const res = await request(app).get('/x');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.body.error.code).toBe('unavailable');
  });
});
