import request from 'supertest';
import { evaluateJob } from '../../../src/approvals/jobs';
import { ADMIN_TOKEN, auth, waitFor } from '../../helpers/env';
import { orderRequestXml, postCxml } from '../orders/helpers';
import { enqueueInTx } from '../../../src/platform/outbox';
import { evaluateOrder } from '../../../src/approvals/service';
import { outboxJobsDone, setRules, setupApprovals, TWO_LEVELS, type Mail } from './helpers';

let s: Awaited<ReturnType<typeof setupApprovals>>;
beforeAll(async () => {
  s = await setupApprovals();
}, 60000);
afterAll(async () => {
  await s.close();
});

let seq = 0;
/** Posts an OrderRequest for `chairs` chairs (259.00 each) and returns the order id. */
async function placeOrder(chairs: string): Promise<{ id: string; number: string }> {
  seq += 1;
  const number = `PO-AP-${seq}`;
  const res = await postCxml(
    s.t.app,
    orderRequestXml({
      payloadId: `p-ap-${seq}@buyer`,
      orderId: number,
      lines: [{ sku: 'CHR-ERG-01', quantity: chairs, price: '259.00' }],
    }),
  );
  expect(res.status).toBe(200);
  const row = await s.t.env.db('orders').where({ buyer_order_number: number }).first('id');
  return { id: row.id, number };
}

const db = () => s.t.env.db;
const orderState = async (id: string) => (await db()('orders').where({ id }).first('state')).state as string;
const waitState = (id: string, state: string) =>
  waitFor(async () => (await orderState(id)) === state, 15000, `order ${id} ${state}`);
const pendingLevel = (orderId: string, level: number) =>
  waitFor(
    () => db()('approvals').where({ order_id: orderId, level, status: 'pending' }).first(),
    15000,
    `level ${level} open`,
  );
const confirmations = (number: string) =>
  s.buyer.received.filter(
    (r) => r.body.includes('ConfirmationRequest') && r.body.includes(`orderID="${number}"`),
  );
const mailsTo = (addr: string, number: string): Mail[] =>
  s.smtp.mails.filter((m) => m.to.includes(addr) && m.raw.includes(number));

describe('approval workflow (real Postgres, Redis, BullMQ worker, SMTP)', () => {
  it('auto-approves an order below the amount: approved, confirmed, and the buyer gets one accept ConfirmationRequest', async () => {
    const o = await placeOrder('2');
    await waitState(o.id, 'confirmed');
    const events = await db()('order_events').where({ order_id: o.id }).orderBy('id');
    expect(events.map((e) => [e.event, e.to_state, e.actor])).toEqual([
      ['create', 'received', 'cxml:acme'],
      ['approve', 'approved', 'system:approvals'],
      ['confirm', 'confirmed', 'system:approvals'],
    ]);
    expect(events[1].reason).toMatch(/auto-approved: total below 5000.00 USD/);
    await waitFor(() => confirmations(o.number).length === 1, 15000, 'confirmation at buyer');
    expect(confirmations(o.number)[0]!.body).toMatch(/<ConfirmationHeader[^>]*type="accept"/);
    expect(await db()('approvals').where({ order_id: o.id })).toHaveLength(0);
  });

  it('two levels: level 1 approval opens level 2 and e-mails its approver; level 2 approval confirms', async () => {
    const o = await placeOrder('300'); // 77,700.00 USD
    const l1 = await pendingLevel(o.id, 1);
    expect(await orderState(o.id)).toBe('pending_approval');
    expect(await db()('approvals').where({ order_id: o.id, level: 2 }).first('status')).toEqual({
      status: 'waiting',
    });
    await waitFor(
      () => mailsTo('sales-manager@supplier.example', o.number).length > 0,
      15000,
      'level 1 mail',
    );

    const r1 = await request(s.t.app)
      .post(`/api/v1/approvals/${l1.id}/approve`)
      .set(auth(ADMIN_TOKEN))
      .send({ comment: 'customer is good for it' });
    expect(r1.status).toBe(200);
    expect(r1.body).toMatchObject({ status: 'approved', decidedBy: 'admin', level: 1 });
    const l2 = await pendingLevel(o.id, 2);
    expect(await orderState(o.id)).toBe('pending_approval');
    await waitFor(() => mailsTo('cfo@supplier.example', o.number).length > 0, 15000, 'level 2 mail');

    const list = await request(s.t.app).get('/api/v1/approvals?status=pending').set(auth(ADMIN_TOKEN));
    expect(list.status).toBe(200);
    expect(list.body.approvals.map((a: { id: string }) => a.id)).toContain(l2.id);
    expect(list.body.approvals.map((a: { id: string }) => a.id)).not.toContain(l1.id);
    const listed = list.body.approvals.find((a: { id: string }) => a.id === l2.id);
    expect(listed.supplierOrderNumber).toBe(
      (await db()('orders').where({ id: o.id }).first('supplier_order_number')).supplier_order_number,
    );
    expect(listed.supplierOrderNumber).toMatch(/^SO-\d+$/);

    const r2 = await request(s.t.app)
      .post(`/api/v1/approvals/${l2.id}/approve`)
      .set(auth(ADMIN_TOKEN))
      .send({});
    expect(r2.status).toBe(200);
    expect(await orderState(o.id)).toBe('confirmed');
    const approve = await db()('order_events').where({ order_id: o.id, event: 'approve' }).first();
    expect(approve).toMatchObject({ actor: 'admin', reason: 'approved at level 2' });
    await waitFor(() => confirmations(o.number).length === 1, 15000, 'confirmation at buyer');
    expect(confirmations(o.number)[0]!.body).toMatch(/type="accept"/);
  });

  it('a rejection at level 2 rejects the order and sends the buyer a reject confirmation with the reason', async () => {
    const o = await placeOrder('300');
    const l1 = await pendingLevel(o.id, 1);
    await request(s.t.app)
      .post(`/api/v1/approvals/${l1.id}/approve`)
      .set(auth(ADMIN_TOKEN))
      .send({})
      .expect(200);
    const l2 = await pendingLevel(o.id, 2);
    const r = await request(s.t.app)
      .post(`/api/v1/approvals/${l2.id}/reject`)
      .set(auth(ADMIN_TOKEN))
      .send({ comment: 'credit limit exceeded' });
    expect(r.status).toBe(200);
    expect(await orderState(o.id)).toBe('rejected');
    const ev = await db()('order_events').where({ order_id: o.id, event: 'reject' }).first();
    expect(ev).toMatchObject({ actor: 'admin', reason: 'rejected at level 2: credit limit exceeded' });
    await waitFor(() => confirmations(o.number).length === 1, 15000, 'reject confirmation');
    expect(confirmations(o.number)[0]!.body).toMatch(/type="reject"/);
    expect(confirmations(o.number)[0]!.body).toContain('credit limit exceeded');
  });

  it('intake flags need a person even below the auto-approve amount', async () => {
    seq += 1;
    const number = `PO-AP-${seq}`;
    await postCxml(
      s.t.app,
      orderRequestXml({
        payloadId: `p-ap-${seq}@buyer`,
        orderId: number,
        lines: [{ sku: 'CHR-ERG-01', quantity: '1', price: '199.00' }], // contract price is 259.00
      }),
    ).expect(200);
    const o = await db()('orders').where({ buyer_order_number: number }).first('id', 'flags');
    expect(o.flags).toContain('price_deviation');
    const l1 = await pendingLevel(o.id, 1);
    expect(l1.approvers).toEqual(['sales-manager@supplier.example']);
    expect(await db()('approvals').where({ order_id: o.id })).toHaveLength(1);
  });

  it('two approvers deciding one approval at the same moment: one 200, one 409 naming the decision that won', async () => {
    const o = await placeOrder('30');
    const l1 = await pendingLevel(o.id, 1);
    const [a, b] = await Promise.all([
      request(s.t.app).post(`/api/v1/approvals/${l1.id}/approve`).set(auth(ADMIN_TOKEN)).send({}),
      request(s.t.app)
        .post(`/api/v1/approvals/${l1.id}/reject`)
        .set(auth(ADMIN_TOKEN))
        .send({ comment: 'no' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    const winner = a.status === 200 ? 'approved' : 'rejected';
    expect(loser.body.error.message).toBe(`approval already ${winner} by admin`);
    expect(await orderState(o.id)).toBe(winner === 'approved' ? 'confirmed' : 'rejected');
    expect(
      await db()('order_events').where({ order_id: o.id }).whereIn('event', ['approve', 'reject']),
    ).toHaveLength(1);
  });

  it('an evaluation that crashes mid-way leaves nothing behind, and duplicate deliveries approve once with one confirmation', async () => {
    const first = await placeOrder('1');
    await waitState(first.id, 'confirmed');
    // A second order whose evaluation job has not been queued yet (a copy of the first, as intake wrote it).
    const number = `PO-AP-CRASH`;
    const copy = await db().transaction(async (trx) => {
      // ship_to_key is generated by Postgres from canonical; the supplier order number is the copy's own.
      const {
        ship_to_key: _key,
        supplier_order_number: _number,
        ...src
      } = await trx('orders').where({ id: first.id }).first();
      const id = '00000000-0000-4000-8000-00000000c0de';
      await trx('orders').insert({
        ...src,
        id,
        buyer_order_number: number,
        state: 'received',
        source_payload_id: 'p-crash@buyer',
        canonical: JSON.stringify({ ...src.canonical, orderId: number }),
        flags: JSON.stringify([]),
      });
      const lines = await trx('order_lines').where({ order_id: first.id });
      await trx('order_lines').insert(lines.map(({ id: _id, ...l }) => ({ ...l, order_id: id })));
      return id;
    });
    // The worker dies after approving and queueing the confirmation but before commit: all of it is gone.
    await expect(
      db().transaction(async (trx) => {
        expect(await evaluateOrder(s.t.env.ctx, { orderId: copy, version: 1 }, trx)).toBe('auto_approved');
        throw new Error('worker killed');
      }),
    ).rejects.toThrow('worker killed');
    expect(await orderState(copy)).toBe('received');
    expect(await db()('documents').where({ order_id: copy })).toHaveLength(0);

    // Redelivered three times through the outbox and BullMQ, and run twice more directly at once.
    await db().transaction(async (trx) => {
      for (let i = 0; i < 3; i++) await enqueueInTx(trx, evaluateJob, { orderId: copy, version: 1 });
    });
    s.t.env.ctx.queue.nudge();
    const direct = await Promise.all([
      evaluateOrder(s.t.env.ctx, { orderId: copy, version: 1 }),
      evaluateOrder(s.t.env.ctx, { orderId: copy, version: 1 }),
    ]);
    await waitState(copy, 'confirmed');
    await waitFor(
      () => outboxJobsDone(s.t.env, 'approvals.evaluate', 'orderId', copy),
      15000,
      'evaluations done',
    );
    expect(direct.filter((d) => d === 'auto_approved').length).toBeLessThanOrEqual(1);
    expect(await db()('order_events').where({ order_id: copy, event: 'approve' })).toHaveLength(1);
    expect(
      await db()('documents').where({ order_id: copy, doc_type: 'ConfirmationRequest', direction: 'out' }),
    ).toHaveLength(1);
    await waitFor(() => confirmations(number).length === 1, 15000, 'confirmation at buyer');
  });

  it('an e-mail link approves; the same link again and a forged link are refused', async () => {
    const o = await placeOrder('30');
    const l1 = await pendingLevel(o.id, 1);
    const mail = await waitFor(() => mailsTo('sales-manager@supplier.example', o.number)[0], 15000, 'mail');
    const approveUrl = /Approve: (\S+)/.exec(mail.raw)?.[1];
    expect(approveUrl).toBeDefined();
    const path = new URL(approveUrl!).pathname + new URL(approveUrl!).search;
    const token = new URL(approveUrl!).searchParams.get('token')!;

    const shown = await request(s.t.app).get(path);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain(o.number);
    expect(await orderState(o.id)).toBe('pending_approval'); // opening the link decides nothing

    const forged = token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const bad = await request(s.t.app).post('/approvals/link').type('form').send({ token: forged });
    expect(bad.status).toBe(401);
    expect(await orderState(o.id)).toBe('pending_approval');

    const ok = await request(s.t.app).post('/approvals/link').type('form').send({ token });
    expect(ok.status).toBe(200);
    expect(await orderState(o.id)).toBe('confirmed');
    expect(await db()('approvals').where({ id: l1.id }).first('decided_by')).toEqual({
      decided_by: 'approver:sales-manager@supplier.example',
    });

    const again = await request(s.t.app).post('/approvals/link').type('form').send({ token });
    expect(again.status).toBe(410);
    expect(again.text).toContain('already used');
    const againApi = await request(s.t.app)
      .post(`/api/v1/approvals/${l1.id}/approve`)
      .set(auth(token))
      .send({});
    expect(againApi.status).toBe(410);
  });

  it('an approver link token works as a bearer token only for its own approval and decision', async () => {
    const o = await placeOrder('30');
    const l1 = await pendingLevel(o.id, 1);
    const mail = await waitFor(() => mailsTo('sales-manager@supplier.example', o.number)[0], 15000, 'mail');
    const rejectToken = new URL(/Reject: (\S+)/.exec(mail.raw)![1]!).searchParams.get('token')!;
    const wrong = await request(s.t.app)
      .post(`/api/v1/approvals/${l1.id}/approve`)
      .set(auth(rejectToken))
      .send({});
    expect(wrong.status).toBe(401);
    const list = await request(s.t.app).get('/api/v1/approvals').set(auth(rejectToken));
    expect(list.status).toBe(403);
    const r = await request(s.t.app)
      .post(`/api/v1/approvals/${l1.id}/reject`)
      .set(auth(rejectToken))
      .send({ comment: 'not now' });
    expect(r.status).toBe(200);
    expect(await orderState(o.id)).toBe('rejected');
  });

  it("posts approval events to the partner's webhook", async () => {
    await setRules(s.t, s.buyer.url, { ...TWO_LEVELS, webhookUrl: s.buyer.url.replace('/cxml', '/hook') });
    try {
      const o = await placeOrder('30');
      const l1 = await pendingLevel(o.id, 1);
      const hooks = () =>
        s.buyer.received
          .filter((r) => r.body.startsWith('{'))
          .map((r) => JSON.parse(r.body) as { event: string; approval: { id: string; status: string } })
          .filter((h) => h.approval.id === l1.id);
      await waitFor(() => hooks().some((h) => h.event === 'approval.requested'), 15000, 'requested hook');
      await request(s.t.app)
        .post(`/api/v1/approvals/${l1.id}/approve`)
        .set(auth(ADMIN_TOKEN))
        .send({})
        .expect(200);
      const decided = await waitFor(
        () => hooks().find((h) => h.event === 'approval.decided'),
        15000,
        'decided hook',
      );
      expect(decided.approval.status).toBe('approved');
    } finally {
      await setRules(s.t, s.buyer.url, TWO_LEVELS);
    }
  });

  it('an order the buyer cancels while it waits leaves the pending list, and its approval can no longer be decided', async () => {
    const o = await placeOrder('30');
    const l1 = await pendingLevel(o.id, 1);
    seq += 1;
    await postCxml(
      s.t.app,
      orderRequestXml({ payloadId: `p-ap-${seq}@buyer`, orderId: o.number, type: 'delete' }),
    ).expect(200);
    expect(await orderState(o.id)).toBe('cancelled');
    const list = await request(s.t.app).get('/api/v1/approvals?status=pending').set(auth(ADMIN_TOKEN));
    expect(list.body.approvals.map((a: { id: string }) => a.id)).not.toContain(l1.id);
    const late = await request(s.t.app)
      .post(`/api/v1/approvals/${l1.id}/approve`)
      .set(auth(ADMIN_TOKEN))
      .send({});
    expect(late.status).toBe(409);
    expect(await orderState(o.id)).toBe('cancelled');
  });

  describe('escalation', () => {
    afterAll(async () => {
      await setRules(s.t, s.buyer.url, TWO_LEVELS);
    });

    it('notifies the escalation approvers when the level is still open after the delay', async () => {
      await setRules(s.t, s.buyer.url, {
        ...TWO_LEVELS,
        levels: [
          {
            above: { amount: '5000.00', currency: 'USD' },
            approvers: ['sales-manager@supplier.example'],
            escalateAfterHours: 1 / 3600,
            escalationApprovers: ['head-of-sales@supplier.example'],
          },
        ],
      });
      const o = await placeOrder('30');
      const l1 = await pendingLevel(o.id, 1);
      const mail = await waitFor(
        () => mailsTo('head-of-sales@supplier.example', o.number)[0],
        15000,
        'escalation mail',
      );
      expect(mail.raw).toMatch(/Subject: ESCALATED: /);
      const row = await db()('approvals').where({ id: l1.id }).first();
      expect(row.status).toBe('pending');
      expect(row.escalated_at).not.toBeNull();
    });

    it('does not escalate a level decided before the delay', async () => {
      await setRules(s.t, s.buyer.url, {
        ...TWO_LEVELS,
        levels: [
          {
            above: { amount: '5000.00', currency: 'USD' },
            approvers: ['sales-manager@supplier.example'],
            escalateAfterHours: 2 / 3600,
            escalationApprovers: ['vp@supplier.example'],
          },
        ],
      });
      const o = await placeOrder('30');
      const l1 = await pendingLevel(o.id, 1);
      await request(s.t.app)
        .post(`/api/v1/approvals/${l1.id}/approve`)
        .set(auth(ADMIN_TOKEN))
        .send({})
        .expect(200);
      // Wait until the delayed escalation job has run.
      await waitFor(
        () => outboxJobsDone(s.t.env, 'approvals.escalate', 'approvalId', l1.id),
        15000,
        'escalation done',
      );
      expect((await db()('approvals').where({ id: l1.id }).first()).escalated_at).toBeNull();
      expect(mailsTo('vp@supplier.example', o.number)).toHaveLength(0);
    });
  });
});
