import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../src/platform/db';
import { partnerInputSchema, type PartnerInput } from '../../src/partners/schema';
import { createApiKey, upsertPartner } from '../../src/partners/service';

export const CONTRACT_PARTNER = path.resolve(__dirname, '../../fixtures/contracts/partner.example.json');

export function examplePartner(overrides: Partial<PartnerInput> = {}): PartnerInput {
  const base = JSON.parse(readFileSync(CONTRACT_PARTNER, 'utf8')) as Record<string, unknown>;
  return partnerInputSchema.parse({ ...base, ...overrides });
}

/** Creates a partner (contract example by default) and returns it with an ERP and a finance key. */
export async function seedPartner(db: Db, overrides: Partial<PartnerInput> = {}) {
  const input = examplePartner(overrides);
  await upsertPartner(db, input);
  const erp = await createApiKey(db, input.id, 'erp');
  const finance = await createApiKey(db, input.id, 'finance');
  return { input, erpKey: erp.key, financeKey: finance.key };
}
