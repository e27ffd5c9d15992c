/** Approval tests: a real local SMTP server, a local buyer cXML endpoint, and the orders intake. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createApp } from '../../../src/app';
import { csvObjects } from '../../../src/catalog/csv';
import { importCatalog, importPriceLists } from '../../../src/catalog/service';
import { Queue } from 'bullmq';
import { outboxJobId } from '../../../src/platform/outbox';
import { createTestEnv, REDIS_URL, type TestEnv } from '../../helpers/env';
import { seedPartner } from '../../helpers/partners';
import { upsertPartner } from '../../../src/partners/service';
import { examplePartner } from '../../helpers/partners';

const CONTRACTS = path.resolve(__dirname, '../../../fixtures/contracts');
import type { PartnerInput } from '../../../src/partners/schema';
import type { Express } from 'express';
import { BUYER, SECRET } from '../orders/helpers';

/** Our own shape (not the orders tests' type, which its owner changes). */
export interface OrdersEnv {
  env: TestEnv;
  app: Express;
  erpKey: string;
}

export interface Mail {
  to: string[];
  raw: string;
}

export async function startSmtp(): Promise<{ port: number; mails: Mail[]; close: () => Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          // Quoted-printable soft line breaks undone so links read whole.
          raw: Buffer.concat(chunks)
            .toString('utf8')
            .replace(/=\r?\n/g, '')
            .replace(/=3D/g, '='),
        });
        callback();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export interface Received {
  body: string;
}

/** The buyer's cXML endpoint: records each document and answers 200 OK. */
export async function startBuyer(): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        '<?xml version="1.0"?><cXML payloadID="x@buyer" timestamp="2026-11-23T10:00:00+00:00"><Response><Status code="200" text="OK"/></Response></cXML>',
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cxml`, received, server };
}

export type ApprovalRules = NonNullable<PartnerInput['approval']>;

export const TWO_LEVELS: ApprovalRules = {
  autoApproveBelow: { amount: '5000.00', currency: 'USD' },
  levels: [
    { above: { amount: '5000.00', currency: 'USD' }, approvers: ['sales-manager@supplier.example'] },
    { above: { amount: '50000.00', currency: 'USD' }, approvers: ['cfo@supplier.example'] },
  ],
};

/** Replaces the partner's approval rules (read by the next evaluation). */
export async function setRules(t: OrdersEnv, buyerUrl: string, approval: ApprovalRules): Promise<void> {
  await upsertPartner(
    t.env.db,
    examplePartner({
      cxml: {
        credentials: [BUYER, { domain: 'DUNS', identity: '123456789' }],
        sharedSecret: SECRET,
        cartReturn: 'cxml-urlencoded',
        statusUpdates: false,
        outboundUrl: buyerUrl,
      },
      approval,
    }),
  );
}

export async function setupApprovals(env: Record<string, string> = {}) {
  const smtp = await startSmtp();
  const buyer = await startBuyer();
  const testEnv = await createTestEnv({
    redis: true,
    env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, ...env },
  });
  await importCatalog(
    testEnv.db,
    csvObjects(readFileSync(path.join(CONTRACTS, 'catalog.example.csv'), 'utf8')).rows,
  );
  await importPriceLists(
    testEnv.db,
    csvObjects(readFileSync(path.join(CONTRACTS, 'price-list.example.csv'), 'utf8')).rows,
  );
  const { erpKey } = await seedPartner(testEnv.db, {});
  const t: OrdersEnv = { env: testEnv, app: createApp(testEnv.ctx), erpKey };
  await setRules(t, buyer.url, TWO_LEVELS);
  return {
    t,
    smtp,
    buyer,
    close: async () => {
      await t.env.close();
      await smtp.close();
      await new Promise<void>((r) => buyer.server.close(() => r()));
    },
  };
}

/** True when every outbox job named `jobName` whose payload has `key` = `value` has completed in BullMQ. */
export async function outboxJobsDone(
  env: TestEnv,
  jobName: string,
  key: string,
  value: string,
): Promise<boolean> {
  const rows = await env
    .db('outbox')
    .where({ job_name: jobName })
    .whereRaw('payload->>? = ?', [key, value])
    .select('id');
  if (rows.length === 0) return false;
  const q = new Queue('gateway', { connection: { url: REDIS_URL }, prefix: env.config.QUEUE_PREFIX });
  try {
    const states = await Promise.all(rows.map((r) => q.getJobState(outboxJobId(r.id))));
    return states.every((st) => st === 'completed');
  } finally {
    await q.close();
  }
}
