/**
 * SFTP partners: the contract (settings, encrypted login, host key pin), and outbound documents
 * uploaded to the partner's outbound directory through the retrying delivery path, against a real
 * OpenSSH server (and a password server) started here.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { parseX12 } from '../../../protocols/x12';
import { queueDelivery, resendDelivery } from '../../../src/delivery/service';
import { storeDocument } from '../../../src/documents/store';
import { sftpCredentials } from '../../../src/partners/sftp-credentials';
import { checkSecretsKey } from '../../../src/partners/supplier-secret';
import { sftpLocation } from '../../../src/transports/sftp/location';
import { outboundFileName } from '../../../src/transports/sftp/outbound';
import { ADMIN_TOKEN, auth, SECRETS_KEY, waitFor } from '../../helpers/env';
import {
  otherHostKeyFingerprint,
  startPasswordSftp,
  startSshd,
  type SftpTestServer,
} from '../../helpers/sftp-server';
import { interchange850, mailbox, putPartner, setupGateway, sftpPartner, type Gateway } from './helpers';

let sshd: SftpTestServer;
let gw: Gateway;

beforeAll(async () => {
  sshd = await startSshd();
  gw = await setupGateway();
}, 60000);
afterAll(async () => {
  await gw?.env.close();
  await sshd?.stop();
});

const deliveryOf = (documentId: string) => gw.env.db('deliveries').where({ document_id: documentId }).first();

describe('the partner contract', () => {
  it('keeps the SFTP login encrypted, answers only whether there is one, and keeps it on a replace without it', async () => {
    const dirs = mailbox(sshd, 'contract');
    const body = sftpPartner(sshd, dirs, { id: 'contract', isaId: 'CONTRACT' });
    const res = await putPartner(gw.app, body);
    expect(res.status).toBe(201);
    expect(res.body.sftp).toEqual({
      host: '127.0.0.1',
      port: sshd.port,
      username: sshd.username,
      hostKeySha256: sshd.hostKeySha256,
      inboundDir: dirs.inbound,
      archiveDir: dirs.archive,
      outboundDir: dirs.outbound,
      pollSeconds: 1,
      hasPassword: false,
      hasPrivateKey: true,
    });
    expect(res.body.x12.transport).toBe('sftp');
    expect(JSON.stringify(res.body)).not.toContain('PRIVATE KEY');

    const row = await gw.env.db('partners').where({ id: 'contract' }).first();
    expect(JSON.stringify(row.settings)).not.toContain('PRIVATE KEY');
    expect(row.sftp_credentials_enc).toMatch(/^v1\./);
    expect(row.sftp_credentials_enc).not.toContain('PRIVATE');
    expect(sftpCredentials({ SECRETS_KEY }, row)).toEqual({ privateKey: sshd.privateKey });
    // Moved to another partner's row, the ciphertext does not decrypt.
    expect(() => sftpCredentials({ SECRETS_KEY }, { ...row, id: 'other' })).toThrow(/does not decrypt/);

    // A replace without password or key keeps the stored login.
    const replace = { ...body, sftp: { ...body.sftp, privateKey: undefined, pollSeconds: 5 } };
    const again = await putPartner(gw.app, replace);
    expect(again.status).toBe(200);
    expect(again.body.sftp).toMatchObject({ pollSeconds: 5, hasPrivateKey: true });
    const kept = await gw.env.db('partners').where({ id: 'contract' }).first();
    expect(sftpCredentials({ SECRETS_KEY }, kept)).toEqual({ privateKey: sshd.privateKey });

    // A start with another SECRETS_KEY stops, naming the partner and what it would not decrypt.
    await expect(
      checkSecretsKey(gw.env.db, { SECRETS_KEY: Buffer.alloc(32, 9).toString('base64') }),
    ).rejects.toThrow(/not the key that encrypted the sftp credentials of partners contract/);

    // Its inbound directory is polled on the partner's period from now on.
    const schedule = await gw.env.db('job_schedules').where({ key: 'sftp.poll:contract' }).first();
    expect(schedule).toMatchObject({
      job_name: 'sftp.poll',
      every_ms: 5000,
      payload: { partnerId: 'contract' },
    });
  });

  it('refuses a login that cannot be used, a malformed fingerprint and an SFTP transport without SFTP settings, naming the field', async () => {
    const dirs = mailbox(sshd, 'bad');
    const base = sftpPartner(sshd, dirs, { id: 'bad-login', isaId: 'BADLOGIN' });

    const badKey = await putPartner(gw.app, {
      ...base,
      sftp: {
        ...base.sftp,
        privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----\n',
      },
    });
    expect(badKey.status).toBe(400);
    expect(JSON.stringify(badKey.body)).toContain('sftp.privateKey');

    const noLogin = await putPartner(gw.app, { ...base, sftp: { ...base.sftp, privateKey: undefined } });
    expect(noLogin.status).toBe(400);
    expect(JSON.stringify(noLogin.body)).toMatch(/sftp\.password or sftp\.privateKey is required/);

    const badPin = await putPartner(gw.app, { ...base, sftp: { ...base.sftp, hostKeySha256: 'MD5:12:34' } });
    expect(badPin.status).toBe(400);
    expect(JSON.stringify(badPin.body)).toContain('hostKeySha256');

    const noSftp = await putPartner(gw.app, { ...base, sftp: undefined });
    expect(noSftp.status).toBe(400);
    expect(JSON.stringify(noSftp.body)).toContain('x12.transport');

    expect(await gw.env.db('partners').where({ id: 'bad-login' }).first()).toBeUndefined();
    expect(await gw.env.db('job_schedules').where({ key: 'sftp.poll:bad-login' }).first()).toBeUndefined();
  });
});

describe('outbound documents over SFTP', () => {
  it("uploads the 997 of an interchange POSTed over HTTP to the partner's outbound directory, byte for byte", async () => {
    const dirs = mailbox(sshd, 'ack');
    await putPartner(gw.app, sftpPartner(sshd, dirs, { id: 'ackpartner', isaId: 'ACKPARTNER' })).expect(201);
    const key = await request(gw.app)
      .post('/api/v1/partners/ackpartner/api-keys')
      .set(auth(ADMIN_TOKEN))
      .send({ role: 'erp' })
      .expect(201);
    const posted = await request(gw.app)
      .post('/edi/x12')
      .set(auth(key.body.key as string))
      .set('Content-Type', 'application/edi-x12')
      .send(Buffer.from(interchange850({ sender: 'ACKPARTNER', isa13: '000000501', po: 'PO-SFTP-ACK' })))
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    const ackDoc = await gw.env
      .db('documents')
      .where({ partner_id: 'ackpartner', doc_type: '997', direction: 'out' })
      .first();
    const name = outboundFileName({ documentId: ackDoc.id, docType: '997' });
    const file = path.join(dirs.outbound, name);
    await waitFor(() => existsSync(file), 20000, 'the 997 on the SFTP server');
    expect(readFileSync(file)).toEqual(Buffer.from(ackDoc.content));
    expect(parseX12(readFileSync(file)).transactionSets[0]!.id).toBe('997');
    // The same answer the HTTP caller got.
    expect(readFileSync(file)).toEqual(posted.body);
    const delivery = await waitFor(async () => {
      const d = await deliveryOf(ackDoc.id);
      return d?.status === 'delivered' ? d : undefined;
    });
    expect(delivery).toMatchObject({
      transport: 'sftp',
      url: sftpLocation({ ...sshd, outboundDir: dirs.outbound }),
      attempts: 1,
      last_error: null,
    });
    expect(delivery.response_body).toBe(`uploaded ${dirs.outbound}/${name} (${ackDoc.content.length} bytes)`);
    // Nothing else is left in the directory (no temporary file).
    expect(readdirSync(dirs.outbound)).toEqual([name]);
  });

  it('a large upload never shows under its final name before it is complete', async () => {
    const dirs = mailbox(sshd, 'large');
    await putPartner(gw.app, sftpPartner(sshd, dirs, { id: 'large', isaId: 'LARGE' })).expect(201);
    const content = Buffer.alloc(6 * 1024 * 1024, 'IT1*1*2*BX*4.50~\n');
    const documentId = await storeDocument(gw.env.db, {
      partnerId: 'large',
      protocol: 'x12',
      docType: '810',
      direction: 'out',
      status: 'created',
      contentType: 'application/edi-x12',
      content,
    });
    const name = outboundFileName({ documentId, docType: '810' });
    const final = path.join(dirs.outbound, name);
    const temp = path.join(dirs.outbound, `.${name}.part`);
    // Watch the directory as closely as the event loop allows while the upload runs.
    const sightings = { partialTemp: 0, final: [] as number[] };
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        if (existsSync(temp)) {
          try {
            if (statSync(temp).size < content.length) sightings.partialTemp++;
          } catch {
            /* renamed between the two calls */
          }
        }
        if (existsSync(final)) sightings.final.push(statSync(final).size);
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    await gw.env.db.transaction((trx) =>
      queueDelivery(trx, { partnerId: 'large', documentId, url: 'sftp://large', transport: 'sftp' }),
    );
    gw.env.ctx.queue.nudge();
    await waitFor(async () => (await deliveryOf(documentId))?.status === 'delivered', 60000, 'delivered');
    watching = false;
    await watcher;
    // The upload was seen in progress under its temporary name, and under the final name only whole.
    expect(sightings.partialTemp).toBeGreaterThan(0);
    expect(sightings.final.length).toBeGreaterThan(0);
    expect(new Set(sightings.final)).toEqual(new Set([content.length]));
    expect(readFileSync(final).equals(content)).toBe(true);
    expect(existsSync(temp)).toBe(false);
  }, 90000);

  it('refuses a server whose host key is not the pinned one: the delivery fails at once, saying so, and nothing is uploaded', async () => {
    const dirs = mailbox(sshd, 'mitm');
    const wrong = otherHostKeyFingerprint();
    const body = sftpPartner(sshd, dirs, { id: 'mitm', isaId: 'MITM', sftp: { hostKeySha256: wrong } });
    await putPartner(gw.app, body).expect(201);
    const documentId = await storeDocument(gw.env.db, {
      partnerId: 'mitm',
      protocol: 'x12',
      docType: '855',
      direction: 'out',
      status: 'created',
      contentType: 'application/edi-x12',
      content: 'ISA*...~',
    });
    await gw.env.db.transaction((trx) =>
      queueDelivery(trx, { partnerId: 'mitm', documentId, url: 'sftp://mitm', transport: 'sftp' }),
    );
    gw.env.ctx.queue.nudge();
    const failed = await waitFor(async () => {
      const d = await deliveryOf(documentId);
      return d?.status === 'failed' ? d : undefined;
    });
    const why = `127.0.0.1:${sshd.port}: host key ${sshd.hostKeySha256} is not the pinned sftp.hostKeySha256 ${wrong}`;
    expect(failed.attempts).toBe(1);
    expect(failed.last_error).toContain(why);
    expect(readdirSync(dirs.outbound)).toEqual([]);

    // Visible with the document and on the partner's SFTP page.
    const docs = await request(gw.app)
      .get('/api/v1/documents?partner=mitm')
      .set(auth(ADMIN_TOKEN))
      .expect(200);
    expect(docs.body.documents[0]).toMatchObject({ status: 'failed' });
    expect(docs.body.documents[0].error).toContain(why);
    const box = await request(gw.app).get('/api/v1/partners/mitm/sftp').set(auth(ADMIN_TOKEN)).expect(200);
    expect(box.body.uploads).toEqual([
      expect.objectContaining({
        documentId,
        status: 'failed',
        attempts: 1,
        lastError: expect.stringContaining(why),
      }),
    ]);

    // With the right key pinned, a resend delivers it.
    await putPartner(gw.app, { ...body, sftp: { ...body.sftp, hostKeySha256: sshd.hostKeySha256 } }).expect(
      200,
    );
    await resendDelivery(gw.env.db, failed.id);
    gw.env.ctx.queue.nudge();
    await waitFor(async () => (await deliveryOf(documentId))?.status === 'delivered');
    expect(readdirSync(dirs.outbound)).toEqual([outboundFileName({ documentId, docType: '855' })]);
  });
});

describe('password login', () => {
  let pw: SftpTestServer;
  beforeAll(async () => {
    pw = await startPasswordSftp('s3cret-sftp-Password');
  });
  afterAll(async () => {
    await pw?.stop();
  });

  it('uploads with a password login, which is kept encrypted; a wrong password is a retried failure naming the user', async () => {
    const dirs = mailbox(pw, 'pw');
    const body = sftpPartner(pw, dirs, { id: 'pwpartner', isaId: 'PWPARTNER' });
    const res = await putPartner(gw.app, body);
    expect(res.status).toBe(201);
    expect(res.body.sftp).toMatchObject({ hasPassword: true, hasPrivateKey: false });
    expect(JSON.stringify(res.body)).not.toContain('s3cret-sftp-Password');
    const row = await gw.env.db('partners').where({ id: 'pwpartner' }).first();
    expect(JSON.stringify(row)).not.toContain('s3cret-sftp-Password');

    const store = (docType: string) =>
      storeDocument(gw.env.db, {
        partnerId: 'pwpartner',
        protocol: 'x12',
        docType,
        direction: 'out',
        status: 'created',
        contentType: 'application/edi-x12',
        content: `ISA*${docType}~`,
      });
    const ok = await store('855');
    await gw.env.db.transaction((trx) =>
      queueDelivery(trx, { partnerId: 'pwpartner', documentId: ok, url: 'sftp://pw', transport: 'sftp' }),
    );
    gw.env.ctx.queue.nudge();
    await waitFor(async () => (await deliveryOf(ok))?.status === 'delivered');
    expect(
      readFileSync(path.join(dirs.outbound, outboundFileName({ documentId: ok, docType: '855' }))).toString(),
    ).toBe('ISA*855~');

    await putPartner(gw.app, { ...body, sftp: { ...body.sftp, password: 'wrong-password' } }).expect(200);
    const bad = await store('856');
    await gw.env.db.transaction((trx) =>
      queueDelivery(trx, { partnerId: 'pwpartner', documentId: bad, url: 'sftp://pw', transport: 'sftp' }),
    );
    gw.env.ctx.queue.nudge();
    // DELIVERY_MAX_ATTEMPTS is 3 in the tests: tried three times, then failed with the reason.
    const failed = await waitFor(async () => {
      const d = await deliveryOf(bad);
      return d?.status === 'failed' ? d : undefined;
    });
    expect(failed.attempts).toBe(3);
    expect(failed.last_error).toContain(`gave up after 3 attempts`);
    expect(failed.last_error).toContain(`refused the login of user "buyer-edi"`);
    expect(failed.last_error).not.toContain('wrong-password');
  });
});
