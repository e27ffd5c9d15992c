import { readFileSync } from 'node:fs';
import path from 'node:path';
import { csvObjects } from './catalog/csv';
import { importCatalog, importPriceLists } from './catalog/service';
import type { AppContext } from './platform/context';
import { sha256Hex } from './platform/secrets';
import { partnerInputSchema } from './partners/schema';
import { upsertPartner } from './partners/service';

const DEMO_DIR = path.resolve(__dirname, '..', 'fixtures', 'demo');

/** Fixed demo API keys (README lists them); only ever seeded into an empty embedded database. */
export const DEMO_KEYS = {
  erp: 'gwk_erp_demo-erp-key-not-for-production',
  finance: 'gwk_finance_demo-finance-key-not-for-production',
};

/** Seeds the demo partner and catalog when there is no partner yet. Returns true when it seeded. */
export async function seedDemo(ctx: AppContext): Promise<boolean> {
  const [{ count }] = await ctx.db('partners').count<{ count: string | number }[]>({ count: '*' });
  if (Number(count) > 0) return false;
  const csv = (f: string) =>
    csvObjects(readFileSync(path.join(DEMO_DIR, f), 'utf8')).rows.map((r) => ({
      line: r.line,
      values: r.values,
    }));
  await importCatalog(ctx.db, csv('catalog.csv'));
  await importPriceLists(ctx.db, csv('price-list.csv'));
  const partner = partnerInputSchema.parse(
    JSON.parse(readFileSync(path.join(DEMO_DIR, 'partner.json'), 'utf8')),
  );
  await upsertPartner(ctx.db, partner);
  for (const [role, key] of Object.entries(DEMO_KEYS)) {
    await ctx.db('api_keys').insert({
      id: (await import('node:crypto')).randomUUID(),
      partner_id: partner.id,
      role,
      key_hash: sha256Hex(key),
      prefix: key.slice(0, 12),
    });
  }
  return true;
}
