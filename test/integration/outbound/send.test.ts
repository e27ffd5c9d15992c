/**
 * The outbound use case (src/outbound/send.ts): each format's renderer is asked for its document, the
 * document stored and its delivery queued through the outbox in one transaction, so that a failure
 * after rendering leaves neither a document nor a delivery nor a job. The queue is not started: the
 * rows stay as the use case wrote them.
 */
import { sendDocument, sendDocumentAs, type RenderedDocument } from '../../../src/outbound/send';
import { findPartner, type PartnerRow } from '../../../src/partners/repository';
import type { DocumentRow } from '../../../src/documents/store';
import type { DeliveryRow } from '../../../src/delivery/service';
import { createTestEnv, type TestEnv } from '../../helpers/env';
import { seedPartner } from '../../helpers/partners';

let env: TestEnv;
let both: PartnerRow;
let nowhere: PartnerRow;

beforeAll(async () => {
  env = await createTestEnv({ start: false });
  await seedPartner(env.db, { outboundFormats: ['x12', 'cxml'] });
  await seedPartner(env.db, {
    id: 'nowhere',
    cxml: {
      credentials: [{ domain: 'NetworkID', identity: 'NOWHERE' }],
      sharedSecret: 'nowhere-secret-1',
      cartReturn: 'cxml-urlencoded',
      statusUpdates: false,
    },
    x12: undefined,
    oci: undefined,
  });
  both = (await findPartner(env.db, 'acme'))!;
  nowhere = (await findPartner(env.db, 'nowhere'))!;
});
afterAll(() => env.close());

const doc = (
  docType: string,
  externalId: string,
  extra: Partial<RenderedDocument> = {},
): RenderedDocument => ({
  docType,
  externalId,
  contentType: 'text/plain',
  content: `${docType} ${externalId}`,
  ...extra,
});

async function counts() {
  const n = async (table: string) => Number((await env.db(table).count<{ n: string }[]>({ n: '*' }))[0]!.n);
  return { documents: await n('documents'), deliveries: await n('deliveries'), outbox: await n('outbox') };
}

describe('sendDocument', () => {
  it('stores each format the partner takes, in order, and queues its delivery to that format’s address', async () => {
    const calls: string[] = [];
    const sent = await env.db.transaction((trx) =>
      sendDocument(trx, {
        partner: both,
        kind: 'confirmation',
        render: {
          cxml: () => (calls.push('cxml'), doc('ConfirmationRequest', 'p-1')),
          x12: (q) => {
            calls.push('x12');
            return doc('855', 'isa-1', {
              status: 'created',
              // The protocol's own rows are written in the same transaction, once the id is known.
              onStored: async (hookQ, documentId) => {
                expect(hookQ).toBe(q);
                const row = await hookQ<DocumentRow>('documents').where({ id: documentId }).first('doc_type');
                calls.push(`x12 stored ${row?.doc_type}`);
              },
            });
          },
        },
      }),
    );
    expect(calls).toEqual(['x12', 'x12 stored 855', 'cxml']);
    const documents = await env
      .db<DocumentRow>('documents')
      .whereIn('external_id', ['p-1', 'isa-1'])
      .orderBy('protocol');
    expect(
      documents.map((d) => [d.protocol, d.doc_type, d.direction, d.status, d.content.toString(), d.order_id]),
    ).toEqual([
      ['cxml', 'ConfirmationRequest', 'out', 'queued', 'ConfirmationRequest p-1', null],
      ['x12', '855', 'out', 'created', '855 isa-1', null],
    ]);
    const [cxmlDoc, x12Doc] = documents.map((d) => d.id);
    expect(sent.cxml?.documentId).toBe(cxmlDoc);
    expect(sent.x12?.documentId).toBe(x12Doc);
    const deliveries = await env.db<DeliveryRow>('deliveries').whereIn('document_id', [cxmlDoc!, x12Doc!]);
    expect(
      Object.fromEntries(deliveries.map((v) => [v.id, [v.document_id, v.transport, v.url, v.status]])),
    ).toEqual({
      [sent.cxml!.deliveryId!]: [cxmlDoc, 'http', 'https://procurement.acme.example/cxml/inbound', 'pending'],
      [sent.x12!.deliveryId!]: [x12Doc, 'http', 'https://edi.acme.example/x12/inbound', 'pending'],
    });
    const jobs = await env
      .db<{ job_name: string; payload: { deliveryId: string } }>('outbox')
      .where({ job_name: 'delivery.send' });
    expect(jobs.map((j) => j.payload.deliveryId).sort()).toEqual(
      [sent.cxml!.deliveryId, sent.x12!.deliveryId].sort(),
    );
  });

  it('a failure after rendering leaves no document, delivery or job: the next format failing, a hook, the caller', async () => {
    const before = await counts();
    await expect(
      env.db.transaction((trx) =>
        sendDocument(trx, {
          partner: both,
          kind: 'invoice',
          render: { x12: () => doc('810', 'isa-2'), cxml: fail('the cXML renderer failed') },
        }),
      ),
    ).rejects.toThrow('the cXML renderer failed');
    await expect(
      env.db.transaction((trx) =>
        sendDocument(trx, {
          partner: both,
          kind: 'ship-notice',
          render: {
            x12: () => doc('856', 'isa-3', { onStored: () => Promise.reject(new Error('no set recorded')) }),
            cxml: () => doc('ShipNoticeRequest', 'p-3'),
          },
        }),
      ),
    ).rejects.toThrow('no set recorded');
    await expect(
      env.db.transaction(async (trx) => {
        const sent = await sendDocument(trx, {
          partner: both,
          kind: 'line-confirmation',
          render: { cxml: () => doc('ConfirmationRequest', 'p-4') },
        });
        expect(sent.cxml?.deliveryId).toBeDefined();
        throw new Error('the caller failed after sending');
      }),
    ).rejects.toThrow('the caller failed after sending');
    expect(await counts()).toEqual(before);
  });

  it('outside a transaction it opens its own: a failure after storing leaves nothing', async () => {
    const before = await counts();
    await expect(
      sendDocument(env.db, {
        partner: both,
        kind: 'confirmation',
        render: { x12: () => doc('855', 'isa-5'), cxml: fail('late') },
      }),
    ).rejects.toThrow('late');
    await expect(
      sendDocumentAs(env.db, {
        partner: both,
        format: 'x12',
        render: () => doc('997', 'isa-6', { onStored: () => Promise.reject(new Error('later')) }),
      }),
    ).rejects.toThrow('later');
    expect(await counts()).toEqual(before);
    const sent = await sendDocumentAs(env.db, {
      partner: both,
      format: 'x12',
      render: () => doc('997', 'isa-7'),
    });
    expect(await counts()).toEqual({
      documents: before.documents + 1,
      deliveries: before.deliveries + 1,
      outbox: before.outbox + 1,
    });
    expect(sent.deliveryId).toBeDefined();
  });

  it('a partner with nowhere to receive a format gets the document stored only; formats it does not take are not rendered', async () => {
    const before = await counts();
    const sent = await env.db.transaction((trx) =>
      sendDocument(trx, {
        partner: nowhere,
        kind: 'confirmation',
        render: { x12: fail('not asked for'), cxml: () => doc('ConfirmationRequest', 'p-8') },
      }),
    );
    expect(sent.x12).toBeUndefined();
    expect(sent.cxml?.deliveryId).toBeUndefined();
    const stored = await env.db<DocumentRow>('documents').where({ external_id: 'p-8' }).first();
    expect(stored).toMatchObject({ partner_id: 'nowhere', status: 'stored', protocol: 'cxml' });
    expect(await counts()).toEqual({ ...before, documents: before.documents + 1 });
    // Nothing at all for a kind the partner takes in no format.
    expect(
      await sendDocument(env.db, { partner: nowhere, kind: 'status-update', state: 'confirmed', render: {} }),
    ).toEqual({});
    // A document it must receive is refused before anything is rendered.
    await expect(
      sendDocument(env.db, { partner: nowhere, kind: 'invoice', render: { cxml: fail('rendered') } }),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: 'partner nowhere has no cxml.outboundUrl to deliver invoices to',
    });
    expect(await counts()).toEqual({ ...before, documents: before.documents + 1 });
  });
});

function fail(what: string) {
  return (): RenderedDocument => {
    throw new Error(what);
  };
}
