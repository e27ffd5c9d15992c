import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { isUuid, type Db, type Q } from '../platform/db';
import { AppError, isUniqueViolation, notFound } from '../platform/errors';
import { encryptSecret } from '../platform/crypto';
import { endPageSessionsOfKey } from '../platform/pages/sessions';
import { hashSecret, randomToken, sha256Hex } from '../platform/secrets';
import { syncSftpSchedule } from '../transports/sftp/schedule';
import {
  as2SettingsOf,
  parsePartnerCertificates,
  syncPartnerCertificates,
} from '../transports/as2/certificates';
import type { As2Certificate } from '../../protocols/as2';
import { ensureAs2ExpirySchedule } from '../transports/as2/expiry';
import { checkPrivateKey, encryptSftpCredentials, type SftpCredentials } from './sftp-credentials';
import { supplierSecretAad } from './supplier-secret';
import { findPartner, partnersChanged, type PartnerRow } from './repository';
import type { PartnerInput, PartnerSettings } from './schema';

export type ApiKeyRole = 'erp' | 'finance';

function settingsOf(
  input: PartnerInput,
  secrets: { cxml: boolean; oci: boolean; sftp: { hasPassword: boolean; hasPrivateKey: boolean } },
  as2Certificates: readonly As2Certificate[],
): PartnerSettings {
  const { cxml, oci, sftp, as2, ...rest } = input;
  return {
    ...rest,
    ...(as2 ? { as2: as2SettingsOf(as2, as2Certificates) } : {}),
    ...(sftp
      ? {
          sftp: {
            ...omit(omit(omit(sftp, 'password'), 'privateKey'), 'privateKeyPassphrase'),
            ...secrets.sftp,
          },
        }
      : {}),
    ...(cxml
      ? {
          cxml: {
            ...omit(omit(cxml, 'sharedSecret'), 'supplierSharedSecret'),
            hasSharedSecret: secrets.cxml,
          },
        }
      : {}),
    ...(oci ? { oci: { ...omit(oci, 'password'), hasPassword: secrets.oci } } : {}),
  };
}

function omit<T extends object, K extends keyof T>(obj: T, key: K): Omit<T, K> {
  const copy = { ...obj };
  delete copy[key];
  return copy;
}

/**
 * The SFTP credentials of the input, encrypted, when it has any; undefined keeps the stored ones.
 * A private key that cannot be read is refused here rather than at the first poll.
 */
function sftpCredentialsOf(
  input: PartnerInput,
  secretsKey: string | undefined,
): { enc: string; hasPassword: boolean; hasPrivateKey: boolean } | undefined {
  const s = input.sftp;
  if (!s || (s.password === undefined && s.privateKey === undefined)) return undefined;
  if (!secretsKey) {
    throw new AppError(
      'validation_failed',
      'sftp.password and sftp.privateKey need SECRETS_KEY (32 random bytes, e.g. openssl rand -base64 32) in every server and worker',
      {
        details: [
          { path: s.password ? 'sftp.password' : 'sftp.privateKey', message: 'SECRETS_KEY is not set' },
        ],
      },
    );
  }
  if (s.privateKey !== undefined) checkPrivateKey(s.privateKey, s.privateKeyPassphrase);
  const creds: SftpCredentials = {
    ...(s.password !== undefined ? { password: s.password } : {}),
    ...(s.privateKey !== undefined ? { privateKey: s.privateKey } : {}),
    ...(s.privateKeyPassphrase !== undefined ? { privateKeyPassphrase: s.privateKeyPassphrase } : {}),
  };
  return {
    enc: encryptSftpCredentials(secretsKey, input.id, creds),
    hasPassword: s.password !== undefined,
    hasPrivateKey: s.privateKey !== undefined,
  };
}

/**
 * Creates or replaces a partner. Secrets the partner sends us are stored as scrypt hashes; the
 * supplier's outbound SharedSecret and the SFTP login, which we must send, are encrypted with
 * SECRETS_KEY (`secretsKey`). A replace that omits a secret keeps the stored one (the SFTP password
 * and key together: giving either replaces both). A partner with `sftp` gets its inbound directory
 * polled every sftp.pollSeconds (a job schedule written in the same transaction).
 */
export async function upsertPartner(
  db: Db,
  input: PartnerInput,
  opts: { secretsKey?: string | undefined } = {},
): Promise<{ partner: PartnerRow; created: boolean }> {
  const prepared = await prepareSecrets(input, opts.secretsKey);
  try {
    return await db.transaction((trx) => writePartner(trx, input, prepared));
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new AppError('conflict', 'a credential of this partner already belongs to another partner');
    }
    throw err;
  } finally {
    partnersChangedOnCommit(db);
  }
}

/**
 * Forgets the cached partners now and, when `db` is a caller's transaction (the console saves a
 * partner with its audit entry in one), again once that transaction ends: a lookup by another request
 * of this process between the change and the commit reads the old committed row and would otherwise
 * keep it cached for PARTNER_CACHE_MS.
 */
function partnersChangedOnCommit(db: Db): void {
  partnersChanged();
  if (db.isTransaction === true) {
    void (db as unknown as Knex.Transaction).executionPromise.then(partnersChanged, partnersChanged);
  }
}

/** The secrets and certificates of a partner input, hashed, encrypted or parsed before the transaction. */
interface PreparedSecrets {
  supplierEnc: string | null | undefined;
  sftpNew: ReturnType<typeof sftpCredentialsOf>;
  as2Certificates: ReturnType<typeof parsePartnerCertificates>;
  cxmlHashNew: string | undefined;
  ociHashNew: string | undefined;
}

/** Checks what needs no database and hashes, encrypts and parses the input's secrets and certificates. */
async function prepareSecrets(input: PartnerInput, secretsKey: string | undefined): Promise<PreparedSecrets> {
  const supplierSecret = input.cxml?.supplierSharedSecret;
  if (supplierSecret && !secretsKey) {
    throw new AppError(
      'validation_failed',
      'cxml.supplierSharedSecret needs SECRETS_KEY (32 random bytes, e.g. openssl rand -base64 32) in every server and worker',
      { details: [{ path: 'cxml.supplierSharedSecret', message: 'SECRETS_KEY is not set' }] },
    );
  }
  const supplierEnc = supplierSecret
    ? encryptSecret(secretsKey, supplierSecret, supplierSecretAad(input.id))
    : supplierSecret;
  const sftpNew = sftpCredentialsOf(input, secretsKey);
  const as2Certificates = input.as2 ? parsePartnerCertificates(input.as2.certificates) : [];
  checkTransport(input);
  const cxmlHashNew = input.cxml?.sharedSecret ? await hashSecret(input.cxml.sharedSecret) : undefined;
  const ociHashNew = input.oci?.password ? await hashSecret(input.oci.password) : undefined;
  return { supplierEnc, sftpNew, as2Certificates, cxmlHashNew, ociHashNew };
}

/** The X12 and cXML transports need the settings they send with: sftp, or as2 with its URL. */
function checkTransport(input: PartnerInput): void {
  if (input.x12?.transport === 'sftp' && !input.sftp) {
    throw new AppError('validation_failed', 'x12.transport "sftp" needs the partner\'s sftp settings', {
      details: [{ path: 'x12.transport', message: 'no sftp settings' }],
    });
  }
  if (input.x12?.transport === 'as2' && !input.as2?.url) {
    throw new AppError(
      'validation_failed',
      'x12.transport "as2" needs the partner\'s as2 settings with as2.url (where its AS2 station receives)',
      { details: [{ path: input.as2 ? 'as2.url' : 'x12.transport', message: 'no AS2 URL' }] },
    );
  }
  if (input.cxml?.transport === 'as2' && !input.as2?.url) {
    throw new AppError(
      'validation_failed',
      'cxml.transport "as2" needs the partner\'s as2 settings with as2.url (where its AS2 station receives)',
      { details: [{ path: input.as2 ? 'as2.url' : 'cxml.transport', message: 'no AS2 URL' }] },
    );
  }
}

/** Inserts or replaces the partner row (locked), its identities, SFTP schedule and AS2 certificates. */
async function writePartner(
  trx: Q,
  input: PartnerInput,
  prepared: PreparedSecrets,
): Promise<{ partner: PartnerRow; created: boolean }> {
  const existing = await trx<PartnerRow>('partners').where({ id: input.id }).forUpdate().first();
  const row = partnerRow(trx, input, existing, prepared);
  if (existing) await trx('partners').where({ id: input.id }).update(row);
  else await trx('partners').insert(row);
  await replaceIdentities(trx, input);
  await syncSftpSchedule(trx, input.id, input.sftp);
  await syncPartnerCertificates(trx, input.id, prepared.as2Certificates);
  if (input.as2) await ensureAs2ExpirySchedule(trx);
  const partner = (await trx<PartnerRow>('partners').where({ id: input.id }).first())!;
  return { partner, created: !existing };
}

/** The secrets the partner keeps: the new ones, else the stored ones; a new partner must give them. */
function keptSecrets(input: PartnerInput, existing: PartnerRow | undefined, prepared: PreparedSecrets) {
  const cxmlHash = input.cxml ? (prepared.cxmlHashNew ?? existing?.cxml_secret_hash ?? null) : null;
  const ociHash = input.oci ? (prepared.ociHashNew ?? existing?.oci_password_hash ?? null) : null;
  if (input.cxml && !cxmlHash) {
    throw new AppError('validation_failed', 'cxml.sharedSecret is required for a new cXML partner', {
      details: [{ path: 'cxml.sharedSecret', message: 'required' }],
    });
  }
  if (input.oci && !ociHash) {
    throw new AppError('validation_failed', 'oci.password is required for a new OCI partner', {
      details: [{ path: 'oci.password', message: 'required' }],
    });
  }
  const sftp = input.sftp
    ? (prepared.sftpNew ??
      (existing?.sftp_credentials_enc && existing.settings.sftp
        ? {
            enc: existing.sftp_credentials_enc,
            hasPassword: existing.settings.sftp.hasPassword,
            hasPrivateKey: existing.settings.sftp.hasPrivateKey,
          }
        : null))
    : null;
  if (input.sftp && !sftp) {
    throw new AppError(
      'validation_failed',
      'sftp.password or sftp.privateKey is required for a new SFTP partner',
      {
        details: [{ path: 'sftp.password', message: 'required (or sftp.privateKey)' }],
      },
    );
  }
  return { cxmlHash, ociHash, sftp };
}

/** The partners row of the input, with the secrets it keeps. */
function partnerRow(
  trx: Q,
  input: PartnerInput,
  existing: PartnerRow | undefined,
  prepared: PreparedSecrets,
) {
  const { cxmlHash, ociHash, sftp } = keptSecrets(input, existing, prepared);
  const { supplierEnc } = prepared;
  return {
    id: input.id,
    name: input.name,
    currency: input.currency,
    price_list: input.priceList ?? null,
    catalog_visibility: input.catalogVisibility,
    settings: JSON.stringify(
      settingsOf(
        input,
        {
          cxml: !!cxmlHash,
          oci: !!ociHash,
          sftp: { hasPassword: !!sftp?.hasPassword, hasPrivateKey: !!sftp?.hasPrivateKey },
        },
        prepared.as2Certificates,
      ),
    ),
    cxml_secret_hash: cxmlHash,
    oci_password_hash: ociHash,
    cxml_supplier_secret_enc: !input.cxml
      ? null
      : supplierEnc === undefined
        ? (existing?.cxml_supplier_secret_enc ?? null)
        : supplierEnc,
    sftp_credentials_enc: sftp?.enc ?? null,
    updated_at: trx.fn.now(),
    deleted_at: null,
  };
}

/** The partner's identities (cXML credentials, OCI username, ISA id, AS2 name) replaced by the input's. */
async function replaceIdentities(trx: Q, input: PartnerInput): Promise<void> {
  await trx('partner_identities').where({ partner_id: input.id }).delete();
  const identities = [
    ...(input.cxml?.credentials ?? []).map((c) => ({
      protocol: 'cxml',
      domain: c.domain,
      identity: c.identity,
    })),
    ...(input.oci ? [{ protocol: 'oci', domain: 'username', identity: input.oci.username }] : []),
    ...(input.x12 ? [{ protocol: 'x12', domain: input.x12.isaQualifier, identity: input.x12.isaId }] : []),
    ...(input.as2 ? [{ protocol: 'as2', domain: 'as2', identity: input.as2.id }] : []),
  ];
  if (identities.length) {
    await trx('partner_identities').insert(identities.map((i) => ({ ...i, partner_id: input.id })));
  }
}

/** Soft delete: orders, invoices and documents keep their partner; credentials and keys stop working. */
export async function deletePartner(db: Db, id: string): Promise<void> {
  try {
    await deletePartnerRows(db, id);
  } finally {
    partnersChanged();
  }
}

async function deletePartnerRows(db: Db, id: string): Promise<void> {
  await db.transaction(async (trx) => {
    const n = await trx('partners')
      .where({ id })
      .whereNull('deleted_at')
      .update({ deleted_at: trx.fn.now() });
    if (n === 0) throw notFound('partner');
    await trx('partner_identities').where({ partner_id: id }).delete();
    await syncSftpSchedule(trx, id, undefined);
    await trx('api_keys')
      .where({ partner_id: id })
      .whereNull('revoked_at')
      .update({ revoked_at: trx.fn.now() });
  });
}

/** Issues an API key; the key itself is returned once and only its hash is stored. */
export async function createApiKey(
  db: Db,
  partnerId: string,
  role: ApiKeyRole,
): Promise<{ id: string; key: string }> {
  if (!(await findPartner(db, partnerId))) throw notFound('partner');
  return insertApiKey(db, partnerId, role);
}

/**
 * The part of a key that is shown in lists: `gwk_<role>_` and 8 characters of the random part (48
 * of its 192 bits), enough to tell keys apart.
 */
export function keyPrefix(key: string): string {
  const roleEnd = key.indexOf('_', 4);
  return key.slice(0, (roleEnd < 0 ? 4 : roleEnd + 1) + 8);
}

async function insertApiKey(q: Q, partnerId: string, role: ApiKeyRole): Promise<{ id: string; key: string }> {
  const key = `gwk_${role}_${randomToken(24)}`;
  const id = randomUUID();
  await q('api_keys').insert({
    id,
    partner_id: partnerId,
    role,
    key_hash: sha256Hex(key),
    prefix: keyPrefix(key),
  });
  return { id, key };
}

export interface ApiKeyView {
  id: string;
  partnerId: string;
  role: ApiKeyRole;
  /** The first characters of the key (the key itself is shown once, at creation). */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface ApiKeyListRow {
  id: string;
  partner_id: string;
  role: ApiKeyRole;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function apiKeyView(r: ApiKeyListRow): ApiKeyView {
  return {
    id: r.id,
    partnerId: r.partner_id,
    role: r.role,
    prefix: r.prefix,
    createdAt: new Date(r.created_at).toISOString(),
    lastUsedAt: iso(r.last_used_at),
    revokedAt: iso(r.revoked_at),
  };
}

const KEY_COLUMNS = ['id', 'partner_id', 'role', 'prefix', 'created_at', 'last_used_at', 'revoked_at'];

/** A partner's keys, newest first (revoked ones too, with when). */
export async function listApiKeys(db: Db, partnerId: string): Promise<ApiKeyView[]> {
  if (!(await findPartner(db, partnerId))) throw notFound('partner');
  const rows = await db<ApiKeyListRow>('api_keys')
    .where({ partner_id: partnerId })
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .select(KEY_COLUMNS);
  return (rows as unknown as ApiKeyListRow[]).map(apiKeyView);
}

async function liveKey(db: Q, keyId: string, partnerId?: string): Promise<ApiKeyListRow> {
  const q = db<ApiKeyListRow>('api_keys').where({ id: keyId });
  if (partnerId) q.where({ partner_id: partnerId });
  const row = isUuid(keyId) ? await q.first<ApiKeyListRow | undefined>(KEY_COLUMNS) : undefined;
  if (!row) throw notFound('API key');
  if (row.revoked_at) throw new AppError('gone', `API key ${keyId} was revoked at ${iso(row.revoked_at)}`);
  return row;
}

/**
 * Revokes a key at once: this process forgets its cached keys now, other processes within
 * PARTNER_CACHE_MS (their cache entries expire).
 */
export async function revokeApiKey(db: Db, keyId: string, partnerId?: string): Promise<ApiKeyView> {
  try {
    const row = await liveKey(db, keyId, partnerId);
    const [updated] = await db<ApiKeyListRow>('api_keys')
      .where({ id: row.id })
      .whereNull('revoked_at')
      .update({ revoked_at: db.fn.now() } as never)
      .returning(KEY_COLUMNS);
    if (!updated) throw new AppError('gone', `API key ${keyId} was revoked meanwhile`);
    // Its page sessions are refused from now on anyway (the lookup reads revoked_at); the rows go.
    await endPageSessionsOfKey({ db }, row.id);
    return apiKeyView(updated as ApiKeyListRow);
  } finally {
    partnersChanged();
  }
}

/** A new key of the same partner and role; the old one is revoked in the same transaction. */
export async function rotateApiKey(
  db: Db,
  keyId: string,
  partnerId?: string,
): Promise<{ id: string; key: string; role: ApiKeyRole; revoked: string }> {
  try {
    return await db.transaction(async (trx) => {
      const old = await liveKey(trx, keyId, partnerId);
      const n = await trx('api_keys')
        .where({ id: old.id })
        .whereNull('revoked_at')
        .update({ revoked_at: trx.fn.now() });
      if (n === 0) throw new AppError('gone', `API key ${keyId} was revoked meanwhile`);
      await endPageSessionsOfKey({ db: trx }, old.id);
      const { id, key } = await insertApiKey(trx, old.partner_id, old.role);
      return { id, key, role: old.role, revoked: old.id };
    });
  } finally {
    partnersChanged();
  }
}

export function partnerView(row: PartnerRow) {
  const cxml = row.settings.cxml;
  return {
    ...row.settings,
    ...(cxml ? { cxml: { ...cxml, hasSupplierSharedSecret: row.cxml_supplier_secret_enc !== null } } : {}),
    id: row.id,
    name: row.name,
    currency: row.currency,
    priceList: row.price_list,
    catalogVisibility: row.catalog_visibility,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
