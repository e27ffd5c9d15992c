import { readFileSync } from 'node:fs';
import path from 'node:path';
import { csvObjects } from './catalog/csv';
import { importCatalog, importPriceLists } from './catalog/service';
import type { Config } from './platform/config';
import { csrfToken } from './platform/pages';
import type { AppContext } from './platform/context';
import { onlyRow } from './platform/db';
import { sha256Hex, verifySecret } from './platform/secrets';
import { findPartnerByIdentity, partnersChanged } from './partners/repository';
import { partnerInputSchema } from './partners/schema';
import { keyPrefix, upsertPartner } from './partners/service';

const DEMO_DIR = path.resolve(__dirname, '..', 'fixtures', 'demo');

/**
 * Fixed demo API keys (README lists them); seeded into an empty database in embedded mode, and with
 * DATABASE_URL only when DEMO=1 says so.
 */
export const DEMO_KEYS = {
  erp: 'gwk_erp_demo-erp-key-not-for-production',
  finance: 'gwk_finance_demo-finance-key-not-for-production',
};

/** Seeds the demo partner and catalog when there is no partner yet. Returns true when it seeded. */
export async function seedDemo(ctx: AppContext): Promise<boolean> {
  const { count } = onlyRow(await ctx.db('partners').count<{ count: string | number }[]>({ count: '*' }));
  if (Number(count) > 0) return false;
  const csv = (f: string) =>
    csvObjects(readFileSync(path.join(DEMO_DIR, f), 'utf8')).rows.map((r) => ({
      line: r.line,
      values: r.values,
    }));
  await importCatalog(ctx.db, csv('catalog.csv'));
  await importPriceLists(ctx.db, csv('price-list.csv'));
  const fixture = JSON.parse(readFileSync(path.join(DEMO_DIR, 'partner.json'), 'utf8')) as {
    cxml: Record<string, unknown>;
  };
  // Its documents go to the built-in demo buyer's inbox (src/demo-buyer) on this gateway.
  fixture.cxml.outboundUrl = demoInboxUrl(ctx.config);
  const partner = partnerInputSchema.parse(fixture);
  await upsertPartner(ctx.db, partner);
  for (const [role, key] of Object.entries(DEMO_KEYS)) {
    await ctx.db('api_keys').insert({
      id: (await import('node:crypto')).randomUUID(),
      partner_id: partner.id,
      role,
      key_hash: sha256Hex(key),
      prefix: keyPrefix(key),
    });
  }
  return true;
}

/**
 * The demo buyer's inbox (src/demo-buyer), where the demo partner's cXML documents are delivered.
 * Its last segment is derived from the server secret, so that only the gateway knows where to post.
 */
export const demoInboxUrl = (config: Config) =>
  `${config.publicBaseUrl}${DEMO_INBOX_PATH}/${csrfToken(config, DEMO_INBOX_KEY)}`;
export const DEMO_INBOX_PATH = '/demo/buyer/inbox';
/** What the inbox URL's last segment is derived from. */
export const DEMO_INBOX_KEY = 'demo-buyer-inbox';

/**
 * A data dir seeded before the demo buyer existed, or under another PUBLIC_BASE_URL (another
 * PORT): the demo partner (still with the demo cXML identity) gets this gateway's inbox as its
 * cxml.outboundUrl, unless it was given an outbound URL of its own. Returns whether it changed.
 */
export async function ensureDemoInbox(ctx: AppContext): Promise<boolean> {
  const { domain, identity } = DEMO_CREDENTIALS.cxml;
  const partner = await findPartnerByIdentity(ctx.db, 'cxml', domain, identity);
  const cxml = partner?.settings.cxml;
  if (!partner || partner.id !== 'demo' || !cxml) return false;
  const url = demoInboxUrl(ctx.config);
  const current = cxml.outboundUrl;
  if (current === url) return false;
  if (current && !URL.canParse(current)) return false;
  if (current && !new URL(current).pathname.startsWith(DEMO_INBOX_PATH)) return false;
  const settings = { ...partner.settings, cxml: { ...cxml, outboundUrl: url } };
  await ctx
    .db('partners')
    .where({ id: partner.id })
    .update({ settings: JSON.stringify(settings) });
  partnersChanged();
  return true;
}

/** The demo credentials the README publishes. */
export const DEMO_CREDENTIALS = {
  cxml: { domain: 'NetworkID', identity: 'AN-DEMO-BUYER', sharedSecret: 'demo-shared-secret' },
  oci: { username: 'demo-buyer', password: 'demo-password' },
};

/**
 * Which of the published demo credentials work on this database (an unrevoked demo API key, the
 * demo cXML SharedSecret or OCI password on the partner that has the demo identity). Empty when none.
 */
export async function publishedDemoCredentials(ctx: AppContext): Promise<string[]> {
  const found: string[] = [];
  const keys = await ctx
    .db('api_keys as k')
    .join('partners as p', 'p.id', 'k.partner_id')
    .whereIn(
      'k.key_hash',
      Object.values(DEMO_KEYS).map((k) => sha256Hex(k)),
    )
    .whereNull('k.revoked_at')
    .whereNull('p.deleted_at')
    .select<{ role: string; partner_id: string }[]>('k.role', 'k.partner_id');
  for (const k of keys) found.push(`${k.role} API key of partner "${k.partner_id}"`);
  const { cxml, oci } = DEMO_CREDENTIALS;
  const cxmlPartner = await findPartnerByIdentity(ctx.db, 'cxml', cxml.domain, cxml.identity);
  if (cxmlPartner && (await verifySecret(cxml.sharedSecret, cxmlPartner.cxml_secret_hash)))
    found.push(`cXML SharedSecret of ${cxml.domain}/${cxml.identity} (partner "${cxmlPartner.id}")`);
  const ociPartner = await findPartnerByIdentity(ctx.db, 'oci', 'username', oci.username);
  if (ociPartner && (await verifySecret(oci.password, ociPartner.oci_password_hash)))
    found.push(`OCI password of ${oci.username} (partner "${ociPartner.id}")`);
  return found;
}

/**
 * With DATABASE_URL (production), every start says loudly when the demo credentials published in
 * the README still work on this database: anyone who read the README can use them.
 */
export async function warnOfDemoCredentials(ctx: AppContext): Promise<string[]> {
  const found = await publishedDemoCredentials(ctx);
  if (found.length === 0) return found;
  ctx.log.warn({ demoCredentials: found }, 'published demo credentials work on this database');
  console.error(
    [
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
      'WARNING: this database accepts demo credentials that are published in the README:',
      ...found.map((f) => `  - ${f}`),
      'Anyone can use them. Delete the demo partner (DELETE /api/v1/partners/demo) or revoke its',
      'keys and replace its secrets, unless this database is only for trying the gateway out.',
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    ].join('\n'),
  );
  return found;
}
