/** Shared by the AS2 tests: a gateway with the catalog and an AS2 key, and AS2 partners from an openssl lab. */
import request from 'supertest';
import type { Express } from 'express';
import { readFileSync } from 'node:fs';
import { ADMIN_TOKEN, auth } from '../../helpers/env';
import { setupGateway, type Gateway } from '../sftp/helpers';
import type { Identity } from '../../unit/as2/openssl';
import { importSupplierKey } from '../../../src/transports/as2/keys';

export { interchange850 } from '../sftp/helpers';
export type { Gateway };

/** The supplier's AS2 name in these tests. */
export const GATEWAY_AS2_ID = 'GATEWAY-AS2';

/** A gateway (AS2_ID set) whose AS2 key is `key` (imported through the key service). */
export async function setupAs2Gateway(key: Identity, env: Record<string, string> = {}): Promise<Gateway> {
  const gw = await setupGateway({ env: { AS2_ID: GATEWAY_AS2_ID, ...env } });
  await importSupplierKey(gw.env.db, gw.env.config, {
    pem: readFileSync(key.certPath, 'utf8') + readFileSync(key.keyPath, 'utf8'),
  });
  return gw;
}

/** An X12 partner (ISA ZZ/<isaId>) that sends AS2 as `as2Id` with the certificates of `who`. */
export function as2Partner(opts: {
  id: string;
  isaId: string;
  as2Id: string;
  certificates: readonly Identity[];
  as2?: Record<string, unknown>;
  x12?: Record<string, unknown>;
}) {
  return {
    id: opts.id,
    name: `Partner ${opts.id}`,
    currency: 'USD',
    priceList: 'acme-contract-2026',
    x12: { isaQualifier: 'ZZ', isaId: opts.isaId, gsId: opts.isaId, version: '004010', ...opts.x12 },
    as2: {
      id: opts.as2Id,
      certificates: opts.certificates.map((c) => readFileSync(c.certPath, 'utf8')),
      ...opts.as2,
    },
    outboundFormats: ['x12'],
  };
}

export function putPartner(app: Express, body: object) {
  return request(app).post('/api/v1/partners').set(auth(ADMIN_TOKEN)).send(body);
}
