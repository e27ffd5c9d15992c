/** Shared by the SFTP tests: a gateway with the catalog, and an X12 partner whose mailbox is a test server. */
import { mkdirSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../../src/app';
import { csvObjects } from '../../../src/catalog/csv';
import { importCatalog, importPriceLists } from '../../../src/catalog/service';
import type { PartnerInput } from '../../../src/partners/schema';
import { ADMIN_TOKEN, auth, createTestEnv, type TestEnv } from '../../helpers/env';
import type { SftpTestServer } from '../../helpers/sftp-server';

const CONTRACTS = path.resolve(__dirname, '../../../fixtures/contracts');

export async function setupGateway(opts: { env?: Record<string, string>; start?: boolean } = {}) {
  const env = await createTestEnv({
    redis: true,
    ...(opts.start !== undefined ? { start: opts.start } : {}),
    ...(opts.env ? { env: opts.env } : {}),
  });
  const csv = (f: string) => csvObjects(readFileSync(path.join(CONTRACTS, f), 'utf8')).rows;
  await importCatalog(env.db, csv('catalog.example.csv'));
  await importPriceLists(env.db, csv('price-list.example.csv'));
  return { env, app: createApp(env.ctx) };
}

/** Mailbox directories of one partner on the test server (made on its disk). */
export function mailbox(server: SftpTestServer, name: string) {
  const base = path.join(server.root, name);
  const dirs = { inbound: `${base}/in`, archive: `${base}/archive`, outbound: `${base}/out` };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  return dirs;
}

/** An X12 partner (ISA ZZ/<isaId>) whose documents travel by SFTP through `server`. */
export function sftpPartner(
  server: SftpTestServer,
  dirs: ReturnType<typeof mailbox>,
  opts: {
    id: string;
    isaId: string;
    sftp?: Partial<NonNullable<PartnerInput['sftp']>>;
    x12?: Partial<NonNullable<PartnerInput['x12']>>;
  },
) {
  return {
    id: opts.id,
    name: `Partner ${opts.id}`,
    currency: 'USD',
    priceList: 'acme-contract-2026',
    x12: {
      isaQualifier: 'ZZ',
      isaId: opts.isaId,
      gsId: opts.isaId,
      version: '004010',
      transport: 'sftp',
      ...opts.x12,
    },
    sftp: {
      host: server.host,
      port: server.port,
      username: server.username,
      hostKeySha256: server.hostKeySha256,
      ...(server.privateKey ? { privateKey: server.privateKey } : {}),
      ...(server.password ? { password: server.password } : {}),
      inboundDir: dirs.inbound,
      archiveDir: dirs.archive,
      outboundDir: dirs.outbound,
      pollSeconds: 1,
      ...opts.sftp,
    },
    outboundFormats: ['x12'],
  };
}

export function putPartner(app: Express, body: object) {
  return request(app).post('/api/v1/partners').set(auth(ADMIN_TOKEN)).send(body);
}

/** An interchange of one 850 from `sender` (ISA06) to the supplier of the tests. */
export function interchange850(opts: { sender: string; isa13: string; po: string; lines?: number }): string {
  const lines = opts.lines ?? 1;
  const body = [`ST*850*0001`, `BEG*00*SA*${opts.po}**20261120`, 'CUR*BY*USD'];
  for (let i = 1; i <= lines; i++) body.push(`PO1*${i}*2*BX*4.50**VP*PEN-BLU-12`, 'PID*F****Widget');
  body.push(`CTT*${lines}`);
  body.push(`SE*${body.length + 1}*0001`);
  const sender = opts.sender.padEnd(15, ' ');
  return [
    `ISA*00*          *00*          *ZZ*${sender}*ZZ*SUPPLIERDEMO   *261120*1200*U*00401*${opts.isa13}*0*P*>`,
    `GS*PO*${opts.sender}*SUPPLIERDEMO*20261120*1200*77*X*004010`,
    ...body,
    'GE*1*77',
    `IEA*1*${opts.isa13}`,
  ]
    .map((s) => `${s}~\n`)
    .join('');
}

export type Gateway = { env: TestEnv; app: Express };
