/**
 * A poller killed in the middle of a pickup (SIGKILL of a worker process: no cleanup runs) neither
 * loses nor duplicates the file: its leases keep other pollers off until they run out, then the
 * gateway's own workers, started afterwards, finish the pickup on the partner's schedule.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sha256Hex } from '../../../src/platform/secrets';
import { pollMailbox, type PickupStage } from '../../../src/transports/sftp/inbound';
import { waitFor } from '../../helpers/env';
import { startSshd, type SftpTestServer } from '../../helpers/sftp-server';
import { interchange850, mailbox, putPartner, setupGateway, sftpPartner, type Gateway } from './helpers';

const LEASE_SECONDS = '10';

let sshd: SftpTestServer;
let gw: Gateway;

beforeAll(async () => {
  sshd = await startSshd();
  // No workers yet: the child process is the only poller until the "restart".
  gw = await setupGateway({ start: false, env: { SFTP_LEASE_SECONDS: LEASE_SECONDS } });
}, 60000);
afterAll(async () => {
  await gw?.env.close();
  await sshd?.stop();
});

/** Runs a poller in a child process and SIGKILLs it when the pickup reaches `stage`. */
async function killPollerAt(partnerId: string, stage: PickupStage): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(__dirname, 'poller.child.ts'),
      gw.env.config.DATABASE_URL!,
      partnerId,
      stage,
      LEASE_SECONDS,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await waitFor(() => out.includes(`at ${stage}`) || out.includes('finished'), 60000, `child at ${stage}`);
  expect(out).toContain(`at ${stage}`);
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGKILL');
  await exited;
}

async function partnerWithFile(id: string, isa13: string) {
  const dirs = mailbox(sshd, id);
  // Ready-file convention, so that the first poll takes the file.
  await putPartner(
    gw.app,
    sftpPartner(sshd, dirs, { id, isaId: id.toUpperCase(), sftp: { readyFileSuffix: '.ready' } }),
  ).expect(201);
  const x12 = Buffer.from(interchange850({ sender: id.toUpperCase(), isa13, po: `PO-${id}` }));
  writeFileSync(path.join(dirs.inbound, 'po.x12'), x12);
  writeFileSync(path.join(dirs.inbound, 'po.x12.ready'), '');
  return { dirs, x12 };
}

it('a poller killed after reading a file (nothing stored) and one killed after storing it (not archived): after the restart each file is stored once and archived', async () => {
  const read = await partnerWithFile('killread', '000000111');
  const stored = await partnerWithFile('killstored', '000000112');

  await killPollerAt('killread', 'downloaded');
  // Its leases still hold: another poller right away takes nothing.
  expect(await pollMailbox(gw.env.ctx, 'killread')).toMatchObject({ skipped: 'busy' });
  await killPollerAt('killstored', 'stored');

  // What the dead pollers left: one file read and not stored, one stored and still in the inbox.
  expect(await gw.env.db('documents').where({ partner_id: 'killread' })).toEqual([]);
  expect(await gw.env.db('sftp_pickups').where({ partner_id: 'killread' }).first()).toMatchObject({
    status: 'claimed',
    claims: 1,
  });
  expect(await gw.env.db('sftp_pickups').where({ partner_id: 'killstored' }).first()).toMatchObject({
    status: 'stored',
    sha256: sha256Hex(stored.x12),
  });
  expect(readdirSync(stored.dirs.inbound).sort()).toEqual(['po.x12', 'po.x12.ready']);

  // The restart: the gateway's workers poll on the partners' schedules from now on.
  await gw.env.ctx.queue.start({ workers: true, relay: true });
  for (const [id, f] of [
    ['killread', read],
    ['killstored', stored],
  ] as const) {
    const archived = path.join(f.dirs.archive, 'po.x12');
    await waitFor(() => existsSync(archived), 30000, `${id} archived`);
    await waitFor(
      async () => (await gw.env.db('sftp_pickups').where({ partner_id: id }).first())?.status === 'done',
      10000,
      `${id} done`,
    );
    expect(readFileSync(archived)).toEqual(f.x12);
    expect(readdirSync(f.dirs.inbound)).toEqual([]);
    const docs = await gw.env.db('documents').where({ partner_id: id, direction: 'in' });
    expect(docs.filter((d) => d.doc_type === 'interchange')).toHaveLength(1);
    expect(docs.filter((d) => d.doc_type === '850')).toHaveLength(1);
    expect(await gw.env.db('orders').where({ partner_id: id })).toHaveLength(1);
    const rows = await gw.env.db('sftp_pickups').where({ partner_id: id });
    expect(rows).toEqual([
      expect.objectContaining({
        status: 'done',
        sha256: sha256Hex(f.x12),
        document_id: docs.find((d) => d.doc_type === 'interchange').id,
        claims: 2,
      }),
    ]);
    // And one 997 answered it, uploaded once.
    await waitFor(() => readdirSync(f.dirs.outbound).length > 0, 20000, `${id} 997`);
    expect(await gw.env.db('documents').where({ partner_id: id, doc_type: '997' })).toHaveLength(1);
  }
}, 180000);
