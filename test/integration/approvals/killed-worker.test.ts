import { spawn } from 'node:child_process';
import { evaluateJob } from '../../../src/approvals/jobs';
import path from 'node:path';
import { waitFor } from '../../helpers/env';
import { enqueueInTx } from '../../../src/platform/outbox';
import { orderRequestXml, postCxml } from '../orders/helpers';
import { outboxJobsDone, setupApprovals } from './helpers';

let s: Awaited<ReturnType<typeof setupApprovals>>;
beforeAll(async () => {
  s = await setupApprovals();
}, 60000);
afterAll(async () => {
  await s.close();
});

it('a worker process killed in the middle of an evaluation approves nothing; the redelivered job approves once and the buyer gets one confirmation', async () => {
  await postCxml(s.t.app, orderRequestXml({ payloadId: 'p-k0@buyer', orderId: 'PO-K0' })).expect(200);
  const first = await s.t.env.db('orders').where({ buyer_order_number: 'PO-K0' }).first('id');
  await waitFor(
    async () => (await s.t.env.db('orders').where({ id: first.id }).first('state')).state === 'confirmed',
    15000,
    'first order confirmed',
  );
  // An accepted order whose evaluation job is not queued yet (a copy of the first).
  const id = '00000000-0000-4000-8000-0000000000a1';
  await s.t.env.db.raw(
    `insert into orders (id, partner_id, buyer_order_number, version, state, type, source_protocol, source_payload_id,
       currency, total, order_date, canonical, flags)
     select ?, partner_id, 'PO-K1', 1, 'received', type, source_protocol, 'p-k1@buyer', currency, total, order_date,
       canonical, '[]'::jsonb from orders where id = ?`,
    [id, first.id],
  );

  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'killed-worker.child.ts'), s.t.env.config.DATABASE_URL!, id],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await waitFor(() => out.includes('evaluated'), 30000, 'child evaluating');
  expect(out).toContain('evaluated auto_approved'); // approved, confirmed, confirmation queued: uncommitted
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGKILL');
  await exited;

  await waitFor(
    async () =>
      (
        await s.t.env.db.raw(
          "select count(*)::int as n from pg_stat_activity where datname = current_database() and state = 'idle in transaction'",
        )
      ).rows[0].n === 0,
    15000,
    'the killed transaction to be gone',
  );
  expect((await s.t.env.db('orders').where({ id }).first('state')).state).toBe('received');
  expect(await s.t.env.db('documents').where({ order_id: id })).toHaveLength(0);

  // The job is delivered (twice) to the real BullMQ worker.
  await s.t.env.db.transaction(async (trx) => {
    await enqueueInTx(trx, evaluateJob, { orderId: id, version: 1 });
    await enqueueInTx(trx, evaluateJob, { orderId: id, version: 1 });
  });
  await waitFor(
    () => s.buyer.received.filter((r) => r.body.includes('orderID="PO-K1"')).length > 0,
    15000,
    'confirmation at buyer',
  );
  await waitFor(
    () => outboxJobsDone(s.t.env, 'approvals.evaluate', 'orderId', id),
    15000,
    'both deliveries run',
  );
  expect((await s.t.env.db('orders').where({ id }).first('state')).state).toBe('confirmed');
  expect(await s.t.env.db('order_events').where({ order_id: id, event: 'approve' })).toHaveLength(1);
  expect(
    await s.t.env.db('documents').where({ order_id: id, doc_type: 'ConfirmationRequest', direction: 'out' }),
  ).toHaveLength(1);
}, 90000);
