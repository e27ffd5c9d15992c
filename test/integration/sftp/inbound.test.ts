/**
 * Inbound SFTP: files a partner puts in its inbound directory on a real OpenSSH server are polled by
 * the real BullMQ workers on the partner's schedule, taken once complete, stored once, ordered through
 * the X12 intake, archived, and answered with a 997 uploaded to the partner's outbound directory.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { parseFunctionalAck, parseX12 } from '../../../protocols/x12';
import { sha256Hex } from '../../../src/platform/secrets';
import { pollMailbox } from '../../../src/transports/sftp/inbound';
import { ADMIN_TOKEN, auth, waitFor } from '../../helpers/env';
import { otherHostKeyFingerprint, startSshd, type SftpTestServer } from '../../helpers/sftp-server';
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

/** Writes stdin to a file in pieces: argv file, piece size, milliseconds between pieces. */
const SLOW_WRITER = `
const fs = require('fs');
const [file, size, ms] = process.argv.slice(1);
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', async () => {
  const data = Buffer.concat(chunks);
  const n = Number(size);
  fs.writeFileSync(file, data.subarray(0, n));
  for (let i = n; i < data.length; i += n) {
    await new Promise((r) => setTimeout(r, Number(ms)));
    fs.appendFileSync(file, data.subarray(i, i + n));
    process.stdout.write('.');
  }
  process.stdout.write('done\\n');
});`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const inboundDocs = (partnerId: string) =>
  gw.env.db('documents').where({ partner_id: partnerId, direction: 'in' }).orderBy('created_at');
const pickups = (partnerId: string) =>
  gw.env.db('sftp_pickups').where({ partner_id: partnerId }).orderBy('id');

describe('polling an inbound directory', () => {
  it('takes a file written slowly once, only after it is complete, orders it once and answers with a 997 by SFTP', async () => {
    const dirs = mailbox(sshd, 'slow');
    await putPartner(gw.app, sftpPartner(sshd, dirs, { id: 'slow', isaId: 'SLOWBUYER' })).expect(201);
    const x12 = Buffer.from(
      interchange850({ sender: 'SLOWBUYER', isa13: '000000601', po: 'PO-SFTP-SLOW', lines: 40 }),
    );
    const file = path.join(dirs.inbound, 'PO-SFTP-SLOW.x12');
    // The partner writes the file in pieces over about four seconds (polls run every second), from
    // a process of its own.
    const writer = spawn(
      process.execPath,
      ['-e', SLOW_WRITER, file, String(Math.ceil(x12.length / 16)), '250'],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    let out = '';
    writer.stdout.on('data', (c: Buffer) => (out += c.toString()));
    writer.stdin.end(x12);
    while (!out.includes('done')) {
      // While it grows nothing is stored.
      expect(await inboundDocs('slow')).toEqual([]);
      await sleep(100);
    }
    expect(out).toMatch(/^\.{15}done\n$/);
    const completeAt = Date.now();
    const archived = path.join(dirs.archive, 'PO-SFTP-SLOW.x12');
    await waitFor(() => existsSync(archived), 20000, 'the file archived');
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(archived)).toEqual(x12);

    const docs = await inboundDocs('slow');
    expect(docs).toHaveLength(2); // the interchange and its 850 set
    const interchange = docs.find((d) => d.doc_type === 'interchange');
    expect(Buffer.from(interchange.content)).toEqual(x12);
    expect(interchange.status).toBe('acknowledged');
    expect(new Date(interchange.created_at).getTime()).toBeGreaterThanOrEqual(completeAt - 1000);
    const orders = await gw.env
      .db('orders')
      .where({ partner_id: 'slow', buyer_order_number: 'PO-SFTP-SLOW' });
    expect(orders).toHaveLength(1);
    expect(await gw.env.db('order_lines').where({ order_id: orders[0].id })).toHaveLength(40);

    const [pickup] = await pickups('slow');
    expect(pickup).toMatchObject({
      name: 'PO-SFTP-SLOW.x12',
      size: x12.length,
      status: 'done',
      sha256: sha256Hex(x12),
      document_id: interchange.id,
      disposed_to: `${dirs.archive}/PO-SFTP-SLOW.x12`,
      claims: 1,
      error: null,
    });

    // The 997 goes back by the partner's transport: uploaded to its outbound directory.
    await waitFor(() => readdirSync(dirs.outbound).some((n) => n.startsWith('997-')), 20000, '997 uploaded');
    const [ackName] = readdirSync(dirs.outbound);
    const ack = parseFunctionalAck(
      parseX12(readFileSync(path.join(dirs.outbound, ackName!))).transactionSets[0]!,
    );
    expect(ack.ack?.sets).toEqual([expect.objectContaining({ controlNumber: '0001', status: 'A' })]);

    // More polls take nothing more.
    await sleep(2500);
    expect(await pickups('slow')).toHaveLength(1);
    expect(await inboundDocs('slow')).toHaveLength(2);

    // The same file put there again is recognised by name and checksum: recorded, not stored again.
    copyFileSync(archived, file);
    await waitFor(async () => (await pickups('slow'))[1]?.finished_at, 20000, 'the copy taken');
    expect(existsSync(file)).toBe(false);
    const rows = await pickups('slow');
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({
      status: 'duplicate',
      sha256: sha256Hex(x12),
      document_id: interchange.id,
      disposed_to: `${dirs.archive}/PO-SFTP-SLOW.x12.${rows[1].id}`,
    });
    expect(rows[1].error).toMatch(/same name and bytes/);
    expect(await inboundDocs('slow')).toHaveLength(2);
    expect(await gw.env.db('orders').where({ partner_id: 'slow' })).toHaveLength(1);
  }, 90000);

  it("with the partner's ready-file convention waits for the ready file, however long the file is stable, then removes both", async () => {
    const dirs = mailbox(sshd, 'ready');
    // An hourly schedule: this test polls by hand.
    await putPartner(
      gw.app,
      sftpPartner(sshd, dirs, {
        id: 'ready',
        isaId: 'READYBUYER',
        sftp: { readyFileSuffix: '.ready', archiveDir: undefined, pollSeconds: 3600 },
      }),
    ).expect(201);
    await waitFor(
      async () => (await gw.env.db('sftp_mailboxes').where({ partner_id: 'ready' }).first())?.last_poll_at,
    );
    const file = path.join(dirs.inbound, 'po-ready.edi');
    const x12 = interchange850({ sender: 'READYBUYER', isa13: '000000701', po: 'PO-SFTP-READY' });
    writeFileSync(file, x12);
    for (let i = 0; i < 3; i++) {
      const r = await pollMailbox(gw.env.ctx, 'ready');
      expect(r).toMatchObject({ stored: [], waiting: ['po-ready.edi'], errors: [] });
      await sleep(600);
    }
    writeFileSync(`${file}.ready`, '');
    const r = await pollMailbox(gw.env.ctx, 'ready');
    expect(r).toMatchObject({ stored: ['po-ready.edi'], disposed: ['po-ready.edi'], errors: [] });
    // No archive directory: deleted once stored, with its ready file.
    expect(readdirSync(dirs.inbound)).toEqual([]);
    expect(await pickups('ready')).toEqual([
      expect.objectContaining({ name: 'po-ready.edi', status: 'done', disposed_to: 'deleted' }),
    ]);
    expect(
      await gw.env.db('orders').where({ partner_id: 'ready', buyer_order_number: 'PO-SFTP-READY' }),
    ).toHaveLength(1);
  });

  it('skips the names partners upload under before renaming, and takes the renamed file', async () => {
    const dirs = mailbox(sshd, 'rename');
    await putPartner(
      gw.app,
      sftpPartner(sshd, dirs, { id: 'rename', isaId: 'RENAMEBUYER', sftp: { pollSeconds: 3600 } }),
    ).expect(201);
    await waitFor(
      async () => (await gw.env.db('sftp_mailboxes').where({ partner_id: 'rename' }).first())?.last_poll_at,
    );
    const x12 = interchange850({ sender: 'RENAMEBUYER', isa13: '000000801', po: 'PO-SFTP-RENAME' });
    for (const temp of ['.po.edi', 'po.edi.part', 'po.edi.filepart', 'po.edi.tmp']) {
      writeFileSync(path.join(dirs.inbound, temp), x12);
    }
    for (let i = 0; i < 3; i++) {
      expect(await pollMailbox(gw.env.ctx, 'rename')).toMatchObject({ stored: [], waiting: [] });
      await sleep(600);
    }
    expect(await pickups('rename')).toEqual([]);
    copyFileSync(path.join(dirs.inbound, 'po.edi.part'), path.join(dirs.inbound, 'po.edi'));
    expect(await pollMailbox(gw.env.ctx, 'rename')).toMatchObject({ waiting: ['po.edi'] });
    await sleep(1100);
    expect(await pollMailbox(gw.env.ctx, 'rename')).toMatchObject({ stored: ['po.edi'] });
    expect(readdirSync(dirs.archive)).toEqual(['po.edi']);
  });

  it('one poll of a mailbox at a time: a second concurrent poll is skipped', async () => {
    const dirs = mailbox(sshd, 'busy');
    await putPartner(
      gw.app,
      sftpPartner(sshd, dirs, { id: 'busy', isaId: 'BUSYBUYER', sftp: { pollSeconds: 3600 } }),
    ).expect(201);
    await waitFor(
      async () => (await gw.env.db('sftp_mailboxes').where({ partner_id: 'busy' }).first())?.last_poll_at,
    );
    const results = await Promise.all([pollMailbox(gw.env.ctx, 'busy'), pollMailbox(gw.env.ctx, 'busy')]);
    expect(results.map((r) => r.skipped ?? 'polled').sort()).toEqual(['busy', 'polled']);
  });

  it('stores a file that is not X12 as a refused document with the reason, and archives it', async () => {
    const dirs = mailbox(sshd, 'junk');
    await putPartner(
      gw.app,
      sftpPartner(sshd, dirs, {
        id: 'junk',
        isaId: 'JUNKBUYER',
        sftp: { pollSeconds: 3600, readyFileSuffix: '.done' },
      }),
    ).expect(201);
    await waitFor(
      async () => (await gw.env.db('sftp_mailboxes').where({ partner_id: 'junk' }).first())?.last_poll_at,
    );
    writeFileSync(path.join(dirs.inbound, 'hello.txt'), 'hello, this is not an interchange\n');
    writeFileSync(path.join(dirs.inbound, 'hello.txt.done'), '');
    expect(await pollMailbox(gw.env.ctx, 'junk')).toMatchObject({ stored: ['hello.txt'], errors: [] });
    const [doc] = await inboundDocs('junk');
    expect(doc).toMatchObject({ status: 'refused', doc_type: 'interchange' });
    expect(doc.error).toMatch(/^SFTP hello\.txt: not a readable X12 interchange/);
    expect(Buffer.from(doc.content).toString()).toBe('hello, this is not an interchange\n');
    const [p] = await pickups('junk');
    expect(p).toMatchObject({ status: 'done', document_id: doc.id });
    expect(p.error).toMatch(/refused by the X12 intake: not a readable X12 interchange/);
    expect(readdirSync(dirs.archive)).toEqual(['hello.txt']);
  });

  it('refuses a server whose host key is not the pinned one, touches nothing, and shows why on the partner', async () => {
    const dirs = mailbox(sshd, 'pinned');
    const wrong = otherHostKeyFingerprint();
    await putPartner(
      gw.app,
      sftpPartner(sshd, dirs, { id: 'pinned', isaId: 'PINNEDBUYER', sftp: { hostKeySha256: wrong } }),
    ).expect(201);
    const file = path.join(dirs.inbound, 'po.edi');
    writeFileSync(file, interchange850({ sender: 'PINNEDBUYER', isa13: '000000901', po: 'PO-SFTP-PIN' }));
    const why = `127.0.0.1:${sshd.port}: host key ${sshd.hostKeySha256} is not the pinned sftp.hostKeySha256 ${wrong}`;
    const box = await waitFor(async () => {
      const res = await request(gw.app).get('/api/v1/partners/pinned/sftp').set(auth(ADMIN_TOKEN));
      return res.body.lastError ? res.body : undefined;
    });
    expect(box).toMatchObject({ partnerId: 'pinned', configured: true, lastSuccessAt: null, pickups: [] });
    expect(box.lastError).toContain(why);
    await sleep(1500);
    expect(readFileSync(file).length).toBeGreaterThan(0);
    expect(await pickups('pinned')).toEqual([]);
    expect(await inboundDocs('pinned')).toEqual([]);
  });
});
