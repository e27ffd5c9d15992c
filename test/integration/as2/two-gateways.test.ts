/**
 * Two gateway instances exchange AS2 with each other, with asynchronous MDNs: A (the supplier) sends
 * the 997 of an 850 to B, whose partner A is; B processes it and POSTs its signed MDN to A's /as2
 * (Receipt-Delivery-Option) through its own delivery path; A's delivery waits for it, checks it (our
 * Message-ID, processed, our MIC, B's signature) and delivers, keeping the MDN as evidence. An MDN
 * that does not come in time is a failed attempt, and the message is sent again.
 */
import type { DeliveryRow } from '../../../src/delivery/service';
import { ingestX12 } from '../../../src/edi/intake';
import { waitFor } from '../../helpers/env';
import { listenApp } from '../../helpers/server';
import { OpensslLab, type Identity } from '../../unit/as2/openssl';
import { as2Partner, interchange850, putPartner, setupAs2Gateway, type Gateway } from './helpers';
import { PartnerStation, mdnFields } from './partner-lab';

let lab: OpensslLab;
let keyA: Identity;
let keyB: Identity;
let a: Gateway;
let b: Gateway;
let httpA: Awaited<ReturnType<typeof listenApp>>;
let httpB: Awaited<ReturnType<typeof listenApp>>;

beforeAll(async () => {
  lab = new OpensslLab();
  keyA = lab.identity('station-a');
  keyB = lab.identity('station-b');
  a = await setupAs2Gateway(keyA, { AS2_ID: 'STATION-A', AS2_MDN_WAIT_SECONDS: '3' });
  b = await setupAs2Gateway(keyB, { AS2_ID: 'STATION-B', SUPPLIER_X12_ID: 'GWB' });
  httpA = await listenApp(a.app);
  httpB = await listenApp(b.app);
  // A's receipts come to its real address (PUBLIC_BASE_URL is read from the config object).
  (a.env.config as { publicBaseUrl: string }).publicBaseUrl = httpA.url;
  // On A: B is a partner that gets X12 by AS2 and answers asynchronously.
  const onA = as2Partner({
    id: 'station-b',
    isaId: 'GWB',
    as2Id: 'STATION-B',
    certificates: [keyB],
    as2: { url: `${httpB.url}/as2`, mdn: { mode: 'async', signed: true } },
    x12: { transport: 'as2' },
  });
  expect((await putPartner(a.app, onA)).status).toBe(201);
  // On B: A is a partner (its ISA id is A's supplier id) that sends by AS2.
  const onB = as2Partner({
    id: 'station-a',
    isaId: 'SUPPLIERDEMO',
    as2Id: 'STATION-A',
    certificates: [keyA],
  });
  expect((await putPartner(b.app, onB)).status).toBe(201);
}, 90000);
afterAll(async () => {
  await httpA?.close();
  await httpB?.close();
  await a?.env.close();
  await b?.env.close();
  lab?.cleanup();
});

let n = 0;
async function send997() {
  n++;
  const x12 = interchange850({ sender: 'GWB', isa13: String(500000000 + n), po: `TWO-PO-${n}` });
  const before = (await a.env.db('deliveries').select('id')).map((r) => r.id as string);
  await ingestX12(a.env.ctx, Buffer.from(x12, 'latin1'), { actor: 'test' });
  return waitFor<DeliveryRow>(
    () =>
      a.env
        .db('deliveries as v')
        .join('documents as d', 'd.id', 'v.document_id')
        .where({ 'v.partner_id': 'station-b', 'd.doc_type': '997' })
        .whereNot('v.status', 'pending')
        .whereNotIn('v.id', before)
        .orderBy('v.created_at', 'desc')
        .first('v.*'),
    30000,
    'the 997 decided',
  );
}

test('A sends, B answers asynchronously, A delivers on the checked MDN and keeps it', async () => {
  const delivery = await send997();
  expect(delivery).toMatchObject({ status: 'delivered', transport: 'as2' });
  // B received the 997 from A (an acknowledgment: recorded, not answered).
  const onB = await b.env.db('as2_messages').where({ partner_id: 'station-a', direction: 'in' });
  expect(onB).toHaveLength(1);
  expect(onB[0]).toMatchObject({ status: 'processed', receipt_url: `${httpA.url}/as2` });
  const mdnDelivery = await b.env.db('deliveries').where({ document_id: onB[0].mdn_document_id }).first();
  expect(mdnDelivery).toMatchObject({ status: 'delivered', transport: 'as2-mdn' });
  // A kept B's signed MDN; openssl verifies it and its MIC is the one A expected.
  const row = await a.env.db('as2_messages').where({ delivery_id: delivery.id }).first();
  expect(row).toMatchObject({ status: 'delivered', mdn_signed: true, error: null });
  const station = new PartnerStation(lab, keyA, keyB);
  const { report } = station.verifyMdn({ headers: row.mdn_headers, body: Buffer.from(row.mdn_body) });
  const f = mdnFields(report);
  expect(f.disposition).toBe('automatic-action/MDN-sent-automatically; processed');
  expect(f.mic).toBe(row.mic);
  expect(f.originalMessageId).toBe(`<${row.message_id}>`);
});

test('an MDN that does not come within AS2_MDN_WAIT_SECONDS is a failed attempt; the message is sent again', async () => {
  // B's MDNs cannot reach A for now: its receipts go to a closed port.
  const real = httpA.url;
  (a.env.config as { publicBaseUrl: string }).publicBaseUrl = 'http://127.0.0.1:9';
  try {
    const delivery = await send997();
    expect(delivery.status).toBe('failed');
    const attempts = await a.env
      .db('delivery_attempts')
      .where({ delivery_id: delivery.id })
      .orderBy('attempt');
    expect(attempts.some((x) => /no asynchronous MDN within 3 s/.test(x.error ?? ''))).toBe(true);
    // Each try POSTed the message again (status 200, B took it), then waited in vain.
    expect(attempts.filter((x) => x.status_code === 200).length).toBeGreaterThanOrEqual(2);
    // B got the same Message-ID more than once and processed it once.
    const onB = await b.env
      .db('as2_messages')
      .where({ partner_id: 'station-a', direction: 'in' })
      .orderBy('created_at');
    expect(onB).toHaveLength(2);
  } finally {
    (a.env.config as { publicBaseUrl: string }).publicBaseUrl = real;
  }
}, 60000);
